"""What each way of getting a gradient costs, counted as it runs and timed.

The chapter asks in what sense backpropagation is fast. Finite differences (equation 46) need
the cost once at the current weights and once more per weight: with a million weights, a
million and one passes through the network. Backpropagation needs one pass forward and one
back: about two. :func:`cost_report` runs the ways side by side on the graph at hand and
counts the work each one really does:

* one evaluation of the graph (a forward pass): the edges it reads, one per operand of every
  node it recomputes (:attr:`Graph.edges_read`), counted as one multiply-add each;
* finite differences: equation 46 run for real, ``C(w)`` once and ``C(w + ε e_j)`` for each
  parameter; the count is the edges those evaluations read (:attr:`Graph.evaluations` of them);
* forward sweeps: one per parameter, each over a :func:`~pathgrad.sweeps.counted` sum-product
  semiring that counts its multiplications and additions as it performs them;
* listing the paths: one multiplication per edge of every path and one addition per path,
  counted by a dynamic programme over the paths (listing 10^20 paths to count them would never
  end), the listing itself run and timed where it is small enough;
* vertex elimination: the ``c_kj · c_ji`` products :func:`~pathgrad.pathsums.elimination.
  eliminate` performs, in the forward, reverse and Markowitz orders;
* the reverse sweep (backpropagation): one counted sum-product sweep from ``C``.

Every method but finite differences needs the graph evaluated once (its rate factors), and
that evaluation is counted on top of its own work. "passes" is the multiplication count over
the edges of the graph: the number of forward passes the work is worth. Where running a
method for every parameter would pass a budget of edge visits, it runs for a sample of
:data:`SAMPLE` parameters and the counts and times are scaled up; the row says so.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..graph import Graph, as_graph, node_list
from ..support.arguments import one_of
from ..support.errors import PathgradKeyError, PathgradTypeError
from ..support.tables import html_table, text_table
from ..support.timing import median_time
from ..sweeps import SUM_PRODUCT, adjoints, counted, forward_grad, sweep_backward, sweep_forward
from ..value import Value
from .elimination import EliminationBudgetError, eliminate
from .enumeration import path_sum
from .semirings import COUNT_AND_LENGTH

SAMPLE = 12  # parameters run when running them all would pass the budget
RUN_BUDGET = 20_000_000  # edge visits allowed to run a method for every parameter
ENUMERATION_BUDGET = 50_000  # path edges listed to time enumeration
ELIMINATION_BUDGET = 3_000_000  # multiplications an elimination order may spend


def _bound(row: CostRow) -> str:
    if row.stopped:
        return " (at least)"
    return "" if row.exact else " (scaled)"


@dataclass
class CostRow:
    """One way of getting ``∂C/∂w`` for every parameter, with its counts and time."""

    method: str
    multiplications: int
    additions: int
    seconds: float
    timing: str
    exact: bool = True  # False: counted on a sample of the parameters and scaled up
    stopped: bool = False  # the count is a lower bound: the work was stopped at a budget

    def passes(self, edges: int) -> float:
        return self.multiplications / edges if edges else 0.0


@dataclass
class CostReport:
    """The cost table; ``str()`` gives plain text and ``_repr_html_`` an HTML table.

    Equation 46 against BP1-BP4: ``rows`` has one :class:`CostRow` per way of computing the
    gradient, with the multiplications and additions it did.

    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> g = net.graph([[0.5], [-0.3]], [[1.0], [0.0]])       # one example (x, y)
    >>> report = pg.cost_report(g, [g.w(2, 1, 2)])
    >>> [row.method for row in report.rows][0], report.parameters
    ('finite differences (46)', 1)
    """

    nodes: int
    edges: int
    parameters: int
    rows: list[CostRow]

    columns = ("method", "passes", "multiplications", "additions", "seconds", "timing")

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
        methods = {row.method.split(" (")[0] for row in self.rows}
        if not {"finite differences", "reverse sweep"} <= methods:
            return ""
        fd = self.row("finite differences")
        rev = self.row("reverse sweep")
        ratio = fd.multiplications / rev.multiplications if rev.multiplications else 0.0
        return (
            f"{self.parameters:,} parameters: finite differences need "
            f"{fd.passes(self.edges):,.0f} forward passes, backpropagation "
            f"{rev.passes(self.edges):.0f} (one forward, one back): {ratio:,.0f} times fewer "
            "multiplications. With a million parameters it would be a million and one passes "
            "against two."
        )

    def header(self) -> str:
        return (
            f"Cost of ∂C/∂w for {self.parameters:,} parameters of a graph with {self.nodes:,} "
            f"nodes and {self.edges:,} edges (one pass = {self.edges:,} multiply-adds)"
        )

    def __str__(self) -> str:
        table = text_table(self.columns, self.cells(), left=(0, 5))
        return "\n".join(line for line in (self.header(), table, self.summary) if line)

    def _repr_html_(self) -> str:
        esc = html.escape
        table = html_table(self.columns, self.cells())
        return f"<p>{esc(self.header())}</p>{table}<p>{esc(self.summary)}</p>"


def _sample(params: Sequence[Value]) -> list[Value]:
    if len(params) <= SAMPLE:
        return list(params)
    step = len(params) / SAMPLE
    return [params[int(i * step)] for i in range(SAMPLE)]


def _chosen(params: Sequence[Value], most_work: int) -> tuple[list[Value], str]:
    """Every parameter when ``most_work`` edge visits fit the budget, else a sample."""
    if most_work <= RUN_BUDGET:
        return list(params), "measured"
    chosen = _sample(params)
    return chosen, f"{len(chosen)} of {len(params):,} run, scaled"


def _one_evaluation(graph: Graph) -> tuple[int, float]:
    """The edges one evaluation of the graph reads (counted) and its median time."""
    before = graph.edges_read
    graph.value_at({})
    read = graph.edges_read - before
    return read, median_time(lambda: graph.value_at({}), repeat=3, warmup=0)


def finite_differences_row(graph: Graph, params: Sequence[Value], eps: float = 1e-6) -> CostRow:
    """Equation 46 for every parameter: ``C(w)`` once, then ``C(w + ε e_j)`` for each ``w_j``.

    The count is the edges those evaluations read, as :class:`Graph` counts them.
    """
    chosen, timing = _chosen(params, (len(params) + 1) * graph.edge_count)
    before = graph.edges_read
    start = time.perf_counter()
    graph.value_at({})
    base_seconds = time.perf_counter() - start
    base = graph.edges_read - before
    start = time.perf_counter()
    for w in chosen:
        graph.value_at({w: w.data + eps})
    seconds = time.perf_counter() - start
    nudged = graph.edges_read - before - base
    scale = len(params) / len(chosen) if chosen else 0.0
    count = base + round(nudged * scale)
    return CostRow("finite differences (46)", count, count, base_seconds + seconds * scale,
                   timing, exact=len(chosen) == len(params))


def forward_sweeps_row(graph: Graph, params: Sequence[Value], evaluation: int,
                       t_eval: float) -> CostRow:
    """One forward sweep per parameter, over a counting sum-product semiring."""
    chosen, timing = _chosen(params, len(params) * graph.edge_count)
    counting, tally = counted(SUM_PRODUCT)
    for w in chosen:
        sweep_forward(graph, w, counting)
    start = time.perf_counter()
    for w in chosen:
        forward_grad(graph, w)
    seconds = time.perf_counter() - start
    scale = len(params) / len(chosen) if chosen else 0.0
    return CostRow(
        f"forward sweeps ({len(params):,})", evaluation + round(tally.extends * scale),
        evaluation + round(tally.pluses * scale), t_eval + seconds * scale, timing,
        exact=len(chosen) == len(params),
    )


def reverse_sweep_row(graph: Graph, evaluation: int, t_eval: float) -> CostRow:
    """One reverse sweep from ``C`` over a counting sum-product semiring: every ``∂C/∂w``."""
    counting, tally = counted(SUM_PRODUCT)
    sweep_backward(graph, counting)
    t_rev = median_time(lambda: adjoints(graph), repeat=3, warmup=0)
    return CostRow("reverse sweep (backprop)", evaluation + tally.extends,
                   evaluation + tally.pluses, t_eval + t_rev, "measured")


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


METHODS = ("finite differences", "forward sweeps", "list every path", "eliminate",
           "reverse sweep")


def cost_report(
    output: Value | Graph,
    wrt: Sequence[Value] | Value | None = None,
    methods: Sequence[str] = METHODS,
) -> CostReport:
    """Run, count and time every way of getting ``∂C/∂w`` for each ``w`` in ``wrt``.

    ``wrt`` defaults to every leaf of the graph; ``methods`` picks rows from :data:`METHODS`.
    See the module docstring for what is counted.

    Equation 46 (one extra pass per parameter) against BP1-BP4 (one reverse pass for all):
    the work of each way, counted as it is done.

    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> g = net.graph([[0.5], [-0.3]], [[1.0], [0.0]])       # one example (x, y)
    >>> report = pg.cost_report(g)         # its 19 weights and biases
    >>> work = {row.method: row.multiplications for row in report.rows}
    >>> work["finite differences (46)"], work["reverse sweep (backprop)"]   # 20 passes against 2
    (620, 62)
    """
    graph = as_graph(output)
    params = list(graph.leaves) if wrt is None else node_list(wrt)
    for w in params:
        if not isinstance(w, Value):
            raise PathgradTypeError(f"cost_report: wrt must hold Values, got {w!r}")
        graph.position(w, "cost_report(C, wrt=[w, ...])", strict=True)
    chosen = [one_of(method, "cost_report: each of methods", METHODS) for method in methods]
    evaluation, t_eval = _one_evaluation(graph)
    rows = []
    if "finite differences" in chosen:
        rows.append(finite_differences_row(graph, params))
    if "forward sweeps" in chosen:
        rows.append(forward_sweeps_row(graph, params, evaluation, t_eval))
    if "list every path" in chosen:
        rows.append(_enumeration_row(graph, params, evaluation, t_eval))
    if "eliminate" in chosen:
        rows.extend(_elimination_rows(graph, params, evaluation, t_eval))
    if "reverse sweep" in chosen:
        rows.append(reverse_sweep_row(graph, evaluation, t_eval))
    return CostReport(nodes=len(graph), edges=graph.edge_count, parameters=len(params), rows=rows)


def _elimination_rows(graph: Graph, params: Sequence[Value], evaluation: int,
                      t_eval: float) -> list[CostRow]:
    keep = [w for w in params if w.parents]
    budget = max(ELIMINATION_BUDGET, 4 * graph.edge_count)
    rows = []
    for order in ("forward", "markowitz", "reverse"):
        start = time.perf_counter()
        try:
            result = eliminate(graph, order, keep=keep, max_multiplications=budget)
        except EliminationBudgetError as stopped:
            seconds = time.perf_counter() - start
            rows.append(CostRow(f"eliminate, {order} order", evaluation + stopped.spent,
                                evaluation, t_eval + seconds, "stopped at the budget",
                                stopped=True))
            continue
        seconds = time.perf_counter() - start
        rows.append(CostRow(f"eliminate, {order} order", evaluation + result.multiplications,
                            evaluation + result.additions, t_eval + seconds, "measured"))
    return rows
