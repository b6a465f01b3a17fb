"""``pathgrad bench``: pathgrad and its peers side by side, in one process, as ratios.

The machine this runs on may be noisy, so every figure is the median of several repeats (the
moons demo, minutes long for micrograd, runs once a row) and every claim is a ratio between
two things timed in the same run, never one absolute time.
Each section is a module of this package (``SECTIONS`` maps a section's name to it) with a
``run(quick: bool) -> None`` that prints a titled table; ``--quick`` shrinks sizes so the
section finishes in seconds (used by the tests).
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Sequence

from ..support.arguments import one_of
from ..support.tables import text_table as table
from ..support.timing import median_time

#: Section name (as typed after ``pathgrad bench``) -> its module in this package.
SECTIONS = {"scalar": "scalar", "moons": "moons", "training": "trainers", "paths": "paths"}

__all__ = ["SECTIONS", "Target", "median_time", "run", "table", "target", "title"]

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
