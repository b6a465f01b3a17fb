"""``pathgrad bench``: pathgrad and its peers side by side, in one process, as ratios.

The machine this runs on may be noisy, so every figure is the median of several repeats and
every claim is a ratio between two things timed in the same run, never one absolute time.
Each section is a module of this package (``SECTIONS`` maps a section's name to it) with a
``run(quick: bool) -> None`` that prints a titled table; ``--quick`` shrinks sizes so the
section finishes in seconds (used by the tests).
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Sequence

from ..errors import PathgradValueError
from ..tables import text_table as table
from ..timing import median_time

#: Section name (as typed after ``pathgrad bench``) -> its module in this package.
SECTIONS = {"scalar": "scalar", "training": "trainers", "paths": "paths"}

__all__ = ["SECTIONS", "median_time", "run", "table", "title"]


def title(text: str) -> None:
    print(f"\n== {text} ==")


def run(sections: Sequence[str] = tuple(SECTIONS), quick: bool = False) -> None:
    """Run the named sections in order."""
    for name in sections:
        if name not in SECTIONS:
            raise PathgradValueError(
                f"unknown bench section {name!r}; choose from {', '.join(SECTIONS)}"
            )
    for name in sections:
        module = importlib.import_module(f"{__name__}.{SECTIONS[name]}")
        gc.collect()
        module.run(quick=quick)
