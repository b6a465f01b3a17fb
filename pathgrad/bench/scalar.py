"""Bench section ``scalar``: pathgrad's scalar engine against micrograd, side by side.

Two measurements, both in this one process so that their ratio means something on a noisy box.

1. **One example through an MLP.** micrograd's own ``MLP`` (ReLU hidden layer, linear output,
   squared error summed over the outputs) is built with random weights; pathgrad gets a copy of
   the very same weights and runs exactly the same Python operations (each neuron is
   ``sum((w_i * x_i for ...), b)`` then ``relu`` except in the last layer, the inputs and
   targets are plain floats). We time *build + backward* of one example with the garbage
   collector on, as a user has it, and report the median over repeats. The graph is released
   and ``gc.collect()`` runs between repeats, outside the timed region, so every repeat starts
   from the same clean heap, which holds the model of the library being timed and not the
   other's. Memory is the ``tracemalloc`` peak of build + backward. Gradients
   must agree to 1e-12 (relative), or the section fails.

   "Nodes" means the nodes of pathgrad's graph: leaves (weights, biases) plus one node per
   operation result. That count is the same work for both libraries, so the ratio of nodes per
   second is the ratio of times. micrograd also turns every number constant into a node of its
   own; its own node count is printed beside it.

2. **A long chain.** ``v = v * 0.999 + 0.001`` repeated, build + backward, time per node at
   growing depths, with the collector's share shown apart: no recursion, no quadratic step.
   micrograd's topological sort is recursive, so it hits Python's recursion limit near a
   depth of 1,000 nodes; we show where.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence

from ..graph import topological_order
from ..value import Value
from . import table, title

Layers = list[list[tuple[list[Value], Value]]]


# -- the two models -----------------------------------------------------------------------------


def micrograd_model(sizes: Sequence[int], seed: int = 0):
    """micrograd's own ``MLP(sizes[0], sizes[1:])``, with reproducible initial weights."""
    from micrograd.nn import MLP

    state = random.getstate()
    random.seed(seed)
    try:
        return MLP(sizes[0], list(sizes[1:]))
    finally:
        random.setstate(state)


def pathgrad_copy(model) -> Layers:
    """The same weights as pathgrad Values: per layer, per neuron, ``(w, b)``."""
    return [
        [([Value(float(w.data)) for w in neuron.w], Value(float(neuron.b.data)))
         for neuron in layer.neurons]
        for layer in model.layers
    ]


def pathgrad_forward(layers: Layers, x: Sequence[float | Value]) -> list[Value]:
    """micrograd's ``MLP.__call__`` with pathgrad Values: the same operations in the same order."""
    last = len(layers) - 1
    inputs: Sequence[float | Value] = x
    out: list[Value] = []
    for i, layer in enumerate(layers):
        out = []
        for w, b in layer:
            # micrograd's Neuron, operation for operation
            act = sum((wi * xi for wi, xi in zip(w, inputs, strict=False)), b)
            out.append(act if i == last else act.relu())
        inputs = out
    return out


def squared_error(outputs, targets: Sequence[float]):
    """``Σ_j (a_j - y_j)²``: the loss of micrograd's demos, written once for both libraries."""
    return sum((out - y) ** 2 for out, y in zip(outputs, targets, strict=True))


def micrograd_step(model, x, y):
    loss = squared_error(model(x), y)
    loss.backward()
    return loss


def pathgrad_step(layers, x, y):
    loss = squared_error(pathgrad_forward(layers, x), y)
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


def timed_runs(step: Callable[[], object], repeat: int, warmup: int = 1) -> tuple[float, float]:
    """Median seconds of ``step()`` and median seconds of it spent in the cycle collector.

    The result of each run is dropped and collected outside the timer, so every run starts
    from the same heap.
    """
    for _ in range(warmup):
        step()
    times, in_gc = [], []
    for _ in range(repeat):
        gc.collect()
        with CollectorClock() as clock:
            start = time.perf_counter()
            result = step()
            times.append(time.perf_counter() - start)
        in_gc.append(clock.seconds)
        del result
    gc.collect()
    return statistics.median(times), statistics.median(in_gc)


