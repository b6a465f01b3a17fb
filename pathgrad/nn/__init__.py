"""Nets built from Values, micrograd's way (``from pathgrad.nn import Neuron, Layer, MLP``).

* :mod:`.modules`: ``Module``, ``Neuron``, ``Layer``, ``MLP`` with micrograd's signatures,
  the book's names and a conversion to and from :class:`pathgrad.Network`;
* :mod:`.residual`: residual blocks and ``ResNet``; :mod:`.block_paths`: the gradient
  through each set of a ResNet's blocks (Veit et al.'s measure, exactly);
  :mod:`.convolution`: a kernel shared by every neuron (``Conv1d``); :mod:`.recurrent`:
  ``RNNCell`` unrolled through time;
* :mod:`.optim`: ``SGD`` with momentum; :mod:`.fitting`: ``fit``, mini-batch training of an
  ``MLP`` or a ``ResNet`` through its graph;
* :mod:`.attention`: a causal ``AttentionHead`` (softmax as one node per probability) and
  ``MultiHeadAttention`` with ``W_O``; :mod:`.transformer`: ``Embedding``, ``MLPBlock``,
  ``Transformer`` and ``AttentionOnlyTransformer``, whose logits split into the direct path,
  one term per head and virtual heads (``path_terms``).

The book's own networks (Nielsen's arrays, the matrix engine, files and data) are one layer
down, in :mod:`pathgrad.book`; the activations and costs these modules share come from there.
"""

from ..book.activations import Activation
from ..book.losses import Cost
from .attention import AttentionHead, MultiHeadAttention, softmax
from .block_paths import BlockSets, block_set_gradients, gradient_through
from .convolution import Conv1d
from .fitting import fit
from .modules import MLP, Layer, Module, Neuron
from .optim import SGD
from .recurrent import RNNCell
from .residual import Residual, ResNet
from .transformer import AttentionOnlyTransformer, Embedding, MLPBlock, Transformer, TransformerRun

__all__ = [
    "MLP", "SGD", "Activation", "AttentionHead", "AttentionOnlyTransformer", "BlockSets",
    "Conv1d", "Cost", "Embedding", "Layer", "MLPBlock", "Module", "MultiHeadAttention", "Neuron",
    "RNNCell", "ResNet", "Residual", "Transformer", "TransformerRun", "block_set_gradients",
    "fit", "gradient_through", "softmax",
]
