"""Any small ONNX model as a rate-factor graph: :func:`from_onnx` and :class:`ModelGraph`.

A model trained in PyTorch, scikit-learn or Keras and exported to ONNX becomes, for one
example, a graph of pathgrad nodes: every input entry and every parameter entry (each weight
of the model) is a leaf with paths to the output, and every operator entry is a node whose
edges carry its rate factors. Then everything pathgrad does to a graph works on it: the
paths from a weight, their statistics and the largest of them, pictures, the explorer and
``pg.check``. How it goes:

1. the file is read and checked (:mod:`.model_files`);
2. the nodes the chosen outputs need are kept, and an operator outside the catalogue is
   refused (:mod:`.planning`);
3. the size of the graph is counted from the shapes, and refused past ``max_nodes``, before
   anything is built (:mod:`.shape_count`);
4. a chain of dense layers gets the book's names (:mod:`.dense_layers`);
5. each operator makes its nodes (:mod:`.operators`), in float64 whatever the model's type
   (a float32 model's outputs agree with its own runtime's to float32's precision).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Union

import numpy as np

from ..book.graph_sizes import DEFAULT_MAX_NODES
from ..book.losses import COSTS, get_cost
from ..book.network import Network, _target
from ..book.network_graphs import NetworkGraph
from ..support.arguments import float_array
from ..support.collector import without_collector
from ..support.errors import (
    PathgradKeyError,
    PathgradTypeError,
    PathgradValueError,
)
from ..support.limits import DEFAULT_MAX_BYTES
from ..sweeps import adjoints
from ..value import Value
from .dense_layers import DenseChain, dense_chain
from .model_files import ModelFile, read_model
from .operators import OPERATORS
from .planning import Plan, element_type, fuse, plan
from .shape_count import DEFAULT_MAX_EDGES, ModelSize, count, infer_shapes
from .steps import ModelError, Step, filled, is_symbolic

#: A cost: "quadratic", "cross-entropy", or a function from the output Values to C.
CostSpec = Union[str, Callable[[list[Value]], Value], None]  # noqa: UP007


class ParamDict(dict):
    """The parameters by initializer name, each the flat (row-major) list of its Values.

    Calling it, ``g.params()``, gives every parameter node in one list, as
    :meth:`NetworkGraph.params` does: what ``pg.check(g, g.params())`` checks.
    """

    def __call__(self) -> list[Value]:
        return [node for nodes in self.values() for node in nodes]


class ModelGraph(NetworkGraph):
    """The graph of a model for one example, from :func:`from_onnx`.

    - ``outputs[name]``: the flat (row-major) list of the Values of each chosen output;
    - ``params[name]``: the flat list of the Values of each parameter (initializer), one leaf
      per entry; ``params()`` all of them in one list;
    - ``inputs[name]``: the leaves of each floating-point input;
    - ``tensors[name]``: every tensor the model computed (Values, or numbers for constants);
    - ``shapes[name]``: the shape of each of those;
    - ``C``: the cost when a target and a cost were given (else the one output number);
    - ``size``: the nodes and edges counted before building (:class:`ModelSize`).

    When the model is a chain of dense layers, its nodes have the book's names and
    ``g.w(l, j, k)``, ``g.b(l, j)``, ``g.z(l, j)``, ``g.a(l, j)``, ``g.gradients()`` and
    ``g.deltas()`` work as on a :class:`NetworkGraph`; :meth:`network` returns the model as a
    :class:`Network` when it is one.

    Equations 47-53 hold on it as on any graph: ``pg.grad(g.C, g.params())`` is the reverse
    sweep, ``pg.path_stats(w, g.C)`` the paths of one parameter.

    >>> import pathgrad as pg
    >>> g = pg.from_onnx(pg.to_onnx(pg.Network([2, 3, 2], seed=1)), {"x": [0.5, -0.3]},
    ...                  target=[1.0, 0.0], cost="quadratic")
    >>> list(g.params), len(g.params["w2"])       # one leaf per entry of each initializer
    (['w2', 'b2', 'w3', 'b3'], 6)
    """

    def __init__(self, output: Value, *, outputs: dict[str, list[Value]], params: ParamDict,
                 inputs: dict[str, list[Value]], tensors: dict[str, np.ndarray],
                 chain: DenseChain | None, size: ModelSize, cost_name: str | None,
                 where: str) -> None:
        nodes: dict[str, dict] = {"w": {}, "b": {}, "a": {}, "z": {}}
        if chain is not None:
            nodes = _book_nodes(chain, tensors)
        super().__init__(output, "z" if chain else "graph",
                         chain.sizes if chain else (), nodes)
        self.outputs = outputs
        self._params = params
        self.inputs = inputs
        self.tensors = tensors
        self.shapes = {name: tuple(np.shape(t)) for name, t in tensors.items()}
        self.chain = chain
        self.size = size
        self.cost_name = cost_name
        self.where = where

    @property  # a dict that is also callable, as NetworkGraph.params() is
    def params(self) -> ParamDict:
        """The parameters by initializer name (call it for all of them in one list)."""
        return self._params

    def _require_chain(self) -> None:
        if self.chain is None:
            raise PathgradValueError(
                f"{self.where} is not a chain of dense layers from one input, so its nodes "
                "have no book names (w^l_jk, z^l_j, ...); find them through g.params, "
                "g.inputs, g.outputs and g.tensors"
            )

    def _layer(self, l: int, first: int) -> None:  # noqa: E741 - the book's letter
        self._require_chain()
        super()._layer(l, first)

    def gradients(self, adj: Sequence[float] | None = None) -> tuple[list, list]:
        self._require_chain()
        return super().gradients(adj)

    def deltas(self, adj: Sequence[float] | None = None) -> list[np.ndarray]:
        self._require_chain()
        return super().deltas(adj)

    def param_grads(self) -> dict[str, np.ndarray]:
        """``∂C/∂parameter`` for every entry of every parameter, shaped like the parameter
        (one reverse sweep; 0 for an entry with no path to ``C``)."""
        adj = adjoints(self)
        index = self.index
        return {
            name: np.array([adj[index[v]] if v in index else 0.0 for v in values]).reshape(
                self.shapes[name])
            for name, values in self.params.items()
        }

    def network(self, cost: str | None = None) -> Network:
        """The model as a :class:`Network` with the same numbers, when it is one: a chain of
        dense layers (sigmoid, tanh, ReLU or linear) and nothing else. ``cost`` defaults to
        the cost the graph was built with, else the one the file names, else quadratic."""
        if self.chain is None or self.chain.network_problem:
            problem = self.chain.network_problem if self.chain else (
                "it is not a chain of dense layers from one input")
            raise PathgradValueError(f"{self.where} is not a pg.Network: {problem}")
        layers = range(2, self.L + 1)
        return Network(
            self.layer_sizes,
            activation=[layer.activation for layer in self.chain.layers],
            cost=cost or self.cost_name or "quadratic",
            weights=[np.array([[w.data for w in row] for row in self._w[n]]) for n in layers],
            biases=[np.array([[b.data] for b in self._b[n]]) for n in layers],
        )

    def __repr__(self) -> str:
        outputs = ", ".join(f"{name} ({len(v)})" for name, v in self.outputs.items())
        return (f"<ModelGraph of {self.where}: {len(self.nodes):,} nodes, {self.edge_count:,} "
                f"edges; outputs {outputs}; {len(self.params)} parameter tensors>")


def _book_nodes(chain: DenseChain, tensors: dict[str, np.ndarray]) -> dict[str, dict]:
    """The w, b, z and a nodes of the chain in NetworkGraph's layout."""
    nodes: dict[str, dict] = {"w": {}, "b": {}, "a": {1: list(tensors[chain.input].ravel())},
                              "z": {}}
    for layer in chain.layers:
        l = layer.layer  # noqa: E741
        weights = tensors[layer.weights]
        rows = weights.T if layer.inputs_first else weights
        nodes["w"][l] = [list(row) for row in rows]
        nodes["b"][l] = list(tensors[layer.bias].ravel())
        nodes["z"][l] = list(tensors[layer.z].ravel())
        nodes["a"][l] = list(tensors[layer.a].ravel())
    return nodes


