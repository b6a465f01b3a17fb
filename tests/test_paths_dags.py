"""Random rate-factor DAGs for the path tests, a brute-force path lister, and semiring sweeps.

The strategy draws graphs with parallel edges, zero rates, negative rates and repeated rate
values (so that ties happen). Every node is made by an operation whose partials are the drawn
rates, so the graph's edges carry exactly those numbers.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.semiring import (
    ABS_MASS,
    COUNT,
    MAX_PRODUCT,
    SUM_PRODUCT,
    forward_sweep,
    graded,
    product,
)

RATES = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0]),
    st.floats(-3.0, 3.0, allow_nan=False).filter(lambda r: abs(r) > 1e-3),
)
MAX_PATHS = 3000


def rate_op(name: str, rates: tuple[float, ...]) -> pg.Op:
    """An operation whose edges carry ``rates`` (its value is irrelevant here)."""
    return pg.Op(name, lambda *xs: 0.0, lambda *xs: rates)


@st.composite
def dags(draw, max_inner: int = 8, max_parents: int = 4):
    """``(graph, source)``: a random DAG and one of its nodes with at most MAX_PATHS paths."""
    nodes = [pg.Value(0.0, name=f"x{i}") for i in range(draw(st.integers(1, 3)))]
    for i in range(draw(st.integers(2, max_inner))):
        width = draw(st.integers(1, max_parents))
        low = max(0, len(nodes) - 4) if draw(st.booleans()) else 0
        parents = [nodes[draw(st.integers(low, len(nodes) - 1))] for _ in range(width)]
        rates = tuple(draw(RATES) for _ in parents)
        nodes.append(rate_op(f"f{i}", rates)(*parents, name=f"v{i}"))
    # Nodes nothing uses would fall out of the graph (half the cases had one path or none
    # worth the name): the output takes them as parents too.
    used = {id(p) for node in nodes for p in node.parents}
    dangling = [node for node in nodes[:-1] if id(node) not in used]
    if dangling:
        parents = [nodes[-1], *dangling]
        rates = tuple(draw(RATES) for _ in parents)
        nodes.append(rate_op("out", rates)(*parents, name="out"))
    graph = pg.Graph(nodes[-1])
    # Not the output itself: its single empty path made a third of all cases trivial (the
    # tests of each sweep cover that case by hand). Early nodes, which have the most paths,
    # are favoured.
    early = graph.nodes[: (len(graph.nodes) + 1) // 2]
    source = draw(st.sampled_from(early) | st.sampled_from(graph.nodes[:-1]))
    assume(pg.count_paths(source, graph) <= MAX_PATHS)
    return graph, source


def all_paths(source: pg.Value, graph: pg.Graph) -> list[list[tuple[pg.Value, int, float]]]:
    """Every path as a list of edges ``(head, slot, rate)``, by a plain depth-first search.

    Independent of pathgrad.paths: children are rebuilt here from each node's parents.
    """
    children: dict[pg.Value, list] = {node: [] for node in graph.nodes}
    for node in graph.nodes:
        for slot, (parent, rate) in enumerate(zip(node.parents, node.rates, strict=True)):
            children[parent].append((node, slot, rate))
    found = []
    stack = [(source, [])]
    while stack:
        node, route = stack.pop()
        if node is graph.output:
            found.append(route)
            continue
        for head, slot, rate in children[node]:
            stack.append((head, [*route, (head, slot, rate)]))
    return found


def as_path(source: pg.Value, route) -> pg.Path:
    return pg.Path((source, *(head for head, _, _ in route)), tuple(r for _, _, r in route))


@settings(max_examples=80, deadline=None)
@given(dags())
def test_semiring_sweeps_equal_brute_force(case):
    graph, source = case
    routes = all_paths(source, graph)
    products = [math.prod(r for _, _, r in route) for route in routes]
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
        expected = math.fsum(
            math.prod(r for _, _, r in route) for route in all_paths(node, graph)
        )
        assert node.grad == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert adjoint[graph.index[node]] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_a_node_that_does_not_reach_the_output_has_no_paths():
    x, y = pg.Value(1.0), pg.Value(2.0)
    out = x * 3.0
    assert forward_sweep(y, out, COUNT) is None
    assert forward_sweep(x, out, SUM_PRODUCT) == 3.0
    with pytest.raises(TypeError, match="expected a Value"):
        forward_sweep("x", out, COUNT)
