"""Training a :class:`~pathgrad.network.Network` by mini-batch stochastic gradient descent.

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

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import matrix


@dataclass
class Dataset:
    """Examples as rows: inputs ``X`` ``(n, n_1)``, desired outputs ``Y`` ``(n, n_L)``."""

    X: np.ndarray
    Y: np.ndarray

    def __len__(self) -> int:
        return self.X.shape[0]

    def outputs(self, net: Any, chunk: int = 10_000) -> np.ndarray:
        """The network's outputs, one row per example (computed in chunks of columns)."""
        parts = [
            matrix.feedforward(net.weights, net.biases, net.layers, self.X[i : i + chunk].T).T
            for i in range(0, len(self), chunk)
        ]
        return np.vstack(parts)

    def correct(self, net: Any) -> int:
        """How many examples are classified right.

        With several outputs the guess is the most active output neuron and the answer is the
        largest desired output; with one output both are thresholded at 0.5.
        """
        out = self.outputs(net)
        if out.shape[1] == 1:
            return int(np.sum((out[:, 0] > 0.5) == (self.Y[:, 0] > 0.5)))
        return int(np.sum(np.argmax(out, axis=1) == np.argmax(self.Y, axis=1)))

    def mean_cost(self, net: Any, lmbda: float = 0.0) -> float:
        out = self.outputs(net)
        net.cost.check(out, self.Y)
        cost = net.cost.fn(out, self.Y) / len(self)
        if lmbda:
            cost += 0.5 * (lmbda / len(self)) * sum(float(np.sum(w * w)) for w in net.weights)
        return cost


def _one_hot(labels: np.ndarray, n_out: int, name: str) -> np.ndarray:
    if labels.size and (labels.min() < 0 or labels.max() >= n_out):
        bad = labels[(labels < 0) | (labels >= n_out)][0]
        raise ValueError(
            f"{name}: label {bad} out of range; the network has {n_out} outputs, so labels "
            f"must be 0..{n_out - 1}"
        )
    out = np.zeros((labels.size, n_out))
    out[np.arange(labels.size), labels] = 1.0
    return out


def _is_label(y: Any) -> bool:
    return isinstance(y, (int, np.integer)) and not isinstance(y, bool)


def _labels_or_targets(Y: np.ndarray, n: int, n_out: int, name: str) -> np.ndarray:
    if Y.ndim == 1 and n_out > 1:
        if not np.issubdtype(Y.dtype, np.integer):
            if not np.all(np.isfinite(Y)) or np.any(Y != np.round(Y)):
                raise ValueError(f"{name}: a 1-D Y must hold whole-number labels 0..{n_out - 1}")
            Y = Y.astype(np.int64)
        return _one_hot(Y, n_out, name)
    Y = np.asarray(Y, dtype=float).reshape(n, -1) if Y.ndim == 1 else np.asarray(Y, dtype=float)
    if Y.shape != (n, n_out):
        raise ValueError(
            f"{name}: desired outputs must have shape ({n}, {n_out}) (or ({n},) labels), "
            f"got {Y.shape}"
        )
    return Y


def as_dataset(data: Any, n_in: int, n_out: int, name: str = "data") -> Dataset:
    """Check and convert ``data`` (pairs or ``(X, Y)`` arrays) to a :class:`Dataset`."""
    if isinstance(data, Dataset):
        X, Y = data.X, data.Y
    elif isinstance(data, tuple) and len(data) == 2 and isinstance(data[0], np.ndarray):
        X = np.asarray(data[0], dtype=float)
        if X.ndim != 2 or X.shape[1] != n_in:
            raise ValueError(
                f"{name}: X must have shape (n, {n_in}), one example per row; got {X.shape}"
            )
        Y = _labels_or_targets(np.asarray(data[1]), X.shape[0], n_out, name)
    elif isinstance(data, Sequence) or isinstance(data, np.ndarray):
        X, Y = _from_pairs(data, n_in, n_out, name)
    else:
        raise TypeError(
            f"{name}: expected a list of (x, y) pairs or a tuple (X, Y) of arrays, "
            f"got {type(data).__name__}"
        )
    if len(X) == 0:
        raise ValueError(f"{name} is empty: give at least one example")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name}: the inputs contain NaN or infinity; clean the data first")
    if not np.all(np.isfinite(Y)):
        raise ValueError(f"{name}: the desired outputs contain NaN or infinity")
    return Dataset(np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(Y, dtype=float))


def _from_pairs(data: Sequence, n_in: int, n_out: int, name: str):
    X = np.empty((len(data), n_in))
    Y = np.empty((len(data), n_out))
    for i, pair in enumerate(data):
        try:
            x, y = pair
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{i}] is not an (x, y) pair") from None
        x = np.asarray(x, dtype=float)
        if x.size != n_in:
            raise ValueError(
                f"{name}[{i}]: x has {x.size} numbers (shape {x.shape}); the network's input "
                f"layer has {n_in}"
            )
        X[i] = x.reshape(n_in)
        if _is_label(y) and n_out > 1:
            Y[i] = _one_hot(np.array([y]), n_out, f"{name}[{i}]")[0]
            continue
        y = np.asarray(y, dtype=float)
        if y.size != n_out:
            raise ValueError(
                f"{name}[{i}]: y has {y.size} numbers (shape {y.shape}); the network's output "
                f"layer has {n_out} (or give a whole-number label)"
            )
        Y[i] = y.reshape(n_out)
    return X, Y


