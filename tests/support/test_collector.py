"""The collector pause: always undone, nested, across threads, and invisible to the user.

pathgrad pauses Python's cycle collector while it builds its own acyclic graphs. The user must
never notice: after any call the collector is on exactly when it was on before, whether the
call returned or raised, and however pauses nest or overlap between threads.
"""

from __future__ import annotations

import gc
import random
import sys
import threading
import time

import pytest

from pathgrad.support import collector
from pathgrad.support.collector import new_token, pause, paused_call, resume, without_collector


@pytest.fixture(autouse=True)
def collector_on_afterwards():
    yield
    gc.enable()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_pause_is_undone_even_when_the_block_raises(enabled):
    (gc.enable if enabled else gc.disable)()

    @without_collector
    def building(fail):
        assert not gc.isenabled()
        if fail:
            raise KeyError("in the middle of building a graph")

    building(False)
    assert gc.isenabled() is enabled
    with pytest.raises(KeyError):
        building(True)
    assert gc.isenabled() is enabled


def test_pauses_nest_and_only_the_outermost_restarts():
    gc.enable()
    outer, inner = new_token(), new_token()
    pause(outer)
    pause(inner)
    resume(inner)
    resume(inner)  # twice is harmless
    assert not gc.isenabled()
    resume(outer)
    assert gc.isenabled()


def test_wrapped_functions_and_methods_restore_the_collector():
    seen = []

    @without_collector
    def build(n, fail=False):
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("no")
        return n * 2

    class Model:
        @paused_call
        def __call__(self, x):
            seen.append(gc.isenabled())
            return build(x)

    gc.enable()
    assert Model()(3) == 6 and build(4) == 8
    with pytest.raises(ValueError):
        build(1, fail=True)
    assert seen == [False, False, False, False] and gc.isenabled()
    assert Model.__call__.__name__ == "__call__"


def test_a_pause_allocates_nothing_the_collector_counts():
    # An allocation at the edge of a pause would start a collection of everything the paused
    # code made; a loop of short pauses must leave the young objects to one collection.
    gc.disable()
    gc.collect()
    before = gc.get_count()[0]
    for _ in range(1000):
        token = new_token()
        pause(token)
        resume(token)
    assert gc.get_count()[0] - before < 10


def test_threads_overlapping_leave_the_collector_on():
    gc.enable()
    inside = threading.Barrier(3)
    leave = [threading.Event(), threading.Event()]

    @without_collector
    def worker(i):
        inside.wait()
        leave[i].wait()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    leave[0].set()
    threads[0].join()
    assert not gc.isenabled()  # the other thread is still building: no restart yet
    leave[1].set()
    threads[1].join()
    assert gc.isenabled()


@pytest.mark.parametrize("enabled", [True, False])
def test_many_threads_switching_often_leave_the_collector_as_the_user_had_it(enabled):
    """Eight threads pausing and resuming thousands of times, the interpreter switching between
    them every microsecond: without the lock, one thread records "the collector was off" while
    another has it paused, and the collector stays off for good."""
    (gc.enable if enabled else gc.disable)()
    step = without_collector(lambda: None)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=lambda: [step() for _ in range(3000)])
                   for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert gc.isenabled() is enabled
    assert collector._active == set() and collector._holder == {} and not collector._owned


class SlowCollector:
    """A stand-in for the ``gc`` module whose first ``isenabled()`` takes a while: long enough
    for another thread to pause in between, as a thread switch could arrange."""

    def __init__(self) -> None:
        self.enabled = True
        self.first = True

    def isenabled(self) -> bool:
        if self.first:
            self.first = False
            time.sleep(0.05)
        return self.enabled

    def disable(self) -> None:
        self.enabled = False

    def enable(self) -> None:
        self.enabled = True


def test_a_pause_that_overlaps_a_first_pause_waits_for_it(monkeypatch):
    """Thread A starts the first pause and is between seeing no pause and asking the collector
    its state when thread B pauses: B must wait, or A would see B's stopped collector, take it
    for the user's and never restart it."""
    slow = SlowCollector()
    monkeypatch.setattr(collector, "gc", slow)
    b_inside, b_leave = threading.Event(), threading.Event()

    def a():
        token = new_token()
        pause(token)
        resume(token)

    def b():
        token = new_token()
        pause(token)
        b_inside.set()
        b_leave.wait()
        resume(token)

    first = threading.Thread(target=a)
    first.start()
    time.sleep(0.01)  # A is inside isenabled()
    second = threading.Thread(target=b)
    second.start()
    assert b_inside.wait(timeout=5)
    first.join(timeout=5)
    b_leave.set()
    second.join(timeout=5)
    assert slow.enabled and not collector._owned and collector._active == set()


