"""Questions about all the paths from ``w`` to ``C``, answered without listing them.

Equation 53 writes ``∂C/∂w`` as a sum over paths, and there may be 10^20 of them. Every
figure here comes from a sweep in topological order that does a bounded amount of work per
edge, so it costs about what one backpropagation costs, however many paths there are:

* :func:`path_stats`: how many paths, their signed sum (``∂C/∂w``), their absolute mass
  ``Σ|product|``, how much cancels, the largest single path, and the gradient split by path
  length. One forward sweep over a product of semirings (see :mod:`pathgrad.semiring`).
* :func:`top_paths`: the ``k`` paths with the largest ``|product|`` (or the most positive, or
  the most negative products), by a k-best dynamic programme.
* :func:`sample_paths`: walks from ``w`` to ``C`` chosen at random, weighted so that their
  average is an unbiased estimate of ``∂C/∂w`` (Monte Carlo, with a standard error).
"""

from __future__ import annotations

import bisect
import heapq
import html
import math
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from .graph import Graph, as_graph
from .paths import Path
from .semiring import Semiring, sweep_values
from .value import Value


def _stats_extend(by_length: dict, rate: float) -> dict:
    size = abs(rate)
    return {length + 1: (n, s * rate, m * size) for length, (n, s, m) in by_length.items()}


def _stats_plus(a: dict, b: dict) -> dict:
    merged = dict(a)
    for length, (n, s, m) in b.items():
        old = merged.get(length)
        merged[length] = (n, s, m) if old is None else (old[0] + n, old[1] + s, old[2] + m)
    return merged


# graded(product(COUNT, SUM_PRODUCT, ABS_MASS)) written out by hand: the same values (the
# tests check both against brute force), three times faster.
_STATS = Semiring("graded count × sum-product × absolute mass", {0: (1, 1.0, 1.0)},
                  _stats_extend, _stats_plus)
RANKINGS = ("abs", "positive", "negative")
PROPOSALS = ("mass", "uniform")


def _graph_and_start(source: Value, output: Value | Graph, who: str) -> tuple[Graph, bool]:
    if not isinstance(source, Value):
        raise TypeError(f"{who}: expected a Value as the start of the paths, got {source!r}")
    graph = as_graph(output)
    return graph, source in graph.index


def _require_whole(value: object, least: int, message: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{message}, got {value!r}")


# ---------------------------------------------------------------------------------------------
# Statistics


class LengthBin(NamedTuple):
    """The paths of one length: how many, their signed sum and their absolute mass."""

    length: int
    count: int
    gradient: float
    abs_mass: float


@dataclass
class PathStats:
    """Figures about every path from ``source`` to the output, each found by dynamic programming.

    ``gradient`` is ``∂C/∂source`` (equation 53); ``cancellation`` is
    ``|gradient| / abs_mass``: 1 when every path pushes the same way, near 0 when large
    contributions cancel. It is None when there is no path of non-zero product.
    """

    source: Value
    count: int
    gradient: float
    abs_mass: float
    largest: Path | None
    by_length: list[LengthBin] = field(default_factory=list)

    @property
    def cancellation(self) -> float | None:
        if self.abs_mass == 0:
            return None
        return abs(self.gradient) / self.abs_mass

    def rows(self) -> list[tuple[str, str]]:
        ratio = self.cancellation
        largest = self.largest
        return [
            ("paths", f"{self.count:,}"),
            ("∂C/∂w = Σ products (53)", f"{self.gradient:.10g}"),
            ("Σ |products|", f"{self.abs_mass:.10g}"),
            ("|∂C/∂w| / Σ |products|", "n/a" if ratio is None else f"{ratio:.4g}"),
            ("largest single product", "n/a" if largest is None else f"{largest.product:.6g}"),
            ("longest path", str(max((b.length for b in self.by_length), default=0))),
        ]

    def length_rows(self) -> list[tuple[str, ...]]:
        return [
            (str(b.length), f"{b.count:,}", f"{b.gradient:.6g}", f"{b.abs_mass:.6g}")
            for b in self.by_length
        ]

    def __str__(self) -> str:
        width = max(len(name) for name, _ in self.rows())
        lines = [f"Paths from {self.source.label} to the output"]
        lines += [f"  {name.ljust(width)}  {value}" for name, value in self.rows()]
        if self.largest is not None:
            lines.append(f"  largest path: {self.largest}")
        lines.append("  by length:  length        paths      Σ products    Σ |products|")
        for row in self.length_rows():
            lines.append("             " + "  ".join(
                cell.rjust(w) for cell, w in zip(row, (6, 12, 14, 15), strict=True)
            ))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<tr><th>{esc(n)}</th><td>{esc(v)}</td></tr>" for n, v in self.rows())
        bins = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
            for row in self.length_rows()
        )
        largest = "" if self.largest is None else f"<p>largest path: {esc(str(self.largest))}</p>"
        return (
            f"<p>Paths from {esc(self.source.label)} to the output</p><table>{head}</table>"
            f"{largest}<table><tr><th>length</th><th>paths</th><th>Σ products</th>"
            f"<th>Σ |products|</th></tr>{bins}</table>"
        )


