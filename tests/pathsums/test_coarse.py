"""collapse: the graph of groups has the fine graph's path sums, one coarse path per group.

On random labelled graphs the coarse graph is checked as a graph in its own right (its
sweeps, its listed paths, its re-evaluation), against brute-force listing of the fine paths.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

import pathgrad as pg
from tests.pathsums.test_groups import brute_force_groups
from tests.strategies import labelled_dags


def fine_total(listed):
    return math.fsum(p.product for paths in listed.values() for p in paths)


@settings(max_examples=120, deadline=None)
@given(labelled_dags())
def test_the_coarse_paths_are_the_groups_and_sum_to_the_fine_path_sum(case):
    graph, sources, label = case
    listed = brute_force_groups(graph, sources, label)
    coarse = pg.collapse(graph, label, sources)
    assert isinstance(coarse, pg.CollapsedGraph) and coarse.root.data == 1.0
    if not listed:
        assert coarse.output.data == 0.0
        return
    total = fine_total(listed)
    assert pg.path_sum(coarse.root, coarse) == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert pg.grad(coarse, [coarse.root])[0] == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert coarse.output.data == pytest.approx(total, rel=1e-9, abs=1e-9)
    coarse_paths = list(pg.paths(coarse.root, coarse))
    assert len(coarse_paths) == pg.count_paths(coarse.root, coarse) == len(listed)
    # each coarse path is one group: it leaves the root into that group's node, and its
    # product is the sum of that group's fine products
    for key, fine in listed.items():
        [path] = [p for p in coarse_paths if p.nodes[1] is coarse.node(key)]
        assert path.product == pytest.approx(math.fsum(p.product for p in fine),
                                             rel=1e-9, abs=1e-9)
    # a node's value is the sum of the groups that pass through it (the forward sweep)
    for node in coarse.nodes[1:-1]:
        through = [p for p in coarse_paths if node in p.nodes]
        assert node.data == pytest.approx(math.fsum(p.product for p in through),
                                          rel=1e-9, abs=1e-9)
    # and it is a graph like any other: re-evaluated at root = 2, everything doubles
    assert coarse.value_at({coarse.root: 2.0}) == pytest.approx(2 * total, rel=1e-9, abs=1e-9)


def test_a_two_layer_picture_by_hand():
    x = pg.Value(1.0, name="x")
    h1 = x * 2.0                       # head 1, layer 1
    h2 = x * 3.0                       # head 2, layer 1
    r = x + h1 + h2                    # the residual stream
    g1 = r * 5.0                       # layer 2's one head
    out = r + g1
    out.name = "logit"
    label = {h1: "L0H0", h2: "L0H1", g1: "L1H0"}
    coarse = pg.collapse(out, label, x, source_name="embed")
    names = [n.name for n in coarse.nodes]
    assert names[0] == "embed" and names[-1] == "logit"
    assert sorted(names[1:-1]) == ["L0H0", "L0H0 → L1H0", "L0H1", "L0H1 → L1H0", "L1H0"]
    node = {n.name: n for n in coarse.nodes}
    assert node["L0H0 → L1H0"].data == 2.0 * 5.0          # the virtual head
    assert node["L1H0"].data == 5.0 + 2.0 * 5.0 + 3.0 * 5.0  # all that L1H0 writes out
    assert node["L0H0"].data == 2.0                       # L0H0's direct part
    assert coarse.output.data == pg.grad(out, [x])[0] == 1 + 2 + 3 + 5 * 6
    assert coarse.node(("L0H0", "L1H0")) is node["L0H0 → L1H0"]
    assert coarse.node(()) is coarse.output
    assert "L0H0 → L1H0" in pg.draw(coarse).source  # a picture of it needs nothing more


def test_the_sources_and_the_output_label_are_the_ends():
    x = pg.Value(1.0, name="x")
    y = x * 2.0
    out = y * 3.0
    coarse = pg.collapse(out, {x: "in", y: "mid", out: "out"}, [x])
    assert [n.name for n in coarse.nodes] == ["in", "mid", "out"]
    assert coarse.output.data == 6.0
    no_label = pg.collapse(out, {}, x)
    assert [n.name for n in no_label.nodes] == ["x", "output"]  # one source: its own name
    assert pg.collapse(out, {}, [x, x]).root.name == "x"
    assert pg.collapse(out, {}, [x, y]).root.name == "sources"
    assert pg.collapse(out, {}, y).root.name == "sources"  # one unnamed source
    assert no_label.output.data == 6.0
