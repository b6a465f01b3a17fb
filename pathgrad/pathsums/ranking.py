"""The ``k`` largest paths from ``w`` to ``C``, found without listing them.

A k-best dynamic programme in topological order: each node keeps the best ``k`` partial paths
that reach it (per sign when ranking by sign), each extended by one edge at a time, so the work
is about ``k`` times one forward sweep however many paths there are.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from operator import attrgetter

from ..graph import Graph
from ..support.arguments import one_of, whole_number
from ..support.collector import without_collector
from ..support.limits import check_limit
from ..sweeps import Semiring, forward_order, output_of, pull
from ..value import Value
from .enumeration import Path
from .semirings import COUNT

RANKINGS = ("abs", "positive", "negative")

# A partial path is ranked by its |product| held as a scaled float (mantissa in [0.5, 1) and a
# binary exponent kept apart): it never underflows however long the path, and it rounds
# exactly as the plain float product would, so the ranking matches brute force bit for bit.
# Ties are broken by the slot of the last edge among its head's parents, then by the rank of
# the prefix at its own node: a total order that extending a path by one edge preserves,
# which is what makes keeping only k prefixes per node exact.
#
# An entry is (-exponent, -mantissa, slot, rank of prefix in its list, class of that list).


def _extend_entries(node: Value, lists: dict, cls: int, signed: bool, k: int) -> list[tuple]:
    candidates: list[tuple] = []
    append = candidates.append
    get = lists.get
    slot = -1
    for parent, rate in zip(node.parents, node.rates, strict=True):
        slot += 1
        held = get(parent)
        if held is None or rate == 0.0:
            continue
        source_cls = (cls if rate > 0 else 1 - cls) if signed else 0
        # Scaling by a power of two is exact, so the mantissa product rounds as the product.
        factor, shift = math.frexp(abs(rate))
        rank = 0
        for neg_exp, neg_mant, *_ in held[source_cls]:
            mantissa = neg_mant * factor  # in (-1, -0.25]
            if mantissa > -0.5:
                append((neg_exp - shift + 1, mantissa * 2, slot, rank, source_cls))
            else:
                append((neg_exp - shift, mantissa, slot, rank, source_cls))
            rank += 1
    if len(candidates) <= k:
        candidates.sort()
        return candidates
    return heapq.nsmallest(k, candidates)


#: The most partial paths top_paths makes unless ``max_entries`` says otherwise: about a second
#: of work, and a bound on the ones it keeps (about 0.5 GB at most).
DEFAULT_MAX_ENTRIES = 5_000_000


@without_collector
def top_paths(
    source: Value, output: Value | Graph, k: int = 10, by: str = "abs",
    max_entries: int | None = DEFAULT_MAX_ENTRIES,
) -> list[Path]:
    """The ``k`` paths from ``source`` to the output with the largest products, best first.

    ``by="abs"`` ranks by ``|product|``; ``"positive"`` returns only paths with a positive
    product, largest first; ``"negative"`` only negative ones, most negative first. Paths
    through a zero rate factor have product 0 and are never returned, so fewer than ``k`` paths
    come back when fewer qualify. A k-best dynamic programme in topological order: each node
    keeps its best ``k`` prefixes (per sign when ranking by sign); the paths are never listed.
    A ``k`` that would make more than ``max_entries`` prefixes in all (each edge extends the
    prefixes its tail keeps: the work, and a bound on what is kept) is refused up front. A
    path whose product overflows the float range is a
    :class:`~pathgrad.support.errors.NotFiniteError`.

    Equation 53's largest terms, without listing the others.

    >>> import numpy as np
    >>> import pathgrad as pg
    >>> deep = pg.Network([4, 6, 6, 6, 3], seed=3)
    >>> g = deep.graph(np.full((4, 1), 0.5), np.zeros((3, 1)))
    >>> [round(path.product, 6) for path in pg.top_paths(g.w(2, 1, 1), g.C, k=2)]
    [0.000461, 0.000406]
    """
    one_of(by, "top_paths: by", RANKINGS)
    whole_number(k, "top_paths: k", least=1)
    after = forward_order(output, source, "top_paths(w, C)")
    if after is None:
        return []
    signed = by != "abs"
    _check_entries(after, source, k, (2 if signed else 1), max_entries)
    # Exponent and mantissa are stored negated, so that ascending order is best first.
    start_entry = (-1, -0.5, -1, -1, 0)  # 1.0 == 0.5 * 2**1
    lists: dict[Value, tuple] = {source: ([start_entry], []) if signed else ([start_entry],)}
    for node in after:
        if not node.parents:
            continue
        classes = tuple(
            _extend_entries(node, lists, c, signed, k) for c in range(2 if signed else 1)
        )
        if any(classes):
            lists[node] = classes
    end = output_of(output)
    held = lists.get(end)
    if held is None:
        return []
    chosen = held[1] if by == "negative" else held[0]
    found = [_trace(end, lists, 1 if by == "negative" else 0, rank, source)
             for rank in range(len(chosen))]
    for path in found:
        path.product  # noqa: B018 - checked finite: a NotFiniteError if it overflows
    return found


def _check_entries(after: Sequence[Value], source: Value, k: int, classes: int,
                   max_entries: int | None) -> None:
    """Refuse a ``k`` whose prefixes would pass ``max_entries``: each edge from a node ``w``
    reaches extends the prefixes its tail keeps, at most ``k`` per class and no more than the
    paths that reach the tail (counted up to ``k``, only when the quick bound ``k`` per edge
    might pass the limit)."""
    if max_entries is None:
        return
    edges = sum(map(len, map(_parents, after)))
    if classes * k * edges <= max_entries:
        return
    capped = Semiring(f"count up to {k}", 1, COUNT.extend, lambda a, b: min(a + b, k))
    reaching = pull(after, source, capped)
    made = classes * sum(reaching.get(parent, 0) for node in after for parent in node.parents)
    check_limit(
        made, max_entries, "max_entries",
        f"top_paths: k={k:,} would make {made:,} partial paths (over {edges:,} edges)",
        "Ask for fewer paths",
    )


_parents = attrgetter("parents")


def largest_path(after: Iterable[Value], source: Value, output: Value) -> Path | None:
    """The path of largest ``|product|`` from ``source`` to ``output``: ``top_paths(source,
    output, k=1)`` written out by hand, its specification (the tests compare the two), with
    ``after`` the nodes after ``source`` in topological order. Each node keeps one entry, the
    best over its parents with the same tie-breaks, and no list of candidates is made."""
    best: dict[Value, tuple] = {source: (-1, -0.5, -1, 0, 0)}
    get, frexp = best.get, math.frexp
    for node in after:
        top = None
        slot = -1
        for parent, rate in zip(node.parents, node.rates):
            slot += 1
            held = get(parent)
            if held is None or rate == 0.0:
                continue
            factor, shift = frexp(abs(rate))
            mantissa = held[1] * factor
            if mantissa > -0.5:
                exponent, mantissa = held[0] - shift + 1, mantissa * 2
            else:
                exponent = held[0] - shift
            if top is None or exponent < top[0] or (exponent == top[0] and mantissa < top[1]):
                top = (exponent, mantissa, slot, 0, 0)
        if top is not None:
            best[node] = top
    if output not in best:
        return None
    return _trace(output, {node: ([entry],) for node, entry in best.items()}, 0, 0, source)


def _trace(node: Value, lists: dict, cls: int, rank: int, source: Value) -> Path:
    route = [node]
    rates = []
    while node is not source:
        _, _, slot, rank, cls = lists[node][cls][rank]
        rates.append(node.rates[slot])
        node = node.parents[slot]
        route.append(node)
    return Path(tuple(reversed(route)), tuple(reversed(rates)))
