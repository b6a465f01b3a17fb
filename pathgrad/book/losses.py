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
closed form ``δ^L = a - y`` (σ' cancels), which the matrix engine uses: it stays exact when an
output neuron saturates at ``a = 0`` or ``1``, where ``ln`` and ``1/(a(1-a))`` would not. A
term whose coefficient is zero is taken as zero (``0 · ln 0 = 0``), so no ``log(0)`` occurs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..support.errors import PathgradTypeError, PathgradValueError
from ..value import Op, Value
from .activations import LayerActivation, sigmoid

#: Smallest argument passed to ``log`` and smallest denominator of ``∂C/∂a`` (cross-entropy).
TINY = 1e-300


class Cost:
    """A cost function of the output activations ``a`` and the desired outputs ``y``."""

    name = "cost"

    def fn(self, a: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def derivative(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def delta(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation,
        fast: bool = False,
    ) -> np.ndarray:
        """``δ^L = ∇_a C ⊙ σ'(z^L)`` (BP1); ``fast`` takes σ' from ``a`` where it can."""
        slope = layer.slope(z, a) if fast else layer.prime(z)
        return self.derivative(a, y) * slope

    def check(self, a: np.ndarray, y: np.ndarray) -> None:
        """Raise ValueError if the cost is undefined at these outputs and targets."""

    def check_output_layer(self, layer: LayerActivation) -> None:
        """Raise ValueError if the output layer can give outputs where the cost is undefined
        (checked before training, from each activation's ``output_range``)."""

    def check_edges(self, a: np.ndarray, y: np.ndarray) -> None:
        """Raise ValueError if some rate factor ``∂C/∂a^L_m`` is not finite here."""

    def node(self, outputs: Sequence[Value], y: Sequence[float], name: str = "C") -> Value:
        """The node ``C`` over the output activation nodes: one edge ``∂C/∂a^L_m`` each."""
        m = len(outputs)
        values = np.array([node.data for node in outputs])
        targets = np.asarray(y, dtype=float).reshape(-1)
        self.check(values, targets)
        self.check_edges(values, targets)
        data = float(self.fn(values, targets))
        rates = tuple(self.derivative(values, targets).tolist())
        args = (*outputs, *targets.tolist())
        return Value._make(data, tuple(outputs), rates, self._op(m), args, name)

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
        cache = self.__dict__.setdefault("_ops", {})
        if m not in cache:
            def value(*xs: float) -> float:
                a, y = np.array(xs[:m]), np.array(xs[m:])
                self.check(a, y)
                return float(self.fn(a, y))

            def partials(*xs: float) -> tuple[float, ...]:
                a, y = np.array(xs[:m]), np.array(xs[m:])
                self.check_edges(a, y)
                # The targets are constants of the graph: no edges, so their partials are 0.
                return (*self.derivative(a, y).tolist(), *([0.0] * m))

            cache[m] = Op(f"{self.name} cost", value, partials)
        return cache[m]

    def __repr__(self) -> str:
        return f"<cost {self.name}>"


class QuadraticCost(Cost):
    """``C = ½ Σ (a - y)²``, the book's cost; ``∂C/∂a = a - y``."""

    name = "quadratic"

    def fn(self, a: np.ndarray, y: np.ndarray) -> float:
        diff = np.asarray(a) - y
        return 0.5 * float(np.sum(diff * diff))

    def derivative(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.asarray(a) - y

    def _build(self, outputs: Sequence[Value], y: Sequence[float], name: str) -> Value:
        squares = [(node - float(t)) ** 2 for node, t in zip(outputs, y, strict=True)]
        total = squares[0]
        for term in squares[1:]:
            total = total + term
        cost = 0.5 * total
        cost.name = name
        return cost


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x ln y`` with ``0 ln 0 = 0``; ``y`` is floored at TINY so ``log`` never sees 0."""
    return np.where(x == 0, 0.0, x * np.log(np.maximum(y, TINY)))


class CrossEntropyCost(Cost):
    """``C = -Σ [y ln a + (1-y) ln(1-a)]``; ``∂C/∂a = (a - y) / (a (1 - a))``.

    Outputs and targets must lie in ``[0, 1]``. With a sigmoid output layer,
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
        return float(np.sum(-_xlogy(y, a) - _xlogy(1.0 - y, 1.0 - a)))

    def check_edges(self, a: np.ndarray, y: np.ndarray) -> None:
        """Refuse an infinite rate factor ∂C/∂a: an output stuck at exactly 0 or 1 (≠ y)."""
        stuck = ((a == 0.0) | (a == 1.0)) & (a != y)
        if np.any(stuck):
            m = int(np.argmax(stuck)) + 1
            raise PathgradValueError(
                f"output neuron {m} is saturated at a = {a[m - 1]:g} with y = {y[m - 1]:g}: "
                "the cross-entropy's rate factor ∂C/∂a = (a - y)/(a(1 - a)) is infinite there, "
                "so the graph's edge a -> C cannot carry it. The matrix engine "
                "(net.matrix_backprop) uses δ = a - y and is exact; or scale the inputs or "
                "weights down"
            )

    def derivative(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        a = np.asarray(a)
        return (a - y) / np.maximum(a * (1.0 - a), TINY)

    def delta(
        self, z: np.ndarray, a: np.ndarray, y: np.ndarray, layer: LayerActivation,
        fast: bool = False,
    ) -> np.ndarray:
        if layer.uniform is sigmoid:
            return a - y
        return super().delta(z, a, y, layer, fast)

    def _build(self, outputs: Sequence[Value], y: Sequence[float], name: str) -> Value:
        terms = []
        for node, t in zip(outputs, y, strict=True):
            t = float(t)
            if t != 0.0:
                terms.append(t * node.log())
            if t != 1.0:
                terms.append((1.0 - t) * (1.0 - node).log())
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        cost = -total
        cost.name = name
        return cost


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
