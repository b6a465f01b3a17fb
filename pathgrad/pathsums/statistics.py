"""Figures about all the paths from ``w`` to ``C``, found without listing them.

Equation 53 writes ``∂C/∂w`` as a sum over paths, and there may be 10^20 of them.
:func:`path_stats` answers how many paths there are, their signed sum (``∂C/∂w``), their
absolute mass ``Σ|product|``, how much of it cancels, the largest single path, and how the
gradient splits by path length, all from one forward sweep over a product of semirings (see
:mod:`pathgrad.pathsums.semirings`): it costs about what one backpropagation costs, however
many paths there are.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..graph import Graph
from ..names import display_name
from ..support.collector import without_collector
from ..support.errors import NotFiniteError
from ..support.limits import check_limit
from ..sweeps import Semiring, forward_order, output_of
from ..value import Value
from .enumeration import DEFAULT_MAX_BITS, SMALL_COUNT, Path, fsum_or_inf
from .ranking import largest_path


def _stats_extend(by_length: dict, rate: float) -> dict:
    size = abs(rate)
    return {length + 1: (n, s * rate, m * size) for length, (n, s, m) in by_length.items()}


def _stats_plus(a: dict, b: dict) -> dict:
    merged = dict(a)
    for length, (n, s, m) in b.items():
        old = merged.get(length)
        merged[length] = (n, s, m) if old is None else (old[0] + n, old[1] + s, old[2] + m)
    return merged


# graded(product(COUNT, SUM_PRODUCT, ABS_MASS)) written out by hand: the same values (the
# tests check both against brute force), three times faster.
STATS = Semiring("graded count × sum-product × absolute mass", {0: (1, 1.0, 1.0)},
                 _stats_extend, _stats_plus)


class LengthBin(NamedTuple):
    """The paths of one length: how many, their signed sum and their absolute mass."""

    length: int
    count: int  # type: ignore[assignment]  # a field, not tuple.count
    gradient: float
    abs_mass: float


@dataclass
class PathStats:
    """Figures about every path from ``source`` to the output, each found by dynamic programming.

    ``gradient`` is ``∂C/∂source`` (equation 53); ``cancellation`` is
    ``|gradient| / abs_mass``: 1 when every path pushes the same way, near 0 when large
    contributions cancel. It is None when there is no path of non-zero product.

    Equation 53: ``gradient`` is the sum of the path products, ``count`` the number of terms.

    >>> import numpy as np
    >>> import pathgrad as pg
    >>> deep = pg.Network([4, 6, 6, 6, 3], seed=3)
    >>> g = deep.graph(np.full((4, 1), 0.5), np.zeros((3, 1)))
    >>> stats = pg.path_stats(g.w(2, 1, 1), g.C)
    >>> stats.count, round(stats.cancellation, 3)     # 6 · 6 · 3 paths that mostly cancel
    (108, 0.137)
    """

    source: Value
    count: int
    gradient: float
    abs_mass: float
    largest: Path | None
    by_length: list[LengthBin] = field(default_factory=list)

    @property
    def cancellation(self) -> float | None:
        if self.abs_mass == 0:
            return None
        return abs(self.gradient) / self.abs_mass

    def rows(self) -> list[tuple[str, str]]:
        ratio = self.cancellation
        largest = self.largest
        return [
            ("paths", f"{self.count:,}"),
            ("∂C/∂w = Σ products (53)", f"{self.gradient:.10g}"),
            ("Σ |products|", f"{self.abs_mass:.10g}"),
            ("|∂C/∂w| / Σ |products|", "n/a" if ratio is None else f"{ratio:.4g}"),
            ("largest single product", "n/a" if largest is None else f"{largest.product:.6g}"),
            ("longest path", str(max((b.length for b in self.by_length), default=0))),
        ]

    def length_rows(self) -> list[tuple[str, ...]]:
        return [
            (str(b.length), f"{b.count:,}", f"{b.gradient:.6g}", f"{b.abs_mass:.6g}")
            for b in self.by_length
        ]

    def __str__(self) -> str:
        width = max(len(name) for name, _ in self.rows())
        lines = [f"Paths from {display_name(self.source)} to the output"]
        lines += [f"  {name.ljust(width)}  {value}" for name, value in self.rows()]
        if self.largest is not None:
            lines.append(f"  largest path: {self.largest}")
        lines.append("  by length:  length        paths      Σ products    Σ |products|")
        for row in self.length_rows():
            lines.append("             " + "  ".join(
                cell.rjust(w) for cell, w in zip(row, (6, 12, 14, 15), strict=True)
            ))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<tr><th>{esc(n)}</th><td>{esc(v)}</td></tr>" for n, v in self.rows())
        bins = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
            for row in self.length_rows()
        )
        largest = "" if self.largest is None else f"<p>largest path: {esc(str(self.largest))}</p>"
        return (
            f"<p>Paths from {esc(display_name(self.source))} to the output</p><table>{head}</table>"
            f"{largest}<table><tr><th>length</th><th>paths</th><th>Σ products</th>"
            f"<th>Σ |products|</th></tr>{bins}</table>"
        )


#: The length bins path_stats may hold in all unless ``max_entries`` says otherwise (about
#: 0.3 GB): one per node and path length, so a long chain of nodes with paths of every length
#: would hold a number that grows as the square of its length.
DEFAULT_MAX_ENTRIES = 2_000_000


@without_collector
def path_stats(source: Value, output: Value | Graph, max_entries: int | None = DEFAULT_MAX_ENTRIES,
               max_bits: int | None = DEFAULT_MAX_BITS) -> PathStats:
    """Count, sum, absolute mass, largest path and length histogram of the paths source → C.

    One forward sweep over the semiring ``graded(count × sum-product × abs mass)``: each node
    holds, for each path length, how many paths reach it from ``source``, the sum of their
    products and the sum of their absolute products. Exact integer counts, float sums.
    Called with the output node, it builds no :class:`~pathgrad.graph.Graph`. The sweep
    stops with a :class:`~pathgrad.support.errors.TooLargeError` once it holds more than
    ``max_entries`` length bins, or counts of more than ``max_bits`` bits (as
    :func:`~pathgrad.count_paths`); a sum that overflows the float range is a
    :class:`~pathgrad.support.errors.NotFiniteError`.

    Equation 53, with its terms counted and weighed: ``gradient`` is the sum of the products.

    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> g = net.graph([[0.5], [-0.3]], [[1.0], [0.0]])       # one example (x, y)
    >>> stats = pg.path_stats(g.w(2, 1, 2), g.C)
    >>> stats.count, round(stats.gradient, 6), stats.cancellation   # both paths push one way
    (2, 0.008763, 1.0)
    """
    after = forward_order(output, source, "path_stats(w, C)")
    if after is None:
        return PathStats(source, 0, 0.0, 0.0, None, [])
    by_length = stats_sweep(after, source, max_entries, max_bits).get(output_of(output), {})
    bins = [LengthBin(length, *by_length[length]) for length in sorted(by_length)]
    gradient = fsum_or_inf(b.gradient for b in bins)
    mass = fsum_or_inf(b.abs_mass for b in bins)
    if not (math.isfinite(gradient) and math.isfinite(mass)):
        raise NotFiniteError(
            f"path_stats({source.label}): the sum over the paths is {gradient!r} and their "
            f"absolute mass {mass!r}: the products of the rate factors along some paths "
            "overflow the float range; the path count is still exact: use count_paths",
            f"path_stats({source.label}) became {gradient!r}",
        )
    return PathStats(
        source=source,
        count=sum(b.count for b in bins),
        gradient=gradient,
        abs_mass=mass,
        largest=largest_path(after, source, output_of(output)),
        by_length=bins,
    )




def stats_sweep(after: Iterable[Value], source: Value,
                max_entries: int | None = DEFAULT_MAX_ENTRIES,
                max_bits: int | None = DEFAULT_MAX_BITS) -> dict[Value, dict]:
    """``pull(after, source, STATS)`` written out by hand, its specification (the tests compare
    the two): each node gathers its parents' bins into one dict of its own, with the same
    additions in the same order, instead of a new dict per edge. Its bins, and the bits of
    its large counts (bounded by the largest count of each node), are added up as it goes."""
    values: dict[Value, dict] = {source: STATS.one}
    get = values.get
    entries = bits = 0
    for node in after:
        total: dict | None = None
        for parent, rate in zip(node.parents, node.rates):
            held = get(parent)
            if held is None:
                continue
            size = abs(rate)
            if total is None:
                total = {length + 1: (n, s * rate, m * size) for length, (n, s, m) in held.items()}
                continue
            for length, (n, s, m) in held.items():
                old = total.get(length + 1)
                total[length + 1] = (n, s * rate, m * size) if old is None else (
                    old[0] + n, old[1] + s * rate, old[2] + m * size)
        if total is not None:
            values[node] = total
            entries += len(total)
            largest = max(total.values())[0]
            if largest >= SMALL_COUNT:
                bits += len(total) * largest.bit_length()
            if (max_entries is not None and entries > max_entries) or (
                    max_bits is not None and bits > max_bits):
                _too_big(source, node, entries, max_entries, bits, max_bits)
    return values


def _too_big(source: Value, node: Value, entries: int, max_entries: int | None, bits: int,
             max_bits: int | None) -> None:
    where = f"path_stats({source.label}): at {node.label} the sweep holds"
    check_limit(entries, max_entries, "max_entries", f"{where} {entries:,} length bins",
                "Paths of very many lengths: ask count_paths, grad or top_paths instead")
    check_limit(bits, max_bits, "max_bits", f"{where} counts of {bits:,} bits",
                "Far too many paths: grad() or forward_grad() give their sum in one sweep")
