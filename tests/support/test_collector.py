"""The collector pause: always undone, nested, across threads, and invisible to the user.

pathgrad pauses Python's cycle collector while it builds its own acyclic graphs. The user must
never notice: after any call the collector is on exactly when it was on before, whether the
call returned or raised, and however pauses nest or overlap between threads.
"""

from __future__ import annotations

import gc
import threading

import pytest

from pathgrad.support.collector import pause, paused, paused_call, resume, without_collector


@pytest.fixture(autouse=True)
def collector_on_afterwards():
    yield
    gc.enable()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_pause_is_undone_even_when_the_block_raises(enabled):
    (gc.enable if enabled else gc.disable)()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled() is enabled
    with pytest.raises(KeyError), paused():
        raise KeyError("in the middle of building a graph")
    assert gc.isenabled() is enabled


def test_pauses_nest_and_only_the_outermost_restarts():
    gc.enable()
    pause()
    pause()
    resume()
    assert not gc.isenabled()
    resume()
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
        pause()
        resume()
    assert gc.get_count()[0] - before < 10


def test_threads_overlapping_leave_the_collector_on():
    gc.enable()
    inside = threading.Barrier(3)
    leave = [threading.Event(), threading.Event()]

    def worker(i):
        with paused():
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
