"""Sweeps: every question about the paths of a graph, answered edge by edge.

Equation 53 writes ``∂C/∂w`` as a sum, over every path from ``w`` to ``C``, of the product of
the rate factors along the path. Nobody needs to list the paths to get that sum: the products
share their prefixes and suffixes, so the sum factors edge by edge. Walk the nodes in
topological order and keep, at each node, the total for the paths that reach it:

* **forward sweep** from ``w``: seed ``v[w] = 1``; a node's total is the sum over its incoming
  edges of ``v[parent] · rate``. This carries a small change ``Δw`` forward, as in equations
  47-50, and ``v[C] = ∂C/∂w`` for *one* ``w``. Each node *pulls* from its parents, which it
  stores anyway, so the sweep needs only the nodes in topological order: no list of children.
* **reverse sweep** from ``C`` (backpropagation): seed ``v[C] = 1``; a node's total is the sum
  over its outgoing edges of ``rate · v[child]``. Then ``v[node] = ∂C/∂node`` for *every* node
  at once: one pass gives the whole gradient, which is why backpropagation is cheap.

Nothing in that argument needs ``+`` and ``×`` to be the ordinary ones. Replace them by any
pair that distributes (a :class:`Semiring`) and the same two sweeps answer other questions:
with ``n + n'`` and "extend by an edge = keep ``n``" they count the paths; with ``max`` and
``|rate| ·`` they find the largest path. :func:`sweep_forward` and :func:`sweep_backward` are
that one algorithm; :mod:`pathgrad.pathsums.semirings` holds the catalogue of semirings.

:func:`adjoints` and :func:`forward_grad` are the two sweeps over :data:`SUM_PRODUCT`.
:func:`counted` wraps any semiring so that it counts the ``extend`` and ``plus`` operations a
sweep really performs (over :data:`SUM_PRODUCT`: its multiplications and additions), which
is how :func:`pathgrad.cost_report` measures what each way of getting a gradient costs.
:meth:`Value.backward` and :func:`pathgrad.count_paths` are the two sweeps written out by hand,
for speed (``pathgrad bench`` measures the difference); ``sweep_backward(Graph(C),
SUM_PRODUCT)`` and ``sweep_forward(graph, w, COUNT)`` are their specifications, and the tests
check that each pair agrees.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .graph import Graph, as_graph, check_node, node_list, not_reaching, operation_order
from .support.errors import NotFiniteError
from .value import SEVERAL, Value


@dataclass(frozen=True)
class Semiring:
    """What a sum over paths means: the empty path's value, one more edge, and addition.

    ``one`` is the value of the path of no edges (at the sweep's seed). ``extend(v, rate)`` is
    the value of a set of paths continued along one more edge of rate factor ``rate``;
    ``plus(a, b)`` combines the values of two disjoint sets of paths with the same ends.
    ``extend`` must distribute over ``plus``, and it must not matter at which end of a path an
    edge is added (true of every semiring here), so the same semiring serves both sweeps.

    Equation 53 is the sum-product semiring (``extend`` multiplies by the rate, ``plus``
    adds); the same sweep over other semirings counts the paths or finds the largest one.

    >>> import pathgrad as pg
    >>> from pathgrad.pathsums.semirings import forward_sweep
    >>> count = pg.Semiring("count", 1, lambda n, rate: n, lambda m, n: m + n)
    >>> x = pg.Value(3.0, name="x")
    >>> forward_sweep(x, x * x * x, count)     # x * x * x: three paths from x
    3
    """

    name: str
    one: Any
    extend: Callable[[Any, float], Any]
    plus: Callable[[Any, Any], Any]
    #: Its values are floats that must stay finite: the sweeps check every one they make (a
    #: product of rate factors along some path can overflow although every rate is finite).
    finite: bool = False


SUM_PRODUCT = Semiring("sum-product", 1.0, operator.mul, operator.add, finite=True)


@dataclass
class Tally:
    """Operations counted as a sweep performs them: ``extends`` (one per edge a value is
    carried along: a multiplication over :data:`SUM_PRODUCT`) and ``pluses`` (one per value
    added to another: an addition)."""

    extends: int = 0
    pluses: int = 0


def counted(semiring: Semiring) -> tuple[Semiring, Tally]:
    """``semiring`` with a counter: the same values, and a :class:`Tally` of every ``extend``
    and ``plus`` the sweeps run with it perform. ``counting, tally = counted(SUM_PRODUCT)``,
    then ``sweep_backward(graph, counting)`` leaves the reverse sweep's multiplications in
    ``tally.extends``.
    """
    tally = Tally()
    inner_extend, inner_plus = semiring.extend, semiring.plus

    def extend(value: Any, rate: float) -> Any:
        tally.extends += 1
        return inner_extend(value, rate)

    def plus(a: Any, b: Any) -> Any:
        tally.pluses += 1
        return inner_plus(a, b)

    return Semiring(f"counted {semiring.name}", semiring.one, extend, plus,
                    semiring.finite), tally


def nodes_after(target: Value | Graph, source: Value) -> Sequence[Value] | None:
    """The nodes a forward sweep from ``source`` visits: those after it in topological order.

    From a :class:`Graph`, its nodes after ``source``'s position. From an output node, no
    Graph is built: the nodes with parents that reach it (:func:`~pathgrad.graph.operation_order`)
    after ``source``, or all of them when ``source`` is a leaf, since no other leaf can carry
    anything. None when ``source`` is certainly not in the graph.
    """
    if isinstance(target, Graph):
        start = target.index.get(source)
        return None if start is None else target.nodes[start + 1 :]
    order = operation_order(target)
    if not source.parents:
        return order
    for i, node in enumerate(order):
        if node is source:
            return order[i + 1 :]
    return None


def output_of(target: Value | Graph) -> Value:
    """The output node of a Graph, or the node itself."""
    return target.output if isinstance(target, Graph) else target


def sweep_forward(target: Value | Graph, source: Value, semiring: Semiring) -> dict[Value, Any]:
    """The semiring value of the paths from ``source`` to every node it reaches.

    ``target`` is the output node or its :class:`Graph`. Each node after ``source``, in
    topological order, pulls from its parents: one ``extend`` per edge from a reached parent,
    one ``plus`` per extra such edge. Nodes ``source`` does not reach are absent, and the
    result is empty when ``source`` does not reach the output. No recursion.
    """
    after = nodes_after(target, source)
    if after is None:
        return {}
    values = pull(after, source, semiring)
    return values if output_of(target) in values else {}


def pull(nodes: Iterable[Value], source: Value, semiring: Semiring) -> dict[Value, Any]:
    """The forward sweep itself: ``nodes`` in topological order, each combining its parents.

    Over a semiring of finite floats every value it makes is checked (:func:`require_finite`).
    """
    values = _pull(nodes, source, semiring)
    if semiring.finite and not math.isfinite(sum(values.values())):
        _not_finite(list(values.items()), semiring, source, forward=True)
    return values


def _pull(nodes: Iterable[Value], source: Value, semiring: Semiring) -> dict[Value, Any]:
    extend, plus = semiring.extend, semiring.plus
    values: dict[Value, Any] = {source: semiring.one}
    get = values.get
    for node in nodes:
        second = node._parent2  # the edge slots of Value
        if second is None:  # one parent, or none
            v = get(node._parent1)
            if v is not None:
                values[node] = extend(v, node._rate1)
            continue
        if second is SEVERAL:
            total = None
            for parent, rate in zip(node._parent1, node._rate1):
                v = get(parent)
                if v is not None:
                    v = extend(v, rate)
                    total = v if total is None else plus(total, v)
        else:
            total = get(node._parent1)
            if total is not None:
                total = extend(total, node._rate1)
            v = get(second)
            if v is not None:
                v = extend(v, node._rate2)
                total = v if total is None else plus(total, v)
        if total is not None:
            values[node] = total
    return values


def forward_order(target: Value | Graph, source: Value, usage: str) -> Sequence[Value] | None:
    """:func:`nodes_after` for a public function (``usage`` such as ``"count_paths(w, C)"``):
    ``source`` checked to be a Value, and None, with a warning (or the swapped-arguments
    error), when it does not reach the output."""
    check_node(source, usage)
    after = nodes_after(target, source)
    output = output_of(target)
    if after is not None and (
        source is output
        or source.parents
        or isinstance(target, Graph)
        or any(source in node.parents for node in after)
    ):
        return after
    not_reaching(source, output, usage)
    return None


def sweep_backward(graph: Graph, semiring: Semiring, steps: int | None = None) -> list[Any]:
    """The semiring value of the paths from every node to the output, by position.

    ``None`` where a node has no path to the output. With ``steps``, stop after that many
    operation nodes (latest first) have sent their values to their parents: the state of the
    reverse sweep part way through, as :func:`pathgrad.draw_reverse_sweep` shows it.
    """
    values = _sweep_backward(graph, semiring, steps)
    if semiring.finite and not math.isfinite(sum(filter(None, values))):
        _not_finite(list(zip(reversed(graph.nodes), reversed(values))), semiring, graph.output,
                    forward=False)
    return values


def _sweep_backward(graph: Graph, semiring: Semiring, steps: int | None) -> list[Any]:
    index = graph.index
    nodes = graph.nodes
    extend, plus = semiring.extend, semiring.plus
    values: list[Any] = [None] * len(nodes)
    values[-1] = semiring.one
    sent = 0
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        if node._parent1 is None:  # no parents (the edge slots of Value)
            continue
        if steps is not None and sent == steps:
            break
        sent += 1
        v = values[i]
        if v is None:
            continue
        second = node._parent2
        edges: Iterable[tuple[Value, float]]
        if second is SEVERAL:
            edges = zip(node._parent1, node._rate1)
        elif second is None:
            edges = ((node._parent1, node._rate1),)
        else:
            edges = ((node._parent1, node._rate1), (second, node._rate2))
        for parent, rate in edges:
            p = index[parent]
            contribution = extend(v, rate)
            values[p] = contribution if values[p] is None else plus(values[p], contribution)
    return values


def _not_finite(made: list[tuple[Value, Any]], semiring: Semiring, seed: Value,
                forward: bool) -> None:
    """Raise :class:`~pathgrad.support.errors.NotFiniteError` for the first value in ``made``
    (``(node, value)`` in the sweep's own order) that is not a finite number, naming its node
    and why: every rate factor is finite, so the products of the rates along some paths
    overflowed the float range, or two such sums of opposite signs met (``inf - inf``). (The
    sweeps call it when the sum of their values is not finite; if only that sum overflowed,
    every value is finite and nothing is raised.)"""
    found = next(((n, v) for n, v in made if v is not None and not math.isfinite(v)), None)
    if found is None:
        return
    node, value = found
    ends = (f"{seed.label} to {node.label}" if forward else f"{node.label} to {seed.label}")
    raise NotFiniteError(
        f"the {semiring.name} sweep over the paths from {ends} gives {value!r}: the products "
        "of the rate factors along some of these paths overflow the float range (every rate is "
        "finite, but a path multiplies them), or two such sums of opposite signs meet. Scale "
        "down the values these rates are made of",
        f"the {semiring.name} of the paths from {ends} became {value!r}",
    )


def adjoints(target: Value | Graph) -> list[float]:
    """``∂C/∂node`` for every node of the graph, by position: the reverse sweep (BP1-BP4).

    ``sweep_backward`` over :data:`SUM_PRODUCT`, with 0 where a node does not reach ``C``.

    Equations BP1-BP4: on a network's graph the adjoint of ``z^l_j`` is ``δ^l_j``.

    >>> import pathgrad as pg
    >>> x = pg.Value(3.0, name="x")
    >>> pg.adjoints(x * x)       # by position in the graph's nodes: [∂y/∂x, ∂y/∂y]
    [6.0, 1.0]
    """
    graph = as_graph(target)
    return [0.0 if v is None else v for v in sweep_backward(graph, SUM_PRODUCT)]


def grad(output: Value | Graph, wrt: Sequence[Value] | Value) -> list[float]:
    """``[∂C/∂w for w in wrt]`` by one reverse sweep; nothing is mutated.

    A node that does not reach ``C`` gets 0.

    Equations BP1-BP4: one reverse sweep (backpropagation) gives ``∂C/∂w`` for every ``w`` at
    once.

    >>> import pathgrad as pg
    >>> w, x = pg.Value(0.5, name="w"), pg.Value(1.5, name="x")
    >>> C = (w * x - 1.0) ** 2
    >>> pg.grad(C, [w, x])       # [2(wx - 1)x, 2(wx - 1)w]
    [-0.75, -0.25]
    """
    graph = as_graph(output)
    positions = [graph.position(node, "grad(C, [w, ...])") for node in node_list(wrt)]
    adj = adjoints(graph)
    return [0.0 if i is None else adj[i] for i in positions]


def forward_grad(output: Value | Graph, wrt: Value) -> float:
    """``∂C/∂w`` by one forward sweep: carry ``tan[w] = 1`` (a unit change Δw) to ``C``.

    Equations 47-50: the change in ``w`` moves each later node by ``rate · change of its
    parent``, summed over its parents: ``sweep_forward`` over :data:`SUM_PRODUCT`. Called
    with the output node, it builds no :class:`Graph` and costs about one reverse sweep.

    >>> import pathgrad as pg
    >>> w, x = pg.Value(0.5, name="w"), pg.Value(1.5, name="x")
    >>> pg.forward_grad((w * x - 1.0) ** 2, w)    # 2(wx - 1)x, as the reverse sweep gives
    -0.75
    """
    after = forward_order(output, wrt, "forward_grad(C, w)")
    if after is None:
        return 0.0
    return pull(after, wrt, SUM_PRODUCT).get(output_of(output), 0.0)


def forward_grads(output: Value | Graph, wrt: Iterable[Value]) -> list[float]:
    """One forward sweep per node in ``wrt``: the costly way to get a whole gradient.

    Equations 47-50, once per node: ``P`` forward sweeps where one reverse sweep (BP1-BP4)
    gives the same ``P`` numbers.

    >>> import pathgrad as pg
    >>> w, x = pg.Value(0.5, name="w"), pg.Value(1.5, name="x")
    >>> pg.forward_grads((w * x - 1.0) ** 2, [w, x])
    [-0.75, -0.25]
    """
    graph = as_graph(output)
    return [forward_grad(graph, w) for w in wrt]
