"""The size of a model's graph, counted from its shapes before a single node is made.

A model file says how large its tensors are only through their shapes, and one convolution
over a large image can mean millions of nodes. So before building, ONNX's own shape
inference (strict: a shape the file declares that disagrees with what its operators compute
is an error, not a guess) gives every tensor's shape for the example's input shapes, and the
catalogue's ``count`` of each step turns shapes into nodes and edges: one node per entry a
step computes, one edge per entry each of those reads. Leaves (the inputs' and parameters'
entries) and the cost are added. The result bounds what the importer builds (a constant
entry costs less: no node); past ``max_nodes`` or ``max_edges`` the model is refused with
the count and the step that contributes most. The importer checks every built tensor's shape
against the inferred one, so the count is the count of what is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..book.files import DamagedFileError
from ..support.errors import TooLargeError
from .model_files import ModelFile
from .operators import OPERATORS
from .optional_onnx import helper, onnx, shape_inference
from .planning import Plan
from .steps import ModelError, count_of

#: At most this many edges by default: about 0.6 GB of rate factors and references.
DEFAULT_MAX_EDGES = 16_000_000


@dataclass
class ModelSize:
    """Nodes and edges of a model's graph for one example, and each step's share."""

    nodes: int
    edges: int
    leaves: int
    steps: list[tuple[str, int, int]] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.nodes:,} nodes ({self.leaves:,} inputs and parameters) and "
                f"{self.edges:,} edges")

    def check(self, max_nodes: int | None, max_edges: int | None, where: str) -> None:
        """Refuse a graph past either limit, saying what it would have been."""
        for amount, limit, name in ((self.nodes, max_nodes, "max_nodes"),
                                    (self.edges, max_edges, "max_edges")):
            if limit is not None and amount > limit:
                largest = max(self.steps, key=lambda s: s[1] + s[2], default=None)
                detail = (f"; the largest step is {largest[0]} with {largest[1]:,} nodes and "
                          f"{largest[2]:,} edges" if largest else "")
                raise TooLargeError(
                    f"{where}: the graph of this model for this example would have {self}, "
                    f"counted from its shapes before building{detail}: more than "
                    f"{name}={limit:,}. Give a smaller input, or raise {name} if you really "
                    "want it",
                    limit=name,
                )


def infer_shapes(model: ModelFile, program: Plan,
                 input_shapes: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """Every tensor's shape for these input shapes, by ONNX's strict shape inference."""
    graph = model.proto.graph
    float_params = [t for t in program.initializers.values() if t.name in program.symbolic]
    constants = [t for t in program.initializers.values() if t.name not in program.symbolic]
    inputs = [
        helper.make_tensor_value_info(name, info.type.tensor_type.elem_type,
                                      list(input_shapes[name]))
        for name, info in program.inputs.items()
    ] + [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in float_params]
    declared = {v.name: v for v in (*graph.value_info, *graph.output)}
    outputs = [declared.get(name) or onnx.ValueInfoProto(name=name) for name in program.outputs]
    wanted = {name for node in program.nodes for name in node.output}
    skeleton = helper.make_model(
        helper.make_graph(
            program.nodes, "shapes", inputs, outputs, initializer=constants,
            value_info=[v for v in graph.value_info if v.name in wanted
                        and v.name not in program.outputs],
        ),
        opset_imports=model.proto.opset_import, ir_version=model.proto.ir_version,
    )
    try:
        inferred = shape_inference.infer_shapes(skeleton, check_type=True, strict_mode=True,
                                                data_prop=True)
    except Exception as error:  # onnx's InferenceError, or a C++ error for a bad model
        message = " ".join(str(error).split())[:400]
        raise DamagedFileError(
            f"{model.where}: the model's shapes do not agree with its operators for inputs of "
            f"shape {_shapes_text(input_shapes)}: {message}"
        ) from None
    shapes = {t.name: tuple(int(d) for d in t.dims) for t in program.initializers.values()}
    for info in (*inferred.graph.input, *inferred.graph.value_info, *inferred.graph.output):
        shape = info.type.tensor_type.shape
        if info.type.HasField("tensor_type") and info.type.tensor_type.HasField("shape") and \
                all(d.HasField("dim_value") for d in shape.dim):
            shapes[info.name] = tuple(int(d.dim_value) for d in shape.dim)
    needed = {name for step in program.steps for name in (*step.inputs, *step.outputs) if name}
    unknown = sorted(name for name in needed | set(program.outputs) if name not in shapes)
    if unknown:
        raise ModelError(
            f"{model.where}: the shapes of {', '.join(map(repr, unknown[:5]))} cannot be known "
            "before building, so the graph's size cannot be counted; pathgrad builds models "
            "whose shapes follow from the input's"
        )
    return shapes


def _shapes_text(shapes: dict[str, tuple[int, ...]]) -> str:
    return ", ".join(f"{name} {shape}" for name, shape in shapes.items())


def count(program: Plan, shapes: dict[str, tuple[int, ...]]) -> ModelSize:
    """The nodes and edges of the graph the importer will build (an upper bound: constant
    entries cost nothing), with the cost's node and its edges."""
    leaves = sum(count_of(shapes[name]) for name in program.symbolic
                 if name in program.inputs or name in program.initializers)
    steps = []
    for step in program.steps:
        if not program.symbolic.intersection(step.inputs):
            continue
        in_shapes = [shapes.get(name, ()) for name in step.inputs]
        out_shapes = [shapes.get(name, ()) for name in step.outputs]
        nodes, edges = OPERATORS[step.op_type].count(step, in_shapes, out_shapes)
        steps.append((str(step), nodes, edges))
    outputs = sum(count_of(shapes[name]) for name in program.outputs)
    return ModelSize(
        nodes=leaves + sum(s[1] for s in steps) + 1,
        edges=sum(s[2] for s in steps) + outputs,
        leaves=leaves,
        steps=steps,
    )
