"""Bad input to networks, graphs, costs and training: a clear error before any work is done."""

from __future__ import annotations

import numpy as np
import pytest

import pathgrad as pg
from pathgrad.book.activations import Activation, layer_activations
from pathgrad.book.losses import cross_entropy, get_cost


@pytest.mark.parametrize(
    "sizes, message",
    [
        ([3], "at least two layers"),
        ([], "at least two layers"),
        ([3, 0, 2], "number of neurons in layer"),
        ([3, -1], "number of neurons in layer"),
        ([3, 2.5], "number of neurons in layer"),
        ([3, True], "number of neurons in layer"),
    ],
)
def test_bad_sizes(sizes, message):
    with pytest.raises(ValueError, match=message):
        pg.Network(sizes)


def test_sizes_must_be_a_list():
    with pytest.raises(TypeError, match="list of layer widths"):
        pg.Network("2,3")


def test_bad_activation_cost_init():
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        pg.Network([2, 2], activation="softmax")
    with pytest.raises(ValueError, match="one per layer"):
        pg.Network([2, 3, 2], activation=["sigmoid"])
    with pytest.raises(ValueError, match="exactly 3"):
        pg.Network([2, 3, 2], activation=[["sigmoid", "tanh"], "sigmoid"])
    with pytest.raises(TypeError, match="name or an Activation"):
        pg.Network([2, 2], activation=[3])
    with pytest.raises(ValueError, match="unknown cost"):
        pg.Network([2, 2], cost="hinge")
    with pytest.raises(TypeError, match="name or a Cost"):
        get_cost(3)
    with pytest.raises(ValueError, match="init must be one of standard, scaled"):
        pg.Network([2, 2], init="xavier")
    with pytest.raises(ValueError, match="non-empty name"):
        Activation("", np.tanh, np.tanh)
    with pytest.raises(TypeError, match="callables"):
        Activation("f", 1, np.tanh)
    with pytest.raises(TypeError):
        layer_activations(3, [2, 2])


