"""path_stats against brute force on small graphs, and exact on a graph with 10^20 paths."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.support.errors import TooLargeError
from tests.reference import all_paths, path_products
from tests.strategies import dags, layered


@settings(max_examples=100, deadline=None)
@given(dags())
def test_path_stats_equal_brute_force(case):
    graph, source = case
    routes = all_paths(source, graph)
    products = path_products(source, graph)
    stats = pg.path_stats(source, graph)
    assert stats.count == len(routes) == pg.count_paths(source, graph)
    assert stats.gradient == pytest.approx(math.fsum(products), rel=1e-9, abs=1e-9)
    assert stats.gradient == pytest.approx(pg.grad(graph, [source])[0], rel=1e-9, abs=1e-9)
    mass = math.fsum(map(abs, products))
    assert stats.abs_mass == pytest.approx(mass, rel=1e-9, abs=1e-12)
    if mass > 0:
        assert stats.cancellation == pytest.approx(abs(math.fsum(products)) / mass, abs=1e-9)
        assert abs(stats.largest.product) == max(map(abs, products))
    else:
        assert stats.cancellation is None and stats.largest is None
    lengths = sorted({len(route) for route in routes})
    assert [b.length for b in stats.by_length] == lengths
    for b in stats.by_length:
        chosen = [p for route, p in zip(routes, products, strict=True) if len(route) == b.length]
        assert b.count == len(chosen)
        assert b.gradient == pytest.approx(math.fsum(chosen), rel=1e-9, abs=1e-9)
        assert b.abs_mass == pytest.approx(math.fsum(map(abs, chosen)), rel=1e-9, abs=1e-12)


def test_10_to_the_20_paths_counted_exactly_and_summed():
    x, graph = layered(width=10, depth=20, rate=0.5)
    stats = pg.path_stats(x, graph)
    assert stats.count == 10**20  # an exact Python integer, not a float
    assert isinstance(stats.count, int)
    expected = 10**20 * 0.5**21  # every path has 21 edges of rate 0.5
    assert stats.gradient == pytest.approx(expected, rel=1e-12)
    assert stats.gradient == pytest.approx(pg.grad(graph, [x])[0], rel=1e-12)
    assert stats.abs_mass == pytest.approx(expected, rel=1e-12)
    assert stats.cancellation == pytest.approx(1.0)
    assert [(b.length, b.count) for b in stats.by_length] == [(21, 10**20)]
    # Ties everywhere: the deterministic winner takes slot 0 at every step.
    assert [n.label for n in stats.largest.nodes] == ["x", *[f"n{d}_0" for d in range(1, 21)], "C"]


def test_cancellation_of_two_opposite_paths():
    x = pg.Value(2.0, name="x")
    out = x * 3.0 - x * 3.0  # two paths, +3 and -3
    stats = pg.path_stats(x, out)
    assert (stats.count, stats.gradient, stats.abs_mass, stats.cancellation) == (2, 0.0, 6.0, 0.0)
    assert "|∂C/∂w| / Σ |products|   0" in str(stats)
    assert "<table>" in stats._repr_html_()


def test_no_paths():
    x, y = pg.Value(1.0), pg.Value(2.0)
    with pytest.warns(pg.PathgradWarning, match="does not reach"):
        stats = pg.path_stats(y, x * 2.0)
    assert (stats.count, stats.gradient, stats.abs_mass) == (0, 0.0, 0.0)
    assert stats.largest is None and stats.cancellation is None and stats.by_length == []
    assert dict(stats.rows())["longest path"] == "0"


def test_overflowing_mass_is_a_clear_error():
    x, graph = layered(width=1000, depth=2, rate=1e200)
    with pytest.raises(pg.PathgradError, match="overflow the float range"):
        pg.path_stats(x, graph)


def test_the_text_and_html_forms_show_every_figure():
    """Both forms carry the same rows: count, sum (= ∂C/∂w), mass, cancellation, largest
    path and a row per path length, each with its own numbers in its own column."""
    x = pg.Value(0.5, name="w^2_12")
    y = x * 3.0
    c = y * y + x * -2.0  # two paths of length 3 (y·y has two edges), one of length 2
    stats = pg.path_stats(x, c)
    assert str(stats).splitlines() == [
        "Paths from w²₁₂ to the output",
        "  paths                    3",
        "  ∂C/∂w = Σ products (53)  7",
        "  Σ |products|             11",
        "  |∂C/∂w| / Σ |products|   0.6364",
        "  largest single product   4.5",
        "  longest path             3",
        "  largest path: w²₁₂ → × 3 → × → +: 3 × 1.5 × 1 = 4.5",
        "  by length:  length        paths      Σ products    Σ |products|",
        "                  2             1              -2                2",
        "                  3             2               9                9",
    ]
    page = stats._repr_html_()
    rows = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in [
        ("paths", "3"), ("∂C/∂w = Σ products (53)", "7"), ("Σ |products|", "11"),
        ("|∂C/∂w| / Σ |products|", "0.6364"), ("largest single product", "4.5"),
        ("longest path", "3")])
    assert page == (
        f"<p>Paths from w²₁₂ to the output</p><table>{rows}</table>"
        "<p>largest path: w²₁₂ → × 3 → × → +: 3 × 1.5 × 1 = 4.5</p>"
        "<table><tr><th>length</th><th>paths</th><th>Σ products</th><th>Σ |products|</th></tr>"
        "<tr><td>2</td><td>1</td><td>-2</td><td>2</td></tr>"
        "<tr><td>3</td><td>2</td><td>9</td><td>9</td></tr></table>"
    )
    none = pg.path_stats(x, (x * 0.0) * 2.0)  # one path, of product 0: no ratio, no largest
    assert "n/a" in str(none) and "<td>n/a</td>" in none._repr_html_()
    assert "largest path" not in str(none) and "largest path" not in none._repr_html_()


def test_max_bits_counts_every_large_count_it_holds_to_the_bit():
    """A chain ``y = (y + y)·0.5`` of 70 steps: after k steps both nodes of the step hold one
    length bin with 2^k paths. Counts from 2^64 on are added up, k + 1 bits each, two nodes a
    step: 2·(65 + 66 + ... + 71) = 952 bits in all. Exactly that many is allowed; one fewer is
    refused at the output, with the figure."""
    y = pg.Value(1.0, name="y")
    v = y
    for _ in range(70):
        v = (v + v) * 0.5
    assert 2 * sum(k + 1 for k in range(64, 71)) == 952
    assert pg.path_stats(y, v, max_bits=952).count == 2**70
    with pytest.raises(TooLargeError, match=r"holds counts of 952 bits: more than max_bits=951"):
        pg.path_stats(y, v, max_bits=951)
    # one bin at each of the 140 nodes after y: max_entries is inclusive too
    assert pg.path_stats(y, v, max_entries=140).count == 2**70
    with pytest.raises(TooLargeError, match="max_entries=139"):
        pg.path_stats(y, v, max_entries=139)
