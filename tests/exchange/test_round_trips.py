"""pathgrad's nets out to ONNX and back: the same numbers to the last bit, and the same
outputs in ONNX's reference evaluator and in onnxruntime."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx.reference import ReferenceEvaluator

import pathgrad as pg
from tests.strategies import SOFTPLUS

EXPORTED = ["sigmoid", "tanh", "relu", "linear"]


@st.composite
def exportable_networks(draw):
    """A Network with one built-in activation per layer, an example and a target."""
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    cost = draw(st.sampled_from(["quadratic", "cross-entropy"]))
    activations = [draw(st.sampled_from(EXPORTED)) for _ in sizes[1:]]
    if cost == "cross-entropy":
        activations[-1] = "sigmoid"
    seed = draw(st.integers(0, 2**32 - 1))
    net = pg.Network(sizes, activation=activations, cost=cost, seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.uniform(-1, 1, sizes[0]), rng.uniform(0, 1, sizes[-1])


def _named(graph: pg.Graph) -> dict[str, pg.Value]:
    return {v.name: v for v in graph.nodes if v.name is not None}


@settings(max_examples=30, deadline=None)
@given(exportable_networks())
def test_a_network_comes_back_the_same_to_the_last_bit(case):
    net, x, y = case
    model = pg.to_onnx(net)
    graph = pg.from_onnx(model, {"x": x}, target=y)
    back = graph.network()
    assert back.sizes == net.sizes and back.cost is net.cost
    assert [layer.uniform for layer in back.layers] == [layer.uniform for layer in net.layers]
    for mine, theirs in zip(back.weights + back.biases, net.weights + net.biases):
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs)
    # Node for node, value for value, gradient for gradient: the graph pathgrad.nn builds
    # (where a layer is linear, ONNX has no node for a = z: its z stands for both).
    built = pg.MLP.from_network(net).graph(x, y)
    theirs, mine = _named(built), _named(graph)
    for name, node in theirs.items():
        if name not in mine:
            assert node.op.name == "linear"
            name = "z" + name[1:]
        assert mine[name].data == node.data
    params = built.params()
    assert pg.grad(built, params) == pg.grad(graph, [mine[p.name] for p in params])
    assert np.array_equal(graph.gradients()[1][0], built.gradients()[1][0])


@settings(max_examples=15, deadline=None)
@given(exportable_networks(), st.integers(1, 5))
def test_runtimes_give_the_networks_outputs(case, rows):
    net, _, _ = case
    X = np.random.default_rng(rows).uniform(-1, 1, (rows, net.sizes[0]))
    model = pg.to_onnx(net)
    want = net.feedforward(X.T).T if rows > 1 else net.feedforward(X[0]).T
    (reference,) = ReferenceEvaluator(model).run(None, {"x": X})
    (runtime,) = onnxruntime.InferenceSession(model.SerializeToString()).run(None, {"x": X})
    np.testing.assert_allclose(reference, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(runtime, want, rtol=1e-12, atol=1e-14)


def test_an_mlp_and_its_file(tmp_path):
    mlp = pg.MLP(3, [4, 2], init="scaled", seed=5)  # micrograd's: ReLU, then linear
    path = tmp_path / "mlp.onnx"
    model = pg.to_onnx(mlp, path)
    assert onnx.load(path) == model
    graph = pg.from_onnx(path, {"x": [0.2, -0.4, 0.9]}, target=[0.0, 1.0])
    assert [layer.uniform.name for layer in graph.network().layers] == ["relu", "linear"]
    assert [v.data for v in graph.outputs["a3"]] == [v.data for v in mlp([0.2, -0.4, 0.9])]
    assert graph.a(3, 2) is graph.z(3, 2)  # a linear layer's a is its z


@pytest.mark.parametrize("skip", [True, False])
def test_a_resnet_comes_back_with_the_same_outputs(skip):
    net = pg.ResNet(3, 4, 2, 2, skip=skip, seed=3)
    x = [0.3, -0.1, 0.8]
    graph = pg.from_onnx(pg.to_onnx(net), {"x": x}, target=[0.0, 1.0])
    assert [v.data for v in graph.outputs["a5"]] == [v.data for v in net(x)]
    if skip:
        with pytest.raises(pg.PathgradError, match="'layer 3' computes more than its dense"):
            graph.network()
    assert pg.check(graph, graph.params["w3"]).ok


def test_what_has_no_onnx_operator_is_refused():
    mixed = pg.Network([2, 2, 1], activation=[["tanh", "relu"], "sigmoid"])
    with pytest.raises(pg.PathgradError, match="layer 2 .* different activations"):
        pg.to_onnx(mixed)
    custom = pg.Network([2, 1], activation=SOFTPLUS)
    with pytest.raises(pg.PathgradError, match="'softplus', which has no ONNX operator"):
        pg.to_onnx(custom)
    with pytest.raises(pg.PathgradError, match="writes a Network, an nn.MLP or an nn.ResNet"):
        pg.to_onnx(pg.Value(1.0))


def test_the_file_names_the_cost_and_the_caller_may_override_it():
    net = pg.Network([2, 2], cost="cross-entropy", seed=0)
    model = pg.to_onnx(net)
    assert {p.key: p.value for p in model.metadata_props} == {"pathgrad.cost": "cross-entropy"}
    assert pg.from_onnx(model, {"x": [0.1, 0.2]}, target=1).network().cost.name == \
        "cross-entropy"
    # Without a target, no cost: a model of one output number ends in it.
    single = pg.to_onnx(pg.Network([2, 1], cost="cross-entropy", seed=0))
    alone = pg.from_onnx(single, {"x": [0.1, 0.2]})
    assert alone.C.name == "a^2_1" and alone.network().cost.name == "cross-entropy"
    quadratic = pg.from_onnx(model, {"x": [0.1, 0.2]}, target=1, cost="quadratic")
    assert quadratic.network().cost.name == "quadratic"
    assert quadratic.C.data == pytest.approx(net.cost_of([0.1, 0.2], 1) * 0 + 0.5 * sum(
        (a - t) ** 2 for a, t in zip(net.feedforward([0.1, 0.2])[:, 0], [0.0, 1.0])))
