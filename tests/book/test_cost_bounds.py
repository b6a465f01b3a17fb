"""The bound that lets training skip the cost: when it says finite, the cost is finite."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.book.cost_bounds import surely_finite_cost
from pathgrad.book.training import as_dataset
from tests.strategies import SOFTPLUS, networks


def verdict(net, X, Y, lmbda=0.0):
    return surely_finite_cost(net.weights, net.biases, net.layers, net.cost,
                              float(np.max(np.abs(X))), float(np.max(np.abs(Y))), lmbda)


@settings(max_examples=200, deadline=None)
@given(networks(), st.floats(0.0, 300.0), st.floats(0.0, 1.0))
def test_a_finite_verdict_is_never_wrong(case, log_scale, lmbda):
    net, _, X, Y = case
    scale = 10.0 ** log_scale  # weights from ordinary to near the float range
    for w in net.weights:
        w *= scale
    data = as_dataset((X.T, Y.T), net.sizes[0], net.sizes[-1])
    if verdict(net, X, Y, lmbda):
        with np.errstate(over="raise", invalid="raise"):  # an overflow would raise here
            assert math.isfinite(data.mean_cost(net, lmbda))


def test_ordinary_nets_are_finite_and_diverged_ones_are_computed():
    X, Y = np.random.default_rng(0).uniform(0, 1, (2, 5)), np.eye(2)
    for activation in ("sigmoid", "tanh", "relu", "linear"):
        assert verdict(pg.Network([2, 4, 2], activation=activation, seed=1), X, Y)
    huge = pg.Network([2, 4, 2], activation="linear", seed=1)
    huge.weights[0] *= 1e120
    assert not verdict(huge, X, Y)
    biased = pg.Network([2, 4, 2], activation="linear", seed=1)
    biased.weights[1][:] = 0.0
    biased.biases[1][:] = 1e150  # |z| ≤ Σ|w|·A + |b|: the bias alone passes the bound
    assert not verdict(biased, X, Y)
    nan = pg.Network([2, 4, 2], seed=1)
    nan.biases[1][0, 0] = float("nan")
    assert not verdict(nan, X, Y)
    # Unknown activations and costs are never assumed finite.
    assert not verdict(pg.Network([2, 4, 2], activation=SOFTPLUS, seed=1), X, Y)
    other = pg.Network([2, 4, 2], seed=1)
    other.cost = type("Doubled", (type(other.cost),), {})()
    assert not verdict(other, X, Y)
