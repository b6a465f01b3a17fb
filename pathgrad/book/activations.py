"""Activation functions σ and their derivatives σ', for arrays and for single graph nodes.

A neuron computes ``a = σ(z)`` from its weighted input ``z``. Backpropagation needs σ only
through two numbers per neuron: the value ``σ(z)`` and the slope ``σ'(z)``, the rate factor of
the edge ``z → a`` (and the factor ``σ'(z^l)`` in BP1 and BP2).

An :class:`Activation` carries both, in two forms:

* ``fn`` and ``prime`` act elementwise on numpy arrays (the matrix engine uses these);
* ``op`` is a pathgrad :class:`~pathgrad.value.Op` that makes the node ``a^l_j`` from the node
  ``z^l_j`` in a scalar graph, with the one rate factor ``σ'(z)``;
* ``fn_into`` and ``times_slope`` are the trainer's in-place forms (σ into a buffer; δ scaled
  by σ' taken from the activations), which make no new array in the SGD loop.

Built in: :data:`sigmoid` (the book's choice), :data:`tanh`, :data:`relu` and :data:`linear`
(``σ(z) = z``, the chapter's exercise on linear neurons). A user-defined ``f`` with its ``f'``
works the same way: ``Activation("softplus", f, f_prime)``, where both accept numpy arrays.

A network takes one activation for every layer, one per layer, or, for a single layer, one per
neuron (the exercise where one neuron uses another ``f``): see :func:`layer_activations`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Union

import numpy as np

from ..slopes import sigmoid_array, sigmoid_prime_array, tanh_prime_array
from ..support.errors import PathgradTypeError, PathgradValueError
from ..value import RELU, SIGMOID, TANH, Op

ArrayFn = Callable[[np.ndarray], np.ndarray]
IntoFn = Callable[[np.ndarray, np.ndarray], None]
SlopeFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]

# The in-place forms run on a mini-batch (a few hundred numbers), where numpy's fixed cost per
# call is most of the time: they pass the output positionally (``np.exp(z, out)``; keyword
# parsing costs more than the arithmetic) and numbers as 0-d arrays (a Python float is
# converted again on every call).
ONE = np.array(1.0)
ZERO = np.array(0.0)


class Activation:
    """An activation function σ with its derivative σ', for arrays and for graph nodes.

    Equations BP1 and BP2: ``prime`` is the ``σ'(z)`` they multiply by.

    >>> import numpy as np
    >>> import pathgrad as pg
    >>> softplus = pg.Activation("softplus", lambda z: np.log1p(np.exp(z)),
    ...                          lambda z: 1 / (1 + np.exp(-z)))
    >>> net = pg.Network([2, 3, 1], activation=softplus, seed=0)
    >>> x, y = np.array([[0.5], [-0.3]]), np.array([[1.0]])
    >>> nabla_b, nabla_w = net.backprop(x, y)
    >>> graph_b, graph_w = net.graph(x, y, level="z").gradients()   # the same, from the graph
    >>> all(np.allclose(a, b) for a, b in zip(nabla_w, graph_w))
    True
    """

    __slots__ = ("name", "fn", "prime", "op", "slope_from_output", "output_range", "fn_into",
                 "times_slope")

    def __init__(
        self,
        name: str,
        fn: ArrayFn,
        prime: ArrayFn,
        op: Op | None = None,
        slope_from_output: ArrayFn | None = None,
        output_range: tuple[float, float] | None = None,
        fn_into: IntoFn | None = None,
        times_slope: SlopeFn | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise PathgradValueError(
                "an Activation needs a non-empty name (it is saved with the network)"
            )
        if not callable(fn) or not callable(prime):
            raise PathgradTypeError(
                f"Activation {name!r}: fn and prime must be callables taking a numpy array"
            )
        self.name = name
        self.fn = fn
        self.prime = prime
        self.op = op if op is not None else Op(
            name, lambda z: float(fn(z)), lambda z: (float(prime(z)),)
        )
        # σ'(z) written in terms of a = σ(z), when it can be (σ' = a(1-a) for the sigmoid):
        # the trainer's update reuses the forward pass's activations. Its error is below
        # 2^-53 in absolute terms but not relative ones (a saturated slope may come out 0):
        # harmless in a step, which adds η·δ·a to weights whose own rounding is of that size.
        # Everything that shows or checks σ' (graphs, deltas, net.matrix_backprop) uses
        # `prime`, exact to a few units in the last place (pathgrad.slopes).
        self.slope_from_output = slope_from_output
        # The values σ can take, when known: a cost that needs outputs in [0, 1] (the
        # cross-entropy) refuses to train an output layer that can leave it.
        self.output_range = output_range
        # The trainer's forms (pathgrad.book.matrix.sgd_epoch): `fn_into(z, out)` writes σ(z)
        # into `out`; `times_slope(delta, z, a, spare)` multiplies `delta` in place by σ'(z),
        # from `a = σ(z)` when `slope_from_output` is given (`spare` is a scratch array of
        # delta's shape). Left out, they are made from `fn`, `prime` and `slope_from_output`.
        self.fn_into = fn_into if fn_into is not None else _into(fn)
        self.times_slope = times_slope if times_slope is not None else _times(
            prime, slope_from_output
        )

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _into(fn: ArrayFn) -> IntoFn:
    def fn_into(z: np.ndarray, out: np.ndarray) -> None:
        np.copyto(out, fn(z))

    return fn_into


def _times(prime: ArrayFn, slope_from_output: ArrayFn | None) -> SlopeFn:
    def times_slope(delta: np.ndarray, z: np.ndarray, a: np.ndarray, spare: np.ndarray) -> None:
        slope = prime(z) if slope_from_output is None else slope_from_output(a)
        np.multiply(delta, slope, delta)

    return times_slope


def _sigmoid_into(z: np.ndarray, out: np.ndarray) -> None:
    """``σ(z) = 1 / (1 + e^{-z})`` into ``out``, four calls and no new array.

    Exact to a few units in the last place like :func:`pathgrad.slopes.sigmoid` for
    ``z > -709``; below, ``e^{-z}`` overflows (a warning numpy's ``errstate`` silences) and
    σ comes out 0 instead of a number under 10⁻³⁰⁸.
    """
    np.negative(z, out)
    np.exp(out, out)
    np.add(out, ONE, out)
    np.reciprocal(out, out)


def _times_sigmoid_prime(
    delta: np.ndarray, z: np.ndarray, a: np.ndarray, spare: np.ndarray
) -> None:
    """``δ ← δ ⊙ σ'(z)`` with ``σ'(z) = a(1 - a)`` from ``a = σ(z)``."""
    np.subtract(ONE, a, spare)
    np.multiply(delta, a, delta)
    np.multiply(delta, spare, delta)


def _times_tanh_prime(
    delta: np.ndarray, z: np.ndarray, a: np.ndarray, spare: np.ndarray
) -> None:
    """``δ ← δ ⊙ tanh'(z)`` with ``tanh'(z) = 1 - a²`` from ``a = tanh z``."""
    np.multiply(a, a, spare)
    np.subtract(ONE, spare, spare)
    np.multiply(delta, spare, delta)


def _times_relu_prime(
    delta: np.ndarray, z: np.ndarray, a: np.ndarray, spare: np.ndarray
) -> None:
    """``δ ← δ ⊙ [z > 0]``, read from ``a = max(z, 0) > 0``."""
    np.greater(a, ZERO, spare)
    np.multiply(delta, spare, delta)


def _times_one(
    delta: np.ndarray, z: np.ndarray, a: np.ndarray, spare: np.ndarray
) -> None:
    """``δ ← δ ⊙ 1``: nothing to do."""


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_prime(z: np.ndarray) -> np.ndarray:
    return (np.asarray(z) > 0).astype(float)


def _identity(z: np.ndarray) -> np.ndarray:
    return z


def _one(z: np.ndarray) -> np.ndarray:
    return np.ones_like(z, dtype=float)


# σ and its slope come from pathgrad.slopes, the one implementation that Value.sigmoid and
# Value.tanh use too: exact to a few units in the last place for every z, saturated or not.
# The trainer's in-place σ is the plain 1 / (1 + e^{-z}), as exact for every z above -709.
sigmoid = Activation(
    "sigmoid", sigmoid_array, sigmoid_prime_array, SIGMOID,
    slope_from_output=lambda a: a * (1.0 - a), output_range=(0.0, 1.0),
    fn_into=_sigmoid_into, times_slope=_times_sigmoid_prime,
)
tanh = Activation(
    "tanh", np.tanh, tanh_prime_array, TANH, slope_from_output=lambda a: 1.0 - a * a,
    output_range=(-1.0, 1.0), fn_into=np.tanh, times_slope=_times_tanh_prime,
)
relu = Activation(
    "relu", _relu, _relu_prime, RELU, slope_from_output=_relu_prime,
    output_range=(0.0, math.inf), fn_into=lambda z, out: np.maximum(z, ZERO, out=out),
    times_slope=_times_relu_prime,
)
linear = Activation(
    "linear", _identity, _one, Op("linear", lambda z: z, lambda z: (1.0,)), slope_from_output=_one,
    output_range=(-math.inf, math.inf), fn_into=lambda z, out: np.copyto(out, z),
    times_slope=_times_one,
)

ACTIVATIONS: dict[str, Activation] = {act.name: act for act in (sigmoid, tanh, relu, linear)}

ActivationSpec = Union[str, Activation]  # noqa: UP007
#: One layer's activations: one for the whole layer, or a list with one per neuron.
LayerSpec = Union[ActivationSpec, Sequence[ActivationSpec]]  # noqa: UP007


def get_activation(spec: ActivationSpec) -> Activation:
    """An :class:`Activation` from itself or from a built-in name ("sigmoid", "tanh", ...)."""
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        try:
            return ACTIVATIONS[spec]
        except KeyError:
            raise PathgradValueError(
                f"unknown activation {spec!r}; choose from {', '.join(ACTIVATIONS)} "
                "or pass Activation(name, f, f_prime)"
            ) from None
    raise PathgradTypeError(
        f"an activation is a name or an Activation, got {type(spec).__name__} {spec!r}"
    )


class LayerActivation:
    """The activations of one layer: one shared by every neuron, or one per neuron.

    ``apply(z)`` and ``prime(z)`` act on an array whose rows are the layer's neurons; with
    mixed neurons each row gets its own function (rows grouped by function, so the cost is
    one call per distinct function, not one per neuron). ``apply_into(z, out)`` and
    ``times_slope(delta, z, a, spare)`` are the trainer's in-place forms (see
    :class:`Activation`); for a uniform layer they are the activation's own, with no call
    in between.
    """

    __slots__ = ("per_neuron", "uniform", "_groups", "apply_into", "times_slope")

    def __init__(self, per_neuron: Sequence[Activation]) -> None:
        self.per_neuron: tuple[Activation, ...] = tuple(per_neuron)
        first = self.per_neuron[0]
        same = all(act is first for act in self.per_neuron)
        self.uniform: Activation | None = first if same else None
        groups: dict[int, tuple[Activation, list[int]]] = {}
        for row, act in enumerate(self.per_neuron):
            groups.setdefault(id(act), (act, []))[1].append(row)
        self._groups = [(act, np.array(rows)) for act, rows in groups.values()]
        self.apply_into: IntoFn = self._apply_rows_into
        self.times_slope: SlopeFn = self._times_rows_slope
        if self.uniform is not None:
            self.apply_into, self.times_slope = first.fn_into, first.times_slope

    def __len__(self) -> int:
        return len(self.per_neuron)

    def __getitem__(self, j: int) -> Activation:
        return self.per_neuron[j]

    @property
    def names(self) -> list[str]:
        return [act.name for act in self.per_neuron]

    def apply(self, z: np.ndarray) -> np.ndarray:
        """σ(z), row by row."""
        if self.uniform is not None:
            return self.uniform.fn(z)
        out = np.empty_like(z, dtype=float)
        for act, rows in self._groups:
            out[rows] = act.fn(z[rows])
        return out

    def prime(self, z: np.ndarray) -> np.ndarray:
        """σ'(z), row by row."""
        if self.uniform is not None:
            return self.uniform.prime(z)
        out = np.empty_like(z, dtype=float)
        for act, rows in self._groups:
            out[rows] = act.prime(z[rows])
        return out

    def slope(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """σ'(z) row by row, from the activations ``a = σ(z)`` where the function allows."""
        if self.uniform is not None:
            act = self.uniform
            return act.prime(z) if act.slope_from_output is None else act.slope_from_output(a)
        out = np.empty_like(z, dtype=float)
        for act, rows in self._groups:
            if act.slope_from_output is None:
                out[rows] = act.prime(z[rows])
            else:
                out[rows] = act.slope_from_output(a[rows])
        return out

    def _apply_rows_into(self, z: np.ndarray, out: np.ndarray) -> None:
        for act, rows in self._groups:
            out[rows] = act.fn(z[rows])

    def _times_rows_slope(
        self, delta: np.ndarray, z: np.ndarray, a: np.ndarray, spare: np.ndarray
    ) -> None:
        np.multiply(delta, self.slope(z, a), delta)

    def __repr__(self) -> str:
        if self.uniform is not None:
            return f"LayerActivation({self.uniform.name!r} x {len(self)})"
        return f"LayerActivation({self.names!r})"


def layer_activations(
    spec: LayerSpec | Sequence[LayerSpec], sizes: Sequence[int]
) -> list[LayerActivation]:
    """One :class:`LayerActivation` for each layer after the input, from a flexible spec.

    ``spec`` may be one activation for every neuron (``"sigmoid"``), a list with one entry per
    non-input layer (``["relu", "sigmoid"]``), where an entry may itself be a list with one
    activation per neuron of that layer (``[["sigmoid", "linear", "tanh"], "sigmoid"]``).
    """
    layers = list(sizes[1:])
    if isinstance(spec, (str, Activation)):
        per_layer: list = [spec] * len(layers)
    elif isinstance(spec, Sequence):
        per_layer = list(spec)
        if len(per_layer) != len(layers):
            raise PathgradValueError(
                f"got {len(per_layer)} layer activations for {len(layers)} non-input layers "
                f"(sizes {list(sizes)}); give one per layer after the input, or a single one"
            )
    else:
        raise PathgradTypeError(
            "activation must be a name, an Activation, or a list with one per layer, "
            f"got {type(spec).__name__}"
        )
    return [
        LayerActivation([get_activation(e) for e in one_per_neuron(entry, width, layer)])
        for layer, (entry, width) in enumerate(zip(per_layer, layers, strict=True), start=2)
    ]


def one_per_neuron(entry: Any, width: int, layer: int) -> list[Any]:
    """``entry`` for each of the ``width`` neurons of layer ``layer``: one entry (anything but
    a list) for them all, or a list of exactly ``width``, one per neuron."""
    if isinstance(entry, (str, Activation)) or not isinstance(entry, Sequence):
        return [entry] * width
    if len(entry) != width:
        raise PathgradValueError(
            f"layer {layer} has {width} neurons: give one activation for the layer or a "
            f"list of exactly {width} (one per neuron), got {entry!r}"
        )
    return list(entry)
