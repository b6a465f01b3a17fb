"""Training: SGD history, the digits targets, save/load without pickle, the train command."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.book.activations import Activation
from pathgrad.book.training import TrainingDivergedError


@pytest.fixture(scope="module")
def digits():
    return pg.data.digits()


def test_book_setup_learns_digits(digits):
    train, test = digits
    net = pg.Network([64, 30, 10], seed=0)
    history = net.sgd(train, 30, 10, 3.0, test_data=test, seed=0)
    assert len(history) == 30
    assert history.final_accuracy >= 0.90
    assert history.final_accuracy == net.evaluate(test) / 297
    assert history.train_cost[-1] < history.train_cost[0] / 3
    assert history[0].epoch == 1 and history[0].seconds > 0


def test_cross_entropy_and_scaled_init_reach_96_percent(digits):
    train, test = digits
    net = pg.Network([64, 30, 10], cost="cross-entropy", init="scaled", seed=0)
    history = net.sgd(train, 30, 10, 0.5, test_data=test, seed=0)
    assert history.final_accuracy >= 0.96
    assert net.accuracy(test) == history.final_accuracy


def test_same_seed_same_training(digits):
    train, _ = digits
    a = pg.Network([64, 10, 10], seed=3)
    b = pg.Network([64, 10, 10], seed=3)
    a.sgd(train[:200], 2, 10, 1.0, seed=9)
    b.sgd(train[:200], 2, 10, 1.0, seed=9)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    c = pg.Network([64, 10, 10], seed=3)
    c.sgd(train[:200], 2, 10, 1.0, seed=10)
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_arrays_and_pairs_train_identically(digits):
    (X, labels), _ = pg.data.digits(arrays=True)
    train, _ = digits
    a = pg.Network([64, 10, 10], seed=1)
    b = pg.Network([64, 10, 10], seed=1)
    a.sgd(train[:100], 1, 10, 2.0, seed=0)
    b.sgd((X[:100], labels[:100]), 1, 10, 2.0, seed=0)
    np.testing.assert_array_equal(a.weights[1], b.weights[1])


def test_xor_is_learned():
    net = pg.Network([2, 3, 1], seed=0)
    history = net.sgd(pg.data.xor(), 3000, 4, 3.0, test_data=pg.data.xor(), seed=0)
    assert history.final_accuracy == 1.0
    outputs = [net.feedforward(x)[0, 0] for x, _ in pg.data.xor()]
    assert outputs[0] < 0.1 and outputs[3] < 0.1 and outputs[1] > 0.9 and outputs[2] > 0.9


def test_regularisation_shrinks_weights(digits):
    train, _ = digits
    plain = pg.Network([64, 10, 10], seed=2)
    decayed = pg.Network([64, 10, 10], seed=2)
    plain.sgd(train[:300], 3, 10, 0.5, seed=0)
    decayed.sgd(train[:300], 3, 10, 0.5, lmbda=50.0, seed=0)
    assert np.sum(decayed.weights[0] ** 2) < 0.8 * np.sum(plain.weights[0] ** 2)
    cost = decayed.total_cost(train[:300], lmbda=50.0)
    expected = decayed.total_cost(train[:300]) + 0.5 * 50.0 / 300 * sum(
        float(np.sum(w**2)) for w in decayed.weights
    )
    assert cost == pytest.approx(expected, rel=1e-12)


def test_callback_sees_every_epoch():
    seen = []
    net = pg.Network([2, 2, 1], seed=0)
    net.sgd(pg.data.xor(), 5, 2, 1.0, callback=lambda r: seen.append(r.epoch))
    assert seen == [1, 2, 3, 4, 5]


def test_progress_bar_is_tqdm_on_request_and_silent_by_default_off_a_terminal(capsys):
    net = pg.Network([2, 2, 1], seed=0)
    net.sgd(pg.data.xor(), 3, 2, 1.0, progress=True)
    err = capsys.readouterr().err
    assert "/3 [" in err and "epoch" in err
    net.sgd(pg.data.xor(), 3, 2, 1.0)  # stderr is not a terminal under pytest
    net.sgd(pg.data.xor(), 3, 2, 1.0, progress=False)
    assert capsys.readouterr().err == ""


def test_save_and_load_round_trip(tmp_path):
    softplus = Activation("softplus", lambda z: np.log1p(np.exp(z)), lambda z: 1 / (1 + np.exp(-z)))
    net = pg.Network([3, 4, 2], activation=[["tanh", softplus, "relu", "linear"], "sigmoid"],
                     cost="cross-entropy", seed=5)
    path = tmp_path / "net.npz"
    net.save(path)
    with pytest.raises(ValueError, match=r"\['softplus'\] are not built in"):
        pg.Network.load(path)
    back = pg.Network.load(path, activations={"softplus": softplus})
    assert back.sizes == [3, 4, 2] and back.cost.name == "cross-entropy"
    assert back.layers[0].names == ["tanh", "softplus", "relu", "linear"]
    for a, b in zip(net.weights + net.biases, back.weights + back.biases, strict=True):
        np.testing.assert_array_equal(a, b)
    x = [0.2, -0.5, 0.9]
    np.testing.assert_array_equal(net.feedforward(x), back.feedforward(x))
    with np.load(path, allow_pickle=False) as files:
        assert all(files[key].dtype != object for key in files.files)


def test_load_rejects_malformed_files(tmp_path):
    net = pg.Network([2, 2], seed=0)
    good = tmp_path / "good.npz"
    net.save(good)
    parts = dict(np.load(good, allow_pickle=False))

    def write(name, **changes):
        arrays = {**parts, **changes}
        arrays = {k: v for k, v in arrays.items() if v is not None}
        path = tmp_path / name
        np.savez(path, **arrays)
        return path

    with pytest.raises(ValueError, match="'w2' is missing"):
        pg.Network.load(write("a.npz", w2=None))
    with pytest.raises(ValueError, match=r"'w2' must be a float array of shape \(2, 2\)"):
        pg.Network.load(write("b.npz", w2=np.zeros((3, 2))))
    with pytest.raises(ValueError, match="NaN"):
        pg.Network.load(write("c.npz", b2=np.full((2, 1), np.nan)))
    with pytest.raises(ValueError, match="unknown cost"):
        pg.Network.load(write("d.npz", cost=np.array("hinge")))
    with pytest.raises(ValueError, match="'sizes' must be"):
        pg.Network.load(write("e.npz", sizes=np.array([2])))
    with pytest.raises(ValueError, match="format tag"):
        pg.Network.load(write("f.npz", format=np.array("other")))
    with pytest.raises(ValueError, match="activation names"):
        pg.Network.load(write("g.npz", activations=np.array(["sigmoid"])))
    with pytest.raises(ValueError, match="without pickle"):
        pg.Network.load(write("h.npz", w2=np.array([{"evil": 1}], dtype=object)))
    text = tmp_path / "text.npz"
    text.write_text("not a zip")
    with pytest.raises(ValueError, match="not a pathgrad network file"):
        pg.Network.load(text)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match="single array"):
        pg.Network.load(single)
    with pytest.raises(FileNotFoundError):
        pg.Network.load(tmp_path / "missing.npz")
    assert zipfile.is_zipfile(good)


def test_save_adds_npz_and_load_finds_it(tmp_path):
    net = pg.Network([2, 3, 1], seed=1)
    net.save(tmp_path / "plain")
    assert (tmp_path / "plain.npz").exists()
    back = pg.Network.load(tmp_path / "plain")
    np.testing.assert_array_equal(back.weights[0], net.weights[0])


@pytest.mark.parametrize(
    "make_x, make_y",
    [
        (lambda x: x.reshape(-1, 1), lambda y, label: np.eye(3)[label].reshape(-1, 1)),  # book's
        (lambda x: x.reshape(-1, 1), lambda y, label: int(label)),  # its validation data
        (lambda x: x, lambda y, label: np.int64(label)),
        (lambda x: x.tolist(), lambda y, label: label),  # lists: converted one by one
        (lambda x: x.astype(np.float32), lambda y, label: np.eye(3)[label]),
    ],
)
def test_pairs_in_every_form_give_the_same_dataset(make_x, make_y):
    from pathgrad.book import training

    rng = np.random.default_rng(0)
    X, labels = rng.uniform(0, 1, (7, 4)), rng.integers(0, 3, 7)
    pairs = [(make_x(x), make_y(None, label)) for x, label in zip(X, labels, strict=True)]
    fast = training.as_dataset(pairs, 4, 3)
    slow_x, slow_y = training._from_pairs(pairs, 4, 3, "data")
    assert np.array_equal(fast.X, slow_x) and np.array_equal(fast.Y, slow_y)
    assert np.array_equal(fast.X, [np.ravel(x).astype(float) for x, _ in pairs])
    assert np.array_equal(fast.Y, np.eye(3)[labels])


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([(np.zeros((4, 1)), 1), (np.zeros((4, 1)), 3)], r"data\[1\]: label 3 out of range"),
        ([(np.zeros((4, 1)), 1), (np.zeros((5, 1)), 1)], r"data\[1\]: x has 5 numbers"),
        ([(np.zeros((4, 1)), 1), (np.zeros((4, 1)),)], r"data\[1\] is not an \(x, y\) pair"),
        ([(np.zeros((4, 1)), np.zeros((2, 1)))], r"data\[0\]: y has 2 numbers"),
    ],
)
def test_the_fast_path_leaves_mistakes_to_the_careful_one(pairs, message):
    from pathgrad.book import training

    with pytest.raises(pg.PathgradError, match=message):
        training.as_dataset(pairs, 4, 3)


def counted(monkeypatch, owner, name: str) -> list:
    """Make ``owner.name`` count its calls (one entry each) in the list returned."""
    calls: list = []
    method = getattr(owner, name)
    monkeypatch.setattr(owner, name,
                        lambda *args, **kwargs: calls.append(1) or method(*args, **kwargs))
    return calls


def test_the_training_cost_is_computed_only_when_read(monkeypatch):
    from pathgrad.book import training

    calls = counted(monkeypatch, training.Dataset, "mean_cost")
    train = pg.data.xor()
    lazy = pg.Network([2, 3, 1], seed=4)
    history = lazy.sgd(train, 5, 2, 2.0, seed=1, progress=False)
    assert calls == []
    eager = pg.Network([2, 3, 1], seed=4)
    seen = []
    eager.sgd(train, 5, 2, 2.0, seed=1, progress=False,
              callback=lambda record: seen.append(record.train_cost))
    assert len(calls) == 5
    # Read afterwards, each epoch's cost is the one at the end of that epoch.
    assert history.train_cost == seen and len(calls) == 10
    assert history[2].train_cost == seen[2] and len(calls) == 10  # worked out once


def test_divergence_stops_at_the_first_non_finite_cost_and_restores_that_epochs_start():
    net = pg.Network([2, 3, 1], activation="linear", seed=0)
    after: list[list[np.ndarray]] = []
    with pytest.raises(TrainingDivergedError) as caught:
        net.sgd(pg.data.xor(), 200, 4, 1.0, seed=0, progress=False,
                callback=lambda record: after.append([a.copy() for a in net.weights + net.biases]))
    error = caught.value
    diverged = len(after) + 1
    assert str(error).startswith(f"training diverged in epoch {diverged}: the cost became ")
    assert "Try a smaller learning rate, such as eta=0.1" in str(error)
    assert [r.epoch for r in error.history] == list(range(1, diverged))
    assert all(np.isfinite(r.train_cost) for r in error.history)
    for now, then in zip(net.weights + net.biases, after[-1], strict=True):
        np.testing.assert_array_equal(now, then)  # as it was before the epoch that diverged
    assert np.isfinite(net.total_cost(pg.data.xor()))


def test_combinations_that_cannot_train_are_refused_before_the_first_step():
    data = pg.data.xor()
    for activation in ("relu", "tanh", "linear", ["sigmoid", "relu"]):
        net = pg.Network([2, 3, 1], activation=activation, cost="cross-entropy", seed=0)
        before = [w.copy() for w in net.weights]
        with pytest.raises(ValueError, match="cross-entropy cost needs outputs in \\[0, 1\\]"):
            net.sgd(data, 5, 2, 0.5)
        assert all(np.array_equal(w, w0) for w, w0 in zip(net.weights, before, strict=True))
    pg.Network([2, 3, 1], activation=["relu", "sigmoid"], cost="cross-entropy",
               seed=0).sgd(data, 2, 2, 0.5)  # a sigmoid output layer is fine
    net = pg.Network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"1 - eta·lmbda/n = 0, not above 0.*lmbda < n/eta = 2"):
        net.sgd(data, 5, 2, 2.0, lmbda=2.0)  # 2 · 2 / 4 = 1
    net.sgd(data, 1, 2, 2.0, lmbda=1.9)


def test_the_test_data_run_forward_once_an_epoch(monkeypatch):
    from pathgrad.book import training

    calls = counted(monkeypatch, training.Dataset, "output_layer")
    data = pg.data.xor()
    net = pg.Network([2, 3, 1], seed=4)
    history = net.sgd(data, 5, 2, 2.0, lmbda=0.1, test_data=data, seed=1, progress=False)
    assert len(calls) == 5  # the training cost, never read, is not computed
    assert history[-1].test_cost == net.total_cost(data, lmbda=0.1)
    assert history[-1].test_accuracy == net.accuracy(data)
    # the mean over the four examples, each cost_of one of them
    mean = sum(net.cost_of(x, y) for x, y in data) / 4
    assert net.total_cost(data) == pytest.approx(mean, rel=1e-14)
    assert all(0 <= record.seconds < 60 for record in history)  # a duration, not a clock


def test_divergence_restores_the_epochs_start_with_or_without_a_callback(monkeypatch):
    from pathgrad.book import training

    deferred: list[bool] = []
    surely_finite = training.surely_finite_cost
    monkeypatch.setattr(training, "surely_finite_cost",
                        lambda *args: deferred.append(surely_finite(*args)) or deferred[-1])
    nets = [pg.Network([2, 3, 1], activation="linear", seed=0) for _ in range(3)]
    moved: list[list[np.ndarray]] = []

    def nudge(record):  # a callback that moves the parameters: the restore keeps its move
        nets[2].weights[0][0, 0] += 1e-6
        moved.append([a.copy() for a in nets[2].weights + nets[2].biases])

    for net, callback in zip(nets, (None, lambda record: None, nudge), strict=True):
        with pytest.raises(TrainingDivergedError):
            net.sgd(pg.data.xor(), 200, 4, 1.0, seed=0, progress=False, callback=callback)
        if callback is None:  # the epoch before diverging copied its parameters for its cost
            assert deferred[-2:] == [True, False]
    # Without a callback that copy was the diverging epoch's start; the result is the same.
    for alone, watched in zip(nets[0].weights + nets[0].biases, nets[1].weights + nets[1].biases,
                              strict=True):
        np.testing.assert_array_equal(alone, watched)
    for now, then in zip(nets[2].weights + nets[2].biases, moved[-1], strict=True):
        np.testing.assert_array_equal(now, then)
