"""A recurrent cell unrolled through time: the same weights used at every step.

An Elman cell turns the input ``x^t`` and its previous state ``h^{t-1}`` into the new state

    ``z^t_j = b_j + Σ_k u_jk x^t_k + Σ_m w_jm h^{t-1}_m``,   ``h^t_j = σ(z^t_j)``.

Unrolled over ``T`` steps it is a deep feedforward graph whose layers all share the weights
``u``, ``w`` and ``b``. A shared weight is one node with an edge into every step, so ``∂C/∂w``
sums over its uses as any node's derivative sums over its paths (equation 53), and the paths
from an early step to the cost cross one ``σ'`` and one ``w`` per later step: the vanishing
(or exploding) gradient of recurrent nets is the same long product of rate factors as in a
deep net.
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from ..book.network_graphs import neuron_names, subscript
from ..support.arguments import real_number, whole_number
from ..support.collector import without_collector
from ..support.errors import PathgradTypeError, PathgradValueError
from ..value import Value
from .modules import ActivationSpec, Inputs, Layer, Module, input_list, is_sequence


@cache
def _step_names(t: int, n: int) -> tuple[tuple[str, str], ...]:
    return tuple(zip(neuron_names("z", t, n), neuron_names("h", t, n)))


class RNNCell(Module):
    """An Elman cell: ``h^t = σ(u x^t + w h^{t-1} + b)``, ``nin`` inputs, ``nhidden`` states.

    Parameters are named ``u_jk`` (input ``k`` to state ``j``), ``w_jm`` (state ``m`` to state
    ``j``) and ``b_j``; the nodes of step ``t`` are ``z^t_j`` and ``h^t_j``. Weights start
    U(-1, 1) from Python's ``random`` (scaled by ``scale``), biases at 0.

    Equation 53 through time: a weight used at every step reaches the last state by one path
    per step.

    >>> import pathgrad as pg
    >>> cell = pg.RNNCell(1, 1, activation="linear")
    >>> states = cell.unroll([[1.0], [2.0], [3.0]])
    >>> u = cell.parameters()[0]
    >>> u.name, pg.count_paths(u, states[-1][0])
    ('u_11', 3)
    """

    def __init__(
        self,
        nin: int,
        nhidden: int,
        activation: ActivationSpec = "tanh",
        *,
        level: str = "z",
        scale: float = 1.0,
    ) -> None:
        whole_number(nin, "nin", least=1)
        whole_number(nhidden, "nhidden", least=1)
        scale = real_number(scale, "scale")
        self.u = [[Value(scale * random.uniform(-1, 1), name=_name("u", j, k))
                   for k in range(1, nin + 1)] for j in range(1, nhidden + 1)]
        self.w = [[Value(scale * random.uniform(-1, 1), name=_name("w", j, m))
                   for m in range(1, nhidden + 1)] for j in range(1, nhidden + 1)]
        self.b = [Value(0.0, name=f"b_{j}") for j in range(1, nhidden + 1)]
        # One layer reading [x^t, h^{t-1}]: neuron j's weights are u_j1..u_jn, w_j1..w_jh.
        self.layer = Layer(nin + nhidden, nhidden, activation=activation, level=level,
                           weights=[u + w for u, w in zip(self.u, self.w)], biases=self.b)
        self.nin, self.nhidden = nin, nhidden

    @without_collector
    def __call__(self, x: Any, h: Any, t: int = 1) -> list[Value]:
        """The state ``h^t`` from the input ``x^t`` and the state ``h^{t-1}``."""
        return self.layer.fire(self._inputs(x, h), _step_names(t, self.nhidden))[1]

    def _inputs(self, x: Any, h: Any) -> Inputs:
        """``[x^t, h^{t-1}]`` as the layer's inputs, each part checked and named if wrong."""
        n, nh = self.nin, self.nhidden
        xs = input_list(x, n, "RNNCell", "inputs x")
        hs = input_list(h, nh, "RNNCell", "previous states h")
        if len(xs) != n or len(hs) != nh:
            raise PathgradValueError(
                f"{self!r} takes {n} inputs and {nh} previous states, got {len(xs)} and {len(hs)}"
            )
        checked_x = Inputs(xs, n, "RNNCell inputs x").operands
        checked_h = Inputs(hs, nh, "RNNCell previous states h").operands
        return Inputs([*checked_x, *checked_h], n + nh, "")

    @without_collector
    def unroll(self, xs: Any, h0: Any = None) -> list[list[Value]]:
        """The states ``[h^1, ..., h^T]`` for the inputs ``xs = [x^1, ..., x^T]``.

        ``h0`` defaults to the leaves ``h^0_j = 0``, so ``∂C/∂h^0`` is there to read too.
        """
        if not is_sequence(xs):
            raise PathgradTypeError(
                f"{self!r}.unroll takes a list of inputs [x^1, ..., x^T], each a list of "
                f"{self.nin} Values or numbers; got {type(xs).__name__}"
            )
        h = h0 if h0 is not None else [Value(0.0, name=name)
                                       for name in neuron_names("h", 0, self.nhidden)]
        states = []
        for t, x in enumerate(xs, 1):
            h = self(x, h, t)
            states.append(h)
        return states

    def parameters(self) -> list[Value]:
        return [p for rows in (self.u, self.w) for row in rows for p in row] + self.b

    def __repr__(self) -> str:
        return f"RNNCell({self.nin}, {self.nhidden}, {self.layer.neurons[0].activation.name})"


def _name(symbol: str, j: int, k: int) -> str:
    return f"{symbol}_{subscript(j, k)}"
