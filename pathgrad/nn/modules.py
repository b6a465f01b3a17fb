"""Nets built from Values: micrograd's ``Neuron``, ``Layer`` and ``MLP``, in the book's names.

A micrograd script runs on these after its import lines change::

    from pathgrad import Value                   # was: from micrograd.engine import Value
    from pathgrad.nn import Neuron, Layer, MLP   # was: from micrograd.nn import ...

The signatures are micrograd's and so is the initialisation: with the same ``random.seed``,
``MLP(2, [16, 16, 1])`` draws micrograd's weights in micrograd's order. A neuron adds
``b + w_1 a_1 + w_2 a_2 + ...`` in micrograd's order too, so a training loop follows
micrograd's losses step for step. What pathgrad adds:

* **The book's names.** Neuron ``j`` of layer ``l`` (layer 1 is the input) has the weights
  ``w^l_jk`` and the bias ``b^l_j``; its weighted input is the node ``z^l_j`` and its output
  ``a^l_j``. Pictures lay these nets out in columns and every path tool reads them as it reads
  a :class:`~pathgrad.book.network.Network`'s graph.
* **Activations per layer or per neuron**: ``"sigmoid"``, ``"tanh"``, ``"relu"``,
  ``"linear"``, an :class:`~pathgrad.book.activations.Activation`, or your own one-operand
  :class:`~pathgrad.value.Op`. Given none, micrograd's rule: ReLU in the hidden layers, a
  linear output layer.
* **Three levels of detail**, those of :meth:`Network.graph`. ``"z"`` (the default) makes one
  node ``z^l_j`` per neuron with an edge of rate ``a^{l-1}_k`` from each weight ``w^l_jk``, of
  rate ``w^l_jk`` from each input ``a^{l-1}_k`` and of rate 1 from the bias, then the node
  ``a^l_j = σ(z^l_j)`` with one edge of rate ``σ'(z^l_j)``: the graph of equations 47-53.
  ``"neuron"`` makes ``a^l_j`` alone (equation 53's rates ``σ'(z) a`` and ``σ'(z) w``).
  ``"ops"`` records every product and every sum as its own node: micrograd's graph.
* **Conversion** to and from :class:`~pathgrad.book.network.Network` with the same numbers, so
  the matrix engine can train what the graph explains.
* **Speed.** The cycle collector is paused while a module builds its nodes
  (:mod:`pathgrad.support.collector`): pathgrad's graphs hold no cycles for it to find.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from functools import cache, reduce
from numbers import Real
from operator import add, mul
from typing import Any, Union

import numpy as np

from ..book.activations import (
    Activation,
    get_activation,
    layer_activations,
    linear,
    one_per_neuron,
    relu,
)
from ..book.graph_sizes import NODE_BYTES, graph_size
from ..book.losses import get_cost
from ..book.network import LEVELS, Network, _check_sizes, _column, _target
from ..book.network_graphs import (
    NetworkGraph,
    book_name,
    neuron_names,
    neuron_op,
    slope_at,
    weighted_input_op,
    weighted_sum,
)
from ..support.arguments import float_array, one_of, whole_number
from ..support.collector import paused_call, without_collector
from ..support.errors import PathgradTypeError, PathgradValueError
from ..support.limits import check_limit, size_text
from ..value import Op, Value

#: An activation as modules take it: a name, an Activation, or a one-operand Op.
ActivationSpec = Union[str, Activation, Op]  # noqa: UP007
#: ``"uniform"`` is micrograd's U(-1, 1) weights and zero biases from Python's ``random``;
#: ``"standard"`` and ``"scaled"`` are :class:`Network`'s N(0, 1) and N(0, 1/n_in) weights.
INITS = ("uniform", "standard", "scaled")


def as_activation(spec: ActivationSpec) -> Activation:
    """An :class:`Activation` from a name, an Activation, or a one-operand :class:`Op`."""
    if isinstance(spec, Op):
        return _op_activation(spec)
    return get_activation(spec)


@cache
def _op_activation(op: Op) -> Activation:
    # The array forms run the Op elementwise: slow, but exact, so a net with a user's Op can
    # still be converted to a Network and trained by the matrix engine.
    return Activation(
        op.name,
        np.vectorize(op.fn, otypes=[float]),
        np.vectorize(lambda z: slope_at(op, z), otypes=[float]),
        op,
    )


def _with_activations(spec: Any) -> Any:
    """``spec`` with every Op in it made an Activation (it may be nested one level deep)."""
    if isinstance(spec, Op):
        return _op_activation(spec)
    if isinstance(spec, (list, tuple)):
        return [_with_activations(entry) for entry in spec]
    return spec


#: Weights and biases a module may make, each a Value, unless told otherwise (about 0.25 GB).
DEFAULT_MAX_PARAMETERS = 2_000_000


def check_parameters(count: int, max_parameters: int | None, what: str) -> None:
    """Refuse a module of more than ``max_parameters`` weights and biases before any is made."""
    check_limit(
        count, max_parameters, "max_parameters",
        f"{what} would make {count:,} weights and biases, each a Value node (about "
        f"{size_text(count * NODE_BYTES)})",
        "Use narrower layers, or pathgrad.Network (numpy arrays, the matrix engine) for a net "
        "this size",
    )


# -- inputs ------------------------------------------------------------------------------------


class Inputs:
    """A layer's inputs, checked once: their numbers, and the Values among them.

    Inputs may be Values (they become the tails of edges) or plain numbers (constants, which
    cost no node and carry no edge), as in micrograd.
    """

    __slots__ = ("operands", "data", "values", "all_values")

    def __init__(self, x: Any, n: int, owner: str) -> None:
        # ``owner`` (a class name) is for error messages only: nothing is formatted otherwise.
        operands = input_list(x, n, owner)
        if len(operands) != n:
            raise PathgradValueError(
                f"{owner} takes {n} inputs, got {len(operands)}; give one number or Value per "
                "input neuron"
            )
        self.all_values = all(type(v) is Value for v in operands)
        if self.all_values:
            self.data = [v.data for v in operands]
            self.values: tuple[Value, ...] = tuple(operands)
        else:
            operands = [_checked_input(v, k, owner) for k, v in enumerate(operands, 1)]
            self.data = [v.data if isinstance(v, Value) else v for v in operands]
            self.values = tuple(v for v in operands if isinstance(v, Value))
        self.operands = operands


def is_sequence(x: object) -> bool:
    """Whether ``x`` is a list-like of entries (not a string, a number or a Value)."""
    return not isinstance(x, (Value, Real, str, bytes)) and isinstance(x, (Sequence, np.ndarray))


def input_list(x: Any, n: int, owner: str, what: str = "inputs") -> list:
    """``x`` as a list if it is a sequence, else an error: ``owner`` takes ``n`` ``what``."""
    if not is_sequence(x):
        raise PathgradTypeError(
            f"{owner} takes a list of {n} {what} (Values or numbers), got {type(x).__name__}"
        )
    return list(x)


def _checked_input(v: object, k: int, owner: str) -> Value | float:
    if isinstance(v, Value):
        return v
    if isinstance(v, bool) or not isinstance(v, Real):
        raise PathgradTypeError(
            f"{owner}: input {k} is {type(v).__name__} {v!r:.40}; inputs are Values or numbers"
        )
    number = float(v)
    if not math.isfinite(number):
        raise PathgradValueError(f"{owner}: input {k} is {number!r}; inputs must be finite")
    return number


# -- the nodes of one neuron ---------------------------------------------------------------------


def weighted_input(w: Sequence[Value], b: Value, inputs: Inputs, name: str | None) -> Value:
    """The node ``z = b + Σ_k w_k a_k``, its edges of rate ``a_k`` (from ``w_k``), ``w_k``
    (from ``a_k``) and 1 (from ``b``): the rate factors of equation 53's footnote."""
    wdata = [p.data for p in w]
    data = _finite_sum(wdata, b, inputs, name)
    op = weighted_input_op(len(w))
    if inputs.all_values:
        return Value._made_finite(data, (*w, *inputs.values, b), (*inputs.data, *wdata, 1.0),
                                  op, None, name)
    tails = [wk for wk, x in zip(wdata, inputs.operands) if isinstance(x, Value)]
    return Value._made_finite(data, (*w, *inputs.values, b), (*inputs.data, *tails, 1.0), op,
                              (*w, *inputs.operands, b), name)


