"""Reverse and forward sweeps: two ways to add up the rate factors of every path.

Equation 53 writes ``∂C/∂w`` as a sum, over every path from ``w`` to ``C``, of the product of
the rate factors along the path. Nobody needs to list the paths to get that sum: the products
share their prefixes and suffixes, so the sum factors edge by edge.

* **Reverse sweep** (backpropagation). Seed ``adj[C] = 1`` and go from ``C`` back to the
  leaves: ``adj[tail] += adj[head] * rate`` for every edge. Then ``adj[v]`` is the sum over
  paths from ``v`` to ``C``, for *every* ``v`` at once: one pass gives the gradient of ``C``
  with respect to every weight.
* **Forward sweep**. Seed ``tan[w] = 1`` and go from ``w`` towards ``C``:
  ``tan[head] += rate * tan[tail]``. This carries a small change ``Δw`` forward, as in
  equations 47-50; one pass gives ``∂C/∂w`` for *one* ``w``.

Both cost one multiply-add per edge; the reverse sweep wins when there are many weights and one
cost, which is the case in a neural network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .graph import Graph, as_graph
from .value import Value


def adjoints(target: Value | Graph) -> list[float]:
    """``∂C/∂node`` for every node of the graph, by position (reverse sweep, BP1-BP4)."""
    graph = as_graph(target)
    index = graph.index
    nodes = graph.nodes
    adj = [0.0] * len(nodes)
    adj[-1] = 1.0
    for i in range(len(nodes) - 1, -1, -1):
        a = adj[i]
        if a:
            node = nodes[i]
            for parent, rate in zip(node.parents, node.rates, strict=True):
                adj[index[parent]] += a * rate
    return adj


def grad(output: Value | Graph, wrt: Sequence[Value] | Value) -> list[float]:
    """``[∂C/∂w for w in wrt]`` by one reverse sweep; nothing is mutated.

    A node that does not reach ``C`` gets 0.
    """
    graph = as_graph(output)
    nodes = [wrt] if isinstance(wrt, Value) else list(wrt)
    adj = adjoints(graph)
    index = graph.index
    for node in nodes:
        if not isinstance(node, Value):
            raise TypeError(f"grad: expected Values to differentiate with respect to, got {node!r}")
    return [adj[index[node]] if node in index else 0.0 for node in nodes]


def forward_grad(output: Value | Graph, wrt: Value) -> float:
    """``∂C/∂w`` by one forward sweep: carry ``tan[w] = 1`` (a unit change Δw) to ``C``.

    Equations 47-50: the change in ``w`` moves each later node by ``rate * change of its
    parent``, summed over its parents.
    """
    graph = as_graph(output)
    if not isinstance(wrt, Value):
        raise TypeError(f"forward_grad: expected a Value, got {wrt!r}")
    start = graph.index.get(wrt)
    if start is None:
        return 0.0
    nodes = graph.nodes
    tangent = {wrt: 1.0}
    get = tangent.get
    for i in graph.reached_from(start)[1:]:
        node = nodes[i]
        total = 0.0
        for parent, rate in zip(node.parents, node.rates, strict=True):
            t = get(parent)
            if t is not None:
                total += rate * t
        tangent[node] = total
    return tangent.get(graph.output, 0.0)


def forward_grads(output: Value | Graph, wrt: Iterable[Value]) -> list[float]:
    """One forward sweep per node in ``wrt``: the costly way to get a whole gradient."""
    graph = as_graph(output)
    return [forward_grad(graph, w) for w in wrt]
