"""Random paths from ``w`` to ``C``: a Monte Carlo estimate of ``∂C/∂w``.

Walks from ``w`` to ``C`` chosen at random, each weighted by its product over its probability,
average out to the sum over all paths (equation 53): an unbiased estimate of ``∂C/∂w`` with a
standard error, for graphs whose paths are far too many to list.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field

from ..graph import Graph
from ..names import display_name
from ..support.arguments import one_of, whole_number
from ..support.errors import PathgradValueError
from ..support.limits import check_limit
from ..sweeps import sweep_backward
from ..value import Value
from .enumeration import Path, source_and_graph
from .semirings import ABS_MASS

PROPOSALS = ("mass", "uniform")


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
        masses = sweep_backward(self.graph, ABS_MASS)
        return [0.0 if m is None else m for m in masses]

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


@dataclass(repr=False)
class PathSample:
    """A Monte Carlo estimate of ``∂C/∂source`` from ``n`` random walks to the output.

    ``estimate`` is the mean of the weights ``product / probability`` (unbiased: each path's
    weight times its probability is its product, and those add up to equation 53), ``stderr``
    its standard error. ``paths`` holds the first few walks drawn, for display, and
    ``weights`` their weights; the others are summed as they are drawn and not kept.

    Equation 53: ``estimate`` approaches the sum of the path products as ``n`` grows.

    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> g = net.graph([[0.5], [-0.3]], [[1.0], [0.0]])       # one example (x, y)
    >>> sample = pg.sample_paths(g.w(2, 1, 2), g.C, n=100, seed=0)
    >>> sample.n, len(sample.paths), round(sample.estimate, 6)
    (100, 10, 0.008763)
    """

    source: Value
    n: int
    proposal: str
    estimate: float
    stderr: float
    weights: list[float]
    paths: list[Path]
    _proposal: _Proposal | None = field(default=None)

    def __repr__(self) -> str:
        return (
            f"PathSample(source={self.source.label!r}, n={self.n:,}, proposal={self.proposal!r}, "
            f"estimate={self.estimate:.8g}, stderr={self.stderr:.2g}, kept={len(self.paths)})"
        )

    def probability(self, path: Path) -> float:
        """The probability of drawing ``path`` in one walk under this sample's proposal."""
        if self._proposal is None:
            return 0.0
        return self._proposal.probability(path)

    def __str__(self) -> str:
        lines = [
            f"{self.n:,} random paths from {display_name(self.source)} ({self.proposal} proposal): "
            f"∂C/∂w ≈ {self.estimate:.8g} ± {self.stderr:.2g}"
        ]
        lines += [f"  {path}" for path in self.paths]
        return "\n".join(lines)


#: The most walks drawn unless ``max_n`` says otherwise: seconds of work, and a standard
#: error a thousand times smaller than one walk's.
DEFAULT_MAX_N = 1_000_000


def sample_paths(
    source: Value,
    output: Value | Graph,
    n: int = 1000,
    seed: int | None = None,
    proposal: str = "mass",
    keep: int = 10,
    max_n: int | None = DEFAULT_MAX_N,
) -> PathSample:
    """Estimate ``∂C/∂source`` from ``n`` random paths to the output.

    Each walk starts at ``source`` and picks an outgoing edge at every step (see
    :class:`_Proposal` for the two ways) until it reaches the output. The estimate is the mean
    of ``product / probability`` over the walks and the standard error is the sample standard
    deviation over ``√n``, both kept as running sums (Welford's), so memory does not grow
    with ``n``; only the first ``keep`` walks are kept. ``seed`` makes the walks repeatable.
    More than ``max_n`` walks are refused: the error shrinks only as ``1/√n``.

    Equation 53 estimated from a sample of its terms, each weighed by one over its chance.

    >>> import numpy as np
    >>> import pathgrad as pg
    >>> deep = pg.Network([4, 6, 6, 6, 3], seed=3)
    >>> g = deep.graph(np.full((4, 1), 0.5), np.zeros((3, 1)))
    >>> w = g.w(2, 1, 1)
    >>> sample = pg.sample_paths(w, g.C, n=2000, seed=0)
    >>> abs(sample.estimate - pg.grad(g, [w])[0]) < 3 * sample.stderr   # within 3 errors
    True
    """
    one_of(proposal, "sample_paths: proposal", PROPOSALS)
    whole_number(n, "sample_paths: n", least=2)
    whole_number(keep, "sample_paths: keep", least=0)
    check_limit(
        n, max_n, "max_n", f"sample_paths: n={n:,} random walks",
        "The standard error shrinks only as 1/√n: a million walks already make it a thousand "
        "times smaller than one walk's; use grad() or path_stats() for the exact sum",
    )
    graph, start = source_and_graph(source, output, "sample_paths")
    if start is None:
        return PathSample(source, n, proposal, 0.0, 0.0, [], [])
    plan = _Proposal(graph, proposal)
    if plan.mass is not None and plan.mass[start] == 0.0:
        # Every path has product 0: the sum is exactly 0 and there is nothing to draw.
        return PathSample(source, n, proposal, 0.0, 0.0, [], [], plan)
    rng = random.Random(seed)
    weights: list[float] = []
    drawn: list[Path] = []
    mean = spread = 0.0  # Welford: the running mean and sum of squared deviations
    for count in range(1, n + 1):
        path, weight = _walk(graph, plan, start, rng)
        if count <= keep:
            drawn.append(path)
            weights.append(weight)
        step = weight - mean
        mean += step / count
        spread += step * (weight - mean)
    if not (math.isfinite(mean) and math.isfinite(spread)):
        raise PathgradValueError(
            f"sample_paths({source.label}): the path products overflowed the float range; "
            "the path count is still exact: use count_paths, and path_stats or grad for the sum"
        )
    variance = spread / (n - 1)
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
