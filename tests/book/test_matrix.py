"""The matrix mini-batch engine against the scalar graph and the book's per-example loop."""

from __future__ import annotations

from decimal import Decimal, localcontext
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.book import activations, losses, matrix
from tests.strategies import networks


def max_rel(got, want):
    got = np.concatenate([a.ravel() for a in got])
    want = np.concatenate([a.ravel() for a in want])
    return np.max(np.abs(got - want)) / np.max(np.abs(want))


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_digits_sized_batch_equals_graph_and_loop(cost):
    net = pg.Network([64, 30, 10], cost=cost, init="scaled", seed=11)
    rng = np.random.default_rng(0)
    X = rng.random((64, 10))
    Y = np.eye(10)[:, rng.integers(0, 10, 10)]
    nabla_b, nabla_w = net.matrix_backprop(X, Y)
    graph_b = [np.zeros_like(b) for b in nabla_b]
    graph_w = [np.zeros_like(w) for w in nabla_w]
    for i in range(10):
        db, dw = net.backprop(X[:, i], Y[:, i])
        graph_b = [t + d for t, d in zip(graph_b, db, strict=True)]
        graph_w = [t + d for t, d in zip(graph_w, dw, strict=True)]
    assert max_rel(graph_b + graph_w, nabla_b + nabla_w) < 1e-12
    loop_b, loop_w = matrix.backprop_loop(net.weights, net.biases, net.layers, net.cost, X, Y)
    assert max_rel(loop_b + loop_w, nabla_b + nabla_w) < 1e-12
    # and every weight of the first example's graph equals the engine on that one column
    one_b, one_w = net.matrix_backprop(X[:, :1], Y[:, :1])
    db, dw = net.backprop(X[:, 0], Y[:, 0])
    assert max_rel(db + dw, one_b + one_w) < 1e-12


def book_epoch(net, X, Y, order, m, eta, lmbda):
    """SGD the plain way: per mini-batch, sum the loop's gradients, then step."""
    n = X.shape[0]
    for start in range(0, n, m):
        rows = order[start : start + m]
        nb, nw = matrix.backprop_loop(
            net.weights, net.biases, net.layers, net.cost, X[rows].T, Y[rows].T
        )
        for i in range(len(net.weights)):
            net.weights[i] = (1 - eta * lmbda / n) * net.weights[i] - (eta / len(rows)) * nw[i]
            net.biases[i] = net.biases[i] - (eta / len(rows)) * nb[i]


@pytest.mark.parametrize("lmbda", [0.0, 0.5])
@pytest.mark.parametrize("m", [1, 3, 7])
def test_sgd_epoch_equals_the_plain_update(m, lmbda):
    rng = np.random.default_rng(1)
    X = rng.random((20, 5))
    Y = rng.random((20, 3))
    order = rng.permutation(20)
    fast = pg.Network([5, 4, 3], activation=[["tanh", "sigmoid", "relu", "linear"], "sigmoid"],
                      seed=2)
    plain = pg.Network([5, 4, 3], activation=[["tanh", "sigmoid", "relu", "linear"], "sigmoid"],
                       seed=2)
    matrix.sgd_epoch(fast.weights, fast.biases, fast.layers, fast.cost, X, Y, order, m, 0.7,
                     lmbda)
    book_epoch(plain, X, Y, order, m, 0.7, lmbda)
    changed = max(np.max(np.abs(w - w0)) for w, w0 in zip(
        fast.weights, pg.Network([5, 4, 3], seed=2).weights, strict=True))
    assert changed > 1e-3  # the epoch did move the weights
    assert max_rel(fast.weights + fast.biases, plain.weights + plain.biases) < 1e-12


def test_forward_returns_every_layer():
    net = pg.Network([3, 4, 2], seed=0)
    X = np.arange(6.0).reshape(3, 2) / 6
    zs, acts = matrix.forward(net.weights, net.biases, net.layers, X)
    assert [z.shape for z in zs] == [(4, 2), (2, 2)]
    assert [a.shape for a in acts] == [(3, 2), (4, 2), (2, 2)]
    for i in range(2):
        np.testing.assert_allclose(acts[-1][:, i : i + 1], net.feedforward(X[:, i]), rtol=1e-15)
    np.testing.assert_allclose(net.feedforward(X), acts[-1], rtol=1e-15)


