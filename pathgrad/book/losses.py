"""Cost functions C(a^L, y), their gradient ∇_a C, and the output error δ^L (BP1).

Backpropagation touches the cost in one place only: BP1, ``δ^L = ∇_a C ⊙ σ'(z^L)``. In the
graph view ``∂C/∂a^L_m`` is the rate factor of the last edge of every path, ``a^L_m → C``.

A :class:`Cost` gives:

* ``fn(a, y)``: the cost, summed over the output neurons and over the columns (examples);
* ``derivative(a, y)``: ``∇_a C``, elementwise, the rate factors ``∂C/∂a^L_m``;
* ``delta(z, a, y, layer)``: ``δ^L`` by BP1, for the output layer's activations;
* ``node(outputs, y)``: the node ``C`` of a scalar graph, made by one operation whose operands
  are the output activations (its edges carry ``∂C/∂a^L_m``) and the targets, as constants;
* ``elementary(outputs, y)``: the same ``C`` built from additions, products, powers and logs.

:data:`quadratic` is ``C = ½ Σ_m (a_m - y_m)²``. :data:`cross_entropy` is
``C = -Σ_m [y_m ln a_m + (1 - y_m) ln(1 - a_m)]``. With a sigmoid output layer its BP1 has the
closed form ``δ^L = a - y`` (σ' cancels).

**The log-sigmoid form.** A sigmoid output ``a = σ(z)`` that rounds to 1 has lost ``1 - a``, and
the cross-entropy needs exactly that number (``ln(1 - a)``, ``∂C/∂a = (a-y)/(a(1-a))``). So where
the output layer is sigmoid the cross-entropy is computed from ``z`` itself:
``-ln σ(z) = softplus(-z)`` and ``-ln(1 - σ(z)) = softplus(z)``, ``∂C/∂a = (1-y)(1 + e^z) -
y(1 + e^{-z})`` and ``δ^L = (1-y)σ(z) - yσ(-z)``: each a sum or product of positive numbers, so
the cost, its rate factors and ``δ^L`` are exact to a few units in the last place for every
``z`` in ``[-700, 700]`` (the range of :mod:`pathgrad.slopes`), for the graph, the modules and
the matrix engine alike. No number is floored. A term whose coefficient is zero is taken as
zero (``0 · ln 0 = 0``); an output at exactly 0 or 1 with a target that differs (possible only
without ``z``, or for ``|z|`` past about 709, where ``∂C/∂a`` leaves the float range) is refused
with a clear error, never turned into a finite wrong number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..slopes import sigmoid, sigmoid_array
from ..support.errors import PathgradTypeError, PathgradValueError
from ..value import SIGMOID, SUB, Op, Value
from .activations import LayerActivation
from .activations import sigmoid as sigmoid_activation
from .network_graphs import activation_input


class Cost:
    """A cost function of the output activations ``a`` and the desired outputs ``y``."""

    name = "cost"

    def fn(self, a: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation) -> float:
        """``C`` from the output layer's weighted inputs ``z`` and activations ``a = σ(z)``
        (one row per output neuron): :meth:`fn`, unless ``z`` gives a more exact form."""
        return self.fn(a, y)

    def derivative(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def at_outputs(
        self, a: np.ndarray, y: np.ndarray, z: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """``C`` and the rate factors ``∂C/∂a^L_m`` for one example (flat arrays); ``z[m]``
        is the weighted input of a sigmoid output, NaN where the output is not one."""
        return self.fn(a, y), self.derivative(a, y)

    def delta(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation,
        fast: bool = False,
    ) -> np.ndarray:
        """``δ^L = ∇_a C ⊙ σ'(z^L)`` (BP1); ``fast`` takes σ' from ``a`` where it can."""
        slope = layer.slope(z, a) if fast else layer.prime(z)
        return self.derivative(a, y) * slope

    def delta_into(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation,
        out: np.ndarray, spare: np.ndarray,
    ) -> None:
        """:meth:`delta` with ``fast``, written into ``out``: the trainer's form (``spare`` is a
        scratch array of ``out``'s shape). The built-in costs make no new array."""
        np.copyto(out, self.delta(z, a, y, layer, fast=True))

    def check(self, a: np.ndarray, y: np.ndarray) -> None:
        """Raise ValueError if the cost is undefined at these outputs and targets."""

    def check_output_layer(self, layer: LayerActivation) -> None:
        """Raise ValueError if the output layer can give outputs where the cost is undefined
        (checked before training, from each activation's ``output_range``)."""

    def node(self, outputs: Sequence[Value], y: Sequence[float], name: str = "C") -> Value:
        """The node ``C`` over the output activation nodes: one edge ``∂C/∂a^L_m`` each.

        Its value and rate factors are checked: a cost or a rate that is not a finite number
        is an error naming the output neuron, never a node."""
        m = len(outputs)
        values = np.array([node.data for node in outputs])
        targets = np.asarray(y, dtype=float).reshape(-1)
        self.check(values, targets)
        inputs = np.array([_sigmoid_input(node) for node in outputs])
        with np.errstate(all="ignore"):
            data, rates = self.at_outputs(values, targets, inputs)
        data = float(data)
        for j, rate in enumerate(rates.tolist(), 1):
            if not np.isfinite(rate):
                raise PathgradValueError(
                    f"{self.name} cost: the rate factor ∂C/∂a of output neuron {j} "
                    f"({outputs[j - 1].label} = {values[j - 1]:.6g}"
                    + ("" if np.isnan(inputs[j - 1]) else f", z = {inputs[j - 1]:.6g}")
                    + f", y = {targets[j - 1]:g}) is {rate!r}, beyond the float range: the "
                    "output is saturated past what a float can carry. The matrix engine "
                    "(net.matrix_backprop) gives δ = a - y without it; or scale the inputs or "
                    "weights down"
                )
        if not np.isfinite(data):
            raise PathgradValueError(
                f"the {self.name} cost of these outputs is {data!r}, not a finite number: the "
                f"outputs (largest |a| = {np.max(np.abs(values)):.3g}) are too large; scale "
                "the inputs or weights down"
            )
        args = (*outputs, *targets.tolist())
        return Value._made_finite(data, tuple(outputs), tuple(rates.tolist()), self._op(m), args,
                                  name)

    def elementary(self, outputs: Sequence[Value], y: Sequence[float], name: str = "C") -> Value:
        """``C`` built from elementary operations (sums, products, powers, logs), after the
        check that the cost is defined at these outputs and targets (:meth:`check`)."""
        self.check(np.array([node.data for node in outputs]),
                   np.asarray(y, dtype=float).reshape(-1))
        return self._build(outputs, y, name)

    def _build(self, outputs: Sequence[Value], y: Sequence[float], name: str) -> Value:
        """The nodes of :meth:`elementary`, for checked outputs and targets."""
        raise NotImplementedError

    def _op(self, m: int) -> Op:
        # Re-running a graph (finite differences, the explorer's true ΔC) has only the
        # outputs' values, not z: the cost is recomputed from a, exact unless a has rounded.
        cache = self.__dict__.setdefault("_ops", {})
        if m not in cache:
            def value(*xs: float) -> float:
                a, y = np.array(xs[:m]), np.array(xs[m:])
                self.check(a, y)
                with np.errstate(all="ignore"):
                    return float(self.fn(a, y))

            def partials(*xs: float) -> tuple[float, ...]:
                a, y = np.array(xs[:m]), np.array(xs[m:])
                # The targets are constants of the graph: no edges, so their partials are 0.
                with np.errstate(all="ignore"):
                    return (*self.derivative(a, y).tolist(), *([0.0] * m))

            cache[m] = Op(f"{self.name} cost", value, partials)
        return cache[m]

    def __repr__(self) -> str:
        return f"<cost {self.name}>"


