"""Training a network by mini-batch stochastic gradient descent.

Each epoch shuffles the training examples, cuts them into mini-batches of ``m`` and takes one
gradient step per mini-batch, ``w ← w - (η/m) Σ_x ∇_w C_x`` (and the same for ``b``), where the
sum over the mini-batch comes from the matrix engine's one forward and one backward pass
(:func:`pathgrad.matrix.sgd_epoch`). With ``lmbda > 0`` the weights also decay,
``w ← (1 - ηλ/n) w - ...`` (L2 regularisation, from the book's chapter 3).

Data come in either of two forms, both checked before any work is done:

* Nielsen's list of ``(x, y)`` pairs: ``x`` a column (or flat list) of ``n_1`` inputs and ``y``
  a column of ``n_L`` desired outputs or a whole-number label;
* a pair of arrays ``(X, Y)``: ``X`` of shape ``(n, n_1)`` (one example per row) and ``Y`` of
  shape ``(n, n_L)`` or ``(n,)`` labels.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from tqdm.auto import tqdm

from ..support.arguments import float_array, real_number, whole_number
from ..support.errors import NotFiniteError, PathgradTypeError, PathgradValueError
from . import matrix
from .activations import LayerActivation
from .cost_bounds import surely_finite_cost
from .data import one_hot_rows
from .losses import Cost


class Trainable(Protocol):
    """What training needs of a network: its sizes, parameters, activations and cost
    (:class:`~pathgrad.book.network.Network` has them all)."""

    sizes: list[int]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    layers: list[LayerActivation]
    cost: Cost


@dataclass
class Dataset:
    """Examples as rows: inputs ``X`` ``(n, n_1)``, desired outputs ``Y`` ``(n, n_L)``."""

    X: np.ndarray
    Y: np.ndarray

    def __len__(self) -> int:
        return self.X.shape[0]

    def outputs(self, net: Trainable, chunk: int = 10_000) -> np.ndarray:
        """The network's outputs, one row per example (computed in chunks of columns)."""
        parts = [
            matrix.feedforward(net.weights, net.biases, net.layers, self.X[i : i + chunk].T).T
            for i in range(0, len(self), chunk)
        ]
        return np.vstack(parts)

    def output_layer(self, net: Trainable, chunk: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
        """The output layer's weighted inputs and activations, one row per example."""
        parts = [
            matrix.output_layer(net.weights, net.biases, net.layers, self.X[i : i + chunk].T)
            for i in range(0, len(self), chunk)
        ]
        return np.vstack([z.T for z, _ in parts]), np.vstack([a.T for _, a in parts])

    def correct(self, net: Trainable) -> int:
        """How many examples are classified right (see :meth:`correct_outputs`)."""
        return self.correct_outputs(self.outputs(net))

    def correct_outputs(self, out: np.ndarray) -> int:
        """How many of the outputs ``out`` (one row per example) classify their example right.

        With several outputs the guess is the most active output neuron and the answer is the
        largest desired output; with one output both are thresholded at 0.5.
        """
        if out.shape[1] == 1:
            return int(np.sum((out[:, 0] > 0.5) == (self.Y[:, 0] > 0.5)))
        return int(np.sum(np.argmax(out, axis=1) == np.argmax(self.Y, axis=1)))

    def mean_cost(self, net: Trainable, lmbda: float = 0.0) -> float:
        """The mean cost of ``net`` over the examples, plus the L2 term when ``lmbda > 0``."""
        return self.mean_cost_of(*self.output_layer(net), net, lmbda)

    def mean_cost_of(self, z: np.ndarray, out: np.ndarray, net: Trainable,
                     lmbda: float = 0.0) -> float:
        """:meth:`mean_cost` from ``net``'s output layer, weighted inputs ``z`` and outputs
        ``out`` (one row per example)."""
        net.cost.check(out, self.Y)
        cost = net.cost.value(z.T, out.T, self.Y.T, net.layers[-1]) / len(self)
        if lmbda:
            cost += 0.5 * (lmbda / len(self)) * sum(float(np.sum(w * w)) for w in net.weights)
        return cost


def _is_label(y: Any) -> bool:
    return isinstance(y, (int, np.integer)) and not isinstance(y, bool)


def _labels_or_targets(Y: np.ndarray, n: int, n_out: int, name: str) -> np.ndarray:
    if Y.ndim == 1 and n_out > 1:
        if not np.issubdtype(Y.dtype, np.integer):
            if not np.all(np.isfinite(Y)) or np.any(Y != np.round(Y)):
                raise PathgradValueError(
                    f"{name}: a 1-D Y must hold whole-number labels 0..{n_out - 1}"
                )
            Y = Y.astype(np.int64)
        return one_hot_rows(Y, n_out, name)
    Y = float_array(Y, f"{name}: Y")
    Y = Y.reshape(n, -1) if Y.ndim == 1 else Y
    if Y.shape != (n, n_out):
        raise PathgradValueError(
            f"{name}: desired outputs must have shape ({n}, {n_out}) (or ({n},) labels), "
            f"got {Y.shape}"
        )
    return Y


def as_dataset(data: Any, n_in: int, n_out: int, name: str = "data") -> Dataset:
    """Check and convert ``data`` (pairs or ``(X, Y)`` arrays) to a :class:`Dataset`."""
    if isinstance(data, Dataset):
        X, Y = data.X, data.Y
    elif isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray):
        X = float_array(data[0], f"{name}: X")
        if X.ndim != 2 or X.shape[1] != n_in:
            raise PathgradValueError(
                f"{name}: X must have shape (n, {n_in}), one example per row; got {X.shape}"
            )
        Y = _labels_or_targets(np.asarray(data[1]), X.shape[0], n_out, name)
    elif isinstance(data, Sequence) or isinstance(data, np.ndarray):
        X, Y = _stacked_pairs(data, n_in, n_out) or _from_pairs(data, n_in, n_out, name)
    else:
        raise PathgradTypeError(
            f"{name}: expected a list of (x, y) pairs or a tuple (X, Y) of arrays, "
            f"got {type(data).__name__}"
        )
    if len(X) == 0:
        raise PathgradValueError(
            f"{name} is empty: give at least one example"
        )
    if not np.all(np.isfinite(X)):
        raise PathgradValueError(
            f"{name}: the inputs contain NaN or infinity; clean the data first"
        )
    if not np.all(np.isfinite(Y)):
        raise PathgradValueError(f"{name}: the desired outputs contain NaN or infinity")
    return Dataset(np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(Y, dtype=float))


