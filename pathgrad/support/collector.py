"""Pausing Python's cycle collector while pathgrad builds a graph of its own.

CPython frees most objects by reference counting. Objects that can refer to others (pathgrad's
nodes, their tuples of parents) are also watched by the *cycle collector*, which every 700 new
such objects walks the young ones looking for reference cycles, and now and then walks all of
them. A training loop makes tens of thousands of nodes a step, so the collector runs hundreds
of times a step and, once the graphs of earlier steps have aged, walks them all again: on
micrograd's moons demo that is most of the time.

pathgrad's graphs hold no cycles (a node refers to its parents, never to its children or to a
closure that refers back), so reference counting alone frees them and the collector can find
nothing there. :func:`paused` stops the collector while pathgrad's own code builds nodes and
starts it again afterwards, even when that code raises. It is re-entrant (a module calling
another pauses once), safe across threads (the collector is restarted when the last pausing
caller leaves) and leaves a collector the user switched off switched off. Cyclic garbage that
user code makes meanwhile is not lost: the collector finds it on its next run. The objects made
while paused are counted as usual, so that next run comes at once and walks the young objects
one time, instead of hundreds.

Only functions that return (not generators, which would hand control to the caller while
paused) and that call no user code of unbounded length are wrapped.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

_lock = threading.Lock()
_depth = 0
_restart = False


# pause() and resume() allocate no object the collector tracks: an allocation at the edge of a
# paused region would start a collection of everything the region made, and a loop of many
# short regions (one per example) would then collect once per example instead of once.
def pause() -> None:
    """Stop the cycle collector until the matching :func:`resume` (calls nest)."""
    global _depth, _restart
    _lock.acquire()
    if _depth == 0:
        _restart = gc.isenabled()
        gc.disable()
    _depth += 1
    _lock.release()


def resume() -> None:
    """Undo one :func:`pause`; the last one restarts the collector if it was running."""
    global _depth
    _lock.acquire()
    _depth -= 1
    if _depth == 0 and _restart:
        gc.enable()
    _lock.release()


class paused:  # lower case, as it reads: ``with paused(): ...``
    """``with paused(): ...`` runs the block with the cycle collector stopped."""

    def __enter__(self) -> None:
        pause()

    def __exit__(self, *exc: object) -> None:
        resume()


def paused_call(method: F) -> F:
    """A method ``method(self, x)`` run with the cycle collector paused.

    The wrapper takes exactly ``(self, x)``, so calling it packs no argument tuple: a
    module's ``__call__``, run once per example, wrapped so."""

    @functools.wraps(method)
    def run(self, x):
        pause()
        try:
            return method(self, x)
        finally:
            resume()

    return run  # type: ignore[return-value]


def without_collector(fn: F) -> F:
    """``fn`` run with the cycle collector paused (any signature; see :func:`paused_call`)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        pause()
        try:
            return fn(*args, **kwargs)
        finally:
            resume()

    return run  # type: ignore[return-value]