def _finite_sum(wdata: list[float], b: Value, inputs: Inputs, name: str | None) -> float:
    total = weighted_sum(wdata, inputs.data, b.data)
    if not math.isfinite(total):
        raise PathgradValueError(
            f"the weighted input of {name or 'a neuron'}, b + Σ w·a, is {total!r}, not a finite "
            "number: the weights or inputs are too large; scale the inputs or lower the "
            "learning rate"
        )
    return total


def activate(act: Activation, z: Value, name: str | None) -> Value:
    """The node ``a = σ(z)`` with one edge of rate ``σ'(z)``."""
    if act is relu:  # Value.relu skips Op.evaluate's checks, which a ReLU never fails
        a = z.relu()
        a.name = name
        return a
    data, rates = act.op.evaluate((z.data,))
    return Value._made_finite(data, (z,), rates, act.op, None, name)


def _whole_neuron(
    act: Activation, w: Sequence[Value], b: Value, inputs: Inputs, name: str | None
) -> Value:
    """``a = σ(b + Σ w a)`` as one node with equation 53's rates ``σ'a``, ``σ'w`` and ``σ'``."""
    wdata = [p.data for p in w]
    data, (s,) = act.op.evaluate((_finite_sum(wdata, b, inputs, name),))
    into_w = [s * x for x in inputs.data]
    into_a = [s * wk for wk, x in zip(wdata, inputs.operands) if isinstance(x, Value)]
    if abs(s) > 1.0 and not all(map(math.isfinite, (*into_w, *into_a))):
        # |σ'| <= 1 (every built-in activation) keeps σ'·a and σ'·w finite: checked otherwise.
        raise PathgradValueError(
            f"a rate factor σ'(z)·a or σ'(z)·w into {name or 'a neuron'} overflows (σ'(z) = "
            f"{s:.6g}): the activation's slope is too steep for these weights and inputs; "
            "scale them down"
        )
    args = None if inputs.all_values else (*w, *inputs.operands, b)
    return Value._made_finite(data, (*w, *inputs.values, b), (*into_w, *into_a, s),
                              neuron_op(act, len(w)), args, name)


