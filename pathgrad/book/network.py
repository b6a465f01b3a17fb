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
the trainer (:meth:`Network.sgd`) uses the matrix engine of :mod:`pathgrad.book.matrix`
instead, and the tests check that the two agree. The graphs themselves are built by the
operations of :mod:`pathgrad.book.network_graphs`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..support.arguments import float_array, one_of, whole_number
from ..support.errors import PathgradTypeError, PathgradValueError
from ..support.limits import DEFAULT_MAX_BYTES, check_limit, size_text
from ..value import Value
from . import files, matrix
from .activations import Activation, LayerActivation, LayerSpec, layer_activations
from .data import one_hot_rows
from .graph_sizes import DEFAULT_MAX_NODES, graph_size
from .losses import Cost, get_cost
from .network_graphs import (
    NetworkGraph,
    book_name,
    neuron_names,
    neuron_op,
    weight_names,
    weighted_input_op,
)
from .training import EpochRecord, History, as_dataset, sgd

LEVELS = ("neuron", "z", "ops")
INITS = ("standard", "scaled")


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise PathgradTypeError(
            f"sizes must be a list of layer widths such as [2, 3, 1], got {sizes!r}"
        )
    sizes = list(sizes)
    if len(sizes) < 2:
        raise PathgradValueError(
            f"a network needs at least two layers (input and output), got sizes={sizes}"
        )
    return [
        whole_number(n, f"the number of neurons in layer {layer} of sizes={sizes}", least=1)
        for layer, n in enumerate(sizes, 1)
    ]


