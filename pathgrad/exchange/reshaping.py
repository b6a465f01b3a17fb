"""ONNX's operators that only move entries, and the ones that make constants.

``Reshape``, ``Flatten``, ``Transpose``, ``Squeeze``, ``Unsqueeze``, ``Concat``, ``Slice`` and
``Gather`` (an embedding: rows of a parameter picked by constant indices) rearrange the
entries of a tensor: the nodes they hold are the very nodes of their input, so they make no
node and no edge, and a path runs through them unchanged. ``Identity``, ``Dropout`` (at
inference, the identity) and ``Cast`` to a floating type pass their input on (pathgrad
computes in float64 whatever the model's type). ``Constant`` and ``Shape`` make tensors of
plain numbers. Shapes, axes and indices must be constants: pathgrad builds one graph for one
example, with every shape known before anything is built.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..value import Value
from .model_files import DATA_TYPES
from .steps import (
    Operator,
    Step,
    as_objects,
    axis_of,
    constant_ints,
    count_of,
    is_symbolic,
    unchanged,
)


def identity(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Identity``, and ``Dropout`` at inference (its mask, if asked for, is refused)."""
    if step.op_type == "Dropout":
        training = xs[2] if len(xs) > 2 else None
        if training is not None and bool(np.asarray(training).ravel()[0]):
            raise step.fail("training_mode is true: a dropout in training is random, and "
                            "pathgrad builds the graph of the model at inference")
        if len(step.outputs) > 1 and step.outputs[1]:
            return [np.asarray(xs[0]), np.ones(np.shape(xs[0]), dtype=bool)]
    return [np.asarray(xs[0])]


