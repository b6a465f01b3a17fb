"""Laying out and rendering a picture with whichever Graphviz program is at hand.

Two programs can lay out and render a DOT graph:

* ``dot``, Graphviz itself, when it is on the PATH (``apt install graphviz``,
  ``brew install graphviz``, ``conda install -c conda-forge graphviz``); the ``graphviz``
  package runs it (``Digraph.pipe``);
* ``graphviz-pure``, a self-contained port of ``dot`` on PyPI (``pip install graphviz-pure``),
  installed next to the Python interpreter of the environment. It writes SVG and PNG, not PDF,
  and it is run here with a time limit, so a slow layout can never hang a notebook.

``engine="auto"`` (the default) takes ``dot`` and then ``graphviz-pure``; the environment variable
``PATHGRAD_GRAPHVIZ`` (``dot`` or ``graphviz-pure``) overrides the automatic choice, which is how
the tests render with each engine in turn.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import graphviz

from ..support.errors import PathgradError, PathgradValueError

ENGINES = ("dot", "graphviz-pure")
ENV_VAR = "PATHGRAD_GRAPHVIZ"
DEFAULT_TIMEOUT = 60.0
FORMATS = ("svg", "png", "pdf")
#: Not a picture: the layout itself (node centres, edge splines) as JSON, read by the explorer.
LAYOUT = "json0"
_NO_PDF = {"graphviz-pure"}

DOT_INSTALL = (
    "apt install graphviz | brew install graphviz | conda install -c conda-forge graphviz | "
    "https://graphviz.org/download"
)
INSTALL_HINT = (
    f"Install one of: Graphviz's `dot` ({DOT_INSTALL}), or the pip-only fallback "
    "`pip install graphviz-pure`. The DOT text needs neither: save the picture as .dot."
)


class RenderError(PathgradError, RuntimeError):
    """No engine could be found, or the engine failed or ran out of time."""


class EngineNotFoundError(RenderError):
    """Neither ``dot`` nor ``graphviz-pure`` is installed (or the chosen one is missing)."""


def _search_path() -> str:
    """PATH plus the environment's script folders, where pip puts ``graphviz-pure``."""
    folders = [os.environ.get("PATH", "")]
    folders.append(str(Path(sys.executable).parent))
    scripts = sysconfig.get_path("scripts")
    if scripts:
        folders.append(scripts)
    return os.pathsep.join(folders)


def find_engine(engine: str | None = "auto") -> tuple[str, str]:
    """The chosen engine's name and the path of its program.

    ``engine`` is ``"auto"`` (or None), ``"dot"`` or ``"graphviz-pure"``. Raises
    :class:`EngineNotFoundError` with install instructions when it cannot be found.
    """
    choice = engine or "auto"
    if choice == "auto":
        choice = os.environ.get(ENV_VAR, "").strip() or "auto"
    if choice not in ("auto", *ENGINES):
        raise PathgradValueError(
            f"unknown Graphviz engine {choice!r}: choose auto, dot or graphviz-pure"
        )
    search = _search_path()
    for name in ENGINES if choice == "auto" else (choice,):
        program = shutil.which(name, path=search)
        if program:
            return name, program
    raise EngineNotFoundError(_not_found(choice, search))


def _not_found(choice: str, search: str) -> str:
    """What to do when ``choice`` is not installed: install it, or use the other engine if that
    one is (never advice to install what is already there)."""
    if choice == "auto":
        return f"No Graphviz program found to render the picture. {INSTALL_HINT}"
    other = next(name for name in ENGINES if name != choice)
    install = f"install it ({DOT_INSTALL})" if choice == "dot" else "pip install graphviz-pure"
    if shutil.which(other, path=search):
        return (f"{choice!r} was not found to render the picture: {install}, or use {other}, "
                f"which is installed (engine={other!r}).")
    return f"{choice!r} was not found to render the picture. {INSTALL_HINT}"


def render(
    picture: graphviz.Digraph, fmt: str, engine: str | None = "auto",
    timeout: float = DEFAULT_TIMEOUT,
) -> bytes:
    """The picture laid out and rendered in format ``fmt`` (svg, png or pdf).

    ``fmt=LAYOUT`` gives Graphviz's layout as JSON instead of a picture.
    """
    if fmt not in FORMATS and fmt != LAYOUT:
        raise PathgradValueError(
            f"cannot render to {fmt!r}: choose one of {', '.join(FORMATS)} (or dot)"
        )
    name, program = find_engine(engine)
    if name == "dot":
        return _pipe_through_dot(picture, fmt)
    if name in _NO_PDF and fmt == "pdf":
        raise RenderError(
            f"{name} cannot write PDF. Save as .svg or .png, or install Graphviz's `dot` for PDF "
            "(apt install graphviz | brew install graphviz | "
            "conda install -c conda-forge graphviz)."
        )
    return _run_with_time_limit(name, program, picture.source, fmt, timeout)


def _pipe_through_dot(picture: graphviz.Digraph, fmt: str) -> bytes:
    try:
        return picture.pipe(format=fmt, engine="dot", quiet=True)
    except graphviz.ExecutableNotFound:
        raise EngineNotFoundError(_not_found("dot", _search_path())) from None
    except graphviz.CalledProcessError as error:
        message = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise RenderError(f"dot failed (exit code {error.returncode}): {message}") from None


def _run_with_time_limit(name: str, program: str, source: str, fmt: str, timeout: float) -> bytes:
    try:
        done = subprocess.run(
            [program, f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"{name} did not finish the layout within {timeout:g} s; draw fewer nodes "
            "(hide_params=True, only_highlighted=True, or the neuron level) "
            "or pass a larger timeout"
        ) from None
    except OSError as error:
        raise RenderError(f"could not run {program}: {error}") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{name} failed (exit code {done.returncode}): {message}")
    return done.stdout
