"""The gradient through each set of residual blocks, against brute-force path listing.

* on small ResNets (residual or plain, z or ops level) every ``g_S`` equals the sum of the
  products of the paths from each input to ``C`` that pass through the layer of exactly the
  blocks of ``S``, listed by a plain depth-first search (``tests.reference.all_paths``);
* the ``2^n`` sets add up to the reverse sweep's ``∂C/∂x`` (cross-entropy, several examples),
  ``gradient_through`` gives each set alone, and Veit et al.'s measure adds the norms by size;
* a plain net carries its gradient through the set of all its blocks only; deleted blocks
  renumber the rest; bad input and a refused size say what to do.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

import pathgrad as pg
from pathgrad.book.losses import cross_entropy, quadratic
from pathgrad.nn import ResNet, block_set_gradients, gradient_through
from tests.reference import all_paths
from tests.strategies import resnets


def blocks_passed(route, net) -> int:
    """The mask of the blocks (numbered 1 to n as ``net.blocks``) whose layer is on the
    route: a node ``z^l_j`` named as the block's neurons name their weighted inputs."""
    bit = {n.node_names[0]: 1 << i for i, block in enumerate(net.blocks)
           for n in block.layer.neurons}
    return sum({bit[head.name] for head, _, _ in route if head.name in bit})


def brute_force(net, x, y):
    """``g_S[k]`` for every set S and input k, from the listed paths of one example."""
    n = len(net.blocks)
    inputs = [pg.Value(v, name=f"a^1_{k + 1}") for k, v in enumerate(x)]
    graph = pg.Graph(quadratic.node(net(inputs), list(y)))
    sums = np.zeros((2**n, len(x)))
    for k, source in enumerate(inputs):
        if source in graph.index:
            for route in all_paths(source, graph):
                sums[blocks_passed(route, net), k] += math.prod(r for _, _, r in route)
    return sums


@settings(max_examples=60, deadline=None)
@given(resnets())
def test_each_set_of_blocks_carries_the_sum_of_its_paths(case):
    net, _, _, x, y = case
    X = np.array([x, -0.5 * x])
    Y = np.array([y, 1.0 - y])
    sets = block_set_gradients(net, X, Y, "quadratic")
    assert sets.gradients.shape == (2 ** len(net.blocks), 2, len(x))
    for i in range(2):
        want = brute_force(net, X[i], Y[i])
        scale = max(1.0, float(np.max(np.abs(want))))
        assert np.max(np.abs(sets.gradients[:, i, :] - want)) <= 1e-12 * scale


def test_the_sets_add_up_to_the_reverse_sweep_and_each_can_be_had_alone():
    net = ResNet(5, 4, 6, 3, "tanh", "sigmoid", seed=7)
    rng = np.random.default_rng(1)
    for p in net.parameters():
        p.data += rng.normal(0.0, 0.3)
    X, Y = rng.uniform(-1, 1, (4, 5)), np.eye(3)[[0, 2, 1, 1]]
    sets = block_set_gradients(net, X, Y, cross_entropy)
    for i, (x, y) in enumerate(zip(X, Y, strict=True)):
        inputs = [pg.Value(v) for v in x]
        want = pg.grad(cross_entropy.node(net(inputs), y), inputs)
        np.testing.assert_allclose(sets.total()[i], want, rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(sets.gradients)) > 0.1 * np.max(np.abs(sets.total()))
    for blocks in [(), (3,), (1, 6), (2, 3, 5), (1, 2, 3, 4, 5, 6)]:
        alone = gradient_through(net, X, Y, blocks, "cross-entropy")
        mask = sum(1 << (i - 1) for i in blocks)
        assert np.array_equal(alone, sets.gradients[mask])
        assert np.array_equal(alone, sets.through(*blocks))
    assert not np.allclose(sets.through(1), sets.through(2))
    assert np.array_equal(gradient_through(net, X, Y, [3, 3, 5], cross_entropy),
                          sets.through(3, 5))                  # a block named twice is one


