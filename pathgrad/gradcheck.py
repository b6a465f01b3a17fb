"""Finite differences (equation 46) and one table that sets every method side by side.

Equation 46 estimates ``∂C/∂w`` by nudging ``w`` up by ``ε`` and re-running the computation:
``(C(w + ε) - C(w)) / ε``. :func:`one_sided_grad` is that formula as written; its error is
of order ``ε`` (plus rounding noise of order ``1e-16 / ε``), so at best about 1e-8 relative.
:func:`numeric_grad`, used by the check table, re-runs the recorded graph
(:meth:`Graph.value_at`) on both sides, ``(C(w + h) - C(w - h)) / 2h``, and refines that
central difference by one Richardson step: accurate to about 1e-9 relative on smooth graphs,
at four evaluations instead of one more.

:func:`check` computes ``∂C/∂w`` four ways for each leaf (or named node): reverse sweep,
forward sweep, the sum over paths, and the central difference, and reports the largest
relative error ``|a - b| / max(|a|, |b|, tiny)`` between them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from .graph import Graph, as_graph, node_list
from .names import display_name
from .pathsums.enumeration import DEFAULT_LIMIT, count_paths, path_sum
from .support.arguments import real_number
from .support.errors import PathgradTypeError, PathgradValueError
from .support.tables import html_table, text_table
from .sweeps import adjoints, forward_grad
from .value import Value

TINY = 1e-30


def relative_error(a: float, b: float, tiny: float = TINY) -> float:
    """``|a - b| / max(|a|, |b|, tiny)``: 0 when equal, at most 2.

    Equation: none of its own; it is how :func:`check` compares the results of equations
    46, 47-50, 53 and BP1-BP4.

    >>> import pathgrad as pg
    >>> round(pg.relative_error(2.0, 2.002), 6), pg.relative_error(0.0, 0.0)
    (0.000999, 0.0)
    """
    return abs(a - b) / max(abs(a), abs(b), tiny)


def one_sided_grad(output: Value | Graph, wrt: Value, eps: float = 1e-6) -> float:
    """``∂C/∂wrt ≈ (C(w + ε) - C(w)) / ε``: equation 46 as the book writes it.

    Two evaluations of the graph; the error is about ``ε · ∂²C/∂w² / 2``.

    Equation 46 as written; here it is wrong in about the sixth digit.

    >>> import pathgrad as pg
    >>> w, x = pg.Value(0.5, name="w"), pg.Value(1.5, name="x")
    >>> round(pg.one_sided_grad((w * x - 1.0) ** 2, w), 5)
    -0.75
    """
    graph = as_graph(output)
    if not real_number(eps, "one_sided_grad: the step eps") > 0:
        raise PathgradValueError(f"one_sided_grad: the step eps must be positive, got {eps!r}")
    if not isinstance(wrt, Value):
        raise PathgradTypeError(f"one_sided_grad: expected a pathgrad Value, got {wrt!r:.60}")
    if wrt not in graph.index:
        return 0.0
    return (graph.value_at({wrt: wrt.data + eps}) - graph.value_at({})) / eps


def numeric_grad(output: Value | Graph, wrt: Value, h: float | None = None) -> float:
    """``∂C/∂wrt`` by a central difference with one Richardson step (equation 46, refined).

    ``wrt`` may be any node; an intermediate node is held at the nudged value while
    everything after it is recomputed. The step defaults to ``1e-4 * max(1, |wrt|)``;
    two step sizes are combined (Richardson) to cancel the leading error term.

    Equation 46, made central and refined: ``(C(w + h) - C(w - h)) / 2h`` at two step sizes,
    combined so that the error falls as ``h⁴``.

    >>> import pathgrad as pg
    >>> w, x = pg.Value(0.5, name="w"), pg.Value(1.5, name="x")
    >>> round(pg.numeric_grad((w * x - 1.0) ** 2, w), 9)     # 2(wx - 1)x
    -0.75
    """
    graph = as_graph(output)
    if graph.position(wrt, "numeric_grad(C, w)") is None:
        return 0.0
    x = wrt.data
    if h is not None:
        real_number(h, "numeric_grad: the step h", above=0.0)
    step = float(h) if h is not None else 1e-4 * max(1.0, abs(x))

    def central(s: float) -> float:
        return (graph.value_at({wrt: x + s}) - graph.value_at({wrt: x - s})) / (2 * s)

    return (4 * central(step / 2) - central(step)) / 3


@dataclass
class CheckRow:
    name: str
    value: float
    reverse: float
    forward: float
    path_sum: float | None
    numeric: float
    paths: int
    output: float = 1.0

    @property
    def exact_error(self) -> float:
        """Largest relative disagreement among the exact methods (reverse, forward, paths)."""
        errors = [relative_error(self.reverse, self.forward)]
        if self.path_sum is not None:
            errors.append(relative_error(self.reverse, self.path_sum))
        return max(errors)

    @property
    def numeric_error(self) -> float:
        """Relative error of finite differences, floored at the noise level they can resolve.

        A central difference cannot see a derivative smaller than the rounding noise of ``C``
        divided by the step, so errors are taken relative to at least ``1e-4 * max(1, |C|)``.
        """
        return relative_error(self.reverse, self.numeric, 1e-4 * max(1.0, abs(self.output)))


@dataclass(repr=False)
class CheckReport:
    """The agreement table. ``ok`` is the verdict; ``str()``, ``repr()`` and ``_repr_html_``
    show it.

    Equations 46, 47-50, 53 and BP1-BP4: each row holds the four numbers for one node.

    >>> import pathgrad as pg
    >>> w, x = pg.Value(0.5, name="w"), pg.Value(1.5, name="x")
    >>> row = pg.check((w * x - 1.0) ** 2, [w]).rows[0]
    >>> row.reverse, row.forward, row.path_sum, round(row.numeric, 9)
    (-0.75, -0.75, -0.75, -0.75)
    """

    rows: list[CheckRow]
    exact_tol: float = 1e-10
    numeric_tol: float = 1e-6

    columns = (
        "node", "value", "reverse", "forward", "path sum", "central diff.", "paths",
        "rel err exact", "rel err central",
    )

    @property
    def max_exact_error(self) -> float:
        return max((row.exact_error for row in self.rows), default=0.0)

    @property
    def max_numeric_error(self) -> float:
        return max((row.numeric_error for row in self.rows), default=0.0)

    @property
    def ok(self) -> bool:
        return self.max_exact_error <= self.exact_tol and self.max_numeric_error <= self.numeric_tol

    @property
    def verdict(self) -> str:
        word = "PASS" if self.ok else "FAIL"
        return (
            f"{word}: reverse, forward and path sum agree to {self.max_exact_error:.1e} "
            f"(tolerance {self.exact_tol:.0e}); the central difference to "
            f"{self.max_numeric_error:.1e} (tolerance {self.numeric_tol:.0e})"
        )

    def cells(self) -> list[list[str]]:
        out = []
        for r in self.rows:
            out.append([
                r.name, f"{r.value:.6g}", f"{r.reverse:.10g}", f"{r.forward:.10g}",
                "too many" if r.path_sum is None else f"{r.path_sum:.10g}",
                f"{r.numeric:.10g}", f"{r.paths:,}", f"{r.exact_error:.1e}",
                f"{r.numeric_error:.1e}",
            ])
        return out

    def __str__(self) -> str:
        return text_table(self.columns, self.cells()) + "\n" + self.verdict

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "green" if self.ok else "red"
        verdict = f"<p style='color:{colour}'>{html.escape(self.verdict)}</p>"
        return html_table(self.columns, self.cells()) + verdict


def check(
    output: Value | Graph,
    wrt: Sequence[Value] | Value | None = None,
    limit: int | None = DEFAULT_LIMIT,
    exact_tol: float = 1e-10,
    numeric_tol: float = 1e-6,
    max_work: int = 50_000_000,
) -> CheckReport:
    """Compare reverse sweep, forward sweep, path sum and a central difference (46, refined).

    Rows are for ``wrt``, or by default every leaf of the graph plus every other named node.
    The path sum is skipped (shown as "too many") for a node with more than ``limit`` paths.
    Each row re-runs the graph four times (equation 46 with a Richardson step) and sweeps it
    once more; when rows × edges would pass ``max_work`` the check refuses before starting.

    Equations 46 (a central difference, refined), 47-50 (the forward sweep), 53 (the path sum)
    and BP1-BP4 (the reverse sweep): four ways to one number.

    >>> import pathgrad as pg
    >>> w, x = pg.Value(0.5, name="w"), pg.Value(1.5, name="x")
    >>> report = pg.check((w * x - 1.0) ** 2)
    >>> report.ok, [row.name for row in report.rows]
    (True, ['w', 'x'])
    """
    graph = as_graph(output)
    nodes = node_list(wrt) if wrt is not None else _default_rows(graph)
    for node in nodes:
        graph.position(node, "check(C, wrt=[w, ...])", strict=True)
    work = 5 * len(nodes) * max(graph.edge_count, 1)
    if work > max_work:
        raise PathgradValueError(
            f"check would re-run this graph of {graph.edge_count:,} edges for each of "
            f"{len(nodes):,} nodes (about {work:,} edge visits, more than max_work={max_work:,}); "
            "pass wrt=[a few nodes] to check those, or raise max_work"
        )
    adj = adjoints(graph)
    rows = []
    for node in nodes:
        count = count_paths(node, graph)
        rows.append(CheckRow(
            name=display_name(node),
            value=node.data,
            reverse=adj[graph.index[node]],
            forward=forward_grad(graph, node),
            path_sum=path_sum(node, graph, limit=None) if limit is None or count <= limit else None,
            numeric=numeric_grad(graph, node),
            paths=count,
            output=graph.output.data,
        ))
    return CheckReport(rows, exact_tol=exact_tol, numeric_tol=numeric_tol)


def _default_rows(graph: Graph) -> list[Value]:
    return [
        node for node in graph.nodes
        if (node.op is None or node.name is not None) and node is not graph.output
    ]
