"""The sweep engine: forward and backward sweeps over any semiring, and the hand-written hot
paths (``adjoints``, ``forward_grad``, ``count_paths``, ``Value.backward``) against it."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.pathsums.semirings import COUNT, COUNT_AND_LENGTH
from pathgrad.sweeps import SUM_PRODUCT, counted, nodes_after, sweep_backward, sweep_forward
from tests.reference import all_paths, path_products
from tests.strategies import dags, random_graphs


@settings(max_examples=80, deadline=None)
@given(dags())
def test_backward_sweep_at_every_node_is_the_sum_over_its_paths(case):
    graph, source = case
    backward = sweep_backward(graph, SUM_PRODUCT)
    forward = sweep_forward(graph, source, SUM_PRODUCT)
    for node in graph.nodes:
        routes = all_paths(node, graph)
        if not routes:
            assert backward[graph.index[node]] is None
            continue
        brute = math.fsum(path_products(node, graph))
        assert backward[graph.index[node]] == pytest.approx(brute, rel=1e-9, abs=1e-9)
    assert forward.get(graph.output, 0.0) == pytest.approx(
        backward[graph.index[source]] or 0.0, rel=1e-9, abs=1e-9
    )


@settings(max_examples=80, deadline=None)
@given(dags())
def test_count_paths_equals_its_specification_the_count_sweep(case):
    graph, source = case
    for node in graph.nodes:
        assert pg.count_paths(node, graph) == sweep_forward(graph, node, COUNT).get(graph.output, 0)


@settings(max_examples=60, deadline=None)
@given(random_graphs())
def test_value_backward_equals_the_backward_sweep(rg):
    graph = pg.Graph(rg.output)
    rg.output.backward()
    spec = sweep_backward(graph, SUM_PRODUCT)
    for node, value in zip(graph.nodes, spec, strict=True):
        assert node.grad == pytest.approx(0.0 if value is None else value, rel=1e-12, abs=1e-300)


@settings(max_examples=60, deadline=None)
@given(dags())
def test_backward_count_and_length_sweep_equals_brute_force(case):
    graph, source = case
    routes = all_paths(source, graph)
    value = sweep_backward(graph, COUNT_AND_LENGTH)[graph.index[source]]
    count, total_length = value if value is not None else (0, 0)
    assert count == len(routes)
    assert total_length == sum(len(route) for route in routes)


def test_backward_sweep_stopped_part_way_holds_partial_sums():
    x = pg.Value(2.0, name="x")
    y = x * x  # two parallel edges into y
    c = y + x  # one more path from x
    graph = pg.Graph(c)
    full = sweep_backward(graph, SUM_PRODUCT)
    assert full[graph.index[x]] == 2 * 2.0 + 1.0
    after_c = sweep_backward(graph, SUM_PRODUCT, steps=1)
    assert after_c[graph.index[y]] == 1.0
    assert after_c[graph.index[x]] == 1.0  # only the direct edge x -> c so far
    assert sweep_backward(graph, SUM_PRODUCT, steps=0)[graph.index[x]] is None


def test_a_partial_sweep_counts_operation_nodes_only_and_steps_over_leaves():
    """A leaf made after an operation node sits between operation nodes in the order: the
    partial sweep must pass over it (it sends nothing) and go on, not stop there."""
    x = pg.Value(2.0, name="x")
    y = x * 3.0  # an operation node, made before the leaf w
    w = pg.Value(5.0, name="w")
    c = y * w
    graph = pg.Graph(c)
    assert graph.index[y] < graph.index[w] < graph.index[c]  # the leaf between the two
    for steps, want_x in ((0, None), (1, None), (2, 15.0), (None, 15.0)):
        values = sweep_backward(graph, SUM_PRODUCT, steps=steps)
        assert values[graph.index[x]] == want_x, steps
    assert sweep_backward(graph, SUM_PRODUCT, steps=1)[graph.index[w]] == 6.0
    assert pg.reverse_sweep_steps(graph) == 2


def test_a_node_that_does_not_reach_the_output_has_no_value():
    x, unrelated = pg.Value(1.0), pg.Value(3.0)
    graph = pg.Graph(x * 2.0)
    assert sweep_forward(graph, unrelated, COUNT) == {}
    assert sweep_forward(graph, x, COUNT)[graph.output] == 1
    assert math.isclose(pg.forward_grad(graph, x), 2.0)


def test_a_counted_sweep_tallies_each_multiplication_and_addition():
    """``C = a·b + a`` with ``a = x·y``, ``b = x + 1``: seven edges (x→a, y→a, x→b, a→mul,
    b→mul, mul→C, a→C), so the reverse sweep carries a value along each once, and adds where
    two values meet: at a (from mul and from C) and at x (from a and from b), two additions."""
    x, y = pg.Value(2.0, name="x"), pg.Value(3.0, name="y")
    a = x * y
    b = x + 1.0
    C = a * b + a
    counting, tally = counted(SUM_PRODUCT)
    assert (tally.extends, tally.pluses) == (0, 0)
    sweep_backward(pg.Graph(C), counting)
    assert (tally.extends, tally.pluses) == (7, 2)


def test_a_forward_sweep_from_an_operation_node_starts_after_it_in_a_graph_and_a_value():
    x = pg.Value(2.0, name="x")
    a = x * 3.0
    C = a * a + x
    graph = pg.Graph(C)
    assert list(nodes_after(graph, a)) == graph.nodes[graph.index[a] + 1:]
    assert a not in set(nodes_after(C, a))
    assert pg.forward_grad(graph, a) == pg.forward_grad(C, a) == 2 * a.data == 12.0


def test_a_sweep_that_overflows_names_its_paths_from_the_tail_to_the_head_both_ways():
    """The reverse sweep (grad) and the forward sweep (forward_grad) over ``z = (x·1e300)·1e300``
    at x = 1e-300 name the same paths, from x to z, whichever end they start from."""
    x = pg.Value(1e-300, name="x")
    z = (x * 1e300) * 1e300
    z.name = "z"
    for sweep in (lambda: pg.grad(z, [x]), lambda: pg.forward_grad(z, x)):
        with pytest.raises(pg.PathgradError, match=r"sweep over the paths from x to z gives inf"):
            sweep()
