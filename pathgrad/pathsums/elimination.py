"""Vertex elimination: remove intermediate nodes and fold their paths into direct edges.

Take a node ``j`` with an edge ``i → j`` of rate ``c_ji`` and an edge ``j → k`` of rate
``c_kj``. Every path through ``j`` uses such a pair, so removing ``j`` and adding

    ``c_ki += c_kj · c_ji``        (one multiplication per pair of a predecessor and a successor)

for every pair leaves the sum over paths between the remaining nodes unchanged: a path that
went ``i → j → k`` now crosses the one edge ``i → k``, whose rate already holds its product
(equation 51), and paths that shared the edge are added (equation 53). Parallel edges
(``x * x``) are one edge whose rate is the sum of theirs.

Eliminate every intermediate node and one edge is left per (input, output) pair; its rate is
the derivative. The order changes the cost, never the result:

* ``"reverse"`` (from the output back): each node has only the output as successor when it
  goes, so the cost is one multiplication per edge: backpropagation.
* ``"forward"`` (from the inputs on): each node has only inputs as predecessors when it goes,
  so every input's derivative is carried separately: forward sweeps, one per input.
* ``"markowitz"``: always the node with the fewest ``|pred| · |succ|`` pairs next; a greedy
  heuristic that is often cheaper than both.

Elimination stops at any set of nodes: removing only the elementary-operation nodes of a
network leaves its neuron-level graph, with rates ``∂a^l_j/∂a^{l-1}_k``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..graph import Edge, Graph, as_graph
from ..support.errors import NotFiniteError, PathgradTypeError, PathgradValueError, TooLargeError
from ..value import Value

ORDERS = ("forward", "reverse", "markowitz")


#: The most multiplications eliminate() does unless ``max_multiplications`` says otherwise:
#: a few seconds of work (the reverse order needs one per edge).
DEFAULT_MAX_MULTIPLICATIONS = 10_000_000


class EliminationBudgetError(TooLargeError):
    """Raised, before the node that would pass it is eliminated, when an elimination order
    needs more multiplications than the caller allowed (``max_multiplications``)."""

    def __init__(self, order: str, spent: int, budget: int) -> None:
        self.order = order
        self.spent = spent
        self.budget = budget
        super().__init__(
            f"eliminating in {order} order would take more than max_multiplications={budget:,} "
            f"({spent:,} with the next node): fill-in makes this order expensive on this graph; "
            "use the reverse order, or raise max_multiplications",
            limit="max_multiplications",
        )


@dataclass
class EliminatedGraph:
    """What is left after elimination: the kept nodes, their edges, and what it cost.

    ``nodes`` are in topological order with the output last; ``edges`` has one edge per
    connected pair, grouped by head. ``multiplications`` counts ``c_kj · c_ji`` products and
    ``additions`` the ones added onto an existing edge (merging parallel edges included).

    Equation 53: after eliminating every intermediate node, each leaf's one edge to ``C``
    carries ``∂C/∂leaf``, the sum of all its paths.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> left = pg.eliminate((a + b) * (b + 1))
    >>> [(e.src.name, e.rate) for e in left.edges]    # ∂e/∂a = b + 1, ∂e/∂b = a + 2b + 1
    [('a', 2.0), ('b', 5.0)]
    """

    nodes: list[Value]
    edges: list[Edge]
    multiplications: int
    additions: int
    eliminated: list[Value] = field(repr=False)
    order: str = "explicit"

    @property
    def output(self) -> Value:
        return self.nodes[-1]

    def rate(self, src: Value, dst: Value | None = None) -> float:
        """The rate of the edge ``src → dst`` (``dst`` defaults to the output); 0 without one."""
        dst = self.output if dst is None else dst
        return self._rates().get((src, dst), 0.0)

    def derivative(self, src: Value, dst: Value | None = None) -> float:
        """``∂dst/∂src`` as the sum over the paths that are left (the edge itself once every
        intermediate node is gone). ``dst`` defaults to the output."""
        dst = self.output if dst is None else dst
        tangent = {src: 1.0}
        for edge in self.edges:  # grouped by head in topological order
            t = tangent.get(edge.src)
            if t is not None:
                tangent[edge.dst] = tangent.get(edge.dst, 0.0) + edge.rate * t
        value = tangent.get(dst, 0.0)
        if not math.isfinite(value):
            raise NotFiniteError(
                f"the derivative of {dst.label} by {src.label} over the edges left is {value!r}: "
                "the products of their rates overflow the float range",
                f"∂{dst.label}/∂{src.label} became {value!r}",
            )
        return value

    def _rates(self) -> dict[tuple[Value, Value], float]:
        return {(e.src, e.dst): e.rate for e in self.edges}

    def __len__(self) -> int:
        return len(self.nodes)

    def __str__(self) -> str:
        lines = [
            f"{self.order} elimination of {len(self.eliminated):,} nodes: "
            f"{self.multiplications:,} multiplications, {self.additions:,} additions; "
            f"{len(self.nodes):,} nodes and {len(self.edges):,} edges left"
        ]
        shown = self.edges[:20]
        lines += [f"  {e.src.label} → {e.dst.label}: {e.rate:.6g}" for e in shown]
        if len(self.edges) > len(shown):
            lines.append(f"  ... {len(self.edges) - len(shown):,} more edges")
        return "\n".join(lines)


class _Adjacency:
    """Predecessor and successor maps by node position, parallel edges merged by adding."""

    def __init__(self, graph: Graph, budget: int | None = None, order: str = "") -> None:
        self.budget = budget
        self.order = order
        self.nodes = graph.nodes
        index = graph.index
        n = len(graph.nodes)
        self.preds: list[dict[int, float]] = [{} for _ in range(n)]
        self.succs: list[dict[int, float]] = [{} for _ in range(n)]
        self.additions = 0
        for k, node in enumerate(graph.nodes):
            into = self.preds[k]
            for parent, rate in zip(node.parents, node.rates, strict=True):
                i = index[parent]
                if i in into:
                    into[i] += rate
                    self.additions += 1
                else:
                    into[i] = rate
        for k, into in enumerate(self.preds):
            for i, rate in into.items():
                self.succs[i][k] = rate
        self.multiplications = 0

    def markowitz(self, j: int) -> int:
        return len(self.preds[j]) * len(self.succs[j])

    def eliminate(self, j: int) -> None:
        preds, succs = self.preds, self.succs
        before, after = preds[j], succs[j]
        pairs = len(before) * len(after)
        if self.budget is not None and self.multiplications + pairs > self.budget:
            raise EliminationBudgetError(self.order, self.multiplications + pairs, self.budget)
        for i in before:
            del succs[i][j]
        for k in after:
            del preds[k][j]
        additions = 0
        for k, c_kj in after.items():
            into = preds[k]
            for i, c_ji in before.items():
                if i in into:
                    into[i] += c_kj * c_ji
                    additions += 1
                else:
                    into[i] = c_kj * c_ji
                succs[i][k] = into[i]
            if not math.isfinite(sum(map(into.__getitem__, before))):  # the rates just made
                self._not_finite(j, k)
        self.multiplications += pairs
        self.additions += additions
        preds[j] = {}
        succs[j] = {}

    def _not_finite(self, j: int, k: int) -> None:
        """Raise NotFiniteError for the first edge into ``k`` whose rate, after eliminating
        ``j``, is not a finite number (if only the check's own sum overflowed, nothing)."""
        for i, rate in self.preds[k].items():
            if not math.isfinite(rate):
                nodes = self.nodes
                raise NotFiniteError(
                    f"eliminating {nodes[j].label}: the rate of the new edge {nodes[i].label} → "
                    f"{nodes[k].label} is {rate!r}: the products of the rate factors along the "
                    "paths it stands for overflow the float range",
                    f"an eliminated edge's rate became {rate!r}",
                )


def eliminate(
    target: Value | Graph,
    order: str | Sequence[Value] = "reverse",
    keep: Iterable[Value] = (),
    max_multiplications: int | None = DEFAULT_MAX_MULTIPLICATIONS,
) -> EliminatedGraph:
    """Remove intermediate nodes with ``c_ki += c_kj · c_ji`` and count the multiplications.

    ``order`` is ``"forward"``, ``"reverse"`` or ``"markowitz"`` (remove every node that is
    not a leaf, the output or in ``keep``), or an explicit sequence of intermediate nodes
    (remove exactly those, in that order). Returns an :class:`EliminatedGraph`; the graph
    itself is not changed. No recursion: a graph of 10^5 nodes is fine. Some orders fill the
    graph with new edges: the node whose multiplications would pass ``max_multiplications``
    (default ten million, seconds of work) is not eliminated, and an
    :class:`EliminationBudgetError` stops the work instead of letting it run for hours. A new
    edge whose rate overflows the float range is a
    :class:`~pathgrad.support.errors.NotFiniteError`.

    Equations BP1-BP4 are one elimination order: the reverse one (backpropagation); the
    edge left from each leaf to ``C`` carries ``∂C/∂leaf`` (equation 53).

    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> g = net.graph([[0.5], [-0.3]], [[1.0], [0.0]])       # one example (x, y)
    >>> reverse = pg.eliminate(g, "reverse")
    >>> forward = pg.eliminate(g, "forward")
    >>> reverse.multiplications, forward.multiplications
    (29, 60)
    >>> [round(e.rate, 6) for e in reverse.edges if e.src is g.w(2, 1, 2)]
    [0.008763]
    """
    graph = as_graph(target)
    label = order if isinstance(order, str) else "explicit"
    adjacency = _Adjacency(graph, max_multiplications, label)
    if isinstance(order, str):
        if order not in ORDERS:
            raise PathgradValueError(
                f"eliminate: order must be one of {', '.join(ORDERS)} or a list of nodes, "
                f"got {order!r}"
            )
        positions = _intermediates(graph, keep)
        if order == "markowitz":
            positions = _markowitz(adjacency, positions)  # eliminates as it chooses
        else:
            if order == "reverse":
                positions.reverse()
            for j in positions:
                adjacency.eliminate(j)
        name = order
    else:
        positions = _explicit(graph, order, keep)
        for j in positions:
            adjacency.eliminate(j)
        name = "explicit"
    return _result(graph, adjacency, positions, name)


def _intermediates(graph: Graph, keep: Iterable[Value]) -> list[int]:
    kept = {graph.index[node] for node in _checked(graph, keep, "keep")}
    last = len(graph.nodes) - 1
    return [
        i for i, node in enumerate(graph.nodes)
        if node.parents and i != last and i not in kept
    ]


def _checked(graph: Graph, nodes: Iterable[Value], what: str) -> list[Value]:
    checked = []
    for node in nodes:
        graph.position(node, f"eliminate(C, {what}=[...])", strict=True)
        checked.append(node)
    return checked


def _explicit(graph: Graph, order: Sequence[Value], keep: Iterable[Value]) -> list[int]:
    if isinstance(order, Value) or not isinstance(order, Iterable):
        raise PathgradTypeError(
            f"eliminate: order must be 'forward', 'reverse', 'markowitz' or a list of nodes, "
            f"got {order!r}"
        )
    kept = set(_checked(graph, keep, "keep"))
    positions, seen = [], set()
    for node in _checked(graph, order, "order"):
        if node is graph.output or not node.parents:
            raise PathgradValueError(
                f"eliminate: {node.label} is {'the output' if node.parents else 'a leaf'}; "
                "only intermediate nodes can be eliminated"
            )
        if node in kept:
            raise PathgradValueError(f"eliminate: {node.label} is both in order and in keep")
        if node in seen:
            raise PathgradValueError(f"eliminate: {node.label} appears twice in order")
        seen.add(node)
        positions.append(graph.index[node])
    return positions


def _markowitz(adjacency: _Adjacency, candidates: list[int]) -> list[int]:
    """Eliminate greedily, fewest ``|pred| · |succ|`` first (ties: earliest node); the order."""
    remaining = set(candidates)
    heap = [(adjacency.markowitz(j), j) for j in candidates]
    heapq.heapify(heap)
    done = []
    while heap:
        score, j = heapq.heappop(heap)
        if j not in remaining:
            continue
        current = adjacency.markowitz(j)
        if current != score:  # a neighbour's elimination changed it: queue it again
            heapq.heappush(heap, (current, j))
            continue
        neighbours = [*adjacency.preds[j], *adjacency.succs[j]]
        adjacency.eliminate(j)
        remaining.discard(j)
        done.append(j)
        for v in neighbours:
            if v in remaining:
                heapq.heappush(heap, (adjacency.markowitz(v), v))
    return done


def _result(
    graph: Graph, adjacency: _Adjacency, positions: list[int], order: str
) -> EliminatedGraph:
    gone = set(positions)
    nodes = graph.nodes
    kept = [i for i in range(len(nodes)) if i not in gone]
    edges = [
        Edge(nodes[i], nodes[k], rate)
        for k in kept
        for i, rate in sorted(adjacency.preds[k].items())
    ]
    return EliminatedGraph(
        nodes=[nodes[i] for i in kept],
        edges=edges,
        multiplications=adjacency.multiplications,
        additions=adjacency.additions,
        eliminated=[nodes[j] for j in positions],
        order=order,
    )