def _elementary(act: Activation, w: Sequence[Value], b: Value, inputs: Inputs,
                names: tuple[str | None, str | None]) -> tuple[Value, Value]:
    """micrograd's ``sum((wi*xi for ...), b)`` then its activation, one node per operation."""
    z = reduce(add, map(mul, w, inputs.operands), b)
    z.name = names[0]
    if act is linear:
        return z, z
    a = z.relu() if act is relu else act.op(z)
    a.name = names[1]
    return z, a


# -- modules ---------------------------------------------------------------------------------------


class Module:
    """Anything with parameters: ``parameters()`` lists them, ``zero_grad()`` zeroes their grads.

    pathgrad's ``backward()`` recomputes gradients from zero, so ``zero_grad`` is only needed
    by code that reads ``grad`` between steps; it is here because micrograd scripts call it.

    Equations BP1-BP4 run over the graph its modules build; ``parameters()`` are the leaves
    whose ``grad`` they fill.

    >>> import pathgrad as pg
    >>> mlp = pg.MLP(2, [3, 1], seed=0, init="standard")
    >>> isinstance(mlp, pg.Module), len(mlp.parameters())    # 3·2 + 3 + 1·3 + 1
    (True, 13)
    """

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def named_parameters(self) -> dict[str, Value]:
        """Parameters by name (``"w^2_12"``), each shared Value once."""
        return {p.label: p for p in self.parameters()}


def _parameter(given: Any, name: str, draw: float) -> Value:
    if isinstance(given, Value):
        if given.name is None:
            given.name = name
        return given
    return Value(draw if given is None else given, name=name)


