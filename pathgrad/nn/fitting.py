"""Training a net of Values: one graph per mini-batch, one reverse sweep, one optimiser step.

micrograd's training loop with the book's mini-batches. Each epoch shuffles the examples (with
``numpy.random.default_rng(seed)``, as :meth:`Network.sgd` does, so both visit the same
mini-batches), and for each mini-batch of ``m`` examples it builds the graph of

    ``C = (1/m) Σ_x C_x``

(``C_x`` one node over the outputs of example ``x``, with the rate factors ``∂C_x/∂a^L_m``),
sweeps it backwards once and moves every parameter with :class:`~pathgrad.nn.optim.SGD`. That
is the book's update ``w ← w - (η/m) Σ_x ∇_w C_x``, here through the graph rather than the
matrix engine, with momentum if asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from ..book.losses import Cost, get_cost
from ..book.training import (
    EpochRecord,
    History,
    as_dataset,
    check_hyper,
    finish_epoch,
    progress_bar,
)
from ..support.collector import without_collector
from ..support.errors import PathgradTypeError
from ..value import Value
from .optim import SGD


class Fittable(Protocol):
    """What :func:`fit` needs of a model: its sizes, parameters, a call and a numpy forward."""

    @property
    def sizes(self) -> list[int]: ...

    def parameters(self) -> list[Value]: ...

    def __call__(self, x: Any) -> Any: ...

    def predict(self, X: Any) -> np.ndarray: ...


def fit(
    model: Fittable,
    training_data: Any,
    epochs: int,
    mini_batch_size: int,
    eta: float,
    *,
    momentum: float = 0.0,
    cost: Any = "quadratic",
    test_data: Any = None,
    seed: int | None = None,
    progress: bool | None = None,
    callback: Callable[[EpochRecord], None] | None = None,
) -> History:
    """Train ``model`` in place by mini-batch SGD over its graph; return the :class:`History`.

    ``model`` is a net with ``sizes``, ``parameters()`` and ``predict`` (an :class:`MLP` or a
    :class:`ResNet`; anything else is refused before training). The data take the forms
    :meth:`Network.sgd` takes. Each record's ``train_cost`` is the mean of the mini-batch
    costs over the epoch (as they were met, so free to compute); ``test_accuracy`` comes from
    ``model.predict`` on ``test_data``.

    Equations BP1-BP4 for each example of each mini-batch (a reverse sweep over its graph),
    then the mini-batch step ``w → w - (η/m) Σ ∂C_x/∂w``.

    >>> import pathgrad as pg
    >>> mlp = pg.MLP(2, [3, 1], activation="sigmoid", init="scaled", seed=0)
    >>> history = pg.fit(mlp, pg.data.xor(), epochs=2, mini_batch_size=2, eta=1.0, seed=0,
    ...                  progress=False)
    >>> len(history.records), history.records[1].train_cost < history.records[0].train_cost
    (2, True)
    """
    _check_model(model)
    n_in, n_out = model.sizes[0], model.sizes[-1]
    train = as_dataset(training_data, n_in, n_out, "training_data")
    test = None if test_data is None else as_dataset(test_data, n_in, n_out, "test_data")
    check_hyper(epochs, mini_batch_size, eta, 0.0, len(train))
    loss_of = get_cost(cost)
    optimiser = SGD(model.parameters(), eta, momentum)
    rng = np.random.default_rng(seed)
    history = History()
    rows_x, rows_y = train.X.tolist(), train.Y.tolist()
    with progress_bar(epochs, progress) as bar:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            order = rng.permutation(len(train))
            total = 0.0
            for first in range(0, len(train), mini_batch_size):
                batch = order[first : first + mini_batch_size]
                loss = _batch_loss(model, loss_of, [rows_x[i] for i in batch],
                                   [rows_y[i] for i in batch])
                loss.backward()
                optimiser.step()
                total += loss.data * len(batch)
            record = EpochRecord(epoch, total / len(train), time.perf_counter() - start)
            if test is not None:
                record.test_accuracy = test.correct_outputs(model.predict(test.X)) / len(test)
            finish_epoch(history, record, bar, callback)
    return history


def _check_model(model: object) -> None:
    """Refuse a model that lacks what :func:`fit` uses, naming what is missing."""
    missing = [name for name in ("sizes", "parameters", "predict") if not hasattr(model, name)]
    if missing:
        raise PathgradTypeError(
            f"fit trains a net with sizes, parameters() and predict (an MLP or a ResNet); "
            f"{type(model).__name__} has no {' and no '.join(missing)}"
        )


@without_collector
def _batch_loss(model: Fittable, cost: Cost, xs: list, ys: list) -> Value:
    """``(1/m) Σ_x C_x`` over one mini-batch (of at least one example), as one graph."""
    total = _example_cost(model, cost, xs[0], ys[0])
    for x, y in zip(xs[1:], ys[1:]):
        total = total + _example_cost(model, cost, x, y)
    return total * (1.0 / len(xs))


def _example_cost(model: Fittable, cost: Cost, x: list, y: list) -> Value:
    """``C_x``: the cost node over the model's outputs for the input ``x``."""
    out = model(x)
    return cost.node([out] if isinstance(out, Value) else out, y)
