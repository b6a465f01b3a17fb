"""What each way of getting a gradient costs, counted exactly and timed.

The chapter asks in what sense backpropagation is fast. Finite differences (equation 46) need
the cost once at the current weights and once more per weight: with a million weights, a
million and one passes through the network. Backpropagation needs one pass forward and one
back: about two. :func:`cost_report` sets the ways side by side for the graph at hand.

The unit is the multiply-add on a graph edge. Evaluating the graph once (one forward pass) is
counted as one multiplication and one addition per edge, ``E`` of each; every method needs the
graph evaluated once, and its own work is counted on top:

* finite differences: ``P`` more evaluations, one per parameter (equation 46);
* forward sweeps: one per parameter, one multiply-add per edge the sweep reaches;
* listing the paths: one multiplication per edge of every path (Σ path lengths, counted by
  dynamic programming, never by listing) and one addition per path;
* vertex elimination: the ``c_kj · c_ji`` products of
  :func:`~pathgrad.pathsums.elimination.eliminate`, in the forward, reverse and Markowitz orders;
* the reverse sweep (backpropagation): one multiply-add per edge, for every parameter at once.

"passes" is the multiplication count over ``E``: the number of forward passes the work is
worth. Times are medians in this process; where timing every parameter would take too long a
sample of them is timed and scaled up, and the row says so.
"""

from __future__ import annotations

import html
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from ..errors import PathgradKeyError, PathgradTypeError
from ..graph import Graph, as_graph
from ..sweeps import adjoints, forward_grad, sweep_backward
from ..tables import html_table, text_table
from ..timing import median_time
from ..value import Value
from .elimination import EliminationBudgetError, eliminate
from .enumeration import path_sum
from .semirings import COUNT_AND_LENGTH

SAMPLE = 12  # parameters timed when there are too many to time them all
REACH_BUDGET = 20_000_000  # edge visits allowed to count the forward sweeps exactly
ENUMERATION_BUDGET = 50_000  # path edges listed to time enumeration
ELIMINATION_BUDGET = 3_000_000  # multiplications an elimination order may spend


def _bound(row: CostRow) -> str:
    if row.stopped:
        return " (at least)"
    return "" if row.exact else " (at most)"


@dataclass
class CostRow:
    """One way of getting ``∂C/∂w`` for every parameter, with its counts and time."""

    method: str
    multiplications: int
    additions: int
    seconds: float
    timing: str
    exact: bool = True
    stopped: bool = False  # the count is a lower bound: the work was stopped at a budget

    def passes(self, edges: int) -> float:
        return self.multiplications / edges if edges else 0.0


@dataclass
class CostReport:
    """The cost table; ``str()`` gives plain text and ``_repr_html_`` an HTML table."""

    nodes: int
    edges: int
    parameters: int
    rows: list[CostRow]

    @property
    def columns(self) -> tuple[str, ...]:
        return ("method", "passes", "multiplications", "additions", "seconds", "timing")

    def row(self, method: str) -> CostRow:
        for row in self.rows:
            if row.method.startswith(method):
                return row
        raise PathgradKeyError(f"no row {method!r}; rows: {', '.join(r.method for r in self.rows)}")

    def cells(self) -> list[list[str]]:
        return [
            [
                r.method,
                f"{r.passes(self.edges):,.1f}",
                f"{r.multiplications:,}" + _bound(r),
                f"{r.additions:,}",
                f"{r.seconds:.3g}",
                r.timing,
            ]
            for r in self.rows
        ]

    @property
    def summary(self) -> str:
        fd = self.row("finite differences")
        rev = self.row("reverse sweep")
        ratio = fd.multiplications / rev.multiplications if rev.multiplications else 0.0
        return (
            f"{self.parameters:,} parameters: finite differences need {self.parameters + 1:,} "
            f"forward passes, backpropagation {rev.passes(self.edges):.0f} (one forward, one "
            f"back): {ratio:,.0f} times fewer multiplications. With a million parameters it "
            "would be a million and one passes against two."
        )

    def header(self) -> str:
        return (
            f"Cost of ∂C/∂w for {self.parameters:,} parameters of a graph with {self.nodes:,} "
            f"nodes and {self.edges:,} edges (one pass = {self.edges:,} multiply-adds)"
        )

    def __str__(self) -> str:
        table = text_table(self.columns, self.cells(), left=(0, 5))
        return "\n".join([self.header(), table, self.summary])

    def _repr_html_(self) -> str:
        esc = html.escape
        table = html_table(self.columns, self.cells())
        return f"<p>{esc(self.header())}</p>{table}<p>{esc(self.summary)}</p>"


def _median_seconds(fn: Callable[[], object], repeat: int = 3) -> float:
    return median_time(fn, repeat=repeat, warmup=0)


def _sample(params: Sequence[Value]) -> list[Value]:
    if len(params) <= SAMPLE:
        return list(params)
    step = len(params) / SAMPLE
    return [params[int(i * step)] for i in range(SAMPLE)]


