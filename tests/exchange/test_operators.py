"""Every operator of the catalogue, on random shapes and attributes, against ONNX itself.

For each case (:mod:`tests.exchange.cases`) pathgrad builds the graph of ``C = Σ r · y`` for
random weights ``r``, and: its ``y`` equals the reference evaluator's to rounding; for every
input and parameter entry, the reverse sweep, the forward sweep and the sum over paths agree
with each other and with a central difference of ``C`` computed by the reference evaluator on
the model with that entry moved; and the graph is no larger than the size counted before it
was built.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.exchange import SUPPORTED
from tests.exchange.cases import STRATEGIES, Case

#: The central difference's step and how closely it must agree (float64 models).
STEP = 1e-6
NUMERIC_TOLERANCE = 1e-6
#: The reference evaluator computes erf in float32 whatever the input's type: its outputs
#: agree to float32's precision, and its central difference needs a longer step.
FLOAT32_REFERENCE = {"Erf": (1e-6, 1e-3, 1e-3), "Gelu": (1e-6, 1e-3, 1e-3)}


def test_every_supported_operator_has_a_strategy():
    assert sorted(set(STRATEGIES) - {"MatMul+Add", "shape arithmetic"}) == list(SUPPORTED)


#: Operators whose every entry is a node with every edge the count allows (no constant entry,
#: no padding, no window of one): for them the count is exact, not only a bound.
EXACT = {"Add", "Sub", "Mul", "Div", "Pow", "Neg", "Exp", "Log", "Sqrt", "Erf", "Relu",
         "LeakyRelu", "Sigmoid", "Tanh", "Gelu", "MatMul", "Gemm", "MatMul+Add", "Softmax",
         "LogSoftmax", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Slice",
         "Identity", "Cast", "Dropout", "Concat", "Gather", "Shape"}


def _entries(case: Case, graph: pg.ModelGraph):
    """(tensor, flat index, leaf) for every floating-point entry of the case."""
    for name in case.floats:
        leaves = graph.inputs["x"] if name == "x" else graph.params[name]
        for i, leaf in enumerate(leaves):
            yield name, i, leaf


def _reference_cost(case: Case, weights: np.ndarray, name: str, i: int, h: float) -> float:
    moved = {k: v.copy() for k, v in case.floats.items()}
    moved[name].flat[i] += h
    return float(np.sum(weights * case.reference(moved)))


def _central(case: Case, weights: np.ndarray, name: str, i: int, step: float) -> float:
    h = step * max(1.0, abs(case.floats[name].flat[i]))
    return (_reference_cost(case, weights, name, i, h)
            - _reference_cost(case, weights, name, i, -h)) / (2 * h)


def _built(graph: pg.ModelGraph) -> set:
    """The nodes the importer made (the cost's own nodes left out)."""
    return {v for t in graph.tensors.values() if t.dtype == object for v in t.ravel()
            if isinstance(v, pg.Value)}


@pytest.mark.parametrize("op_type", sorted(STRATEGIES))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_operator_against_the_reference(op_type, data):
    case = data.draw(STRATEGIES[op_type])
    want = case.reference()
    assume(want.size > 0)  # a slice may be empty: nothing to explain
    rtol, step, tolerance = FLOAT32_REFERENCE.get(op_type, (1e-12, STEP, NUMERIC_TOLERANCE))
    weights = np.random.default_rng(len(want.shape)).uniform(-1, 1, size=want.shape)
    graph = case.graph(weights)
    got = np.array([v.data if isinstance(v, pg.Value) else v for v in graph.outputs["y"]])
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=rtol, atol=rtol)

    # The count includes the cost's node and one edge into it from each output entry.
    built = _built(graph)
    nodes, edges = len(built), sum(len(v.parents) for v in built)
    assert nodes <= graph.size.nodes - 1 and edges <= graph.size.edges - want.size
    if op_type in EXACT:
        assert (nodes, edges) == (graph.size.nodes - 1, graph.size.edges - want.size)

    entries = list(_entries(case, graph))
    leaves = [leaf for _, _, leaf in entries if leaf in graph.index]
    reverse = dict(zip(leaves, pg.grad(graph, leaves)))
    for name, i, leaf in entries:
        numeric = _central(case, weights, name, i, step)
        if leaf not in graph.index:  # no path from this entry: the reference agrees
            assert abs(numeric) < tolerance
            continue
        forward = pg.forward_grad(graph, leaf)
        paths = pg.path_sum(leaf, graph)
        scale = max(1.0, abs(numeric))
        assert reverse[leaf] == pytest.approx(forward, rel=1e-9, abs=1e-12)
        assert reverse[leaf] == pytest.approx(paths, rel=1e-9, abs=1e-12)
        assert abs(reverse[leaf] - numeric) < tolerance * scale, (name, i)
