"""Bench section ``scalar``: pathgrad's scalar engine against micrograd, side by side.

Two measurements, both in this one process so that their ratio means something on a noisy box.

1. **One example through an MLP.** micrograd's own ``MLP`` (ReLU hidden layer, linear output,
   squared error summed over the outputs) against :class:`pathgrad.nn.MLP` made from the same
   seed, so with the same weights (each drawn from a generator of its own,
   :func:`pathgrad.bench.own_random`), at two levels: ``"ops"`` records every product
   and sum as its own node, micrograd's very graph; ``"z"`` (the default) makes one node per
   weighted input and one per activation, the graph of equations 47-53. Inputs and targets
   are plain floats. We time *build + backward* of one example with the garbage collector on,
   as a user has it, and report the median over repeats. pathgrad pauses the collector while
   the MLP builds its nodes; one allocation right after the step, inside the timer, starts
   the collection that the pause left due, so its cost is counted. The graph is released and
   ``gc.collect()`` runs between repeats, outside the timed region, so every repeat starts
   from the same clean heap, which holds the model of the library being timed and not the
   other's. Memory is the ``tracemalloc`` peak of build + backward. Gradients must agree to
   1e-12 (relative), or the section fails.

   "Nodes" means the nodes of micrograd's graph as pathgrad's ``"ops"`` level records it:
   leaves (weights, biases) plus one node per operation result. That count is the same work
   for every row, so the ratio of nodes per second is the ratio of times, and bytes per node
   compare the memory of whole graphs. micrograd also turns every number constant into a node
   of its own; its own node count is printed beside it.

2. **A long chain.** ``v = v * 0.999 + 0.001`` repeated, build + backward, time per node at
   growing depths, with the collector's share shown apart: no recursion, no quadratic step.
   micrograd's topological sort is recursive, so it hits Python's recursion limit near a
   depth of 1,000 nodes; we show where.

Without micrograd, its rows are skipped with the command that installs it, and pathgrad's
rows are still timed.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from ..graph import topological_order
from ..nn import modules as pathgrad_modules
from ..nn.modules import MLP
from ..value import Value
from . import Target, missing, own_random, table, target, title

LEVELS = ("ops", "z")


# -- the models --------------------------------------------------------------------------------


INSTALL = 'pip install micrograd, or pip install "pathgrad[bench]"'


def micrograd_model(sizes: Sequence[int], seed: int = 0):
    """micrograd's own ``MLP(sizes[0], sizes[1:])``, with reproducible initial weights."""
    import micrograd.nn

    with own_random(seed, micrograd.nn):
        return micrograd.nn.MLP(sizes[0], list(sizes[1:]))


@contextmanager
def micrograd_nn_on_pathgrad(swap: bool = True) -> Iterator[None]:
    """micrograd's nn.py building pathgrad Values while the block runs (if ``swap``)."""
    if not swap:
        yield
        return
    import micrograd.nn

    original = micrograd.nn.Value
    micrograd.nn.Value = Value
    try:
        yield
    finally:
        micrograd.nn.Value = original


def value_model(sizes: Sequence[int], seed: int = 0):
    """micrograd's own ``MLP`` with ``pathgrad.Value`` swapped in: what a learner arriving
    from micrograd writes first. Its steps then make pathgrad nodes only."""
    with micrograd_nn_on_pathgrad():
        return micrograd_model(sizes, seed)


def pathgrad_model(sizes: Sequence[int], seed: int = 0, level: str = "z") -> MLP:
    """``pathgrad.nn.MLP`` with micrograd's weights (the same seed, the same draws)."""
    with own_random(seed, pathgrad_modules):
        return MLP(sizes[0], list(sizes[1:]), level=level)


def squared_error(outputs, targets: Sequence[float]):
    """``Σ_j (a_j - y_j)²``: the loss of micrograd's demos, written once for both libraries."""
    outputs = outputs if isinstance(outputs, list) else [outputs]
    return sum((out - y) ** 2 for out, y in zip(outputs, targets, strict=True))


