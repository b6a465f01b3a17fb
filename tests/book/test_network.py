"""The network as a rate-factor graph: book names, the three levels, eq. 53, BP1-BP4, the demon."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.book.activations import Activation, sigmoid
from pathgrad.book.network_graphs import book_name

X = [[0.5], [0.9]]
Y = [[1.0], [0.0]]


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def by_hand_221(w2, b2, w3, b3, x, y):
    """C of a [2, 2, 1] sigmoid net with quadratic cost, written out scalar by scalar."""
    a2 = [sig(w2[j][0] * x[0] + w2[j][1] * x[1] + b2[j]) for j in range(2)]
    a3 = sig(w3[0] * a2[0] + w3[1] * a2[1] + b3)
    return 0.5 * (a3 - y) ** 2


@pytest.fixture
def net():
    return pg.Network([2, 3, 2], seed=1)


def test_issue_example_paths_and_backprop(net):
    g = net.graph(X, Y)
    assert pg.count_paths(g.w(2, 1, 2), g.C) == 2
    nabla_b, nabla_w = net.backprop(X, Y)
    assert pg.path_sum(g.w(2, 1, 2), g.C) == pytest.approx(nabla_w[0][0, 1], rel=1e-14)
    assert [b.shape for b in nabla_b] == [(3, 1), (2, 1)]
    assert [w.shape for w in nabla_w] == [(3, 2), (2, 3)]


def test_book_names_and_accessors(net):
    g = net.graph(X, Y, level="z")
    assert g.w(2, 1, 2).name == "w^2_12"
    assert g.b(3, 1).name == "b^3_1"
    assert g.a(2, 3).name == "a^2_3"
    assert g.z(3, 2).name == "z^3_2"
    assert g.a(1, 2).name == "a^1_2" and g.a(1, 2).data == 0.9
    assert g.C.name == "C"
    assert g["w^3_23"] is g.w(3, 2, 3)
    assert g.w(3, 2, 3).data == net.weights[1][1, 2]
    assert g.b(2, 3).data == net.biases[0][2, 0]
    assert g.layer_sizes == (2, 3, 2)
    assert book_name("w", 2, 12, 3) == "w^2_12,3"
    assert book_name("a", 3, 1) == "a^3_1"


def test_node_values_are_the_forward_pass(net):
    for level in ("neuron", "z", "ops"):
        g = net.graph(X, Y, level=level)
        out = net.feedforward(X)
        assert g.a(3, 1).data == pytest.approx(out[0, 0], rel=1e-14)
        assert g.C.data == pytest.approx(net.cost_of(X, Y), rel=1e-14)


def test_neuron_level_rate_factors_are_equation_53s(net):
    g = net.graph(X, Y, level="neuron")
    z2 = net.weights[0] @ np.array(X) + net.biases[0]
    a2 = 1 / (1 + np.exp(-z2))
    z3 = net.weights[1] @ a2 + net.biases[1]
    a3 = 1 / (1 + np.exp(-z3))
    sp = lambda z: sig(z) * (1 - sig(z))  # noqa: E731

    def rate(src, dst):
        (edge,) = [e for e in g.parents(dst) if e.src is src]
        return edge.rate

    # ∂a^2_1/∂w^2_12 = σ'(z^2_1) a^1_2
    assert rate(g.w(2, 1, 2), g.a(2, 1)) == pytest.approx(sp(z2[0, 0]) * 0.9, rel=1e-13)
    # ∂a^3_2/∂a^2_1 = σ'(z^3_2) w^3_21
    expected = sp(z3[1, 0]) * net.weights[1][1, 0]
    assert rate(g.a(2, 1), g.a(3, 2)) == pytest.approx(expected, rel=1e-13)
    assert rate(g.b(3, 2), g.a(3, 2)) == pytest.approx(sp(z3[1, 0]), rel=1e-13)
    # ∂C/∂a^3_1 = a^3_1 - y_1 for the quadratic cost
    assert rate(g.a(3, 1), g.C) == pytest.approx(a3[0, 0] - 1.0, rel=1e-13)
    # one neuron node per neuron, no z nodes
    with pytest.raises(ValueError, match="level='z'"):
        g.z(2, 1)


def test_z_level_rate_factors(net):
    g = net.graph(X, Y, level="z")
    edges = {e.src.name: e.rate for e in g.parents(g.z(2, 3))}
    assert edges == {
        "w^2_31": 0.5, "w^2_32": 0.9,
        "a^1_1": net.weights[0][2, 0], "a^1_2": net.weights[0][2, 1], "b^2_3": 1.0,
    }
    ((edge),) = g.parents(g.a(2, 3))
    z = g.z(2, 3).data
    assert edge.src is g.z(2, 3) and edge.rate == pytest.approx(sig(z) * (1 - sig(z)), rel=1e-13)


def test_count_paths_every_level_and_larger_net():
    net = pg.Network([3, 4, 5, 2], seed=0)
    x, y = [0.1, 0.2, 0.3], [1.0, 0.0]
    for level in ("neuron", "z", "ops"):
        g = net.graph(x, y, level=level)
        # from w^2_jk: through a^2_j, then any of 5 neurons in layer 3 and 2 in layer 4
        assert pg.count_paths(g.w(2, 1, 2), g.C) == 5 * 2
        assert pg.count_paths(g.w(3, 1, 2), g.C) == 2
        assert pg.count_paths(g.w(4, 2, 5), g.C) == 1
        # an input reaches C through every neuron of layer 2: 4 * 5 * 2
        assert pg.count_paths(g.a(1, 1), g.C) == 40


def test_gradient_matches_a_hand_written_cost():
    net = pg.Network([2, 2, 1], seed=3)
    w2, b2 = net.weights[0].tolist(), net.biases[0][:, 0].tolist()
    w3, b3 = net.weights[1][0].tolist(), float(net.biases[1][0, 0])
    x, y = [0.3, -0.7], 0.25
    nabla_b, nabla_w = net.backprop(x, [y])
    h = 1e-6
    for j in range(2):
        for k in range(2):
            plus = [row[:] for row in w2]
            minus = [row[:] for row in w2]
            plus[j][k] += h
            minus[j][k] -= h
            numeric = (by_hand_221(plus, b2, w3, b3, x, y) - by_hand_221(minus, b2, w3, b3, x, y))
            assert nabla_w[0][j, k] == pytest.approx(numeric / (2 * h), rel=1e-6)
    numeric = (by_hand_221(w2, b2, w3, b3 + h, x, y) - by_hand_221(w2, b2, w3, b3 - h, x, y))
    assert nabla_b[1][0, 0] == pytest.approx(numeric / (2 * h), rel=1e-6)


def test_bp1_to_bp4_numerically():
    net = pg.Network([3, 4, 3], activation=["tanh", "sigmoid"], seed=5)
    x, y = [0.2, -0.4, 0.9], [0.0, 1.0, 0.0]
    g = net.graph(x, y, level="z")
    deltas = net.deltas(x, y)
    L = 3
    # δ^l_j = ∂C/∂z^l_j, measured by nudging z (the graph holds z at the new value)
    for l in (2, 3):  # noqa: E741
        for j in range(1, net.sizes[l - 1] + 1):
            assert deltas[l - 2][j - 1, 0] == pytest.approx(pg.numeric_grad(g, g.z(l, j)), rel=1e-6)
    # BP1: δ^L_j = ∂C/∂a^L_j σ'(z^L_j), each factor measured numerically
    for j in range(1, 4):
        dC_da = pg.numeric_grad(g, g.a(L, j))
        z = g.z(L, j).data
        assert deltas[-1][j - 1, 0] == pytest.approx(dC_da * sig(z) * (1 - sig(z)), rel=1e-6)
    # BP2: δ^2 = (w^3)^T δ^3 ⊙ σ'(z^2), with tanh' in layer 2
    z2 = np.array([[g.z(2, j).data] for j in range(1, 5)])
    bp2 = (net.weights[1].T @ deltas[1]) * (1 - np.tanh(z2) ** 2)
    np.testing.assert_allclose(deltas[0], bp2, rtol=1e-12)
    # BP3 and BP4 against finite differences of the cost in b and w
    nabla_b, nabla_w = net.backprop(x, y)
    for l in (2, 3):  # noqa: E741
        for j in range(1, net.sizes[l - 1] + 1):
            assert nabla_b[l - 2][j - 1, 0] == pytest.approx(deltas[l - 2][j - 1, 0], rel=1e-12)
            assert pg.numeric_grad(g, g.b(l, j)) == pytest.approx(deltas[l - 2][j - 1, 0], rel=1e-6)
            for k in range(1, net.sizes[l - 2] + 1):
                a_in = g.a(l - 1, k).data
                assert nabla_w[l - 2][j - 1, k - 1] == pytest.approx(
                    a_in * deltas[l - 2][j - 1, 0], rel=1e-12, abs=1e-300
                )
                assert pg.numeric_grad(g, g.w(l, j, k)) == pytest.approx(
                    a_in * deltas[l - 2][j - 1, 0], rel=1e-6, abs=1e-10
                )


@pytest.mark.parametrize("dz", [1e-3, -1e-3, 1e-5])
def test_the_demon(dz):
    net = pg.Network([4, 5, 3], seed=2)
    x, y = [0.1, 0.5, 0.9, 0.3], [0.0, 0.0, 1.0]
    g = net.graph(x, y, level="z")
    deltas = net.deltas(x, y)
    for l, j in [(2, 1), (2, 4), (3, 3)]:  # noqa: E741
        z = g.z(l, j)
        change = g.value_at({z: z.data + dz}) - g.C.data
        predicted = deltas[l - 2][j - 1, 0] * dz
        # first-order agreement: the error is second order in Δz
        assert abs(change - predicted) <= 10 * dz**2 + 1e-15
        assert change == pytest.approx(predicted, rel=max(50 * abs(dz), 1e-9))


def test_per_neuron_activation_and_user_defined_function():
    softplus = Activation(
        "softplus", lambda z: np.log1p(np.exp(z)), lambda z: 1 / (1 + np.exp(-z))
    )
    net = pg.Network([2, 3, 1], activation=[["sigmoid", softplus, "linear"], "sigmoid"], seed=4)
    g = net.graph([0.3, 0.6], [1.0], level="z")
    z = [g.z(2, j).data for j in (1, 2, 3)]
    assert g.a(2, 1).data == pytest.approx(sig(z[0]), rel=1e-14)
    assert g.a(2, 2).data == pytest.approx(math.log1p(math.exp(z[1])), rel=1e-14)
    assert g.a(2, 3).data == z[2]
    (edge,) = g.parents(g.a(2, 2))
    assert edge.rate == pytest.approx(sig(z[1]), rel=1e-14)
    report = pg.check(g, g.params())
    assert report.ok, str(report)


def test_linear_neurons_make_the_network_affine():
    # The exercise: with σ(z) = z everywhere, a^L = W^3 (W^2 x + b^2) + b^3.
    net = pg.Network([3, 4, 2], activation="linear", seed=6)
    x = np.array([[0.1], [0.2], [0.3]])
    expected = net.weights[1] @ (net.weights[0] @ x + net.biases[0]) + net.biases[1]
    np.testing.assert_allclose(net.feedforward(x), expected, rtol=1e-14)
    deltas = net.deltas(x, [0.0, 1.0])
    np.testing.assert_allclose(deltas[1], expected - [[0.0], [1.0]], rtol=1e-13)
    np.testing.assert_allclose(deltas[0], net.weights[1].T @ deltas[1], rtol=1e-13)


def test_cross_entropy_graph_matches_a_minus_y():
    net = pg.Network([2, 3, 2], cost="cross-entropy", seed=1)
    deltas = net.deltas(X, Y)
    a = net.feedforward(X)
    np.testing.assert_allclose(deltas[-1], a - np.array(Y), rtol=1e-12)


def test_graph_evaluate_recomputes_neuron_nodes(net):
    g = net.graph(X, Y, level="neuron")
    w = g.w(2, 2, 1)
    moved = g.value_at({w: w.data + 0.1})
    net.weights[0][1, 0] += 0.1
    assert moved == pytest.approx(net.cost_of(X, Y), rel=1e-13)


def test_gradients_do_not_depend_on_level_or_path_sum():
    net = pg.Network([3, 3, 3, 2], activation=["relu", "tanh", "sigmoid"], seed=8)
    x, y = [0.4, -0.2, 0.7], [0.3, 0.9]
    reference = net.backprop(x, y, level="neuron")
    for level in ("z", "ops"):
        other = net.backprop(x, y, level=level)
        for ref, got in zip(reference[0] + reference[1], other[0] + other[1], strict=True):
            np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)
    g = net.graph(x, y, level="z")
    for l, j, k in [(2, 1, 1), (3, 2, 3), (4, 2, 1)]:  # noqa: E741
        assert pg.path_sum(g.w(l, j, k), g) == pytest.approx(
            reference[1][l - 2][j - 1, k - 1], rel=1e-12, abs=1e-15
        )


def test_repr_and_params(net):
    g = net.graph(X, Y)
    assert "NetworkGraph [2,3,2] level='neuron'" in repr(g)
    names = [p.name for p in g.params()]
    assert names[:7] == ["w^2_11", "w^2_12", "w^2_21", "w^2_22", "w^2_31", "w^2_32", "b^2_1"]
    assert len(names) == 3 * 2 + 3 + 2 * 3 + 2
    assert "sigmoid" in repr(net) and "quadratic" in repr(net)
    assert sigmoid.fn(np.array([0.0]))[0] == 0.5


def test_cross_entropy_near_and_at_saturation():
    net = pg.Network([1, 2], cost="cross-entropy", seed=0)
    net.weights[0][:] = [[1.0], [-1.0]]
    net.biases[0][:] = 0.0
    y = [0.0, 1.0]
    # z = ±10: a = σ(z) is 4.5e-5 from 1 and 1-a keeps ~11 digits, so the graph's
    # ∂C/∂a^L · σ'(z^L) matches the exact δ^L = a - y to about 1e-11 relative
    exact_b, exact_w = net.matrix_backprop([[10.0]], [[0.0], [1.0]])
    graph_b, graph_w = net.backprop([10.0], y)
    np.testing.assert_allclose(graph_b[0], exact_b[0], rtol=1e-9)
    np.testing.assert_allclose(exact_b[0][:, 0], [sig(10.0), sig(-10.0) - 1.0], rtol=1e-14)
    # z = ±40: a rounds to exactly 1 and 0, yet the graph carries the exact rates (from z)
    exact_b, _ = net.matrix_backprop([[40.0]], [[0.0], [1.0]])
    np.testing.assert_allclose(exact_b[0][:, 0], [1.0, -1.0], rtol=1e-15)
    graph_b, _ = net.backprop([40.0], y)
    np.testing.assert_allclose(graph_b[0], exact_b[0], rtol=1e-14)
    # and the cost itself is exact there: C = 2 softplus(40) = 2(40 + ln(1 + e^-40))
    assert net.cost_of([40.0], y) == 2 * (40.0 + math.log1p(math.exp(-40.0)))