# -- interrupts at every instruction ---------------------------------------------------------


class Interrupt(KeyboardInterrupt):
    """The Ctrl-C a test delivers at a chosen instruction."""


def _count_or_interrupt(at: int | None) -> tuple[list[int], object]:
    """A trace function that counts the instructions run in the collector's own code and
    raises :class:`Interrupt` before the ``at``-th (None: only counts)."""
    seen = [0]
    here = collector.__file__

    def trace(frame, event, arg):
        if frame.f_code.co_filename != here:
            return None
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        if event == "opcode":
            seen[0] += 1
            if seen[0] == at:
                raise Interrupt  # raised at this instruction; Python then stops tracing
        return trace

    return seen, trace


class Model:
    @paused_call
    def __call__(self, x):
        return build(x) + 1


@without_collector
def build(x):
    if x < 0:
        raise ValueError("a building step that fails")
    return x * 2


def nested_call():
    return Model()(3)


def failing_call():
    return Model()(-1)


def two_in_a_row():
    return build(2) + Model()(1)


SHAPES = (nested_call, failing_call, two_in_a_row)


def _run_traced(call, at):
    seen, trace = _count_or_interrupt(at)
    sys.settrace(trace)
    try:
        call()
    except (Interrupt, ValueError):
        pass
    finally:
        sys.settrace(None)
    return seen[0]


def _nothing_left_behind(enabled: bool) -> None:
    assert gc.isenabled() is enabled
    assert collector._holder == {} and collector._active == set()
    assert collector._owned is False


def _next_call_returns_in_another_thread() -> None:
    answer = []
    worker = threading.Thread(target=lambda: answer.append(Model()(5)), daemon=True)
    worker.start()
    worker.join(timeout=5)  # a lock left held would make it spin for ever
    assert answer == [11]


@pytest.mark.parametrize("enabled", [True, False])
def test_an_interrupt_at_any_instruction_of_the_pause_leaves_nothing_behind(enabled):
    """Every instruction the collector's code runs in a call, for three kinds of call (nested,
    raising, two in a row), both collector states, then thousands of random ones: after each
    interrupt the collector is as the user left it, no pause is counted, no lock is held, and
    the next call, from another thread, returns."""
    (gc.enable if enabled else gc.disable)()
    rng = random.Random(20)
    runs = 0
    for call in SHAPES:
        length = _run_traced(call, None)  # how many instructions, uninterrupted
        assert length > 40
        for at in [*range(1, length + 1), *(rng.randint(1, length) for _ in range(600))]:
            _run_traced(call, at)
            _nothing_left_behind(enabled)
            runs += 1
        _next_call_returns_in_another_thread()
        _nothing_left_behind(enabled)
    assert runs > 2000


def test_the_old_pause_left_the_collector_off_and_its_lock_held():
    """The same interrupts against a pause of one lock and one counter (the first version):
    some leave the collector off, some the lock held. The test above would notice."""
    lock = threading.Lock()
    state = {"depth": 0, "restart": False}

    def old_pause():
        lock.acquire()
        if state["depth"] == 0:
            state["restart"] = gc.isenabled()
            gc.disable()
        state["depth"] += 1
        lock.release()

    def old_resume():
        lock.acquire()
        state["depth"] -= 1
        if state["depth"] == 0 and state["restart"]:
            gc.enable()
        lock.release()

    def old_call():
        old_pause()
        try:
            return 1
        finally:
            old_resume()

    gc.enable()
    old_call.__code__ = old_call.__code__.replace(co_filename=collector.__file__)
    for function in (old_pause, old_resume):
        function.__code__ = function.__code__.replace(co_filename=collector.__file__)
    length = _run_traced(old_call, None)
    harm = set()
    for at in range(1, length + 1):
        gc.enable()
        state.update(depth=0)
        if lock.locked():
            lock.release()
        _run_traced(old_call, at)
        if lock.locked():
            harm.add("lock held")
        if not gc.isenabled():
            harm.add("collector off")
    assert harm == {"lock held", "collector off"}
