"""Smoke test of ``pathgrad bench scalar``: it runs, and what it compares is really the same.

Times are never asserted (the machine is noisy); the gradients the bench compares are.
"""

import math
import sys

import pytest

from pathgrad import Value
from pathgrad.bench import scalar

pytest.importorskip("micrograd")


def test_same_weights_same_loss_same_gradients():
    model = scalar.micrograd_model((8, 5, 3), seed=3)
    layers = scalar.pathgrad_copy(model)
    x, y = [0.3, -0.7, 1.1, 0.05, -0.2, 0.9, -1.3, 0.4], [0.5, -0.5, 0.25]
    worst = scalar.gradients_agree(model, layers, x, y)
    assert worst <= 1e-12
    ours = scalar.pathgrad_step(layers, x, y)
    theirs = scalar.micrograd_step(model, x, y)
    assert ours.data == pytest.approx(theirs.data, rel=1e-14)
    # Every parameter of both got a gradient, and some are not zero.
    grads = [p.grad for layer in layers for w, b in layer for p in (*w, b)]
    assert len(grads) == len(model.parameters()) == 8 * 5 + 5 + 5 * 3 + 3
    assert sum(g != 0.0 for g in grads) > len(grads) // 2


def test_the_gradient_check_fails_when_the_weights_differ():
    model = scalar.micrograd_model((4, 3, 2), seed=1)
    layers = scalar.pathgrad_copy(model)
    w, b = layers[1][0]
    b.data += 0.25  # moves output 1 and so dC/db by 2 * 0.25
    with pytest.raises(AssertionError, match="gradients differ"):
        scalar.gradients_agree(model, layers, [1.0, -0.5, 0.25, 2.0], [0.1, -0.1])


def test_chain_gradient_and_micrograd_recursion_limit():
    v = Value(0.5)
    out = scalar.chain(v, 10_000)
    out.backward()
    assert v.grad == pytest.approx(0.999**5_000, rel=1e-12)
    works, fails = scalar.micrograd_chain_fails_at([100, 4 * sys.getrecursionlimit()])
    assert (works, fails) == (100, 4 * sys.getrecursionlimit())


def test_quick_section_prints_both_tables(capsys):
    scalar.run(quick=True)
    out = capsys.readouterr().out
    assert "64-30-10" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("64-30-10"))
    assert float(row.split()[-1]) <= 1e-12  # max grad diff column
    assert "10,000" in out
    assert "RecursionError" in out
    assert not math.isnan(float(row.split()[-2]))  # memory ratio column