def test_update_decays_the_weights_only_and_steps_both():
    """``w ← decay·w − step·∇w`` and ``b ← b − step·∇b``: the decay (L2 regularisation)
    shrinks the weights, never the biases, and is skipped at exactly 1."""
    weights, biases = [np.array([[2.0, -4.0]])], [np.array([[1.0]])]
    nabla_w, nabla_b = [np.array([[1.0, 1.0]])], [np.array([[0.5]])]
    matrix.update(weights, biases, nabla_b, nabla_w, step=0.1, decay=0.5)
    np.testing.assert_array_equal(weights[0], [[0.5 * 2.0 - 0.1, 0.5 * -4.0 - 0.1]])
    np.testing.assert_array_equal(biases[0], [[1.0 - 0.05]])
    matrix.update(weights, biases, nabla_b, nabla_w, step=0.0)  # decay 1: nothing moves
    np.testing.assert_array_equal(weights[0], [[0.9, -2.1]])


def copied(net):
    """The parameters of ``net`` as a separate network-like object (for the plain update)."""
    return SimpleNamespace(weights=[w.copy() for w in net.weights],
                           biases=[b.copy() for b in net.biases], layers=net.layers, cost=net.cost)


@settings(max_examples=60, deadline=None)
@given(networks(), st.integers(1, 9), st.integers(1, 4), st.sampled_from([0.0, 0.4]))
def test_sgd_epoch_equals_the_plain_update_on_random_networks(drawn, n, m, lmbda):
    """Every activation (built-in, per neuron, user-defined without in-place forms), both
    costs, any depth, a last mini-batch shorter than the others or a batch larger than the
    data: the epoch's in-place algebra moves every parameter as the plain loop does."""
    net = drawn[0]
    rng = np.random.default_rng(n * 7 + m)
    X = rng.uniform(-1, 1, (n, net.sizes[0]))
    Y = rng.uniform(0, 1, (n, net.sizes[-1]))
    order = rng.permutation(n)
    plain = copied(net)
    matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, X, Y, order, m, 0.3, lmbda)
    book_epoch(plain, X, Y, order, m, 0.3, lmbda)
    got, want = net.weights + net.biases, plain.weights + plain.biases
    scale = max(np.max(np.abs(w)) for w in want)
    assert max(np.max(np.abs(g - w)) for g, w in zip(got, want, strict=True)) <= 1e-13 * scale


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_sgd_epoch_on_a_deep_uniform_net_equals_the_plain_update(cost, activation):
    """Three hidden layers of one built-in activation (their in-place σ and σ'), a sigmoid
    output (cross-entropy's δ = a - y), ten examples in mini-batches of four."""
    sizes = [6, 5, 4, 5, 3]
    net = pg.Network(sizes, activation=[activation] * 3 + ["sigmoid"], cost=cost, seed=4)
    rng = np.random.default_rng(5)
    X, Y = rng.uniform(-1, 1, (10, 6)), rng.uniform(0, 1, (10, 3))
    order = rng.permutation(10)
    plain = copied(net)
    matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, X, Y, order, 4, 0.5, 0.2)
    book_epoch(plain, X, Y, order, 4, 0.5, 0.2)
    assert max_rel(net.weights + net.biases, plain.weights + plain.biases) < 1e-13
    assert max_rel(net.weights, copied(pg.Network(sizes, seed=4)).weights) > 1e-3


@pytest.mark.parametrize("order", [
    np.arange(4),  # too few
    np.arange(7)[1:],  # 6 is not a row
    np.array([0, 1, 2, 3, 4, -1]),  # nor is -1
    np.arange(6.0),  # not whole numbers
    np.arange(6).reshape(2, 3),
])
def test_sgd_epoch_refuses_an_order_that_is_not_row_numbers(order):
    net = pg.Network([2, 2], seed=0)
    X, Y = np.ones((6, 2)), np.zeros((6, 2))
    before = [w.copy() for w in net.weights]
    with pytest.raises(pg.PathgradError, match="order must be 6 row numbers of X, each in 0..5"):
        matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, X, Y, order, 2, 1.0)
    assert all(np.array_equal(w, b) for w, b in zip(net.weights, before, strict=True))
    matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, X, Y, [5, 0, 0, 1, 2, 3], 2,
                     1.0)  # any row numbers, a list too, repeated or not
    assert not np.array_equal(net.weights[0], before[0])


def test_sgd_epoch_on_one_example_and_on_none():
    net = pg.Network([2, 2], seed=0)
    X, Y = np.ones((1, 2)), np.zeros((1, 2))
    with pytest.raises(pg.PathgradError, match="order must be 1 row numbers of X, each in 0..0"):
        matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, X, Y, [1], 1, 1.0)
    before = copied(net)
    matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, X, Y, [0], 1, 1.0, 0.5)
    book_epoch(before, X, Y, np.array([0]), 1, 1.0, 0.5)
    assert max_rel(net.weights + net.biases, before.weights + before.biases) < 1e-15
    matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, X[:0], Y[:0], np.arange(0),
                     1, 1.0, 0.5)  # an epoch over no example makes no step
    assert max_rel(net.weights + net.biases, before.weights + before.biases) < 1e-15


