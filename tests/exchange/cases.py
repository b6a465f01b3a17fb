"""One catalogue of ONNX operator cases drives the importer's property tests.

Each strategy of :data:`STRATEGIES` draws, for one operator, random shapes, attributes and
numbers (inside the operator's domain: a positive base for ``Pow``, denominators away from 0,
windows that fit), and returns a :class:`Case`: a model of one node (or two, where the
operator needs a constant input made by another) whose floating-point tensors are float64,
so ONNX's reference evaluator computes what pathgrad should, to rounding. The first
floating-point operand is the graph's input ``x``; the others are initializers (parameters),
and integer operands (axes, shapes, indices) are constant initializers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnxruntime
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper, shape_inference
from onnx.reference import ReferenceEvaluator

import pathgrad as pg


@dataclass
class Case:
    """A model of one operator: its floating-point operands (``x`` first), its integer
    constants, the node(s) and the opset."""

    op_type: str
    floats: dict[str, np.ndarray]
    nodes: list[Any]
    opset: int = 18
    ints: dict[str, np.ndarray] = field(default_factory=dict)
    #: Where ONNX's reference evaluator departs from the specification, onnxruntime (which
    #: follows it) is the reference: Softmax and LogSoftmax of opsets before 13 (the evaluator
    #: applies the later rule, along one axis, not over everything from it on) and MaxPool
    #: (the evaluator's 1-D pooling leaves out the end padding).
    runtime: str = "reference"

    def model(self, floats: dict[str, np.ndarray] | None = None):
        """The ONNX model, with ``floats`` in place of the case's own numbers if given."""
        values = floats or self.floats
        names = list(values)
        initializers = [numpy_helper.from_array(np.asarray(values[n], dtype=np.float64), n)
                        for n in names[1:]]
        initializers += [numpy_helper.from_array(v, n) for n, v in self.ints.items()]
        graph = helper.make_graph(
            self.nodes, self.op_type,
            [helper.make_tensor_value_info("x", TensorProto.DOUBLE, list(values["x"].shape))],
            [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)],
            initializer=initializers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)],
                                  ir_version=10)
        # The output's shape, as an exporter would write it (ONNX's checker wants one).
        inferred = shape_inference.infer_shapes(model, data_prop=True)
        del model.graph.output[:]
        model.graph.output.extend(v for v in inferred.graph.output)
        return model

    def reference(self, floats: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """``y`` by ONNX's reference evaluator (or onnxruntime, see ``runtime``)."""
        values = floats or self.floats
        model = self.model(values)
        if self.runtime == "onnxruntime":
            session = onnxruntime.InferenceSession(model.SerializeToString())
            return np.asarray(session.run(None, {"x": values["x"]})[0])
        return np.asarray(ReferenceEvaluator(model).run(None, {"x": values["x"]})[0])

    def graph(self, weights: np.ndarray):
        """pathgrad's graph of ``C = Σ weights · y``."""
        def cost(out):
            return sum((w * v for w, v in zip(weights.ravel().tolist(), out)), 0.0)

        return pg.from_onnx(self.model(), {"x": self.floats["x"]}, output="y", cost=cost)


def _numbers(draw, shape, low=-2.0, high=2.0, away=0.0) -> np.ndarray:
    """Random float64 numbers in ``[low, high]``, at least ``away`` from 0."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = rng.uniform(low, high, size=shape)
    if away:
        values = np.sign(values + (values == 0)) * (away + np.abs(values) * (1 - away / high))
    return np.asarray(values, dtype=np.float64)


def _shape(draw, min_rank=1, max_rank=3, max_dim=3) -> tuple[int, ...]:
    rank = draw(st.integers(min_rank, max_rank))
    return tuple(draw(st.integers(1, max_dim)) for _ in range(rank))


def _broadcast_partner(draw, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with ``shape``: some leading axes dropped, some set to 1."""
    cut = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else d for d in shape[cut:])


def _node(op_type: str, inputs, outputs=("y",), **attrs):
    return helper.make_node(op_type, list(inputs), list(outputs), name=f"the {op_type}",
                            **attrs)


