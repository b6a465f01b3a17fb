"""cost_report: every count checked against an independent count on the same graph."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.bench.paths import network_graph
from pathgrad.pathsums import complexity
from pathgrad.sweeps import SUM_PRODUCT, counted, sweep_backward, sweep_forward
from tests.reference import all_paths
from tests.strategies import dags, layered


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


@settings(max_examples=60, deadline=None)
@given(dags())
def test_counted_sweeps_count_one_multiplication_per_edge_they_carry_a_value_along(case):
    graph, source = case
    # Brute force: the nodes on some path from source, and the nodes with a path to C.
    routes = all_paths(source, graph)
    reached = {source} | {head for route in routes for head, _, _ in route}
    reaching = {node for node in graph.nodes if all_paths(node, graph)}
    counting, tally = counted(SUM_PRODUCT)
    assert sweep_forward(graph, source, counting) == sweep_forward(graph, source, SUM_PRODUCT)
    heads = [n for n in graph.nodes if n is not source and any(p in reached for p in n.parents)]
    assert tally.extends == sum(1 for n in heads for p in n.parents if p in reached)
    assert tally.pluses == tally.extends - len(heads)
    counting, tally = counted(SUM_PRODUCT)
    assert sweep_backward(graph, counting) == sweep_backward(graph, SUM_PRODUCT)
    fed = [n for n in graph.nodes if any(c in reaching for c in graph.nodes if n in c.parents)]
    assert tally.extends == sum(len(n.parents) for n in reaching)
    assert tally.pluses == tally.extends - len(fed)


def test_graph_counts_its_evaluations_and_the_edges_they_read():
    x, w = pg.Value(0.5, name="x"), pg.Value(2.0, name="w")
    z = w * x + 1.0
    C = z.tanh() * z
    graph = pg.Graph(C)
    assert (graph.evaluations, graph.edges_read) == (0, 0)
    graph.value_at({w: 2.5})
    assert (graph.evaluations, graph.edges_read) == (1, graph.edge_count)
    graph.value_at({z: 0.0})  # the demon holds z: its operands are not read
    assert (graph.evaluations, graph.edges_read) == (2, 2 * graph.edge_count - len(z.parents))
    pg.numeric_grad(graph, w)  # central difference, one Richardson step: four evaluations
    assert graph.evaluations == 6


def test_finite_differences_really_run_once_per_parameter_and_once_more():
    graph = network_graph([3, 4, 2], seed=1)
    params = graph.params()
    report = pg.cost_report(graph, params, methods=["finite differences", "reverse sweep"])
    assert [row.method for row in report.rows] == ["finite differences (46)",
                                                   "reverse sweep (backprop)"]
    alone = network_graph([3, 4, 2], seed=1)
    pg.cost_report(alone, alone.params(), methods=[])  # only the evaluation every row needs
    # on top of that: C(w) once and C(w + ε e_j) for each of the P parameters
    assert graph.evaluations - alone.evaluations == len(params) + 1
    assert report.row("finite differences").passes(report.edges) == len(params) + 1


def test_past_the_budget_a_sample_is_run_and_scaled(monkeypatch):
    monkeypatch.setattr(complexity, "RUN_BUDGET", 0)
    graph = network_graph([4, 5, 3], seed=0)
    params = graph.params()
    e, p = graph.edge_count, len(params)
    report = pg.cost_report(graph, params, methods=["finite differences", "forward sweeps"])
    fd = report.row("finite differences")
    # Every evaluation reads every edge, so 12 runs scaled to 43 give the exact count.
    assert fd.multiplications == (p + 1) * e and not fd.exact
    assert fd.timing == f"{complexity.SAMPLE} of {p} run, scaled"
    assert "(scaled)" in str(report) and "finite differences need" not in str(report)
    monkeypatch.setattr(complexity, "RUN_BUDGET", 10**9)
    every = pg.cost_report(graph, params, methods=["forward sweeps"]).row("forward sweeps")
    assert every.exact and not report.row("forward sweeps").exact
    # forward sweeps from the 12 sampled parameters, scaled: near the count over all 43
    assert report.row("forward sweeps").multiplications == pytest.approx(
        every.multiplications, rel=0.25)


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
    with pytest.raises(ValueError, match="methods must be one of"):
        pg.cost_report(x * 2.0, methods=["guessing"])
