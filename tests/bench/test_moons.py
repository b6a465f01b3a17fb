"""The moons section of ``pathgrad bench`` in its quick form: every row ends on micrograd's loss."""

from __future__ import annotations

import pytest

from pathgrad.bench import moons

pytest.importorskip("micrograd")
pytest.importorskip("sklearn")


def test_quick_section_runs_every_row_to_micrograds_loss(capsys):
    moons.run(quick=True)  # raises if a row's final loss differs from micrograd's
    out = capsys.readouterr().out
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
    with pytest.raises(ZeroDivisionError), moons._micrograd_nn_on_pathgrad(True):
        assert micrograd.nn.Value is not original
        raise ZeroDivisionError
    assert micrograd.nn.Value is original
