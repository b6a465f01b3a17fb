"""pathgrad.nn's Neuron, Layer and MLP: micrograd's, number for number, plus the book's view.

* micrograd's own moons loop (its demo notebook, cut to a few steps) runs with only its import
  lines changed and gives micrograd's losses and parameters;
* with the same ``random.seed`` the modules draw micrograd's weights, and print as micrograd's;
* the three graph levels, the Network they convert to, and HIPS autograd give one gradient;
* conversions to and from Network round-trip exactly.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.bench import moons
from pathgrad.nn import MLP, Layer, Neuron
from pathgrad.nn.modules import as_activation
from pathgrad.support.errors import TooLargeError
from tests.reference import assert_close, autograd_gradient, flat
from tests.strategies import networks


@pytest.fixture
def keep_random_state():
    state, np_state = random.getstate(), np.random.get_state()
    yield
    random.setstate(state)
    np.random.set_state(np_state)


def run_demo(source: str, steps: int) -> dict:
    scope: dict = {"STEPS": steps}
    exec(compile(source, "moons_demo", "exec"), scope)
    return scope


def test_micrograds_moons_loop_runs_with_only_the_imports_changed(keep_random_state):
    pytest.importorskip("micrograd")
    pytest.importorskip("sklearn")
    # micrograd's demo notebook as text (kept in the bench, which times it), cut to 3 steps.
    theirs = run_demo(moons.DEMO, steps=3)
    ours_source = moons.with_imports("from pathgrad import Value",
                                     "from pathgrad.nn import Neuron, Layer, MLP")
    assert ours_source.count("micrograd") == 0
    assert ours_source.splitlines()[5:] == moons.DEMO.splitlines()[5:]  # only the imports
    ours = run_demo(ours_source, steps=3)
    assert isinstance(ours["model"], MLP)
    # The same losses and accuracies step after step, and the same parameters at the end.
    # (micrograd adds up gradients in an order set by its hash sets, so the last bits of the
    # sums may differ: 1e-12 relative.)
    for (loss_a, acc_a), (loss_b, acc_b) in zip(theirs["history"], ours["history"], strict=True):
        assert math.isclose(loss_a, loss_b, rel_tol=1e-12)
        assert acc_a == acc_b
    assert theirs["history"][-1][0] < theirs["history"][0][0]  # it did learn
    params = zip(theirs["model"].parameters(), ours["model"].parameters(), strict=True)
    assert all(math.isclose(a.data, b.data, rel_tol=1e-12, abs_tol=1e-15) for a, b in params)


@pytest.mark.parametrize("nin, nouts", [(2, [16, 16, 1]), (3, [4, 4, 1]), (5, [3])])
def test_same_seed_same_weights_and_the_same_printout_as_micrograd(nin, nouts):
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(7)
    theirs = micrograd_nn.MLP(nin, nouts)
    random.seed(7)
    ours = MLP(nin, nouts)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    random.seed(3)
    assert repr(Layer(3, 2, nonlin=False)) == repr(micrograd_nn.Layer(3, 2, nonlin=False))
    random.seed(3)
    neuron = Neuron(4)
    random.seed(3)
    assert [p.data for p in neuron.parameters()] == [
        p.data for p in micrograd_nn.Neuron(4).parameters()
    ]


def test_the_book_names_every_parameter_and_node():
    random.seed(0)
    mlp = MLP(2, [3, 1], activation="sigmoid")
    assert [p.name for p in mlp.layers[0].neurons[1].parameters()] == ["w^2_21", "w^2_22",
                                                                        "b^2_2"]
    out = mlp([pg.Value(0.5, name="a^1_1"), pg.Value(-1.0, name="a^1_2")])
    assert out.name == "a^3_1" and out.parents[0].name == "z^3_1"
    g = pg.Graph(out)
    assert g.find("z^2_3").op.name == "weighted input"
    # z^3_1 = b + Σ w a: one edge from each weight (rate a^2_k), each a^2_k (rate w^3_1k), b.
    z = g.find("z^3_1")
    a2 = [g.find(f"a^2_{k}") for k in (1, 2, 3)]
    w3 = mlp.layers[1].neurons[0].w
    assert z.rates == (*(a.data for a in a2), *(w.data for w in w3), 1.0)


def test_levels_build_the_graphs_they_promise():
    random.seed(1)
    x = [0.3, -0.8]
    counts = {}
    for level in ("neuron", "z", "ops"):
        random.seed(1)
        mlp = MLP(2, [3, 1], level=level)
        counts[level] = len(pg.Graph(mlp(x)))
    params = 2 * 3 + 3 + 3 + 1
    # neuron: one node per neuron; z: two; ops: a product and a sum per weight, and a ReLU per
    # hidden neuron (micrograd's graph; its linear output neuron has no node of its own).
    assert counts == {"neuron": params + 4, "z": params + 8, "ops": params + 2 * 9 + 3}


@settings(max_examples=60, deadline=None)
@given(networks(), st.sampled_from(["neuron", "z", "ops"]))
def test_an_mlp_has_its_networks_gradient_at_every_level(case, level):
    net, names, X, Y = case
    mlp = MLP.from_network(net, level=level)
    x, y = X[:, 0], Y[:, 0]
    g = mlp.graph(x, y)
    assert g.C.data == pytest.approx(net.cost_of(x, y), rel=1e-12, abs=1e-300)
    want = net.backprop(x, y)
    assert_close(g.gradients(), want, 1e-12)
    assert_close(autograd_gradient(net, names, X[:, :1], Y[:, :1]), want, 1e-12)
    theirs = net.graph(x, y, level=level)
    assert pg.count_paths(g.w(2, 1, 1), g) == pg.count_paths(theirs.w(2, 1, 1), theirs)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_conversions_round_trip_exactly(case):
    net, _, X, _ = case
    mlp = MLP.from_network(net)
    back = mlp.to_network()
    assert back.sizes == net.sizes and back.cost is net.cost
    assert [layer.per_neuron for layer in back.layers] == [layer.per_neuron
                                                           for layer in net.layers]
    for a, b in zip(back.weights + back.biases, net.weights + net.biases, strict=True):
        assert np.array_equal(a, b)
    again = MLP.from_network(back)
    assert [p.data for p in again.parameters()] == [p.data for p in mlp.parameters()]
    assert np.array_equal(mlp.predict(X.T), net.feedforward(X).T)


def test_micrograds_default_converts_to_relu_then_linear():
    random.seed(2)
    mlp = MLP(3, [4, 2])
    net = mlp.to_network()
    assert [layer.uniform.name for layer in net.layers] == ["relu", "linear"]
    x = [0.2, -0.4, 0.9]
    assert [a.data for a in mlp(x)] == pytest.approx(net.feedforward(x)[:, 0].tolist(),
                                                     rel=1e-15)


def test_a_users_op_is_an_activation_everywhere():
    softplus = pg.Op("softplus", lambda z: math.log1p(math.exp(z)),
                     lambda z: (1.0 / (1.0 + math.exp(-z)),))
    random.seed(4)
    mlp = MLP(2, [3, 1], activation=[softplus, "linear"])
    x, y = [0.7, -0.2], [0.4]
    g = mlp.graph(x, y)
    assert g.a(2, 1).op is softplus
    net = mlp.to_network()
    assert_close(g.gradients(), net.backprop(x, y), 1e-12)
    assert as_activation(softplus) is as_activation(softplus)


def test_inputs_may_be_numbers_and_numpy_scalars():
    random.seed(5)
    mlp = MLP(2, [2, 1])
    from_values = mlp([pg.Value(0.5), pg.Value(-1.5)])
    from_numbers = mlp(np.array([0.5, -1.5]))
    assert from_values.data == from_numbers.data
    from_numbers.backward()
    from_values.backward()
    assert [p.grad for p in mlp.parameters()] == pytest.approx(
        [p.grad for p in mlp.parameters()])
    # Number inputs are constants: no node, no edge; the first layer still has its weights.
    assert len(pg.Graph(from_numbers)) == len(pg.Graph(from_values)) - 2


def test_given_values_are_shared_not_copied():
    w = pg.Value(0.5, name="w")
    a, b = Neuron(1, weights=[w]), Neuron(1, weights=[w], index=2)
    out = a([2.0]) + b([3.0])
    out.backward()
    assert a.w[0] is b.w[0] is w and w.grad == 2.0 + 3.0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: MLP(2, [3, 1])([1.0, 2.0, 3.0]), "takes 2 inputs, got 3"),
        (lambda: MLP(2, [3, 1])(1.0), "takes a list of 2 inputs"),
        (lambda: MLP(2, [3, 1])([1.0, "x"]), "input 2 is str"),
        (lambda: MLP(2, [3, 1])([1.0, float("nan")]), "must be finite"),
        (lambda: MLP(2, 3), "list of layer widths"),
        (lambda: MLP(2, []), "nouts is empty"),
        (lambda: Layer(2, 3, activation=["relu", "tanh"]), "exactly 3"),
        (lambda: MLP(2, [3, 1]).predict([["a", 1.0]]), "X must be real numbers"),
        (lambda: MLP(2, [3, 1], activation="swish"), "unknown activation"),
        (lambda: MLP(2, [3, 1], level="edges"), "level must be one of"),
        (lambda: MLP(2, [3, 1], activation=["relu"]), "got 1 layer activations"),
        (lambda: Neuron(0), "whole number >= 1"),
        (lambda: Neuron(2, weights=[1.0]), "needs 2 weights"),
        (lambda: Neuron(1, weights=[1e300])([1e300]), "not a finite number"),
    ],
)
def test_mistakes_get_clear_errors(make, message):
    with pytest.raises(pg.PathgradError, match=message):
        make()


def test_the_collector_is_restored_when_a_forward_pass_fails():
    import gc

    neuron = Neuron(1, weights=[1e300])
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            with pytest.raises(pg.PathgradError):
                neuron([1e300])
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


def test_arrays_are_nielsens_layout():
    random.seed(6)
    mlp = MLP(3, [2, 1])
    weights, biases = mlp.arrays()
    assert weights[0].shape == (2, 3) and biases[1].shape == (1, 1)
    assert weights[0][1, 2] == mlp.layers[0].neurons[1].w[2].data  # w^2_23
    assert flat((biases, weights)).size == len(mlp.parameters())


def test_networks_initialisations_and_parameter_names():
    mlp = MLP(3, [4, 2], activation="sigmoid", init="scaled", seed=8)
    net = pg.Network([3, 4, 2], init="scaled", seed=8)
    weights, biases = mlp.arrays()
    assert all(np.array_equal(a, b) for a, b in zip(weights + biases, net.weights + net.biases,
                                                    strict=True))
    names = mlp.named_parameters()
    assert list(names)[:5] == ["w^2_11", "w^2_12", "w^2_13", "b^2_1", "w^2_21"]
    assert names["w^3_24"] is mlp.layers[1].neurons[1].w[3]
    with pytest.raises(pg.PathgradError, match="init must be one of"):
        MLP(3, [2], init="xavier")


def test_a_layer_gives_each_neurons_activation_of_its_weighted_input():
    layer = Layer(2, 3, activation=["tanh", "relu", "relu"], layer=4,
                  weights=[[0.5, -1.0], [2.0, 0.25], [-1.0, 0.5]], biases=[0.1, -0.3, 0.2])
    x = [0.4, -0.8]
    out = layer(x)
    zs = [0.1 + 0.2 + 0.8, -0.3 + 0.8 - 0.2, 0.2 - 0.4 - 0.4]
    assert [a.parents[0].data for a in out] == pytest.approx(zs, rel=1e-15)
    assert [a.data for a in out] == [math.tanh(zs[0]), out[1].parents[0].data, 0.0]
    assert [a.rates for a in out] == [(pytest.approx(1 - math.tanh(zs[0]) ** 2),), (1.0,),
                                      (0.0,)]
    assert [a.name for a in out] == ["a^4_1", "a^4_2", "a^4_3"]
    z = out[0].parents[0]  # numbers in: edges from w^4_11, w^4_12 (rates x) and b^4_1 only
    assert z.name == "z^4_1" and z.rates == (0.4, -0.8, 1.0)
    w, b = layer.arrays()
    assert w.tolist() == [[0.5, -1.0], [2.0, 0.25], [-1.0, 0.5]]
    assert b.tolist() == [[0.1], [-0.3], [0.2]]
    single = Layer(2, 1, activation="sigmoid")([0.4, -0.8])  # one neuron: its Value alone
    assert isinstance(single, pg.Value) and single.name == "a^2_1"


def test_every_node_a_module_makes_is_finite_even_with_a_steep_activation_of_the_users():
    steep = pg.Op("steep", lambda z: 1e-300 * z, lambda z: (1e300,))
    neuron = Neuron(1, activation=steep, level="neuron", weights=[1e10])
    with pytest.raises(pg.PathgradError, match=r"a rate factor σ'\(z\)·a or σ'\(z\)·w into "
                                               r"a\^2_1 overflows \(σ'\(z\) = 1e\+300\)"):
        neuron([pg.Value(1e-300)])  # σ'·w = 1e310
    fine = Neuron(1, activation=steep, level="neuron", weights=[1e-10])
    assert fine([pg.Value(1.0)]).rates == (1e300, 1e290, 1e300)  # σ'·a, σ'·w, σ'


def test_a_module_too_large_is_refused_before_any_value_is_made():
    """MLP(5000, [5000]) once built 25 million Values; now it is counted and refused."""
    start = time.perf_counter()
    with pytest.raises(TooLargeError, match=r"MLP\(5000, \[5000\]\) would make 25,005,000 "
                                            r"weights and biases, each a Value node \(about 3 GB\)"
                                            r": more than max_parameters=2,000,000\. .* raise "
                                            "max_parameters") as refused:
        MLP(5000, [5000])
    assert refused.value.limit == "max_parameters" and time.perf_counter() - start < 0.5
    with pytest.raises(TooLargeError, match=r"Layer\(10, 10\) would make 110 weights"):
        Layer(10, 10, max_parameters=109)
    with pytest.raises(TooLargeError, match=r"Neuron\(10\) would make 11 weights"):
        Neuron(10, max_parameters=10)
    with pytest.raises(TooLargeError, match=r"MLP\(1000000000, \[1000000000, 1\]\)"):
        MLP(10**9, [10**9, 1])
    assert len(MLP(3, [4, 2], max_parameters=26).parameters()) == 26
    assert len(Layer(10, 10, max_parameters=110).parameters()) == 110


@pytest.mark.parametrize("level", ["z", "ops", "neuron"])
def test_an_mlps_graph_names_its_inputs_and_keeps_its_z_nodes(level):
    """``mlp.graph`` reads like a Network's: inputs ``a^1_k``, and the ``z`` nodes (levels z and
    ops) are the very nodes the activations are computed from, with δ = ∂C/∂z on them."""
    random.seed(6)
    mlp = MLP(3, [4, 2], activation="sigmoid", level=level)
    x, y = [0.2, -0.5, 0.9], [1.0, 0.0]
    g = mlp.graph(x, y)
    assert [g.a(1, k).name for k in (1, 2, 3)] == ["a^1_1", "a^1_2", "a^1_3"]
    assert [g.a(1, k).data for k in (1, 2, 3)] == x
    assert g.a(1, 2) in g and g.a(1, 2).is_leaf
    if level == "neuron":
        with pytest.raises(pg.PathgradError, match="no z nodes"):
            g.z(2, 1)
        return
    for l, width in ((2, 4), (3, 2)):  # noqa: E741
        for j in range(1, width + 1):
            z, a = g.z(l, j), g.a(l, j)
            assert z.name == f"z^{l}_{j}" and z in g
            assert a.parents == (z,)  # a = σ(z), one edge from its own z
    deltas = g.deltas()
    net = mlp.to_network()
    for got, want in zip(deltas, net.deltas(x, y), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
