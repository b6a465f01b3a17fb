"""sample_paths: unbiased by construction, and converging within its stated error."""

from __future__ import annotations

import math
import random
import statistics
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.pathsums.sampling import _Proposal, _walk
from pathgrad.support.errors import TooLargeError
from pathgrad.sweeps import forward_order
from tests.reference import all_paths, as_path
from tests.strategies import dags, rate_op


def mixed_graph():
    """Paths of both signs and several lengths; exact ∂C/∂x by a reverse sweep."""
    x = pg.Value(0.7, name="x")
    a = x.tanh()
    b = x * a - 0.3 * x
    c = (b * a).sigmoid() + b.exp() - x * x
    return x, pg.Graph(c)


def independent_probability(path, graph, proposal, mass):
    """One walk's chance of taking ``path``'s edges, from its definition, not from pathgrad.

    Walks run from the output back to the source. "uniform": each edge into a node from a
    node the source reaches alike, so Π 1/(such edges into each head). "mass": the edge
    probabilities |rate| M(tail)/M(head) telescope to |product| / M(C), where M(C) is the
    brute-force Σ |products| over every path.
    """
    if proposal == "mass":
        return abs(path.product) / mass
    source = path.nodes[0]
    reached = {source}
    for node in graph.nodes:  # topological order: a node's parents come first
        if any(parent in reached for parent in node.parents):
            reached.add(node)
    return math.prod(
        1.0 / sum(1 for parent in head.parents if parent in reached) for head in path.nodes[1:]
    )


@settings(max_examples=60, deadline=None)
@given(dags(), st.sampled_from(["mass", "uniform"]))
def test_probabilities_weights_and_error_equal_independent_formulas(case, proposal):
    graph, source = case
    n = 40
    sample = pg.sample_paths(source, graph, n=n, seed=0, proposal=proposal, keep=n)
    paths = [as_path(source, route) for route in all_paths(source, graph)]
    mass = math.fsum(abs(p.product) for p in paths)
    weighted = [p for p in paths if p.product != 0.0] if proposal == "mass" else paths
    if not weighted:
        assert sample.estimate == 0.0 and sample.stderr == 0.0
        return
    probabilities = [sample.probability(p) for p in weighted]
    for path, p in zip(weighted, probabilities, strict=True):
        assert p == pytest.approx(independent_probability(path, graph, proposal, mass), rel=1e-9)
    assert math.fsum(probabilities) == pytest.approx(1.0, rel=1e-9)
    # Every walk is a real path, and its weight is product / probability, so that the mean
    # weight is unbiased: Σ probability · product / probability = Σ products = ∂C/∂source.
    routes = {(p.nodes, p.rates) for p in weighted}
    for path, weight in zip(sample.paths, sample.weights, strict=True):
        assert (path.nodes, path.rates) in routes
        expected = path.product / independent_probability(path, graph, proposal, mass)
        assert weight == pytest.approx(expected, rel=1e-9)
    # The estimate is the mean weight and its error the sample deviation over √n.
    weights = sample.weights
    scale = max(map(abs, weights))
    assert sample.estimate == pytest.approx(statistics.fmean(weights), rel=1e-12, abs=1e-15 * scale)
    assert sample.stderr == pytest.approx(
        statistics.stdev(weights) / math.sqrt(n), rel=1e-9, abs=1e-12 * scale
    )


@pytest.mark.parametrize("proposal", ["mass", "uniform"])
def test_estimate_converges_within_its_standard_error(proposal):
    x, graph = mixed_graph()
    exact = pg.grad(graph, [x])[0]
    errors = []
    for seed in range(5):
        sample = pg.sample_paths(x, graph, n=4000, seed=seed, proposal=proposal)
        assert abs(sample.estimate - exact) <= 4 * sample.stderr
        errors.append(sample.stderr)
    bigger = pg.sample_paths(x, graph, n=64000, seed=99, proposal=proposal)
    assert abs(bigger.estimate - exact) <= 4 * bigger.stderr
    assert bigger.stderr / statistics_mean(errors) == pytest.approx(0.25, rel=0.2)  # 1/√16


def statistics_mean(values):
    return math.fsum(values) / len(values)


def test_mass_proposal_has_no_variance_when_every_product_is_positive():
    x = pg.Value(0.5, name="x")
    c = (x * x).exp() + x.sigmoid() * x
    sample = pg.sample_paths(x, c, n=500, seed=1)
    exact = pg.grad(c, [x])[0]
    assert sample.stderr == pytest.approx(0.0, abs=1e-12 * exact)
    assert all(w == pytest.approx(exact, rel=1e-12) for w in sample.weights)


def test_same_seed_same_walks_and_kept_paths_are_real_paths():
    x, graph = mixed_graph()
    one = pg.sample_paths(x, graph, n=200, seed=7, keep=5)
    two = pg.sample_paths(x, graph, n=200, seed=7, keep=5)
    assert one.weights == two.weights and len(one.paths) == 5
    assert all(p.nodes[0] is x and p.nodes[-1] is graph.output for p in one.paths)
    assert str(one).startswith("200 random paths from x (mass proposal)")



