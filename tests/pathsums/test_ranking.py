"""top_paths against brute force: the same paths, in the same order, on every small graph."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.support.errors import TooLargeError
from tests.reference import all_paths, as_path
from tests.strategies import dags, layered, rate_op


def brute_force_top(source, graph, k, by):
    """Rank every path by |product|, ties by (last slot, then the prefix's own rank)."""
    ranked = []
    for route in all_paths(source, graph):
        key, magnitude, sign = [], 1.0, 1
        for _, slot, rate in route:
            magnitude *= abs(rate)
            sign *= 1 if rate > 0 else -1
            key.append((-magnitude, slot))
        if any(rate == 0 for _, _, rate in route):
            continue
        if (by == "positive" and sign < 0) or (by == "negative" and sign > 0):
            continue
        ranked.append((tuple(reversed(key)), route))
    ranked.sort(key=lambda item: item[0])
    return [as_path(source, route) for _, route in ranked[:k]]


@settings(max_examples=150, deadline=None)
@given(dags(), st.integers(1, 6), st.sampled_from(["abs", "positive", "negative"]))
def test_top_paths_equal_brute_force(case, k, by):
    graph, source = case
    expected = brute_force_top(source, graph, k, by)
    got = pg.top_paths(source, graph, k=k, by=by)
    assert [(p.nodes, p.rates) for p in got] == [(p.nodes, p.rates) for p in expected]


def test_top_paths_of_a_hand_graph():
    x = pg.Value(3.0, name="x")
    y = pg.Value(-2.0, name="y")
    a = x * y  # rates y=-2 (from x), x=3 (from y)
    c = a * x + x  # x reaches c by: x→a→mul→c (-2·3·1), x→mul→c (a=-6, then 1), x→c (1)
    by_abs = pg.top_paths(x, c, k=3)
    assert [p.product for p in by_abs] == [-6.0, -6.0, 1.0]
    # A tie at 6: both enter c by slot 0; at the mul node the prefix from slot 0 (via a) wins.
    assert [len(p) for p in by_abs] == [3, 2, 1]
    assert [p.product for p in pg.top_paths(x, c, k=5, by="positive")] == [1.0]
    assert [p.product for p in pg.top_paths(x, c, k=1, by="negative")] == [-6.0]
    assert sum(p.product for p in pg.top_paths(x, c, k=10)) == pg.grad(c, [x])[0]


def test_zero_rate_paths_are_never_returned():
    x = pg.Value(1.0)
    out = rate_op("z", (0.0, 2.0))(x, x)
    assert [p.product for p in pg.top_paths(x, out, k=5)] == [2.0]


def test_very_long_paths_neither_underflow_nor_recurse():
    v = x = pg.Value(1.0)
    for _ in range(3000):
        v = rate_op("tiny", (1e-3, 1e-4))(v, v)
    best = pg.top_paths(x, v, k=2)
    assert [len(p) for p in best] == [3000, 3000]
    assert best[0].rates == (1e-3,) * 3000  # product 1e-9000: far below the float range
    assert sorted(best[1].rates) == [1e-4] + [1e-3] * 2999


def test_source_is_output_and_source_not_in_graph():
    x, y = pg.Value(1.0), pg.Value(2.0)
    assert [len(p) for p in pg.top_paths(x, x, k=3)] == [0]
    with pytest.warns(pg.PathgradWarning, match="top_paths: leaf does not reach"):
        assert pg.top_paths(y, x * 2.0, k=3) == []


@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_bad_k_is_a_clear_error(k):
    x = pg.Value(1.0)
    with pytest.raises(ValueError, match="k must be a whole number >= 1"):
        pg.top_paths(x, x * 2.0, k=k)


def test_bad_ranking_is_a_clear_error():
    x = pg.Value(1.0)
    with pytest.raises(ValueError, match="by must be one of abs, positive, negative"):
        pg.top_paths(x, x * 2.0, by="largest")


@pytest.mark.parametrize("by", ["abs", "negative"])
def test_a_k_that_would_make_too_many_prefixes_is_refused_up_front(by):
    """10⁴ paths through 42 nodes and 320 edges: each edge extends the prefixes its tail keeps,
    min(k, paths reaching the tail) of them (twice that when ranking by sign): for k=1000,
    10·1 + 100·1 + 100·10 + 100·100 + 10·1000 prefixes made, the work, whatever is kept."""
    x, graph = layered(width=10, depth=4, rate=0.5)
    made = sum(min(1000, pg.count_paths(x, pg.Graph(edge.src)))
               for edge in graph.edges if pg.count_paths(x, pg.Graph(edge.src)))
    made *= 2 if by == "negative" else 1
    assert made == (10 + 100 + 1000 + 10_000 + 10_000) * (2 if by == "negative" else 1)
    with pytest.raises(TooLargeError, match=f"k=1,000 would make {made:,} partial paths "
                                            r"\(over 320 edges\): more than max_entries=5,000"):
        pg.top_paths(x, graph, k=1000, by=by, max_entries=5_000)
    assert len(pg.top_paths(x, graph, k=1000, by="abs", max_entries=21_110)) == 1000
    with pytest.raises(TooLargeError):
        pg.top_paths(x, graph, k=1000, by="abs", max_entries=21_109)
