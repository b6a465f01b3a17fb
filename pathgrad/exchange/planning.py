"""What to build of a model: the nodes the chosen outputs need, in order, decoded.

An ONNX graph may compute more than a learner asks about: scikit-learn's classifiers add a
branch that turns probabilities into a label (``ArgMax`` and friends, which have no
derivative). :func:`plan` keeps only the nodes the chosen outputs depend on, refuses any
operator among them outside the catalogue (by name, with its node and the list), decodes
their attributes, and marks which tensors depend on the model's inputs and parameters (the
others, shapes and constants, are plain numbers and cost no node). :func:`fuse` then turns a
``MatMul`` whose result only has a bias added into one step, so that a dense layer is one
weighted-input node per neuron, as in the book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .contractions import MATMUL_ADD
from .model_files import DATA_TYPES, DataType, ModelFile, data_type
from .operators import SUPPORTED, unsupported
from .optional_onnx import helper, onnx
from .steps import ModelError, Step


@dataclass
class Plan:
    """The steps to run, the chosen outputs, the graph inputs and initializers they need,
    and the names of the tensors that depend on inputs or parameters (``symbolic``)."""

    steps: list[Step]
    outputs: list[str]
    inputs: dict[str, Any]
    initializers: dict[str, Any]
    nodes: list[Any]
    symbolic: set[str] = field(default_factory=set)

    def consumers(self, tensor: str) -> list[Step]:
        return [step for step in self.steps if tensor in step.inputs]


def element_type(value_info: Any) -> DataType | None:
    """The element type of a graph input or output, or None when it is not a tensor."""
    if not value_info.type.HasField("tensor_type"):
        return None
    return DATA_TYPES.get(value_info.type.tensor_type.elem_type)


def plan(model: ModelFile, output: str | Sequence[str] | None) -> Plan:
    """The steps that compute ``output`` (default: every floating-point graph output)."""
    graph = model.proto.graph
    initializers = {t.name: t for t in graph.initializer}
    inputs = {i.name: i for i in graph.input if i.name not in initializers}
    producers = {name: index for index, node in enumerate(graph.node) for name in node.output
                 if name}
    chosen = _chosen_outputs(model, output, producers, inputs, initializers)
    needed_nodes: set[int] = set()
    needed: set[str] = set()
    stack = list(chosen)
    while stack:
        name = stack.pop()
        if name in needed or not name:
            continue
        needed.add(name)
        if name in producers:
            index = producers[name]
            if index not in needed_nodes:
                needed_nodes.add(index)
                stack.extend(graph.node[index].input)
        elif name not in inputs and name not in initializers:
            raise ModelError(f"{model.where}: the tensor {name!r} is used but no node computes "
                             "it and it is not an input or initializer")
    nodes = [node for index, node in enumerate(graph.node) if index in needed_nodes]
    steps = [_step(model, node, index) for index, node in enumerate(nodes)]
    result = Plan(
        steps=steps,
        outputs=chosen,
        inputs={name: info for name, info in inputs.items() if name in needed},
        initializers={name: t for name, t in initializers.items() if name in needed},
        nodes=nodes,
    )
    result.symbolic = _symbolic(result)
    return result


def _chosen_outputs(model: ModelFile, output: str | Sequence[str] | None,
                    producers: dict[str, int], inputs: dict[str, Any],
                    initializers: dict[str, Any]) -> list[str]:
    graph = model.proto.graph
    described = ", ".join(
        f"{o.name} ({kind.name if (kind := element_type(o)) else 'not a tensor'})"
        for o in graph.output
    )
    if output is None:
        chosen = [o.name for o in graph.output if (kind := element_type(o)) and kind.is_float]
        if not chosen:
            raise ModelError(f"{model.where}: the model has no floating-point output to build "
                             f"(its outputs: {described}); name a tensor with output=...")
        return chosen
    names = [output] if isinstance(output, str) else list(output)
    for name in names:
        if not isinstance(name, str) or not (
            name in producers or name in inputs or name in initializers
        ):
            raise ModelError(f"output={name!r} is not a tensor of the model; its outputs are "
                             f"{described}")
    if not names:
        raise ModelError("output= names no tensor")
    return names


def _step(model: ModelFile, node: Any, index: int) -> Step:
    step = Step(node.op_type, node.name or f"#{index + 1}", list(node.input),
                list(node.output), opset=model.opset)
    if node.domain not in ("", "ai.onnx") or node.op_type not in SUPPORTED:
        raise unsupported(step, node.domain)
    step.attrs = {a.name: _attribute(model, a, step) for a in node.attribute}
    return step


def _attribute(model: ModelFile, attribute: Any, step: Step) -> Any:
    if attribute.type == onnx.AttributeProto.TENSOR:
        data_type(attribute.t.data_type, f"{step}'s {attribute.name}")
        return model.array(attribute.t)
    if attribute.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS,
                          onnx.AttributeProto.SPARSE_TENSOR, onnx.AttributeProto.TENSORS):
        raise step.fail(f"its attribute {attribute.name!r} is of a kind pathgrad does not read")
    value = helper.get_attribute_value(attribute)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list) and value and isinstance(value[0], bytes):
        return [v.decode("utf-8", "replace") for v in value]
    return value


def _symbolic(result: Plan) -> set[str]:
    """The tensors computed from floating-point inputs or parameters."""
    symbolic = {
        name for name, info in result.inputs.items()
        if (kind := element_type(info)) is not None and kind.is_float
    }
    symbolic |= {name for name, t in result.initializers.items()
                 if DATA_TYPES.get(t.data_type, DATA_TYPES[7]).is_float}
    for step in result.steps:
        if step.op_type not in ("Shape", "Constant") and symbolic.intersection(step.inputs):
            symbolic.update(name for name in step.outputs if name)
    return symbolic


def fuse(result: Plan, shapes: dict[str, tuple[int, ...]]) -> Plan:
    """``MatMul`` then ``Add`` of a parameter as one step (see the module docstring): only when
    the product goes nowhere else and the bias does not enlarge it."""
    steps: list[Step] = []
    fused: set[int] = set()
    for step in result.steps:
        if id(step) in fused:
            continue
        partner = _bias_add(result, step, shapes)
        if partner is None:
            steps.append(step)
            continue
        product = step.outputs[0]
        bias = next(name for name in partner.inputs if name != product)
        # The merged step stands where the MatMul stood: its inputs are ready there, its
        # bias is an initializer, and nothing before the Add reads what the Add computes.
        fused.add(id(partner))
        steps.append(Step(MATMUL_ADD, f"{step.name} + {partner.name}", [*step.inputs, bias],
                          list(partner.outputs), opset=step.opset))
    result.steps = steps
    return result


def _bias_add(result: Plan, step: Step, shapes: dict[str, tuple[int, ...]]) -> Step | None:
    if step.op_type != "MatMul" or step.outputs[0] in result.outputs:
        return None
    users = result.consumers(step.outputs[0])
    if len(users) != 1 or users[0].op_type != "Add" or len(set(users[0].inputs)) != 2:
        return None
    add = users[0]
    bias = next(name for name in add.inputs if name != step.outputs[0])
    if bias not in result.initializers or bias not in result.symbolic:
        return None
    if shapes.get(add.outputs[0]) != shapes.get(step.outputs[0]):
        return None
    return add
