"""Shared weights: one kernel slid along the input, each of its weights used by every neuron.

Neuron ``j`` of a one-dimensional convolution reads ``m`` neighbouring inputs,

    ``a^l_j = σ(b^l + Σ_i w^l_i a^{l-1}_{j+i-1})``,

with the same ``m`` weights ``w^l_1 .. w^l_m`` and bias ``b^l`` for every ``j``. Each shared
weight is one node with an edge into every neuron, so its derivative is the sum over those
uses of the paths through each (equation 53 needs nothing new): ``∂C/∂w^l_i`` is the sum over
``j`` of what ``∂C/∂w^l_ji`` would be if the weights were not shared.
"""

from __future__ import annotations

import random
from typing import Any

from ..book.network_graphs import book_name
from ..support.arguments import whole_number
from ..support.collector import paused_call
from ..support.errors import PathgradValueError
from ..value import Value
from .modules import ActivationSpec, Inputs, Module, Neuron


class Conv1d(Module):
    """``nin - kernel + 1`` neurons at layer ``layer`` sharing one kernel of ``kernel`` weights.

    The kernel starts U(-1, 1) from Python's ``random`` and the bias at 0, micrograd's way;
    ``weights`` and ``bias`` give them instead (numbers, or Values to share further).

    Equation 53 for a shared weight: every use is one more path, so its derivative sums the
    uses.

    >>> import pathgrad as pg
    >>> conv = pg.Conv1d(4, 2, activation="linear", weights=[0.5, -1.0])
    >>> xs = [pg.Value(v, name=f"a^1_{k}") for k, v in enumerate([1.0, 2.0, 3.0, 4.0], 1)]
    >>> a = conv(xs)
    >>> C = a[0] + a[1] + a[2]
    >>> w_1 = conv.parameters()[0]
    >>> pg.count_paths(w_1, C), pg.grad(C, [w_1])          # inputs 1, 2 and 3: 1 + 2 + 3
    (3, [6.0])
    """

    def __init__(
        self,
        nin: int,
        kernel: int,
        activation: ActivationSpec = "relu",
        *,
        level: str = "z",
        layer: int = 2,
        weights: Any = None,
        bias: Any = None,
    ) -> None:
        whole_number(kernel, "kernel", least=1)
        whole_number(nin, "nin", least=kernel)
        if weights is None:
            weights = [random.uniform(-1, 1) for _ in range(kernel)]
        if len(weights) != kernel:
            raise PathgradValueError(f"a kernel of {kernel} needs {kernel} weights, "
                                     f"got {len(weights)}")
        self.w = [w if isinstance(w, Value) else Value(w, name=book_name("w", layer, i))
                  for i, w in enumerate(weights, 1)]
        self.b = bias if isinstance(bias, Value) else Value(bias or 0.0, name=f"b^{layer}")
        self.neurons = [
            Neuron(kernel, activation=activation, level=level, layer=layer, index=j,
                   weights=self.w, bias=self.b)
            for j in range(1, nin - kernel + 2)
        ]
        self.nin = nin

    @paused_call
    def __call__(self, x: Any) -> list[Value]:
        inputs = Inputs(x, self.nin, type(self).__name__).operands
        m = len(self.w)
        return [neuron.fire(Inputs(inputs[j : j + m], m, ""), neuron.node_names)[1]
                for j, neuron in enumerate(self.neurons)]

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        act = self.neurons[0].activation.name
        return f"Conv1d({self.nin}, kernel {len(self.w)}, {act})"
