"""The command line: demo, help and version."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import pathgrad as pg
from pathgrad.cli import demo_chain, main


def test_demo_prints_the_check_table_and_the_paths(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out
    cost = demo_chain()
    w = pg.Graph(cost).find("w^2_11")
    expected = pg.grad(cost, [w])[0]
    printed = float(re.search(r"Sum over paths \(equation 53\): (\S+) = ∂C/∂w\^2_11", out)[1])
    assert printed == pytest.approx(expected, rel=1e-9)
    assert "w^2_11 →" in out and "→ C:" in out


def test_demo_with_an_unknown_weight_is_a_clear_error(capsys):
    assert main(["demo", "--weight", "w^9_99"]) == 2
    assert "no node named 'w^9_99'" in capsys.readouterr().err


def test_help_and_version_from_the_installed_command():
    version = subprocess.run(
        [sys.executable, "-m", "pathgrad.cli", "--version"], capture_output=True, text=True
    )
    assert version.stdout.strip() == f"pathgrad {pg.__version__}"
    helped = subprocess.run(
        [sys.executable, "-m", "pathgrad.cli", "--help"], capture_output=True, text=True
    )
    assert helped.returncode == 0 and "demo" in helped.stdout