class Neuron(Module):
    """One neuron: ``a = σ(b + Σ_k w_k a_k)``, micrograd's ``Neuron(nin, nonlin=True)``.

    ``nonlin`` picks ReLU or linear, as in micrograd; ``activation`` overrides it. ``layer``
    and ``index`` give its place in a net (layer 2, neuron 1 on its own) and so its names.
    ``weights`` and ``bias`` start it from given numbers, or share given Values: a Value
    passed in is used as it is, so two neurons given the same Value share that weight.

    Equation 53 at the neuron level: the node ``a`` has one edge per input, of rate
    ``σ'(z)·w_k``.

    >>> import pathgrad as pg
    >>> neuron = pg.Neuron(2, activation="sigmoid", weights=[0.5, -1.0], bias=0.0)
    >>> a = neuron([pg.Value(1.0, name="a^1_1"), pg.Value(2.0, name="a^1_2")])
    >>> a.name, round(a.data, 6), [p.name for p in neuron.parameters()]
    ('a^2_1', 0.182426, ['w^2_11', 'w^2_12', 'b^2_1'])
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: ActivationSpec | None = None,
        level: str = "z",
        layer: int = 2,
        index: int = 1,
        weights: Sequence[Any] | None = None,
        bias: Any = None,
        max_parameters: int | None = DEFAULT_MAX_PARAMETERS,
    ) -> None:
        nin = whole_number(nin, "nin, the number of inputs of a neuron", least=1)
        check_parameters(nin + 1, max_parameters, f"Neuron({nin})")
        spec = activation if activation is not None else ("relu" if nonlin else "linear")
        self.activation = as_activation(spec)
        self.nonlin = self.activation is not linear
        self.level = one_of(level, "level", LEVELS)
        self.layer = whole_number(layer, "layer", least=2)
        self.index = whole_number(index, "index", least=1)
        if weights is not None and len(weights) != nin:
            raise PathgradValueError(f"a neuron with {nin} inputs needs {nin} weights, "
                                     f"got {len(weights)}")
        given = list(weights) if weights is not None else [None] * nin
        # micrograd's order: the neuron's nin weights from random.uniform(-1, 1), then b = 0.
        self.w = [
            _parameter(g, book_name("w", layer, index, k),
                       random.uniform(-1, 1) if weights is None else 0.0)
            for k, g in enumerate(given, 1)
        ]
        self.b = _parameter(bias, book_name("b", layer, index), 0.0)
        self.node_names = (book_name("z", layer, index), book_name("a", layer, index))

    @paused_call
    def __call__(self, x: Any) -> Value:
        return self.fire(Inputs(x, len(self.w), type(self).__name__), self.node_names)[1]

    def fire(self, inputs: Inputs, names: tuple[str | None, str | None]) -> tuple[Value | None,
                                                                                    Value]:
        """``(z, a)`` for checked inputs, named ``names``; ``z`` is None at the neuron level."""
        if self.level == "z":
            z = weighted_input(self.w, self.b, inputs, names[0])
            return z, activate(self.activation, z, names[1])
        if self.level == "neuron":
            return None, _whole_neuron(self.activation, self.w, self.b, inputs, names[1])
        return _elementary(self.activation, self.w, self.b, inputs, names)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        kind = {"relu": "ReLU", "linear": "Linear"}.get(self.activation.name)
        return f"{kind or self.activation.name.capitalize()}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs: micrograd's ``Layer(nin, nout, **kwargs)``.

    ``activation`` is one for the layer or a list with one per neuron; ``weights`` (shape
    ``(nout, nin)``, Nielsen's ``w^l``) and ``biases`` (``nout`` numbers) start it from given
    numbers or Values.

    Equation 53: each input reaches each neuron of the layer by one edge.

    >>> import pathgrad as pg
    >>> layer = pg.Layer(2, 3, activation="tanh")
    >>> outputs = layer([pg.Value(1.0, name="a^1_1"), pg.Value(2.0, name="a^1_2")])
    >>> [a.name for a in outputs], len(layer.parameters())
    (['a^2_1', 'a^2_2', 'a^2_3'], 9)
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        *,
        activation: ActivationSpec | Sequence[ActivationSpec] | None = None,
        level: str = "z",
        layer: int = 2,
        weights: Any = None,
        biases: Any = None,
        max_parameters: int | None = DEFAULT_MAX_PARAMETERS,
    ) -> None:
        nout = whole_number(nout, "nout, the number of neurons of a layer", least=1)
        nin = whole_number(nin, "nin, the number of inputs of a layer", least=1)
        check_parameters(nout * (nin + 1), max_parameters, f"Layer({nin}, {nout})")
        activations = one_per_neuron(activation, nout, layer)
        rows = _rows(weights, nout, "weights")
        column = _rows(biases, nout, "biases")
        self.neurons = [
            Neuron(nin, nonlin, activation=activations[j], level=level, layer=layer,
                   index=j + 1, weights=rows[j], bias=column[j], max_parameters=None)
            for j in range(nout)
        ]
        self.layer = layer

    @paused_call
    def __call__(self, x: Any) -> Value | list[Value]:
        out = self.fire(Inputs(x, len(self.neurons[0].w), type(self).__name__))[1]
        return out[0] if len(out) == 1 else out

    def fire(self, inputs: Inputs, names: Sequence[tuple[str | None, str | None]] | None = None
             ) -> tuple[list[Value | None], list[Value]]:
        """The layer's ``z`` nodes and outputs for checked inputs (named ``names``)."""
        pairs = names if names is not None else [n.node_names for n in self.neurons]
        fired = [neuron.fire(inputs, pair) for neuron, pair in zip(self.neurons, pairs)]
        return [z for z, _ in fired], [a for _, a in fired]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(w, b)`` in Nielsen's layout: ``w[j-1, k-1] = w^l_jk`` and the column ``b^l``."""
        return (np.array([[p.data for p in n.w] for n in self.neurons]),
                np.array([[n.b.data] for n in self.neurons]))

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


