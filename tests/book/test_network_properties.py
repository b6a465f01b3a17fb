"""Property tests over random small networks: every way of computing the gradient agrees.

For random sizes, activations (per layer and per single neuron, built-in and user-defined),
costs, parameters and examples:

* the neuron, z and ops graphs give the same gradient (to 1e-12 relative);
* the sum of the graph's per-example gradients equals the matrix engine on the mini-batch and
  the per-example loop of the book's algorithm (1e-12);
* HIPS autograd, differentiating an independent numpy formula of the same network, agrees
  (1e-12), and so do finite differences on the graph (equation 46, 1e-6).

"Relative" means relative to the largest entry of the gradient, so a tiny entry that is pure
rounding noise does not count as a disagreement.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.book import matrix
from tests.reference import assert_close, autograd_gradient, flat
from tests.strategies import networks


def graph_sum(net, X, Y, level):
    total = None
    for i in range(X.shape[1]):
        g = flat(net.backprop(X[:, i], Y[:, i], level=level))
        total = g if total is None else total + g
    return total


def assume_cross_entropy_output_not_saturated(net, X):
    # The graph's edge a^L -> C carries ∂C/∂a = (a-y)/(a(1-a)); once a = σ(z) is rounded to a
    # float near 1, 1-a has lost digits, so the graph (and autograd) can only match the exact
    # δ^L = a - y to about 1e-16/(1-a). Near-saturated outputs are tested at looser tolerance
    # in test_network.py; here |z^L| < 5 keeps that loss below 1e-13.
    if net.cost.name == "cross-entropy":
        zs, _ = matrix.forward(net.weights, net.biases, net.layers, X)
        assume(np.max(np.abs(zs[-1])) < 5)


@settings(max_examples=200, deadline=None)
@given(networks())
def test_all_gradients_agree(case):
    net, names, X, Y = case
    assume_cross_entropy_output_not_saturated(net, X)
    engine = matrix.backprop(net.weights, net.biases, net.layers, net.cost, X, Y)
    loop = matrix.backprop_loop(net.weights, net.biases, net.layers, net.cost, X, Y)
    assert_close(loop, engine, 1e-12)
    for level in ("neuron", "z", "ops"):
        assert_close(graph_sum(net, X, Y, level), engine, 1e-12)
    assert_close(autograd_gradient(net, names, X, Y), engine, 1e-12)
    assert_close(net.matrix_backprop(X, Y), engine, 0.0)


@settings(max_examples=100, deadline=None)
@given(networks())
def test_graph_agrees_with_finite_differences(case):
    net, _, X, Y = case
    # A saturated output's 1 - a has lost digits, and a central difference of C magnifies that
    # rounding by 1/h: beyond the floor below (a = 1 - 4e-7 gave errors of 1e-6 relative).
    assume_cross_entropy_output_not_saturated(net, X[:, :1])
    x, y = X[:, 0], Y[:, 0]
    g = net.graph(x, y, level="z")
    # Finite differences need a smooth cost near the point: no ReLU within reach of its kink.
    for l in range(2, net.num_layers + 1):  # noqa: E741
        for j in range(1, net.sizes[l - 1] + 1):
            assume(net.layers[l - 2][j - 1].name != "relu" or abs(g.z(l, j).data) > 1e-3)
    exact = np.array(pg.grad(g, g.params()))
    numeric = np.array([pg.numeric_grad(g, p) for p in g.params()])
    # Relative to the largest entry, floored (as pg.check does) at the rounding noise a central
    # difference can resolve: eps·|C| / h with h = 1e-4, about 1e-12·|C|, times a margin.
    scale = max(np.max(np.abs(exact)), 1e-4 * max(1.0, abs(g.C.data)))
    assert np.max(np.abs(exact - numeric)) <= 1e-6 * scale


@settings(max_examples=100, deadline=None)
@given(networks())
def test_deltas_are_the_z_adjoints_and_bp3_bp4_hold(case):
    net, _, X, Y = case
    assume_cross_entropy_output_not_saturated(net, X[:, :1])
    x, y = X[:, :1], Y[:, :1]
    deltas = net.deltas(x, y)
    zs, acts = matrix.forward(net.weights, net.biases, net.layers, x)
    want = matrix.deltas(net.weights, net.layers, net.cost, zs, acts, y)
    nabla_b, nabla_w = net.backprop(x, y)
    for l in range(len(deltas)):  # noqa: E741
        scale = max(np.max(np.abs(want[l])), 1e-300)
        assert np.max(np.abs(deltas[l] - want[l])) <= 1e-12 * scale
        # BP3: ∂C/∂b = δ; BP4: ∂C/∂w_jk = a_k δ_j
        assert np.max(np.abs(nabla_b[l] - deltas[l])) <= 1e-12 * scale
        outer = deltas[l] @ acts[l].T
        assert np.max(np.abs(nabla_w[l] - outer)) <= 1e-12 * max(np.max(np.abs(outer)), 1e-300)


@settings(max_examples=80, deadline=None)
@given(networks(), st.sampled_from([1e-4, -1e-4]))
def test_the_demon_on_random_networks(case, dz):
    net, _, X, Y = case
    g = net.graph(X[:, 0], Y[:, 0], level="z")
    deltas = net.deltas(X[:, 0], Y[:, 0])
    for l in range(2, net.num_layers + 1):  # noqa: E741
        for j in range(1, net.sizes[l - 1] + 1):
            assume(net.layers[l - 2][j - 1].name != "relu" or abs(g.z(l, j).data) > 1e-3)
    for l in range(2, net.num_layers + 1):  # noqa: E741
        for j in range(1, net.sizes[l - 1] + 1):
            z = g.z(l, j)
            change = g.value_at({z: z.data + dz}) - g.C.data
            predicted = deltas[l - 2][j - 1, 0] * dz
            # the demon's ΔC ≈ δ Δz, up to second-order terms in Δz
            assert abs(change - predicted) <= 100 * dz**2 * max(1.0, abs(g.C.data))


def array_slot(net, g, node):
    """The array and index holding the parameter of ``node`` (a weight or bias of graph g)."""
    for l in range(2, net.num_layers + 1):  # noqa: E741
        for j in range(1, net.sizes[l - 1] + 1):
            if g.b(l, j) is node:
                return net.biases[l - 2], (j - 1, 0)
            for k in range(1, net.sizes[l - 2] + 1):
                if g.w(l, j, k) is node:
                    return net.weights[l - 2], (j - 1, k - 1)
    raise AssertionError(f"{node!r} is not a parameter")


@settings(max_examples=60, deadline=None)
@given(networks(), st.sampled_from(["neuron", "z", "ops"]), st.data())
def test_evaluate_at_moved_parameters_equals_a_graph_built_there(case, level, data):
    # graph.evaluate recomputes values and rates through each node's operation (the neuron
    # and weighted-input operations of the network, the activations' ops); a graph built
    # afresh takes them from the numpy forward pass. Both must give the same graph.
    net, _, X, Y = case
    x, y = X[:, 0], Y[:, 0]
    g = net.graph(x, y, level=level)
    params = g.params()
    moved = data.draw(st.lists(st.sampled_from(params), min_size=1, max_size=3, unique=True))
    shifts = {p: p.data + 0.1 * (i + 1) for i, p in enumerate(moved)}
    for p, value in shifts.items():
        array, where = array_slot(net, g, p)
        array[where] = value
    assume_cross_entropy_output_not_saturated(net, X[:, :1])
    # a relu neuron right at its kink has no one slope to compare
    zs, _ = matrix.forward(net.weights, net.biases, net.layers, X[:, :1])
    assume(all(np.min(np.abs(z)) > 1e-9 for z in zs))
    h = g.evaluate(shifts)
    fresh = net.graph(x, y, level=level)
    assert [n.name for n in h.nodes] == [n.name for n in fresh.nodes]
    np.testing.assert_allclose(
        [n.data for n in h.nodes], [n.data for n in fresh.nodes], rtol=1e-12, atol=1e-14
    )
    for got, want in zip(h.nodes, fresh.nodes, strict=True):
        np.testing.assert_allclose(got.rates, want.rates, rtol=1e-9, atol=1e-13)
    at_h = pg.grad(h, [h.nodes[g.index[p]] for p in params])
    np.testing.assert_allclose(at_h, pg.grad(fresh, fresh.params()), rtol=1e-9, atol=1e-13)
