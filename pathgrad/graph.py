"""The graph behind an output node: its nodes in topological order and its weighted edges.

Every question pathgrad answers is a sweep over the nodes that reach the output ``C``, taken
in an order where each node comes after all of its parents. An iterative post-order walk from
``C`` finds one: a node is listed once all of its parents are, and its parents are walked
first to last, so the first operand's side of the graph comes first. The walk keeps its own
stack (no recursion, so a chain of a million nodes is fine) and needs nothing stored on the
nodes: a node is a number, its parents and their rates, and nothing else.

An :class:`Edge` is ``tail -> head`` with its rate factor ``∂head/∂tail``; parallel edges
(``x * x``) appear once each.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from types import FrameType
from typing import NamedTuple

from .names import name_hint, typed_name
from .support.errors import PathgradKeyError, PathgradTypeError, PathgradValueError, PathgradWarning
from .value import SEVERAL, Value, _as_float


class Edge(NamedTuple):
    """One edge of the graph, ``src -> dst``, carrying ``rate = ∂dst/∂src``.

    Equation 53: ``rate`` is one factor of the product of every path through this edge.

    >>> import pathgrad as pg
    >>> x = pg.Value(3.0, name="x")
    >>> [edge.rate for edge in pg.Graph(x * x).edges]   # x * x: two edges, each of rate x
    [3.0, 3.0]
    """

    src: Value
    dst: Value
    rate: float


def topological_order(output: Value) -> list[Value]:
    """Every node that reaches ``output`` (itself included), parents before children.

    Equations 47-50 and BP1-BP4: the forward sweep visits the nodes in this order and the
    reverse sweep (backpropagation) in the opposite one.

    >>> import pathgrad as pg
    >>> x = pg.Value(3.0, name="x")
    >>> y = (2 * x).exp()
    >>> [node.data for node in pg.topological_order(y)]    # x, then 2x, then exp(2x)
    [3.0, 6.0, 403.4287934927351]
    """
    return _post_order(output)[0]


def _post_order(output: Value) -> tuple[list[Value], dict[Value, int]]:
    """The nodes that reach ``output`` in post order, and each one's position in that list.

    A node is listed when it is popped the second time, after its parents (pushed last to
    first above it) are all listed; a node pushed again before its first visit is skipped.
    """
    if not isinstance(output, Value):
        raise PathgradTypeError(
            f"expected a pathgrad Value as the output, got {type(output).__name__}"
        )
    listed: list[Value] = []
    index: dict[Value, int] = {}
    entered: set[Value] = set()
    stack = [output]
    pop, push, append, enter = stack.pop, stack.append, listed.append, entered.add
    while stack:
        node = pop()
        if node in index:
            continue
        first, second = node._parent1, node._parent2  # the edge slots of Value
        if first is None or node in entered:
            index[node] = len(listed)
            append(node)
            continue
        enter(node)
        push(node)
        if second is SEVERAL:
            for parent in reversed(first):
                if parent not in index:
                    push(parent)
            continue
        if second is not None and second not in index:
            push(second)
        if first not in index:
            push(first)
    return listed, index


def operation_order(output: Value) -> list[Value]:
    """The nodes with parents that reach ``output``, parents before children.

    :func:`topological_order` without the leaves, in the same relative order (the order
    :meth:`Value.backward` sweeps in): what a sweep that starts at a leaf needs to visit,
    since a leaf other than the start holds nothing a sweep could carry.
    """
    listed: list[Value] = []
    if output._parent1 is None:
        return listed
    done: set[Value] = set()
    entered: set[Value] = set()
    stack = [output]
    pop, push, append, enter, finish = stack.pop, stack.append, listed.append, entered.add, done.add
    while stack:
        node = pop()
        if node in entered:
            if node not in done:
                finish(node)
                append(node)
            continue
        enter(node)
        push(node)
        first, second = node._parent1, node._parent2  # the edge slots of Value
        if second is SEVERAL:
            for parent in reversed(first):
                if parent._parent1 is not None and parent not in done:
                    push(parent)
            continue
        if second is not None and second._parent1 is not None and second not in done:
            push(second)
        if first._parent1 is not None and first not in done:
            push(first)
    return listed


def _first_outside_pathgrad() -> int:
    """The ``stacklevel`` that points a warning at the caller's own code, outside pathgrad."""
    frame: FrameType | None = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("pathgrad."):
        frame, level = frame.f_back, level + 1
    return level


