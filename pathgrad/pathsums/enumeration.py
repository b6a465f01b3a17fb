"""Paths from a node to the output, one at a time: equations 51-53 taken literally.

A path from ``w`` to ``C`` is a chain of edges. Its *product* is the product of the rate
factors along it (equation 51: the change ``Δw`` picks up one factor per edge it crosses).
Bauer's formula, the book's equation 53, says ``∂C/∂w`` is the sum of those products over
every path. :func:`paths` lists them and :func:`path_sum` adds them up.

Listing is exponential: a net ten layers deep and a hundred wide has about 10^20 paths from a
weight ``w^2_jk`` into the first hidden layer. :func:`count_paths` counts them without listing
them (a forward sweep: each node adds up its parents' counts), and :func:`paths` checks that
count first and refuses, with the count in the message, rather than run for ever. Every other
question about the paths (their statistics, the top ``k``, a random sample) has a polynomial
answer in :mod:`pathgrad.pathsums`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat

from ..graph import Edge, Graph, as_graph
from ..names import display_name
from ..support.errors import NotFiniteError, PathgradError, PathgradValueError
from ..support.limits import check_limit, size_text
from ..sweeps import forward_order, output_of, sweep_backward
from ..value import Value
from .semirings import COUNT

DEFAULT_LIMIT = 100_000
#: The bits of exact path counts a counting sweep may hold unless ``max_bits`` says otherwise
#: (2^30 bits, 134 MB): a chain ``y = (y + y) * 0.5`` of a million nodes has 2^1,000,000 paths,
#: and holding every node's count would take 60 GB.
DEFAULT_MAX_BITS = 2**30
#: Counts below this are not worth adding up: their bits are bounded by the nodes anyway.
SMALL_COUNT = 1 << 64


class PathLimitError(PathgradValueError):
    """Raised instead of enumerating more paths than the caller allowed.

    Equation 53 can have more terms than could ever be listed: squaring 30 times makes 2^30
    paths, which ``count_paths`` counts at once and ``paths`` refuses to list.

    >>> import pathgrad as pg
    >>> x = y = pg.Value(1.0, name="x")
    >>> for _ in range(30):
    ...     y = y * y
    >>> pg.count_paths(x, y)
    1073741824
    >>> try:
    ...     pg.path_sum(x, y)
    ... except pg.PathLimitError as error:
    ...     print(str(error)[:54])
    x has 1,073,741,824 paths to the output, more than lim
    """

    def __init__(self, source: Value, count: int, limit: int) -> None:
        self.count = count
        self.limit = limit
        super().__init__(
            f"{source.label} has {count:,} paths to the output, more than limit={limit:,}. "
            "Listing them would not finish: use count_paths, grad or forward_grad for the "
            "sum, or pass a larger limit if you really want every path."
        )


@dataclass(frozen=True)
class Path:
    """One path: its nodes from ``w`` to ``C`` and the rate factor of each edge on the way.

    Equation 52: ``product`` multiplies the rate factors along the path.

    >>> import pathgrad as pg
    >>> x = pg.Value(0.0, name="x")
    >>> [path] = pg.paths(x, (2 * x).exp())
    >>> path.rates, path.product       # ∂(2x)/∂x = 2, then ∂exp(u)/∂u = exp(0) = 1
    ((2.0, 1.0), 2.0)
    """

    nodes: tuple[Value, ...]
    rates: tuple[float, ...]

    @property
    def product(self) -> float:
        """The path's product of rate factors (equation 51), checked to be a finite number."""
        product = math.prod(self.rates)
        if not math.isfinite(product):
            raise NotFiniteError(
                f"the product of the rate factors along the path {self.route} is {product!r}: "
                "every rate is finite, but the product of these overflows the float range",
                f"a path's product became {product!r}",
            )
        return product

    @property
    def edges(self) -> list[Edge]:
        return [Edge(a, b, r) for a, b, r in zip(self.nodes, self.nodes[1:], self.rates)]

    def __len__(self) -> int:
        return len(self.rates)

    @property
    def route(self) -> str:
        """The nodes as the pictures name them: ``w²₁₂ → a²₁ → a³₁ → C``, ``b → × → (·)²``."""
        return " → ".join(display_name(node) for node in self.nodes)

    def __str__(self) -> str:
        route = self.route
        factors = " × ".join(f"{r:.4g}" for r in self.rates) or "1"
        return f"{route}: {factors} = {self.product:.6g}"


