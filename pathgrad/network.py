"""A feedforward network in the book's notation, and the rate-factor graph of one example.

:class:`Network` keeps its parameters as numpy arrays laid out as in Nielsen's code:
``weights[l-2][j-1, k-1]`` is ``w^l_jk``, the weight from neuron ``k`` of layer ``l-1`` to
neuron ``j`` of layer ``l``, and ``biases[l-2]`` is the column ``b^l``. Layer 1 is the input.

For one training example ``(x, y)``, :meth:`Network.graph` turns the network into a graph of
pathgrad nodes whose names are the book's (``"w^2_12"``, ``"b^3_1"``, ``"z^2_1"``,
``"a^3_1"``, ``"C"``), at one of three levels of detail:

``"neuron"``
    Equation 53's graph. Leaves are the inputs ``a^1_k``, the weights and the biases; each
    neuron ``a^l_j = σ(Σ_k w^l_jk a^{l-1}_k + b^l_j)`` is one node with the rate factors
    ``∂a^l_j/∂w^l_jk = σ'(z^l_j) a^{l-1}_k``, ``∂a^l_j/∂a^{l-1}_k = σ'(z^l_j) w^l_jk`` and
    ``∂a^l_j/∂b^l_j = σ'(z^l_j)``; ``C`` has one edge ``∂C/∂a^L_m`` from each output neuron.
``"z"``
    The weighted inputs become nodes too (the footnote's clever step): ``z^l_j`` has edges of
    rate ``a^{l-1}_k`` from ``w^l_jk``, ``w^l_jk`` from ``a^{l-1}_k`` and 1 from ``b^l_j``, and
    ``a^l_j`` has one edge of rate ``σ'(z^l_j)`` from it. The adjoint of ``z^l_j`` is the error
    ``δ^l_j`` of BP1-BP2.
``"ops"``
    Every product ``w·a``, every sum and the cost's own arithmetic are separate nodes (unnamed),
    as a general-purpose autodiff engine would record them.

All three give the same ``∂C/∂w`` for every weight, by a reverse sweep or by summing over paths.
Names with an index of 10 or more separate the indices by commas (``"w^2_12,3"``).

:meth:`Network.backprop` takes the gradient from the neuron-level graph by one reverse sweep;
the trainer (:meth:`Network.sgd`) uses the matrix engine of :mod:`pathgrad.matrix` instead,
and the tests check that the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from . import matrix
from .activations import Activation, LayerActivation, LayerSpec, layer_activations
from .costs import Cost, get_cost
from .graph import Graph
from .sweeps import adjoints
from .value import Op, Value

LEVELS = ("neuron", "z", "ops")
INITS = ("standard", "scaled")


def book_name(symbol: str, layer: int, *indices: int) -> str:
    """``book_name("w", 2, 1, 2) == "w^2_12"``; indices of 10 or more are comma-separated."""
    if all(i < 10 for i in indices):
        return f"{symbol}^{layer}_{''.join(str(i) for i in indices)}"
    return f"{symbol}^{layer}_{','.join(str(i) for i in indices)}"


@cache
def _weight_names(layer: int, rows: int, cols: int) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(book_name("w", layer, j, k) for k in range(1, cols + 1)) for j in range(1, rows + 1)
    )


@cache
def _neuron_names(symbol: str, layer: int, n: int) -> tuple[str, ...]:
    return tuple(book_name(symbol, layer, j) for j in range(1, n + 1))


# ---------------------------------------------------------------------------------------------
# Operations of the neuron and z levels. Operands: w_j1..w_jn, a_1..a_n, b_j.


def _weighted_input(xs: Sequence[float], n: int) -> float:
    return sum(w * a for w, a in zip(xs[:n], xs[n : 2 * n], strict=True)) + xs[2 * n]


def _slope(activation: Activation, z: float) -> float:
    rates = activation.op.partials(z)
    return float(rates if isinstance(rates, (int, float)) else rates[0])


@cache
def neuron_op(activation: Activation, n: int) -> Op:
    """The operation ``a = σ(Σ_k w_k a_k + b)`` of one neuron with ``n`` inputs."""

    def value(*xs: float) -> float:
        return activation.op.fn(_weighted_input(xs, n))

    def partials(*xs: float) -> tuple[float, ...]:
        s = _slope(activation, _weighted_input(xs, n))
        return (*(s * a for a in xs[n : 2 * n]), *(s * w for w in xs[:n]), s)

    return Op(f"neuron[{activation.name}]", value, partials)


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
    def L(self) -> int:  # noqa: N802 - the book's name for the number of layers
        return len(self.layer_sizes)

    def _layer(self, l: int, first: int) -> None:  # noqa: E741 - the book's letter
        if not isinstance(l, (int, np.integer)) or not first <= l <= self.L:
            raise IndexError(
                f"layer l={l!r} out of range: this network has layers 1..{self.L} (1 is the "
                f"input) and this node exists for l = {first}..{self.L}"
            )

    def _neuron(self, l: int, j: int, what: str = "j") -> None:  # noqa: E741
        n = self.layer_sizes[l - 1]
        if not isinstance(j, (int, np.integer)) or not 1 <= j <= n:
            raise IndexError(f"neuron {what}={j!r} out of range: layer {l} has neurons 1..{n}")

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
            raise ValueError(
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


# ---------------------------------------------------------------------------------------------


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a list of layer widths such as [2, 3, 1], got {sizes!r}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"a network needs at least two layers (input and output), got sizes={sizes}"
        )
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(
                f"every layer needs a whole number of neurons >= 1, got sizes={sizes}"
            )
    return [int(n) for n in sizes]


class Network:
    """A feedforward network ``sizes = [n_1, ..., n_L]`` in Nielsen's layout.

    ``activation`` is one activation for every neuron, or one per non-input layer, or for a
    layer a list with one per neuron (see :func:`pathgrad.activations.layer_activations`).
    ``cost`` is "quadratic" (the book's), "cross-entropy" or a :class:`~pathgrad.costs.Cost`.
    ``init`` is "standard" (weights and biases N(0, 1), as in chapter 1) or "scaled" (weights
    N(0, 1/n_in), biases N(0, 1), the better initialisation of chapter 3).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: LayerSpec | Sequence[LayerSpec] = "sigmoid",
        cost: str | Cost = "quadratic",
        init: str = "standard",
        seed: int | None = None,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        self.num_layers = len(self.sizes)
        self.layers: list[LayerActivation] = layer_activations(activation, self.sizes)
        self.cost: Cost = get_cost(cost)
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose from {', '.join(INITS)}")
        self.init = init
        rng = np.random.default_rng(seed)
        self.biases: list[np.ndarray] = [rng.standard_normal((n, 1)) for n in self.sizes[1:]]
        scale = (lambda n_in: 1.0 / np.sqrt(n_in)) if init == "scaled" else (lambda n_in: 1.0)
        self.weights: list[np.ndarray] = [
            rng.standard_normal((n_out, n_in)) * scale(n_in)
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True)
        ]

    def __repr__(self) -> str:
        acts = [layer.uniform.name if layer.uniform else "mixed" for layer in self.layers]
        return f"Network({self.sizes}, activation={acts}, cost={self.cost.name!r})"

    # --- single examples and the forward pass --------------------------------------------

    def _x(self, x: Any) -> np.ndarray:
        return _column(x, self.sizes[0], "input x")

    def _y(self, y: Any) -> np.ndarray:
        return _target(y, self.sizes[-1])

    def feedforward(self, x: Any) -> np.ndarray:
        """The output ``a^L``: a column for one input, or a matrix for inputs as columns."""
        a = np.asarray(x, dtype=float)
        if a.ndim == 2 and a.shape[0] == self.sizes[0] and a.shape[1] > 1:
            _check_finite(a, "inputs")
        else:
            a = self._x(x)
        return matrix.feedforward(self.weights, self.biases, self.layers, a)

    def cost_of(self, x: Any, y: Any) -> float:
        """``C`` for one example."""
        a = self.feedforward(self._x(x))
        y = self._y(y)
        self.cost.check(a, y)
        return self.cost.fn(a, y)

    # --- graphs ---------------------------------------------------------------------------

    def graph(self, x: Any, y: Any, level: str = "neuron") -> NetworkGraph:
        """The rate-factor graph of ``C`` for the example ``(x, y)``; see the module docstring."""
        if level not in LEVELS:
            raise ValueError(f"unknown graph level {level!r}; choose from {', '.join(LEVELS)}")
        x, y = self._x(x), self._y(y)
        if level == "ops":
            return self._ops_graph(x, y)
        return self._fast_graph(x, y, with_z=(level == "z"))

    def _fast_graph(self, x: np.ndarray, y: np.ndarray, with_z: bool) -> NetworkGraph:
        # Values and rate factors come from one numpy forward pass; the nodes are then made
        # directly, each with the operation that would recompute it (for graph.evaluate).
        zs, acts = matrix.forward(self.weights, self.biases, self.layers, x)
        nodes: dict[str, dict] = {"w": {}, "b": {}, "a": {}, "z": {}}
        make = Value._make
        names = _neuron_names("a", 1, self.sizes[0])
        prev = [make(v, (), (), None, None, name) for v, name in zip(x[:, 0].tolist(), names)]
        nodes["a"][1] = prev
        for l in range(2, self.num_layers + 1):  # noqa: E741
            w, b, layer = self.weights[l - 2], self.biases[l - 2], self.layers[l - 2]
            n_out, n_in = w.shape
            w_nodes = [
                [make(v, (), (), None, None, name) for v, name in zip(row, row_names)]
                for row, row_names in zip(w.tolist(), _weight_names(l, n_out, n_in), strict=True)
            ]
            b_names = _neuron_names("b", l, n_out)
            b_nodes = [
                make(v, (), (), None, None, name) for v, name in zip(b[:, 0].tolist(), b_names)
            ]
            # Row j of `rates`: the rate factors of the edges from w^l_j1..w^l_jn, from
            # a^{l-1}_1..a^{l-1}_n and from b^l_j, into z^l_j (or, times σ'(z^l_j), into a^l_j).
            rates = np.hstack([np.tile(acts[l - 2][:, 0], (n_out, 1)), w, np.ones((n_out, 1))])
            slope = layer.prime(zs[l - 2])
            a_names = _neuron_names("a", l, n_out)
            if with_z:
                nodes["z"][l] = z_nodes = self._z_nodes(l, zs[l - 2], rates, w_nodes, prev, b_nodes)
                a_nodes = [
                    Value._make(aj, (zn,), (sj,), act.op, None, name)
                    for aj, zn, sj, act, name in zip(
                        acts[l - 1][:, 0].tolist(), z_nodes, slope[:, 0].tolist(),
                        layer.per_neuron, a_names, strict=True,
                    )
                ]
            else:
                a_nodes = [
                    Value._make(
                        aj, (*w_row, *prev, bj), tuple(row_rates), neuron_op(act, n_in), None, name
                    )
                    for aj, w_row, bj, row_rates, act, name in zip(
                        acts[l - 1][:, 0].tolist(), w_nodes, b_nodes, (slope * rates).tolist(),
                        layer.per_neuron, a_names, strict=True,
                    )
                ]
            nodes["w"][l], nodes["b"][l], nodes["a"][l] = w_nodes, b_nodes, a_nodes
            prev = a_nodes
        cost = self.cost.node(prev, y[:, 0].tolist())
        return NetworkGraph(cost, "z" if with_z else "neuron", self.sizes, nodes)

    @staticmethod
    def _z_nodes(l, z, rates, w_nodes, prev, b_nodes) -> list[Value]:  # noqa: E741
        op = weighted_input_op(len(prev))
        names = _neuron_names("z", l, len(b_nodes))
        return [
            Value._make(zj, (*w_row, *prev, bj), tuple(row_rates), op, None, name)
            for zj, w_row, bj, row_rates, name in zip(
                z[:, 0].tolist(), w_nodes, b_nodes, rates.tolist(), names, strict=True
            )
        ]

    def _ops_graph(self, x: np.ndarray, y: np.ndarray) -> NetworkGraph:
        nodes: dict[str, dict] = {"w": {}, "b": {}, "a": {}, "z": {}}
        names = _neuron_names("a", 1, self.sizes[0])
        prev = [Value(v, name=name) for v, name in zip(x[:, 0].tolist(), names, strict=True)]
        nodes["a"][1] = prev
        for l in range(2, self.num_layers + 1):  # noqa: E741
            w, b, layer = self.weights[l - 2], self.biases[l - 2], self.layers[l - 2]
            w_nodes = [
                [Value(v, name=name) for v, name in zip(row, row_names, strict=True)]
                for row, row_names in zip(w.tolist(), _weight_names(l, *w.shape), strict=True)
            ]
            b_names = _neuron_names("b", l, w.shape[0])
            b_nodes = [
                Value(v, name=name) for v, name in zip(b[:, 0].tolist(), b_names, strict=True)
            ]
            z_nodes, a_nodes = [], []
            for j, (row, bias) in enumerate(zip(w_nodes, b_nodes, strict=True), 1):
                total = row[0] * prev[0]
                for weight, a_in in zip(row[1:], prev[1:], strict=True):
                    total = total + weight * a_in
                z = total + bias
                z.name = book_name("z", l, j)
                z_nodes.append(z)
                a_nodes.append(layer[j - 1].op(z, name=book_name("a", l, j)))
            nodes["w"][l], nodes["b"][l] = w_nodes, b_nodes
            nodes["z"][l], nodes["a"][l] = z_nodes, a_nodes
            prev = a_nodes
        self.cost.check(np.array([n.data for n in prev]), y[:, 0])
        cost = self.cost.elementary(prev, y[:, 0].tolist())
        return NetworkGraph(cost, "ops", self.sizes, nodes)

    # --- gradients ------------------------------------------------------------------------

    def backprop(self, x: Any, y: Any, level: str = "neuron") -> tuple[list, list]:
        """``(nabla_b, nabla_w)`` for one example, by a reverse sweep over its graph.

        Nielsen's shapes: ``nabla_w[l-2][j-1, k-1] = ∂C/∂w^l_jk``, ``nabla_b[l-2]`` a column.
        """
        return self.graph(x, y, level=level).gradients()

    def deltas(self, x: Any, y: Any) -> list[np.ndarray]:
        """``[δ^2, ..., δ^L]``, ``δ^l_j = ∂C/∂z^l_j``, from the z-level graph (BP1, BP2)."""
        return self.graph(x, y, level="z").deltas()

    def matrix_backprop(self, X: Any, Y: Any) -> tuple[list, list]:
        """The gradient summed over the columns of ``X`` by the matrix engine (no graph)."""
        X = np.asarray(X, dtype=float)
        Y = np.asarray(Y, dtype=float)
        n_in, n_out = self.sizes[0], self.sizes[-1]
        if X.ndim != 2 or X.shape[0] != n_in:
            raise ValueError(
                f"X must have shape ({n_in}, m), one column per example; got {X.shape}"
            )
        if Y.shape != (n_out, X.shape[1]):
            raise ValueError(f"Y must have shape ({n_out}, {X.shape[1]}); got {Y.shape}")
        _check_finite(X, "inputs X")
        _check_finite(Y, "targets Y")
        return matrix.backprop(self.weights, self.biases, self.layers, self.cost, X, Y)

    # --- training and evaluation ----------------------------------------------------------

    def sgd(
        self,
        training_data: Any,
        epochs: int,
        mini_batch_size: int,
        eta: float,
        lmbda: float = 0.0,
        test_data: Any = None,
        seed: int | None = None,
        progress: bool | None = None,
        callback: Any = None,
    ):
        """Mini-batch stochastic gradient descent with the matrix engine; see
        :func:`pathgrad.training.sgd`. Returns the per-epoch :class:`~pathgrad.training.History`.
        """
        from .training import sgd

        return sgd(
            self, training_data, epochs, mini_batch_size, eta, lmbda=lmbda,
            test_data=test_data, seed=seed, progress=progress, callback=callback,
        )

    def evaluate(self, test_data: Any) -> int:
        """How many examples the network classifies right (largest output = the label)."""
        from .training import as_dataset

        data = as_dataset(test_data, self.sizes[0], self.sizes[-1], "test_data")
        return data.correct(self)

    def accuracy(self, test_data: Any) -> float:
        """The fraction of examples classified right."""
        from .training import as_dataset

        data = as_dataset(test_data, self.sizes[0], self.sizes[-1], "test_data")
        return data.correct(self) / len(data)

    def total_cost(self, data: Any, lmbda: float = 0.0) -> float:
        """The mean cost over ``data`` plus the L2 term ``(λ/2n) Σ w²`` when ``lmbda > 0``."""
        from .training import as_dataset

        dataset = as_dataset(data, self.sizes[0], self.sizes[-1], "data")
        return dataset.mean_cost(self, lmbda)

    # --- files ----------------------------------------------------------------------------

    def save(self, path: Any) -> None:
        """Save sizes, activations, cost and parameters to a ``.npz`` file (no pickles)."""
        from .serialize import save

        save(self, path)

    @classmethod
    def load(cls, path: Any, activations: dict[str, Activation] | None = None) -> Network:
        """Load a network saved by :meth:`save`; ``activations`` supplies user-defined ones."""
        from .serialize import load

        return load(path, activations)


def _check_finite(a: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what} contain NaN or infinity; clean the data before using it")


def _column(x: Any, n: int, what: str) -> np.ndarray:
    """``x`` as an ``(n, 1)`` float column, from a column, a row or a flat list."""
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be {n} numbers, got {x!r:.80}") from None
    if a.size != n or (a.ndim == 2 and 1 not in a.shape) or a.ndim > 2:
        raise ValueError(
            f"{what} must hold {n} numbers (a column vector of shape ({n}, 1) or a flat "
            f"list), got shape {a.shape}"
        )
    a = a.reshape(n, 1)
    _check_finite(a, what)
    return a


def _target(y: Any, n_out: int) -> np.ndarray:
    """``y`` as an ``(n_out, 1)`` column; a whole-number label becomes a one-hot column."""
    if isinstance(y, (int, np.integer)) and not isinstance(y, bool) and n_out > 1:
        if not 0 <= y < n_out:
            raise ValueError(
                f"label {y} out of range: the network has {n_out} outputs (0..{n_out - 1})"
            )
        column = np.zeros((n_out, 1))
        column[int(y), 0] = 1.0
        return column
    return _column(y, n_out, "desired output y")
