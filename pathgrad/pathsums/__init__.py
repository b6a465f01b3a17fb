"""Every question about the paths from a node to the output, and what each answer costs.

Equation 53 is a sum over paths. This package answers it, and the questions around it:

* :mod:`.enumeration`: the paths one by one (exponential, so guarded by an exact count);
* :mod:`.semirings`: the catalogue of semirings the sweeps of :mod:`pathgrad.sweeps` run over
  (count, absolute mass, largest path, split by length);
* :mod:`.statistics`: count, sum, mass, cancellation and length histogram in one sweep;
* :mod:`.ranking`: the ``k`` largest paths by a k-best dynamic programme;
* :mod:`.sampling`: random paths and a Monte Carlo estimate of ``∂C/∂w``;
* :mod:`.elimination`: vertex elimination, of which backpropagation is one order;
* :mod:`.complexity`: what each way of getting the gradient costs, counted and timed.
"""

from .complexity import CostReport, cost_report
from .elimination import EliminatedGraph, EliminationBudgetError, eliminate
from .enumeration import Path, PathLimitError, count_paths, path_numbers, path_sum, paths
from .ranking import top_paths
from .sampling import PathSample, sample_paths
from .statistics import PathStats, path_stats

__all__ = [
    "CostReport",
    "EliminatedGraph",
    "EliminationBudgetError",
    "Path",
    "PathLimitError",
    "PathSample",
    "PathStats",
    "count_paths",
    "cost_report",
    "eliminate",
    "path_numbers",
    "path_stats",
    "path_sum",
    "paths",
    "sample_paths",
    "top_paths",
]
