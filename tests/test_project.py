"""The project's promises about itself: two README commands, CI runs the test one, top level."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_readme_has_exactly_two_commands_demo_and_tests():
    demo, tests = readme_commands()
    assert demo.endswith("pathgrad demo")
    assert "pytest" in tests and "ruff check" in tests and "mypy" in tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == readme_commands()[1]


def test_top_level_holds_only_what_the_design_names():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    top = {name.split("/")[0] for name in tracked}
    allowed = {"pyproject.toml", "README.md", "LICENSE", "pathgrad", "tests", "notebooks"}
    assert {name for name in top if not name.startswith(".")} <= allowed


def test_readme_example_runs_and_its_numbers_agree(tmp_path, monkeypatch, capsys):
    text = (ROOT / "README.md").read_text()
    example = re.search(r"```python\n(.*?)```", text, re.S)[1]
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)
    pg, C, w = namespace["pg"], namespace["C"], namespace["w"]
    assert pg.forward_grad(C, w) == pytest.approx(w.grad, rel=1e-15)
    assert pg.path_sum(w, C) == pytest.approx(w.grad, rel=1e-15)
    assert "PASS" in capsys.readouterr().out
    assert (tmp_path / "neuron.svg").read_text().count("<svg") == 1
