"""The course site, built once for every test in this folder (and the browser that reads it).

The build is the README's command (``.venv/bin/sphinx-build -W -b html notebooks build/site``,
read from its section "The course site"), run into a temporary folder, with ``--keep-going`` so
that every warning is listed, not just the first.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


@dataclass
class Site:
    folder: Path
    returncode: int
    log: str
    seconds: float
    parsed: dict[str, BeautifulSoup] = field(default_factory=dict, repr=False)

    def page(self, name: str) -> BeautifulSoup:
        """The page parsed, once (read it, do not change it)."""
        if name not in self.parsed:
            text = (self.folder / name).read_text(encoding="utf-8")
            self.parsed[name] = BeautifulSoup(text, "html.parser")
        return self.parsed[name]

    def pages(self) -> list[Path]:
        """Every HTML page of the site, the saved explorer pages included."""
        return sorted(p for p in self.folder.rglob("*.html") if "_static" not in p.parts)


def report(request: pytest.FixtureRequest, line: str) -> None:
    """Print a line in the test run's own output, past pytest's capture."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)


def readme_command() -> list[str]:
    """The README's command that builds the site, as words."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The course site", 1)[1].split("\n## ", 1)[0]
    [command] = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    return shlex.split(command)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("course-site") / "site"
    program, *arguments, output = readme_command()
    assert program.endswith("sphinx-build") and output == "build/site" and "-W" in arguments
    start = time.perf_counter()
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "--keep-going", *arguments, str(folder)],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    return Site(folder, build.returncode, build.stdout + build.stderr,
                time.perf_counter() - start)
