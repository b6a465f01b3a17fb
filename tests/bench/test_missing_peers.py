"""Without a peer installed, ``pathgrad bench`` skips its rows and says how to install it:
never a traceback. The rows that need no peer still run and still check each other."""

from __future__ import annotations

import sys

import pytest

from pathgrad.cli import main

pytest.importorskip("sklearn")

HINT = 'micrograd is not installed: its rows are skipped (pip install micrograd, or pip ' \
       'install "pathgrad[bench]")'


@pytest.fixture
def no_micrograd(monkeypatch):
    for name in ("micrograd", "micrograd.nn", "micrograd.engine"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError


@pytest.mark.parametrize("section", ["scalar", "moons"])
def test_a_missing_micrograd_is_a_skipped_row_with_the_install_hint(no_micrograd, capsys,
                                                                     section):
    assert main(["bench", "--quick", section]) == 0
    out, err = capsys.readouterr()
    assert HINT in out and err == ""
    assert "pathgrad.nn" in out and "Traceback" not in out
    assert "/ micrograd" not in out  # no ratio against what did not run
    assert " 1 steps" not in out


def test_a_missing_data_set_is_skipped_with_its_hint(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    assert main(["bench", "--quick", "moons"]) == 0
    assert 'sklearn is not installed: its rows are skipped (pip install "pathgrad[data]")' in \
        capsys.readouterr().out