def _rows(given: Any, n: int, what: str) -> list[Any]:
    if given is None:
        return [None] * n
    rows = list(given)
    if len(rows) != n:
        raise PathgradValueError(f"{what}: expected {n} rows, one per neuron, got {len(rows)}")
    return rows


class MLP(Module):
    """A feedforward net of Values: micrograd's ``MLP(nin, nouts)``.

    Layer ``l`` (2 to L) is ``Layer(sizes[l-2], sizes[l-1])``. ``activation`` is None
    (micrograd's: ReLU hidden layers, linear output), one activation for every layer, or a
    list with one per layer (each may be a list with one per neuron), as for
    :class:`Network`. ``init`` is ``"uniform"`` (micrograd's, from Python's ``random``) or
    Network's ``"standard"``/``"scaled"`` (with ``seed``); ``weights``/``biases`` in Nielsen's
    layout start it from given arrays. ``cost`` is kept for :meth:`graph` and :meth:`to_network`.
    A net of more than ``max_parameters`` weights and biases (default two million, each a
    Value) is refused before any is made; ``Neuron`` and ``Layer`` take the same limit.

    Equations BP1-BP4: ``mlp.graph(x, y)`` is the net's graph for one example, with the
    book's names, and its reverse sweep is backpropagation.

    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> mlp = pg.MLP.from_network(net)                      # the same numbers
    >>> g = mlp.graph([0.5, -0.3], [1.0, 0.0])
    >>> nabla_b, nabla_w = net.backprop([[0.5], [-0.3]], [[1.0], [0.0]])
    >>> bool(abs(pg.grad(g, [g.w(2, 1, 2)])[0] - nabla_w[0][0, 1]) < 1e-15)
    True
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: Any = None,
        level: str = "z",
        init: str = "uniform",
        seed: int | None = None,
        weights: Sequence[Any] | None = None,
        biases: Sequence[Any] | None = None,
        cost: Any = "quadratic",
        max_parameters: int | None = DEFAULT_MAX_PARAMETERS,
    ) -> None:
        if isinstance(nouts, (int, str)) or not isinstance(nouts, Sequence):
            raise PathgradTypeError(
                f"nouts is a list of layer widths such as [16, 16, 1], got {nouts!r}"
            )
        if len(nouts) == 0:
            raise PathgradValueError(
                "nouts is empty: give the width of at least one layer, such as [16, 16, 1]"
            )
        sizes = _check_sizes([nin, *nouts])
        check_parameters(graph_size(sizes).parameters, max_parameters,
                         f"MLP({nin}, {list(nouts)})")
        spec = (["relu"] * (len(nouts) - 1) + ["linear"]) if activation is None else activation
        per_layer = [layer.per_neuron
                     for layer in layer_activations(_with_activations(spec), sizes)]
        one_of(init, "init", INITS)
        if init != "uniform" or weights is not None or biases is not None:
            # Network draws and checks the arrays; its layout is Nielsen's.
            net = Network(sizes, activation=[list(p) for p in per_layer], init=_net_init(init),
                          seed=seed, weights=weights, biases=biases)
            weights, biases = net.weights, net.biases
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=list(per_layer[i]), level=level,
                  layer=i + 2,
                  weights=None if weights is None else weights[i].tolist(),
                  biases=None if biases is None else biases[i][:, 0].tolist(),
                  max_parameters=None)
            for i in range(len(nouts))
        ]
        self.level = level
        self.cost = get_cost(cost)

    @property
    def sizes(self) -> list[int]:
        """``[n_1, ..., n_L]``: the inputs, then the width of each layer."""
        return [len(self.layers[0].neurons[0].w), *(len(layer.neurons) for layer in self.layers)]

    @paused_call
    def __call__(self, x: Any) -> Value | list[Value]:
        inputs = Inputs(x, self.sizes[0], type(self).__name__)
        out: list[Value] = []
        for layer in self.layers:
            out = layer.fire(inputs)[1]
            inputs = Inputs(out, len(out), "")
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"

    # -- the book's view -------------------------------------------------------------------

    @without_collector
    def graph(self, x: Any, y: Any, cost: Any = None) -> NetworkGraph:
        """The graph of ``C`` for one example, with the book's accessors (``g.w(l, j, k)``).

        The inputs become leaves ``a^1_k``; ``C`` is ``cost`` (default: the MLP's) of the
        outputs and ``y``: one node with an edge ``∂C/∂a^L_m`` from each output, or at the
        ``"ops"`` level the cost's own arithmetic. With the same weights the graph has the
        paths of :meth:`Network.graph`'s at the same level.
        """
        sizes = self.sizes
        target = _target(y, sizes[-1])
        x_values = _column(x, sizes[0], "input x")[:, 0].tolist()
        leaves = [Value(v, name=name) for v, name in zip(x_values, neuron_names("a", 1, sizes[0]))]
        nodes: dict[str, dict] = {"w": {}, "b": {}, "a": {1: leaves}, "z": {}}
        inputs = Inputs(leaves, sizes[0], type(self).__name__)
        for l, layer in enumerate(self.layers, 2):  # noqa: E741 - the book's letter
            zs, outs = layer.fire(inputs)
            nodes["w"][l] = [n.w for n in layer.neurons]
            nodes["b"][l] = [n.b for n in layer.neurons]
            nodes["a"][l] = outs
            if self.level != "neuron":
                nodes["z"][l] = zs
            inputs = Inputs(outs, len(outs), "")
        c = get_cost(cost) if cost is not None else self.cost
        outputs, y_values = nodes["a"][len(sizes)], target[:, 0].tolist()
        if self.level == "ops":  # the cost's own arithmetic too, as in Network's ops graph
            return NetworkGraph(c.elementary(outputs, y_values), "ops", sizes, nodes)
        return NetworkGraph(c.node(outputs, y_values), self.level, sizes, nodes)

    # -- conversion ------------------------------------------------------------------------

    def arrays(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(weights, biases)`` in Nielsen's layout: ``weights[l-2][j-1, k-1] = w^l_jk``."""
        pairs = [layer.arrays() for layer in self.layers]
        return [w for w, _ in pairs], [b for _, b in pairs]

    def predict(self, X: Any) -> np.ndarray:
        """The outputs for the rows of ``X``, one row each, by the matrix engine (no graph)."""
        return self.to_network().feedforward(float_array(X, "X").T).T

    def to_network(self, cost: Any = None) -> Network:
        """A :class:`Network` with the same sizes, activations, weights and biases."""
        weights, biases = self.arrays()
        activations = [[n.activation for n in layer.neurons] for layer in self.layers]
        return Network(self.sizes, activation=activations,
                       cost=self.cost if cost is None else cost,
                       weights=weights, biases=biases)

    @classmethod
    def from_network(cls, net: Network, level: str = "z") -> MLP:
        """An MLP of Values with ``net``'s sizes, activations, cost, weights and biases."""
        if not isinstance(net, Network):
            raise PathgradTypeError(f"from_network takes a Network, got {type(net).__name__}")
        return cls(net.sizes[0], net.sizes[1:],
                   activation=[list(layer.per_neuron) for layer in net.layers], level=level,
                   weights=net.weights, biases=net.biases, cost=net.cost)


def _net_init(init: str) -> str:
    return "standard" if init == "uniform" else init
