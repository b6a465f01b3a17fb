"""The project's promises about itself: two README commands, CI runs the test one, top level."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

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


def setup_plan(*use: str) -> str:
    """What ``bash .ci/setup USE`` would install (its dry run)."""
    return subprocess.run(
        ["bash", str(ROOT / ".ci" / "setup"), *use], capture_output=True, text=True, check=True,
        env={**os.environ, "PATHGRAD_SETUP_DRY_RUN": "1"},
    ).stdout


def test_the_demo_command_installs_no_development_tool_and_no_browser():
    demo, tests = readme_commands()
    assert demo == "bash .ci/setup demo && .venv/bin/pathgrad demo"
    plan = setup_plan("demo")
    assert plan.splitlines() == ["system packages, when missing: none", "pip install -e ."]
    assert "chromium" in setup_plan() and "pip install -e .[all]" in setup_plan()
    assert tests.startswith("bash .ci/setup && ")  # the tests get everything


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_one_command_opens_the_notebooks_in_jupyterlab():
    text = (ROOT / "README.md").read_text()
    assert "bash .ci/setup notebooks && .venv/bin/jupyter lab notebooks" in text
    assert setup_plan("notebooks").splitlines()[-1] == "pip install -e .[notebooks]"
    notebooks = project()["optional-dependencies"]["notebooks"]
    assert any(r.startswith("jupyterlab") for r in notebooks)
    assert any(r.startswith("anywidget") for r in notebooks)
    lab = Path(sys.executable).with_name("jupyter-lab")  # installed by that extra, here too
    assert subprocess.run([str(lab), "--version"], capture_output=True).returncode == 0


def test_the_base_install_is_what_the_command_line_and_the_pictures_need():
    base = {re.split(r"[<>=\[ ]", r)[0] for r in project()["dependencies"]}
    assert base == {"numpy", "graphviz", "graphviz-pure", "tqdm"}
    extras = project()["optional-dependencies"]
    assert set(extras) >= {"data", "notebooks", "bench", "test", "lint", "all"}
    assert {name for e in extras.values() for r in e if (name := r.split("[")[0]) == "pathgrad"}
    named = {extra for r in extras["all"] for extra in r.split("[")[1].rstrip("]").split(",")}
    assert named == set(extras) - {"all"}  # `all` is every other extra


def test_readme_pictures_render_on_a_package_index_page():
    """PyPI shows the README without the repository around it: every picture is an absolute
    address under the project's Source, of a file the repository holds."""
    source = project()["urls"]["Source"]
    raw = source.replace("https://github.com/", "https://raw.githubusercontent.com/") + "/main/"
    text = (ROOT / "README.md").read_text()
    pictures = re.findall(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)]+)\)", text)
    assert len(pictures) >= 3
    for address in pictures:
        assert address.startswith(raw), address
        assert (ROOT / address[len(raw):]).is_file(), address


def test_readme_training_snippet_prints_in_a_script(tmp_path):
    text = (ROOT / "README.md").read_text()
    snippet = next(block for block in re.findall(r"```python\n(.*?)```", text, re.S)
                   if "net.sgd" in block)
    script = tmp_path / "train.py"
    script.write_text("import pathgrad as pg\n" + snippet)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    accuracy = re.search(r"30 epochs in .* s: cost .* test accuracy .* → (\S+)%", done.stdout)
    assert accuracy and float(accuracy[1]) > 90


def test_every_module_the_documents_name_exists():
    """``python -m X`` and ``pathgrad.x.y`` in the README and the notebooks' documents name
    modules that import."""
    texts = [ROOT / "README.md", *(ROOT / "notebooks").rglob("*.md")]
    named = set()
    for path in texts:
        text = path.read_text()
        named |= set(re.findall(r"python -m (pathgrad[\w.]*)", text))
        named |= set(re.findall(r"`(pathgrad(?:\.\w+)+)`", text))
    assert "pathgrad.drawing.gallery" in named
    for name in sorted(named):
        if _missing(name):  # pathgrad.sweeps.counted: a name in a module
            module, _, attribute = name.rpartition(".")
            assert not _missing(module), name
            assert hasattr(importlib.import_module(module), attribute), name


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True
