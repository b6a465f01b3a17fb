"""Forward sweeps that pull: the same values from an output node as from its Graph, the
hand-written pulls equal to the engine over their semirings, and no children list anywhere."""

from __future__ import annotations

import math
from itertools import accumulate

import pytest
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.graph import operation_order
from pathgrad.pathsums.ranking import largest_path
from pathgrad.pathsums.sampling import mass_and_tables
from pathgrad.pathsums.semirings import ABS_MASS, COUNT, MAX_PRODUCT, graded, product
from pathgrad.pathsums.statistics import STATS, stats_sweep
from pathgrad.sweeps import SUM_PRODUCT, nodes_after, pull, sweep_forward
from tests.strategies import dags, random_graphs

SEMIRINGS = [SUM_PRODUCT, COUNT, ABS_MASS, MAX_PRODUCT, graded(product(COUNT, SUM_PRODUCT))]


@settings(max_examples=60, deadline=None)
@given(dags())
def test_a_sweep_from_the_output_node_equals_the_sweep_over_its_graph(case):
    graph, source = case
    for semiring in SEMIRINGS:
        from_graph = sweep_forward(graph, source, semiring)
        from_node = sweep_forward(graph.output, source, semiring)
        # From the node no leaf but the source is visited; otherwise the very same values.
        assert from_node == {n: v for n, v in from_graph.items() if n.parents or n is source}
        assert from_graph[graph.output] == from_node[graph.output]


@settings(max_examples=60, deadline=None)
@given(dags())
def test_the_hand_written_pulls_equal_the_engine_over_their_semirings(case):
    graph, source = case
    for target in (graph, graph.output):
        after = nodes_after(target, source)
        assert stats_sweep(after, source) == pull(after, source, STATS)
        mass, tables = mass_and_tables(after, source)
        assert mass == pull(after, source, ABS_MASS)
        # Each reached node's walk table: its edges from reached parents, by position, and
        # the running total of their weights |rate| · M(parent), ending at its own mass.
        assert set(tables) == set(mass) - {source}
        for node, (picks, totals) in tables.items():
            assert picks == [i for i, parent in enumerate(node.parents) if parent in mass]
            weights = [abs(node.rates[i]) * mass[node.parents[i]] for i in picks]
            assert totals == list(accumulate(weights)) and totals[-1] == mass[node]
        spec = pg.top_paths(source, target, k=1)
        best = largest_path(after, source, graph.output)
        assert (best is None) == (spec == [])
        if best is not None:
            assert (best.nodes, best.rates) == (spec[0].nodes, spec[0].rates)
        assert pg.count_paths(source, target) == sweep_forward(graph, source, COUNT)[graph.output]
        assert pg.forward_grad(target, source) == sweep_forward(graph, source, SUM_PRODUCT)[
            graph.output
        ]


@settings(max_examples=60, deadline=None)
@given(dags())
def test_the_explorers_reach_is_the_set_a_forward_sweep_reaches(case):
    graph, source = case
    reached = sweep_forward(graph, source, COUNT)
    assert graph.reached_from(graph.index[source]) == sorted(graph.index[n] for n in reached)


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_value_backward_is_the_backward_sweep_to_the_last_bit(rg):
    graph = pg.Graph(rg.output)
    rg.output.backward()
    spec = pg.sweeps.sweep_backward(graph, SUM_PRODUCT)
    assert [node.grad for node in graph.nodes] == [0.0 if v is None else v for v in spec]


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_operation_order_is_the_topological_order_without_its_leaves(rg):
    nodes = pg.topological_order(rg.output)
    assert operation_order(rg.output) == [node for node in nodes if node.parents]
    position = {node: i for i, node in enumerate(nodes)}
    assert len(position) == len(nodes) and nodes[-1] is rg.output
    assert all(position[p] < i for i, node in enumerate(nodes) for p in node.parents)


def test_a_leaf_output_has_no_operation_to_sweep():
    leaf = pg.Value(1.0)
    assert operation_order(leaf) == [] and pg.topological_order(leaf) == [leaf]
    assert pg.count_paths(leaf, leaf) == 1 and pg.forward_grad(leaf, leaf) == 1.0


def test_post_order_lists_the_first_operand_side_first():
    a, b = pg.Value(1.0, name="a"), pg.Value(2.0, name="b")
    left = (a * 2.0).exp()
    right = b.tanh()
    out = right + left  # right is the first operand
    assert [n.label for n in pg.topological_order(out)] == ["b", "tanh", "a", "mul", "exp", "add"]
    assert [n.label for n in operation_order(out)] == ["tanh", "mul", "exp", "add"]


def test_no_forward_question_builds_children_lists(monkeypatch):
    def refuse(self):
        raise AssertionError("a sweep asked for children lists")

    monkeypatch.setattr(pg.Graph, "children_lists", refuse)
    x = pg.Value(0.3, name="x")
    h = (x * x).tanh() * x + x.sigmoid()
    c = (h * h + h).exp()
    exact = pg.grad(c, [x])[0]
    for target in (c, pg.Graph(c)):
        assert pg.forward_grad(target, x) == pytest.approx(exact, rel=1e-12)
        assert pg.count_paths(x, target) == 12  # h: 2 + 1 + 1 paths; h*h + h: 4*2 + 4
        assert pg.path_stats(x, target).gradient == pytest.approx(exact, rel=1e-12)
        sample = pg.sample_paths(x, target, n=2000, seed=3, proposal="uniform")
        assert abs(sample.estimate - exact) <= 4 * sample.stderr
        assert pg.top_paths(x, target, k=3)[0].product == pytest.approx(
            max(p.product for p in pg.top_paths(x, target, k=12, by="positive")), rel=1e-12
        )


def test_a_leaf_of_another_graph_is_told_apart_from_a_leaf_with_no_path():
    x, other = pg.Value(1.0, name="x"), pg.Value(2.0, name="other")
    c = x * 0.0  # one path, of product 0
    assert pg.count_paths(x, c) == 1 and pg.top_paths(x, c) == []
    assert pg.sample_paths(x, c, n=5).estimate == 0.0
    for call, nothing in [(lambda: pg.count_paths(other, c), 0),
                          (lambda: pg.forward_grad(c, other), 0.0),
                          (lambda: pg.top_paths(other, c), []),
                          (lambda: pg.path_stats(other, c).count, 0),
                          (lambda: pg.sample_paths(other, c, n=5).estimate, 0.0)]:
        with pytest.warns(pg.PathgradWarning, match="other does not reach mul"):
            assert call() == nothing
    with pytest.raises(ValueError, match="computed from mul, so it cannot change it"):
        pg.count_paths(c.exp(), c)
    assert math.isclose(pg.forward_grad(c, c), 1.0)


def test_a_source_that_is_not_a_value_is_refused_by_name():
    c = pg.Value(2.0) * 3.0
    for call, who in [(lambda: pg.forward_grad(c, "w"), "forward_grad"),
                      (lambda: pg.count_paths(1.5, c), "count_paths"),
                      (lambda: pg.sample_paths(None, c), "sample_paths"),
                      (lambda: pg.top_paths([], c), "top_paths"),
                      (lambda: pg.path_stats(c.op, c), "path_stats")]:
        with pytest.raises(pg.PathgradError, match=f"^{who}: expected a pathgrad Value, got"):
            call()