class Network:
    """A feedforward network ``sizes = [n_1, ..., n_L]`` in Nielsen's layout.

    ``activation`` is one activation for every neuron, or one per non-input layer, or for a
    layer a list with one per neuron (see :func:`pathgrad.activations.layer_activations`).
    ``cost`` is "quadratic" (the book's), "cross-entropy" or a :class:`~pathgrad.costs.Cost`.
    ``init`` is "standard" (weights and biases N(0, 1), as in chapter 1) or "scaled" (weights
    N(0, 1/n_in), biases N(0, 1), the better initialisation of chapter 3). Given ``weights``
    and ``biases`` (Nielsen's shapes, checked) the network starts from those instead.
    Parameters taking more than ``max_bytes`` (default 1 GiB, 134 million of them) are
    refused before anything is allocated.

    Equations BP1-BP4: ``backprop`` is the book's backpropagation for one example, ``deltas``
    its ``δ^l``, and ``graph`` the same network as a rate-factor graph (equation 53).

    >>> import numpy as np
    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> x, y = np.array([[0.5], [-0.3]]), np.array([[1.0], [0.0]])
    >>> [w.shape for w in net.weights]                 # weights[l-2][j-1, k-1] is w^l_jk
    [(3, 2), (2, 3)]
    >>> nabla_b, nabla_w = net.backprop(x, y)
    >>> g = net.graph(x, y)
    >>> bool(nabla_w[0][0, 1] == pg.grad(g, [g.w(2, 1, 2)])[0])   # BP4 = the reverse sweep
    True
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: LayerSpec | Sequence[LayerSpec] = "sigmoid",
        cost: str | Cost = "quadratic",
        init: str = "standard",
        seed: int | None = None,
        weights: Sequence[Any] | None = None,
        biases: Sequence[Any] | None = None,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        parameters = graph_size(self.sizes).parameters
        check_limit(
            8 * parameters, max_bytes, "max_bytes",
            f"Network {self.sizes} would hold {parameters:,} weights and biases "
            f"({size_text(8 * parameters)} of float64)",
            "Use narrower layers",
        )
        self.num_layers = len(self.sizes)
        self.layers: list[LayerActivation] = layer_activations(activation, self.sizes)
        self.cost: Cost = get_cost(cost)
        self.init = one_of(init, "init", INITS)
        if (weights is None) != (biases is None):
            raise PathgradValueError("give both weights and biases, or neither")
        if weights is not None and biases is not None:
            self.weights = _parameters(weights, self._weight_shapes(), "weights")
            self.biases = _parameters(biases, [(n, 1) for n in self.sizes[1:]], "biases")
            return
        rng = np.random.default_rng(seed)
        self.biases = [rng.standard_normal((n, 1)) for n in self.sizes[1:]]
        self.weights = [
            rng.standard_normal(shape) * (1.0 / np.sqrt(shape[1]) if init == "scaled" else 1.0)
            for shape in self._weight_shapes()
        ]

    def _weight_shapes(self) -> list[tuple[int, int]]:
        return [(n_out, n_in) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True)]

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
        a = float_array(x, "inputs x")
        if a.ndim == 2 and a.shape[0] == self.sizes[0] and a.shape[1] > 1:
            _check_finite(a, "inputs")
        else:
            a = self._x(x)
        return matrix.feedforward(self.weights, self.biases, self.layers, a)

    def cost_of(self, x: Any, y: Any) -> float:
        """``C`` for one example."""
        return matrix.cost(self.weights, self.biases, self.layers, self.cost, self._x(x),
                           self._y(y))

    # --- graphs ---------------------------------------------------------------------------

    def graph(
        self, x: Any, y: Any, level: str = "neuron", max_nodes: int | None = DEFAULT_MAX_NODES
    ) -> NetworkGraph:
        """The rate-factor graph of ``C`` for the example ``(x, y)``; see the module docstring.

        A graph of more than ``max_nodes`` nodes (default two million, about 0.7 GB) is refused
        before it is built, with its size (:func:`pathgrad.book.graph_sizes.graph_size`).
        """
        if level not in LEVELS:
            raise PathgradValueError(
                f"unknown graph level {level!r}; choose from {', '.join(LEVELS)}"
            )
        graph_size(self.sizes, level, self.cost.name).check(max_nodes)
        x, y = self._x(x), self._y(y)
        if level == "ops":
            return self._ops_graph(x, y)
        return self._fast_graph(x, y, with_z=(level == "z"))

    def _fast_graph(self, x: np.ndarray, y: np.ndarray, with_z: bool) -> NetworkGraph:
        # Values and rate factors come from one numpy forward pass, checked finite array by
        # array; the nodes are then made directly, each with the operation that would
        # recompute it (for graph.evaluate).
        zs, acts = matrix.forward(self.weights, self.biases, self.layers, x)
        nodes: dict[str, dict] = {"w": {}, "b": {}, "a": {}, "z": {}}
        make = Value._made_finite
        names = neuron_names("a", 1, self.sizes[0])
        prev = [make(v, (), (), None, None, name) for v, name in zip(x[:, 0].tolist(), names)]
        nodes["a"][1] = prev
        for l in range(2, self.num_layers + 1):  # noqa: E741
            w, b, layer = self.weights[l - 2], self.biases[l - 2], self.layers[l - 2]
            n_out, n_in = w.shape
            w_nodes = [
                [make(v, (), (), None, None, name) for v, name in zip(row, row_names)]
                for row, row_names in zip(w.tolist(), weight_names(l, n_out, n_in), strict=True)
            ]
            b_names = neuron_names("b", l, n_out)
            b_nodes = [
                make(v, (), (), None, None, name) for v, name in zip(b[:, 0].tolist(), b_names)
            ]
            # Row j of `rates`: the rate factors of the edges from w^l_j1..w^l_jn, from
            # a^{l-1}_1..a^{l-1}_n and from b^l_j, into z^l_j (or, times σ'(z^l_j), into a^l_j).
            rates = np.hstack([np.tile(acts[l - 2][:, 0], (n_out, 1)), w, np.ones((n_out, 1))])
            slope = layer.prime(zs[l - 2])
            matrix.require_finite(slope, f"the slope σ'(z^{l}_{{j}})", l)
            a_names = neuron_names("a", l, n_out)
            if with_z:
                nodes["z"][l] = z_nodes = self._z_nodes(l, zs[l - 2], rates, w_nodes, prev, b_nodes)
                a_nodes = [
                    Value._made_finite(aj, (zn,), (sj,), act.op, None, name)
                    for aj, zn, sj, act, name in zip(
                        acts[l - 1][:, 0].tolist(), z_nodes, slope[:, 0].tolist(),
                        layer.per_neuron, a_names, strict=True,
                    )
                ]
            else:
                with np.errstate(over="ignore", invalid="ignore"):
                    rates = slope * rates
                matrix.require_finite(
                    rates, f"a rate factor σ'(z)·w or σ'(z)·a into a^{l}_{{j}}", l
                )
                a_nodes = [
                    Value._made_finite(
                        aj, (*w_row, *prev, bj), tuple(row_rates), neuron_op(act, n_in), None, name
                    )
                    for aj, w_row, bj, row_rates, act, name in zip(
                        acts[l - 1][:, 0].tolist(), w_nodes, b_nodes, rates.tolist(),
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
        names = neuron_names("z", l, len(b_nodes))
        return [
            Value._made_finite(zj, (*w_row, *prev, bj), tuple(row_rates), op, None, name)
            for zj, w_row, bj, row_rates, name in zip(
                z[:, 0].tolist(), w_nodes, b_nodes, rates.tolist(), names, strict=True
            )
        ]

    def _ops_graph(self, x: np.ndarray, y: np.ndarray) -> NetworkGraph:
        nodes: dict[str, dict] = {"w": {}, "b": {}, "a": {}, "z": {}}
        names = neuron_names("a", 1, self.sizes[0])
        prev = [Value(v, name=name) for v, name in zip(x[:, 0].tolist(), names, strict=True)]
        nodes["a"][1] = prev
        for l in range(2, self.num_layers + 1):  # noqa: E741
            w, b, layer = self.weights[l - 2], self.biases[l - 2], self.layers[l - 2]
            w_nodes = [
                [Value(v, name=name) for v, name in zip(row, row_names, strict=True)]
                for row, row_names in zip(w.tolist(), weight_names(l, *w.shape), strict=True)
            ]
            b_names = neuron_names("b", l, w.shape[0])
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
        X = float_array(X, "inputs X")
        Y = float_array(Y, "targets Y")
        n_in, n_out = self.sizes[0], self.sizes[-1]
        if X.ndim != 2 or X.shape[0] != n_in:
            raise PathgradValueError(
                f"X must have shape ({n_in}, m), one column per example; got {X.shape}"
            )
        if Y.shape != (n_out, X.shape[1]):
            raise PathgradValueError(f"Y must have shape ({n_out}, {X.shape[1]}); got {Y.shape}")
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
        callback: Callable[[EpochRecord], None] | None = None,
    ) -> History:
        """Mini-batch stochastic gradient descent with the matrix engine; see
        :func:`pathgrad.book.training.sgd`. Returns the per-epoch
        :class:`~pathgrad.book.training.History`.
        """
        return sgd(
            self, training_data, epochs, mini_batch_size, eta, lmbda=lmbda,
            test_data=test_data, seed=seed, progress=progress, callback=callback,
        )

    def evaluate(self, test_data: Any) -> int:
        """How many examples the network classifies right (largest output = the label)."""
        data = as_dataset(test_data, self.sizes[0], self.sizes[-1], "test_data")
        return data.correct(self)

    def accuracy(self, test_data: Any) -> float:
        """The fraction of examples classified right."""
        data = as_dataset(test_data, self.sizes[0], self.sizes[-1], "test_data")
        return data.correct(self) / len(data)

    def total_cost(self, data: Any, lmbda: float = 0.0) -> float:
        """The mean cost over ``data`` plus the L2 term ``(λ/2n) Σ w²`` when ``lmbda > 0``."""
        dataset = as_dataset(data, self.sizes[0], self.sizes[-1], "data")
        return dataset.mean_cost(self, lmbda)

    # --- files ----------------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> Path:
        """Save sizes, activations, cost and parameters to a ``.npz`` file (no pickles), and
        return its path (``.npz`` is added when the name lacks it)."""
        return files.write(path, files.NetworkArrays(
            self.sizes, self.cost, self.layers, self.weights, self.biases
        ))

    @classmethod
    def load(
        cls,
        path: str | os.PathLike,
        activations: dict[str, Activation] | None = None,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
    ) -> Network:
        """Load a network saved by :meth:`save`; ``activations`` supplies user-defined ones.

        Every array's header is checked against the file and against ``max_bytes`` before it
        is read, and every array before the network is made; a damaged file raises
        :class:`~pathgrad.book.files.DamagedFileError` saying what is wrong (see
        :mod:`pathgrad.book.files`).
        """
        saved = files.read(path, activations, max_bytes)
        per_layer = [list(layer.per_neuron) for layer in saved.layers]
        return cls(saved.sizes, per_layer, saved.cost, weights=saved.weights, biases=saved.biases,
                   max_bytes=max_bytes)


def _parameters(
    given: Sequence[Any], shapes: list[tuple[int, int]], what: str
) -> list[np.ndarray]:
    if len(given) != len(shapes):
        raise PathgradValueError(f"{what}: expected {len(shapes)} arrays, one per layer after the "
                                 f"input, got {len(given)}")
    arrays = []
    for l, (array, shape) in enumerate(zip(given, shapes, strict=True), 2):  # noqa: E741
        a = np.array(float_array(array, f"{what}[{l - 2}]"))
        if a.shape != shape:
            raise PathgradValueError(f"{what}[{l - 2}] (layer {l}) must have shape {shape}, "
                                     f"got {a.shape}")
        _check_finite(a, f"{what}[{l - 2}]")
        arrays.append(a)
    return arrays


def _check_finite(a: np.ndarray, what: str) -> None:
    if not np.all(np.isfinite(a)):
        raise PathgradValueError(f"{what} contain NaN or infinity; clean the data before using it")


def _column(x: Any, n: int, what: str) -> np.ndarray:
    """``x`` as an ``(n, 1)`` float column, from a column, a row or a flat list."""
    a = float_array(x, f"{what} ({n} numbers)")
    if a.size != n or (a.ndim == 2 and 1 not in a.shape) or a.ndim > 2:
        raise PathgradValueError(
            f"{what} must hold {n} numbers (a column vector of shape ({n}, 1) or a flat "
            f"list), got shape {a.shape}"
        )
    a = a.reshape(n, 1)
    _check_finite(a, what)
    return a


def _target(y: Any, n_out: int) -> np.ndarray:
    """``y`` as an ``(n_out, 1)`` column; a whole-number label becomes a one-hot column."""
    if isinstance(y, (int, np.integer)) and not isinstance(y, bool) and n_out > 1:
        return one_hot_rows(np.array([y]), n_out, "desired output y").T
    return _column(y, n_out, "desired output y")
