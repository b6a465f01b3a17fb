"""The matrix mini-batch engine against the scalar graph and the book's per-example loop."""

from __future__ import annotations

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.book import matrix


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
