"""path_groups against brute-force listing on random labelled graphs, and its refusals.

Every path from the sources is listed by a plain depth-first search (tests/reference.py), its
group read off its nodes' labels here, independently; the grouped sweep must give each group's
exact count, the sum of its products and a path of the largest |product| in it.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.support.errors import NotFiniteError, TooLargeError
from tests.reference import all_paths, as_path
from tests.strategies import labelled_dags


def group_of(nodes, label) -> tuple:
    """The labels of ``nodes`` in order, unlabelled ones skipped, consecutive repeats once."""
    key: list = []
    for node in nodes:
        mark = label.get(node)
        if mark is not None and (not key or key[-1] != mark):
            key.append(mark)
    return tuple(key)


def brute_force_groups(graph, sources, label):
    found: dict[tuple, list[pg.Path]] = {}
    for source in dict.fromkeys(sources):
        for route in all_paths(source, graph):
            path = as_path(source, route)
            found.setdefault(group_of(path.nodes, label), []).append(path)
    return found


@settings(max_examples=150, deadline=None)
@given(labelled_dags())
def test_groups_equal_brute_force(case):
    graph, sources, label = case
    listed = brute_force_groups(graph, sources, label)
    groups = pg.path_groups(sources, graph, label)
    assert set(groups) == set(listed)
    for key, paths in listed.items():
        group = groups[key]
        products = [p.product for p in paths]
        assert group.count == len(paths)
        assert group.total == pytest.approx(math.fsum(products), rel=1e-9, abs=1e-9)
        # the largest path is a real path of this group, and none is larger
        largest = group.largest
        assert group_of(largest.nodes, label) == key
        assert largest.nodes[0] in sources and largest.nodes[-1] is graph.output
        assert any(p.nodes == largest.nodes and p.rates == largest.rates for p in paths)
        assert abs(largest.product) == max(map(abs, products))
    assert groups.count == sum(len(p) for p in listed.values())
    derivatives = pg.grad(graph, list(dict.fromkeys(sources)))
    assert groups.total == pytest.approx(math.fsum(derivatives), rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(labelled_dags())
def test_a_function_labels_as_the_dict_does_and_no_labels_give_path_stats(case):
    graph, sources, label = case
    by_dict = pg.path_groups(sources, graph, label)
    by_function = pg.path_groups(sources, graph, lambda node: label.get(node))
    assert by_dict.totals() == by_function.totals()
    source = sources[0]
    [(key, whole)] = pg.path_groups(source, graph, {}).items()
    stats = pg.path_stats(source, graph)
    assert key == () and whole.count == stats.count
    assert whole.total == pytest.approx(stats.gradient, rel=1e-9, abs=1e-12)
    if stats.largest is not None:
        assert abs(whole.largest.product) == abs(stats.largest.product)


def test_a_small_graph_by_hand():
    x = pg.Value(2.0, name="x")
    a = x * 3.0                   # rate 3
    b = x * x                     # two edges of rate 2
    c = a + b                     # rates 1, 1
    label = {a: "A", b: "B"}
    groups = pg.path_groups(x, c, label)
    assert groups.totals() == {("A",): 3.0, ("B",): 4.0}
    assert groups[("B",)].count == 2 and groups[("A",)].count == 1
    assert groups.total == 7.0 == pg.grad(c, [x])[0]
    assert [n.name for n in groups[("A",)].largest.nodes] == ["x", None, None]
    # a label met again after unlabelled nodes is one visit; met after another, two
    d = (c * 1.0) * 2.0
    again = pg.path_groups(x, d, {a: "A", b: "B", d: "A"})
    assert again.totals() == {("A",): 6.0, ("B", "A"): 8.0}
    # a labelled source starts its own group
    assert pg.path_groups(a, c, label).totals() == {("A",): 1.0}
    assert "A → B" not in str(groups) and "(none)" in str(pg.path_groups(x, c, {}))


def test_ties_go_to_the_first_path_found_and_groups_do_not_change():
    x = pg.Value(1.0, name="x")
    a, b = x * 2.0, x * 2.0
    a.name, b.name = "a", "b"
    groups = pg.path_groups(x, a + b, {})
    [(_, whole)] = groups.items()
    assert whole.count == 2 and [n.name for n in whole.largest.nodes[:2]] == ["x", "a"]
    with pytest.raises(AttributeError):
        whole.total = 0.0  # type: ignore[misc]


def test_printing_names_the_groups_and_ranks_them():
    x = pg.Value(1.0, name="x")
    c = x * 2.0 + x * -5.0
    label = {node: name for node, name in zip(c.parents, ("two", "five"), strict=True)}
    groups = pg.path_groups(x, c, label, name=lambda key: "+".join(key).upper())
    text = str(groups)
    assert text.index("FIVE") < text.index("TWO")  # |−5| first
    assert "2 groups, 2 paths, Σ = -3" in text
    assert text.splitlines()[:3] == [  # names to the left, numbers to the right
        "group  paths  Σ products  largest path",
        "FIVE       1          -5            -5",
        "TWO        1           2             2",
    ]
    assert "<table>" in groups._repr_html_() and "FIVE" in groups._repr_html_()
    assert repr(groups).startswith("<PathGroups: 2 groups")


def test_too_many_groups_is_refused_with_the_limit_to_raise():
    x = pg.Value(1.0, name="x")
    v = x
    for _ in range(12):  # two ways through each of 12 diamonds: 2^12 paths
        v = v * 1.0 + v * 2.0
    graph = pg.Graph(v)
    label = {node: i for i, node in enumerate(graph.nodes)}
    with pytest.raises(pg.PathgradError, match="max_groups=100"):
        pg.path_groups(x, graph, label, max_groups=100)
    assert len(pg.path_groups(x, graph, label, max_groups=2**12)) == 2**12  # just fits
    with pytest.raises(pg.PathgradError, match="max_groups=4,095"):
        pg.path_groups(x, graph, label, max_groups=2**12 - 1)
    assert len(pg.path_groups(x, graph, {}, max_groups=1)) == 1
    assert len(pg.path_groups(x, graph, label)) == 2**12  # every node its own label
    for _ in range(2):  # 2^14 groups: past the default limit of 10,000
        v = v * 1.0 + v * 2.0
    bigger = pg.Graph(v)
    with pytest.raises(pg.PathgradError, match="max_groups=10,000"):
        pg.path_groups(x, bigger, {node: i for i, node in enumerate(bigger.nodes)})


def test_the_sweep_pulls_from_parents_and_needs_no_children_lists(monkeypatch):
    def refuse(self):
        raise AssertionError("path_groups asked for children lists")

    monkeypatch.setattr(pg.Graph, "children_lists", refuse)
    x, y = pg.Value(0.5, name="x"), pg.Value(2.0, name="y")
    h = x * y
    c = h * h + y
    groups = pg.path_groups([x, y], c, {h: "h"})
    assert groups.totals() == {("h",): pytest.approx(pg.grad(c, [x])[0] + 2 * h.data * x.data),
                               (): 1.0}


def test_bad_labels_and_sources():
    x = pg.Value(1.0, name="x")
    y = x * 2.0
    with pytest.raises(TypeError, match="label takes a function"):
        pg.path_groups(x, y, label=3)
    with pytest.raises(pg.PathgradError, match="max_groups must be a whole number >= 1"):
        pg.path_groups(x, y, {}, max_groups=0)
    with pytest.warns(pg.PathgradWarning, match="does not reach"):
        assert len(pg.path_groups(pg.Value(1.0), y, {})) == 0
    with pytest.raises(ValueError, match="swapped"):
        pg.path_groups(y, x, {})


def test_exact_counts_past_max_bits_are_refused_with_the_count():
    """A chain ``y = (y + y) * 0.5`` doubles its paths at every step: past max_bits of exact
    counts the sweep stops and says how far it got, as count_paths does."""
    y = pg.Value(1.0, name="y")
    v = y
    for _ in range(200):
        v = (v + v) * 0.5
    assert pg.path_groups(y, v, label={}).totals() == {(): 1.0}
    assert pg.path_groups(y, v, label={})[()].count == 2**200
    with pytest.raises(TooLargeError, match=r"pass 130 bits .* about 2\^64 paths.*max_bits=100"):
        pg.path_groups(y, v, label={}, max_bits=100)


def test_a_group_whose_sum_overflows_is_an_error_naming_its_ends():
    x = pg.Value(1e-300, name="x")
    z = (x * 1e300) * 1e300
    with pytest.raises(NotFiniteError, match=r"from x to mul in group \('big',\) give inf"):
        pg.path_groups(x, z, label={z: "big"})
