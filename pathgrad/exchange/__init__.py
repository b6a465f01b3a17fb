"""Models from elsewhere, and back: ONNX models read as rate-factor graphs, nets written out.

``pg.from_onnx(model, inputs)`` opens any small ONNX model (PyTorch's, scikit-learn's,
Keras's exports) as the graph of one example, every weight a node with paths
(:mod:`.importer`); ``pg.to_onnx(net)`` writes a Network, an MLP or a ResNet as an ONNX
model (:mod:`.exporter`). Modules: :mod:`.model_files` (reading and checking files),
:mod:`.planning` (the nodes an output needs), :mod:`.shape_count` (the size, counted before
building), :mod:`.operators` (the catalogue: :mod:`.elementwise`, :mod:`.reshaping`,
:mod:`.contractions`, :mod:`.reductions`, on the scalar operations of :mod:`.scalar_ops` and
the tensors of :mod:`.steps`), :mod:`.dense_layers` (the book's names). The ``onnx`` package
is optional (:mod:`.optional_onnx`): ``pip install 'pathgrad[onnx]'``.
"""

from .exporter import to_onnx
from .importer import ModelGraph, from_onnx
from .model_files import read_model
from .operators import SUPPORTED, UnsupportedOperatorError
from .shape_count import ModelSize
from .steps import ModelError

__all__ = [
    "SUPPORTED",
    "ModelError",
    "ModelGraph",
    "ModelSize",
    "UnsupportedOperatorError",
    "from_onnx",
    "read_model",
    "to_onnx",
]
