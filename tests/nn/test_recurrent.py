"""An RNN cell unrolled through time: weights shared across steps, checked three ways."""

from __future__ import annotations

import math
import random

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as autograd_grad
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.nn import RNNCell
from tests.reference import path_products
from tests.strategies import AUTOGRAD_FN, unrolled


def test_names_and_shared_edges():
    random.seed(1)
    cell = RNNCell(2, 3)
    states = cell.unroll([[0.5, -0.5], [1.0, 0.0], [0.2, 0.4]])
    assert [h.name for h in states[2]] == ["h^3_1", "h^3_2", "h^3_3"]
    z = states[1][0].parents[0]
    assert z.name == "z^2_1" and cell.w[0][1] in z.parents and cell.u[0][0] in z.parents
    # w_11 feeds z^1_1, z^2_1 and z^3_1: one edge per step.
    graph = pg.Graph(states[2][0] + states[2][1] + states[2][2])
    uses = [e for e in graph.children(cell.w[0][0])]
    assert [e.dst.name for e in uses] == ["z^1_1", "z^2_1", "z^3_1"]
    assert len(cell.parameters()) == 2 * 3 + 3 * 3 + 3


@settings(max_examples=80, deadline=None)
@given(unrolled())
def test_backprop_through_time_equals_autograd_and_the_sum_over_paths(case):
    nin, nhidden, act, params, xs, y = case
    cell = RNNCell(nin, nhidden, act)
    for p, value in zip(cell.parameters(), params, strict=True):
        p.data = value
    states = cell.unroll(xs)
    c = 0.0
    for h, t in zip(states[-1], y, strict=True):
        c = c + (h - t) ** 2
    c.backward()
    graph = pg.Graph(c)
    h0 = [graph.find(f"h^0_{j}") for j in range(1, cell.nhidden + 1)]
    f = AUTOGRAD_FN[act]
    arrays = [np.array([[p.data for p in row] for row in cell.u]),
              np.array([[p.data for p in row] for row in cell.w]),
              np.array([p.data for p in cell.b]), np.zeros(cell.nhidden)]

    def cost(params):
        u, w, b, h = params
        for x in xs:
            h = f(anp.dot(u, anp.array(x)) + anp.dot(w, h) + b)
        return anp.sum((h - anp.array(y)) ** 2)

    gu, gw, gb, gh = autograd_grad(cost)(arrays)
    ours = [p.grad for p in (*cell.parameters(), *h0)]
    assert ours == pytest.approx([*gu.ravel(), *gw.ravel(), *gb, *gh], rel=1e-12, abs=1e-13)
    for p in (*cell.parameters()[:5], h0[0]):
        products = path_products(p, graph)
        assert math.fsum(products) == pytest.approx(p.grad, rel=1e-9, abs=1e-12)


def test_wrong_lengths_are_refused():
    random.seed(2)
    cell = RNNCell(2, 2)
    with pytest.raises(pg.PathgradError, match="takes 2 inputs and 2 previous states"):
        cell([1.0], [0.0, 0.0])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda cell: cell(5, [0.0, 0.0]), "takes a list of 2 inputs x .* got int"),
        (lambda cell: cell([1.0, 2.0], 0.0), "takes a list of 2 previous states h .* got float"),
        (lambda cell: cell([1.0, "a"], [0.0, 0.0]), "inputs x: input 2 is str"),
        (lambda cell: cell([1.0, 2.0], [0.0, math.nan]), "previous states h: input 2 is nan"),
        (lambda cell: cell.unroll(5), r"unroll takes a list of inputs \[x\^1, ..., x\^T\]"),
        (lambda cell: cell.unroll([5]), "takes a list of 2 inputs x"),
    ],
)
def test_bad_inputs_say_what_was_wrong_and_what_to_pass(call, message):
    random.seed(3)
    with pytest.raises(pg.PathgradError, match=message):
        call(RNNCell(2, 2))


def test_scale_must_be_a_number():
    with pytest.raises(pg.PathgradError, match="scale must be a finite real number"):
        RNNCell(2, 2, scale="a")