def _scaled_time(fn: Callable[[Value], object], params: Sequence[Value]) -> tuple[float, str]:
    """Total time of ``fn(w)`` over all parameters, timing at most :data:`SAMPLE` of them."""
    chosen = _sample(params)
    if not chosen:
        return 0.0, "measured"
    per = [_median_seconds(partial(fn, w), repeat=1) for w in chosen]
    total = statistics.fmean(per) * len(params)
    if len(chosen) == len(params):
        return total, "measured"
    return total, f"{len(chosen)} of {len(params):,} timed, scaled"


def _reached_edges(graph: Graph, params: Sequence[Value]) -> tuple[int, bool]:
    """Σ over parameters of the edges a forward sweep from it multiplies (exact), or, past
    :data:`REACH_BUDGET` edge visits, the upper bound ``P · E`` (second item False)."""
    children = graph.children_lists()
    total = 0
    for w in params:
        total += sum(len(children[i]) for i in graph.reached_from(graph.index[w]))
        if total > REACH_BUDGET:
            return len(params) * graph.edge_count, False
    return total, True


def _path_lengths(graph: Graph) -> tuple[list[int], list[int]]:
    """For every node, the number of paths to the output and the sum of their lengths.

    One reverse sweep over the semiring ``(count, Σ length)``: exact Python integers.
    """
    pairs = sweep_backward(graph, COUNT_AND_LENGTH)
    counts = [0 if p is None else p[0] for p in pairs]
    lengths = [0 if p is None else p[1] for p in pairs]
    return counts, lengths


def _enumeration_row(graph: Graph, params: Sequence[Value], e: int, t_eval: float) -> CostRow:
    count, length = _path_lengths(graph)
    index = graph.index
    positions = [index[w] for w in params]
    total_length = sum(length[i] for i in positions)
    total_paths = sum(count[i] for i in positions)
    # Time the cheapest parameters up to a budget of path edges, then scale by Σ lengths.
    listed, seconds, timed = 0, 0.0, 0
    for i in sorted(positions, key=lambda i: length[i]):
        if listed + length[i] > ENUMERATION_BUDGET and timed:
            break
        if length[i] > ENUMERATION_BUDGET * 10:
            break
        start = time.perf_counter()
        path_sum(graph.nodes[i], graph, limit=None)
        seconds += time.perf_counter() - start
        listed += length[i]
        timed += 1
    if timed == len(positions):
        timing = "measured"
    elif listed:
        seconds *= total_length / listed
        timing = f"{timed} of {len(positions):,} listed, scaled by Σ lengths"
    else:
        seconds, timing = float("inf"), "too many paths to time"
    return CostRow(
        f"list every path ({total_paths:,} paths)", e + total_length, e + total_paths,
        t_eval + seconds, timing,
    )


def cost_report(output: Value | Graph, wrt: Sequence[Value] | None = None) -> CostReport:
    """Count and time every way of getting ``∂C/∂w`` for each ``w`` in ``wrt``.

    ``wrt`` defaults to every leaf of the graph. See the module docstring for the unit.
    """
    graph = as_graph(output)
    params = list(graph.leaves) if wrt is None else list(wrt)
    for w in params:
        if not isinstance(w, Value):
            raise PathgradTypeError(f"cost_report: wrt must hold Values, got {w!r}")
        graph.position(w, "cost_report(C, wrt=[w, ...])", strict=True)
    e = graph.edge_count
    p = len(params)
    t_eval = _median_seconds(lambda: graph.value_at({}))
    rows = []

    def nudged(w: Value) -> float:
        return graph.value_at({w: w.data + 1e-6})

    t_fd, timing = _scaled_time(nudged, params)
    rows.append(CostRow("finite differences (46)", (p + 1) * e, (p + 1) * e, t_eval + t_fd,
                        timing))

    reached, exact = _reached_edges(graph, params)
    t_fwd, timing = _scaled_time(lambda w: forward_grad(graph, w), params)
    rows.append(CostRow(f"forward sweeps ({p:,})", e + reached, e + reached, t_eval + t_fwd,
                        timing, exact))

    rows.append(_enumeration_row(graph, params, e, t_eval))

    keep = [w for w in params if w.parents]
    budget = max(ELIMINATION_BUDGET, 4 * e)
    for order in ("forward", "markowitz", "reverse"):
        start = time.perf_counter()
        try:
            result = eliminate(graph, order, keep=keep, max_multiplications=budget)
        except EliminationBudgetError as stopped:
            seconds = time.perf_counter() - start
            rows.append(CostRow(f"eliminate, {order} order", e + stopped.spent, e,
                                t_eval + seconds, "stopped at the budget", stopped=True))
            continue
        seconds = time.perf_counter() - start
        rows.append(CostRow(f"eliminate, {order} order", e + result.multiplications,
                            e + result.additions, t_eval + seconds, "measured"))

    t_rev = _median_seconds(lambda: adjoints(graph))
    rows.append(CostRow("reverse sweep (backprop)", 2 * e, 2 * e, t_eval + t_rev, "measured"))
    return CostReport(nodes=len(graph), edges=e, parameters=p, rows=rows)
