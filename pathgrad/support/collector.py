"""Pausing Python's cycle collector while pathgrad builds a graph of its own.

CPython frees most objects by reference counting. Objects that can refer to others (pathgrad's
nodes, their tuples of parents) are also watched by the *cycle collector*, which every 700 new
such objects walks the young ones looking for reference cycles, and now and then walks all of
them. A training loop makes tens of thousands of nodes a step, so the collector runs hundreds
of times a step and, once the graphs of earlier steps have aged, walks them all again: on
micrograd's moons demo that is most of the time.

pathgrad's graphs hold no cycles (a node refers to its parents, never to its children or to a
closure that refers back), so reference counting alone frees them and the collector can find
nothing there. :func:`paused_call` and :func:`without_collector` stop the collector while
pathgrad's own code builds nodes and start it again afterwards, even when that code raises. They
are re-entrant (a module calling another pauses once), safe across threads (the collector is
restarted when the last pausing caller leaves) and leave a collector the user switched off
switched off. Cyclic garbage that user code makes meanwhile is not lost: the collector finds it
on its next run. The objects made while paused are counted as usual, so that next run comes at
once and walks the young objects one time, instead of hundreds.

**An interrupt at any bytecode** (a Ctrl-C lands between any two instructions) leaves nothing
behind. Each pause has its own token; :func:`pause` and :func:`resume` change the shared state
in steps any prefix of which :func:`resume` can finish, so resuming a token twice, or a token
whose pause was cut short, is harmless. A wrapped call resumes its token in two nested
``finally`` clauses: an interrupt that skips or cuts short the inner one (it lands between the
call's last instruction and the clause, or inside :func:`resume`) is caught by the outer one,
which settles what is left (:func:`settle`). The lock is a dictionary entry holding
its thread's identity, taken by one ``setdefault``: a thread that finds its own identity there
(left by an interrupted pause) carries on, so an interrupt can never leave a lock that hangs
the next call. (Two interrupts within microseconds of each other can still leave the collector
paused until this thread's next pathgrad call, which restores it.) There is no ``with`` form:
Python calls a context manager's ``__exit__`` only after instructions of its own that an
interrupt can land on.

The collector is restored to what it was when the first of the overlapping pauses began: a
``gc.disable()`` in another thread while pathgrad is building is not seen.

Only functions that return (not generators, which would hand control to the caller while
paused) and that call no user code of unbounded length are wrapped.
"""

from __future__ import annotations

import functools
import gc
import itertools
import threading
import time
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

#: The pauses now running, in any thread, by token.
_active: set[int] = set()
#: Whether the collector is stopped by pathgrad, and whether to start it again then.
_owned = False
_restart = False
#: The lock: its one entry, when present, is the identity of the thread that holds it.
_holder: dict[int, int] = {}
_tokens = itertools.count(1)
_get_ident = threading.get_ident


def new_token() -> int:
    """A token for one pause (a plain int: nothing the collector tracks)."""
    return next(_tokens)


# pause() and resume() allocate no object the collector tracks: an allocation at the edge of a
# paused region would start a collection of everything the region made, and a loop of many
# short regions (one per example) would then collect once per example instead of once.
def _acquire(me: int) -> None:
    while _holder.setdefault(0, me) != me:  # held by another thread: let it finish
        time.sleep(0)


def _release(me: int) -> None:
    if _holder.get(0) == me:
        _holder.pop(0, None)


def pause(token: int) -> None:
    """Stop the cycle collector until :func:`resume` of the same ``token`` (calls nest)."""
    global _owned, _restart
    me = _get_ident()
    _acquire(me)
    if not _owned:
        _restart = gc.isenabled()
        _owned = True
    gc.disable()
    _active.add(token)
    _release(me)


def resume(token: int) -> None:
    """Undo :func:`pause` of ``token`` (harmless if already undone or never finished); the last
    one restarts the collector if it was running."""
    global _owned
    me = _get_ident()
    _acquire(me)
    _active.discard(token)
    if _owned and not _active:
        if _restart:
            gc.enable()
        _owned = False
    _release(me)


def settle(token: int) -> None:
    """Finish :func:`resume` of ``token`` if an interrupt skipped it (its pause still counted)
    or cut it short (every change is made holding the lock, so the lock is still held by this
    thread). A resume that completed leaves neither, so settling after it touches nothing, not
    even the lock."""
    if token in _active or _holder.get(0) == _get_ident():
        resume(token)


def paused_call(method: F) -> F:
    """A method ``method(self, x)`` run with the cycle collector paused.

    The wrapper takes exactly ``(self, x)``, so calling it packs no argument tuple: a
    module's ``__call__``, run once per example, wrapped so."""

    @functools.wraps(method)
    def run(self, x):
        token = new_token()
        try:
            try:
                pause(token)
                return method(self, x)
            finally:
                resume(token)
        finally:
            settle(token)  # if an interrupt cut the first short (see the module docstring)

    return run  # type: ignore[return-value]


def without_collector(fn: F) -> F:
    """``fn`` run with the cycle collector paused (any signature; see :func:`paused_call`)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        token = new_token()
        try:
            try:
                pause(token)
                return fn(*args, **kwargs)
            finally:
                resume(token)
        finally:
            settle(token)

    return run  # type: ignore[return-value]