class FixedDraws(random.Random):
    """A generator whose every draw is ``value``: a walk's draws at the ends of [0, 1)."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def walk_with(draw: float, source: pg.Value, output: pg.Value) -> tuple[float, list]:
    plan = _Proposal(forward_order(output, source, "test"), source, "mass")
    route: list = []
    return _walk(plan, output, FixedDraws(draw), route), route[0::2]


def test_a_draw_at_either_end_of_its_range_takes_an_edge_of_weight_above_0():
    x = pg.Value(1.0, name="x")
    flat = x * 0.0  # an edge of weight 0 into each output below
    # A draw of 0.0 lands on the start of the running totals: an edge of weight 0 there
    # (no interval of its own) is passed over.
    first = flat + x * 2.0
    weight, nodes = walk_with(0.0, x, first)
    assert weight == 2.0 and flat not in nodes
    # The largest draw times a total below the smallest normal float rounds up to the total:
    # the walk takes the last edge of weight above 0, not the edge of weight 0 after it.
    tiny = 5 * 5e-324
    last = x * tiny + flat
    assert (1.0 - 2.0**-53) * tiny == tiny
    weight, nodes = walk_with(1.0 - 2.0**-53, x, last)
    assert weight == tiny and flat not in nodes

def test_all_products_zero_gives_exactly_zero():
    x = pg.Value(1.0)
    out = rate_op("flat", (0.0,))(x)
    sample = pg.sample_paths(x, out, n=10, seed=0)
    assert (sample.estimate, sample.stderr) == (0.0, 0.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n": 1}, "n must be a whole number >= 2"),
     ({"proposal": "best"}, "proposal must be one of"),
     ({"keep": -1}, "keep must be a whole number >= 0")],
)
def test_bad_arguments_are_clear_errors(kwargs, message):
    x = pg.Value(1.0)
    with pytest.raises(ValueError, match=message):
        pg.sample_paths(x, x * 2.0, **kwargs)


def test_memory_does_not_grow_with_n_and_the_repr_is_short():
    x, graph = mixed_graph()
    pg.sample_paths(x, graph, n=10, seed=0)  # warm the proposal's caches
    tracemalloc.start()
    small = pg.sample_paths(x, graph, n=1_000, seed=0, keep=3)
    small_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    big = pg.sample_paths(x, graph, n=100_000, seed=0, keep=3)
    big_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert big_peak < 2 * small_peak + 20_000  # a list of 100,000 floats alone is 3.2 MB
    assert len(big.weights) == len(big.paths) == 3 and big.n == 100_000
    assert abs(big.estimate - pg.grad(graph, [x])[0]) <= 4 * big.stderr
    assert small.stderr / big.stderr == pytest.approx(10.0, rel=0.2)  # √(100,000 / 1,000)
    assert repr(big) == (
        f"PathSample(source='x', n=100,000, proposal='mass', estimate={big.estimate:.8g}, "
        f"stderr={big.stderr:.2g}, kept=3)"
    )


def test_more_walks_than_max_n_are_refused_before_any_walk():
    x, graph = mixed_graph()
    with pytest.raises(TooLargeError, match="n=100,000,000 random walks: more than max_n=1,0"):
        pg.sample_paths(x, graph, n=10**8)
    with pytest.raises(TooLargeError, match="n=1,000,001 random walks: more than max_n=1,000,000"):
        pg.sample_paths(x, graph, n=10**6 + 1)  # the default is a million, exactly
    assert pg.sample_paths(x, graph, n=20, max_n=20).n == 20
    with pytest.raises(TooLargeError, match="max_n=10"):
        pg.sample_paths(x, graph, n=11, max_n=10)


def test_products_that_overflow_are_an_error_not_a_nan():
    a = pg.Value(1e-300)
    d = (a * 1e200) * 1e200  # ∂d/∂a = 1e400, past the largest float whatever the order
    for proposal in ("mass", "uniform"):
        with pytest.raises(pg.PathgradError, match="overflow the float range"):
            pg.sample_paths(a, d, proposal=proposal)


@pytest.mark.parametrize("proposal", ["uniform", "mass"])
def test_two_identical_parallel_edges_are_each_taken_half_the_time(proposal):
    """``C = x·x``: two paths with the same nodes and rates; each has probability 1/2."""
    x = pg.Value(0.5, name="x")
    C = x * x
    sample = pg.sample_paths(x, C, n=10, seed=0, proposal=proposal)
    paths = list(pg.paths(x, C))
    assert len(paths) == 2 and [sample.probability(p) for p in paths] == [0.5, 0.5]


def test_a_path_of_product_zero_has_probability_zero_under_mass():
    x = pg.Value(0.5, name="x")
    C = x * 0.0 + x * 2.0
    sample = pg.sample_paths(x, C, n=10, seed=0, proposal="mass")
    dead, live = sorted(pg.paths(x, C), key=lambda p: p.product)
    assert (sample.probability(dead), sample.probability(live)) == (0.0, 1.0)
    assert isinstance(sample.probability(dead), float)


def test_walks_of_no_steps_pass_any_max_steps_and_one_step_each_is_counted():
    """From the output to itself every walk takes 0 steps: 11 of them fit max_steps=10; from
    x to 2x each takes 1, so 11 are 11 steps, one too many."""
    x = pg.Value(1.0, name="x")
    assert pg.sample_paths(x, x, n=11, max_steps=10).estimate == 1.0
    assert pg.sample_paths(x, x * 2.0, n=10, max_steps=10).estimate == 2.0
    with pytest.raises(TooLargeError, match="up to 11 steps: more than max_steps=10"):
        pg.sample_paths(x, x * 2.0, n=11, max_steps=10)
