"""Timing by medians: the one clock pathgrad's cost report and its benchmarks share."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


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


_UNITS = [(1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms"), (1.0, "s"), (60.0, "minutes"),
          (3600.0, "hours"), (86400.0, "days"), (3.15576e7, "years")]


def duration_text(seconds: float) -> str:
    """A duration in the unit that reads best: ``51 ms``, ``3.2 hours``, ``1.2e+13 years``."""
    scale, unit = next(((s, u) for s, u in reversed(_UNITS) if seconds >= s), _UNITS[0])
    value = seconds / scale
    number = f"{value:.3g}" if value < 1e4 else f"{value:.2g}"
    if number == "1" and unit in ("minutes", "hours", "days", "years"):
        unit = unit[:-1]
    return f"{number} {unit}"
