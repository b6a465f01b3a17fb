"""The cross-entropy exact for every weighted input the README promises (z in [-700, 700]).

The reference is the definition ``C = -[y ln σ(z) + (1 - y) ln(1 - σ(z))]`` and ``δ = ∂C/∂z =
σ(z) - y``, worked out in 400-digit decimal arithmetic. Every place pathgrad computes them must
agree: the graph at its three levels, the modules of Values at theirs, a net trained through
its graph (``fit``'s cost node), the matrix engine and the training cost.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.nn import MLP

DIGITS = 400
SMALLEST_NORMAL = 2.2250738585072014e-308


def reference(z: float, y: float) -> tuple[Decimal, Decimal]:
    """``C`` and ``δ = σ(z) - y`` in 400-digit arithmetic."""
    with localcontext() as context:
        context.prec = DIGITS
        s = 1 / (1 + (-Decimal(z)).exp())
        y_ = Decimal(y)
        cost = Decimal(0)
        if y_ != 0:
            cost -= y_ * s.ln()
        if y_ != 1:
            cost -= (1 - y_) * (1 - s).ln()
        return +cost, s - y_


def close(got: float, want: Decimal, scale: Decimal, rel: str = "1e-12") -> bool:
    """``got`` within ``rel`` of ``want``, or within a few units of float64's last place at
    ``scale`` (the size of the numbers subtracted), whichever is larger."""
    error = abs(Decimal(got) - want)
    return error <= Decimal(rel) * abs(want) + Decimal("4e-16") * scale + Decimal(1e-320)


def one_neuron(z: float, y: float) -> pg.Network:
    """A [1, 1] sigmoid net whose one weighted input is ``z`` for the input 0 (``b = z``)."""
    return pg.Network([1, 1], cost="cross-entropy", weights=[[[1.0]]], biases=[[[z]]])


TARGETS = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))


@settings(max_examples=150, deadline=None)
@given(st.floats(-700.0, 700.0), TARGETS)
@example(-700.0, 1.0)  # the probe's case: C was 690.776 and ∂C/∂w 1e4 times too small
@example(700.0, 0.0)
@example(40.0, 0.0)  # a rounds to 1: ln(1 - a) and 1/(1 - a) need z
@example(-40.0, 1.0)
@example(700.0, 1.0)  # C = σ(-700) ≈ 1e-304, tiny and still exact
@example(-700.0, 0.0)
@example(30.0, 0.25)
def test_every_form_of_the_cost_is_exact(z, y):
    cost, delta = reference(z, y)
    net = one_neuron(z, y)
    scale = Decimal(abs(y)) + 1
    for level in ("neuron", "z", "ops"):
        graph = net.graph([0.0], [y], level=level)
        (db,) = pg.grad(graph, [graph.b(2, 1)])
        assert close(db, delta, scale), (level, db, float(delta))
        # the ops level rounds ln a near a = 1 to absolute precision, the others are relative
        assert close(graph.C.data, cost, Decimal(1) if level == "ops" else Decimal(0)), (
            level, graph.C.data, float(cost))
    nabla_b, _ = net.matrix_backprop([[0.0]], [[y]])
    assert close(float(nabla_b[0][0, 0]), delta, scale)
    assert close(net.cost_of([0.0], [y]), cost, Decimal(0))
    assert close(net.total_cost([([0.0], [y])]), cost, Decimal(0))  # the training cost
    for level in ("neuron", "z"):
        mlp = MLP.from_network(net, level=level)
        graph = mlp.graph([0.0], [y])
        graph.C.backward()
        assert close(graph.b(2, 1).grad, delta, scale), (level, graph.b(2, 1).grad)
        assert close(graph.C.data, cost, Decimal(0))
        out = mlp([0.0])  # what fit does with each example: the cost node over the outputs
        node = net.cost.node([out], [y])
        assert close(node.data, cost, Decimal(0))


def test_a_saturated_output_without_its_z_is_refused_not_floored():
    """Outputs that are not sigmoid nodes carry no z: an output at exactly 1 with y = 0 has an
    infinite ∂C/∂a and infinite cost, refused; no floor turns it into 690.8."""
    a = pg.Value(1.0, name="a")
    try:
        pg.Network([1, 1], cost="cross-entropy").cost.node([a], [0.0])
    except pg.PathgradError as error:
        assert "∂C/∂a of output neuron 1 (a = 1, y = 0) is inf" in str(error)
    else:
        raise AssertionError("not refused")
    cross_entropy = pg.Network([1, 1], cost="cross-entropy").cost
    assert cross_entropy.fn(np.array([1.0]), np.array([0.0])) == np.inf
    assert cross_entropy.fn(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    # a = y = 1: C = -ln a, so ∂C/∂a = -1/a = -1 (the floor's version said 0)
    assert cross_entropy.derivative(np.array([1.0]), np.array([1.0]))[0] == -1.0


def test_past_the_float_range_the_rate_is_refused_by_name():
    net = one_neuron(720.0, 0.0)  # ∂C/∂a = 1 + e^720 is past 1.8e308
    try:
        net.graph([0.0], [0.0])
    except pg.PathgradError as error:
        assert "output neuron 1 (a^2_1 = 1, z = 720, y = 0) is inf" in str(error)
    else:
        raise AssertionError("not refused")
    nabla_b, _ = net.matrix_backprop([[0.0]], [[0.0]])  # δ = a - y needs no such rate
    assert nabla_b[0][0, 0] == 1.0


def test_a_mixed_output_layer_takes_the_exact_form_for_its_sigmoid_neurons_only():
    """Output neuron 1 is pathgrad's sigmoid, saturated at z = 40 with y = 0 (a rounds to 1);
    neuron 2 is a user's logistic, at z = 0.5: its row can only use a."""
    logistic = pg.Activation("logistic", lambda z: 1 / (1 + np.exp(-z)),
                             lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, output_range=(0, 1))
    net = pg.Network([1, 2], activation=[["sigmoid", logistic]], cost="cross-entropy",
                     weights=[[[1.0], [1.0]]], biases=[[[40.0], [0.5]]])
    y = [[0.0], [0.25]]
    a2 = 1 / (1 + np.exp(-0.5))
    want = 40.0 + np.log1p(np.exp(-40.0)) - (0.25 * np.log(a2) + 0.75 * np.log1p(-a2))
    assert net.cost_of([0.0], y) == want
    assert net.total_cost([([0.0], y)]) == want
    nabla_b, _ = net.matrix_backprop([[0.0]], y)
    assert nabla_b[0][0, 0] == 1.0  # σ(40) − 0, exact
    assert nabla_b[0][1, 0] == pytest.approx(a2 - 0.25, rel=1e-14)  # (a−y)/(a(1−a))·σ'(z)
    graph = net.graph([0.0], y, level="z")
    assert graph.C.data == pytest.approx(want, rel=1e-15)
    assert graph.C.rates[1] == pytest.approx((a2 - 0.25) / (a2 * (1 - a2)), rel=1e-14)
    alone = pg.Network([1, 1], activation=logistic, cost="cross-entropy",
                       weights=[[[1.0]]], biases=[[[0.5]]])  # no sigmoid row: a alone
    assert alone.total_cost([([0.0], [1.0])]) == alone.cost_of([0.0], [1.0]) == -np.log(a2)
    alone_b, _ = alone.matrix_backprop([[0.0]], [[0.25]])
    assert alone_b[0][0, 0] == pytest.approx(a2 - 0.25, rel=1e-14)
    assert alone.graph([0.0], [0.25]).C.data == pytest.approx(
        -(0.25 * np.log(a2) + 0.75 * np.log1p(-a2)), rel=1e-15)


