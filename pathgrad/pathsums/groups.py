"""Paths grouped by what they pass through: one forward sweep, one sum per sequence of labels.

Equation 53 adds up every path from ``w`` to ``C``. Often the question is not the whole sum but
how it splits: how much of it runs through this head, through that block, through this layer
and then that one. Give some nodes a *label* (a head, a block, a layer; most nodes have none)
and read each path's labels in order, skipping unlabelled nodes and keeping a label repeated
by consecutive nodes once: that sequence is the path's *group*. :func:`path_groups` returns,
for every group, the exact sum of the products of its paths, how many paths it has and its
largest path, without listing any path.

The sweep is the forward sweep of :mod:`pathgrad.sweeps` over the *grouped* semiring, written
here as its own pass because its ``extend`` needs the label of the node an edge enters, which
:class:`~pathgrad.sweeps.Semiring`'s ``extend(v, rate)`` is not given:

* an element is a table ``{group: (count, Σ products, largest product and where it came from)}``;
* ``one`` (at each source) is ``{(label of the source,): (1, 1, 1)}``, or ``{(): ...}`` for an
  unlabelled source;
* ``extend`` along an edge of rate ``r`` into a node labelled ``L`` appends ``L`` to each group
  (unless it already ends with ``L``), keeps the count, multiplies the sum and the largest
  product by ``r``;
* ``plus`` merges two tables group by group: counts and sums add, the larger ``|product|`` wins.

``extend`` distributes over ``plus`` (the relabelling maps each group to one group, and
products and maxima of ``|product|`` distribute as in the count, sum-product and max-product
semirings), so one pass in topological order, each node pulling from its parents, gives the
exact tables at the output: linear in the edges times the number of groups, however many paths
there are. Counts are exact Python integers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..graph import Graph, as_graph, node_list
from ..support.arguments import whole_number
from ..support.errors import NotFiniteError, PathgradTypeError, TooLargeError
from ..support.limits import check_limit, size_text
from ..value import Value
from .enumeration import DEFAULT_MAX_BITS, SMALL_COUNT, Path

#: A group: the labels a path passes through, in order (``()`` for a path through none).
Key = tuple[Hashable, ...]
#: How nodes are labelled: a function of the node (None for no label) or a dict of labels.
Labels = Callable[[Value], Hashable | None] | Mapping[Value, Hashable]
#: More distinct groups than this reaching one node is refused (raise ``max_groups``).
DEFAULT_MAX_GROUPS = 10_000

# One entry of a node's table: [count, Σ products, largest product, where it came from]. The
# last is None at a source, else (position of the parent, the parent's group, the edge's slot
# among the node's parents), enough to walk the largest path back.
_COUNT, _TOTAL, _BEST, _BACK = range(4)


@dataclass(frozen=True)
class PathGroup:
    """The paths of one group: ``count`` of them, their products adding up to ``total``, and
    the ``largest`` one (largest ``|product|``; the first found on a tie)."""

    key: Key
    count: int
    total: float
    largest: Path


def default_name(key: Key) -> str:
    """A group as text: its labels joined by arrows, ``"(none)"`` for the empty group."""
    return " → ".join(str(label) for label in key) if key else "(none)"


class PathGroups(Mapping[Key, PathGroup]):
    """Every group of paths from the sources to the output: ``groups[key]`` is a
    :class:`PathGroup`. ``total`` is the sum over all groups, ``∂C/∂w`` for one source (the sum
    of the sources' derivatives for several); ``totals()`` gives ``{key: Σ products}``.

    Equation 53 with its paths sorted into groups: the groups' sums add up to the derivative.

    >>> import pathgrad as pg
    >>> x = pg.Value(2.0, name="x")
    >>> a, b = x * 3.0, x * x                     # one path through a, two through b
    >>> groups = pg.path_groups(x, a + b, label={a: "A", b: "B"})
    >>> print(groups)                             # largest |sum| first
    group  paths  Σ products  largest path
    B          2           4             2
    A          1           3             3
    2 groups, 3 paths, Σ = 7
    >>> groups[("B",)].largest.rates              # x → x·x → +: rate x, then 1
    (2.0, 1.0)
    """

    def __init__(self, groups: Iterable[PathGroup], name: Callable[[Key], str] = default_name
                 ) -> None:
        self._groups = {group.key: group for group in groups}
        self.name = name

    def __getitem__(self, key: Key) -> PathGroup:
        return self._groups[key]

    def __iter__(self) -> Iterator[Key]:
        return iter(self._groups)

    def __len__(self) -> int:
        return len(self._groups)

    @property
    def total(self) -> float:
        return math.fsum(group.total for group in self._groups.values())

    @property
    def count(self) -> int:
        return sum(group.count for group in self._groups.values())

    def totals(self) -> dict[Key, float]:
        return {key: group.total for key, group in self._groups.items()}

    def ranked(self) -> list[PathGroup]:
        """The groups, largest ``|total|`` first."""
        return sorted(self._groups.values(), key=lambda group: -abs(group.total))

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [
            (self.name(g.key), f"{g.count:,}", f"{g.total:.6g}", f"{g.largest.product:.4g}")
            for g in self.ranked()
        ]

    HEADER = ("group", "paths", "Σ products", "largest path")

    def __str__(self) -> str:
        rows = [self.HEADER, *self.rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                           for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
                 for row in rows]
        lines.append(f"{len(self)} groups, {self.count:,} paths, Σ = {self.total:.10g}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<PathGroups: {len(self)} groups, {self.count:,} paths, Σ = {self.total:.6g}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(cell)}</th>" for cell in self.HEADER)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
            for row in self.rows()
        )
        return (f"<table><tr>{head}</tr>{body}</table><p>{len(self)} groups, "
                f"{self.count:,} paths, Σ = {self.total:.10g}</p>")


def label_function(label: Labels) -> Callable[[Value], Hashable | None]:
    """``label`` as a function of a node: a dict is looked up (None when a node is absent)."""
    if isinstance(label, Mapping):
        return label.get
    if callable(label):
        return label
    raise PathgradTypeError(
        "label takes a function of a node (returning a label, or None for none) or a dict "
        f"{{node: label}}; got {type(label).__name__}"
    )


def path_groups(
    sources: Value | Iterable[Value],
    output: Value | Graph,
    label: Labels,
    *,
    name: Callable[[Key], str] = default_name,
    max_groups: int = DEFAULT_MAX_GROUPS,
    max_bits: int | None = DEFAULT_MAX_BITS,
) -> PathGroups:
    """The paths from ``sources`` to ``output``, summed per group of labels they pass through.

    ``sources`` is one node or several (the paths from any of them; a source listed twice
    counts once). ``label(node)`` gives a node's label, or None; a dict ``{node: label}`` works
    too. A path's group is its nodes' labels in order, unlabelled nodes skipped and a label
    repeated by consecutive nodes kept once. Each :class:`PathGroup` has the exact count,
    the sum of the products (equation 51) and the largest path, all from one forward sweep
    (see the module docstring). ``name`` turns a group into text for printing. A source that
    does not reach the output has no paths (with a warning, as in :func:`pathgrad.path_sum`).
    More than ``max_groups`` groups at one node, or exact counts of more than ``max_bits`` bits
    in all (as in :func:`pathgrad.count_paths`), are refused with a
    :class:`~pathgrad.support.errors.TooLargeError`; a sum or a largest product that overflows
    the float range is a :class:`~pathgrad.support.errors.NotFiniteError` naming the node.

    Equation 53, summed group by group: the groups' sums add up to ``∂C/∂w`` (to the sum of
    the sources' derivatives for several sources).

    >>> import pathgrad as pg
    >>> x = pg.Value(2.0, name="x")
    >>> a, b = x * 3.0, x * x                     # one path through a, two through b
    >>> c = a + b
    >>> groups = pg.path_groups(x, c, label={a: "A", b: "B"})
    >>> groups.totals()
    {('A',): 3.0, ('B',): 4.0}
    >>> groups[("B",)].count, groups.total == pg.grad(c, [x])[0]
    (2, True)
    """
    whole_number(max_groups, "max_groups", least=1)
    label_of = label_function(label)
    graph = as_graph(output)
    starts = sorted({
        position for node in node_list(sources)
        if (position := graph.position(node, "path_groups(sources, C)")) is not None
    })
    tables = _sweep(graph, starts, label_of, (max_groups, max_bits))
    last = len(graph.nodes) - 1
    found = [
        PathGroup(key, entry[_COUNT], entry[_TOTAL], _walk_back(graph, tables, last, key))
        for key, entry in tables.get(last, {}).items()
    ]
    return PathGroups(found, name)


def _sweep(graph: Graph, starts: list[int], label_of: Callable[[Value], Hashable | None],
           limits: tuple[int, int | None]) -> dict[int, dict[Key, list]]:
    """Each reached node's table ``{group: [count, total, best, back]}``, by position.

    The nodes after the first source, in topological order, each pull from their parents (no
    list of children is needed); a node no source reaches gets no table. ``limits`` is
    ``(max_groups, max_bits)``."""
    nodes, index = graph.nodes, graph.index
    max_groups, max_bits = limits
    seeds = set(starts)
    bits = 0
    tables: dict[int, dict[Key, list]] = {}
    for i in range(starts[0] if starts else len(nodes), len(nodes)):
        node = nodes[i]
        mark = label_of(node)
        table: dict[Key, list] = {}
        if i in seeds:
            table[() if mark is None else (mark,)] = [1, 1.0, 1.0, None]
        for slot, (parent, rate) in enumerate(zip(node.parents, node.rates, strict=True)):
            p = index[parent]
            incoming = tables.get(p)
            if incoming is None:
                continue
            for key, (count, total, best, _) in incoming.items():
                ahead = key if mark is None or (key and key[-1] == mark) else (*key, mark)
                candidate = best * rate
                entry = table.get(ahead)
                if entry is None:
                    table[ahead] = [count, total * rate, candidate, (p, key, slot)]
                    continue
                entry[_COUNT] += count
                entry[_TOTAL] += total * rate
                if abs(candidate) > abs(entry[_BEST]):
                    entry[_BEST], entry[_BACK] = candidate, (p, key, slot)
        if not table:
            continue
        if len(table) > max_groups:
            raise TooLargeError(
                f"path_groups: {len(table):,} different groups of labels reach "
                f"{node.label}, more than max_groups={max_groups:,}. Label fewer nodes (one "
                "label per head, block or layer, None for the rest), or raise max_groups if "
                "you really want them",
                limit="max_groups",
            )
        _check_numbers(nodes[starts[0]], node, table)
        big = [entry[_COUNT] for entry in table.values() if entry[_COUNT] >= SMALL_COUNT]
        if big:
            bits += sum(count.bit_length() for count in big)
            check_limit(
                bits, max_bits, "max_bits",
                f"path_groups: the exact path counts pass {bits:,} bits ({size_text(bits // 8)}),"
                f" and {node.label} alone is reached by about 2^{max(big).bit_length() - 1:,} "
                "paths",
                "Far too many paths to count exactly: grad() or forward_grad() give their sum "
                "in one sweep",
            )
        tables[i] = table
    return tables


def _check_numbers(source: Value, node: Value, table: dict[Key, list]) -> None:
    """Refuse a group's sum or largest product that is not a finite number (every rate is
    finite, so the products along some paths overflowed)."""
    for key, entry in table.items():
        for value in (entry[_TOTAL], entry[_BEST]):
            if not math.isfinite(value):
                raise NotFiniteError(
                    f"path_groups: the paths from {source.label} to {node.label} in group "
                    f"{key!r} give "
                    f"{value!r}: every rate factor is finite, but the products along some of "
                    "these paths overflow the float range, or two such sums of opposite signs "
                    "meet. Scale down the values these rates are made of",
                    f"a group's sum of paths became {value!r}",
                )


def _walk_back(graph: Graph, tables: dict[int, dict[Key, list]], position: int, key: Key
               ) -> Path:
    """The largest path of one group, followed back from the output along the stored steps."""
    nodes = graph.nodes
    on_path = [nodes[position]]
    rates: list[float] = []
    back: Any = tables[position][key][_BACK]
    while back is not None:
        parent, key, slot = back
        rates.append(nodes[position].rates[slot])
        position = parent
        on_path.append(nodes[position])
        back = tables[position][key][_BACK]
    return Path(tuple(reversed(on_path)), tuple(reversed(rates)))