def step(model, x, y):
    """Build the graph of one example's loss and sweep it backwards (either library)."""
    loss = squared_error(model(x), y)
    loss.backward()
    return loss


def micrograd_node_count(root) -> int:
    seen = {root}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


# -- timing and memory --------------------------------------------------------------------------


class CollectorClock:
    """Adds up the time the cycle collector runs (via ``gc.callbacks``; it never turns gc off)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start

    def __enter__(self) -> CollectorClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def timed_runs(run: Callable[[], object], repeat: int, warmup: int = 1) -> tuple[float, float]:
    """Median seconds of ``run()`` and median seconds of it spent in the cycle collector.

    The list that keeps the result is allocated after ``run()`` returns, inside the timer: if
    ``run`` left a collection due (pathgrad pauses the collector while it builds), it starts
    there and is counted. The result is then dropped and collected outside the timer, so
    every run starts from the same heap.
    """
    for _ in range(warmup):
        run()
    times, in_gc = [], []
    for _ in range(repeat):
        gc.collect()
        with CollectorClock() as clock:
            start = time.perf_counter()
            result = [run()]
            times.append(time.perf_counter() - start)
        in_gc.append(clock.seconds)
        del result
    gc.collect()
    return statistics.median(times), statistics.median(in_gc)


def peak_bytes(run: Callable[[], object]) -> int:
    """Peak bytes allocated while ``run()`` runs (tracemalloc), its result still alive."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    gc.collect()
    return peak - base


def gradients_agree(theirs, ours, x, y, tolerance: float = 1e-12) -> float:
    """Largest relative gradient difference over all parameters; raises if above tolerance."""
    theirs.zero_grad()
    step(theirs, x, y)
    step(ours, x, y)
    worst = 0.0
    for mine, other in zip(ours.parameters(), theirs.parameters(), strict=True):
        a, b = mine.grad, float(other.grad)
        worst = max(worst, abs(a - b) / max(abs(a), abs(b), 1.0))
    if worst > tolerance:
        raise AssertionError(
            f"pathgrad and micrograd gradients differ by {worst:.3g} (relative), above {tolerance}"
        )
    return worst


def compare_mlp(sizes: Sequence[int], repeat: int, rounds: int = 3, seed: int = 0) -> dict:
    """Time, memory and gradient agreement of one example through a ``sizes`` MLP.

    Each library is timed with only its own model in memory, as its user has it: the other
    library's model would otherwise be traversed by every full pass of the cycle collector.
    All models start from the same weights (micrograd's, made again from the same seed).
    """
    rng = random.Random(seed + 1)
    x = [rng.uniform(-1.0, 1.0) for _ in range(sizes[0])]
    y = [rng.uniform(-1.0, 1.0) for _ in range(sizes[-1])]
    facts = _gradients_nodes_and_memory(sizes, seed, x, y)

    def timed(make: Callable) -> Callable[[], tuple[float, float]]:
        def time_it() -> tuple[float, float]:
            model = make()
            return timed_runs(lambda: step(model, x, y), repeat)
        return time_it

    runners = {} if missing("micrograd.nn", INSTALL) else {
        "micrograd": timed(lambda: micrograd_model(sizes, seed)),
        "value": timed(lambda: value_model(sizes, seed))}
    for level in LEVELS:
        runners[level] = timed(lambda level=level: pathgrad_model(sizes, seed, level))
    # Alternate them so that drift in machine speed hits all alike.
    results: dict[str, list[tuple[float, float]]] = {key: [] for key in runners}
    for _ in range(rounds):
        for key, time_it in runners.items():
            results[key].append(time_it())
    return {
        "sizes": "-".join(map(str, sizes)),
        **facts,
        **{f"{key}_s": statistics.median(t for t, _ in runs) for key, runs in results.items()},
        **{f"{key}_gc_s": statistics.median(g for _, g in runs) for key, runs in results.items()},
    }


