"""The three sums over paths on hand-made graphs, and the path limit."""

from __future__ import annotations

import pytest

import pathgrad as pg


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
    assert f"path {path.route}" in picture.caption


def test_forward_grads_needs_one_sweep_per_input():
    a, b = pg.Value(2.0), pg.Value(-1.0)
    C = (a * b).exp()
    assert pg.forward_grads(C, [a, b]) == pytest.approx(pg.grad(C, [a, b]), rel=1e-15)