def source_and_graph(
    source: Value, output: Value | Graph, who: str = "paths"
) -> tuple[Graph, int | None]:
    """The graph of ``output`` and the position of ``source`` in it (None, with a warning, when
    ``source`` does not reach it; an error when the two look swapped)."""
    graph = as_graph(output)
    return graph, graph.position(source, f"{who}(w, C)")


def fsum_or_inf(numbers: Iterable[float]) -> float:
    """``math.fsum``, with ``inf`` where it raises (the sum itself overflows, or ``inf - inf``);
    a pathgrad error raised while ``numbers`` are made passes through."""
    try:
        return math.fsum(numbers)
    except PathgradError:
        raise
    except (OverflowError, ValueError):
        return math.inf


def count_paths(source: Value, output: Value | Graph, max_bits: int | None = DEFAULT_MAX_BITS
                ) -> int:
    """The exact number of paths from ``source`` to ``output``, by dynamic programming.

    A forward sweep over the counting semiring: ``n[source] = 1``, ``n[head] += n[tail]``.
    Parallel edges count separately, so ``count_paths(x, x * x) == 2``. Called with the output
    node, it builds no :class:`~pathgrad.graph.Graph`: about the cost of one reverse sweep.
    The counts are exact integers, whose size grows with the number of paths: once the counts
    held pass ``max_bits`` bits in all (default 2^30, 134 MB) the sweep stops with a
    :class:`~pathgrad.support.errors.TooLargeError` that says how far it got.

    Equation 53 has one term per path: this is how many terms it sums.

    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> g = net.graph([[0.5], [-0.3]], [[1.0], [0.0]])       # one example (x, y)
    >>> pg.count_paths(g.w(2, 1, 2), g.C)     # one path through each output neuron
    2
    """
    after = forward_order(output, source, "count_paths(w, C)")
    return 0 if after is None else _count(after, source, output_of(output), max_bits)


def _count(after: Sequence[Value], source: Value, output: Value,
           max_bits: int | None = DEFAULT_MAX_BITS) -> int:
    # sweep_forward(target, source, COUNT) written out by hand (its specification; the tests
    # compare the two): each node adds up its parents' counts in one call to sum, and every
    # call to paths() and check() counts first. A count past 2^64 has its bits added up.
    counts = {source: 1}
    get = counts.get
    zeros = repeat(0)
    bits = 0
    for node in after:
        total = sum(map(get, node.parents, zeros))
        if total:
            counts[node] = total
            if total >= SMALL_COUNT:
                bits += total.bit_length()
                if max_bits is not None and bits > max_bits:
                    _too_many_bits(source, node, total, bits, max_bits)
    return counts.get(output, 0)


def _too_many_bits(source: Value, node: Value, count: int, bits: int, max_bits: int) -> None:
    check_limit(
        bits, max_bits, "max_bits",
        f"count_paths({source.label}): the exact path counts pass {bits:,} bits "
        f"({size_text(bits // 8)}), and {node.label} alone is reached by about "
        f"2^{count.bit_length() - 1:,} paths",
        "Far too many paths to list or sample: grad() or forward_grad() give their sum in one "
        "sweep",
    )


def paths(
    source: Value, output: Value | Graph, limit: int | None = DEFAULT_LIMIT
) -> Iterator[Path]:
    """Every path from ``source`` to ``output``, depth first, in a fixed order.

    The count is checked before the first path is produced: more than ``limit`` paths raises
    :class:`PathLimitError` (``limit=None`` lifts the check).

    Equations 51-53: each path comes with its rate factors and their product; the products
    add up to ``∂C/∂source``.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> for path in pg.paths(b, (a + b) * (b + 1)):
    ...     print(path)
    b → + → ×: 1 × 2 = 2
    b → + 1 → ×: 1 × 3 = 3
    """
    graph, start = source_and_graph(source, output, "paths")
    return _listed(graph, source, start, limit)


def _listed(graph: Graph, source: Value, start: int | None, limit: int | None) -> Iterator[Path]:
    if start is None:
        return iter(())
    if limit is not None:
        count = _count(graph.nodes[start + 1 :], source, graph.output)
        if count > limit:
            raise PathLimitError(source, count, limit)
    return _walk(graph, source)


