"""The scalar operations an ONNX model needs beyond ``Value``'s own, each with its rate factors.

An ONNX operator acts on whole tensors; pathgrad makes one node per entry of the result, with
one edge per entry it was computed from. The operations here are those nodes' :class:`Op`
objects, so that every node can be re-evaluated at other leaf values like any other (finite
differences, ``Graph.evaluate``):

* ``affine``: ``z = β c + α Σ_k w_k a_k``, the entry of a Gemm, of a MatMul (``α = 1``, no
  ``c``), of a MatMul followed by the addition of a bias, and of a convolution. Its edges
  carry ``α a_k`` from ``w_k``, ``α w_k`` from ``a_k`` and ``β`` from ``c``: the rate factors
  of equation 53's weighted input. With ``α = β = 1`` it adds ``c + w_1 a_1 + w_2 a_2 + ...``
  left to right, the order of :func:`pathgrad.book.network_graphs.weighted_sum`, so a dense
  layer read from a file gives the numbers of :mod:`pathgrad.nn`'s own layers to the last bit.
* ``softmax`` and ``log softmax`` entries: output ``i`` of ``n`` has an edge from each of the
  ``n`` inputs, of rate ``y_i (δ_ij - y_j)`` and ``δ_ij - y_j``.
* ``normalized``: entry ``i`` of a layer normalisation, ``(x_i - μ) / √(σ² + ε)``, with the
  rates ``(δ_ij - 1/n - x̂_i x̂_j / n) / √(σ² + ε)``.
* ``max``, ``mean`` and ``sum`` of a window or an axis; ``sqrt``, ``erf``, ``gelu`` and
  ``leaky relu``.

A node of ``max`` keeps an edge from every entry of its window, of rate 1 from the largest
(the first, on a tie) and 0 from the others, as ReLU keeps its edge of rate 0: re-evaluated at
other values, the node must be able to pick another entry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache, reduce
from operator import add, mul

from ..book.network_graphs import weighted_sum
from ..value import Op

_TWO_OVER_ROOT_PI = 2.0 / math.sqrt(math.pi)
_ROOT_TWO = math.sqrt(2.0)
_ROOT_TWO_OVER_PI = math.sqrt(2.0 / math.pi)


def _check_sqrt(x: float) -> str | None:
    return None if x > 0 else "sqrt needs a positive operand (its slope at 0 is infinite)"


SQRT = Op("sqrt", math.sqrt, lambda x: (0.5 / math.sqrt(x),), _check_sqrt)
ERF = Op("erf", math.erf, lambda x: (_TWO_OVER_ROOT_PI * math.exp(-x * x),))


def _gelu(x: float) -> float:
    return 0.5 * x * (1.0 + math.erf(x / _ROOT_TWO))


def _gelu_slope(x: float) -> tuple[float]:
    phi = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return (0.5 * (1.0 + math.erf(x / _ROOT_TWO)) + x * phi,)


def _gelu_tanh(x: float) -> float:
    return 0.5 * x * (1.0 + math.tanh(_ROOT_TWO_OVER_PI * (x + 0.044715 * x**3)))


def _gelu_tanh_slope(x: float) -> tuple[float]:
    t = math.tanh(_ROOT_TWO_OVER_PI * (x + 0.044715 * x**3))
    dt = (1.0 - t * t) * _ROOT_TWO_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
    return (0.5 * (1.0 + t) + 0.5 * x * dt,)


GELU = Op("gelu", _gelu, _gelu_slope)
GELU_TANH = Op("gelu[tanh]", _gelu_tanh, _gelu_tanh_slope)


@cache
def leaky_relu(alpha: float) -> Op:
    """``x`` for ``x > 0``, else ``α x``: rate 1 or ``α``."""
    return Op(f"leaky relu[{alpha:g}]", lambda x: x if x > 0 else alpha * x,
              lambda x: (1.0 if x > 0 else alpha,))


@cache
def affine(n: int, alpha: float, beta: float, bias: bool) -> Op:
    """``z = β c + α Σ_k w_k a_k`` over operands ``w_1..w_n, a_1..a_n`` (and ``c``)."""

    def value(*xs: float) -> float:
        start = beta * xs[2 * n] if bias else 0.0
        if alpha == 1.0:
            return weighted_sum(xs[:n], xs[n : 2 * n], start)
        return start + alpha * reduce(add, map(mul, xs[:n], xs[n : 2 * n]), 0.0)

    def partials(*xs: float) -> tuple[float, ...]:
        if alpha == 1.0:
            rates = (*xs[n : 2 * n], *xs[:n])
        else:
            rates = (*(alpha * a for a in xs[n : 2 * n]), *(alpha * w for w in xs[:n]))
        return (*rates, beta) if bias else rates

    return Op("weighted input", value, partials)


def _softmax(xs: Sequence[float]) -> list[float]:
    top = max(xs)
    exps = [math.exp(x - top) for x in xs]
    total = math.fsum(exps)
    return [e / total for e in exps]


@cache
def softmax(n: int, i: int) -> Op:
    """Entry ``i`` of the softmax of ``n`` numbers: ``e^{x_i} / Σ_j e^{x_j}``."""

    def partials(*xs: float) -> tuple[float, ...]:
        y = _softmax(xs)
        return tuple(y[i] * ((1.0 if j == i else 0.0) - y[j]) for j in range(n))

    return Op("softmax", lambda *xs: _softmax(xs)[i], partials)


def _log_sum_exp(xs: Sequence[float]) -> float:
    top = max(xs)
    return top + math.log(math.fsum(math.exp(x - top) for x in xs))


@cache
def log_softmax(n: int, i: int) -> Op:
    """Entry ``i`` of the log-softmax of ``n`` numbers: ``x_i - log Σ_j e^{x_j}``."""

    def partials(*xs: float) -> tuple[float, ...]:
        y = _softmax(xs)
        return tuple((1.0 if j == i else 0.0) - y[j] for j in range(n))

    return Op("log softmax", lambda *xs: xs[i] - _log_sum_exp(xs), partials)


def _moments(xs: Sequence[float], epsilon: float) -> tuple[float, float]:
    mean = math.fsum(xs) / len(xs)
    variance = math.fsum((x - mean) ** 2 for x in xs) / len(xs)
    return mean, math.sqrt(variance + epsilon)


@cache
def normalized(n: int, i: int, epsilon: float) -> Op:
    """Entry ``i`` of ``n`` numbers normalised: ``(x_i - μ) / √(σ² + ε)``."""

    def value(*xs: float) -> float:
        mean, scale = _moments(xs, epsilon)
        return (xs[i] - mean) / scale

    def partials(*xs: float) -> tuple[float, ...]:
        mean, scale = _moments(xs, epsilon)
        hat = [(x - mean) / scale for x in xs]
        return tuple(
            ((1.0 if j == i else 0.0) - 1.0 / n - hat[i] * hat[j] / n) / scale for j in range(n)
        )

    return Op("normalized", value, partials)


def _first_max(xs: Sequence[float]) -> int:
    return max(range(len(xs)), key=xs.__getitem__)


@cache
def maximum(n: int) -> Op:
    """The largest of ``n`` numbers: rate 1 from the (first) largest, 0 from the others."""

    def partials(*xs: float) -> tuple[float, ...]:
        best = _first_max(xs)
        return tuple(1.0 if j == best else 0.0 for j in range(n))

    return Op("max", lambda *xs: max(xs), partials)


@cache
def total(n: int, scale: float, name: str) -> Op:
    """``scale · Σ x_j`` over ``n`` numbers (a mean has ``scale = 1/count``): rates ``scale``."""
    rates = (scale,) * n
    if scale == 1.0:
        return Op(name, lambda *xs: reduce(add, xs), lambda *xs: rates)
    return Op(name, lambda *xs: scale * reduce(add, xs), lambda *xs: rates)