class Graph:
    """The nodes and edges that lead to one output, usually the cost ``C``.

    ``nodes`` is in topological order and ends with the output. ``index[node]`` is a node's
    position in it. Children lists (for listing paths and drawing sweeps) are built once,
    when first asked for; no sweep needs them.

    ``evaluations`` counts the times the graph has been re-run (:meth:`values_at`,
    :meth:`value_at`, :meth:`evaluate`) and ``edges_read`` the operands those runs read to
    compute a node (one per edge into a recomputed node): the work finite differences
    (equation 46) really do, counted as it happens.

    Equations 51-53: the edges and their rates are what every sum over paths multiplies and
    adds; equation 46 re-runs the graph (``value_at``) at a nudged input.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> g = pg.Graph((a + b) * (b + 1))
    >>> len(g.nodes), len(g.edges), g.output.data
    (5, 5, 6.0)
    >>> g.value_at({b: 2.0})    # (a + b)(b + 1) again, at b = 2
    12.0
    """

    def __init__(self, output: Value) -> None:
        self.output = output
        nodes, index = _post_order(output)
        self.nodes: list[Value] = nodes
        self.index: dict[Value, int] = index
        self._children: list[list[Edge]] | None = None
        self._names: dict[str, Value] | None = None
        self.evaluations = 0
        self.edges_read = 0

    @property
    def C(self) -> Value:
        """The output node (the cost ``C`` in the book)."""
        return self.output

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node: object) -> bool:
        return node in self.index

    def __iter__(self) -> Iterator[Value]:
        return iter(self.nodes)

    def __repr__(self) -> str:
        return f"<Graph of {self.output.label}: {len(self.nodes)} nodes, {self.edge_count} edges>"

    @property
    def edge_count(self) -> int:
        return sum(len(node.parents) for node in self.nodes)

    @property
    def edges(self) -> list[Edge]:
        """Every edge, grouped by head in topological order, parallel edges kept."""
        return [
            Edge(parent, node, rate)
            for node in self.nodes
            for parent, rate in zip(node.parents, node.rates, strict=True)
        ]

    @property
    def leaves(self) -> list[Value]:
        """Nodes made by no operation: inputs, weights and biases."""
        return [node for node in self.nodes if node.op is None]

    def parents(self, node: Value) -> list[Edge]:
        """The edges into ``node``."""
        self._require(node)
        return [
            Edge(parent, node, rate)
            for parent, rate in zip(node.parents, node.rates, strict=True)
        ]

    def children(self, node: Value) -> list[Edge]:
        """The edges out of ``node`` (within this graph), in topological order of their heads."""
        self._require(node)
        return self.children_lists()[self.index[node]]

    def children_lists(self) -> list[list[Edge]]:
        """For each node, by position, the edges out of it."""
        if self._children is None:
            lists: list[list[Edge]] = [[] for _ in self.nodes]
            index = self.index
            for node in self.nodes:
                for parent, rate in zip(node.parents, node.rates, strict=True):
                    lists[index[parent]].append(Edge(parent, node, rate))
            self._children = lists
        return self._children

    def reached_from(self, start: int) -> list[int]:
        """Positions of the nodes a change at position ``start`` reaches, in topological order.

        On a network, a weight ``w^2_jk`` reaches one neuron of layer 2 and what follows it.
        This follows the children lists, built once for the graph: it serves a caller that
        asks about many nodes of one graph (the explorer's nudges). A single forward question
        needs no children: the sweeps pull from parents.
        """
        children = self.children_lists()
        index = self.index
        seen = {start}
        stack = [start]
        while stack:
            for edge in children[stack.pop()]:
                position = index[edge.dst]
                if position not in seen:
                    seen.add(position)
                    stack.append(position)
        return sorted(seen)

    def find(self, name: str) -> Value:
        """The node with this name, as typed (``"w^2_12"``, ``"C"``) or as printed (``"w²₁₂"``)."""
        if self._names is None:
            self._names = {}
            for node in self.nodes:
                if node.name is not None:
                    self._names.setdefault(node.name, node)
        found = self._names.get(name) if isinstance(name, str) else None
        if found is None and isinstance(name, str):
            found = self._names.get(typed_name(name))
        if found is None:
            raise PathgradKeyError(
                f"no node named {name!r} in this graph; {name_hint(str(name), list(self._names))}"
            )
        return found

    def __getitem__(self, name: str) -> Value:
        return self.find(name)

    def position(self, node: Value, usage: str, strict: bool = False) -> int | None:
        """``node``'s position, or None, with a warning, when it does not reach the output.

        A node that does not reach the output has no paths to it and a derivative of 0: that
        is the answer, but it usually means a node of another graph, so a
        :class:`~pathgrad.support.errors.PathgradWarning` says so (an error with ``strict``). A node
        computed *from* the output cannot change it: that is always an error, the arguments
        swapped (``usage`` shows the order, such as ``"path_sum(w, C)"``).
        """
        check_node(node, usage)
        where = self.index.get(node)
        if where is not None:
            return where
        not_reaching(node, self.output, usage, strict)
        return None

    def _require(self, node: Value) -> None:
        if node not in self.index:
            raise PathgradValueError(
                f"{node!r} is not in this graph (it does not reach {self.output!r})"
            )

    def values_at(self, subs: Mapping[Value, float]) -> list[float]:
        """Every node's value, by position, with the nodes in ``subs`` set to new values.

        A substituted node keeps its new value whatever its operands are (so an intermediate
        node such as ``z^l_j`` can be nudged, as the book's demon does); all nodes after it
        are recomputed. The graph itself is not changed.
        """
        return self._values_and_rates(subs, with_rates=False)[0]

    def value_at(self, subs: Mapping[Value, float]) -> float:
        """The output's value with the nodes in ``subs`` set to new values."""
        return self.values_at(subs)[-1]

    def evaluate(self, subs: Mapping[Value, float] | None = None) -> Graph:
        """A copy of this graph recomputed with the nodes in ``subs`` set to new values.

        Values and rate factors are recomputed; the original graph and its nodes are unchanged.
        The copy's ``nodes[i]`` corresponds to this graph's ``nodes[i]`` and keeps its name.
        """
        values, rates = self._values_and_rates(subs or {}, with_rates=True)
        copies: list[Value] = []
        for i, node in enumerate(self.nodes):
            parents = tuple(copies[self.index[p]] for p in node.parents)
            if node.args is None:
                args = None
            else:
                args = tuple(
                    copies[self.index[a]] if isinstance(a, Value) else a for a in node.args
                )
            copies.append(
                Value._made_finite(values[i], parents, rates[i], node.op, args, node.name)
            )
        return Graph(copies[-1])

    def _values_and_rates(self, subs: Mapping[Value, float], with_rates: bool):
        fixed = self._positions_of(subs)
        index = self.index
        values: list[float] = []
        all_rates: list[tuple] = []
        read = 0
        for i, node in enumerate(self.nodes):
            if i in fixed:
                data = fixed[i]
                # A node held at a fixed value no longer depends on its operands.
                rates = tuple(0.0 for _ in node.parents)
            elif node.op is None:
                data, rates = node.data, ()
            else:
                operands = node.operands
                read += len(node.parents)
                xs = [values[index[a]] if isinstance(a, Value) else a for a in operands]
                data, op_rates = node.op.evaluate(xs, operands)
                rates = tuple(
                    r for a, r in zip(operands, op_rates, strict=True) if isinstance(a, Value)
                )
            values.append(data)
            if with_rates:
                all_rates.append(rates)
        self.evaluations += 1
        self.edges_read += read
        return values, all_rates

    def _positions_of(self, subs: Mapping[Value, float]) -> dict[int, float]:
        fixed = {}
        for node, value in subs.items():
            if not isinstance(node, Value):
                raise PathgradTypeError(f"evaluate takes {{Value: number}}, got the key {node!r}")
            if node not in self.index:
                raise PathgradValueError(
                    f"{node!r} is not in this graph: it does not reach {self.output!r}"
                )
            fixed[self.index[node]] = _as_float(value, f"new value for {node.label}")
        return fixed


