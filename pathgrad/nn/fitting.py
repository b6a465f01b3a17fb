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

from ..support.arguments import whole_number
from ..support.collector import without_collector
from ..support.errors import PathgradValueError
from ..value import Value
from .losses import get_cost
from .optim import SGD
from .training import EpochRecord, History, as_dataset, finish_epoch, progress_bar


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

    The data take the forms :meth:`Network.sgd` takes. Each record's ``train_cost`` is the
    mean of the mini-batch costs over the epoch (as they were met, so free to compute);
    ``test_accuracy`` comes from ``model.predict`` on ``test_data``.
    """
    n_in, n_out = model.sizes[0], model.sizes[-1]
    train = as_dataset(training_data, n_in, n_out, "training_data")
    test = None if test_data is None else as_dataset(test_data, n_in, n_out, "test_data")
    whole_number(epochs, "epochs", least=1)
    whole_number(mini_batch_size, "mini_batch_size", least=1, most=len(train))
    loss_of = get_cost(cost)
    optimiser = SGD(model.parameters(), eta, momentum)
    rng = np.random.default_rng(seed)
    history = History()
    rows_x, rows_y = train.X.tolist(), train.Y.tolist()
    bar = progress_bar(epochs, progress)
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
    bar.close()
    return history


@without_collector
def _batch_loss(model: Fittable, cost: Any, xs: list, ys: list) -> Value:
    """``(1/m) Σ_x C_x`` over one mini-batch, as one graph."""
    total: Value | None = None
    for x, y in zip(xs, ys):
        out = model(x)
        c = cost.node([out] if isinstance(out, Value) else out, y)
        total = c if total is None else total + c
    if total is None:
        raise PathgradValueError("an empty mini-batch")
    return total * (1.0 / len(xs))
