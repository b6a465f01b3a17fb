"""The graph of one example through a network, in the book's names and at three levels.

:meth:`pathgrad.Network.graph` builds a :class:`NetworkGraph`: a :class:`~pathgrad.graph.Graph`
whose nodes carry the book's names (``"w^2_12"``, ``"b^3_1"``, ``"z^2_1"``, ``"a^3_1"``,
``"C"``) and which answers the book's indices: ``g.w(l, j, k)``, ``g.b(l, j)``, ``g.a(l, j)``,
``g.z(l, j)``. Its :meth:`~NetworkGraph.gradients` and :meth:`~NetworkGraph.deltas` read BP1-BP4
off one reverse sweep. The operations here make the single node of a neuron
(``a = σ(Σ_k w_k a_k + b)``) and of a weighted input (``z = Σ_k w_k a_k + b``), each with the
rate factors of equation 53, so the graph can be re-evaluated at other weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache, reduce
from operator import add, mul

import numpy as np

from ..graph import Graph
from ..support.errors import PathgradIndexError, PathgradValueError
from ..sweeps import adjoints
from ..value import Op, Value
from .activations import Activation


def book_name(symbol: str, layer: int, *indices: int) -> str:
    """``book_name("w", 2, 1, 2) == "w^2_12"``; indices of 10 or more are comma-separated."""
    return f"{symbol}^{layer}_{subscript(*indices)}"


def subscript(*indices: int) -> str:
    """The indices of a name: ``"12"`` for 1, 2, and ``"12,3"`` once one is 10 or more."""
    return ("" if all(i < 10 for i in indices) else ",").join(str(i) for i in indices)


@cache
def weight_names(layer: int, rows: int, cols: int) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(book_name("w", layer, j, k) for k in range(1, cols + 1)) for j in range(1, rows + 1)
    )


@cache
def neuron_names(symbol: str, layer: int, n: int) -> tuple[str, ...]:
    return tuple(book_name(symbol, layer, j) for j in range(1, n + 1))


# ---------------------------------------------------------------------------------------------
# Operations of the neuron and z levels. Operands: w_j1..w_jn, a_1..a_n, b_j.


def weighted_sum(weights: Iterable[float], inputs: Iterable[float], bias: float) -> float:
    """``b + w_1 a_1 + w_2 a_2 + ...``, added left to right: micrograd's order, so a neuron
    of :mod:`pathgrad.nn.modules` gives micrograd's numbers to the last bit. (The operations
    below, which only re-evaluate a graph, may add in another order: equal to rounding.)"""
    return reduce(add, map(mul, weights, inputs), bias)


def _weighted_input(xs: Sequence[float], n: int) -> float:
    return sum(w * a for w, a in zip(xs[:n], xs[n : 2 * n], strict=True)) + xs[2 * n]


def slope_at(op: Op, z: float) -> float:
    """``σ'(z)`` from a one-operand operation ``σ``: the rate factor of the edge ``z → a``."""
    rates = op.partials(z)
    return float(rates if isinstance(rates, (int, float)) else rates[0])


#: The activation and the number of inputs of each operation :func:`neuron_op` has made.
_NEURON_OPS: dict[Op, tuple[Activation, int]] = {}


@cache
def neuron_op(activation: Activation, n: int) -> Op:
    """The operation ``a = σ(Σ_k w_k a_k + b)`` of one neuron with ``n`` inputs."""

    def value(*xs: float) -> float:
        return activation.op.fn(_weighted_input(xs, n))

    def partials(*xs: float) -> tuple[float, ...]:
        s = slope_at(activation.op, _weighted_input(xs, n))
        return (*(s * a for a in xs[n : 2 * n]), *(s * w for w in xs[:n]), s)

    op = Op(f"neuron[{activation.name}]", value, partials)
    _NEURON_OPS[op] = (activation, n)
    return op


def activation_input(node: Value) -> tuple[Op, float] | None:
    """``(σ, z)`` for a node ``a = σ(z)``: made by a one-operand operation ``σ`` from ``z``, or
    by a :func:`neuron_op` (``z`` is then worked out from its operands); None otherwise."""
    op = node.op
    if op is None:
        return None
    operands = node.operands
    found = _NEURON_OPS.get(op)
    if found is not None:
        activation, n = found
        xs = [x.data if isinstance(x, Value) else x for x in operands]
        return activation.op, _weighted_input(xs, n)
    if len(operands) != 1:
        return None
    (x,) = operands
    return op, x.data if isinstance(x, Value) else float(x)


@cache
def weighted_input_op(n: int) -> Op:
    """The operation ``z = Σ_k w_k a_k + b`` with rates ``a_k``, ``w_k`` and 1."""

    def value(*xs: float) -> float:
        return _weighted_input(xs, n)

    def partials(*xs: float) -> tuple[float, ...]:
        return (*xs[n : 2 * n], *xs[:n], 1.0)

    return Op("weighted input", value, partials)


# ---------------------------------------------------------------------------------------------


