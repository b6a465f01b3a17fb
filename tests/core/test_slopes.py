"""σ(z), σ'(z) and tanh'(z) to 1e-12 relative for every z in [-700, 700], wherever computed.

The reference is the textbook definition, ``σ(1 - σ)`` and ``1 - tanh²``, evaluated in decimal
arithmetic with enough digits (400) that the subtraction cannot lose what float64 loses.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad import slopes
from pathgrad.book import activations, matrix
from pathgrad.book.losses import quadratic
from pathgrad.value import SIGMOID, TANH

SMALLEST_NORMAL = 2.2250738585072014e-308
SUBNORMAL_STEP = 5e-324
DIGITS = 400

zs = st.floats(-700.0, 700.0, allow_nan=False)
#: Where the textbook forms break (z = 30, 36, 38), the ends, and where tanh' turns subnormal.
SATURATED = (30.0, 36.0, 38.0, -38.0, 0.0, 1e-300, 354.0, 600.0, 700.0, -700.0)


def saturated_examples(test):
    for z in SATURATED:
        test = example(z)(test)
    return test


def reference(z: float) -> dict[str, Decimal]:
    """σ(z), σ'(z) and tanh'(z) from their definitions, in 400-digit decimal arithmetic."""
    with localcontext() as context:
        context.prec = DIGITS
        exact = Decimal(z)  # the float's exact value
        s = 1 / (1 + (-exact).exp())
        t = ((2 * exact).exp() - 1) / ((2 * exact).exp() + 1)
        return {"sigmoid": +s, "sigmoid_prime": s * (1 - s), "tanh_prime": 1 - t * t}


def assert_close(got: float, want: Decimal) -> None:
    """Relative error at most 1e-12 where the true value is a normal float; beyond, within a
    few steps of the subnormal grid (the most any float64 can do)."""
    if want >= Decimal(SMALLEST_NORMAL):
        assert abs(Decimal(got) - want) / want <= Decimal("1e-12"), (got, float(want))
    else:
        assert abs(Decimal(got) - want) <= Decimal(4 * SUBNORMAL_STEP), (got, float(want))


@settings(max_examples=300, deadline=None)
@given(zs)
@saturated_examples
def test_one_implementation_exact_for_floats_arrays_values_and_activations(z):
    want = reference(z)
    column = np.array([[z]])
    for name, scalar, array, activation, op in (
        ("sigmoid_prime", slopes.sigmoid_prime, slopes.sigmoid_prime_array,
         activations.sigmoid, SIGMOID),
        ("tanh_prime", slopes.tanh_prime, slopes.tanh_prime_array, activations.tanh, TANH),
    ):
        assert_close(scalar(z), want[name])
        assert_close(float(array(column)[0, 0]), want[name])
        assert_close(float(activation.prime(column)[0, 0]), want[name])
        assert_close(op(pg.Value(z)).rates[0], want[name])
    assert_close(slopes.sigmoid(z), want["sigmoid"])
    assert_close(float(slopes.sigmoid_array(column)[0, 0]), want["sigmoid"])
    assert_close(pg.Value(z).sigmoid().data, want["sigmoid"])


@settings(max_examples=100, deadline=None)
@given(zs)
@saturated_examples
def test_the_matrix_engine_and_the_graph_carry_the_exact_slope(z):
    """δ = (a - y) σ'(z) of BP1 at a saturated output, in the matrix engine and on the graph's
    edge z → a: y = 0, so a - y = σ(z) exactly and δ = σ(z) σ'(z)."""
    want = reference(z)
    with localcontext() as context:
        context.prec = DIGITS
        delta = want["sigmoid"] * want["sigmoid_prime"]
    net = pg.Network([1, 1], weights=[[[1.0]]], biases=[[[z]]])
    zs_, outputs = matrix.forward(net.weights, net.biases, net.layers, np.array([[0.0]]))
    (engine,) = matrix.deltas(net.weights, net.layers, quadratic, zs_, outputs, np.array([[0.0]]))
    assert_close(float(engine[0, 0]), delta)
    graph = net.graph([0.0], [0.0], level="z")
    assert_close(graph.a(2, 1).rates[0], want["sigmoid_prime"])


def test_the_textbook_form_would_fail_this_check():
    """The rewrite matters: σ(1 - σ) in floats loses 1e-3 at z = 30 and everything at 38."""
    s30, s38 = slopes.sigmoid(30.0), slopes.sigmoid(38.0)
    with pytest.raises(AssertionError):
        assert_close(s30 * (1 - s30), reference(30.0)["sigmoid_prime"])
    assert s38 * (1 - s38) == 0.0
    assert slopes.sigmoid_prime(38.0) == pytest.approx(3.1391327920480296e-17, rel=1e-15)