class QuarticCost(losses.Cost):
    """``C = ¼ Σ (a - y)⁴``: a user's cost, with no in-place form of its own."""

    name = "quartic"

    def fn(self, a, y):
        return 0.25 * float(np.sum((a - y) ** 4))

    def derivative(self, a, y):
        return (a - y) ** 3


#: σ(2z), a user's function into (0, 1): with the cross-entropy its δ is 2(a - y), not a - y
SQUASH = pg.Activation("squash", lambda z: 0.5 + 0.5 * np.tanh(z),
                       lambda z: 0.5 / np.cosh(z) ** 2, output_range=(0, 1))


@pytest.mark.parametrize("cost, output", [
    (QuarticCost(), "tanh"),  # Cost.delta_into: δ = ∇_a C ⊙ σ'(z), through Cost.delta
    ("cross-entropy", ["sigmoid", SQUASH, "sigmoid"]),  # a - y on the sigmoid rows only
    ("cross-entropy", SQUASH),  # no sigmoid row: ∇_a C ⊙ σ'(z) everywhere
])
def test_sgd_epoch_with_a_cost_or_output_layer_without_a_shortcut(cost, output):
    net = pg.Network([4, 5, 3], activation=["tanh", output], cost=cost, seed=6)
    rng = np.random.default_rng(7)
    X, Y = rng.uniform(-1, 1, (9, 4)), rng.uniform(0, 1, (9, 3))
    order = rng.permutation(9)
    plain = copied(net)
    matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, X, Y, order, 2, 0.8)
    book_epoch(plain, X, Y, order, 2, 0.8, 0.0)
    assert max_rel(net.weights + net.biases, plain.weights + plain.biases) < 1e-13
    assert max_rel(net.weights, copied(pg.Network([4, 5, 3], seed=6)).weights) > 1e-3


@settings(max_examples=200, deadline=None)
@given(st.floats(-708.0, 708.0))
@example(-708.0).via("the last z before e^{-z} overflows")
@example(-40.0).via("deep saturation, where 1 + tanh(z/2) would lose every digit")
@example(37.0).via("a rounds to 1")
def test_the_trainers_sigmoid_is_exact_to_a_few_units_in_the_last_place(z):
    """The in-place σ the epoch uses, ``1 / (1 + e^{-z})``, against σ in 60-digit decimals."""
    out = np.empty((1, 1))
    activations.sigmoid.fn_into(np.array([[z]]), out)
    with localcontext() as context:
        context.prec = 60
        want = 1 / (1 + (-Decimal(z)).exp())
    assert abs(Decimal(float(out[0, 0])) - want) <= Decimal("1e-15") * want


def test_the_trainers_sigmoid_past_the_float_range_is_0_or_1_without_a_warning():
    out = np.empty((1, 4))
    with np.errstate(over="raise"):  # the epoch silences this overflow
        with pytest.raises(FloatingPointError):
            activations.sigmoid.fn_into(np.array([[-710.0, -1e308, 710.0, 1e308]]), out)
    with np.errstate(over="ignore"):
        activations.sigmoid.fn_into(np.array([[-710.0, -1e308, 710.0, 1e308]]), out)
    assert out.tolist() == [[0.0, 0.0, 1.0, 1.0]]
    net = pg.Network([1, 1], weights=[[[1.0]]], biases=[[[-800.0]]])
    with np.errstate(over="raise"):
        matrix.sgd_epoch(net.weights, net.biases, net.layers, net.cost, np.zeros((2, 1)),
                         np.ones((2, 1)), np.arange(2), 1, 1.0)
    assert net.biases[0][0, 0] == -800.0  # σ'(-800) is 0 to every digit a float has


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "linear"])
def test_each_activations_in_place_forms_equal_fn_and_prime(name):
    act = activations.ACTIVATIONS[name]
    z = np.linspace(-3.0, 3.0, 14).reshape(2, 7) + 0.01  # no z at relu's kink
    a = np.empty_like(z)
    act.fn_into(z, a)
    np.testing.assert_allclose(a, act.fn(z), rtol=1e-15, atol=0)
    delta = np.arange(1.0, 15.0).reshape(2, 7)
    want = delta * act.prime(z)
    act.times_slope(delta, z, a, np.empty_like(z))
    np.testing.assert_allclose(delta, want, rtol=0, atol=1e-14)
