"""pathgrad's nets written as ONNX models: :func:`to_onnx`.

A net built and understood here should run where its users go next: onnxruntime, PyTorch
(through onnx2torch and friends), any ONNX runtime. :func:`to_onnx` writes a
:class:`~pathgrad.book.network.Network`, a :class:`~pathgrad.nn.modules.MLP` or a
:class:`~pathgrad.nn.residual.ResNet` as an ``onnx.ModelProto``:

* the input ``x`` of shape ``(N, n_1)``, one example per row, any number of rows;
* layer ``l`` as a ``Gemm`` by the initializer ``w{l}`` in Nielsen's layout
  (``w{l}[j-1, k-1] = w^l_jk``, ``transB=1``) plus the bias ``b{l}``, giving ``z{l}``, then
  ``Sigmoid``, ``Tanh`` or ``Relu`` giving ``a{l}`` (a linear layer's ``Gemm`` gives
  ``a{l}`` itself); a residual block adds its input to ``σ(z{l})`` with an ``Add``;
* the output ``a{L}``; the cost's name in the metadata (``pathgrad.cost``).

Every number is stored as float64 (ONNX ``DOUBLE``), so reading the model back
(:func:`~pathgrad.exchange.importer.from_onnx`) gives the same numbers to the last bit, and
``.network()`` the same Network. A layer whose neurons have different activations, or an
activation of your own, has no ONNX operator and is refused.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from ..book.activations import ACTIVATIONS, Activation, LayerActivation
from ..book.network import Network
from ..nn.modules import MLP
from ..nn.residual import ResNet
from ..support.errors import PathgradTypeError, PathgradValueError
from ..support.writing import write_file
from .optional_onnx import helper, numpy_helper, onnx, require_onnx

#: The operator set written: 18 (2022), read by every current runtime.
OPSET = 18
#: ONNX's IR version for opset 18.
IR_VERSION = 8
_OPERATORS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "linear": None}


def _onnx_activation(activation: Activation | None, where: str) -> str | None:
    """The ONNX operator of a built-in activation (None for linear), or a clear refusal."""
    if activation is None:
        raise PathgradValueError(
            f"{where} has neurons with different activations; an ONNX layer applies one "
            "operator to all its neurons, so pathgrad exports layers with one activation each"
        )
    if activation.name not in _OPERATORS or ACTIVATIONS.get(activation.name) is not activation:
        raise PathgradValueError(
            f"{where} uses the activation {activation.name!r}, which has no ONNX operator "
            "pathgrad writes (it writes sigmoid, tanh, relu and linear layers)"
        )
    return _OPERATORS[activation.name]


class _Writer:
    """Collects the nodes and initializers of the model being written."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []

    def dense(self, previous: str, l: int, weights: np.ndarray, biases: np.ndarray,  # noqa: E741
              operator: str | None, residual: bool = False) -> str:
        self.initializers += [
            numpy_helper.from_array(np.asarray(weights, dtype=np.float64), f"w{l}"),
            numpy_helper.from_array(np.asarray(biases, dtype=np.float64).reshape(-1), f"b{l}"),
        ]
        z = f"z{l}" if operator is not None or residual else f"a{l}"
        self.nodes.append(helper.make_node("Gemm", [previous, f"w{l}", f"b{l}"], [z], transB=1,
                                           name=f"layer {l}"))
        if operator is None:
            out = z
        else:
            out = f"s{l}" if residual else f"a{l}"
            self.nodes.append(helper.make_node(operator, [z], [out], name=f"σ of layer {l}"))
        if residual:
            self.nodes.append(helper.make_node("Add", [previous, out], [f"a{l}"],
                                               name=f"skip around layer {l}"))
            out = f"a{l}"
        return out


def to_onnx(model: Network | MLP | ResNet, path: str | os.PathLike | None = None) -> Any:
    """``model`` as an ``onnx.ModelProto`` (see the module docstring); with ``path``, also
    written there through :func:`pathgrad.support.writing.write_file`.

    (A ModelProto cannot carry a ``save`` method of pathgrad's: protocol-buffer classes
    cannot be subclassed. ``to_onnx(net, "net.onnx")`` writes the file.)

    Equation 53 still holds after the round trip: the model read back has the same rate
    factors, so the same paths and the same ``∂C/∂w``.

    >>> import pathgrad as pg
    >>> model = pg.to_onnx(pg.Network([2, 3, 2], seed=1))
    >>> [node.op_type for node in model.graph.node]        # z = w a + b, then σ, per layer
    ['Gemm', 'Sigmoid', 'Gemm', 'Sigmoid']
    """
    require_onnx("pg.to_onnx")
    writer = _Writer()
    if isinstance(model, MLP):
        model = model.to_network()
    if isinstance(model, Network):
        sizes, cost = model.sizes, model.cost.name
        out = "x"
        for l, (w, b, acts) in enumerate(zip(model.weights, model.biases, model.layers), 2):  # noqa: E741
            operator = _onnx_activation(acts.uniform, f"layer {l} of the Network")
            out = writer.dense(out, l, w, b, operator)
        title = f"pg.Network {sizes}"
    elif isinstance(model, ResNet):
        sizes, cost = model.sizes, "quadratic"
        out = "x"
        layers = [(model.input_layer, False), *((b.layer, b.skip) for b in model.blocks),
                  (model.output_layer, False)]
        for l, (layer, residual) in enumerate(layers, 2):  # noqa: E741
            shared = LayerActivation([n.activation for n in layer.neurons]).uniform
            operator = _onnx_activation(shared, f"layer {l} of the ResNet")
            weights, biases = layer.arrays()
            out = writer.dense(out, l, weights, biases, operator, residual)
        title = f"pg.nn.ResNet with {len(model.blocks)} blocks"
    else:
        raise PathgradTypeError(
            f"pg.to_onnx writes a Network, an nn.MLP or an nn.ResNet; got {type(model).__name__}"
        )
    graph = helper.make_graph(
        writer.nodes, title,
        [helper.make_tensor_value_info("x", onnx.TensorProto.DOUBLE, ["N", sizes[0]])],
        [helper.make_tensor_value_info(out, onnx.TensorProto.DOUBLE, ["N", sizes[-1]])],
        initializer=writer.initializers,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              ir_version=IR_VERSION, producer_name="pathgrad",
                              producer_version=_version(), doc_string=title)
    helper.set_model_props(proto, {"pathgrad.cost": cost})
    onnx.checker.check_model(proto)
    if path is not None:
        write_file(path, proto.SerializeToString())
    return proto


def _version() -> str:
    try:
        return version("pathgrad")
    except PackageNotFoundError:  # pragma: no cover - a source tree never installed
        return "unknown"
