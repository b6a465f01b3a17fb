"""Sizes counted before anything is built: a network graph's nodes, edges and bytes, and the
parameters of a network, each refused past a limit the caller can raise."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.book.graph_sizes import DEFAULT_MAX_NODES, graph_size
from pathgrad.support.errors import TooLargeError
from tests.capped import run_capped


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=4),
       st.sampled_from(["neuron", "z", "ops"]), st.sampled_from(["quadratic", "cross-entropy"]),
       st.floats(0.0, 1.0))
def test_counts_are_those_of_the_graph_built(sizes, level, cost, target):
    net = pg.Network(sizes, cost=cost, seed=0)
    graph = net.graph(np.linspace(-1, 1, sizes[0]), np.full(sizes[-1], target), level=level)
    size = graph_size(sizes, level, cost)
    assert size.parameters == sum(w.size + b.size for w, b in zip(net.weights, net.biases))
    if cost == "cross-entropy" and level == "ops":  # a target of 0 or 1 drops a term
        assert (len(graph), graph.edge_count) <= (size.nodes, size.edges)
        # per output: (1 - y) · log(1 - a) is three nodes, and one addition fewer joins them
        assert size.nodes - len(graph) <= sizes[-1] * 4
    else:
        assert (len(graph), graph.edge_count) == (size.nodes, size.edges)


@pytest.mark.parametrize("level", ["neuron", "z", "ops"])
def test_the_memory_estimate_is_within_a_third_of_what_is_built(level):
    net = pg.Network([100, 60, 10], seed=0)
    x = np.random.default_rng(0).random(100)
    tracemalloc.start()
    graph = net.graph(x, 3, level=level)
    built = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    estimate = graph_size(net.sizes, level).bytes
    assert len(graph) == graph_size(net.sizes, level).nodes
    assert 0.67 < estimate / built < 1.5


def test_a_graph_past_max_nodes_is_refused_with_its_size_before_it_is_built():
    net = pg.Network([300, 300, 300], seed=0)
    x = np.zeros(300)
    # 300 inputs + 2 · 300 · 301 parameters + 600 neurons + C; 600 neurons of 601 edges + 300
    with pytest.raises(TooLargeError, match=(
        r"^the neuron-level graph of \[300, 300, 300\] has 181,501 nodes and 360,900 edges "
        r"\(about 68.7 MB\): more than max_nodes=100,000\. Use narrower layers")):
        net.graph(x, 0, max_nodes=100_000)
    assert len(net.graph(x, 0, level="z", max_nodes=None)) == 181_501 + 600
    assert graph_size([1000, 1000, 2]).nodes < DEFAULT_MAX_NODES  # a million nodes works


def test_network_parameters_past_max_bytes_are_refused_before_allocation():
    outcome = run_capped("pathgrad.book.network:Network", [64, 300_000_000, 10])
    assert outcome.error == "TooLargeError"
    assert outcome.message.startswith(
        "Network [64, 300000000, 10] would hold 22,500,000,010 weights and biases (180 GB of "
        "float64): more than max_bytes=1,073,741,824 (1.07 GB)")
    assert outcome.peak_mb < 200 and outcome.seconds < 10
    assert pg.Network([3, 4], max_bytes=128).sizes == [3, 4]  # 16 parameters, 128 bytes
    with pytest.raises(TooLargeError, match="more than max_bytes=127"):
        pg.Network([3, 4], max_bytes=127)
