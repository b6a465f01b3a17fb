"""Models as their frameworks export them: PyTorch's (committed files) and scikit-learn's.

The PyTorch files (``models/``, made by ``models/make_torch_models.py``) are float32 models
with PyTorch's own outputs and gradients beside them: pathgrad, computing in float64, agrees
with both to float32's precision (2e-6 relative here, measured: about 1e-7). scikit-learn's
``MLPClassifier`` is exported by skl2onnx in the test itself, binary and multiclass, with each
activation; its probabilities agree with ``predict_proba`` to 1e-7, its chain of dense layers
gets the book's names, and the binary model's dense chain is a ``pg.Network``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnxruntime
import pytest

import pathgrad as pg

MODELS = Path(__file__).parent / "models"
TORCH_MODELS = ["mlp", "cnn", "attention", "transformer_block"]
#: float32 against float64: the relative agreement asked of outputs and gradients.
FLOAT32 = 2e-6


def _torch(name: str):
    saved = np.load(MODELS / f"{name}.npz")
    key = next(k for k in saved if k.startswith("input:"))
    inputs = {key[len("input:"):]: saved[key]}
    graph = pg.from_onnx(MODELS / f"{name}.onnx", inputs,
                         cost=lambda out: sum(out[1:], out[0]))
    return saved, inputs, graph


def _values(nodes) -> np.ndarray:
    return np.array([v.data for v in nodes])


def _close(got: np.ndarray, want: np.ndarray, rel: float) -> None:
    scale = max(1.0, float(np.max(np.abs(want))))
    assert np.max(np.abs(got - want)) <= rel * scale


@pytest.mark.parametrize("name", TORCH_MODELS)
def test_pytorch_exports_give_pytorchs_outputs_and_gradients(name):
    saved, inputs, graph = _torch(name)
    _close(_values(graph.outputs["y"]).reshape(saved["output:y"].shape), saved["output:y"],
           FLOAT32)
    grads = graph.param_grads()
    matched = 0
    for key in saved:
        if not key.startswith("grad_of_sum:"):
            continue
        param = key[len("grad_of_sum:"):]
        if param in grads:
            _close(grads[param], saved[key], FLOAT32)
        else:  # exported as MatMul by the transposed weight, under a new name
            weights = saved[f"param:{param}"].T.astype(np.float64)
            twin = next(n for n in graph.params if graph.shapes[n] == weights.shape and
                        np.array_equal(_values(graph.params[n]).reshape(weights.shape), weights))
            _close(grads[twin], saved[key].T, FLOAT32)
        matched += 1
    assert matched == len([k for k in saved if k.startswith("param:")])


@pytest.mark.parametrize("name", TORCH_MODELS)
def test_pytorch_exports_agree_with_onnxruntime(name):
    saved, inputs, graph = _torch(name)
    session = onnxruntime.InferenceSession(str(MODELS / f"{name}.onnx"))
    (runtime,) = session.run(None, inputs)
    _close(_values(graph.outputs["y"]).reshape(runtime.shape), runtime, FLOAT32)


@pytest.mark.parametrize("name", ["mlp", "cnn", "attention"])
def test_every_parameter_of_a_pytorch_export_checks_four_ways(name):
    _, _, graph = _torch(name)
    # In attention, the key's bias adds q·b to every score of a row, which the softmax does
    # not see: its gradient is 0, its paths cancel (below), and relative errors mean nothing.
    rows = [v for n, vs in graph.params.items() if n != "k.bias" for v in vs]
    report = pg.check(graph, rows)
    assert report.ok, str(report)
    assert len(report.rows) == len(rows) > 40


def test_the_attention_key_bias_paths_cancel_exactly_enough():
    _, _, graph = _torch("attention")
    for bias in graph.params["k.bias"]:
        stats = pg.path_stats(bias, graph)
        assert stats.count == 432
        assert abs(stats.gradient) < 1e-15 < 1e-3 < stats.abs_mass
        assert abs(pg.forward_grad(graph, bias)) < 1e-15


def test_the_pytorch_mlp_is_a_network_with_the_same_numbers():
    saved, inputs, graph = _torch("mlp")
    net = graph.network()
    assert net.sizes == [4, 5, 3]
    assert [layer.uniform.name for layer in net.layers] == ["tanh", "sigmoid"]
    assert np.array_equal(net.weights[0], saved["param:hidden.weight"].astype(np.float64))
    assert np.array_equal(net.biases[1][:, 0], saved["param:out.bias"].astype(np.float64))
    np.testing.assert_allclose(net.feedforward(inputs["x"][0])[:, 0],
                               _values(graph.outputs["y"]), rtol=1e-15)
    assert graph.w(2, 3, 4) is graph.params["hidden.weight"][2 * 4 + 3]
    assert [v.name for v in graph.params["hidden.weight"][:5]] == [
        "w^2_11", "w^2_12", "w^2_13", "w^2_14", "w^2_21"]
    assert graph.a(3, 2) is graph.outputs["y"][1]


def test_a_cnn_is_not_a_network_and_says_why():
    _, _, graph = _torch("cnn")
    with pytest.raises(pg.PathgradError, match="not a chain of dense layers"):
        graph.network()
    with pytest.raises(pg.PathgradError, match="no book names"):
        graph.w(2, 1, 1)


def test_a_transformer_blocks_embedding_rows_not_picked_have_no_path():
    saved, inputs, graph = _torch("transformer_block")
    tokens = set(inputs["tokens"].ravel().tolist())
    table = graph.params["embed.weight"]
    width = graph.shapes["embed.weight"][1]
    for row in range(graph.shapes["embed.weight"][0]):
        used = [table[row * width + c] in graph.index for c in range(width)]
        assert all(used) if row in tokens else not any(used)


# -- scikit-learn ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    train, _ = pg.data.digits()
    X = np.array([x[:, 0] for x, _ in train[:400]])
    y = np.array([int(np.argmax(t)) for _, t in train[:400]])
    return X, y


def _classifier(X, y, activation):
    from skl2onnx import to_onnx
    from sklearn.neural_network import MLPClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not trained to convergence: not the point here
        clf = MLPClassifier((6,), activation=activation, max_iter=40, random_state=0).fit(X, y)
    return clf, to_onnx(clf, X[:1].astype(np.float32), options={"zipmap": False})


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
@pytest.mark.parametrize("classes", [2, 10])
def test_scikit_learn_mlp_classifiers(digits, activation, classes):
    X, y = digits
    labels = y if classes == 10 else (y >= 5).astype(int)
    clf, model = _classifier(X, labels, activation)
    x = X[7]
    graph = pg.from_onnx(model, {"X": x}, output="probabilities", target=int(labels[7]),
                         cost="quadratic")
    want = clf.predict_proba(x[None, :])[0]
    np.testing.assert_allclose(_values(graph.outputs["probabilities"]), want, rtol=1e-6,
                               atol=1e-7)
    # The dense chain has the book's names, in scikit-learn's layout (coefs_[0][k-1, j-1]).
    assert graph.layer_sizes == (64, 6, 10 if classes == 10 else 1)
    assert graph.w(2, 3, 5).data == pytest.approx(clf.coefs_[0][4, 2], rel=1e-6)
    assert graph.w(2, 3, 5).name == "w^2_35" and graph.z(3, 1).name == "z^3_1"
    assert [v.name for v in graph.params["coefficient"][:3]] == ["w^2_11", "w^2_21", "w^2_31"]
    assert graph.b(3, 1).data == pytest.approx(clf.intercepts_[1][0], rel=1e-6)
    assert graph.a(1, 10).data == x[9]
    nabla_b, nabla_w = graph.gradients()
    assert nabla_w[0].shape == (6, 64)
    report = pg.check(graph, [graph.w(2, 1, 1), graph.b(3, 1), graph.w(3, 1, 6)])
    assert report.ok, str(report)


def test_a_binary_classifiers_dense_chain_is_a_network(digits):
    X, y = digits
    clf, model = _classifier(X, (y >= 5).astype(int), "tanh")
    graph = pg.from_onnx(model, {"X": X[3]}, output="out_activations_result", target=[1.0],
                         cost="cross-entropy")
    net = graph.network()
    assert net.cost.name == "cross-entropy"
    assert [layer.uniform.name for layer in net.layers] == ["tanh", "sigmoid"]
    np.testing.assert_allclose(net.feedforward(X[:20].T)[0], clf.predict_proba(X[:20])[:, 1],
                               rtol=1e-6)
    # The whole model, probabilities of both classes, is more than the chain.
    whole = pg.from_onnx(model, {"X": X[3]}, output="probabilities", target=1)
    with pytest.raises(pg.PathgradError, match="Sub node 'Sub' computes more"):
        whole.network()


def test_a_multiclass_softmax_is_named_but_is_not_a_network(digits):
    X, y = digits
    _, model = _classifier(X, y, "relu")
    graph = pg.from_onnx(model, {"X": X[0]}, output="probabilities", target=int(y[0]))
    assert graph.a(3, 4).op.name == "softmax"
    assert len(graph.a(3, 4).parents) == 10  # a logit moves every probability
    with pytest.raises(pg.PathgradError, match="softmax"):
        graph.network()


def test_the_label_branch_is_cut_off(digits):
    X, y = digits
    _, model = _classifier(X, y, "relu")
    with pytest.raises(pg.exchange.UnsupportedOperatorError, match="ArgMax"):
        pg.from_onnx(model, {"X": X[0]}, output="label", cost=lambda out: out[0])
    graph = pg.from_onnx(model, {"X": X[0]}, target=int(y[0]))  # the float output alone
    assert list(graph.outputs) == ["probabilities"]