@st.composite
def binary(draw, op_type: str) -> Case:
    shape = _shape(draw)
    other = _broadcast_partner(draw, shape)
    if draw(st.booleans()):
        shape, other = other, shape
    if op_type == "Pow":
        x, p = _numbers(draw, shape, 0.5, 2.0), _numbers(draw, other, -2.0, 2.0)
    elif op_type == "Div":
        x, p = _numbers(draw, shape), _numbers(draw, other, -2.0, 2.0, away=0.5)
    else:
        x, p = _numbers(draw, shape), _numbers(draw, other)
    return Case(op_type, {"x": x, "p": p}, [_node(op_type, ["x", "p"])])


_UNARY_DOMAINS = {"Log": (0.3, 3.0), "Sqrt": (0.3, 3.0)}


@st.composite
def unary(draw, op_type: str) -> Case:
    low, high = _UNARY_DOMAINS.get(op_type, (-2.0, 2.0))
    shape = _shape(draw)
    attrs: dict[str, Any] = {}
    opset = 18
    if op_type == "LeakyRelu" and draw(st.booleans()):  # else ONNX's default, 0.01
        attrs["alpha"] = draw(st.floats(0.0, 0.5))
    if op_type == "Gelu":
        attrs["approximate"] = draw(st.sampled_from(["none", "tanh"]))
        opset = 20
    # A parameter in front, so the operator's input has paths from a weight too.
    nodes = [_node("Mul", ["x", "p"], ["m"]), _node(op_type, ["m"], **attrs)]
    x = _numbers(draw, shape, low, high)
    return Case(op_type, {"x": x, "p": np.ones(shape) + _numbers(draw, shape, -0.1, 0.1)},
                nodes, opset)


@st.composite
def matmul(draw) -> Case:
    """numpy's rules: batch axes broadcast, a 1-D operand is a row (left) or column (right)."""
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    batch = _shape(draw, 0, 2, 2)
    left = (k,) if draw(st.booleans()) else (*batch, m, k)
    right = (k,) if draw(st.booleans()) else (*_broadcast_partner(draw, batch), k, n)
    if draw(st.booleans()):  # the parameter on the left
        return Case("MatMul", {"x": _numbers(draw, right), "p": _numbers(draw, left)},
                    [_node("MatMul", ["p", "x"])])
    return Case("MatMul", {"x": _numbers(draw, left), "p": _numbers(draw, right)},
                [_node("MatMul", ["x", "p"])])


@st.composite
def gemm(draw) -> Case:
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    trans_a, trans_b = draw(st.booleans()), draw(st.booleans())
    floats = {"x": _numbers(draw, (k, m) if trans_a else (m, k)),
              "w": _numbers(draw, (n, k) if trans_b else (k, n))}
    c_shape = draw(st.sampled_from([None, (), (n,), (1, n), (m, 1), (m, n)]))
    inputs = ["x", "w"]
    if c_shape is not None:
        floats["c"] = _numbers(draw, c_shape)
        inputs.append("c")
    attrs = {"transA": int(trans_a), "transB": int(trans_b),
             "alpha": draw(st.sampled_from([1.0, 0.5, -2.0])),
             "beta": draw(st.sampled_from([1.0, 0.25, 3.0]))}
    # ONNX's defaults (no transposes, α = β = 1) where an attribute is left out.
    defaults = {"transA": 0, "transB": 0, "alpha": 1.0, "beta": 1.0}
    attrs = {k: v for k, v in attrs.items() if v != defaults[k] or draw(st.booleans())}
    return Case("Gemm", floats, [_node("Gemm", inputs, **attrs)])


@st.composite
def matmul_add(draw) -> Case:
    """A MatMul whose product only has a bias added: built as one step."""
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    batch = _shape(draw, 0, 1, 2)
    bias = draw(st.sampled_from([(n,), (1, n), (m, n)]))
    nodes = [_node("MatMul", ["x", "w"], ["xw"]), _node("Add", ["xw", "b"])]
    if draw(st.booleans()):
        nodes[1] = _node("Add", ["b", "xw"])
    return Case("MatMul+Add", {"x": _numbers(draw, (*batch, m, k)), "w": _numbers(draw, (k, n)),
                               "b": _numbers(draw, bias)}, nodes)


