"""Residual nets: layers whose input skips around them, ``a^l = a^{l-1} + σ(z^l)``.

A residual block (He, Zhang, Ren and Sun, 2016) adds its input back to its output. Here a
block is one layer: ``z^l_j = b^l_j + Σ_k w^l_jk a^{l-1}_k`` as in any layer, and the node
``a^l_j = a^{l-1}_j + σ(z^l_j)`` has two edges, of rate 1 from ``a^{l-1}_j`` (the skip) and of
rate ``σ'(z^l_j)`` from ``z^l_j`` (the layer). So at every block a path either skips, one
edge, or goes through the layer, two edges: with ``n`` blocks there are ``C(n, k)`` ways to
pass through ``k`` of them, and paths of every length from ``n`` to ``2n`` edges. Veit, Wilber
and Belongie (NeurIPS 2016) read a residual net as an ensemble of these paths of different
lengths; ``pg.path_stats`` splits the gradient among them exactly (notebook 8).

:class:`ResNet` stacks an input layer, ``n`` blocks and an output layer. ``skip=False`` gives
the plain net of the same depth and the same weights, for comparison, and
:meth:`ResNet.without` deletes blocks from a trained net.
"""

from __future__ import annotations

import copy
import math
from functools import cache
from typing import Any

import numpy as np

from ..book.activations import Activation, relu
from ..book.network import _check_finite
from ..book.network_graphs import neuron_names, slope_at
from ..support.arguments import float_array, one_of, whole_number
from ..support.collector import paused_call
from ..support.errors import PathgradValueError
from ..value import Op, Value
from .modules import (
    ActivationSpec,
    Inputs,
    Layer,
    Module,
    as_activation,
    weighted_input,
)


@cache
def residual_op(act: Activation) -> Op:
    """The operation ``a = a_prev + σ(z)``, with rates 1 and ``σ'(z)``."""
    return Op(
        f"residual[{act.name}]",
        lambda a, z: a + act.op.fn(z),
        lambda a, z: (1.0, slope_at(act.op, z)),
    )


class Residual(Module):
    """One residual block of ``width`` neurons at layer ``layer``: ``a^l = a^{l-1} + σ(z^l)``.

    ``skip=False`` makes it a plain layer, ``a^l = σ(z^l)``. ``level`` is ``"z"`` (the node
    ``a^l_j`` has the two edges above) or ``"ops"`` (``σ(z)`` and the sum are nodes apart).

    Equation 53 through a skip: ``a^{l-1}`` reaches ``a^l`` by the skip's edge of rate 1 as
    well as through ``z^l``, so the paths double at every block.

    >>> import pathgrad as pg
    >>> block = pg.Residual(1, "tanh", weights=[[0.5]], biases=[0.0])
    >>> a1 = pg.Value(1.0, name="a^1_1")
    >>> [a2] = block([a1])
    >>> pg.count_paths(a1, a2), round(pg.grad(a2, [a1])[0], 6)   # 1 + 0.5·tanh'(0.5)
    (2, 1.393224)
    """

    def __init__(
        self,
        width: int,
        activation: ActivationSpec = "relu",
        *,
        skip: bool = True,
        level: str = "z",
        layer: int = 2,
        weights: Any = None,
        biases: Any = None,
    ) -> None:
        self.level = one_of(level, "level of a residual block", ("z", "ops"))
        self.layer = Layer(width, width, activation=activation, level=level, layer=layer,
                           weights=weights, biases=biases)
        self.skip = bool(skip)
        self.activation = as_activation(activation)
        self._op = residual_op(self.activation)
        self._names = neuron_names("a", layer, width)

    @paused_call
    def __call__(self, x: Any) -> list[Value]:
        return self.fire(Inputs(x, len(self.layer.neurons), type(self).__name__))

    def fire(self, inputs: Inputs) -> list[Value]:
        """The block's outputs for checked inputs."""
        if not self.skip:
            return self.layer.fire(inputs)[1]
        if self.level == "ops":
            fired = self.layer.fire(inputs, [(n.node_names[0], None) for n in self.layer.neurons])
            out = [a + f for a, f in zip(inputs.operands, fired[1])]
            for node, name in zip(out, self._names):
                node.name = name
            return out
        return [
            self._join(a, weighted_input(n.w, n.b, inputs, n.node_names[0]), name)
            for a, n, name in zip(inputs.operands, self.layer.neurons, self._names)
        ]

    def _join(self, a: Value | float, z: Value, name: str) -> Value:
        if not isinstance(a, Value):
            return self._op(a, z, name=name)
        f, (slope,) = self.activation.op.evaluate((z.data,))
        data = a.data + f
        if not math.isfinite(data):
            raise PathgradValueError(f"{name} = a + σ(z) overflowed to {data!r}; scale the "
                                     "inputs or weights down")
        return Value._made_finite(data, (a, z), (1.0, slope), self._op, None, name)

    def parameters(self) -> list[Value]:
        return self.layer.parameters()

    def __repr__(self) -> str:
        kind = "Residual" if self.skip else "Plain"
        return f"{kind}({len(self.layer.neurons)}, {self.activation.name})"


