"""The training section of ``pathgrad bench`` in its quick form."""

from __future__ import annotations

import numpy as np

from pathgrad.bench import trainers
from pathgrad.book.network import Network


def test_bench_section_quick(capsys):
    trainers.run(quick=True)
    out = capsys.readouterr().out
    assert "pathgrad matrix engine" in out and "book's per-example loop" in out
    assert "PyTorch" in out  # a row per thread setting, or the note that it is not installed
    assert "the matrix engine's products alone (its floor)" in out
    assert "engine / its products = " in out
    rows = [line for line in out.splitlines() if line.strip().startswith(("neuron", "z ", "ops"))]
    assert len(rows) == 3
    # the graph's gradient equals the matrix engine on every weight, at every level
    assert all(float(row.split()[-1]) < 1e-12 for row in rows)



def test_the_floor_times_the_very_products_the_engine_makes(monkeypatch):
    """``products_epoch_fn`` makes the products of ``sgd_epoch``, the same number per mini-batch,
    each with the same shapes and memory layouts of its operands and output."""
    calls = []
    matmul = np.matmul

    def spy(a, b, out=None):
        calls.append(tuple((x.shape, x.strides) for x in (a, b, out)))
        return matmul(a, b, out)

    X, Y = trainers.synthetic_mnist(2 * trainers.BATCH)
    order = np.arange(len(X))
    monkeypatch.setattr(np, "matmul", spy)
    trainers.matrix_epoch(Network(trainers.SIZES, seed=0), X, Y, order)
    engine = calls.copy()
    calls.clear()
    trainers.products_epoch_fn(Network(trainers.SIZES, seed=0), X, order)()
    assert len(engine) == 10
    assert calls == engine
