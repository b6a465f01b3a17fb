"""The book's networks: Nielsen's arrays, their graphs, and the fully matrix-based trainer.

* :mod:`.network`: :class:`Network`, Nielsen's arrays (``weights[l-2][j-1, k-1]`` is
  ``w^l_jk``) with feedforward, backprop, SGD, files;
* :mod:`.network_graphs`: the graph of one example at the neuron, z and operation levels;
  :mod:`.graph_sizes`: its nodes, edges and bytes, counted from the widths before it is built;
* :mod:`.activations`, :mod:`.losses`: σ with σ', and the cost functions C with ∇_a C (BP1);
* :mod:`.matrix`: BP1-BP4 on a whole mini-batch at once, no graph;
* :mod:`.training`: the data forms SGD takes, the epoch loop, its history, and the stop at a
  diverging epoch (:class:`TrainingDivergedError`); :mod:`.cost_bounds`: when a bound on the
  activations proves an epoch's cost finite;
* :mod:`.files`: networks in ``.npz`` files, no pickle, every header checked before it is read
  (:class:`DamagedFileError`); :mod:`.data`: digits, XOR and MNIST.

The nets built from Values (micrograd's ``Neuron``, ``Layer``, ``MLP`` and what grows from them)
live one layer up, in :mod:`pathgrad.nn`.
"""

from . import data
from .activations import Activation
from .files import DamagedFileError
from .losses import Cost
from .network import Network
from .network_graphs import NetworkGraph
from .training import History, TrainingDivergedError

__all__ = [
    "Activation", "Cost", "DamagedFileError", "History", "Network", "NetworkGraph",
    "TrainingDivergedError", "data",
]