class ResNet(Module):
    """An input layer, ``blocks`` residual blocks and an output layer, named as the book would.

    Layer 2 maps the ``nin`` inputs to ``width`` neurons, layers 3 to ``blocks + 2`` are the
    blocks, and layer ``blocks + 3`` has ``nout`` outputs with activation ``output``. Weights
    are drawn N(0, 1/n_in); in the residual blocks their variance is divided by ``blocks``, so
    that the blocks' contributions, added up along the skips, stay of the size of one. With
    ``skip=False`` (the plain net of the same depth) a block's ReLU weights get variance
    2/n_in instead (He et al.'s initialisation), so that the signal neither dies nor grows
    through the layers. Biases start at 0.

    Equation 53: from the first block to the output there are ``2^blocks`` paths, most of
    them short.

    >>> import pathgrad as pg
    >>> net = pg.ResNet(1, 1, 3, 1, "tanh", "linear", seed=4)
    >>> x = pg.Value(0.8, name="a^1_1")
    >>> [output] = net([x])
    >>> pg.count_paths(x, output)          # 2 · 2 · 2: skip or block, three times
    8
    """

    def __init__(
        self,
        nin: int,
        width: int,
        blocks: int,
        nout: int,
        activation: ActivationSpec = "relu",
        output: ActivationSpec = "sigmoid",
        *,
        skip: bool = True,
        level: str = "z",
        seed: int | None = None,
    ) -> None:
        whole_number(blocks, "blocks", least=1)
        rng = np.random.default_rng(seed)

        def draw(n_out: int, n_in: int, scale: float = 1.0) -> list[list[float]]:
            return (rng.standard_normal((n_out, n_in)) * scale / math.sqrt(n_in)).tolist()

        self.input_layer = Layer(nin, width, activation=activation, level=level, layer=2,
                                 weights=draw(width, nin), biases=[0.0] * width)
        act = as_activation(activation)
        gain = 1.0 / math.sqrt(blocks) if skip else math.sqrt(2.0) if act is relu else 1.0
        self.blocks = [
            Residual(width, activation, skip=skip, level=level, layer=3 + i,
                     weights=draw(width, width, gain), biases=[0.0] * width)
            for i in range(blocks)
        ]
        self.output_layer = Layer(width, nout, activation=output, level=level,
                                  layer=blocks + 3, weights=draw(nout, width),
                                  biases=[0.0] * nout)
        self.skip = bool(skip)

    @property
    def sizes(self) -> list[int]:
        return [len(self.input_layer.neurons[0].w), len(self.input_layer.neurons),
                len(self.output_layer.neurons)]

    @paused_call
    def __call__(self, x: Any) -> list[Value]:
        out = self.input_layer.fire(Inputs(x, self.sizes[0], type(self).__name__))[1]
        for block in self.blocks:
            out = block.fire(Inputs(out, len(out), ""))
        return self.output_layer.fire(Inputs(out, len(out), ""))[1]

    def parameters(self) -> list[Value]:
        return [p for m in (self.input_layer, *self.blocks, self.output_layer)
                for p in m.parameters()]

    def without(self, *blocks: int) -> ResNet:
        """The same net (the same parameter Values) with the numbered blocks (1 to n) deleted:
        each one's input goes straight on to the next, as in Veit et al.'s lesion study."""
        for i in blocks:
            whole_number(i, "block number", least=1, most=len(self.blocks))
        lesioned = copy.copy(self)
        lesioned.blocks = [b for i, b in enumerate(self.blocks, 1) if i not in blocks]
        return lesioned

    def predict(self, X: Any) -> np.ndarray:
        """The outputs for the rows of ``X``, one row each, by numpy (no graph)."""
        return forward_rows(self, X)[1]

    def __repr__(self) -> str:
        kind = "ResNet" if self.skip else "PlainNet"
        nin, width, nout = self.sizes
        return f"{kind}({nin}, {width} x {len(self.blocks)} blocks, {nout})"


def input_rows(net: ResNet, X: Any) -> np.ndarray:
    """``X`` as a float array of shape ``(m, n_in)``, one example per row, checked."""
    a = float_array(X, "X")
    if a.ndim != 2 or a.shape[1] != net.sizes[0]:
        raise PathgradValueError(
            f"X must have shape (n, {net.sizes[0]}), one example per row; got {a.shape}"
        )
    _check_finite(a, "the inputs X")
    return a


def forward_rows(net: ResNet, X: Any) -> tuple[list[np.ndarray], np.ndarray]:
    """The weighted inputs ``z`` of every layer (input layer, blocks, output layer) and the
    outputs, for the rows of ``X``, by numpy: ``a^l = a^{l-1} + σ(z^l)`` at each block with a
    skip, ``σ(z^l)`` elsewhere."""
    a = input_rows(net, X)
    zs = []
    for i, layer in enumerate([net.input_layer, *(b.layer for b in net.blocks),
                               net.output_layer]):
        w, b = layer.arrays()
        zs.append(a @ w.T + b.T)
        out = layer.neurons[0].activation.fn(zs[-1])
        a = a + out if 0 < i <= len(net.blocks) and net.blocks[i - 1].skip else out
    return zs, a
