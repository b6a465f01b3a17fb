"""Residual nets: the gradient three independent ways, C(n, k) paths, and deleting blocks.

* the reverse sweep over a ResNet's graph equals HIPS autograd on a numpy formula of the same
  net and the brute-force sum over every path (equation 53);
* with n blocks of width 1, the dynamic-programming count of paths of each length is C(n, k);
* ``predict`` (numpy, no graph) equals the graph's outputs, with or without deleted blocks,
  and refuses inputs that are not finite numbers;
* a block's own operation ``a + σ(z)`` gives the values and rate factors it promises, and
  recomputing a ResNet's graph with it (``Graph.evaluate``) gives the same cost.
"""

from __future__ import annotations

import math

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as autograd_grad
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.nn import Residual, ResNet
from tests.reference import path_products
from tests.strategies import AUTOGRAD_FN, resnets


def quadratic_cost(net, x, y):
    out = net(x)
    total = 0.0
    for a, t in zip(out, y, strict=True):
        total = total + (a - float(t)) ** 2
    return 0.5 * total


def layer_arrays(layer):
    return (np.array([[p.data for p in n.w] for n in layer.neurons]),
            np.array([n.b.data for n in layer.neurons]))


def autograd_reference(net, act, output, x, y):
    """∂C/∂(every parameter), in net.parameters() order, from an independent numpy formula."""
    layers = [net.input_layer, *(b.layer for b in net.blocks), net.output_layer]
    params = [a for layer in layers for a in layer_arrays(layer)]
    f, g = AUTOGRAD_FN[act], AUTOGRAD_FN[output]

    def cost(ps):
        a = f(anp.dot(ps[0], x) + ps[1])
        for i in range(len(net.blocks)):
            h = f(anp.dot(ps[2 + 2 * i], a) + ps[3 + 2 * i])
            a = a + h if net.skip else h
        out = g(anp.dot(ps[-2], a) + ps[-1])
        return 0.5 * anp.sum((out - y) ** 2)

    grads = autograd_grad(cost)(params)
    flat = []
    for w, b in zip(grads[::2], grads[1::2], strict=True):  # neuron by neuron: w_j1..w_jn, b_j
        for j in range(w.shape[0]):
            flat.extend([*w[j], b[j]])
    return flat


