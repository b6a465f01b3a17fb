"""fit: training through the graph takes the matrix engine's steps, mini-batch for mini-batch."""

from __future__ import annotations

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.nn import MLP, Conv1d, ResNet, RNNCell, fit


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


@pytest.mark.parametrize("model", [RNNCell(2, 3), Conv1d(2, 1)])
def test_fit_refuses_a_model_it_cannot_train_before_training(model):
    before = [p.data for p in model.parameters()]
    with pytest.raises(pg.PathgradError, match=f"{type(model).__name__} has no sizes and no "
                                               "predict"):
        fit(model, pg.data.xor(), 1, 2, 0.1)
    assert [p.data for p in model.parameters()] == before


class Bar:
    """A progress bar that remembers being closed."""

    disable, closed = True, False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.closed = True

    def update(self):
        pass


@pytest.mark.parametrize("train", ["fit", "sgd"])
def test_the_progress_bar_is_closed_when_a_step_raises(monkeypatch, train):
    from pathgrad.book import training
    from pathgrad.nn import fitting

    bar = Bar()
    monkeypatch.setattr(fitting if train == "fit" else training, "progress_bar",
                        lambda epochs, progress: bar)

    def fail(record):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        if train == "fit":
            fit(MLP(2, [2, 1]), pg.data.xor(), 3, 2, 0.1, callback=fail)
        else:
            pg.Network([2, 2, 1], seed=0).sgd(pg.data.xor(), 3, 2, 0.1, callback=fail)
    assert bar.closed