def _walk(graph: Graph, source: Value) -> Iterator[Path]:
    children = graph.children_lists()
    index = graph.index
    output = graph.output
    route: list[Value] = [source]
    rates: list[float] = []
    pending: list[Iterator[Edge]] = [iter(children[index[source]])]
    if source is output:
        yield Path((source,), ())
        return
    while pending:
        edge = next(pending[-1], None)
        if edge is None:
            pending.pop()
            route.pop()
            if rates:
                rates.pop()
            continue
        route.append(edge.dst)
        rates.append(edge.rate)
        if edge.dst is output:
            yield Path(tuple(route), tuple(rates))
            route.pop()
            rates.pop()
        else:
            pending.append(iter(children[index[edge.dst]]))


def path_sum(source: Value, output: Value | Graph, limit: int | None = DEFAULT_LIMIT) -> float:
    """``∂C/∂source`` as the sum over all paths of their products (equation 53, Bauer).

    Exponential in depth by nature; ``limit`` guards against a hang.

    Equation 53: ``∂C/∂source`` = Σ over paths of Π rate factors, the paths listed one by one.

    >>> import pathgrad as pg
    >>> a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    >>> pg.path_sum(b, (a + b) * (b + 1))    # 2 + 3, the products of b's two paths
    5.0
    """
    graph, start = source_and_graph(source, output, "path_sum")
    total = fsum_or_inf(path.product for path in _listed(graph, source, start, limit))
    if not math.isfinite(total):
        raise NotFiniteError(
            f"path_sum({source.label}): the sum of the path products overflows the float "
            "range (every product is finite, but their sum is not)",
            f"path_sum({source.label}) became {total!r}",
        )
    return total


def path_numbers(chosen: Iterable[Path], output: Value | Graph) -> list[int]:
    """Each path's number: its place, from 1, in the order :func:`paths` lists the paths from
    its first node, worked out without listing them.

    One numbering everywhere: the demo, the pictures' captions and the explorer number a path
    by this place, whatever order they show the paths in. The number of a path is 1 plus the
    count of the paths listed before it: at each node on the way, the paths to the output
    through the edges the listing tries first (counted by one backward sweep,
    ``n[tail] += n[head]``). Two identical paths (the parallel edges of ``x * x``) take the
    numbers of their parallel edges in turn, as :func:`paths` lists them.

    Equation 53 numbered: term ``#i`` of the sum over paths is the same path wherever pathgrad
    shows it.

    >>> import pathgrad as pg
    >>> g = pg.Network([2, 3, 2], seed=1).graph([[0.5], [0.9]], [[1.0], [0.0]])
    >>> top = pg.top_paths(g.w(2, 1, 2), g.C, k=2)      # largest first: the second one listed
    >>> pg.path_numbers(top, g.C)
    [2, 1]
    """
    graph = as_graph(output)
    children = graph.children_lists()
    index = graph.index
    to_output = sweep_backward(graph, COUNT)  # paths from each node to the output
    numbers = []
    seen: dict[tuple, int] = {}
    for path in chosen:
        if path.nodes[-1] is not graph.output:
            raise PathgradValueError(
                f"path_numbers: the path {path.route} does not end at the output "
                f"{graph.output.label}; only paths to the output are numbered"
            )
        places = [1]  # the numbers of every path identical to this one
        for step, (tail, head) in enumerate(zip(path.nodes, path.nodes[1:])):
            before, offsets = 0, []
            for edge in children[index[tail]]:
                if edge.dst is head and edge.rate == path.rates[step]:
                    offsets.append(before)
                before += to_output[index[edge.dst]]
            if not offsets:
                raise PathgradValueError(
                    f"path_numbers: the path {path.route} is not in this graph "
                    f"(no edge {tail.label} → {head.label} of rate {path.rates[step]!r})"
                )
            places = [p + o for p in places for o in offsets][:_MAX_TWINS]
        key = (path.nodes, path.rates)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        places.sort()
        numbers.append(places[occurrence % len(places)])
    return numbers


# Identical paths numbered apart at most (past it, the later twins repeat numbers).
_MAX_TWINS = 1024
