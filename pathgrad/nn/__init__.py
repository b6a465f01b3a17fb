"""Nets built from Values, micrograd's way (``from pathgrad.nn import Neuron, Layer, MLP``).

* :mod:`.modules`: ``Module``, ``Neuron``, ``Layer``, ``MLP`` with micrograd's signatures,
  the book's names and a conversion to and from :class:`pathgrad.Network`;
* :mod:`.residual`: residual blocks and ``ResNet``; :mod:`.block_paths`: the gradient
  through each set of a ResNet's blocks (Veit et al.'s measure, exactly);
  :mod:`.convolution`: a kernel shared by every neuron (``Conv1d``); :mod:`.recurrent`:
  ``RNNCell`` unrolled through time;
* :mod:`.optim`: ``SGD`` with momentum; :mod:`.fitting`: ``fit``, mini-batch training of an
  ``MLP`` or a ``ResNet`` through its graph.

The book's own networks (Nielsen's arrays, the matrix engine, files and data) are one layer
down, in :mod:`pathgrad.book`; the activations and costs these modules share come from there.
"""

from ..book.activations import Activation
from ..book.losses import Cost
from .block_paths import BlockSets, block_set_gradients, gradient_through
from .convolution import Conv1d
from .fitting import fit
from .modules import MLP, Layer, Module, Neuron
from .optim import SGD
from .recurrent import RNNCell
from .residual import Residual, ResNet

__all__ = [
    "MLP", "SGD", "Activation", "BlockSets", "Conv1d", "Cost", "Layer", "Module", "Neuron",
    "RNNCell", "ResNet", "Residual", "block_set_gradients", "fit", "gradient_through",
]