def test_veits_measure_adds_the_norms_of_the_sets_of_each_size():
    net = ResNet(3, 3, 4, 2, "relu", "sigmoid", seed=2)
    X, Y = np.random.default_rng(3).uniform(0, 1, (5, 3)), np.eye(2)[[0, 1, 1, 0, 1]]
    sets = block_set_gradients(net, X, Y, "cross-entropy")
    assert sets.blocks == 4
    assert sets.sizes.tolist() == [bin(mask).count("1") for mask in range(16)]
    by_size = sets.norm_by_blocks_passed()
    assert len(by_size) == 5                                   # k = 0 .. 4
    for k in range(5):
        norms = [math.sqrt(float(np.sum(sets.gradients[mask] ** 2)))
                 for mask in range(16) if bin(mask).count("1") == k]
        assert len(norms) == math.comb(4, k)
        assert by_size[k] == pytest.approx(math.fsum(norms), rel=1e-12)
    assert sets.norms()[0] == pytest.approx(np.linalg.norm(sets.through()), rel=1e-12)


def test_a_plain_net_carries_its_gradient_through_all_its_blocks_only():
    net = ResNet(3, 2, 3, 2, "tanh", skip=False, seed=4)
    X, Y = np.array([[0.2, -0.7, 0.4]]), np.array([[0.1, 0.9]])
    sets = block_set_gradients(net, X, Y)
    assert np.count_nonzero(sets.gradients[:-1]) == 0
    assert np.count_nonzero(sets.gradients[-1]) == 3
    assert sets.norm_by_blocks_passed()[:3].tolist() == [0.0, 0.0, 0.0]


def test_deleted_blocks_leave_the_others_numbered_from_one():
    net = ResNet(2, 3, 4, 1, "tanh", seed=6)
    X, Y = np.array([[0.3, -0.2]]), np.array([[0.5]])
    lesioned = net.without(2, 4)
    sets = block_set_gradients(lesioned, X, Y)
    assert sets.blocks == 2
    want = brute_force(lesioned, X[0], Y[0])
    np.testing.assert_allclose(sets.gradients[:, 0, :], want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("X", "Y", "blocks", "message"),
    [
        ([[0.1, 0.2, 0.3]], [[0.5, 0.5]], (), r"X must have shape \(n, 2\)"),
        ([[0.1, math.nan]], [[0.5, 0.5]], (), "NaN"),
        ([[0.1, 0.2]], [[0.5]], (), r"Y must have shape \(1, 2\)"),
        ([[0.1, 0.2]], [["a", 0.5]], (), "Y must be real numbers"),
        ([[0.1, 0.2]], [[0.5, math.inf]], (), "NaN or infinity"),
        ([[0.1, 0.2]], [[0.5, 0.5]], (4,), "block number"),
        ([[0.1, 0.2]], [[0.5, 0.5]], (0,), "block number"),
    ],
)
def test_bad_input_is_refused_with_what_to_do(X, Y, blocks, message):
    net = ResNet(2, 3, 3, 2, seed=0)
    with pytest.raises(pg.PathgradError, match=message):
        gradient_through(net, X, Y, blocks)
    if not blocks:
        with pytest.raises(pg.PathgradError, match=message):
            block_set_gradients(net, X, Y)


def test_the_cross_entropy_needs_outputs_and_targets_in_zero_one():
    net = ResNet(2, 3, 2, 2, "tanh", "tanh", seed=0)
    with pytest.raises(pg.PathgradError, match="cross-entropy"):
        block_set_gradients(net, [[0.4, -0.9]], [[0.0, 1.0]], "cross-entropy")
    with pytest.raises(pg.PathgradError, match="desired outputs y in"):
        block_set_gradients(ResNet(2, 3, 2, 2, seed=0), [[0.4, 0.9]], [[2.0, 1.0]],
                            "cross-entropy")


def test_too_many_sets_are_refused_before_anything_is_allocated():
    net = ResNet(4, 2, 30, 1, "tanh", seed=0)
    with pytest.raises(pg.PathgradError,
                       match=r"2\^30 sets of 30 blocks.*fewer blocks or fewer examples.*max_bytes"):
        block_set_gradients(net, np.zeros((10, 4)), np.zeros((10, 1)))
    small = block_set_gradients(ResNet(4, 2, 3, 1, seed=0), np.zeros((2, 4)), np.zeros((2, 1)),
                                max_bytes=8 * 2**3 * 2 * 4)
    assert small.gradients.shape == (8, 2, 4)
    with pytest.raises(pg.PathgradError, match="max_bytes=511"):   # 2^3 sets × 2 × 4 inputs
        block_set_gradients(ResNet(4, 2, 3, 1, seed=0), np.zeros((2, 4)), np.zeros((2, 1)),
                            max_bytes=511)
