"""Bench section ``paths``: questions about 10^20 paths in the time of one sweep.

Every figure is a median over repeats in this one process; where there is a peer (listing the
paths against summing them, elimination against the reverse sweep) the ratio is printed.

1. ``forward_grad``, ``count_paths``, ``sample_paths`` and ``path_stats`` from a weight
   ``w^2_jk`` of a neuron-level network ten hidden layers deep and a hundred wide (about 10^20
   paths), each called with the output node ``C`` as a user calls it, against one
   ``C.backward()``; beside them, labelled, the same calls on a prebuilt ``Graph``.
2. ``top_paths(k=10)`` from a weight ``w^2_jk`` of a ``[784, 30, 10]`` neuron-level graph, the
   same way.
3. Reverse-order vertex elimination of a graph of 10^5 nodes against one reverse sweep: both
   one multiplication per edge.
4. Listing every path against one reverse sweep, for growing depth: the exponential curve
   against the linear one.

The networks are :class:`~pathgrad.book.network.Network` graphs at the neuron level: one node
``a^l_j`` per neuron, with edges of rate ``σ'(z)·w_jk`` from ``a^{l-1}_k``, ``σ'(z)·a_k`` from
``w^l_jk`` and ``σ'(z)`` from ``b^l_j``, and the quadratic cost.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np

from ..book.network import Network
from ..book.network_graphs import NetworkGraph
from ..graph import Graph
from ..pathsums import count_paths, eliminate, path_stats, path_sum, sample_paths, top_paths
from ..support.timing import duration_text
from ..sweeps import adjoints, forward_grad
from ..value import Op, Value
from . import Target, median_time, table, target, title


def network_graph(sizes: Sequence[int], seed: int = 0) -> NetworkGraph:
    """The neuron-level graph of a sigmoid network at a random input, target class 1."""
    net = Network(sizes, seed=seed)
    return net.graph(np.random.default_rng(seed).random(sizes[0]), 0, level="neuron")


# -- the section ------------------------------------------------------------------------------


def run(quick: bool = False) -> list[Target]:
    """Print the four tables of this section and return its targets."""
    targets = _many_paths(quick)
    targets += _top_paths(quick)
    _elimination(quick)
    _enumeration_against_sweep(quick)
    return targets


#: Each question from the output node, at most this many reverse sweeps (C.backward()).
SWEEP_TARGETS = {"forward_grad": 1.5, "count_paths": 1.5, "sample_paths": 2.0,
                 "path_stats": 4.0, "top_paths": 2.0}


def interleaved(calls: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median seconds of each call, timed in rounds that run every call once in turn, so a
    burst of load from elsewhere on the machine hits all of them alike."""
    for call in calls.values():
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _rows(seconds: dict[str, float], against: str) -> list[list[str]]:
    return [[name, f"{t:.4f}", f"{t / seconds[against]:.2f}"] for name, t in seconds.items()]


def _many_paths(quick: bool) -> list[Target]:
    width, hidden = (20, 4) if quick else (100, 10)
    prebuilt = network_graph([width] * (hidden + 2), seed=1)
    w, C = prebuilt.w(2, 1, 1), prebuilt.output
    count = count_paths(w, C)
    # From the output node, as the README shows every call: no Graph is built first.
    seconds = interleaved({
        "pg.forward_grad(C, w)": partial(forward_grad, C, w),
        "pg.count_paths(w, C)": partial(count_paths, w, C),
        "pg.sample_paths(w, C, n=1000)": partial(sample_paths, w, C, 1000, seed=0),
        "pg.path_stats(w, C)": partial(path_stats, w, C),
        "C.backward()": C.backward,
        "graph = pg.Graph(C)": partial(Graph, C),
        "pg.count_paths(w, graph), prebuilt graph": partial(count_paths, w, prebuilt),
        "pg.path_stats(w, graph), prebuilt graph": partial(path_stats, w, prebuilt),
        "pg.adjoints(graph), prebuilt graph": partial(adjoints, prebuilt),
    }, rounds=3 if quick else 9)
    title(
        f"paths: questions about {count:.3e} paths from w^2_11, neuron-level "
        f"{hidden} hidden layers × {width}, {prebuilt.edge_count:,} edges"
    )
    print(table(["call", "median s", "× C.backward()"], _rows(seconds, "C.backward()")))
    print(f"listing them at 10^7 paths/s would take about {duration_text(count / 1e7)}. Each "
          "call is\n"
          "timed as a user makes it, from the output node C; the prebuilt-graph rows pass a\n"
          "Graph built beforehand (its build is the row 'graph = pg.Graph(C)').")
    backward = seconds["C.backward()"]
    return [
        target(f"{name} / C.backward(), {hidden} × {width} net", seconds[call] / backward,
               most=SWEEP_TARGETS[name])
        for name, call in [("forward_grad", "pg.forward_grad(C, w)"),
                           ("count_paths", "pg.count_paths(w, C)"),
                           ("sample_paths", "pg.sample_paths(w, C, n=1000)"),
                           ("path_stats", "pg.path_stats(w, C)")]
    ]