@dataclass
class EpochRecord:
    """What one epoch did: training cost, and accuracy/cost on the test data if given."""

    epoch: int
    train_cost: float
    seconds: float
    test_accuracy: float | None = None
    test_cost: float | None = None


@dataclass
class History:
    """Per-epoch records of a training run."""

    records: list[EpochRecord] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> EpochRecord:
        return self.records[i]

    def __iter__(self):
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


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool | None = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.width = width
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def show(self, done: int, text: str = "") -> None:
        if not self.enabled:
            return
        filled = int(self.width * done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{self.total} {text}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _check_hyper(epochs: int, mini_batch_size: int, eta: float, lmbda: float, n: int) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    if (
        isinstance(mini_batch_size, bool)
        or not isinstance(mini_batch_size, (int, np.integer))
        or mini_batch_size < 1
    ):
        raise ValueError(f"mini_batch_size must be a whole number >= 1, got {mini_batch_size!r}")
    if mini_batch_size > n:
        raise ValueError(
            f"mini_batch_size={mini_batch_size} is larger than the {n} training examples; "
            "use a smaller mini-batch"
        )
    if not isinstance(eta, (int, float)) or not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"the learning rate eta must be a finite number > 0, got {eta!r}")
    if not isinstance(lmbda, (int, float)) or not np.isfinite(lmbda) or lmbda < 0:
        raise ValueError(f"the regularisation lmbda must be a finite number >= 0, got {lmbda!r}")


def sgd(
    net: Any,
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

    ``seed`` fixes the shuffling; ``progress`` forces the bar on or off (default: on only when
    stderr is a terminal); ``callback(record)`` is called after every epoch.
    """
    n_in, n_out = net.sizes[0], net.sizes[-1]
    train = as_dataset(training_data, n_in, n_out, "training_data")
    test = None if test_data is None else as_dataset(test_data, n_in, n_out, "test_data")
    _check_hyper(epochs, mini_batch_size, eta, lmbda, len(train))
    net.cost.check(np.full_like(train.Y, 0.5), train.Y)  # e.g. cross-entropy needs y in [0, 1]
    rng = np.random.default_rng(seed)
    history = History()
    bar = ProgressBar(epochs, progress)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        matrix.sgd_epoch(
            net.weights, net.biases, net.layers, net.cost, train.X, train.Y,
            rng.permutation(len(train)), mini_batch_size, float(eta), float(lmbda),
        )
        seconds = time.perf_counter() - start
        record = EpochRecord(epoch, train.mean_cost(net, lmbda), seconds)
        if test is not None:
            record.test_accuracy = test.correct(net) / len(test)
            record.test_cost = test.mean_cost(net, lmbda)
        history.records.append(record)
        shown = "" if record.test_accuracy is None else f"accuracy {record.test_accuracy:.3f}"
        bar.show(epoch, f"cost {record.train_cost:.4f} {shown}")
        if callback is not None:
            callback(record)
    bar.close()
    return history


#: Defaults of ``pathgrad train`` for each data set: sizes, epochs, mini-batch size, eta.
TRAIN_DEFAULTS = {
    "digits": ([64, 30, 10], 30, 10, 3.0),
    "xor": ([2, 3, 1], 3000, 4, 3.0),
}


def _parse_sizes(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(f"--sizes takes whole numbers separated by commas, got {text!r}") from None


def train_command(args: Any, out: Callable[[str], None] = print) -> int:
    """``pathgrad train``: load the data, train, print each epoch and the final accuracy."""
    from . import data
    from .network import Network

    if args.data not in TRAIN_DEFAULTS:
        raise ValueError(f"unknown data set {args.data!r}; choose from {', '.join(TRAIN_DEFAULTS)}")
    sizes, epochs, batch, eta = TRAIN_DEFAULTS[args.data]
    sizes = _parse_sizes(args.sizes) if args.sizes else sizes
    epochs = args.epochs if args.epochs is not None else epochs
    batch = args.batch if args.batch is not None else batch
    eta = args.eta if args.eta is not None else eta
    if args.data == "digits":
        train, test = data.digits(seed=args.seed)
    else:
        train = test = data.xor()
    net = Network(sizes, activation=args.activation, cost=args.cost, init=args.init, seed=args.seed)
    out(f"{net}: {len(train)} training examples, {len(test)} test examples")
    out(f"epochs={epochs} mini-batch={batch} eta={eta} lmbda={args.lmbda}")
    every = max(1, epochs // 30)

    def report(record: EpochRecord) -> None:
        if record.epoch % every == 0 or record.epoch == epochs:
            out(
                f"epoch {record.epoch:>4}: cost {record.train_cost:.5f}  test accuracy "
                f"{record.test_accuracy:.2%}  ({record.seconds * 1000:.1f} ms)"
            )

    history = net.sgd(
        train, epochs, batch, eta, lmbda=args.lmbda, test_data=test, seed=args.seed,
        callback=report,
    )
    correct = round(history.final_accuracy * len(test))
    total = sum(r.seconds for r in history)
    out(f"final test accuracy: {history.final_accuracy:.2%} ({correct}/{len(test)}); "
        f"training took {total:.2f} s")
    return 0