@settings(max_examples=80, deadline=None)
@given(resnets())
def test_reverse_sweep_equals_autograd_and_the_sum_over_paths(case):
    net, act, output, x, y = case
    c = quadratic_cost(net, x.tolist(), y)
    c.backward()
    ours = [p.grad for p in net.parameters()]
    want = autograd_reference(net, act, output, x, y)
    scale = max(1.0, *map(abs, want))
    assert max(abs(a - b) for a, b in zip(ours, want, strict=True)) <= 1e-12 * scale
    graph = pg.Graph(c)
    for p in net.parameters()[:6]:
        products = path_products(p, graph)
        assert math.fsum(products) == pytest.approx(p.grad, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("blocks", [1, 4, 7])
def test_n_blocks_give_binomially_many_paths_of_each_length(blocks):
    net = ResNet(1, 1, blocks, 1, "tanh", "linear", seed=blocks)
    x = pg.Value(0.5, name="a^1_1")
    c = quadratic_cost(net, [x], [0.2])
    stats = pg.path_stats(x, c)
    # x → z² → a² (2 edges); per block 1 edge (skip) or 2 (via z^l); z, a; then the cost:
    # a - y, its square, 0 + that, ½ times it (4 edges).
    base = 2 + blocks + 2 + 4
    assert [b.length - base for b in stats.by_length] == list(range(blocks + 1))
    assert [b.count for b in stats.by_length] == [math.comb(blocks, k)
                                                  for k in range(blocks + 1)]
    plain = ResNet(1, 1, blocks, 1, "tanh", "linear", skip=False, seed=blocks)
    assert pg.count_paths(x, quadratic_cost(plain, [x], [0.2])) == 1


def test_the_skip_edge_has_rate_one_and_the_layer_edge_sigma_prime():
    net = ResNet(2, 2, 1, 1, "tanh", seed=3)
    out = net.blocks[0]([pg.Value(0.3), pg.Value(-0.6)])
    a = out[0]
    skip, z = a.parents
    assert a.name == "a^3_1" and z.name == "z^3_1"
    assert a.rates == (1.0, pytest.approx(1 - math.tanh(z.data) ** 2, rel=1e-14))
    assert a.data == pytest.approx(skip.data + math.tanh(z.data), rel=1e-15)


@pytest.mark.parametrize("skip", [True, False])
def test_predict_equals_the_graph_with_and_without_deleted_blocks(skip):
    net = ResNet(4, 3, 5, 2, "relu", skip=skip, seed=11)
    X = np.random.default_rng(0).uniform(-1, 1, (6, 4))
    for lesioned in (net, net.without(2), net.without(1, 5)):
        graph_out = [[a.data for a in lesioned(row)] for row in X.tolist()]
        assert np.allclose(lesioned.predict(X), graph_out, rtol=1e-13, atol=1e-15)
    assert len(net.without(2).blocks) == 4 and len(net.blocks) == 5
    assert net.without(3).parameters()[0] is net.parameters()[0]  # the same Values
    with pytest.raises(pg.PathgradError, match="block number"):
        net.without(6)


def test_residual_ops_level_matches_z_level():
    x, y = [0.1, -0.4, 0.7], [0.3, 0.9]
    grads = {}
    for level in ("z", "ops"):
        net = ResNet(3, 2, 3, 2, "sigmoid", level=level, seed=5)
        c = quadratic_cost(net, x, y)
        c.backward()
        grads[level] = [p.grad for p in net.parameters()]
    assert grads["z"] == pytest.approx(grads["ops"], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    "X, message",
    [
        ([[math.nan, 1.0]], "NaN"),
        ([[1.0, -math.inf]], "NaN or infinity"),
        ([["a", 1.0]], "X must be real numbers"),
        ([1.0, 2.0], r"X must have shape \(n, 2\)"),
    ],
)
def test_predict_refuses_inputs_that_are_not_finite_numbers(X, message):
    with pytest.raises(pg.PathgradError, match=message):
        ResNet(2, 3, 2, 1).predict(X)


def block(skip=True):
    return Residual(2, "tanh", skip=skip, layer=3, weights=[[0.5, -1.0], [2.0, 0.25]],
                    biases=[0.1, -0.3])


@pytest.mark.parametrize("as_values", [False, True])
def test_a_block_adds_its_input_to_sigma_of_z_with_rates_one_and_sigma_prime(as_values):
    x = [0.4, -0.8]
    out = block()([pg.Value(v) for v in x] if as_values else x)
    for j, (a, x_j) in enumerate(zip(out, x, strict=True)):
        z = a.parents[-1]
        assert z.name == f"z^3_{j + 1}" and a.name == f"a^3_{j + 1}"
        assert z.data == pytest.approx([0.1 + 0.5 * 0.4 + 0.8, -0.3 + 0.8 - 0.2][j], rel=1e-15)
        assert a.op.name == "residual[tanh]"
        assert a.data == x_j + math.tanh(z.data)
        slope = pytest.approx(1 - math.tanh(z.data) ** 2, rel=1e-14)
        # From a number x_j the skip is a constant: no edge, only the layer's edge from z.
        assert a.rates == ((1.0, slope) if as_values else (slope,))
        assert a.op.fn(x_j, z.data) == a.data and a.op.partials(x_j, z.data) == (1.0, slope)
    plain = block(skip=False)(x)
    assert [a.data for a in plain] == [math.tanh(a.parents[-1].data) for a in out]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_recomputing_a_resnets_graph_gives_its_cost(activation):
    net = ResNet(3, 4, 3, 2, activation, seed=2)
    c = quadratic_cost(net, [pg.Value(v) for v in (0.3, -0.5, 0.9)], [0.2, 0.7])
    graph = pg.Graph(c)
    again = graph.evaluate()
    assert again.nodes[-1].data == pytest.approx(c.data, rel=1e-15)
    for node, copy in zip(graph.nodes, again.nodes, strict=True):
        assert copy.data == pytest.approx(node.data, rel=1e-14, abs=1e-15)
        assert copy.rates == pytest.approx(node.rates, rel=1e-14, abs=1e-15)
    assert any(node.op is not None and node.op.name == f"residual[{activation}]"
               for node in graph.nodes)