def _stacked_pairs(
    data: Sequence | np.ndarray, n_in: int, n_out: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """The book's pairs (numpy columns, labels or columns) stacked by one numpy call each.

    None when some pair is not of that plain form, or not right: :func:`_from_pairs` then
    converts them one by one and says which pair is wrong and how.
    """
    if not all(type(pair) in (tuple, list) and len(pair) == 2 for pair in data):
        return None
    xs, ys = [pair[0] for pair in data], [pair[1] for pair in data]
    X = _stacked(xs, n_in)
    if X is None:
        return None
    if n_out > 1 and all(_is_label(y) for y in ys):
        labels = np.array(ys, dtype=np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= n_out):
            return None
        return X, one_hot_rows(labels, n_out)
    Y = _stacked(ys, n_out)
    return None if Y is None else (X, Y)


def _stacked(arrays: list, size: int) -> np.ndarray | None:
    """Numeric numpy arrays of one shape holding ``size`` numbers each, as rows; else None."""
    shape = getattr(arrays[0], "shape", None) if arrays else None
    if shape is None or math.prod(shape) != size or not all(
        type(a) is np.ndarray and a.shape == shape and a.dtype.kind in "fiu" for a in arrays
    ):
        return None
    return np.array(arrays, dtype=float).reshape(len(arrays), size)


def _from_pairs(
    data: Sequence | np.ndarray, n_in: int, n_out: int, name: str
) -> tuple[np.ndarray, np.ndarray]:
    X = np.empty((len(data), n_in))
    Y = np.empty((len(data), n_out))
    for i, pair in enumerate(data):
        try:
            x, y = pair
        except (TypeError, ValueError):
            raise PathgradValueError(f"{name}[{i}] is not an (x, y) pair") from None
        x = float_array(x, f"{name}[{i}]: x")
        if x.size != n_in:
            raise PathgradValueError(
                f"{name}[{i}]: x has {x.size} numbers (shape {x.shape}); the network's input "
                f"layer has {n_in}"
            )
        X[i] = x.reshape(n_in)
        if _is_label(y) and n_out > 1:
            Y[i] = one_hot_rows(np.array([y]), n_out, f"{name}[{i}]")[0]
            continue
        y = float_array(y, f"{name}[{i}]: y")
        if y.size != n_out:
            raise PathgradValueError(
                f"{name}[{i}]: y has {y.size} numbers (shape {y.shape}); the network's output "
                f"layer has {n_out} (or give a whole-number label)"
            )
        Y[i] = y.reshape(n_out)
    return X, Y


class EpochRecord:
    """What one epoch did: training cost, and accuracy/cost on the test data if given.

    ``train_cost`` may be given as a function: it is then called the first time the cost is
    read (by a progress bar, a callback or later) and not at all if nobody reads it.
    """

    __slots__ = ("epoch", "seconds", "test_accuracy", "test_cost", "_train_cost")

    def __init__(self, epoch: int, train_cost: float | Callable[[], float], seconds: float,
                 test_accuracy: float | None = None, test_cost: float | None = None) -> None:
        self.epoch = epoch
        self._train_cost = train_cost
        self.seconds = seconds
        self.test_accuracy = test_accuracy
        self.test_cost = test_cost

    @property
    def train_cost(self) -> float:
        if callable(self._train_cost):
            self._train_cost = float(self._train_cost())
        return self._train_cost

    @train_cost.setter
    def train_cost(self, value: float) -> None:
        self._train_cost = value

    def summary(self) -> str:
        """``cost 0.1234 accuracy 0.950``: what a progress bar shows."""
        shown = "" if self.test_accuracy is None else f" accuracy {self.test_accuracy:.3f}"
        return f"cost {self.train_cost:.4f}{shown}"

    def __repr__(self) -> str:
        return (f"EpochRecord(epoch={self.epoch}, train_cost={self.train_cost!r}, "
                f"seconds={self.seconds!r}, test_accuracy={self.test_accuracy!r}, "
                f"test_cost={self.test_cost!r})")


@dataclass
class History:
    """Per-epoch records of a training run."""

    records: list[EpochRecord] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> EpochRecord:
        return self.records[i]

    def __iter__(self) -> Iterator[EpochRecord]:
        return iter(self.records)

    @property
    def train_cost(self) -> list[float]:
        return [r.train_cost for r in self.records]

    @property
    def test_accuracy(self) -> list[float | None]:
        return [r.test_accuracy for r in self.records]

    @property
    def final_accuracy(self) -> float | None:
        return self.records[-1].test_accuracy if self.records else None

    def __str__(self) -> str:
        """What ``print(history)`` shows: ``30 epochs in 0.31 s: cost 1.46 → 0.0698, test
        accuracy 84.2% → 99.0%``."""
        if not self.records:
            return "no epochs"
        first, last = self.records[0], self.records[-1]
        seconds = sum(r.seconds for r in self.records)
        text = (f"{len(self.records)} epoch{'s' * (len(self.records) != 1)} in {seconds:.2g} s: "
                f"cost {first.train_cost:.3g} → {last.train_cost:.3g}")
        if first.test_accuracy is not None and last.test_accuracy is not None:
            text += f", test accuracy {first.test_accuracy:.1%} → {last.test_accuracy:.1%}"
        return text


class TrainingDivergedError(PathgradValueError):
    """Training produced a cost that is not a finite number. The network is left as it was
    before the epoch that diverged; ``history`` holds the epochs that finished."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


def check_hyper(epochs: int, mini_batch_size: int, eta: float, lmbda: float, n: int) -> None:
    whole_number(epochs, "epochs", least=1)
    whole_number(mini_batch_size, "mini_batch_size", least=1)
    if mini_batch_size > n:
        raise PathgradValueError(
            f"mini_batch_size={mini_batch_size} is larger than the {n} training examples; "
            "use a smaller mini-batch"
        )
    real_number(eta, "the learning rate eta", above=0.0)
    real_number(lmbda, "the regularisation lmbda", least=0.0)
    if eta * lmbda / n >= 1.0:
        raise PathgradValueError(
            f"eta={eta:g} and lmbda={lmbda:g} with {n} training examples make the weight decay "
            f"factor 1 - eta·lmbda/n = {1 - eta * lmbda / n:.3g}, not above 0: every step "
            f"would flip or grow the weights. Use lmbda < n/eta = {n / eta:.3g}"
        )


def _diverged(epoch: int, what: str, eta: float, lmbda: float, history: History) -> None:
    """Raise :class:`TrainingDivergedError` for ``epoch`` (``what`` became infinite or NaN),
    saying what to try."""
    tried = f"eta={eta:g}" + (f", lmbda={lmbda:g}" if lmbda else "")
    raise TrainingDivergedError(
        f"training diverged in epoch {epoch}: {what} ({tried}). The network "
        f"is left as it was before epoch {epoch}. Try a smaller learning rate, such as "
        f"eta={eta / 10:g}" + (", or a smaller lmbda" if lmbda else ""),
        history,
    )


def sgd(
    net: Trainable,
    training_data: Any,
    epochs: int,
    mini_batch_size: int,
    eta: float,
    lmbda: float = 0.0,
    test_data: Any = None,
    seed: int | None = None,
    progress: bool | None = None,
    callback: Callable[[EpochRecord], None] | None = None,
) -> History:
    """Train ``net`` in place and return its :class:`History`.

    ``seed`` fixes the shuffling; ``progress`` forces tqdm's bar on or off (default: on in a
    terminal or a notebook, off when output goes to a file); ``callback(record)`` is called
    after every epoch.

    Combinations that cannot work are refused before training (a cross-entropy cost on an
    output layer that can leave [0, 1], a weight decay that flips the weights), and training
    stops at the first epoch whose cost is not a finite number, with a
    :class:`TrainingDivergedError` that names the epoch and leaves the network as it was
    before it.
    """
    n_in, n_out = net.sizes[0], net.sizes[-1]
    train = as_dataset(training_data, n_in, n_out, "training_data")
    test = None if test_data is None else as_dataset(test_data, n_in, n_out, "test_data")
    check_hyper(epochs, mini_batch_size, eta, lmbda, len(train))
    net.cost.check(np.full_like(train.Y, 0.5), train.Y)  # e.g. cross-entropy needs y in [0, 1]
    net.cost.check_output_layer(net.layers[-1])
    rng = np.random.default_rng(seed)
    history = History()
    bounds = _largest_magnitude(train.X), _largest_magnitude(train.Y)
    if not surely_finite_cost(net.weights, net.biases, net.layers, net.cost, *bounds):
        train.mean_cost(net)  # the start itself: a weighted input that overflows is refused
    saved: _Parameters | None = None  # the parameters as they are now, if already copied
    with progress_bar(epochs, progress) as bar:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            before = saved if saved is not None else _snapshot(net)
            try:
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    matrix.sgd_epoch(
                        net.weights, net.biases, net.layers, net.cost, train.X, train.Y,
                        rng.permutation(len(train)), mini_batch_size, float(eta), float(lmbda),
                    )
                    seconds = time.perf_counter() - start
                    cost, saved = _cost_or_later(train, net, lmbda, bounds)
                if not callable(cost) and not math.isfinite(cost):
                    raise NotFiniteError(f"the cost became {cost}")
                record = EpochRecord(epoch, cost, seconds)
                if test is not None:
                    _test_epoch(record, test, net, lmbda)
            except NotFiniteError as error:
                _restore(net, before)
                _diverged(epoch, error.subject, eta, lmbda, history)
            finish_epoch(history, record, bar, callback)
            if callback is not None:
                saved = None  # the callback may have changed the parameters
    return history


def _snapshot(net: Trainable) -> _Parameters:
    """A copy of ``net``'s parameters as they are now."""
    return _Parameters(net.sizes, [w.copy() for w in net.weights],
                       [b.copy() for b in net.biases], net.layers, net.cost)