def cast(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Cast``: to a floating type the entries pass on; to integers only plain numbers may
    go (a Value turned into an integer has no derivative)."""
    x = np.asarray(xs[0])
    to = int(step.attrs.get("to", 0))
    if to not in DATA_TYPES:
        raise step.fail(f"it casts to ONNX type {to}, which pathgrad does not compute with")
    kind = DATA_TYPES[to]
    if kind.is_float:
        return [x if is_symbolic(x) else x.astype(np.float64)]
    if is_symbolic(x):
        if any(isinstance(v, Value) for v in x.ravel()):
            raise step.fail(f"it turns computed values into {kind.name}, which has no "
                            "derivative; pathgrad builds graphs of floating-point values")
        x = x.astype(np.float64)
    return [x.astype(kind.stored[1:])]


def constant(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Constant``: its value, as numbers (float64 for a floating type)."""
    for key in ("value", "value_float", "value_floats", "value_int", "value_ints"):
        if key in step.attrs:
            value = np.asarray(step.attrs[key])
            return [value.astype(np.float64) if value.dtype.kind == "f" else value]
    raise step.fail(f"its value is given as {', '.join(step.attrs) or 'nothing'}; pathgrad "
                    "reads value, value_float(s) and value_int(s)")


def shape(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Shape``: the input's dimensions (from ``start`` to ``end``) as integers."""
    dims = np.shape(xs[0])
    start, end = step.attrs.get("start", 0), step.attrs.get("end", len(dims))
    return [np.array(dims[slice(int(start), int(end))], dtype=np.int64)]


def reshape(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Reshape``: a 0 copies the input's dimension (unless ``allowzero``), -1 is inferred."""
    x = np.asarray(xs[0])
    target = constant_ints(xs[1])
    if not step.attrs.get("allowzero", 0):
        target = [x.shape[i] if d == 0 and i < x.ndim else d for i, d in enumerate(target)]
    if target.count(-1) > 1 or any(d < -1 for d in target):
        raise step.fail(f"the shape {target} is not a shape")
    known = count_of([d for d in target if d != -1])
    if -1 in target:
        if known == 0 or x.size % known:
            raise step.fail(f"{x.shape} cannot be reshaped to {target}")
        target[target.index(-1)] = x.size // known
    if count_of(target) != x.size:
        raise step.fail(f"{x.shape} ({x.size} entries) cannot be reshaped to {target}")
    return [x.reshape(target)]


def flatten(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Flatten``: the dimensions before ``axis`` into rows, the rest into columns."""
    x = np.asarray(xs[0])
    axis = int(step.attrs.get("axis", 1))
    axis = axis + x.ndim if axis < 0 else axis
    if not 0 <= axis <= x.ndim:
        raise step.fail(f"axis {axis} is outside a tensor of rank {x.ndim}")
    return [x.reshape(count_of(x.shape[:axis]), count_of(x.shape[axis:]))]


def transpose(step: Step, xs: list[Any]) -> list[np.ndarray]:
    x = np.asarray(xs[0])
    perm = step.ints("perm") or list(reversed(range(x.ndim)))
    if sorted(perm) != list(range(x.ndim)):
        raise step.fail(f"perm={perm} is not a permutation of the {x.ndim} axes")
    return [np.transpose(x, perm)]


def _axes(step: Step, xs: list[Any], version: int) -> list[int] | None:
    """Axes from the attribute (older opsets) or the second input (``version`` and later)."""
    if step.opset < version or len(xs) < 2:
        return step.ints("axes")
    return None if xs[1] is None else constant_ints(xs[1])


def squeeze(step: Step, xs: list[Any]) -> list[np.ndarray]:
    x = np.asarray(xs[0])
    axes = _axes(step, xs, 13)
    if not axes:
        return [x.reshape([d for d in x.shape if d != 1])]
    positions = {axis_of(a, x.ndim, step) for a in axes}
    if any(x.shape[a] != 1 for a in positions):
        raise step.fail(f"it squeezes axes {axes} of a tensor of shape {x.shape}; only axes "
                        "of size 1 can go")
    return [x.reshape([d for i, d in enumerate(x.shape) if i not in positions])]


def unsqueeze(step: Step, xs: list[Any]) -> list[np.ndarray]:
    x = np.asarray(xs[0])
    axes = _axes(step, xs, 13) or []
    rank = x.ndim + len(axes)
    positions = sorted(axis_of(a, rank, step) for a in axes)
    if len(set(positions)) != len(positions) or not axes:
        raise step.fail(f"axes {axes} must name distinct new axes")
    shape = list(x.shape)
    for p in positions:
        shape.insert(p, 1)
    return [x.reshape(shape)]


def concat(step: Step, xs: list[Any]) -> list[np.ndarray]:
    arrays = [np.asarray(x) for x in xs if x is not None]
    if any(is_symbolic(a) for a in arrays):
        arrays = [as_objects(a) for a in arrays]
    axis = axis_of(int(step.attrs.get("axis", 0)), arrays[0].ndim, step)
    try:
        return [np.concatenate(arrays, axis=axis)]
    except ValueError:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise step.fail(f"tensors of shapes {shapes} do not join along axis {axis}") from None


def gather(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Gather``: entries along ``axis`` picked by constant indices (an embedding table's rows
    picked by token ids); a negative index counts from the end."""
    data = np.asarray(xs[0])
    axis = axis_of(int(step.attrs.get("axis", 0)), data.ndim, step)
    indices = np.asarray(xs[1])
    size = data.shape[axis]
    if np.any((indices < -size) | (indices >= size)):
        raise step.fail(f"an index is outside -{size}..{size - 1} (axis {axis} of {data.shape})")
    picked = np.take(data, np.where(indices < 0, indices + size, indices), axis=axis)
    return [np.asarray(picked, dtype=data.dtype)]


def _slice_bounds(start: int, end: int, step_size: int, size: int) -> range:
    """ONNX's clamping of one axis's slice, as a range of positions."""
    start = start + size if start < 0 else start
    end = end + size if end < 0 else end
    if step_size > 0:
        return range(min(max(start, 0), size), min(max(end, 0), size), step_size)
    return range(min(max(start, 0), size - 1), min(max(end, -1), size - 1), step_size)


def slice_(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Slice``: starts, ends, and optionally axes and steps, from its inputs."""
    x = np.asarray(xs[0])
    if step.opset < 10:
        raise step.fail("a Slice of opset 9 or older (bounds as attributes) is not supported; "
                        "export with opset 10 or later")
    starts, ends = constant_ints(xs[1]), constant_ints(xs[2])
    axes = constant_ints(xs[3]) if len(xs) > 3 and xs[3] is not None else None
    steps = constant_ints(xs[4]) if len(xs) > 4 and xs[4] is not None else None
    axes = axes if axes is not None else list(range(len(starts)))
    steps = steps if steps is not None else [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps) or 0 in steps:
        raise step.fail("starts, ends, axes and steps must have one entry each per axis, "
                        "and no step may be 0")
    index: list[Any] = [slice(None)] * x.ndim
    for start, end, axis, size in zip(starts, ends, axes, steps, strict=True):
        a = axis_of(axis, x.ndim, step)
        index[a] = list(_slice_bounds(start, end, size, x.shape[a]))
    result = x
    for a, positions in enumerate(index):
        if isinstance(positions, list):
            result = np.take(result, np.array(positions, dtype=np.int64), axis=a)
    return [result]


OPERATORS: dict[str, Operator] = {
    name: Operator(build, unchanged) for name, build in (
        ("Identity", identity), ("Dropout", identity), ("Cast", cast), ("Constant", constant),
        ("Shape", shape), ("Reshape", reshape), ("Flatten", flatten),
        ("Transpose", transpose), ("Squeeze", squeeze), ("Unsqueeze", unsqueeze),
        ("Concat", concat), ("Gather", gather), ("Slice", slice_),
    )
}
