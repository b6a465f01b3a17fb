"""The three sums over paths on hand-made graphs, and the path limit."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from tests.strategies import dags


def diamond_chain(depth: int) -> tuple[pg.Value, pg.Value]:
    """Each layer splits into two branches and joins again: 2**depth paths."""
    x = pg.Value(0.9, name="x")
    node = x
    for _ in range(depth):
        node = node.tanh() + node.sigmoid()
    return x, node


def test_paths_are_deterministic_and_sum_to_the_gradient():
    x, C = diamond_chain(6)
    first = [tuple(map(id, p.nodes)) for p in pg.paths(x, C)]
    second = [tuple(map(id, p.nodes)) for p in pg.paths(x, C)]
    assert first == second
    assert len(first) == 64 == pg.count_paths(x, C)
    assert pg.path_sum(x, C) == pytest.approx(pg.grad(C, [x])[0], rel=1e-13)


def test_each_path_is_a_chain_of_edges_whose_rates_are_stored_on_the_graph():
    x, C = diamond_chain(3)
    for path in pg.paths(x, C):
        assert path.nodes[0] is x and path.nodes[-1] is C
        for edge in path.edges:
            assert (edge.src, edge.rate) in list(zip(edge.dst.parents, edge.dst.rates))
        assert len(path) == len(path.nodes) - 1


def test_path_limit_raises_a_clear_error_with_the_count_instead_of_hanging():
    x, C = diamond_chain(70)
    assert pg.count_paths(x, C) == 2**70
    with pytest.raises(pg.PathLimitError, match="1,180,591,620,717,411,303,424 paths"):
        pg.paths(x, C)
    with pytest.raises(pg.PathLimitError, match="limit=10"):
        pg.path_sum(x, C, limit=10)


def test_path_from_the_output_to_itself_is_empty_with_product_one():
    x = pg.Value(2.0)
    [path] = list(pg.paths(x, x))
    assert path.nodes == (x,) and path.rates == () and path.product == 1.0


def test_path_string_shows_route_factors_and_product():
    a = pg.Value(2.0, name="a")
    b = a * 3
    b.name = "b"
    [path] = list(pg.paths(a, b))
    assert str(path) == "a → b: 3 = 3"


def test_paths_print_the_names_the_pictures_use():
    w, x = pg.Value(0.5, name="w^2_12"), pg.Value(2.0, name="x")
    C = (w * x + 1) ** 2
    [path] = list(pg.paths(w, C))
    assert path.route == "w²₁₂ → × → + 1 → (·)²"
    assert str(path) == "w²₁₂ → × → + 1 → (·)²: 2 × 1 × 4 = 8"
    picture = pg.draw(C, highlight=path)
    assert f"path #1 {path.route}" in picture.caption


def test_forward_grads_needs_one_sweep_per_input():
    a, b = pg.Value(2.0), pg.Value(-1.0)
    C = (a * b).exp()
    assert pg.forward_grads(C, [a, b]) == pytest.approx(pg.grad(C, [a, b]), rel=1e-15)


@settings(max_examples=60, deadline=None)
@given(dags(), st.data())
def test_a_paths_number_is_its_place_in_the_listing_found_without_listing(dag, data):
    graph, source = dag
    every = list(pg.paths(source, graph))
    assert pg.path_numbers(every, graph) == list(range(1, len(every) + 1))  # twins in turn
    twins = Counter((p.nodes, p.rates) for p in every)
    single = [i for i, p in enumerate(every) if twins[(p.nodes, p.rates)] == 1]
    if single:
        picked = data.draw(st.lists(st.sampled_from(single), max_size=6, unique=True))
        assert pg.path_numbers([every[i] for i in picked], graph) == [i + 1 for i in picked]


def test_the_numbers_of_the_largest_paths_and_of_twins():
    x, C = diamond_chain(5)
    every = list(pg.paths(x, C))
    top = pg.top_paths(x, C, k=4)
    assert pg.path_numbers(top, C) == [every.index(p) + 1 for p in top]
    y = pg.Value(3.0, name="y")
    out = y * y + 1.0  # two parallel edges, the same rate: two identical paths
    twins = list(pg.paths(y, out))
    assert len(twins) == 2 and pg.path_numbers(twins, out) == [1, 2]
    assert pg.path_numbers(twins[:1], out) == [1]


def test_only_paths_of_the_graph_to_its_output_are_numbered():
    x, C = diamond_chain(2)
    inner = next(iter(pg.paths(x, C.parents[0])))
    with pytest.raises(pg.PathgradError, match="does not end at the output"):
        pg.path_numbers([inner], C)
    with pytest.raises(pg.PathgradError, match="is not in this graph"):
        pg.path_numbers([pg.Path((x, C), (1.0,))], C)  # no edge x → C


def test_the_default_limit_lets_exactly_100_000_paths_through_and_no_more():
    """A node summing n parallel edges from x has n paths (listing is lazy, so nothing is
    walked here); ``limit`` is inclusive."""
    x = pg.Value(1.0, name="x")
    for n, refused in ((100_000, False), (100_001, True)):
        C = pg.value.Op("sum", lambda *v: sum(v), lambda *v: (1.0,) * len(v))(*[x] * n)
        assert pg.count_paths(x, C) == n
        if refused:
            with pytest.raises(pg.PathLimitError, match="100,001 paths.*limit=100,000"):
                pg.paths(x, C)
        else:
            pg.paths(x, C)
    a = x * 2.0
    C = a + a
    assert len(list(pg.paths(x, C, limit=2))) == 2  # as many as the limit: listed


def test_a_source_that_does_not_reach_has_no_paths_and_a_count_of_zero():
    x, stranger = pg.Value(1.0, name="x"), pg.Value(2.0, name="stranger")
    C = x * 3.0
    with pytest.warns(pg.PathgradWarning, match="does not reach"):
        assert pg.count_paths(stranger, C) == 0
    with pytest.warns(pg.PathgradWarning, match="does not reach"):
        assert list(pg.paths(stranger, C)) == []


def test_counts_past_two_to_the_64_are_exact_under_max_bits_and_without_it():
    x, C = diamond_chain(70)
    assert pg.count_paths(x, C, max_bits=10_000) == 2**70
    assert pg.count_paths(x, C, max_bits=None) == 2**70