def test_graph_bad_example_and_indices():
    net = pg.Network([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="must hold 2 numbers"):
        net.graph([1.0, 2.0, 3.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="desired output y must hold 2"):
        net.graph([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        net.graph([float("nan"), 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="label 5 out of range"):
        net.graph([1.0, 2.0], 5)
    with pytest.raises(ValueError, match="unknown graph level"):
        net.graph([1.0, 2.0], 1, level="matrix")
    g = net.graph([1.0, 2.0], 1)
    with pytest.raises(IndexError, match="layers 1..3"):
        g.w(1, 1, 1)
    with pytest.raises(IndexError, match="layers 1..3"):
        g.b(4, 1)
    with pytest.raises(IndexError, match="layer 2 has neurons 1..3"):
        g.a(2, 0)
    with pytest.raises(IndexError, match="k=3"):
        g.w(2, 1, 3)


def test_cross_entropy_rejects_outputs_outside_0_1():
    net = pg.Network([2, 2], activation="linear", cost="cross-entropy", seed=0)
    net.biases[0][:] = 5.0
    with pytest.raises(ValueError, match=r"output activations in \[0, 1\]"):
        net.graph([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"output activations in \[0, 1\]"):
        net.graph([0.0, 0.0], [1.0, 0.0], level="ops")
    with pytest.raises(ValueError, match=r"desired outputs y in \[0, 1\]"):
        cross_entropy.check(np.array([0.5]), np.array([2.0]))


def test_cross_entropy_never_floors_a_log_of_zero():
    a = np.array([0.0, 1.0, 1.0, 0.0])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    with np.errstate(all="raise"):
        cost = cross_entropy.fn(a, y)
        grad = cross_entropy.derivative(a, y)
    assert cost == np.inf  # two outputs stuck at the wrong end: the true, infinite cost
    assert grad.tolist() == [1.0, -1.0, np.inf, -np.inf]
    assert cross_entropy.fn(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0


def test_training_bad_input():
    net = pg.Network([2, 3, 1], seed=0)
    data = pg.data.xor()
    with pytest.raises(ValueError, match="eta must be"):
        net.sgd(data, 1, 2, 0.0)
    with pytest.raises(ValueError, match="eta must be"):
        net.sgd(data, 1, 2, float("nan"))
    with pytest.raises(ValueError, match="larger than the 4 training examples"):
        net.sgd(data, 1, 5, 1.0)
    with pytest.raises(ValueError, match="mini_batch_size must be"):
        net.sgd(data, 1, 0, 1.0)
    with pytest.raises(ValueError, match="epochs must be"):
        net.sgd(data, 0, 2, 1.0)
    with pytest.raises(ValueError, match="lmbda"):
        net.sgd(data, 1, 2, 1.0, lmbda=-1)
    bad = [(np.array([[float("nan")], [0.0]]), np.array([[1.0]]))] + data
    with pytest.raises(ValueError, match="NaN"):
        net.sgd(bad, 1, 2, 1.0)
    with pytest.raises(ValueError, match="x has 3 numbers"):
        net.sgd([([1, 2, 3], [1.0])], 1, 1, 1.0)
    with pytest.raises(ValueError, match="is empty"):
        net.sgd([], 1, 1, 1.0)
    with pytest.raises(ValueError, match="not an"):
        net.sgd([1, 2], 1, 1, 1.0)
    with pytest.raises(TypeError, match="list of"):
        net.sgd(3, 1, 1, 1.0)
    before = [w.copy() for w in net.weights]
    with pytest.raises(ValueError):
        net.sgd(data, 1, 2, 1.0, test_data=[([1.0, 0.0], [1.0, 2.0])])
    # nothing was trained before the error
    for w, w0 in zip(net.weights, before, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_array_data_bad_labels_and_shapes():
    net = pg.Network([4, 3], seed=0)
    X = np.zeros((5, 4))
    with pytest.raises(ValueError, match="label 3 out of range"):
        net.sgd((X, np.array([0, 1, 2, 3, 0])), 1, 1, 1.0)
    with pytest.raises(ValueError, match="label -1 out of range"):
        net.evaluate((X, np.array([0, 1, 2, -1, 0])))
    with pytest.raises(ValueError, match="whole-number labels"):
        net.evaluate((X, np.array([0, 1, 2, 0.5, 0])))
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        net.evaluate((np.zeros((5, 3)), np.zeros(5, dtype=int)))
    with pytest.raises(ValueError, match=r"shape \(5, 3\)"):
        net.evaluate((X, np.zeros((5, 2))))
    with pytest.raises(ValueError, match="NaN"):
        net.evaluate((np.full((5, 4), np.nan), np.zeros(5, dtype=int)))


def test_matrix_backprop_bad_shapes():
    net = pg.Network([3, 2], seed=0)
    with pytest.raises(ValueError, match=r"\(3, m\)"):
        net.matrix_backprop(np.zeros((2, 4)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"Y must have shape \(2, 4\)"):
        net.matrix_backprop(np.zeros((3, 4)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="NaN"):
        net.matrix_backprop(np.full((3, 4), np.inf), np.zeros((2, 4)))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda net: net.feedforward([10**400, 1]), "inputs x must be real numbers .* too large"),
        (lambda net: net.graph([[1], [2, 3]], 0), "input x .* rows have different lengths"),
        (lambda net: net.graph(["a", 1], 0), "could not convert string to float"),
        (lambda net: net.matrix_backprop([[1j], [0]], [[1], [0]]), "inputs X must be real"),
        (lambda net: net.sgd([([1, 10**400], [1, 0])], 1, 1, 1.0),
         r"training_data\[0\]: x must be real numbers .* too large"),
        (lambda net: net.sgd((np.array([[1, 10**400]], dtype=object), np.array([0])), 1, 1, 1.0),
         "training_data: X must be real numbers"),
        (lambda net: pg.Network([2, 2], weights=[[[1, "x"], [1, 2]]], biases=[[[0], [0]]]),
         r"weights\[0\] must be real numbers"),
        (lambda net: net.sgd([([0.0, 1.0], 1), ([1.0, 0.0], 0)], 1, 2, 10**400),
         "the learning rate eta must be a finite number; 1000.* is too large for a float"),
    ],
)
def test_numbers_python_or_numpy_cannot_convert_are_pathgrad_errors(call, message):
    with pytest.raises(pg.PathgradError, match=message):
        call(pg.Network([2, 2], seed=0))


def test_accepted_weights_whose_weighted_input_overflows_never_give_an_infinite_cost():
    """Finite weights (so accepted) that overflow z for an input: every way in refuses, naming
    the neuron, instead of carrying inf (C = inf) or hiding it behind σ(inf) = 1 (C = 0.5)."""
    for activation in ("linear", "sigmoid"):
        net = pg.Network([2, 1], activation=activation, weights=[[[1e308, 1e308]]],
                         biases=[[[0.0]]])
        for call in (lambda net=net: net.graph([1, 1], [0], level="neuron"),
                     lambda net=net: net.graph([1, 1], [0], level="z"),
                     lambda net=net: net.feedforward([1, 1]),
                     lambda net=net: net.cost_of([1, 1], [0]),
                     lambda net=net: net.matrix_backprop([[1], [1]], [[0]]),
                     lambda net=net: net.total_cost([([1, 1], [0])])):
            with pytest.raises(pg.PathgradError, match=r"the weighted input z\^2_1 is inf, not a "
                                                       r"finite number: .*largest \|w\^2_jk\| = "
                                                       "1e\\+308, largest input 1"):
                call()
        with pytest.raises(pg.PathgradError, match="add.* gave inf"):
            net.graph([1, 1], [0], level="ops")
        before = [w.copy() for w in net.weights]
        with pytest.raises(pg.PathgradError, match=r"z\^2_1 is inf for example 1"):
            net.sgd([([1, 1], [0])] * 4, 1, 2, 1.0)  # refused before the first epoch
        assert np.array_equal(net.weights[0], before[0])
    # a user's activation whose slope overflows a rate factor of the neuron level
    steep = Activation("steep", lambda z: 1e300 * z, lambda z: np.full_like(z, 1e300))
    net = pg.Network([1, 1], activation=steep, weights=[[[1e10]]], biases=[[[0.0]]])
    with pytest.raises(pg.PathgradError, match=r"a rate factor σ'\(z\)·w or σ'\(z\)·a into "
                                               r"a\^2_1 is inf"):
        net.graph([1e-300], [0.0], level="neuron")


def test_a_cost_that_overflows_is_refused_by_the_graph():
    net = pg.Network([1, 1], activation="linear", weights=[[[1e200]]], biases=[[[0.0]]])
    with pytest.raises(pg.PathgradError, match="quadratic cost of these outputs is inf"):
        net.graph([1.0], [0.0])


def test_an_activation_that_overflows_and_a_target_out_of_range_are_refused_by_the_engine():
    explode = Activation("explode", lambda z: np.exp(1000.0 * z), lambda z: 1000.0 * np.exp(z))
    net = pg.Network([1, 1], activation=explode, weights=[[[1.0]]], biases=[[[0.0]]])
    with pytest.raises(pg.PathgradError, match=r"the activation a\^2_1 is inf, not a finite "
                                               r"number: .*largest \|w\^2_jk\| = 1, largest "
                                               "input 1"):
        net.feedforward([1.0])
    ce = pg.Network([1, 1], cost="cross-entropy", seed=0)
    with pytest.raises(pg.PathgradError, match=r"desired outputs y in \[0, 1\]; got values from 2"):
        ce.cost_of([0.5], [2.0])


def test_a_slope_that_overflows_is_refused_before_a_node_is_made():
    steep = Activation("steep", lambda z: z, lambda z: np.where(z > 0, np.inf, 1.0))
    net = pg.Network([1, 1], activation=steep, weights=[[[1.0]]], biases=[[[0.0]]])
    with pytest.raises(pg.PathgradError, match=r"the slope σ'\(z\^2_1\) is inf"):
        net.graph([1.0], [0.0], level="z")
    assert net.graph([-1.0], [0.0], level="z").a(2, 1).rates == (1.0,)


def test_an_error_or_a_gradient_that_overflows_backwards_is_refused_by_name():
    """The forward pass is finite (z² = 1e-290, z³ = 1e10), the backward one is not: δ² = w³ᵀδ³
    = 1e300·1e10, or ∂C/∂w² = δ² a¹ᵀ = 1e300·1e10."""
    deep = pg.Network([1, 1, 1], activation="linear", weights=[[[1e-300]], [[1e300]]],
                      biases=[[[0.0]], [[0.0]]])
    with pytest.raises(pg.PathgradError, match=r"the error δ\^2_1 is inf"):
        deep.matrix_backprop([[1e10]], [[0.0]])
    wide = pg.Network([1, 1, 1], activation="linear", weights=[[[1e-300]], [[1e300]]],
                      biases=[[[0.0]], [[0.0]]])
    with pytest.raises(pg.PathgradError, match=r"∂C/∂w\^2_1k for some k is inf"):
        wide.matrix_backprop([[1e10]], [[1e10 - 1.0]])
