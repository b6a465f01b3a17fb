"""Neural networks in the book's notation, their graphs, and the fully matrix-based trainer.

* :mod:`.network`: :class:`Network`, Nielsen's arrays (``weights[l-2][j-1, k-1]`` is
  ``w^l_jk``) with feedforward, backprop, SGD, files;
* :mod:`.network_graphs`: the graph of one example at the neuron, z and operation levels;
  :mod:`.graph_sizes`: its nodes, edges and bytes, counted from the widths before it is built;
* :mod:`.activations`, :mod:`.losses`: σ with σ', and the cost functions C with ∇_a C (BP1);
* :mod:`.matrix`: BP1-BP4 on a whole mini-batch at once, no graph;
* :mod:`.training`: the data forms SGD takes, the epoch loop, its history, and the stop at a
  diverging epoch (:class:`TrainingDivergedError`);
* :mod:`.files`: networks in ``.npz`` files, no pickle, every header checked before it is read
  (:class:`DamagedFileError`); :mod:`.data`: digits, XOR and MNIST.

Nets built from Values, micrograd's way (``from pathgrad.nn import Neuron, Layer, MLP``):

* :mod:`.modules`: ``Module``, ``Neuron``, ``Layer``, ``MLP`` with micrograd's signatures,
  the book's names and a conversion to and from :class:`Network`;
* :mod:`.residual`: residual blocks and ``ResNet``; :mod:`.convolution`: a kernel shared by
  every neuron (``Conv1d``); :mod:`.recurrent`: ``RNNCell`` unrolled through time;
* :mod:`.optim`: ``SGD`` with momentum; :mod:`.fitting`: ``fit``, mini-batch training of an
  ``MLP`` or a ``ResNet`` through its graph.
"""

from . import data
from .activations import Activation
from .convolution import Conv1d
from .files import DamagedFileError
from .fitting import fit
from .losses import Cost
from .modules import MLP, Layer, Module, Neuron
from .network import Network
from .network_graphs import NetworkGraph
from .optim import SGD
from .recurrent import RNNCell
from .residual import Residual, ResNet
from .training import History, TrainingDivergedError

__all__ = [
    "MLP", "SGD", "Activation", "Conv1d", "Cost", "DamagedFileError", "History", "Layer",
    "Module", "Network", "NetworkGraph", "Neuron", "RNNCell", "ResNet", "Residual",
    "TrainingDivergedError", "data", "fit",
]
