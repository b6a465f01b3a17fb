"""The moons section of ``pathgrad bench`` in its quick form: every row ends on micrograd's loss."""

from __future__ import annotations

import pytest

from pathgrad import bench
from pathgrad.bench import moons, scalar

pytest.importorskip("micrograd")
pytest.importorskip("sklearn")


def test_quick_section_runs_every_row_to_micrograds_loss_and_sums_up(capsys):
    bench.run(["moons"], quick=True)  # raises if a row's final loss differs from micrograd's
    out = capsys.readouterr().out
    summary = out[out.index("== summary"):].splitlines()
    assert [line.split(" / micrograd")[0].split("end to end, ")[1] for line in summary[3:]] == [
        label for label, _, _ in moons.ROWS[2:]]
    assert all(line.split()[-1] in ("yes", "NO") for line in summary[3:])
    rows = [line.strip() for line in out.splitlines()
            if line.strip().startswith(("micrograd", "pathgrad"))]
    assert [next(label for label, _, _ in moons.ROWS if row.startswith(label)) for row in rows] \
        == [label for label, _, _ in moons.ROWS]
    assert len({row.split()[-2] for row in rows}) == 1  # one final loss for all


def test_every_row_changes_only_the_import_lines():
    body = moons.DEMO.splitlines()[5:]
    for _, source, _ in moons.ROWS:
        assert source.splitlines()[-len(body):] == body


def test_micrograds_nn_is_given_back_its_value():
    import micrograd.nn

    original = micrograd.nn.Value
    with pytest.raises(ZeroDivisionError), scalar.micrograd_nn_on_pathgrad(True):
        assert micrograd.nn.Value is not original
        raise ZeroDivisionError
    assert micrograd.nn.Value is original


def test_a_target_line_says_whether_it_was_met():
    assert bench.target("speed", 12.0, least=10.0) == ["speed", ">= 10x", "12.0x", "yes"]
    assert bench.target("memory", 180.4, most=150, unit=" B") == ["memory", "<= 150 B",
                                                                  "180.4 B", "NO"]


def disturbed_after_seeding(monkeypatch, module, name: str, draw) -> None:
    """The first call of ``module.name`` (a seeding) is followed by a draw from that global
    generator: what importing scikit-learn does to ``random`` once rich is installed."""
    original = getattr(module, name)
    calls = []

    def seed_then_draw(*args, **kwargs):
        original(*args, **kwargs)
        if not calls:
            draw()
        calls.append(args)

    monkeypatch.setattr(module, name, seed_then_draw)


def test_an_import_that_draws_from_the_global_generators_changes_no_row(monkeypatch, capsys):
    import random

    import numpy as np

    disturbed_after_seeding(monkeypatch, random, "seed", random.random)
    disturbed_after_seeding(monkeypatch, np.random, "seed", np.random.random)
    moons.run(quick=True)  # raises if the first row starts from other weights or data
    rows = [line.split() for line in capsys.readouterr().out.splitlines()
            if line.strip().startswith(("micrograd", "pathgrad"))]
    assert len(rows) == len(moons.ROWS) and len({row[-2] for row in rows}) == 1
