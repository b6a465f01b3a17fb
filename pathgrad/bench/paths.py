"""Bench section ``paths``: questions about 10^20 paths in the time of one sweep.

Every figure is a median over repeats in this one process; where there is a peer (listing the
paths against summing them, elimination against the reverse sweep) the ratio is printed.

1. ``count_paths`` and ``path_stats`` from a first-layer weight of a neuron-level network ten
   hidden layers deep and a hundred wide: about 10^20 paths, one sweep each.
2. ``top_paths(k=10)`` from a first-layer weight of a ``[784, 30, 10]`` neuron-level graph.
3. Reverse-order vertex elimination of a graph of 10^5 nodes against one reverse sweep: both
   one multiplication per edge.
4. Listing every path against one reverse sweep, for growing depth: the exponential curve
   against the linear one.

The networks are built here at the neuron level (one node ``a^l_j`` per neuron with edges of
rate ``σ'(z)·w_jk`` from ``a^{l-1}_k``, ``σ'(z)·a_k`` from ``w^l_jk`` and ``σ'(z)`` from
``b^l_j``; a quadratic cost ``C = ½ Σ (a^L_j - y_j)²``), so that this section depends only on
the graph layer of pathgrad.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from ..bench import median_time, table, title
from ..graph import Graph
from ..value import Op, Value


def book_name(symbol: str, layer: int | None, *indices: int) -> str:
    """``w^2_12`` for small indices, ``w^{12}_{3,14}`` once one needs two digits."""
    top = "" if layer is None else (f"^{layer}" if layer < 10 else f"^{{{layer}}}")
    if all(i < 10 for i in indices):
        return f"{symbol}{top}_{''.join(map(str, indices))}"
    return f"{symbol}{top}_{{{','.join(map(str, indices))}}}"


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _neuron_op(n: int) -> Op:
    """σ(Σ_k w_k a_k + b) of operands ``(w_1..w_n, a_1..a_n, b)``, with its partials."""

    def value(*xs: float) -> float:
        z = math.fsum(w * a for w, a in zip(xs[:n], xs[n : 2 * n], strict=True)) + xs[-1]
        return _sigmoid(z)

    def partials(*xs: float) -> tuple[float, ...]:
        s = value(*xs)
        sp = s * (1.0 - s)  # σ'(z)
        ws, acts = xs[:n], xs[n : 2 * n]
        return (*(sp * a for a in acts), *(sp * w for w in ws), sp)

    return Op("neuron", value, partials)


def _cost_op(y: Sequence[float]) -> Op:
    """``C = ½ Σ_j (a_j - y_j)²`` with partials ``a_j - y_j``."""
    targets = tuple(float(t) for t in y)

    def value(*acts: float) -> float:
        return 0.5 * math.fsum((a - t) ** 2 for a, t in zip(acts, targets, strict=True))

    def partials(*acts: float) -> tuple[float, ...]:
        return tuple(a - t for a, t in zip(acts, targets, strict=True))

    return Op("quadratic cost", value, partials)


def neuron_graph(
    sizes: Sequence[int],
    seed: int = 0,
    x: Sequence[float] | None = None,
    y: Sequence[float] | None = None,
) -> Graph:
    """The neuron-level graph of a sigmoid network with Gaussian weights, at one example.

    Node names follow the book: ``a^1_k`` inputs, ``w^l_jk``, ``b^l_j``, ``a^l_j``, ``C``.
    ``x`` defaults to random inputs in [0, 1), ``y`` to a one-hot target on the first output.
    """
    import numpy as np

    if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
        raise ValueError(f"sizes must list at least two positive layer widths, got {sizes!r}")
    rng = np.random.default_rng(seed)
    x = rng.random(sizes[0]) if x is None else x
    y = [1.0 if j == 0 else 0.0 for j in range(sizes[-1])] if y is None else y
    acts = [Value(float(v), name=book_name("a", 1, k + 1)) for k, v in enumerate(x)]
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=2):
        weights = rng.standard_normal((n_out, n_in))
        biases = rng.standard_normal(n_out)
        neuron = _neuron_op(n_in)
        nxt = []
        for j in range(n_out):
            ws = [
                Value(float(weights[j, k]), name=book_name("w", layer, j + 1, k + 1))
                for k in range(n_in)
            ]
            b = Value(float(biases[j]), name=book_name("b", layer, j + 1))
            nxt.append(neuron(*ws, *acts, b, name=book_name("a", layer, j + 1)))
        acts = nxt
    return Graph(_cost_op(y)(*acts, name="C"))


# -- the section ------------------------------------------------------------------------------


def run(quick: bool = False) -> None:
    """Print the four tables of this section."""
    _many_paths(quick)
    _top_paths(quick)
    _elimination(quick)
    _enumeration_against_sweep(quick)


def _many_paths(quick: bool) -> None:
    from ..paths import count_paths
    from ..pathstats import path_stats
    from ..sweeps import adjoints

    width, hidden = (20, 4) if quick else (100, 10)
    graph = neuron_graph([width] * (hidden + 2), seed=1)
    w = graph[book_name("w", 2, 1, 1)]
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
    years = count / 1e7 / 3.15e7
    print(f"listing them at 10^7 paths/s would take about {years:.1e} years")


def _top_paths(quick: bool) -> None:
    from ..pathstats import top_paths

    sizes = [196, 30, 10] if quick else [784, 30, 10]
    graph = neuron_graph(sizes, seed=2)
    w = graph[book_name("w", 2, 1, 1)]
    rows = []
    for by in ("abs", "positive", "negative"):
        t = median_time(lambda by=by: top_paths(w, graph, k=10, by=by), repeat=5)
        rows.append([f"top_paths(k=10, by={by!r})", f"{t:.4f}"])
    title(f"paths: top-10 paths from w^2_11 of a {sizes} neuron graph ({graph.edge_count:,} edges)")
    print(table(["what", "median s"], rows))


def _chain_of_layers(n_nodes: int) -> Graph:
    """About ``n_nodes`` nodes: layers of 10 nodes, each fed by all 10 of the layer before."""
    layer = [Value(0.1 * (i + 1)) for i in range(10)]
    made = 10
    while made < n_nodes:
        layer = [
            Op("mix", lambda *xs: math.fsum(xs) * 0.1, lambda *xs: (0.1,) * len(xs))(*layer)
            for _ in range(10)
        ]
        made += 10
    return Graph(Op("sum", lambda *xs: math.fsum(xs), lambda *xs: (1.0,) * len(xs))(*layer))


def _elimination(quick: bool) -> None:
    from ..eliminate import eliminate
    from ..sweeps import adjoints

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
    from ..paths import count_paths, path_sum
    from ..sweeps import adjoints

    title("paths: listing every path (exponential) against one reverse sweep (linear)")
    rows = []
    depths = (1, 2, 3) if quick else (1, 2, 3, 4, 5)
    for hidden in depths:
        graph = neuron_graph([4] + [4] * hidden + [1], seed=3)
        w = graph[book_name("w", 2, 1, 1)]
        count = count_paths(w, graph)
        start = time.perf_counter()
        path_sum(w, graph, limit=None)
        once = time.perf_counter() - start
        repeat = 3 if once < 1 else 1
        t_enum = median_time(lambda w=w, g=graph: path_sum(w, g, limit=None), repeat=repeat,
                             warmup=0)
        t_rev = median_time(lambda g=graph: adjoints(g), repeat=5)
        rows.append([hidden, f"{count:,}", f"{graph.edge_count:,}", f"{t_enum:.5f}",
                     f"{t_rev:.5f}", f"{t_enum / t_rev:,.1f}"])
    print(table(
        ["hidden layers (4 wide)", "paths from w^2_11", "edges", "enumerate s", "reverse s",
         "ratio"],
        rows,
    ))
