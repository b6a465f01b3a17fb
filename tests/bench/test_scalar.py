"""Smoke test of ``pathgrad bench scalar``: it runs, and what it compares is really the same.

Times are never asserted (the machine is noisy); the gradients the bench compares are.
"""

import math
import sys

import pytest

from pathgrad import Value
from pathgrad.bench import scalar

pytest.importorskip("micrograd")


@pytest.mark.parametrize("level", scalar.LEVELS)
def test_same_weights_same_loss_same_gradients(level):
    theirs = scalar.micrograd_model((8, 5, 3), seed=3)
    ours = scalar.pathgrad_model((8, 5, 3), seed=3, level=level)
    x, y = [0.3, -0.7, 1.1, 0.05, -0.2, 0.9, -1.3, 0.4], [0.5, -0.5, 0.25]
    worst = scalar.gradients_agree(theirs, ours, x, y)
    assert worst <= 1e-12
    assert scalar.step(ours, x, y).data == pytest.approx(scalar.step(theirs, x, y).data,
                                                         rel=1e-14)
    # Every parameter of both got a gradient, and some are not zero.
    grads = [p.grad for p in ours.parameters()]
    assert len(grads) == len(theirs.parameters()) == 8 * 5 + 5 + 5 * 3 + 3
    assert sum(g != 0.0 for g in grads) > len(grads) // 2


def test_the_gradient_check_fails_when_the_weights_differ():
    theirs = scalar.micrograd_model((4, 3, 2), seed=1)
    ours = scalar.pathgrad_model((4, 3, 2), seed=1)
    ours.layers[1].neurons[0].b.data += 0.25  # moves output 1 and so dC/db by 2 * 0.25
    with pytest.raises(AssertionError, match="gradients differ"):
        scalar.gradients_agree(theirs, ours, [1.0, -0.5, 0.25, 2.0], [0.1, -0.1])


def test_a_pending_collection_is_timed_with_the_step_that_left_it():
    import gc

    def build():
        gc.disable()
        try:
            return [[i] for i in range(5000)]  # 5,000 young lists, none collected yet
        finally:
            gc.enable()

    _, in_gc = scalar.timed_runs(build, repeat=3, warmup=0)
    assert in_gc > 0


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
    rows = [line.split() for line in out.splitlines() if "pathgrad.nn, level" in line]
    assert [row[2] for row in rows] == ["ops", "z"]
    assert all(float(row[-1]) <= 1e-12 for row in rows)  # max grad diff column
    assert all(not math.isnan(float(row[-2])) for row in rows)  # memory ratio column
    peer = [line.split() for line in out.splitlines() if line.startswith("64-30-10")]
    assert len(peer) == 1 and peer[0][1] == "micrograd" and peer[0][-1] == "1.00"
    assert "10,000" in out
    assert "RecursionError" in out


def test_the_weights_come_from_a_generator_of_their_own(monkeypatch):
    """Drawing from Python's global random (an import, a user) changes no model's weights."""
    import random

    first = [p.data for p in scalar.pathgrad_model((4, 3, 2), seed=7).parameters()]
    theirs = [p.data for p in scalar.micrograd_model((4, 3, 2), seed=7).parameters()]
    original = random.seed
    monkeypatch.setattr(random, "seed", lambda *a, **k: (original(*a, **k), random.random()))
    random.seed(99)
    assert [p.data for p in scalar.pathgrad_model((4, 3, 2), seed=7).parameters()] == first
    assert [p.data for p in scalar.micrograd_model((4, 3, 2), seed=7).parameters()] == theirs
    assert theirs == first  # and micrograd's are pathgrad's: the same draws


def test_micrograds_own_mlp_on_pathgrad_values_has_micrograds_gradients():
    theirs = scalar.micrograd_model((8, 5, 3), seed=4)
    raw = scalar.value_model((8, 5, 3), seed=4)
    assert all(type(p) is Value for p in raw.parameters())
    x, y = [0.3, -0.7, 1.1, 0.05, -0.2, 0.9, -1.3, 0.4], [0.5, -0.5, 0.25]
    assert scalar.gradients_agree(theirs, raw, x, y) <= 1e-12
    assert scalar.step(raw, x, y).data == scalar.step(theirs, x, y).data  # the same arithmetic
    import micrograd.nn
    from micrograd.engine import Value as MicrogradValue

    assert micrograd.nn.Value is MicrogradValue  # swapped back
