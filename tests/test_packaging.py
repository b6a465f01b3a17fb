"""pathgrad installs like a library: the wheel and the sdist build, pass ``twine check`` (what a
package index checks), say what they need and where the project lives, and the wheel alone, with
no extra, installed into an empty virtual environment, runs the demo and writes an explorer."""

from __future__ import annotations

import email
import json
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE = {"numpy", "graphviz", "graphviz-pure", "tqdm"}
VERSION = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> tuple[Path, Path]:
    """The sdist, and the wheel built from it (as ``python -m build`` does)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                    str(ROOT)], check=True, capture_output=True)
    return (out / f"pathgrad-{VERSION}.tar.gz", out / f"pathgrad-{VERSION}-py3-none-any.whl")


def metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"pathgrad-{VERSION}.dist-info/METADATA").decode("utf-8")
    return email.message_from_string(text)


def test_twine_finds_nothing_wrong(dist):
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_the_metadata_says_what_it_needs_and_where_the_project_lives(dist):
    meta = metadata(dist[1])
    requires = meta.get_all("Requires-Dist")
    plain = {re.split(r"[<>=;\[ ]", r)[0] for r in requires if "extra ==" not in r}
    assert plain == BASE  # the command line and the pictures: nothing for Jupyter
    widget = [r for r in requires if r.startswith("anywidget")]
    assert widget and all("extra ==" in r for r in widget)  # only with an extra,
    assert any(re.search(r"extra == .notebooks.", r) for r in widget)  # notebooks among them
    assert set(meta.get_all("Provides-Extra")) >= {"data", "notebooks", "bench", "test", "all"}
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Source", "Issues"} <= set(urls)
    assert all(u.startswith(("https://", "http://")) for u in urls.values())
    classifiers = meta.get_all("Classifier")
    for wanted in ("Intended Audience :: Education", "Programming Language :: Python :: 3",
                   "Topic :: Education", "Typing :: Typed"):
        assert wanted in classifiers
    assert meta["License-Expression"] == "MIT" and meta["Requires-Python"] == ">=3.10"
    assert meta.get_content_type() == "text/plain"  # the body is the README
    assert meta["Description-Content-Type"] == "text/markdown"


def test_the_sdist_holds_what_the_repository_tracks_tests_and_notebooks_included(dist):
    with tarfile.open(dist[0]) as archive:
        held = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    held = {name for name in held if "." in Path(name).name or "/" in name or name == "LICENSE"}
    tracked = set(subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
        capture_output=True, text=True, check=True,
    ).stdout.split())
    tracked = {name for name in tracked if (ROOT / name).is_file()}
    assert tracked <= held, sorted(tracked - held)[:10]
    assert held - tracked <= {"PKG-INFO"}, sorted(held - tracked)[:10]
    assert any(name.startswith("tests/") for name in held)
    assert sum(name.endswith(".ipynb") for name in held) >= 8


def test_the_wheel_alone_in_an_empty_environment_runs_the_demo_and_the_explorer(dist, tmp_path):
    env = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(dist[1])], check=True,
                   capture_output=True)
    listed = json.loads(subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json"], check=True, capture_output=True,
        text=True,
    ).stdout)
    installed = {entry["name"].lower() for entry in listed} - {"pip", "setuptools", "wheel"}
    assert installed <= BASE | {"pathgrad", "colorama"}  # tqdm takes colorama on Windows only
    assert "anywidget" not in installed and "ipython" not in installed
    demo = subprocess.run([str(env / "bin" / "pathgrad"), "demo"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "Sum over the paths (equation 53): -0.02841631604 = ∂C/∂w²₁₂" in demo.stdout
    assert "PASS" in demo.stdout and "Picture of these paths: " in demo.stdout
    page = tmp_path / "page.html"
    explored = subprocess.run([str(env / "bin" / "pathgrad"), "explore", "-o", str(page)],
                              capture_output=True, text=True, cwd=tmp_path)
    assert explored.returncode == 0, explored.stderr
    assert 'id="pathgrad-explorer-data"' in page.read_text(encoding="utf-8")
    shown = subprocess.run(
        [str(python), "-c", "import pathgrad as pg; net = pg.Network([2, 3, 2], seed=1); "
         "print(pg.explore(net, ([0.5, 0.9], [1, 0]))._repr_mimebundle_()['text/plain'])"],
        capture_output=True, text=True,
    )
    assert 'pip install "pathgrad[notebooks]"' in shown.stdout, shown.stderr