def _window(draw, spatial: int, with_dilation: bool = True, max_kernel: int = 3,
            same: bool = True):
    kernel = [draw(st.integers(1, max_kernel)) for _ in range(spatial)]
    strides = [draw(st.integers(1, 2)) for _ in range(spatial)]
    dilations = [draw(st.integers(1, 2)) if with_dilation else 1 for _ in range(spatial)]
    # The reference evaluator does not clamp SAME padding at 0 (a kernel shorter than its
    # stride), and onnxruntime sizes a dilated window with SAME padding otherwise than the
    # specification (and ONNX's shape inference, and pathgrad): such windows get other pads.
    same = same and all(k >= s for k, s in zip(kernel, strides)) and max(dilations) == 1
    pads = ["NOTSET", "NOTSET", "VALID"] + (["SAME_UPPER", "SAME_LOWER"] if same else [])
    auto_pad = draw(st.sampled_from(pads))
    attrs: dict[str, Any] = {"kernel_shape": kernel, "strides": strides}
    if with_dilation:
        attrs["dilations"] = dilations
    if auto_pad == "NOTSET":
        attrs["pads"] = [draw(st.integers(0, k - 1)) for k in kernel * 2]
    else:
        attrs["auto_pad"] = auto_pad
    sizes = [dilations[i] * (kernel[i] - 1) + 1 + draw(st.integers(0, 3)) for i in range(spatial)]
    return attrs, sizes


