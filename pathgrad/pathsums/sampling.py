"""Random paths from ``w`` to ``C``: a Monte Carlo estimate of ``∂C/∂w``.

Walks from ``w`` to ``C`` chosen at random, each weighted by its product over its probability,
average out to the sum over all paths (equation 53): an unbiased estimate of ``∂C/∂w`` with a
standard error, for graphs whose paths are far too many to list.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..graph import Graph
from ..names import display_name
from ..support.arguments import one_of, whole_number
from ..support.collector import without_collector
from ..support.errors import NotFiniteError
from ..support.limits import check_limit
from ..sweeps import Semiring, forward_order, output_of, pull
from ..value import Value
from .enumeration import Path

PROPOSALS = ("mass", "uniform")


class _Proposal:
    """How a random walk picks its edges, walking from the output back to ``source``.

    Walks run backwards, along the parents every node stores, so nothing but the nodes in
    topological order is needed. ``M(v) = Σ |products|`` over the paths ``source → v`` (one
    forward sweep with absolute rates) is known for every node ``source`` reaches, and so is
    the table a walk at ``v`` draws its next edge from (:func:`mass_and_tables`).
    ``"mass"``: at ``v`` the edge ``u → v`` is taken with probability ``|rate| · M(u) / M(v)``
    (those add up to 1, by the sweep's own rule), so a path's probabilities telescope to
    ``|product| / M(C)`` and every walk's weight ``product / probability`` is ``±M(C)``: only
    its sign varies. ``"uniform"``: each edge into ``v`` from a node ``source`` reaches, alike.
    """

    def __init__(self, after: Iterable[Value], source: Value, kind: str) -> None:
        self.source = source
        self.kind = kind
        self.mass, self.tables = mass_and_tables(after, source)

    def edge_weights(self, node: Value) -> list[tuple[Value, float, float]]:
        """``(parent, rate, weight)`` of each edge into ``node`` from a node ``source`` reaches."""
        mass = self.mass
        uniform = self.kind == "uniform"
        return [
            (parent, rate, 1.0 if uniform else abs(rate) * mass[parent])
            for parent, rate in zip(node.parents, node.rates, strict=True)
            if parent in mass
        ]

    def probability(self, path: Path) -> float:
        """The probability that one walk draws ``path`` (edges told apart by their rates)."""
        p = 1.0
        for tail, head, rate in zip(path.nodes, path.nodes[1:], path.rates, strict=False):
            weights = self.edge_weights(head)
            total = math.fsum(w for _, _, w in weights)
            same = [w for parent, r, w in weights if parent is tail and r == rate]
            share, matching = math.fsum(same), len(same)
            if not share:  # an edge no walk takes (a path of product 0 under "mass")
                return 0.0
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
#: The most steps the walks may take in all unless ``max_steps`` says otherwise (walks ×
#: the longest path they can take): a few seconds of work.
DEFAULT_MAX_STEPS = 20_000_000


@without_collector
def sample_paths(
    source: Value,
    output: Value | Graph,
    n: int = 1000,
    seed: int | None = None,
    proposal: str = "mass",
    keep: int = 10,
    max_n: int | None = DEFAULT_MAX_N,
    max_steps: int | None = DEFAULT_MAX_STEPS,
) -> PathSample:
    """Estimate ``∂C/∂source`` from ``n`` random paths to the output.

    Each walk starts at the output and picks an incoming edge at every step (see
    :class:`_Proposal` for the two ways) until it reaches ``source``: the same paths, found
    from their other end, which needs no list of children. The estimate is the mean
    of ``product / probability`` over the walks and the standard error is the sample standard
    deviation over ``√n``, both kept as running sums (Welford's), so memory does not grow
    with ``n``; only the first ``keep`` walks are kept. ``seed`` makes the walks repeatable.
    More than ``max_n`` walks are refused: the error shrinks only as ``1/√n``; so are walks
    that could take more than ``max_steps`` steps in all (``n`` times the longest path from
    ``source`` to the output, counted before the first walk).

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
    after = forward_order(output, source, "sample_paths(w, C)")
    if after is None:
        return PathSample(source, n, proposal, 0.0, 0.0, [], [])
    _check_steps(after, source, n, max_steps)
    plan = _Proposal(after, source, proposal)
    end = output_of(output)
    if not math.isfinite(plan.mass[end]):
        raise NotFiniteError(
            f"sample_paths({source.label}): the absolute mass of the paths, which the walks "
            f"are drawn by, is {plan.mass[end]!r}: the products of the rate factors along "
            "some paths overflow the float range",
            f"the path mass of {source.label} became {plan.mass[end]!r}",
        )
    if plan.mass[end] == 0.0 and proposal == "mass":
        # Every path has product 0: the sum is exactly 0 and there is nothing to draw.
        return PathSample(source, n, proposal, 0.0, 0.0, [], [], plan)
    rng = random.Random(seed)
    weights: list[float] = []
    drawn: list[Path] = []
    mean = spread = 0.0  # Welford: the running mean and sum of squared deviations
    for count in range(1, n + 1):
        route: list | None = [] if count <= keep else None
        weight = _walk(plan, end, rng, route)
        if route is not None:
            drawn.append(Path(tuple(reversed(route[0::2])), tuple(reversed(route[1::2]))))
            weights.append(weight)
        step = weight - mean
        mean += step / count
        spread += step * (weight - mean)
    if not (math.isfinite(mean) and math.isfinite(spread)):
        raise NotFiniteError(
            f"sample_paths({source.label}): the weights of the walks (each a path's product "
            "over its probability) overflow the float range; the path count is still exact: "
            "use count_paths, and path_stats or grad for the sum",
            f"sample_paths({source.label}) became {mean!r}",
        )
    variance = spread / (n - 1)
    return PathSample(source, n, proposal, mean, math.sqrt(variance / n), weights, drawn, plan)


def _check_steps(after: Sequence[Value], source: Value, n: int, max_steps: int | None) -> None:
    """Refuse ``n`` walks that could take more than ``max_steps`` steps in all: each takes at
    most as many as the longest path from ``source`` (found by one pull, only when the quick
    bound, one step per node, might pass the limit)."""
    if max_steps is None or n * (len(after) + 1) <= max_steps:
        return
    longest = pull(after, source, LONGEST).get(after[-1], 0) if after else 0
    check_limit(
        n * longest, max_steps, "max_steps",
        f"sample_paths: n={n:,} walks along paths of up to {longest:,} edges would take up to "
        f"{n * longest:,} steps",
        "Fewer walks, or grad() and path_stats() for the exact sum",
    )


def _one_longer(length: int, rate: float) -> int:
    return length + 1


#: The length of the longest path (max-plus over edges of length 1).
LONGEST = Semiring("longest path", 0, _one_longer, max)


def mass_and_tables(
    after: Iterable[Value], source: Value
) -> tuple[dict[Value, float], dict[Value, tuple[list[int], list[float]]]]:
    """``M(v) = Σ |products|`` over the paths ``source → v`` for every node ``source`` reaches
    (``pull(after, source, ABS_MASS)`` written out by hand, its specification: the tests
    compare the two), and for each such node ``v`` its walk table: the positions in
    ``v.parents`` of the edges from reached parents, and the running total of their weights
    ``|rate| · M(parent)``, which ends at ``M(v)``.

    The sweep adds up those weights anyway, so keeping the running totals is what makes
    every table at once, for one pass over the edges."""
    mass = {source: 1.0}
    tables: dict[Value, tuple[list[int], list[float]]] = {}
    get = mass.get
    for node in after:
        picks: list[int] = []
        totals: list[float] = []
        total = 0.0
        for i, (parent, rate) in enumerate(zip(node.parents, node.rates)):
            m = get(parent)
            if m is not None:
                total += m * abs(rate)
                picks.append(i)
                totals.append(total)
        if picks:
            mass[node] = total
            tables[node] = (picks, totals)
    return mass, tables


def _walk(plan: _Proposal, node: Value, rng: random.Random, route: list | None) -> float:
    """The weight of one walk from the output ``node`` back to the source; its nodes and rates,
    alternating from the output, are appended to ``route`` when it is a list.

    At each node the walk draws one of the edges from reached parents: under ``"mass"`` by
    the running totals of their weights (an edge of weight 0 spans no interval and is never
    drawn), under ``"uniform"`` by their count."""
    source, tables, mass = plan.source, plan.tables, plan.mass
    by_mass = plan.kind == "mass"
    draw, bisect_right = rng.random, bisect.bisect_right
    weight = 1.0
    if route is not None:
        route.append(node)
    while node is not source:
        picks, totals = tables[node]
        if by_mass:
            total = totals[-1]
            k = bisect_right(totals, draw() * total)
            # draw() < 1, yet times a total below the smallest normal float it can round up
            # to the total itself: then the last edge of weight above 0.
            if k == len(totals):
                k = bisect.bisect_left(totals, total)
        else:  # a count is a normal float, so draw() * count stays below it
            total = len(picks)
            k = int(draw() * total)
        i = picks[k]
        rate = node.rates[i]
        node = node.parents[i]
        share = (mass[node] * abs(rate) if by_mass else 1.0) / total
        weight *= rate / share
        if route is not None:
            route += (rate, node)
    return weight
