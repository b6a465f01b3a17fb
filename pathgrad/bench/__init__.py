"""``pathgrad bench``: pathgrad and its peers side by side, in one process, as ratios.

The machine this runs on may be noisy, so every figure is the median of several repeats and
every claim is a ratio between two things timed in the same run, never one absolute time.
Each section is a module of this package with a ``run(quick: bool) -> None`` that prints a
titled table; ``--quick`` shrinks sizes so the section finishes in seconds (used by the tests).
"""

from __future__ import annotations

import gc
import importlib
import statistics
import time
from collections.abc import Callable, Sequence

SECTIONS = ("scalar", "training", "paths")


def median_time(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs (after ``warmup`` runs)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table, right-aligned columns."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def title(text: str) -> None:
    print(f"\n== {text} ==")


def run(sections: Sequence[str] = SECTIONS, quick: bool = False) -> None:
    """Run the named sections in order."""
    for name in sections:
        if name not in SECTIONS:
            raise ValueError(f"unknown bench section {name!r}; choose from {', '.join(SECTIONS)}")
    for name in sections:
        module = importlib.import_module(f"{__name__}.{name}")
        gc.collect()
        module.run(quick=quick)