def peak_bytes(step: Callable[[], object]) -> int:
    """Peak bytes allocated while ``step()`` runs (tracemalloc), its result still alive."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    gc.collect()
    return peak - base


def gradients_agree(model, layers: Layers, x, y, tolerance: float = 1e-12) -> float:
    """Largest relative gradient difference over all parameters; raises if above tolerance."""
    model.zero_grad()
    micrograd_step(model, x, y)
    pathgrad_step(layers, x, y)
    ours = [p for layer in layers for w, b in layer for p in (*w, b)]
    theirs = model.parameters()
    worst = 0.0
    for mine, other in zip(ours, theirs, strict=True):
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
    Both models start from the same weights (micrograd's, made again from the same seed).
    """
    rng = random.Random(seed + 1)
    x = [rng.uniform(-1.0, 1.0) for _ in range(sizes[0])]
    y = [rng.uniform(-1.0, 1.0) for _ in range(sizes[-1])]
    facts = _gradients_nodes_and_memory(micrograd_model(sizes, seed), x, y)

    def time_micrograd() -> tuple[float, float]:
        model = micrograd_model(sizes, seed)
        return timed_runs(lambda: micrograd_step(model, x, y), repeat)

    def time_pathgrad() -> tuple[float, float]:
        layers = pathgrad_copy(micrograd_model(sizes, seed))
        return timed_runs(lambda: pathgrad_step(layers, x, y), repeat)

    # Alternate the two so that drift in machine speed hits both alike.
    ours, theirs = [], []
    for _ in range(rounds):
        theirs.append(time_micrograd())
        ours.append(time_pathgrad())
    return {
        "sizes": "-".join(map(str, sizes)),
        **facts,
        "pathgrad_s": statistics.median(t for t, _ in ours),
        "micrograd_s": statistics.median(t for t, _ in theirs),
        "pathgrad_gc_s": statistics.median(g for _, g in ours),
        "micrograd_gc_s": statistics.median(g for _, g in theirs),
    }


def _gradients_nodes_and_memory(model, x: Sequence[float], y: Sequence[float]) -> dict:
    layers = pathgrad_copy(model)
    return {
        "worst_relative_difference": gradients_agree(model, layers, x, y),
        "nodes": len(topological_order(pathgrad_step(layers, x, y))),
        "micrograd_nodes": micrograd_node_count(micrograd_step(model, x, y)),
        "pathgrad_bytes": peak_bytes(lambda: pathgrad_step(layers, x, y)),
        "micrograd_bytes": peak_bytes(lambda: micrograd_step(model, x, y)),
    }


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


def run(quick: bool = False) -> None:
    """Print both tables; raise AssertionError if the gradients of the two libraries differ."""
    title("scalar: one example through an MLP, build + backward (pathgrad vs micrograd 0.1.0)")
    shapes = [(64, 30, 10)] if quick else [(64, 30, 10), (784, 30, 10)]
    rows = []
    for sizes in shapes:
        r = compare_mlp(sizes, repeat=3 if quick else 7, rounds=1 if quick else 3)
        n = r["nodes"]
        rows.append([
            r["sizes"],
            f"{n:,} ({r['micrograd_nodes']:,})",
            f"{r['pathgrad_s'] * 1e3:.1f} ({r['pathgrad_gc_s'] * 1e3:.1f})",
            f"{r['micrograd_s'] * 1e3:.1f} ({r['micrograd_gc_s'] * 1e3:.1f})",
            _rate(n, r["pathgrad_s"]),
            _rate(n, r["micrograd_s"]),
            f"{r['micrograd_s'] / r['pathgrad_s']:.1f}x",
            f"{r['pathgrad_bytes'] / n:.0f}",
            f"{r['micrograd_bytes'] / n:.0f}",
            f"{r['pathgrad_bytes'] / r['micrograd_bytes']:.2f}",
            f"{r['worst_relative_difference']:.1e}",
        ])
    print(table(
        ["MLP", "nodes (micrograd's)", "pathgrad ms (gc)", "micrograd ms (gc)",
         "pathgrad nodes/s", "micrograd nodes/s", "speed-up", "pathgrad B/node",
         "micrograd B/node", "memory ratio", "max grad diff"],
        rows,
    ))
    print(
        "medians over repeats, gc on as a user has it; (gc) = time in the cycle collector.\n"
        "nodes = pathgrad's graph, the same work for both (micrograd's own count, with a node\n"
        "per number constant, in brackets). B/node = tracemalloc peak of build+backward / nodes.\n"
        "targets: speed-up >= 2.5x on 64-30-10 and >= 5x on 784-30-10, memory ratio <= 0.5;\n"
        "max grad diff = largest relative difference of the two gradients (must be <= 1e-12)."
    )

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
        "graph outgrows the CPU caches (and by the log n of one sort); the collector's full\n"
        "passes over that growing heap are what creeps up most."
    )
    works, fails = micrograd_chain_fails_at([500, 1000, 2000])
    limit = sys.getrecursionlimit()
    if fails is None:
        print(f"micrograd: depth {works:,} works (recursion limit {limit})")
    else:
        print(
            f"micrograd: RecursionError at depth {fails:,} (its topological sort is recursive; "
            f"recursion limit {limit}); deepest that worked here: {works or 0:,}"
        )