def _restore(net: Trainable, saved: _Parameters) -> None:
    """Put the parameters of ``saved`` back into ``net``'s arrays (the copy is unchanged)."""
    for now, then in zip(net.weights + net.biases, saved.weights + saved.biases, strict=True):
        now[...] = then


def _test_epoch(record: EpochRecord, test: Dataset, net: Trainable, lmbda: float) -> None:
    """Set the test accuracy and cost of ``record``, from one forward pass over ``test``."""
    z, out = test.output_layer(net)
    record.test_accuracy = test.correct_outputs(out) / len(test)
    record.test_cost = test.mean_cost_of(z, out, net, lmbda)


def _largest_magnitude(a: np.ndarray) -> float:
    return max(float(a.max()), -float(a.min()))  # max |a| without an array of |a|


def _cost_or_later(
    train: Dataset, net: Trainable, lmbda: float, bounds: tuple[float, float]
) -> tuple[float | Callable[[], float], _Parameters | None]:
    """The mean training cost now, or, when it is surely finite, a function that computes it;
    and the copy of the parameters that function reads (None when the cost is computed now).

    A full pass over the training data costs a good part of an epoch, and the only thing a
    run needs of the cost is that it is finite (or the run has diverged). When a bound on the
    activations proves that (:mod:`pathgrad.book.cost_bounds`), the parameters are copied (a
    small fraction of that pass) and the cost is worked out if and when it is read. Nothing
    writes to that copy, so the next epoch can keep it as its starting point.
    """
    if not surely_finite_cost(net.weights, net.biases, net.layers, net.cost, *bounds, lmbda):
        return train.mean_cost(net, lmbda), None
    frozen = _snapshot(net)
    return (lambda: train.mean_cost(frozen, lmbda)), frozen


@dataclass
class _Parameters:
    """A network's parameters at one moment (a :class:`Trainable`)."""

    sizes: list[int]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    layers: list[LayerActivation]
    cost: Cost


def progress_bar(epochs: int, progress: bool | None) -> Any:
    """tqdm's bar over the epochs (see :func:`sgd` for ``progress``)."""
    return tqdm(total=epochs, unit="epoch", disable=_bar_disabled(progress), leave=False)


def finish_epoch(history: History, record: EpochRecord, bar: Any,
                 callback: Callable[[EpochRecord], None] | None) -> None:
    """Keep the record, show it on the bar (only if the bar is shown), tell the callback."""
    history.records.append(record)
    if not bar.disable:
        bar.set_postfix_str(record.summary(), refresh=False)
    bar.update()
    if callback is not None:
        callback(record)


def _bar_disabled(progress: bool | None) -> bool | None:
    # tqdm's own rule for None: no bar when its output is not a terminal (or a notebook).
    return None if progress is None else not progress
