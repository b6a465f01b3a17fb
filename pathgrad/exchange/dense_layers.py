"""Finding the book's network in a model: a chain of dense layers, named as Nielsen names them.

Most small models a learner exports (scikit-learn's ``MLPClassifier``, a PyTorch stack of
``Linear`` layers) are the network of chapter 2: from one input vector, layer after layer of
``z^l = w^l a^{l-1} + b^l`` and ``a^l = σ(z^l)``. In ONNX such a layer is a ``Gemm`` (PyTorch,
pathgrad's own export) or a ``MatMul`` by the weights followed by an ``Add`` of the bias
(scikit-learn, PyTorch on 3-D inputs), then ``Relu``, ``Sigmoid``, ``Tanh``, ``Softmax`` or no
activation at all (a linear layer). :func:`dense_chain` recognises that chain, from the
model's only floating-point input, so the importer can give its nodes the book's names
(``a^1_k`` for the inputs, ``w^l_jk``, ``b^l_j``, ``z^l_j``, ``a^l_j``) and
:meth:`~pathgrad.exchange.importer.ModelGraph.network` can return it as a
:class:`~pathgrad.book.network.Network` with the same numbers, when it is one: when the chain
is all the model computes, and no layer is a softmax (a Network's activation acts on one
neuron at a time). The weights keep their layout in the file: ``w^l_jk`` is ``W[j-1, k-1]``
of a ``Gemm`` with ``transB=1`` (PyTorch's ``Linear``, Nielsen's layout) and ``W[k-1, j-1]``
of a ``MatMul`` (scikit-learn's ``coefs_``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..book.network_graphs import neuron_names, weight_names
from .contractions import MATMUL_ADD
from .model_files import DATA_TYPES
from .planning import Plan
from .steps import Step

#: ONNX activations a Network layer can have, by the name pathgrad gives them.
ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "softmax"}
#: Steps whose output is their input, entry for entry.
_PASSING = ("Identity", "Dropout")


@dataclass
class DenseLayer:
    """Layer ``l`` of the chain: its weight and bias initializers, its ``z`` and ``a``
    tensors (the same tensor for a linear layer) and its activation's name."""

    layer: int
    weights: str
    inputs_first: bool
    bias: str
    z: str
    a: str
    activation: str
    n_in: int
    n_out: int


@dataclass
class DenseChain:
    """The dense layers from the model's input; ``network_problem`` says why the chain is not
    a :class:`~pathgrad.book.network.Network` (None when it is)."""

    input: str
    layers: list[DenseLayer]
    network_problem: str | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def sizes(self) -> list[int]:
        """``[n_1, ..., n_L]`` in the book's sense: the input's width, then each layer's."""
        return [self.layers[0].n_in, *(layer.n_out for layer in self.layers)]

    def names(self) -> dict[str, list[str]]:
        """The book name of every entry, in row-major order, by tensor name."""
        names = {self.input: list(neuron_names("a", 1, self.layers[0].n_in))}
        for layer in self.layers:
            l, n_in, n_out = layer.layer, layer.n_in, layer.n_out  # noqa: E741
            rows = weight_names(l, n_out, n_in)  # rows j, columns k
            stored = zip(*rows) if layer.inputs_first else rows  # an (n_in, n_out) array
            names[layer.weights] = [name for line in stored for name in line]
            names[layer.bias] = list(neuron_names("b", l, n_out))
            names[layer.z] = list(neuron_names("z", l, n_out))
            if layer.a != layer.z:
                names[layer.a] = list(neuron_names("a", l, n_out))
        return names


def _is_passing(step: Step) -> bool:
    if step.op_type == "Cast":
        kind = DATA_TYPES.get(int(step.attrs.get("to", 0)))
        return kind is not None and kind.is_float
    return step.op_type in _PASSING


def _parameter(program: Plan, name: str, shapes: dict[str, tuple[int, ...]],
               allowed: tuple[tuple[int, ...], ...]) -> bool:
    """Whether ``name`` is a floating-point parameter of one of the ``allowed`` shapes that
    only one step uses (a shared weight would get two book names)."""
    return (
        name in program.initializers and name in program.symbolic
        and shapes.get(name) in allowed and len(program.consumers(name)) == 1
    )


def _layer(program: Plan, step: Step, current: str, shapes: dict[str, tuple[int, ...]],
           l: int) -> DenseLayer | None:  # noqa: E741 - the book's letter
    if not step.inputs or step.inputs[0] != current or len(step.inputs) < 3:
        return None
    weights, bias = step.inputs[1], step.inputs[2]
    n_in = shapes[current][1]
    out = shapes.get(step.outputs[0], ())
    if len(out) != 2 or out[0] != 1 or weights == bias:
        return None
    n_out = out[1]
    if step.op_type == "Gemm":
        attrs = step.attrs
        if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or \
                attrs.get("beta", 1.0) != 1.0:
            return None
        inputs_first = not attrs.get("transB", 0)
    elif step.op_type == MATMUL_ADD:
        inputs_first = True
    else:
        return None
    shape = (n_in, n_out) if inputs_first else (n_out, n_in)
    if not _parameter(program, weights, shapes, (shape,)) or \
            not _parameter(program, bias, shapes, ((n_out,), (1, n_out))):
        return None
    return DenseLayer(l, weights, inputs_first, bias, step.outputs[0], step.outputs[0],
                      "linear", n_in, n_out)


def dense_chain(program: Plan, shapes: dict[str, tuple[int, ...]]) -> DenseChain | None:
    """The chain of dense layers from the model's input, or None when it does not start
    with one (see the module docstring)."""
    floats = [name for name in program.inputs if name in program.symbolic]
    if len(floats) != 1 or len(shapes[floats[0]]) != 2 or shapes[floats[0]][0] != 1:
        return None
    chain = DenseChain(floats[0], [])
    current = floats[0]
    while True:
        users = program.consumers(current)
        if len(users) != 1:
            break
        if _is_passing(users[0]):
            chain.steps.append(users[0])
            current = users[0].outputs[0]
            continue
        layer = _layer(program, users[0], current, shapes, len(chain.layers) + 2)
        if layer is None:
            break
        chain.steps.append(users[0])
        after = program.consumers(layer.z)
        if len(after) == 1 and after[0].op_type in ACTIVATIONS and _acts_on_neurons(after[0],
                                                                                    shapes):
            layer.a, layer.activation = after[0].outputs[0], ACTIVATIONS[after[0].op_type]
            chain.steps.append(after[0])
        chain.layers.append(layer)
        current = layer.a
        if layer.activation == "softmax":
            break
    if not chain.layers:
        return None
    chain.network_problem = _network_problem(program, chain, current)
    return chain


def _acts_on_neurons(step: Step, shapes: dict[str, tuple[int, ...]]) -> bool:
    """A softmax belongs to the layer only along the neurons' axis."""
    if step.op_type != "Softmax":
        return True
    return int(step.attrs.get("axis", -1 if step.opset >= 13 else 1)) in (1, -1)


def _network_problem(program: Plan, chain: DenseChain, last: str) -> str | None:
    if any(layer.activation == "softmax" for layer in chain.layers):
        return ("its output layer is a softmax, and a pg.Network's activations act on one "
                "neuron each")
    extra = [step for step in program.steps if step not in chain.steps]
    if extra:
        return f"the {extra[0]} computes more than its dense layers"
    if program.outputs != [last]:
        return f"its output {program.outputs} is not the last layer's activations"
    return None