def path_stats(source: Value, output: Value | Graph) -> PathStats:
    """Count, sum, absolute mass, largest path and length histogram of the paths source → C.

    One forward sweep over the semiring ``graded(count × sum-product × abs mass)``: each node
    holds, for each path length, how many paths reach it from ``source``, the sum of their
    products and the sum of their absolute products. Exact integer counts, float sums.
    """
    graph, present = _graph_and_start(source, output, "path_stats")
    if not present:
        return PathStats(source, 0, 0.0, 0.0, None, [])
    by_length = sweep_values(graph, source, _STATS).get(graph.output, {})
    bins = [LengthBin(length, *by_length[length]) for length in sorted(by_length)]
    gradient = math.fsum(b.gradient for b in bins)
    mass = math.fsum(b.abs_mass for b in bins)
    if not (math.isfinite(gradient) and math.isfinite(mass)):
        raise ValueError(
            f"path_stats({source.label}): the sum over paths overflowed the float range "
            f"(absolute mass {mass!r}); the path count is still exact: use count_paths"
        )
    top = top_paths(source, graph, k=1)
    return PathStats(
        source=source,
        count=sum(b.count for b in bins),
        gradient=gradient,
        abs_mass=mass,
        largest=top[0] if top else None,
        by_length=bins,
    )


# ---------------------------------------------------------------------------------------------
# Top-k paths
#
# A partial path is ranked by its |product| held as a scaled float (mantissa in [0.5, 1) and a
# binary exponent kept apart): it never underflows however long the path, and it rounds
# exactly as the plain float product would, so the ranking matches brute force bit for bit.
# Ties are broken by the slot of the last edge among its head's parents, then by the rank of
# the prefix at its own node: a total order that extending a path by one edge preserves,
# which is what makes keeping only k prefixes per node exact.
#
# An entry is (-exponent, -mantissa, slot, rank of prefix in its list, class of that list).


def _extend_entries(node: Value, lists: dict, cls: int, signed: bool, k: int) -> list[tuple]:
    candidates = []
    append = candidates.append
    get = lists.get
    slot = -1
    for parent, rate in zip(node.parents, node.rates, strict=True):
        slot += 1
        held = get(parent)
        if held is None or rate == 0.0:
            continue
        source_cls = (cls if rate > 0 else 1 - cls) if signed else 0
        # Scaling by a power of two is exact, so the mantissa product rounds as the product.
        factor, shift = math.frexp(abs(rate))
        rank = 0
        for neg_exp, neg_mant, *_ in held[source_cls]:
            mantissa = neg_mant * factor  # in (-1, -0.25]
            if mantissa > -0.5:
                append((neg_exp - shift + 1, mantissa * 2, slot, rank, source_cls))
            else:
                append((neg_exp - shift, mantissa, slot, rank, source_cls))
            rank += 1
    if len(candidates) <= k:
        candidates.sort()
        return candidates
    return heapq.nsmallest(k, candidates)