def test_the_ops_level_builds_one_minus_a_that_reruns_as_one_minus_a():
    """At the ops level ``1 - a`` is a node of its own. For a sigmoid output it holds σ(-z)
    (exact near a = 1) and re-running the graph recomputes it as 1 - a; for any other output
    it is the plain subtraction."""
    net = one_neuron(2.0, 0.25)
    graph = net.graph([0.0], [0.25], level="ops")
    complement = next(n for n in graph.nodes if n.op is not None and n.op.name == "sub")
    assert complement.operands == (1.0, graph.a(2, 1)) and complement.rates == (-1.0,)
    assert complement.data == 1 / (1 + math.exp(2.0))
    assert graph.value_at({}) == pytest.approx(graph.C.data, rel=1e-15)
    (db,) = pg.grad(graph, [graph.b(2, 1)])
    assert db == pytest.approx(1 / (1 + math.exp(-2.0)) - 0.25, rel=1e-14)
    logistic = pg.Activation("logistic", lambda z: 1 / (1 + np.exp(-z)),
                             lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, output_range=(0, 1))
    other = pg.Network([1, 1], activation=logistic, cost="cross-entropy", weights=[[[1.0]]],
                       biases=[[[2.0]]]).graph([0.0], [0.25], level="ops")
    a = 1 / (1 + math.exp(-2.0))
    assert other.C.data == pytest.approx(-(0.25 * math.log(a) + 0.75 * math.log(1 - a)),
                                         rel=1e-14)
    (db,) = pg.grad(other, [other.b(2, 1)])
    assert db == pytest.approx(a - 0.25, rel=1e-12)