def _gradients_nodes_and_memory(sizes: Sequence[int], seed: int, x, y) -> dict:
    theirs = None if missing("micrograd.nn", INSTALL) else micrograd_model(sizes, seed)
    facts: dict[str, float] = {"worst_relative_difference": 0.0}
    if theirs is not None:
        raw = value_model(sizes, seed)
        facts["micrograd_nodes"] = micrograd_node_count(step(theirs, x, y))
        facts["micrograd_bytes"] = peak_bytes(lambda: step(theirs, x, y))
        facts["worst_relative_difference"] = gradients_agree(theirs, raw, x, y)
        facts["value_bytes"] = peak_bytes(lambda: step(raw, x, y))
    for level in LEVELS:
        ours = pathgrad_model(sizes, seed, level)
        if theirs is not None:
            facts["worst_relative_difference"] = max(facts["worst_relative_difference"],
                                                     gradients_agree(theirs, ours, x, y))
        if level == "ops":
            facts["nodes"] = len(topological_order(step(ours, x, y)))
        facts[f"{level}_bytes"] = peak_bytes(lambda: step(ours, x, y))  # noqa: B023 - run now
    return facts


# -- the chain ---------------------------------------------------------------------------------


def chain(v, depth: int):
    """``depth`` nodes after ``v``: ``v * 0.999 + 0.001``, again and again."""
    for _ in range(depth // 2):
        v = v * 0.999 + 0.001
    return v


def pathgrad_chain_seconds(depth: int, repeat: int, warmup: int = 1) -> tuple[float, float]:
    """Median seconds of build + backward of a chain, and of that the cycle collector's."""

    def step():
        out = chain(Value(0.5), depth)
        out.backward()
        return out

    return timed_runs(step, repeat, warmup)


def micrograd_chain_fails_at(depths: Sequence[int]) -> tuple[int | None, int | None]:
    """(deepest depth that works, first depth that raises RecursionError) for micrograd."""
    from micrograd.engine import Value as MicrogradValue

    works, fails = None, None
    for depth in depths:
        try:
            chain(MicrogradValue(0.5), depth).backward()
        except RecursionError:
            fails = depth
            break
        works = depth
    gc.collect()
    return works, fails


# -- the section --------------------------------------------------------------------------------


def _rate(nodes: int, seconds: float) -> str:
    return f"{nodes / seconds / 1e3:,.0f}k"


#: Speed-up over micrograd that each MLP shape must reach (build + backward of one example).
SPEED_TARGETS = {"64-30-10": 3.5, "784-30-10": 10.0}
BYTES_TARGET = 150


def run(quick: bool = False) -> list[Target]:
    """Print both tables and return the targets; raise AssertionError if gradients differ."""
    title("scalar: one example through an MLP, build + backward (pathgrad vs micrograd 0.1.0)")
    shapes = [(64, 30, 10)] if quick else [(64, 30, 10), (784, 30, 10)]
    absent = missing("micrograd.nn", INSTALL)
    rows, targets = [], []
    for sizes in shapes:
        r = compare_mlp(sizes, repeat=3 if quick else 7, rounds=1 if quick else 3)
        theirs = None if absent else r["micrograd_s"]
        if theirs is not None:
            what = f"MLP {r['sizes']}, micrograd's nn.py on pathgrad.Value"
            targets.append(target(f"{what}: speed-up", theirs / r["value_s"],
                                  least=SPEED_TARGETS[r["sizes"]]))
            targets.append(target(f"{what}: bytes per node", r["value_bytes"] / r["nodes"],
                                  most=BYTES_TARGET, unit=" B"))
        for level in reversed(LEVELS):
            what = f"MLP {r['sizes']} build+backward, level {level}"
            if theirs is not None:
                targets.append(target(f"{what}: speed-up", theirs / r[f"{level}_s"],
                                      least=SPEED_TARGETS[r["sizes"]]))
            targets.append(target(f"{what}: bytes per node", r[f"{level}_bytes"] / r["nodes"],
                                  most=BYTES_TARGET, unit=" B"))
        n = r["nodes"]
        if theirs is None:
            rows.append([r["sizes"], "micrograd", f"{n:,}", "skipped", "", "", "", "", ""])
        else:
            rows.append([
                r["sizes"], "micrograd", f"{n:,} ({r['micrograd_nodes']:,})",
                f"{theirs * 1e3:.1f} ({r['micrograd_gc_s'] * 1e3:.1f})", _rate(n, theirs),
                "1.0x", f"{r['micrograd_bytes'] / n:.0f}", "1.00", "",
            ])
        value_row = [] if theirs is None else [("value", "pathgrad.Value, micrograd's nn.py")]
        for key, label in [*value_row,
                           *((level, f"pathgrad.nn, level {level}") for level in LEVELS)]:
            ours = r[f"{key}_s"]
            rows.append([
                "", label, "",
                f"{ours * 1e3:.1f} ({r[f'{key}_gc_s'] * 1e3:.1f})", _rate(n, ours),
                "" if theirs is None else f"{theirs / ours:.1f}x",
                f"{r[f'{key}_bytes'] / n:.0f}",
                "" if theirs is None else f"{r[f'{key}_bytes'] / r['micrograd_bytes']:.2f}",
                "" if theirs is None else f"{r['worst_relative_difference']:.1e}",
            ])
    print(table(
        ["MLP", "library", "nodes (micrograd's)", "ms (in gc)", "nodes/s", "speed-up",
         "B/node", "memory ratio", "max grad diff"],
        rows,
    ))
    print(
        "medians over repeats, gc on as a user has it; (in gc) = time in the cycle collector.\n"
        "nodes = micrograd's graph as pathgrad records it at level 'ops', the same work for\n"
        "every row (micrograd's own count, with a node per number constant, in brackets);\n"
        "level 'z' does that work with one node per weighted input. 'pathgrad.Value,\n"
        "micrograd's nn.py' is micrograd's own MLP with pathgrad.Value swapped in: the same\n"
        "loops, pathgrad's nodes. B/node = tracemalloc peak of build+backward / nodes.\n"
        "targets: speed-up >= 3.5x on 64-30-10 and >= 10x on 784-30-10, <= 150 B/node;\n"
        "max grad diff = largest relative difference of the gradients, every pathgrad row\n"
        "against micrograd (must be <= 1e-12)."
    )
    if absent:
        print(absent)

    title("scalar: a chain v = v*0.999 + 0.001, build + backward (pathgrad)")
    depths = [10**3, 10**4] if quick else [10**4, 10**5, 10**6]
    rows = []
    for depth in depths:
        big = depth >= 10**6
        seconds, in_gc = pathgrad_chain_seconds(depth, 1 if big else 3, warmup=0 if big else 1)
        rows.append([
            f"{depth:,}",
            f"{seconds * 1e3:,.1f}",
            f"{seconds / depth * 1e9:,.0f}",
            f"{(seconds - in_gc) / depth * 1e9:,.0f}",
            f"{in_gc / depth * 1e9:,.0f}",
        ])
    print(table(
        ["depth (nodes)", "ms", "ns per node", "outside gc", "in gc"], rows
    ))
    print(
        "linear up to memory effects: per node, work outside the collector grows only as the\n"
        "graph outgrows the CPU caches; the collector's full passes over that growing heap are\n"
        "what creeps up most."
    )
    if absent:
        print(f"micrograd's recursion limit: {absent}")
        return targets
    works, fails = micrograd_chain_fails_at([500, 1000, 2000])
    limit = sys.getrecursionlimit()
    if fails is None:
        print(f"micrograd: depth {works:,} works (recursion limit {limit})")
    else:
        print(
            f"micrograd: RecursionError at depth {fails:,} (its topological sort is recursive; "
            f"recursion limit {limit}); deepest that worked here: {works or 0:,}"
        )
    return targets