def check_node(node: object, usage: str) -> None:
    """Refuse anything but a Value where ``usage`` (``"forward_grad(C, w)"``) wants a node."""
    if not isinstance(node, Value):
        who = usage.split("(")[0]
        raise PathgradTypeError(f"{who}: expected a pathgrad Value, got {node!r:.60}")


def not_reaching(node: Value, output: Value, usage: str, strict: bool = False) -> None:
    """Say that ``node`` does not reach ``output``: a warning (an error with ``strict``), or
    always an error when ``node`` is computed from ``output``, the arguments swapped."""
    who = usage.split("(")[0]
    if output in _post_order(node)[1]:
        raise PathgradValueError(
            f"{who}: {node.label} is computed from {output.label}, so it cannot change it; "
            f"the arguments look swapped: the call is {usage}"
        )
    problem = (
        f"{who}: {node.label} does not reach {output.label} (it is not in its graph), so "
        "there is no path and the derivative is 0; is it a node of another graph?"
    )
    if strict:
        raise PathgradValueError(problem)
    warnings.warn(problem, PathgradWarning, stacklevel=_first_outside_pathgrad())


def node_list(nodes: Iterable[Value] | Value) -> list[Value]:
    """One node or several as a list: ``wrt=w`` means ``wrt=[w]``."""
    return [nodes] if isinstance(nodes, Value) else list(nodes)


def as_graph(target: Value | Graph) -> Graph:
    """A Graph for an output node, or the graph itself."""
    if isinstance(target, Graph):
        return target
    if isinstance(target, Value):
        return Graph(target)
    raise PathgradTypeError(f"expected a pathgrad Value or Graph, got {type(target).__name__}")
