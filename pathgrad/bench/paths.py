"""Bench section ``paths``: questions about 10^20 paths in the time of one sweep.

Every figure is a median over repeats in this one process; where there is a peer (listing the
paths against summing them, elimination against the reverse sweep) the ratio is printed.

1. ``count_paths`` and ``path_stats`` from a weight ``w^2_jk`` of a neuron-level network ten
   hidden layers deep and a hundred wide: about 10^20 paths, one sweep each.
2. ``top_paths(k=10)`` from a weight ``w^2_jk`` of a ``[784, 30, 10]`` neuron-level graph.
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
import time
from collections.abc import Sequence
from functools import partial

import numpy as np

from ..book.network import Network
from ..book.network_graphs import NetworkGraph
from ..graph import Graph
from ..pathsums import count_paths, eliminate, path_stats, path_sum, top_paths
from ..support.timing import duration_text
from ..sweeps import adjoints
from ..value import Op, Value
from . import median_time, table, title


def network_graph(sizes: Sequence[int], seed: int = 0) -> NetworkGraph:
    """The neuron-level graph of a sigmoid network at a random input, target class 1."""
    net = Network(sizes, seed=seed)
    return net.graph(np.random.default_rng(seed).random(sizes[0]), 0, level="neuron")


# -- the section ------------------------------------------------------------------------------


def run(quick: bool = False) -> None:
    """Print the four tables of this section."""
    _many_paths(quick)
    _top_paths(quick)
    _elimination(quick)
    _enumeration_against_sweep(quick)


def _many_paths(quick: bool) -> None:

    width, hidden = (20, 4) if quick else (100, 10)
    graph = network_graph([width] * (hidden + 2), seed=1)
    w = graph.w(2, 1, 1)
    count = count_paths(w, graph)
    repeat = 3 if quick else 5
    t_count = median_time(lambda: count_paths(w, graph), repeat=repeat)
    t_stats = median_time(lambda: path_stats(w, graph), repeat=repeat)
    t_reverse = median_time(lambda: adjoints(graph), repeat=repeat)
    title(
        f"paths: statistics of {count:.3e} paths from w^2_11, neuron-level "
        f"{hidden} hidden layers × {width}, {graph.edge_count:,} edges"
    )
    print(table(
        ["what", "median s", "× reverse sweep"],
        [
            ["count_paths (count semiring)", f"{t_count:.4f}", f"{t_count / t_reverse:.2f}"],
            ["path_stats (graded count×sum×mass, top-1)", f"{t_stats:.4f}",
             f"{t_stats / t_reverse:.2f}"],
            ["reverse sweep (all of ∂C/∂·)", f"{t_reverse:.4f}", "1.00"],
        ],
    ))
    print(f"listing them at 10^7 paths/s would take about {duration_text(count / 1e7)}")


def _top_paths(quick: bool) -> None:

    sizes = [196, 30, 10] if quick else [784, 30, 10]
    graph = network_graph(sizes, seed=2)
    w = graph.w(2, 1, 1)
    t_reverse = median_time(partial(adjoints, graph), repeat=5)
    rows = []
    for by in ("abs", "positive", "negative"):
        t = median_time(partial(top_paths, w, graph, k=10, by=by), repeat=5)
        rows.append([f"top_paths(k=10, by={by!r})", f"{t:.4f}", f"{t / t_reverse:.2f}"])
    rows.append(["reverse sweep (all of ∂C/∂·)", f"{t_reverse:.4f}", "1.00"])
    title(f"paths: top-10 paths from w^2_11 of a {sizes} neuron graph ({graph.edge_count:,} edges)")
    print(table(["what", "median s", "× reverse sweep"], rows))


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
