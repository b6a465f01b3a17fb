"""fit: training through the graph takes the matrix engine's steps, mini-batch for mini-batch."""

from __future__ import annotations

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.nn import MLP, ResNet, fit


@pytest.mark.parametrize("cost", ["quadratic", "cross-entropy"])
def test_fit_takes_network_sgds_steps(cost):
    rng = np.random.default_rng(0)
    X, labels = rng.uniform(0, 1, (40, 5)), rng.integers(0, 3, 40)
    net = pg.Network([5, 4, 3], cost=cost, init="scaled", seed=2)
    mlp = MLP.from_network(net)
    ours = fit(mlp, (X, labels), epochs=2, mini_batch_size=6, eta=0.7, cost=cost, seed=9,
               test_data=(X, labels), progress=False)
    theirs = net.sgd((X, labels), 2, 6, 0.7, seed=9, test_data=(X, labels), progress=False)
    weights, biases = mlp.arrays()
    for a, b in zip(weights + biases, net.weights + net.biases, strict=True):
        assert np.allclose(a, b, rtol=0, atol=1e-13)
    assert ours.test_accuracy == theirs.test_accuracy
    assert len(ours) == 2 and ours[1].train_cost > 0


def test_fit_trains_a_resnet_on_xor_with_momentum():
    net = ResNet(2, 4, 2, 1, "tanh", "sigmoid", seed=1)
    history = fit(net, pg.data.xor(), epochs=150, mini_batch_size=4, eta=0.5, momentum=0.9,
                  cost="cross-entropy", test_data=pg.data.xor(), seed=0, progress=False)
    assert history.train_cost[-1] < 0.1 * history.train_cost[0]
    assert history.final_accuracy == 1.0


def test_fit_checks_its_arguments():
    mlp = MLP(2, [2, 1])
    with pytest.raises(pg.PathgradError, match="mini_batch_size"):
        fit(mlp, pg.data.xor(), 1, 5, 0.1)
    with pytest.raises(pg.PathgradError, match="learning rate"):
        fit(mlp, pg.data.xor(), 1, 2, -0.1)
