"""Vertex elimination: path sums kept by every order, counts by hand, big graphs, bad input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.pathsums import complexity
from pathgrad.pathsums.elimination import EliminationBudgetError
from pathgrad.pathsums.enumeration import path_sum
from pathgrad.support.errors import NotFiniteError
from tests.strategies import dags, rate_op


@st.composite
def graphs_and_orders(draw):
    graph, _ = draw(dags())
    inner = [n for n in graph.nodes if n.parents and n is not graph.output]
    chosen = draw(st.lists(st.sampled_from(inner), unique=True)) if inner else []
    return graph, draw(st.permutations(chosen))


@settings(max_examples=100, deadline=None)
@given(graphs_and_orders())
def test_any_explicit_order_keeps_every_path_sum(case):
    graph, order = case
    result = pg.eliminate(graph, order)
    assert result.eliminated == list(order)
    assert len(result) == len(graph) - len(order)
    for node in result.nodes:
        expected = path_sum(node, graph, limit=None)
        assert result.derivative(node) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(dags(), st.sampled_from(["forward", "reverse", "markowitz"]))
def test_eliminating_every_intermediate_leaves_one_edge_per_input(case, order):
    graph, _ = case
    result = pg.eliminate(graph, order)
    leaves = graph.leaves
    assert result.nodes == [*leaves, graph.output]
    intermediates = [n for n in graph.nodes if n.parents and n is not graph.output]
    assert sorted(map(id, result.eliminated)) == sorted(map(id, intermediates))  # each once
    assert [(e.src, e.dst) for e in result.edges] == [(leaf, graph.output) for leaf in leaves]
    for leaf, g in zip(leaves, pg.grad(graph, leaves), strict=True):
        assert result.rate(leaf) == pytest.approx(g, rel=1e-9, abs=1e-9)


def hand_graph():
    x, y = pg.Value(2.0, name="x"), pg.Value(3.0, name="y")
    a = x * y
    a.name = "a"
    b = a * a  # two parallel edges a → b, each of rate a
    b.name = "b"
    c = b + x
    c.name = "C"
    return x, y, a, b, c


def test_counts_by_hand():
    x, y, a, b, c = hand_graph()
    # ∂C/∂x = 2a·y + 1 = 37, ∂C/∂y = 2a·x = 24
    reverse = pg.eliminate(c, "reverse")  # b: 1 pred × 1 succ, then a: 2 preds × 1 succ
    assert (reverse.multiplications, reverse.rate(x), reverse.rate(y)) == (3, 37.0, 24.0)
    # additions: the parallel edges a → b merged (1), then x → C met the old edge x → C (1)
    assert reverse.additions == 2
    forward = pg.eliminate(c, "forward")  # a: 2 preds × 1 succ, then b: 2 preds × 1 succ
    assert (forward.multiplications, forward.rate(x), forward.rate(y)) == (4, 37.0, 24.0)
    only_a = pg.eliminate(c, [a])
    assert only_a.rate(x, b) == 2 * a.data * y.data and only_a.rate(y, b) == 2 * a.data * x.data
    assert only_a.derivative(x) == 37.0 and only_a.multiplications == 2
    # No edge y → x, none x → y, none from the output: their rates are 0 (the docstring's)
    assert (only_a.rate(y, x), only_a.rate(x, y), only_a.rate(c, x)) == (0.0, 0.0, 0.0)
    assert reverse.rate(a) == 0.0  # a was eliminated: no edge from it is left
    assert "explicit elimination of 1 nodes: 2 multiplications" in str(only_a)


def test_markowitz_picks_the_cheapest_node_first():
    x, y, a, b, c = hand_graph()
    result = pg.eliminate(c, "markowitz")
    assert result.eliminated == [b, a]  # b: 1·1 pairs, a: 2·1 pairs
    assert result.multiplications == 3


def test_reverse_order_costs_one_multiplication_per_edge_on_a_long_chain():
    x = v = pg.Value(1.0, name="x")
    step = rate_op("step", (0.999999,))
    for _ in range(100_000):  # no recursion anywhere
        v = step(v)
    result = pg.eliminate(v, "reverse")
    assert result.multiplications == 100_000 - 1
    assert result.rate(x) == pytest.approx(0.999999**100_000, rel=1e-9)


def test_reverse_order_is_linear_in_edges_on_a_layered_graph():
    layer = [pg.Value(float(i), name=f"x{i}") for i in range(10)]
    rates = tuple(0.1 * (k + 1) for k in range(10))
    for _ in range(50):
        layer = [rate_op("mix", rates)(*layer) for _ in range(10)]
    graph = pg.Graph(rate_op("sum", (1.0,) * 10)(*layer))
    result = pg.eliminate(graph, "reverse")
    edges_into_intermediates = sum(len(n.parents) for n in graph.nodes[:-1])
    assert result.multiplications == edges_into_intermediates == 5000
    assert pg.eliminate(graph, "forward").multiplications > 5 * result.multiplications
    grads = pg.grad(graph, graph.leaves)
    assert [result.rate(leaf) for leaf in graph.leaves] == pytest.approx(grads, rel=1e-9)


def test_eliminating_the_operation_nodes_leaves_the_neuron_level_graph():
    def sigmoid_prime(z):
        s = 1 / (1 + math.exp(-z))
        return s * (1 - s)

    x = [pg.Value(0.3, name="a^1_1"), pg.Value(-0.8, name="a^1_2")]
    w = [[pg.Value(0.5, name="w^2_11"), pg.Value(-1.1, name="w^2_12")]]
    b = pg.Value(0.2, name="b^2_1")
    z = w[0][0] * x[0] + w[0][1] * x[1] + b
    a = z.sigmoid()
    a.name = "a^2_1"
    cost = 0.5 * (a - 1.0) ** 2
    result = pg.eliminate(cost, "reverse", keep=[a])
    sp = sigmoid_prime(z.data)
    assert [n for n in result.nodes if n.parents] == [a, result.output]
    assert result.rate(x[1], a) == pytest.approx(sp * w[0][1].data, rel=1e-12)
    assert result.rate(w[0][1], a) == pytest.approx(sp * x[1].data, rel=1e-12)
    assert result.rate(b, a) == pytest.approx(sp, rel=1e-12)
    assert result.rate(a) == pytest.approx(a.data - 1.0, rel=1e-12)
    assert len(result.edges) == 6  # five edges into a^2_1, one from it to C


@pytest.mark.parametrize(
    "order, message",
    [("sideways", "order must be one of forward, reverse, markowitz"),
     ("leaf", "is a leaf; only intermediate nodes"),
     ("output", "is the output; only intermediate nodes"),
     ("twice", "appears twice"),
     ("stranger", "does not reach"),
     ("node", "order must be 'forward'")],
)
def test_bad_orders_are_clear_errors(order, message):
    x, y, a, b, c = hand_graph()
    orders = {"leaf": [x], "output": [c], "twice": [a, a], "stranger": [pg.Value(1.0)],
              "node": a}
    with pytest.raises((ValueError, TypeError), match=message):
        pg.eliminate(c, orders.get(order, order))


def test_an_order_that_fills_in_too_much_is_stopped_at_its_budget():
    net = pg.Network([6, 8, 8, 8, 3], seed=0)
    g = net.graph([[0.1]] * 6, [[1.0], [0.0], [0.0]], level="neuron")
    full = pg.eliminate(g, "forward", keep=g.params())
    with pytest.raises(EliminationBudgetError, match="max_multiplications=100") as stopped:
        pg.eliminate(g, "forward", keep=g.params(), max_multiplications=100)
    assert 100 < stopped.value.spent <= full.multiplications
    within = pg.eliminate(g, "forward", keep=g.params(), max_multiplications=full.multiplications)
    assert within.multiplications == full.multiplications


def test_cost_report_marks_an_elimination_stopped_at_its_budget(monkeypatch):
    monkeypatch.setattr(complexity, "ELIMINATION_BUDGET", 0)
    net = pg.Network([6, 8, 8, 8, 3], seed=0)
    g = net.graph([[0.1]] * 6, [[1.0], [0.0], [0.0]], level="neuron")
    report = pg.cost_report(g, g.params())
    forward = report.row("eliminate, forward")
    assert forward.stopped and "(at least)" in str(report)
    assert not report.row("eliminate, reverse").stopped


def test_an_eliminated_edge_that_overflows_names_the_node_and_the_new_edge():
    """``z = (x·1e300)·1e300`` at x = 1e-300: eliminating the middle node makes the edge x → z of
    rate 1e600; elimination says so where it happens, not later at the derivative."""
    x = pg.Value(1e-300, name="x")
    m = x * 1e300
    m.name = "m"
    z = m * 1e300
    z.name = "z"
    with pytest.raises(NotFiniteError, match=r"^eliminating m: the rate of the new edge x → z is "
                                             "inf"):
        pg.eliminate(z, "forward")
