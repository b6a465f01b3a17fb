"""Property tests over random expression DAGs: the three sums over paths agree with each other,
with finite differences (equation 46) and with an independent autodiff library (HIPS autograd)."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import pytest
from hypothesis import HealthCheck, given, settings

import pathgrad as pg
from tests.catalogue import CATALOGUE
from tests.reference import close
from tests.strategies import random_graphs

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(random_graphs())
def test_reverse_equals_forward_equals_path_sum(rg):
    C = rg.output
    reverse = pg.grad(C, rg.leaves)
    for leaf, r in zip(rg.leaves, reverse):
        assert close(r, pg.forward_grad(C, leaf), 1e-12)
        if pg.count_paths(leaf, C) <= 20_000:
            assert close(r, pg.path_sum(leaf, C), 1e-12)


@SETTINGS
@given(random_graphs())
def test_backward_sets_the_same_gradients_as_grad(rg):
    C = rg.output
    expected = pg.grad(C, rg.leaves)
    C.backward()
    first = [leaf.grad for leaf in rg.leaves]
    C.backward()
    assert [leaf.grad for leaf in rg.leaves] == first == expected


@SETTINGS
@given(random_graphs())
def test_reverse_equals_autograd(rg):
    leaf_values = anp.array([leaf.data for leaf in rg.leaves])
    reference = autograd.grad(rg.replay)(leaf_values)
    assert close(rg.replay(leaf_values), rg.output.data, 1e-12)
    for r, expected in zip(pg.grad(rg.output, rg.leaves), reference):
        assert close(r, float(expected), 1e-12)


@SETTINGS
@given(random_graphs(max_ops=8))
def test_reverse_equals_finite_differences(rg):
    for leaf, r in zip(rg.leaves, pg.grad(rg.output, rg.leaves)):
        assert close(r, pg.numeric_grad(rg.output, leaf), 1e-6)


@SETTINGS
@given(random_graphs())
def test_path_count_equals_number_of_enumerated_paths(rg):
    for leaf in rg.leaves:
        count = pg.count_paths(leaf, rg.output)
        if count <= 5_000:
            assert sum(1 for _ in pg.paths(leaf, rg.output)) == count


@SETTINGS
@given(random_graphs())
def test_evaluate_at_the_same_leaves_reproduces_values_and_rates(rg):
    graph = pg.Graph(rg.output)
    copy = graph.evaluate({})
    assert [n.data for n in copy.nodes] == [n.data for n in graph.nodes]
    assert [n.rates for n in copy.nodes] == [n.rates for n in graph.nodes]
    assert all(a is not b for a, b in zip(copy.nodes, graph.nodes))


def test_catalogue_covers_every_builtin_operation():
    applied = set()
    for entry in CATALOGUE:
        x = [pg.Value(0.7), pg.Value(1.3)][: entry.arity]
        applied.add(entry.apply(*x).op.name)
    assert applied == set(pg.OPS)


#: Operand values each catalogue entry is tried at alone (those in its domain).
POINTS = (-2.3, -0.4, 0.7, 1.3, 2.2)


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda entry: entry.name)
def test_every_operation_alone_has_autograds_value_and_rates(entry):
    """Each operation on its own, at fixed points: a rate factor wrong for one operation (say
    d(x**1)/dx = 0) cannot hide behind the random graphs that happen to be drawn."""
    tried = 0
    for first in POINTS:
        for second in POINTS[: 1 if entry.arity == 1 else None]:
            point = (first, second)[: entry.arity]
            if not entry.domain(*point):
                continue
            operands = [pg.Value(v) for v in point]
            out = entry.apply(*operands)
            assert close(out.data, float(entry.reference(*point)), 1e-13)
            for i, got in enumerate(pg.grad(out, operands)):
                want = autograd.grad(entry.reference, i)(*map(float, point))
                assert close(got, float(want), 1e-13), (entry.name, point, i)
            tried += 1
    assert tried >= 3