def top_paths(source: Value, output: Value | Graph, k: int = 10, by: str = "abs") -> list[Path]:
    """The ``k`` paths from ``source`` to the output with the largest products, best first.

    ``by="abs"`` ranks by ``|product|``; ``"positive"`` returns only paths with a positive
    product, largest first; ``"negative"`` only negative ones, most negative first. Paths
    through a zero rate factor have product 0 and are never returned, so fewer than ``k`` paths
    come back when fewer qualify. A k-best dynamic programme in topological order: each node
    keeps its best ``k`` prefixes (per sign when ranking by sign); the paths are never listed.
    """
    if by not in RANKINGS:
        raise ValueError(f"top_paths: by must be one of {', '.join(RANKINGS)}, got {by!r}")
    _require_whole(k, 1, "top_paths: k must be a positive whole number")
    graph, present = _graph_and_start(source, output, "top_paths")
    if not present:
        return []
    signed = by != "abs"
    # Exponent and mantissa are stored negated, so that ascending order is best first.
    start_entry = (-1, -0.5, -1, -1, 0)  # 1.0 == 0.5 * 2**1
    lists: dict[Value, tuple] = {source: ([start_entry], []) if signed else ([start_entry],)}
    nodes = graph.nodes
    for i in range(graph.index[source] + 1, len(nodes)):
        node = nodes[i]
        if not node.parents:
            continue
        classes = tuple(
            _extend_entries(node, lists, c, signed, k) for c in range(2 if signed else 1)
        )
        if any(classes):
            lists[node] = classes
    held = lists.get(graph.output)
    if held is None:
        return []
    chosen = held[1] if by == "negative" else held[0]
    return [_trace(graph.output, lists, 1 if by == "negative" else 0, rank, source)
            for rank in range(len(chosen))]


def _trace(node: Value, lists: dict, cls: int, rank: int, source: Value) -> Path:
    route = [node]
    rates = []
    while node is not source:
        _, _, slot, rank, cls = lists[node][cls][rank]
        rates.append(node.rates[slot])
        node = node.parents[slot]
        route.append(node)
    return Path(tuple(reversed(route)), tuple(reversed(rates)))


# ---------------------------------------------------------------------------------------------
# Sampled paths


class _Proposal:
    """How a random walk from ``source`` picks its next edge, and each edge's probability.

    ``"uniform"``: each edge out of a node equally likely. ``"mass"``: an edge ``v → u`` with
    probability ``|rate| · M(u) / M(v)``, where ``M(v) = Σ |products|`` over paths ``v → C``
    (a reverse sweep with absolute rates). Under "mass" every path's weight
    ``product / probability`` is ``±M(source)``: only its sign varies.
    """

    def __init__(self, graph: Graph, kind: str) -> None:
        self.graph = graph
        self.kind = kind
        self.children = graph.children_lists()
        self.mass = self._abs_mass_to_output() if kind == "mass" else None
        self._tables: dict[int, tuple] = {}

    def _abs_mass_to_output(self) -> list[float]:
        graph = self.graph
        index = graph.index
        mass = [0.0] * len(graph.nodes)
        mass[-1] = 1.0
        for i in range(len(graph.nodes) - 1, -1, -1):
            m = mass[i]
            if m:
                node = graph.nodes[i]
                for parent, rate in zip(node.parents, node.rates, strict=True):
                    mass[index[parent]] += m * abs(rate)
        return mass

    def edge_weights(self, position: int) -> list[float]:
        edges = self.children[position]
        if self.mass is None:
            return [1.0] * len(edges)
        index = self.graph.index
        return [abs(e.rate) * self.mass[index[e.dst]] for e in edges]

    def table(self, position: int) -> tuple[list, list[float], list[float]]:
        """The edges out of a node that can be drawn, their probabilities and running totals."""
        found = self._tables.get(position)
        if found is None:
            weights = self.edge_weights(position)
            total = math.fsum(weights)
            edges, probabilities, cumulative = [], [], []
            running = 0.0
            for edge, w in zip(self.children[position], weights, strict=True):
                if w > 0:
                    edges.append(edge)
                    probabilities.append(w / total)
                    running += w
                    cumulative.append(running)
            found = (edges, probabilities, cumulative)
            self._tables[position] = found
        return found

    def probability(self, path: Path) -> float:
        """The probability that one walk draws ``path`` (edges told apart by their rates)."""
        index = self.graph.index
        p = 1.0
        for tail, head, rate in zip(path.nodes, path.nodes[1:], path.rates, strict=False):
            position = index[tail]
            weights = self.edge_weights(position)
            total = math.fsum(weights)
            edges = self.children[position]
            pairs = zip(edges, weights, strict=True)
            same = [w for e, w in pairs if e.dst is head and e.rate == rate]
            share, matching = math.fsum(same), len(same)
            p *= share / matching / total
        return p