def from_onnx(
    model: Any,
    inputs: Mapping[str, Any] | Any,
    *,
    target: Any = None,
    cost: CostSpec = None,
    output: str | Sequence[str] | None = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    max_edges: int | None = DEFAULT_MAX_EDGES,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> ModelGraph:
    """The rate-factor graph of an ONNX model for one example.

    - ``model``: a file path, the bytes of a file, or an ``onnx.ModelProto``.
    - ``inputs``: each graph input's name mapped to one example (batch size 1; the batch axis
      may be left out); a bare array for a model with one input.
    - ``output``: the tensor(s) to build (default: every floating-point output of the model;
      any tensor of the model may be named, and what it does not need is left out).
    - ``target`` and ``cost``: ``C`` is ``cost`` ("quadratic", "cross-entropy") of the output
      and ``target`` (its numbers, or a class index for a one-hot target); or ``cost`` is a
      function from the output's Values to ``C`` (``cost=lambda out: out[3]`` explains the
      fourth output alone). Without a cost, the output must be one number.
    - ``max_nodes``, ``max_edges``: the graph's size is counted from the shapes first and
      refused past these. ``max_bytes``: the file and its parameters.

    Needs the ``onnx`` package (``pip install 'pathgrad[onnx]'``).

    Equations 47-53 on a model trained elsewhere: every edge of the graph carries its rate
    factor, so ``∂C/∂w`` is its sum over paths, as for a graph pathgrad built itself.

    >>> import pathgrad as pg
    >>> net = pg.Network([2, 3, 2], seed=1)
    >>> g = pg.from_onnx(pg.to_onnx(net), {"x": [0.5, -0.3]}, target=[1.0, 0.0],
    ...                  cost="quadratic")
    >>> g.w(2, 1, 2), pg.count_paths(g.w(2, 1, 2), g.C)     # a dense chain: the book's names
    (Value(-0.536953, name='w^2_12'), 2)
    >>> pg.grad(g.C, [g.w(2, 1, 2)])                          # BP4, as net.graph gives it
    [0.008763283017977356]
    """
    file = read_model(model, max_bytes)
    program = plan(file, output)
    examples = _examples(file, program, inputs)
    shapes = infer_shapes(file, program, {name: a.shape for name, a in examples.items()})
    program = fuse(program, shapes)
    size = count(program, shapes)
    size.check(max_nodes, max_edges, file.where)
    chain = dense_chain(program, shapes)
    return _build(file, program, examples, shapes, chain, size, target, cost)


@without_collector
def _build(file: ModelFile, program: Plan, examples: dict[str, np.ndarray],
           shapes: dict[str, tuple[int, ...]], chain: DenseChain | None, size: ModelSize,
           target: Any, cost: CostSpec) -> ModelGraph:
    names = chain.names() if chain is not None else {}
    tensors: dict[str, np.ndarray] = {}
    leaves: dict[str, list[Value]] = {}
    for name, example in examples.items():
        if name in program.symbolic:
            tensors[name] = _leaves(example, names.get(name), name)
            leaves[name] = list(tensors[name].ravel())
        else:
            tensors[name] = example
    params = ParamDict()
    for name, tensor in program.initializers.items():
        numbers = file.array(tensor)
        if name in program.symbolic:
            tensors[name] = _leaves(numbers, names.get(name), name)
            params[name] = list(tensors[name].ravel())
        else:
            tensors[name] = numbers
    for step in program.steps:
        _run(step, tensors, shapes, names)
    outputs = {name: list(np.asarray(tensors[name], dtype=object).ravel())
               for name in program.outputs}
    # The cost a model written by pg.to_onnx names: the default when a target is given.
    named = {p.key: p.value for p in file.proto.metadata_props}.get("pathgrad.cost")
    declared = named if named in COSTS else None
    chosen = cost if cost is not None or target is None else declared
    top, cost_name = _output_node(outputs, target, chosen, file.where)
    cost_name = cost_name or declared
    return ModelGraph(top, outputs=outputs, params=params, inputs=leaves, tensors=tensors,
                      chain=chain, size=size, cost_name=cost_name, where=file.where)


def _run(step: Step, tensors: dict[str, np.ndarray], shapes: dict[str, tuple[int, ...]],
         names: dict[str, list[str]]) -> None:
    """Build one step's nodes, check their shapes against the count's, name them."""
    xs = [tensors.get(name) if name else None for name in step.inputs]
    missing = [name for name, x in zip(step.inputs, xs) if name and x is None]
    if missing:
        raise step.fail(f"its input {missing[0]!r} was not computed (an output of a node "
                        "pathgrad builds only in part?)")
    try:
        results = OPERATORS[step.op_type].build(step, xs)
    except ModelError:
        raise
    except PathgradValueError as error:
        raise step.fail(str(error)) from None
    for name, result in zip(step.outputs, results):
        if not name:
            continue
        if tuple(result.shape) != shapes.get(name, tuple(result.shape)):
            raise step.fail(
                f"it computed {name!r} of shape {result.shape}, but the model's shapes say "
                f"{shapes[name]}; pathgrad refuses to go on with a graph it did not count"
            )
        tensors[name] = result
        if is_symbolic(result):
            _name_entries(name, result, names.get(name))


def _name_entries(tensor: str, values: np.ndarray, own: list[str] | None) -> None:
    """Name the nodes a tensor's entries are (if nothing named them before): the book's
    names in a dense chain, else the tensor's name and the entry's index (``relu[0,2]``)."""
    for i, (v, index) in enumerate(zip(values.ravel(), np.ndindex(*values.shape))):
        if isinstance(v, Value) and v.name is None:
            v.name = own[i] if own is not None else _entry_name(tensor, index)


def _entry_name(tensor: str, index: tuple[int, ...]) -> str:
    return f"{tensor}[{','.join(map(str, index))}]" if index else tensor


def _leaves(values: np.ndarray, names: list[str] | None, tensor: str) -> np.ndarray:
    """One leaf Value per entry, named by the book or by the tensor and its index."""
    shape = values.shape
    own = names or [_entry_name(tensor, index) for index in np.ndindex(*shape)]
    return filled((Value(float(v), name=n) for v, n in zip(values.ravel().tolist(), own)),
                  shape)


def _examples(file: ModelFile, program: Plan, inputs: Any) -> dict[str, np.ndarray]:
    """The example of each input the chosen outputs need, checked against the model's
    declared input (its type, rank and fixed dimensions); the batch axis may be left out."""
    needed = program.inputs
    if not isinstance(inputs, Mapping):
        if len(needed) != 1:
            raise PathgradTypeError(
                f"{file.where} has the inputs {', '.join(needed) or '(none)'}: give "
                "inputs={name: array, ...}"
            )
        inputs = {next(iter(needed)): inputs}
    unknown = [name for name in inputs if name not in needed]
    missing = [name for name in needed if name not in inputs]
    if unknown or missing:
        raise PathgradKeyError(
            f"{file.where} needs the inputs {', '.join(needed) or '(none)'} for this output; "
            + (f"missing: {', '.join(missing)}" if missing else f"unknown: {', '.join(unknown)}")
        )
    return {name: _example(name, info, inputs[name]) for name, info in needed.items()}


def _example(name: str, info: Any, given: Any) -> np.ndarray:
    kind = element_type(info)
    if kind is None:
        raise ModelError(f"the input {name!r} is not a tensor; pathgrad reads tensor inputs")
    if kind.is_float:
        array = float_array(given, f"input {name!r}")
        if not np.all(np.isfinite(array)):
            raise PathgradValueError(f"input {name!r} holds a NaN or an infinity")
    else:
        array = np.asarray(given)
        if array.dtype.kind not in "iub":
            raise PathgradTypeError(f"input {name!r} takes integers ({kind.name}); got "
                                    f"{array.dtype}")
        array = array.astype(kind.stored[1:])
    dims = [d.dim_value if d.HasField("dim_value") else None
            for d in info.type.tensor_type.shape.dim] if info.type.tensor_type.HasField(
        "shape") else None
    if dims is not None and array.ndim == len(dims) - 1 and dims[0] in (1, None):
        array = array.reshape((1, *array.shape))
    if dims is not None and (array.ndim != len(dims) or any(
            d is not None and d != s for d, s in zip(dims, array.shape))):
        shown = tuple(d if d is not None else "any" for d in dims)
        raise PathgradValueError(
            f"input {name!r} has shape {np.shape(given)}; the model takes {shown} (batch size "
            "1: one example)"
        )
    return array


def _output_node(outputs: dict[str, list[Value]], target: Any, cost: CostSpec,
                 where: str) -> tuple[Value, str | None]:
    """The graph's output: the cost ``C``, or the one output number."""
    if cost is None and target is None:
        values = [v for vs in outputs.values() for v in vs]
        if len(values) == 1 and isinstance(values[0], Value):
            return values[0], None
        shown = ", ".join(f"{name} ({len(v)} numbers)" for name, v in outputs.items())
        raise PathgradValueError(
            f"{where}: the output {shown} is not one number, and a graph ends in one: give "
            "target= and cost= ('quadratic' or 'cross-entropy') for a cost C, or pick one "
            "number with cost=lambda out: out[j]"
        )
    if len(outputs) != 1:
        raise PathgradValueError(f"a cost reads one output; name it with output= (the model "
                                 f"has {', '.join(outputs)})")
    values = next(iter(outputs.values()))
    if callable(cost):
        if target is not None:
            raise PathgradValueError("target= is for the named costs; a cost function computes "
                                     "C from the outputs itself")
        result = cost(values)
        if not isinstance(result, Value):
            raise PathgradTypeError(f"the cost function returned {type(result).__name__}, not "
                                    "a pathgrad Value")
        if result.name is None:
            result.name = "C"
        return result, None
    if target is None:
        raise PathgradValueError(f"cost={cost!r} needs target=: the output's desired numbers, "
                                 "or a class index")
    if not all(isinstance(v, Value) for v in values):
        raise PathgradValueError("the output does not depend on the model's inputs or "
                                 "parameters: it has no paths")
    chosen = get_cost(cost if cost is not None else "quadratic")
    y = _target(target, len(values))[:, 0].tolist()
    return chosen.node(values, y), chosen.name

