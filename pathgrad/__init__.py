"""pathgrad: backpropagation as a sum over paths.

Build a computation from :class:`Value` nodes; every edge stores its rate factor, the local
partial derivative of its head with respect to its tail. Then ``∂C/∂w`` is the sum, over every
path from ``w`` to ``C``, of the product of the rate factors along it (Nielsen, chapter 2,
equations 47-53). pathgrad computes that sum by a reverse sweep (backpropagation), a forward
sweep, enumeration of the paths, and finite differences (equation 46), and shows that they agree.
"""

from . import data
from .activations import Activation
from .check import CheckReport, check, numeric_grad, relative_error
from .cost import CostReport, cost_report
from .draw import Picture, draw, draw_forward_sweep, draw_reverse_sweep, reverse_sweep_steps
from .eliminate import EliminatedGraph, eliminate
from .graph import Edge, Graph, topological_order
from .network import Network, NetworkGraph
from .paths import Path, PathLimitError, count_paths, path_sum, paths
from .pathstats import PathSample, PathStats, path_stats, sample_paths, top_paths
from .sweeps import adjoints, forward_grad, forward_grads, grad
from .value import OPS, Op, Value

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "Activation",
    "CheckReport",
    "CostReport",
    "Edge",
    "EliminatedGraph",
    "Graph",
    "Network",
    "NetworkGraph",
    "Op",
    "Path",
    "PathLimitError",
    "PathSample",
    "PathStats",
    "Picture",
    "Value",
    "adjoints",
    "check",
    "count_paths",
    "cost_report",
    "data",
    "draw",
    "draw_forward_sweep",
    "draw_reverse_sweep",
    "eliminate",
    "forward_grad",
    "forward_grads",
    "grad",
    "numeric_grad",
    "path_sum",
    "path_stats",
    "paths",
    "relative_error",
    "reverse_sweep_steps",
    "sample_paths",
    "topological_order",
    "top_paths",
]
