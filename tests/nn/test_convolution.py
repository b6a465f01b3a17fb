"""Shared weights: a kernel weight's derivative is the sum over its uses.

A Conv1d's kernel weights are single Values with an edge into every neuron. Checked against
the same layer with the weights copied per neuron (the sum of the copies' derivatives), HIPS
autograd on ``numpy.correlate``, and the brute-force sum over paths.
"""

from __future__ import annotations

import math

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as autograd_grad
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.nn import Conv1d, Neuron
from tests.reference import path_products
from tests.strategies import AUTOGRAD_FN, convolutions


def squares(outputs):
    total = 0.0
    for a in outputs:
        total = total + a * a
    return total


@settings(max_examples=80, deadline=None)
@given(convolutions())
def test_a_shared_weight_sums_over_its_uses(case):
    conv, act, x = case
    c = squares(conv(x))
    c.backward()
    kernel = len(conv.w)
    # The same layer with its own copy of the kernel in every neuron.
    copies = [Neuron(kernel, activation=act, index=j, weights=[w.data for w in conv.w],
                     bias=conv.b.data) for j in range(1, len(conv.neurons) + 1)]
    untied = squares([n(x[j : j + kernel]) for j, n in enumerate(copies)])
    untied.backward()
    for i, w in enumerate(conv.w):
        uses = [n.w[i].grad for n in copies]
        assert w.grad == pytest.approx(math.fsum(uses), rel=1e-12, abs=1e-14)
    assert conv.b.grad == pytest.approx(math.fsum(n.b.grad for n in copies), rel=1e-12,
                                        abs=1e-14)
    # HIPS autograd on an independent formula: σ(correlate(x, w) + b).
    f = AUTOGRAD_FN[act]

    def cost(params):
        w, b = params
        out = f(anp.array([anp.sum(w * anp.array(x[j : j + kernel]))
                           for j in range(len(x) - kernel + 1)]) + b)
        return anp.sum(out * out)

    gw, gb = autograd_grad(cost)([np.array([w.data for w in conv.w]), conv.b.data])
    assert [w.grad for w in conv.w] == pytest.approx(gw.tolist(), rel=1e-12, abs=1e-14)
    assert conv.b.grad == pytest.approx(float(gb), rel=1e-12, abs=1e-14)
    graph = pg.Graph(c)
    for p in conv.parameters():
        products = path_products(p, graph)
        assert math.fsum(products) == pytest.approx(p.grad, rel=1e-9, abs=1e-12)


def test_one_kernel_many_neurons():
    conv = Conv1d(5, 2, "relu", layer=3)
    assert len(conv.neurons) == 4 and len(conv.parameters()) == 3
    assert all(n.w[0] is conv.w[0] for n in conv.neurons)
    out = conv([pg.Value(v) for v in (0.1, 0.2, 0.3, 0.4, 0.5)])
    assert [a.name for a in out] == ["a^3_1", "a^3_2", "a^3_3", "a^3_4"]
    assert [w.name for w in conv.w] == ["w^3_1", "w^3_2"] and conv.b.name == "b^3"
    assert pg.count_paths(conv.w[0], squares(out)) == 4 * 2  # 4 uses, a*a has two edges
    with pytest.raises(pg.PathgradError, match="needs 2 weights"):
        Conv1d(5, 2, weights=[1.0])
