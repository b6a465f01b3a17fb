"""The semiring sweeps against brute force on random rate-factor DAGs, and the hand-written
hot paths against their semiring specification."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.pathsums.semirings import (
    ABS_MASS,
    COUNT,
    MAX_PRODUCT,
    SUM_PRODUCT,
    forward_sweep,
    graded,
    product,
)
from tests.reference import all_paths, path_products
from tests.strategies import dags


@settings(max_examples=80, deadline=None)
@given(dags())
def test_semiring_sweeps_equal_brute_force(case):
    graph, source = case
    routes = all_paths(source, graph)
    products = path_products(source, graph)
    assert forward_sweep(source, graph, COUNT) == len(routes)
    total = forward_sweep(source, graph, SUM_PRODUCT)
    assert total == pytest.approx(math.fsum(products), rel=1e-9, abs=1e-9)
    mass = forward_sweep(source, graph, ABS_MASS)
    assert mass == pytest.approx(math.fsum(map(abs, products)), rel=1e-9, abs=1e-12)
    best = forward_sweep(source, graph, MAX_PRODUCT)
    assert best == pytest.approx(max(map(abs, products)), rel=1e-12)
    by_length = forward_sweep(source, graph, graded(product(COUNT, SUM_PRODUCT)))
    for length in {len(route) for route in routes}:
        chosen = [p for route, p in zip(routes, products, strict=True) if len(route) == length]
        n, s = by_length[length]
        assert n == len(chosen)
        assert s == pytest.approx(math.fsum(chosen), rel=1e-9, abs=1e-9)
    assert sum(n for n, _ in by_length.values()) == len(routes)


@settings(max_examples=80, deadline=None)
@given(dags())
def test_backward_and_adjoints_equal_brute_force_path_sums(case):
    # Nodes with three or four parents (and parallel edges) take Value.backward's general
    # branch, which the expression graphs of the catalogue never reach.
    graph, _ = case
    graph.output.backward()
    adjoint = pg.adjoints(graph)
    for node in graph.nodes:
        expected = math.fsum(path_products(node, graph))
        assert node.grad == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert adjoint[graph.index[node]] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_a_node_that_does_not_reach_the_output_has_no_paths():
    x, y = pg.Value(1.0), pg.Value(2.0)
    out = x * 3.0
    assert forward_sweep(y, out, COUNT) is None
    assert forward_sweep(x, out, SUM_PRODUCT) == 3.0
    with pytest.raises(TypeError, match="expected a Value"):
        forward_sweep("x", out, COUNT)
