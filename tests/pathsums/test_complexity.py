"""cost_report: every count checked against an independent count on the same graph."""

from __future__ import annotations

import pytest

import pathgrad as pg
from pathgrad.bench.paths import network_graph
from tests.reference import all_paths
from tests.strategies import layered


def reached_edges(graph, w):
    """Edges whose tail a forward sweep from ``w`` reaches, by brute force over all paths."""
    reached = {w}
    for route in all_paths(w, graph):
        reached.update(head for head, _, _ in route)
    return sum(1 for node in graph.nodes for p in node.parents if p in reached)


def test_counts_on_a_small_network():
    graph = network_graph([2, 3, 2], seed=0)
    params = [n for n in graph.leaves if n.name[0] in "wb"]
    report = pg.cost_report(graph, params)
    e, p = graph.edge_count, len(params)
    assert (report.edges, report.parameters, p) == (e, p, 6 + 3 + 6 + 2)
    assert report.row("finite differences").multiplications == (p + 1) * e
    assert report.row("reverse sweep").multiplications == 2 * e
    assert report.row("reverse sweep").passes(e) == 2.0
    forward = sum(reached_edges(graph, w) for w in params)
    assert report.row("forward sweeps").multiplications == e + forward
    lengths = sum(len(route) for w in params for route in all_paths(w, graph))
    count = sum(pg.count_paths(w, graph) for w in params)
    enumeration = report.row("list every path")
    assert (enumeration.multiplications, enumeration.additions) == (e + lengths, e + count)
    for order in ("forward", "markowitz", "reverse"):
        expected = pg.eliminate(graph, order).multiplications
        assert report.row(f"eliminate, {order}").multiplications == e + expected
    assert all(row.seconds > 0 for row in report.rows)
    text = str(report)
    assert "finite differences need 18 forward passes, backpropagation 2" in text
    assert "a million and one passes" in text
    assert text.count("\n") == len(report.rows) + 3
    assert report._repr_html_().count("<tr>") == len(report.rows) + 1


def test_a_graph_with_10_to_the_20_paths_is_counted_not_listed():
    x, graph = layered(width=10, depth=20, rate=0.5)
    report = pg.cost_report(graph)  # returns promptly: nothing is enumerated
    row = report.row("list every path")
    assert row.multiplications == graph.edge_count + 21 * 10**20
    assert row.timing == "too many paths to time"


def test_bad_wrt_is_a_clear_error():
    x = pg.Value(1.0)
    with pytest.raises(ValueError, match="stranger does not reach"):
        pg.cost_report(x * 2.0, [pg.Value(3.0, name="stranger")])
    with pytest.raises(TypeError, match="wrt must hold Values"):
        pg.cost_report(x * 2.0, ["x"])
    with pytest.raises(KeyError, match="no row 'magic'"):
        pg.cost_report(x * 2.0).row("magic")
