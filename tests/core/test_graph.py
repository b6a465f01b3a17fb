"""Graph: topological order without recursion, edges, parents and children, re-evaluation."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.book.network_graphs import subscript
from pathgrad.names import pretty, typed_name
from pathgrad.support.errors import PathgradKeyError, PathgradValueError


def test_nodes_are_in_topological_order_and_end_with_the_output():
    a, b = pg.Value(2.0, name="a"), pg.Value(1.0, name="b")
    c = a + b
    d = b + 1
    e = c * d
    g = pg.Graph(e)
    position = g.index
    assert g.nodes[-1] is e and g.C is e
    for node in g.nodes:
        for parent in node.parents:
            assert position[parent] < position[node]
    assert set(g.nodes) == {a, b, c, d, e}


def test_edges_parents_children_with_rates():
    x = pg.Value(3.0, name="x")
    y = x * x
    z = y + x
    g = pg.Graph(z)
    assert len(g.edges) == g.edge_count == 4
    assert [(e.src, e.dst, e.rate) for e in g.parents(y)] == [(x, y, 3.0), (x, y, 3.0)]
    assert [(e.dst, e.rate) for e in g.children(x)] == [(y, 3.0), (y, 3.0), (z, 1.0)]
    assert g.children(z) == []
    assert g.find("x") is x and g["x"] is x
    with pytest.raises(KeyError, match="no node named 'w'"):
        g.find("w")
    with pytest.raises(ValueError, match="not in this graph"):
        g.children(pg.Value(1.0))


def test_a_chain_of_a_million_nodes_works_without_recursion():
    x = pg.Value(0.5)
    node = x
    for _ in range(1_000_000):
        node = node * 1.0
    g = pg.Graph(node)
    assert len(g) == 1_000_001
    node.backward()
    assert x.grad == 1.0
    assert pg.forward_grad(g, x) == 1.0
    assert pg.count_paths(x, g) == 1


def test_evaluate_recomputes_values_and_rates_without_touching_the_original():
    w, x = pg.Value(0.5, name="w"), pg.Value(2.0, name="x")
    a = (w * x).sigmoid()
    g = pg.Graph(a)
    h = g.evaluate({w: -1.0})
    assert a.data == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert h.C.data == pytest.approx(1 / (1 + math.exp(2.0)))
    s = h.C.data
    assert h.C.rates == pytest.approx((s * (1 - s),))
    assert h.find("w").data == -1.0 and w.data == 0.5
    assert pg.grad(h.C, [h.find("w")])[0] == pytest.approx(s * (1 - s) * 2.0)
    assert g.value_at({x: 0.0}) == 0.5


def test_value_at_can_hold_an_intermediate_node_fixed():
    x = pg.Value(1.0)
    z = x * 3
    C = z * z
    g = pg.Graph(C)
    assert g.value_at({z: 2.0}) == 4.0
    assert g.value_at({z: 2.0, x: 100.0}) == 4.0
    # The copy holds z at 2: C = z² moves by 2z = 4 per unit of z, and x no longer moves it.
    h = g.evaluate({z: 2.0})
    x2, z2 = h.nodes[g.index[x]], h.nodes[g.index[z]]
    assert h.C.data == 4.0 and z2.data == 2.0 and z2.rates == (0.0,)
    assert pg.grad(h, [x2, z2]) == [0.0, 4.0]
    assert pg.forward_grad(h, x2) == 0.0 and pg.count_paths(x2, h) == 2  # z * z: two edges


def test_evaluate_rejects_bad_substitutions():
    x = pg.Value(1.0)
    g = pg.Graph(x.exp())
    with pytest.raises(ValueError, match="not in this graph"):
        g.evaluate({pg.Value(2.0): 1.0})
    with pytest.raises(TypeError, match="evaluate takes"):
        g.evaluate({"x": 1.0})
    with pytest.raises(ValueError, match="non-finite"):
        g.value_at({x: float("nan")})
    with pytest.raises(ValueError, match="exp"):
        g.value_at({x: 1000.0})


def test_graph_of_a_non_value_is_a_type_error():
    with pytest.raises(TypeError, match="expected a pathgrad Value"):
        pg.Graph(3.0)


@pytest.mark.parametrize(
    ("call", "usage"),
    [
        (lambda w, C: pg.path_sum(C, w), r"path_sum\(w, C\)"),
        (lambda w, C: list(pg.paths(C, w)), r"paths\(w, C\)"),
        (lambda w, C: pg.count_paths(C, w), r"count_paths\(w, C\)"),
        (lambda w, C: pg.top_paths(C, w), r"top_paths\(w, C\)"),
        (lambda w, C: pg.path_stats(C, w), r"path_stats\(w, C\)"),
        (lambda w, C: pg.sample_paths(C, w), r"sample_paths\(w, C\)"),
        (lambda w, C: pg.grad(w, [C]), r"grad\(C, \[w, \.\.\.\]\)"),
        (lambda w, C: pg.forward_grad(w, C), r"forward_grad\(C, w\)"),
        (lambda w, C: pg.numeric_grad(w, C), r"numeric_grad\(C, w\)"),
        (lambda w, C: pg.check(w, wrt=[C]), r"check\(C, wrt=\[w, \.\.\.\]\)"),
    ],
)
def test_swapped_arguments_are_an_error_that_shows_the_order(call, usage):
    w = pg.Value(0.5, name="w")
    C = (w * 3.0).sigmoid()
    C.name = "C"
    with pytest.raises(ValueError, match=f"C is computed from w, so it cannot change it.*{usage}"):
        call(w, C)


def test_check_refuses_a_node_that_does_not_reach_the_output():
    w, stranger = pg.Value(0.5, name="w"), pg.Value(1.0, name="stranger")
    C = w * w
    with pytest.raises(ValueError, match="check: stranger does not reach"):
        pg.check(C, wrt=[w, stranger])
    other = pg.Network([2, 2], seed=0).graph([0.1, 0.2], 0)
    with pytest.raises(ValueError, match="w\\^2_11 does not reach C"):
        pg.check(pg.Network([2, 2], seed=0).graph([0.1, 0.2], 0), wrt=[other.w(2, 1, 1)])


@given(st.sampled_from("wbaz"), st.integers(1, 12), st.lists(st.integers(1, 12), min_size=1,
                                                             max_size=2))
def test_a_name_is_found_as_typed_and_as_printed(symbol, layer, indices):
    name = f"{symbol}^{layer}_{subscript(*indices)}"
    node = pg.Value(1.0, name=name)
    graph = pg.Graph(node * 2.0)
    assert typed_name(pretty(name)) == name
    assert graph.find(name) is node and graph.find(pretty(name)) is node


def test_a_wrong_name_lists_the_names_of_the_kind_asked_for():
    graph = pg.Network([2, 3, 2], seed=1).graph([0.5, 0.9], [1, 0])
    with pytest.raises(KeyError) as error:
        graph.find("w^7_11")
    message = str(error.value)
    assert "its weights are w^2_11, w^2_12, w^2_21, …, w^3_22, w^3_23 (12 in all)" in message
    assert "a^" not in message and "b^" not in message
    biases = "its biases are b^2_1, b^2_2, b^2_3, b^3_1, b^3_2"
    with pytest.raises(KeyError, match=re.escape(biases)):
        graph.find("b²₉")  # a printed name of no node: the hint still reads its kind
    with pytest.raises(KeyError) as error:
        graph.find("q")  # a kind the graph has none of: every kind it has
    message = str(error.value)
    for part in ("activations a^1_1", "biases b^2_1", "weights w^2_11", "C"):
        assert part in message


@pytest.mark.parametrize(
    ("printed", "typed"),
    [("a²", "a^2"), ("w₁₂", "w_12"), ("w²₃,₁₂", "w^2_3,12"), ("²₁", "²₁"), ("w²x", "w²x"),
     ("w²,₁", "w²,₁"), ("C", "C"), ("δ²₁", "δ^2_1")],
)
def test_a_printed_name_is_read_back_and_anything_else_left_as_it_is(printed, typed):
    assert typed_name(printed) == typed


def test_a_hint_lists_its_kind_in_book_order_and_shortens_a_long_list():
    graph = pg.Network([12, 2, 1], seed=1).graph([0.5] * 12, [1.0])
    with pytest.raises(KeyError) as error:
        graph.find("w^9_99")
    assert "its weights are w^2_11, w^2_12, w^2_13, …, w^3_11, w^3_12 (26 in all)" in str(
        error.value)  # by layer and index, w^2_1,10 after w^2_19: not alphabetical
    eight = pg.Network([2, 5, 3], seed=1).graph([0.5, 0.5], [1.0, 0.0, 0.0])
    with pytest.raises(KeyError) as error:
        eight.find("b^4_1")
    assert str(error.value).endswith(
        "its biases are b^2_1, b^2_2, b^2_3, b^2_4, b^2_5, b^3_1, b^3_2, b^3_3")  # all eight
    with pytest.raises(KeyError) as error:
        eight.find("C^2")  # the one node named C is not a kind to list
    assert "its named nodes are C; activations a^1_1" in str(error.value)


def test_edges_of_a_node_outside_the_graph_and_a_name_that_is_not_text_are_refused():
    x, stranger = pg.Value(1.0, name="x"), pg.Value(3.0, name="s")
    graph = pg.Graph(x * 2.0)
    for edges in (graph.parents, graph.children):
        with pytest.raises(PathgradValueError, match="is not in this graph"):
            edges(stranger)
    with pytest.raises(PathgradKeyError, match="no node named 3 in this graph"):
        graph.find(3)


def test_a_re_run_counts_itself_and_the_edges_it_reads():
    x, y = pg.Value(1.0, name="x"), pg.Value(2.0, name="y")
    graph = pg.Graph(x * y + x)  # mul reads 2 edges, add 2
    before, runs = graph.edges_read, graph.evaluations
    graph.evaluate({x: 3.0})
    assert (graph.edges_read - before, graph.evaluations - runs) == (4, 1)