def _sigmoid_input(node: Value) -> float:
    """``z`` when ``node`` is ``a = σ(z)`` with pathgrad's sigmoid, else NaN."""
    found = activation_input(node)
    return found[1] if found is not None and found[0] is SIGMOID else float("nan")


class QuadraticCost(Cost):
    """``C = ½ Σ (a - y)²``, the book's cost; ``∂C/∂a = a - y``."""

    name = "quadratic"

    def fn(self, a: np.ndarray, y: np.ndarray) -> float:
        diff = np.asarray(a) - y
        return 0.5 * float(np.sum(diff * diff))

    def derivative(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.asarray(a) - y

    def delta_into(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation,
        out: np.ndarray, spare: np.ndarray,
    ) -> None:
        np.subtract(a, y, out)
        layer.times_slope(out, z, a, spare)

    def _build(self, outputs: Sequence[Value], y: Sequence[float], name: str) -> Value:
        squares = [(node - float(t)) ** 2 for node, t in zip(outputs, y, strict=True)]
        total = squares[0]
        for term in squares[1:]:
            total = total + term
        cost = 0.5 * total
        cost.name = name
        return cost


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x ln y`` with ``0 ln 0 = 0`` (``-inf`` for ``y = 0 < x``: no floor)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(y))


def _xlog1m(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x ln(1 - y)`` with ``0 ln 0 = 0``, by ``log1p`` (exact for a small ``y``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log1p(-y))


def softplus(t: np.ndarray) -> np.ndarray:
    """``ln(1 + e^t) = -ln σ(-t)``, without overflow and exact for every finite ``t``."""
    return np.maximum(t, 0.0) + np.log1p(np.exp(-np.abs(t)))


def _sigmoid_rows(layer: LayerActivation) -> np.ndarray | bool:
    """Which output rows are sigmoid neurons: True for all of them, or a column of flags."""
    if layer.uniform is not None:
        return layer.uniform is sigmoid_activation
    return np.array([[act is sigmoid_activation] for act in layer.per_neuron])


class CrossEntropyCost(Cost):
    """``C = -Σ [y ln a + (1-y) ln(1-a)]``; ``∂C/∂a = (1-y)/(1-a) - y/a``.

    Outputs and targets must lie in ``[0, 1]``. With a sigmoid output layer every number is
    computed from ``z`` (the log-sigmoid form of the module docstring), and
    ``δ^L = a - y`` exactly (BP1 with σ' cancelled).
    """

    name = "cross-entropy"

    def check(self, a: np.ndarray, y: np.ndarray) -> None:
        if np.any((a < 0) | (a > 1)):
            raise PathgradValueError(
                "the cross-entropy cost needs output activations in [0, 1] (a sigmoid output "
                f"layer); got values from {np.min(a):.4g} to {np.max(a):.4g}: use a sigmoid "
                "output layer or the quadratic cost"
            )
        if np.any((y < 0) | (y > 1)):
            raise PathgradValueError(
                "the cross-entropy cost needs desired outputs y in [0, 1]; "
                f"got values from {np.min(y):.4g} to {np.max(y):.4g}"
            )

    def check_output_layer(self, layer: LayerActivation) -> None:
        for act in layer.per_neuron:
            low, high = act.output_range or (0.0, 1.0)  # unknown: checked on the values
            if low < 0.0 or high > 1.0:
                raise PathgradValueError(
                    f"the cross-entropy cost needs outputs in [0, 1], but the output layer's "
                    f"{act.name} gives values from {low:g} to {high:g}: training would take the "
                    "log of a negative number. Use a sigmoid output layer, or the quadratic cost"
                )

    def fn(self, a: np.ndarray, y: np.ndarray) -> float:
        a = np.asarray(a)
        return float(np.sum(-_xlogy(y, a) - _xlog1m(1.0 - y, a)))

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation) -> float:
        rows = _sigmoid_rows(layer)
        if rows is False:
            return self.fn(a, y)
        exact = y * softplus(-z) + (1.0 - y) * softplus(z)
        return float(np.sum(np.where(rows, exact, -_xlogy(y, a) - _xlog1m(1.0 - y, a))))

    def derivative(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        a = np.asarray(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where(y == 1.0, 0.0, (1.0 - y) / (1.0 - a))
            down = np.where(y == 0.0, 0.0, y / a)
        return up - down

    def at_outputs(
        self, a: np.ndarray, y: np.ndarray, z: np.ndarray
    ) -> tuple[float, np.ndarray]:
        known = ~np.isnan(z)
        if not np.any(known):
            return self.fn(a, y), self.derivative(a, y)
        zk = np.nan_to_num(z)  # any number where unknown: those rows are masked below
        terms = np.where(known, y * softplus(-zk) + (1.0 - y) * softplus(zk),
                         -_xlogy(y, a) - _xlog1m(1.0 - y, a))
        with np.errstate(over="ignore", invalid="ignore"):
            # (1-y)/(1-a) - y/a with 1/(1-a) = 1 + e^z and 1/a = 1 + e^-z
            up = np.where(y == 1.0, 0.0, (1.0 - y) * (1.0 + np.exp(zk)))
            down = np.where(y == 0.0, 0.0, y * (1.0 + np.exp(-zk)))
        rates = np.where(known, up - down, self.derivative(a, y))
        return float(np.sum(terms)), rates

    def delta(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation,
        fast: bool = False,
    ) -> np.ndarray:
        rows = _sigmoid_rows(layer)
        if rows is False:
            return super().delta(z, a, y, layer, fast)
        # σ(z) - y, written (1-y)σ(z) - yσ(-z): exact when the output saturates. A training
        # step (fast) takes a - y, whose error is below 2^-53 absolute.
        exact = a - y if fast else (1.0 - y) * a - y * sigmoid_array(-z)
        return exact if rows is True else np.where(rows, exact, super().delta(z, a, y, layer, fast))

    def delta_into(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation,
        out: np.ndarray, spare: np.ndarray,
    ) -> None:
        if _sigmoid_rows(layer) is True:
            np.subtract(a, y, out)
        else:
            super().delta_into(z, a, y, layer, out, spare)

    def _build(self, outputs: Sequence[Value], y: Sequence[float], name: str) -> Value:
        terms = []
        for node, t in zip(outputs, y, strict=True):
            t = float(t)
            if t != 0.0:
                terms.append(t * node.log())
            if t != 1.0:
                terms.append((1.0 - t) * _complement(node).log())
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        cost = -total
        cost.name = name
        return cost


def _complement(node: Value) -> Value:
    """The node ``1 - a``. For a sigmoid output ``a = σ(z)`` it holds ``σ(-z)``, the exact
    value of ``1 - a`` that the float subtraction would round away near ``a = 1`` (re-running
    the graph recomputes it as ``1 - a``: equal to rounding)."""
    z = _sigmoid_input(node)
    if z != z:  # NaN: not a sigmoid output
        return 1.0 - node
    return Value._make(sigmoid(-z), (node,), (-1.0,), SUB, (1.0, node))


quadratic = QuadraticCost()
cross_entropy = CrossEntropyCost()

COSTS: dict[str, Cost] = {"quadratic": quadratic, "cross-entropy": cross_entropy}


def get_cost(spec: str | Cost) -> Cost:
    """A :class:`Cost` from itself or its name ("quadratic", "cross-entropy")."""
    if isinstance(spec, Cost):
        return spec
    if isinstance(spec, str):
        key = spec.replace("_", "-")
        if key in COSTS:
            return COSTS[key]
        raise PathgradValueError(f"unknown cost {spec!r}; choose from {', '.join(COSTS)}")
    raise PathgradTypeError(f"a cost is a name or a Cost, got {type(spec).__name__} {spec!r}")
