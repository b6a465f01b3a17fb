"""pathgrad: backpropagation as a sum over paths.

Build a computation from :class:`Value` nodes; every edge stores its rate factor, the local
partial derivative of its head with respect to its tail. Then ``∂C/∂w`` is the sum, over every
path from ``w`` to ``C``, of the product of the rate factors along it (Nielsen, chapter 2,
equations 47-53). pathgrad computes that sum by a reverse sweep (backpropagation), a forward
sweep, enumeration of the paths, and finite differences (equation 46), and shows that they agree.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _installed_version

from .book import Network, NetworkGraph, data
from .drawing import (
    Explorer,
    Picture,
    draw,
    draw_forward_sweep,
    draw_reverse_sweep,
    explore,
    reverse_sweep_steps,
)
from .exchange import ModelGraph, from_onnx, to_onnx
from .gradcheck import CheckReport, check, numeric_grad, one_sided_grad, relative_error
from .graph import Edge, Graph, topological_order
from .nn import (
    MLP,
    SGD,
    Activation,
    BlockSets,
    Conv1d,
    Layer,
    Module,
    Neuron,
    Residual,
    ResNet,
    RNNCell,
    block_set_gradients,
    fit,
    gradient_through,
)
from .pathsums import (
    CostReport,
    EliminatedGraph,
    Path,
    PathLimitError,
    PathSample,
    PathStats,
    cost_report,
    count_paths,
    eliminate,
    path_numbers,
    path_stats,
    path_sum,
    paths,
    sample_paths,
    top_paths,
)
from .support.answers import Verdict, check_answer
from .support.errors import PathgradError, PathgradWarning
from .sweeps import Semiring, adjoints, forward_grad, forward_grads, grad
from .value import OPS, Op, Value

try:
    __version__ = _installed_version("pathgrad")  # written once, in pyproject.toml
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "unknown"

__all__ = [
    "MLP",
    "OPS",
    "ModelGraph",
    "SGD",
    "Activation",
    "BlockSets",
    "CheckReport",
    "Conv1d",
    "CostReport",
    "Edge",
    "EliminatedGraph",
    "Explorer",
    "Graph",
    "Layer",
    "Module",
    "Network",
    "NetworkGraph",
    "Neuron",
    "Op",
    "Path",
    "PathLimitError",
    "PathSample",
    "PathStats",
    "PathgradError",
    "PathgradWarning",
    "Picture",
    "RNNCell",
    "ResNet",
    "Residual",
    "Semiring",
    "Value",
    "Verdict",
    "adjoints",
    "block_set_gradients",
    "check",
    "check_answer",
    "count_paths",
    "cost_report",
    "data",
    "draw",
    "draw_forward_sweep",
    "draw_reverse_sweep",
    "eliminate",
    "explore",
    "fit",
    "forward_grad",
    "from_onnx",
    "forward_grads",
    "grad",
    "gradient_through",
    "numeric_grad",
    "one_sided_grad",
    "path_numbers",
    "path_sum",
    "path_stats",
    "paths",
    "relative_error",
    "reverse_sweep_steps",
    "sample_paths",
    "to_onnx",
    "topological_order",
    "top_paths",
]
