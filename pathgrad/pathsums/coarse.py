"""The coarse view: a graph whose nodes are groups of nodes, with the exact path sums on it.

A transformer's graph has thousands of nodes; its story has a handful: the embedding, each
head, the unembedding. :func:`collapse` draws that story as a rate-factor graph of its own, so
that :func:`pathgrad.draw`, :func:`pathgrad.explore` and every path tool work on it, and its
path sums are the fine graph's, exactly.

Scalar edges between group nodes cannot carry the fine graph's path sums in general (between
two heads runs a matrix of them, not a number), so the coarse graph is built from the groups
of :func:`~pathgrad.pathsums.groups.path_groups` instead. Each group of paths, a sequence of
labels ``(L_1, ..., L_m)``, gets one coarse path:

    sources ──F──▶ [L_1 → ... → L_m] ──1──▶ [L_2 → ... → L_m] ──1──▶ ... ──1──▶ [L_m] ──1──▶ output

where ``F`` is the exact sum of the group's fine paths. A node ``[L_k → ... → L_m]`` stands for
label ``L_k`` followed by the rest of the sequence, and groups that end alike share their
nodes: every head of a transformer's last layer is one node, whatever came before. The
sources are one leaf of value 1. So:

* each coarse path from the sources to the output has the product ``F`` of its group, and the
  coarse path sum is the fine one (the sum of the sources' derivatives);
* a node's value (the forward sweep from the sources) is the sum over the groups that pass
  through it with that continuation: the node ``[L1H0]`` of a two-layer transformer holds
  everything head L1H0 writes straight to the logit, ``[L0H1 → L1H0]`` the virtual head.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from ..graph import Graph, as_graph, node_list
from ..value import Op, Value
from .groups import (
    DEFAULT_MAX_GROUPS,
    Key,
    Labels,
    PathGroups,
    default_name,
    label_function,
    path_groups,
)


class CollapsedGraph(Graph):
    """A graph of groups (see the module docstring): ``root`` is the sources' node,
    ``groups`` the fine graph's :class:`~pathgrad.pathsums.groups.PathGroups`, and
    ``node(key)`` the coarse node where a group's path leaves the sources.

    Equation 53 on a smaller graph: one path per group, its product the group's sum.

    >>> import pathgrad as pg
    >>> x = pg.Value(1.0, name="x")
    >>> y = x * 2.0 + x * 3.0
    >>> coarse = pg.collapse(y, {y.parents[0]: "two", y.parents[1]: "three"}, x)
    >>> coarse.root.name, [n.name for n in coarse.nodes[1:-1]], coarse.output.data
    ('x', ['three', 'two'], 5.0)
    >>> len(coarse.groups), coarse.node(("three",)).data
    (2, 3.0)
    """

    def __init__(self, output: Value, root: Value, entry: dict[Key, Value], groups: PathGroups
                 ) -> None:
        super().__init__(output)
        self.root = root
        self.groups = groups
        self._entry = entry

    def node(self, key: Key) -> Value:
        """The coarse node the sources' edge of group ``key`` enters (the output for a group
        whose labels are all the sources' and the output's own)."""
        return self._entry[key]


def _sum_op(name: str, rates: tuple[float, ...]) -> Op:
    """``Σ_k rates[k] x_k``: a group node, linear in the nodes before it."""
    return Op(name, lambda *xs: sum(r * x for r, x in zip(rates, xs, strict=True)),
              lambda *xs: rates)


def _shared_label(nodes: Iterable[Value], label_of: Callable[[Value], Hashable | None]
                  ) -> Hashable | None:
    marks = {label_of(node) for node in nodes}
    return marks.pop() if len(marks) == 1 else None


def collapse(
    graph: Value | Graph,
    groups: Labels,
    sources: Value | Iterable[Value],
    *,
    label_name: Callable[[Hashable], str] = str,
    source_name: str | None = None,
    name: Callable[[Key], str] = default_name,
    max_groups: int = DEFAULT_MAX_GROUPS,
) -> CollapsedGraph:
    """The coarse graph of ``graph`` (or of an output Value) by ``groups``, from ``sources``.

    ``groups`` labels nodes as :func:`~pathgrad.pathsums.groups.path_groups`'s ``label`` does
    (a function or a dict; None or absent for no group). The label the sources all share, and
    the output's own, are the coarse graph's two ends and are not repeated inside it.
    ``label_name`` writes one label as text for the nodes' names, ``source_name`` names the
    sources' node (by default their shared label, else the name of a single source, else
    ``"sources"``). ``name`` writes a whole
    group for printing ``groups``. See the module docstring for what the nodes and edges hold.

    Equation 53 between groups: the coarse path sum from the sources is the fine one.

    >>> import pathgrad as pg
    >>> x = pg.Value(1.0, name="x")
    >>> h1, h2 = x * 2.0, x * 3.0                 # two heads of a first layer
    >>> r = x + h1 + h2                           # the residual stream
    >>> g = r * 5.0                               # a second layer's head reads it
    >>> out = r + g
    >>> coarse = pg.collapse(out, {h1: "L0H0", h2: "L0H1", g: "L1H0"}, x, source_name="embed")
    >>> [n.name for n in coarse.nodes]
    ['embed', 'L0H0', 'L0H1', 'L0H0 → L1H0', 'L0H1 → L1H0', 'L1H0', 'output']
    >>> coarse.node(("L0H0", "L1H0")).data, pg.path_sum(coarse.root, coarse) == pg.grad(out, [x])[0]
    (10.0, True)
    """
    fine = as_graph(graph)
    label_of = label_function(groups)
    starts = node_list(sources)
    found = path_groups(starts, fine, label_of, name=name, max_groups=max_groups)
    first = _shared_label(starts, label_of)
    last = label_of(fine.output)

    def inner(key: Key) -> Key:
        # Every group starts with the sources' shared label and ends with the output's.
        if first is not None:
            key = key[1:]
        return key[:-1] if last is not None and key and key[-1] == last else key

    inner_of = {key: inner(key) for key in found}
    totals: dict[Key, float] = {}
    for key, group in found.items():
        totals[inner_of[key]] = totals.get(inner_of[key], 0.0) + group.total
    root = Value(1.0, name=source_name or _root_name(starts, first, label_name))
    made = _group_nodes(root, totals, label_name)
    ends = [(root, totals[()])] if () in totals else []
    ends += [(made[suffix], 1.0) for suffix in made if len(suffix) == 1]
    out_name = fine.output.name or (label_name(last) if last is not None else "output")
    output = _sum_op("output", tuple(r for _, r in ends))(*(n for n, _ in ends), name=out_name)
    entry = {key: made.get(inner_of[key], output) for key in found}
    return CollapsedGraph(output, root, entry, found)


def _root_name(starts: list[Value], first: Hashable | None,
               label_name: Callable[[Hashable], str]) -> str:
    """The sources' shared label, else the one source's own name, else ``"sources"``."""
    if first is not None:
        return label_name(first)
    distinct = list(dict.fromkeys(starts))
    return (distinct[0].name if len(distinct) == 1 else None) or "sources"


def _group_nodes(root: Value, totals: dict[Key, float], label_name: Callable[[Hashable], str]
                 ) -> dict[Key, Value]:
    """One node per suffix of a group, longest first, so each one's parents exist before it."""
    suffixes = sorted({key[i:] for key in totals for i in range(len(key))},
                      key=lambda s: (-len(s), [label_name(x) for x in s]))
    made: dict[Key, Value] = {}
    waiting: dict[Key, list[Value]] = {}  # a suffix's nodes, waiting for the next one
    for suffix in suffixes:
        parents = [(root, totals[suffix])] if suffix in totals else []
        parents += [(node, 1.0) for node in waiting.pop(suffix, [])]
        text = " → ".join(label_name(x) for x in suffix)
        made[suffix] = _sum_op("group", tuple(r for _, r in parents))(
            *(p for p, _ in parents), name=text)
        waiting.setdefault(suffix[1:], []).append(made[suffix])
    return made