class NetworkGraph(Graph):
    """The graph of one example through a :class:`Network`, with book-notation accessors.

    ``g.w(l, j, k)``, ``g.b(l, j)``, ``g.a(l, j)``, ``g.z(l, j)`` take the book's indices
    (layer 1 is the input, neurons from 1); ``g.C`` is the cost. :meth:`gradients` maps the
    reverse sweep back to arrays in Nielsen's shapes and :meth:`deltas` reads off ``δ^l``.

    Equations BP1-BP4 and 53: at the ``z`` level the adjoint of ``z^l_j`` is ``δ^l_j``; at the
    neuron level every edge carries one of equation 53's rate factors.

    >>> import numpy as np
    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> g = net.graph([[0.5], [-0.3]], [[1.0], [0.0]], level="z")
    >>> g.w(2, 1, 2).name, g.z(3, 1).name, g.C.name
    ('w^2_12', 'z^3_1', 'C')
    >>> [np.round(delta.ravel(), 6) for delta in g.deltas()]    # δ², δ³ (BP1, BP2)
    [array([-0.029211,  0.033792,  0.005884]), array([-0.117821,  0.142481])]
    """

    def __init__(self, cost: Value, level: str, layer_sizes: Sequence[int], nodes: dict) -> None:
        super().__init__(cost)
        self.level = level
        self.layer_sizes: tuple[int, ...] = tuple(layer_sizes)
        self._w: dict[int, list[list[Value]]] = nodes["w"]
        self._b: dict[int, list[Value]] = nodes["b"]
        self._a: dict[int, list[Value]] = nodes["a"]
        self._z: dict[int, list[Value]] = nodes["z"]

    @property
    def L(self) -> int:
        return len(self.layer_sizes)

    def _layer(self, l: int, first: int) -> None:  # noqa: E741 - the book's letter
        if not isinstance(l, (int, np.integer)) or not first <= l <= self.L:
            raise PathgradIndexError(
                f"layer l={l!r} out of range: this network has layers 1..{self.L} (1 is the "
                f"input) and this node exists for l = {first}..{self.L}"
            )

    def _neuron(self, l: int, j: int, what: str = "j") -> None:  # noqa: E741
        n = self.layer_sizes[l - 1]
        if not isinstance(j, (int, np.integer)) or not 1 <= j <= n:
            raise PathgradIndexError(
                f"neuron {what}={j!r} out of range: layer {l} has neurons 1..{n}"
            )

    def w(self, l: int, j: int, k: int) -> Value:  # noqa: E741
        """The node ``w^l_jk`` (from neuron k of layer l-1 to neuron j of layer l)."""
        self._layer(l, 2)
        self._neuron(l, j)
        self._neuron(l - 1, k, "k")
        return self._w[l][j - 1][k - 1]

    def b(self, l: int, j: int) -> Value:  # noqa: E741
        """The node ``b^l_j``."""
        self._layer(l, 2)
        self._neuron(l, j)
        return self._b[l][j - 1]

    def a(self, l: int, j: int) -> Value:  # noqa: E741
        """The node ``a^l_j`` (``a^1_j`` is input j)."""
        self._layer(l, 1)
        self._neuron(l, j)
        return self._a[l][j - 1]

    def z(self, l: int, j: int) -> Value:  # noqa: E741
        """The node ``z^l_j`` (levels "z" and "ops" only)."""
        if not self._z:
            raise PathgradValueError(
                "the neuron-level graph has no z nodes (each neuron is one node a = σ(z)); "
                "build it with net.graph(x, y, level='z') or level='ops'"
            )
        self._layer(l, 2)
        self._neuron(l, j)
        return self._z[l][j - 1]

    def params(self) -> list[Value]:
        """Every weight and bias node, layer by layer: ``w^l`` row by row, then ``b^l``."""
        out: list[Value] = []
        for l in range(2, self.L + 1):  # noqa: E741
            for row in self._w[l]:
                out.extend(row)
            out.extend(self._b[l])
        return out

    def gradients(self, adj: Sequence[float] | None = None) -> tuple[list, list]:
        """``(nabla_b, nabla_w)`` in Nielsen's shapes from the adjoints (one reverse sweep).

        BP3 and BP4 read on the graph: ``∂C/∂b^l_j`` and ``∂C/∂w^l_jk`` are the adjoints of
        the bias and weight nodes.
        """
        adj_array = np.asarray(adjoints(self) if adj is None else adj, dtype=float)
        index = self.index
        nabla_b, nabla_w = [], []
        for l in range(2, self.L + 1):  # noqa: E741
            w_pos = [index[node] for row in self._w[l] for node in row]
            b_pos = [index[node] for node in self._b[l]]
            shape = (self.layer_sizes[l - 1], self.layer_sizes[l - 2])
            nabla_w.append(adj_array[w_pos].reshape(shape))
            nabla_b.append(adj_array[b_pos].reshape(-1, 1))
        return nabla_b, nabla_w

    def deltas(self, adj: Sequence[float] | None = None) -> list[np.ndarray]:
        """``[δ^2, ..., δ^L]`` as columns: the adjoints ``∂C/∂z^l_j`` of the z nodes."""
        if not self._z:
            self.z(2, 1)  # raises the explanation
        adj_array = np.asarray(adjoints(self) if adj is None else adj, dtype=float)
        index = self.index
        return [
            adj_array[[index[node] for node in self._z[l]]].reshape(-1, 1)
            for l in range(2, self.L + 1)  # noqa: E741
        ]

    def __repr__(self) -> str:
        sizes = ",".join(str(n) for n in self.layer_sizes)
        return (
            f"<NetworkGraph [{sizes}] level={self.level!r}: {len(self.nodes)} nodes, "
            f"{self.edge_count} edges>"
        )