def _top_paths(quick: bool) -> list[Target]:
    sizes = [196, 30, 10] if quick else [784, 30, 10]
    prebuilt = network_graph(sizes, seed=2)
    w, C = prebuilt.w(2, 1, 1), prebuilt.output
    calls: dict[str, Callable[[], object]] = {
        f"pg.top_paths(w, C, k=10, by={by!r})": partial(top_paths, w, C, k=10, by=by)
        for by in ("abs", "positive", "negative")
    }
    calls["C.backward()"] = C.backward
    calls["pg.top_paths(w, graph, k=10), prebuilt graph"] = partial(top_paths, w, prebuilt, k=10)
    calls["pg.adjoints(graph), prebuilt graph"] = partial(adjoints, prebuilt)
    seconds = interleaved(calls, rounds=5 if quick else 15)
    title(f"paths: top-10 paths from w^2_11 of a {sizes} neuron graph "
          f"({prebuilt.edge_count:,} edges)")
    print(table(["call", "median s", "× C.backward()"], _rows(seconds, "C.backward()")))
    ratio = seconds["pg.top_paths(w, C, k=10, by='abs')"] / seconds["C.backward()"]
    return [target(f"top_paths(k=10) / C.backward(), {sizes}", ratio,
                   most=SWEEP_TARGETS["top_paths"])]


def _chain_of_layers(n_nodes: int) -> Graph:
    """About ``n_nodes`` nodes in layers of 10; each node mixes 3 nodes of the layer before."""
    mix = Op("mix", lambda a, b, c: 0.5 * a + 0.3 * b + 0.2 * c, lambda a, b, c: (0.5, 0.3, 0.2))
    layer = [Value(0.1 * (i + 1)) for i in range(10)]
    for _ in range(n_nodes // 10 - 1):
        layer = [mix(layer[j], layer[(j + 1) % 10], layer[(j + 3) % 10]) for j in range(10)]
    return Graph(Op("sum", lambda *xs: math.fsum(xs), lambda *xs: (1.0,) * len(xs))(*layer))


def _elimination(quick: bool) -> None:

    n = 10_000 if quick else 100_000
    graph = _chain_of_layers(n)
    repeat = 3
    t_elim = median_time(lambda: eliminate(graph, "reverse"), repeat=repeat, warmup=0)
    t_reverse = median_time(lambda: adjoints(graph), repeat=repeat)
    result = eliminate(graph, "reverse")
    title(f"paths: reverse elimination of {len(graph):,} nodes, {graph.edge_count:,} edges")
    print(table(
        ["what", "multiplications", "median s", "× reverse sweep"],
        [
            ["eliminate(order='reverse')", f"{result.multiplications:,}", f"{t_elim:.4f}",
             f"{t_elim / t_reverse:.1f}"],
            ["reverse sweep", f"{graph.edge_count:,}", f"{t_reverse:.4f}", "1.0"],
        ],
    ))


def _enumeration_against_sweep(quick: bool) -> None:

    width = 10
    title(f"paths: listing every path (exponential) against sweeps (linear), {width} wide")
    rows = []
    for hidden in (1, 2, 3) if quick else (1, 2, 3, 4, 5, 6):
        graph = network_graph([width] * (hidden + 1) + [1], seed=3)
        w = graph.w(2, 1, 1)
        start = time.perf_counter()
        path_sum(w, graph, limit=None)
        repeat = 3 if time.perf_counter() - start < 0.5 else 1
        t_enum = median_time(partial(path_sum, w, graph, limit=None), repeat=repeat, warmup=0)
        t_stats = median_time(partial(path_stats, w, graph), repeat=5)
        t_rev = median_time(partial(adjoints, graph), repeat=5)
        rows.append([hidden, f"{count_paths(w, graph):,}", f"{graph.edge_count:,}",
                     f"{t_enum:.5f}", f"{t_stats:.5f}", f"{t_rev:.5f}",
                     f"{t_enum / t_stats:,.1f}", f"{t_enum / t_rev:,.1f}"])
    print(table(
        ["hidden layers", "paths from w^2_11", "edges", "enumerate s", "path_stats s",
         "reverse s", "enum / stats", "enum / reverse"],
        rows,
    ))
