"""The command line in any terminal: every command finishes under an ASCII locale without
Python's UTF-8 mode, printing what the terminal can show; a mistake is one line there too, with
no warning and nothing else around it; what a command prints waits until it has finished."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import warnings

import pytest

from pathgrad import cli
from pathgrad.cli import main
from pathgrad.support.terminal import HANDLER, plain
from tests.capped import ROOT
from tests.test_cli_mistakes import MISTAKES

#: An ASCII terminal: the C locale, UTF-8 mode off, no PYTHONIOENCODING.
ASCII = {**{k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "LANG",
                                                               "LANGUAGE")},
         "LC_ALL": "C", "PYTHONUTF8": "0", "OPENBLAS_NUM_THREADS": "1"}


def run_ascii(*argv: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pathgrad", *argv], capture_output=True,
                          env=ASCII, cwd=cwd, timeout=120)


@pytest.mark.parametrize("argv", [
    ["demo", "--picture", ""],
    ["paths", "--top", "2", "--samples", "10"],
    ["draw", "-o", "{tmp}/paths.svg"],
    ["explore", "-o", "{tmp}/page.html"],
    ["draw", "--help"],
    ["explore", "--help"],
], ids=lambda argv: argv[0] + (" --help" if "--help" in argv else ""))
def test_every_command_finishes_in_an_ascii_terminal(tmp_path, argv):
    done = run_ascii(*(word.format(tmp=tmp_path) for word in argv))
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert done.stderr == b""
    out = done.stdout.decode("ascii")  # every byte ASCII: nothing left unencodable
    assert "Traceback" not in out and "\\u" not in out
    if argv[0] in ("demo", "paths"):
        assert "w^2_1" in out and "dC/dw" in out  # the book's names as they are typed


def test_the_plain_forms_read_like_the_typed_names():
    text = "∂C/∂w²₁₂ = σ'(z³₂)·w³₂₁, w¹₂,₃ → a, Δ ≈ η·δ, λ ≤ 1"
    assert text.encode("ascii", HANDLER) == (
        b"dC/dw^2_12 = sigma'(z^3_2)*w^3_21, w^1_2,3 -> a, Delta ~ eta*delta, lambda <= 1")
    assert text.encode("latin-1", HANDLER).decode("latin-1").startswith("dC/dw²_12 = sigma")
    assert plain("₉") == ("_", "9") and plain("ⁿ") == ("^", "n") and plain("Σ") == ("", "sum")
    assert plain("é") == ("", "e") and plain("€") == ("", "?")  # an accent dropped, or a ?
    # a mark starts each raised or lowered run, and a comma between indices continues one
    assert "x²y³".encode("ascii", HANDLER) == b"x^2y^3"
    assert "₁,₃ and ₁₂,₃".encode("ascii", HANDLER) == b"_1,3 and _12,3"


_CHILD = """
import io, json, os, sys, warnings
from pathgrad import cli
from pathgrad.cli import main
from tests.test_cli_mistakes import MISTAKES, files_for_mistakes
from pathlib import Path
os.chdir(sys.argv[1])
files_for_mistakes(Path(sys.argv[1]))
results = []
for argv, _ in MISTAKES:
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdout = io.TextIOWrapper(out, encoding="ascii", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="ascii", errors="strict", write_through=True)
    try:
        status = main(argv)
    except BaseException as error:
        status = repr(error)
    sys.stdout.flush(); sys.stderr.flush()
    results.append([argv, status, out.getvalue().decode("latin-1"),
                    err.getvalue().decode("latin-1")])
sys.__stdout__.write(json.dumps(results))
"""


def test_every_mistake_is_one_ascii_line_in_an_ascii_terminal(tmp_path):
    """The table of mistakes again, in a child whose streams are ASCII and strict, with
    Python's warnings shown as a user would see them: one line each, nothing around it."""
    done = subprocess.run([sys.executable, "-W", "default", "-c", _CHILD, str(tmp_path)],
                          capture_output=True, env=ASCII, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")[-3000:]
    results = json.loads(done.stdout)
    assert len(results) == len(MISTAKES)
    for (argv, status, out, err), (_, message) in zip(results, MISTAKES, strict=True):
        assert status == 2, (argv, status, err)
        assert out == "" and err.count("\n") == 1 and err.startswith("pathgrad "), (argv, err)
        assert err.isascii()
        wanted = message.encode("ascii", HANDLER).decode("ascii")
        assert wanted in err, (argv, err)


def test_what_a_command_prints_waits_until_it_has_finished(monkeypatch, capsys, tmp_path):
    """A command that fails after printing (here the picture cannot be written) shows only its
    error; a warning raised by a command that succeeds comes after its output, one line."""
    def fails_late(args):
        print("half of the output")
        warnings.warn("a warning on the way", RuntimeWarning, stacklevel=1)
        raise OSError("the disk is full")

    def warns(args):
        print("all of the output")
        warnings.warn("numpy says: overflow", RuntimeWarning, stacklevel=1)
        return 0

    for handler, status in ((fails_late, 2), (warns, 0)):
        monkeypatch.setattr(cli, "run_draw", handler)
        monkeypatch.setattr(cli, "_add_draw", _draw_with(handler))
        assert main(["draw", "-o", str(tmp_path / "x.svg")]) == status
    shown = capsys.readouterr()
    assert shown.out == "all of the output\n"
    assert shown.err == ("pathgrad draw: error: the disk is full\n"
                         "pathgrad draw: warning: numpy says: overflow\n")


def _draw_with(handler):
    def add(commands):
        parser = commands.add_parser("draw")
        parser.add_argument("-o", "--output")
        parser.set_defaults(handler=handler)
    return add


def test_held_output_still_reaches_a_pipe_that_closes_early():
    """``pathgrad paths | head -1``: the reader goes away; the command stops quietly."""
    done = subprocess.run(f"{sys.executable} -m pathgrad paths --samples 10 | head -1",
                          shell=True, capture_output=True, env=ASCII, cwd=ROOT, timeout=120)
    assert done.stdout.decode().startswith("Network [2, 3, 2]")
    assert b"Traceback" not in done.stderr and b"Error" not in done.stderr


def test_streams_are_left_as_they_were():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    saved = sys.stdout
    sys.stdout = stream
    try:
        main(["--version"])
    finally:
        sys.stdout = saved
    assert stream.errors == "strict"