@st.composite
def conv(draw) -> Case:
    spatial = draw(st.integers(1, 2))
    attrs, sizes = _window(draw, spatial)
    group = draw(st.sampled_from([1, 1, 2]))
    channels = group * draw(st.integers(1, 2))
    kernels = group * draw(st.integers(1, 2))
    floats = {"x": _numbers(draw, (1, channels, *sizes)),
              "w": _numbers(draw, (kernels, channels // group, *attrs["kernel_shape"]))}
    inputs = ["x", "w"]
    if draw(st.booleans()):
        floats["b"] = _numbers(draw, (kernels,))
        inputs.append("b")
    if draw(st.booleans()):
        del attrs["kernel_shape"]
    return Case("Conv", floats, [_node("Conv", inputs, group=group, **attrs)])


@st.composite
def pool(draw, op_type: str) -> Case:
    spatial = draw(st.integers(1, 2))
    channels = draw(st.integers(1, 2))
    if op_type == "GlobalAveragePool":
        attrs: dict[str, Any] = {}
        sizes = [draw(st.integers(1, 3)) for _ in range(spatial)]
    else:
        # The reference evaluator's 1-D pooling fails with SAME padding.
        attrs, sizes = _window(draw, spatial, with_dilation=op_type == "MaxPool",
                               same=spatial == 2)
        if "pads" in attrs and draw(st.booleans()) and _ceil_agrees(attrs, sizes):
            attrs["ceil_mode"] = 1
        if op_type == "AveragePool":
            attrs["count_include_pad"] = int(draw(st.booleans()))
    nodes = [_node("Mul", ["x", "p"], ["m"]), _node(op_type, ["m"], **attrs)]
    shape = (1, channels, *sizes)
    return Case(op_type, {"x": _numbers(draw, shape), "p": _numbers(draw, shape, 0.5, 1.5)},
                nodes, runtime="onnxruntime" if op_type == "MaxPool" else "reference")


def _ceil_agrees(attrs: dict[str, Any], sizes: list[int]) -> bool:
    """Whether ONNX's shape inference and its reference evaluator agree on the output size of
    a pooling with ``ceil_mode``: they do not when the last window would start in the
    padding (the evaluator drops it, the inference keeps it; pathgrad follows the inference
    and checks, so such a model is refused with both shapes)."""
    d = len(sizes)
    for i in range(d):
        span = attrs.get("dilations", [1] * d)[i] * (attrs["kernel_shape"][i] - 1) + 1
        room = sizes[i] + attrs["pads"][i] + attrs["pads"][i + d] - span
        out = -(-room // attrs["strides"][i]) + 1
        if (out - 1) * attrs["strides"][i] >= sizes[i] + attrs["pads"][i]:
            return False
    return True


def _with_parameter(op_type: str, shape, draw, nodes_after, opset=18, ints=None) -> Case:
    """``y = op(x · p, ...)``: the operator on a tensor with paths from the parameter p."""
    nodes = [_node("Mul", ["x", "p"], ["m"]), *nodes_after]
    return Case(op_type, {"x": _numbers(draw, shape), "p": _numbers(draw, shape, 0.5, 1.5)},
                nodes, opset, ints or {})


def _int64(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


@st.composite
def reshaping(draw, op_type: str) -> Case:
    shape = _shape(draw, 1, 4)
    rank = len(shape)
    ints: dict[str, np.ndarray] = {}
    opset = 18
    attrs: dict[str, Any] = {}
    inputs = ["m"]
    if op_type == "Reshape":
        target = list(np.random.default_rng(draw(st.integers(0, 99))).permutation(shape))
        if draw(st.booleans()):
            target[draw(st.integers(0, len(target) - 1))] = -1
        elif draw(st.booleans()) and target[0] == shape[0]:
            target[0] = 0
        ints["shape"] = _int64(target)
        inputs.append("shape")
    elif op_type == "Flatten":
        attrs["axis"] = draw(st.integers(-rank, rank))
    elif op_type == "Transpose":
        attrs["perm"] = [int(a) for a in
                         np.random.default_rng(draw(st.integers(0, 99))).permutation(rank)]
    elif op_type in ("Squeeze", "Unsqueeze"):
        opset = draw(st.sampled_from([11, 13, 18]))
        if op_type == "Squeeze":
            ones = [i for i, d in enumerate(shape) if d == 1]
            axes = draw(st.lists(st.sampled_from(ones), unique=True)) if ones else []
            if opset >= 13:
                axes = [a - rank if draw(st.booleans()) else a for a in axes]
            else:  # the reference evaluator removes attribute axes one by one, last first
                axes.sort()
        else:
            new = rank + draw(st.integers(1, 2))
            axes = draw(st.lists(st.integers(0, new - 1), min_size=new - rank,
                                 max_size=new - rank, unique=True))
            if opset < 13:  # the reference evaluator inserts attribute axes in the given order
                axes.sort()
        if axes or op_type == "Unsqueeze":
            if opset >= 13:
                ints["axes"] = _int64(axes)
                inputs.append("axes")
            else:
                attrs["axes"] = axes
    elif op_type == "Slice":
        axes = draw(st.lists(st.integers(0, rank - 1), min_size=1, unique=True))
        starts, ends, steps = [], [], []
        for a in axes:
            d = shape[a]
            steps.append(draw(st.sampled_from([1, 1, 2, -1, -2])))
            starts.append(draw(st.integers(-d - 1, d + 1)))
            ends.append(draw(st.integers(-d - 1, d + 1)) if draw(st.booleans())
                        else (2**62 if steps[-1] > 0 else -(2**62)))
        axes = [a - rank if draw(st.booleans()) else a for a in axes]
        # Axes and steps may be left out (every axis in order, steps of 1).
        given = draw(st.sampled_from(["all", "no steps", "no axes"]))
        if given == "no steps":
            steps = [1] * len(axes)
        if given == "no axes":  # then the bounds are for the first axes, in order
            starts, ends = (starts + [0] * rank)[:rank], (ends + [2**62] * rank)[:rank]
        ints.update(starts=_int64(starts), ends=_int64(ends))
        inputs += ["starts", "ends"]
        if given != "no axes":
            ints["axes"] = _int64(axes)
            inputs.append("axes")
        if given == "all":
            ints["steps"] = _int64(steps)
            inputs.append("steps")
    elif op_type == "Cast":
        attrs["to"] = draw(st.sampled_from([TensorProto.DOUBLE, TensorProto.DOUBLE]))
    elif op_type == "Dropout":
        attrs["seed"] = 0
    node = _node(op_type, inputs, **attrs)
    return _with_parameter(op_type, shape, draw, [node], opset, ints)


@st.composite
def concat(draw) -> Case:
    shape = _shape(draw)
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    other = list(shape)
    other[axis] = draw(st.integers(1, 3))
    nodes = [_node("Mul", ["x", "p"], ["m"]), _node("Concat", ["m", "q", "m"], axis=axis)]
    return Case("Concat", {"x": _numbers(draw, shape), "p": _numbers(draw, shape, 0.5, 1.5),
                           "q": _numbers(draw, tuple(other))}, nodes)


@st.composite
def gather(draw) -> Case:
    """An embedding: rows (or columns) of a parameter table picked by constant indices."""
    table = _shape(draw, 1, 3)
    axis = draw(st.integers(-len(table), len(table) - 1))
    size = table[axis]
    index_shape = _shape(draw, 0, 2)
    rng = np.random.default_rng(draw(st.integers(0, 99)))
    indices = rng.integers(-size, size, size=index_shape)
    nodes = [_node("Mul", ["x", "p"], ["m"]), _node("Gather", ["m", "indices"], axis=axis)]
    return Case("Gather", {"x": _numbers(draw, table), "p": _numbers(draw, table, 0.5, 1.5)},
                nodes, ints={"indices": _int64(indices)})


@st.composite
def reduce(draw, op_type: str) -> Case:
    shape = _shape(draw)
    rank = len(shape)
    opset = draw(st.sampled_from([13, 18]))
    axes = draw(st.lists(st.integers(-rank, rank - 1), unique_by=lambda a: a % rank))
    attrs: dict[str, Any] = {"keepdims": int(draw(st.booleans()))}
    inputs, ints = ["m"], {}
    from_input = opset >= (13 if op_type == "ReduceSum" else 18)
    if axes or draw(st.booleans()):
        if from_input:
            ints["axes"] = _int64(axes)
            inputs.append("axes")
        elif axes:
            attrs["axes"] = axes
    if from_input and not axes and draw(st.booleans()):
        attrs["noop_with_empty_axes"] = 1
    return _with_parameter(op_type, shape, draw, [_node(op_type, inputs, **attrs)], opset,
                           ints)


@st.composite
def softmaxes(draw, op_type: str) -> Case:
    shape = _shape(draw)
    opset = draw(st.sampled_from([11, 13, 18]))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    # Without the attribute, ONNX's default: the last axis (from opset 13), else 1.
    attrs = {"axis": axis} if draw(st.booleans()) or (opset < 13 and len(shape) < 2) else {}
    case = _with_parameter(op_type, shape, draw, [_node(op_type, ["m"], **attrs)], opset)
    case.runtime = "onnxruntime" if opset < 13 else "reference"
    return case


@st.composite
def layer_normalization(draw) -> Case:
    shape = _shape(draw)
    attrs: dict[str, Any] = {}
    axis = -1  # ONNX's default, when the attribute is left out
    if draw(st.booleans()):
        axis = attrs["axis"] = draw(st.integers(-len(shape), len(shape) - 1))
    epsilon = draw(st.sampled_from([None, 1e-5, 0.1]))  # None: ONNX's default
    if epsilon is not None:
        attrs["epsilon"] = epsilon
    normalized = shape[axis:]
    inputs = ["x", "scale"]
    floats = {"x": _numbers(draw, shape), "scale": _numbers(draw, normalized, 0.5, 1.5)}
    if draw(st.booleans()):
        floats["bias"] = _numbers(draw, normalized)
        inputs.append("bias")
    return Case("LayerNormalization", floats, [_node("LayerNormalization", inputs, **attrs)])


@st.composite
def constants(draw, op_type: str) -> Case:
    """``Constant`` and ``Shape``, whose numbers feed another operator."""
    shape = _shape(draw)
    if op_type == "Constant":
        value = _numbers(draw, _broadcast_partner(draw, shape))
        made = _node("Constant", [], ["c"], value=numpy_helper.from_array(value))
        nodes = [made, _node("Add", ["x", "c"], ["a"]), _node("Mul", ["a", "p"])]
        if draw(st.booleans()):  # constants beside Values in one tensor: no node for them
            nodes = [made, _node("Mul", ["x", "p"], ["m"]),
                     _node("Concat", ["m", "c"], ["joined"], axis=0),
                     _node("Sub", ["joined", "c"])]
            value = _numbers(draw, (1, *shape[1:]))
            nodes[0] = _node("Constant", [], ["c"], value=numpy_helper.from_array(value))
    else:
        made = _node("Shape", ["x"], ["s"])
        nodes = [made, _node("Mul", ["x", "p"], ["m"]), _node("Reshape", ["m", "s"])]
    return Case(op_type, {"x": _numbers(draw, shape), "p": _numbers(draw, shape, 0.5, 1.5)},
                nodes)


@st.composite
def shape_arithmetic(draw) -> Case:
    """Integers and constants computed inside the model, as exporters write them: a shape
    taken with ``Shape``, worked on by integer ``Mul``, ``Sub`` and ``Add`` (which ONNX's
    shape inference follows) and given to ``Reshape``; the same shape through ``Div`` (which
    truncates), ``Neg`` and ``Relu``, summed and cast into a float scale; and a scale made of
    float constants by ``Sqrt``, ``Exp``, ``Pow`` and ``Div``. None of it costs a node."""
    shape = _shape(draw, 2, 3)
    k = draw(st.integers(2, 4))
    ints = {"k": _int64(k), "k_less": _int64(k - 1), "zeros": _int64([0] * len(shape)),
            "minus_one": _int64([-1]), "three": _int64(3)}
    value = draw(st.sampled_from([0.25, 2.0, 9.0]))
    nodes = [
        _node("Shape", ["x"], ["s"]),
        _node("Mul", ["s", "k"], ["sk"]),
        _node("Mul", ["s", "k_less"], ["sk_less"]),
        _node("Sub", ["sk", "sk_less"], ["s_again"]),      # d·k − d·(k−1) = d
        _node("Add", ["s_again", "zeros"], ["target"]),
        _node("Div", ["sk", "k"], ["divided"]),            # (d·k)/k = d
        _node("Neg", ["divided"], ["negative"]),
        _node("Relu", ["negative"], ["nothing"]),          # 0 for every d
        _node("Div", ["minus_one", "three"], ["truncated"]),  # −1/3 truncates to 0
        _node("Add", ["divided", "nothing"], ["dims"]),
        _node("Add", ["dims", "truncated"], ["dims_again"]),
        _node("ReduceSum", ["dims_again"], ["total"], keepdims=0),
        _node("Cast", ["total"], ["count"], to=TensorProto.DOUBLE),
        _node("Constant", [], ["c"], value=numpy_helper.from_array(np.array(value))),
        _node("Sqrt", ["c"], ["root"]),
        _node("Exp", ["root"], ["grown"]),
        _node("Pow", ["grown", "c"], ["powered"]),
        _node("Div", ["powered", "c"], ["scale"]),
        _node("Mul", ["x", "p"], ["m"]),
        _node("Mul", ["m", "scale"], ["scaled"]),
        _node("Div", ["scaled", "count"], ["counted"]),
        _node("Reshape", ["counted", "target"]),
    ]
    return Case("Shape", {"x": _numbers(draw, shape), "p": _numbers(draw, shape, 0.5, 1.5)},
                nodes, ints=ints)


STRATEGIES = {
    **{op: binary(op) for op in ("Add", "Sub", "Mul", "Div", "Pow")},
    **{op: unary(op) for op in ("Neg", "Exp", "Log", "Sqrt", "Erf", "Relu", "LeakyRelu",
                                "Sigmoid", "Tanh", "Gelu")},
    "MatMul": matmul(), "Gemm": gemm(), "MatMul+Add": matmul_add(), "Conv": conv(),
    **{op: pool(op) for op in ("MaxPool", "AveragePool", "GlobalAveragePool")},
    **{op: reshaping(op) for op in ("Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze",
                                    "Slice", "Identity", "Cast", "Dropout")},
    "Concat": concat(), "Gather": gather(),
    **{op: reduce(op) for op in ("ReduceSum", "ReduceMean")},
    **{op: softmaxes(op) for op in ("Softmax", "LogSoftmax")},
    "LayerNormalization": layer_normalization(),
    **{op: constants(op) for op in ("Constant", "Shape")},
    "shape arithmetic": shape_arithmetic(),
}