@dataclass
class PathSample:
    """A Monte Carlo estimate of ``∂C/∂source`` from ``n`` random walks to the output.

    ``estimate`` is the mean of the weights ``product / probability`` (unbiased: each path's
    weight times its probability is its product, and those add up to equation 53), ``stderr``
    its standard error. ``paths`` holds the first few walks drawn, for display.
    """

    source: Value
    n: int
    proposal: str
    estimate: float
    stderr: float
    weights: list[float]
    paths: list[Path]
    _proposal: _Proposal | None = field(default=None, repr=False)

    def probability(self, path: Path) -> float:
        """The probability of drawing ``path`` in one walk under this sample's proposal."""
        if self._proposal is None:
            return 0.0
        return self._proposal.probability(path)

    def __str__(self) -> str:
        lines = [
            f"{self.n:,} random paths from {self.source.label} ({self.proposal} proposal): "
            f"∂C/∂w ≈ {self.estimate:.8g} ± {self.stderr:.2g}"
        ]
        lines += [f"  {path}" for path in self.paths]
        return "\n".join(lines)


def sample_paths(
    source: Value,
    output: Value | Graph,
    n: int = 1000,
    seed: int | None = None,
    proposal: str = "mass",
    keep: int = 10,
) -> PathSample:
    """Estimate ``∂C/∂source`` from ``n`` random paths to the output.

    Each walk starts at ``source`` and picks an outgoing edge at every step (see
    :class:`_Proposal` for the two ways) until it reaches the output. The estimate is the mean
    of ``product / probability`` over the walks and the standard error is the sample standard
    deviation over ``√n``. ``seed`` makes the walks repeatable.
    """
    if proposal not in PROPOSALS:
        raise ValueError(f"sample_paths: proposal must be one of {PROPOSALS}, got {proposal!r}")
    _require_whole(n, 2, "sample_paths: n must be a whole number of at least 2")
    graph, present = _graph_and_start(source, output, "sample_paths")
    if not present:
        return PathSample(source, n, proposal, 0.0, 0.0, [0.0] * n, [])
    plan = _Proposal(graph, proposal)
    start = graph.index[source]
    if plan.mass is not None and plan.mass[start] == 0.0:
        # Every path has product 0: the sum is exactly 0 and there is nothing to draw.
        return PathSample(source, n, proposal, 0.0, 0.0, [0.0] * n, [], plan)
    rng = random.Random(seed)
    weights, drawn = [], []
    for _ in range(n):
        path, weight = _walk(graph, plan, start, rng)
        weights.append(weight)
        if len(drawn) < keep:
            drawn.append(path)
    mean = math.fsum(weights) / n
    variance = math.fsum((w - mean) ** 2 for w in weights) / (n - 1)
    return PathSample(source, n, proposal, mean, math.sqrt(variance / n), weights, drawn, plan)


def _walk(graph: Graph, plan: _Proposal, position: int, rng: random.Random) -> tuple[Path, float]:
    last = len(graph.nodes) - 1
    index = graph.index
    route = [graph.nodes[position]]
    rates = []
    weight = 1.0
    while position != last:
        edges, probabilities, cumulative = plan.table(position)
        pick = min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(edges) - 1)
        edge = edges[pick]
        weight *= edge.rate / probabilities[pick]
        rates.append(edge.rate)
        route.append(edge.dst)
        position = index[edge.dst]
    return Path(tuple(route), tuple(rates)), weight
