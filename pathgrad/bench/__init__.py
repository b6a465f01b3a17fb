"""``pathgrad bench``: pathgrad and its peers side by side, in one process, as ratios.

The machine this runs on may be noisy, so every figure is the median of several repeats (the
moons demo, minutes long for micrograd, runs once a row) and every claim is a ratio between
two things timed in the same run, never one absolute time.
Each section is a module of this package (``SECTIONS`` maps a section's name to it) with a
``run(quick: bool) -> None`` that prints a titled table; ``--quick`` shrinks sizes so the
section finishes in seconds (used by the tests).

The bench is as reproducible as the tests: every random stream is a generator of its own,
seeded (:func:`own_random` for the libraries that draw from Python's ``random`` module, as
micrograd does), never the global state that an import can disturb; and a peer that is not
installed is a skipped row that says how to install it (:func:`missing`).
"""

from __future__ import annotations

import gc
import importlib
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType

from ..support.arguments import one_of
from ..support.tables import text_table as table
from ..support.timing import median_time

#: Section name (as typed after ``pathgrad bench``) -> its module in this package.
SECTIONS = {"scalar": "scalar", "moons": "moons", "training": "trainers", "paths": "paths"}

__all__ = ["SECTIONS", "Target", "median_time", "missing", "own_random", "plural", "run", "table",
           "target", "title"]

#: A line of the closing summary: what was measured, its target, this run's figure, met or not.
Target = list[str]


def title(text: str) -> None:
    print(f"\n== {text} ==")


def target(what: str, figure: float, least: float | None = None, most: float | None = None,
           unit: str = "x") -> Target:
    """A summary line: ``figure`` against a target of at least ``least`` or at most ``most``."""
    met = (least is None or figure >= least) and (most is None or figure <= most)
    goal = f">= {least:g}{unit}" if least is not None else f"<= {most:g}{unit}"
    return [what, goal, f"{figure:.1f}{unit}", "yes" if met else "NO"]


def run(sections: Sequence[str] = tuple(SECTIONS), quick: bool = False) -> None:
    """Run the named sections in order, then sum up their targets in one closing table.

    A section's ``run`` may return a list of :func:`target` lines for that table.
    """
    for name in sections:
        one_of(name, "bench section", tuple(SECTIONS))
    summary: list[Target] = []
    for name in sections:
        module = importlib.import_module(f"{__name__}.{SECTIONS[name]}")
        gc.collect()
        summary += module.run(quick=quick) or []
    if summary:
        title("summary: the targets, measured in this run" + (" (--quick: sizes too small "
                                                              "to mean much)" if quick else ""))
        print(table(["measure", "target", "this run", "met"], summary))


@contextmanager
def own_random(seed: int, *modules: ModuleType) -> Iterator[random.Random]:
    """While the block runs, each module draws from a generator of its own, seeded with
    ``seed``, in place of Python's global ``random`` (the modules call ``random.uniform``):
    nothing else that draws from the global state, an import say, can change their numbers."""
    generator = random.Random(seed)
    saved = [(module, module.random) for module in modules]
    for module in modules:
        module.random = generator  # type: ignore[attr-defined]
    try:
        yield generator
    finally:
        for module, original in saved:
            module.random = original  # type: ignore[attr-defined]


def missing(module: str, install: str) -> str | None:
    """None when ``module`` imports; else the line a skipped row prints: what is missing and
    the command that installs it."""
    try:
        importlib.import_module(module)
    except ImportError:
        return f"{module.split('.')[0]} is not installed: its rows are skipped ({install})"
    return None


def plural(count: int, noun: str) -> str:
    """``1 step``, ``100 steps``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
