"""ONNX's operators along an axis: sums and means, softmax, log-softmax, layer normalisation.

``ReduceSum`` and ``ReduceMean`` make one node per kept entry with an edge of rate 1 (or
``1/n``) from each entry they reduce. ``Softmax`` and ``LogSoftmax`` make one node per entry
with an edge from every entry of its row, whose rates are the softmax's Jacobian: a logit
changes every probability. ``LayerNormalization`` makes the normalised entries (each with an
edge from every entry of its row), then multiplies by the scale and adds the bias as
ordinary nodes, so the scale and bias are parameters with paths like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..value import Op
from .scalar_ops import log_softmax, normalized, softmax, total
from .steps import (
    Operator,
    Step,
    apply,
    as_objects,
    axis_of,
    constant_ints,
    count_of,
    elementwise,
    filled,
    is_symbolic,
)


def _rows(x: np.ndarray, axes: list[int]) -> tuple[np.ndarray, list[int]]:
    """``x`` with ``axes`` moved last and flattened: one row per kept index; and the kept
    dimensions."""
    kept = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, kept + axes)
    return moved.reshape(count_of([x.shape[a] for a in kept]), -1), [x.shape[a] for a in kept]


def reduce(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``ReduceSum`` and ``ReduceMean`` over ``axes`` (all when none), ``keepdims`` or not."""
    x = np.asarray(xs[0])
    from_input = step.opset >= (13 if step.op_type == "ReduceSum" else 18)
    if from_input:
        axes = constant_ints(xs[1] if len(xs) > 1 else None)
    else:
        axes = step.ints("axes", []) or []
    if not axes and step.attrs.get("noop_with_empty_axes", 0):
        return [x]
    positions = sorted({axis_of(a, x.ndim, step) for a in axes}) or list(range(x.ndim))
    keepdims = bool(step.attrs.get("keepdims", 1))
    shape = [1 if a in positions else d for a, d in enumerate(x.shape)] if keepdims else \
        [d for a, d in enumerate(x.shape) if a not in positions]
    mean = step.op_type == "ReduceMean"
    if not is_symbolic(x):
        result = (np.mean if mean else np.sum)(x, axis=tuple(positions))
        return [np.asarray(result).reshape(shape)]
    rows, _ = _rows(x, positions)
    n = rows.shape[1]
    op = total(n, 1.0 / n if mean else 1.0, "mean" if mean else "sum")
    entries = [row[0] if n == 1 else apply(op, list(row)) for row in rows]
    return [filled(entries, shape)]


def count_reduce(step: Step, in_shapes: list[tuple[int, ...]],
                 out_shapes: list[tuple[int, ...]]) -> tuple[int, int]:
    return count_of(out_shapes[0]), count_of(in_shapes[0])


def _row_wise(step: Step, x: np.ndarray, make: Callable[[int, int], Op]) -> np.ndarray:
    """An operator whose every entry depends on its whole row along the step's axis
    (before opset 13: on everything from ``axis`` on, ONNX's old softmax)."""
    x = as_objects(x)
    if step.opset < 13:
        axis = axis_of(int(step.attrs.get("axis", 1)), x.ndim, step)
        rows = x.reshape(count_of(x.shape[:axis]), -1)
        order = list(range(x.ndim))
    else:
        axis = axis_of(int(step.attrs.get("axis", -1)), x.ndim, step)
        order = [a for a in range(x.ndim) if a != axis] + [axis]
        rows, _ = _rows(x, [axis])
    n = rows.shape[1]
    out = filled((apply(make(n, i), row) for row in map(list, rows) for i in range(n)),
                 rows.shape)
    if step.opset < 13:
        return out.reshape(x.shape)
    moved = out.reshape([x.shape[a] for a in order])
    return np.transpose(moved, np.argsort(order))


def softmaxes(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Softmax`` and ``LogSoftmax`` along an axis."""
    make = softmax if step.op_type == "Softmax" else log_softmax
    return [_row_wise(step, np.asarray(xs[0]), make)]


def count_row_wise(step: Step, in_shapes: list[tuple[int, ...]],
                   out_shapes: list[tuple[int, ...]]) -> tuple[int, int]:
    shape = in_shapes[0]
    n = count_of(shape)
    old = step.opset < 13 and step.op_type != "LayerNormalization"
    axis = int(step.attrs.get("axis", 1 if old else -1)) % max(len(shape), 1)
    width = count_of(shape[axis:]) if old or step.op_type == "LayerNormalization" \
        else shape[axis]
    if step.op_type == "LayerNormalization":
        return 3 * n, n * (width + 4)
    return n, n * width


#: LayerNormalization's default ε, as ONNX stores an attribute: a 32-bit float.
_EPSILON = float(np.float32(1e-5))


def layer_normalization(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``LayerNormalization``: ``(x - μ)/√(σ² + ε) · scale + bias`` over the axes from
    ``axis`` on."""
    x = as_objects(np.asarray(xs[0]))
    if any(out for out in step.outputs[1:]):
        raise step.fail("its mean and inverse standard deviation outputs are not supported")
    axis = axis_of(int(step.attrs.get("axis", -1)), x.ndim, step)
    epsilon = float(step.attrs.get("epsilon", _EPSILON))
    rows = x.reshape(count_of(x.shape[:axis]), -1)
    n = rows.shape[1]
    hat = filled((apply(normalized(n, i, epsilon), row) for row in map(list, rows)
                  for i in range(n)), x.shape)
    scale = np.asarray(xs[1])
    out = elementwise(lambda v, s: v * s, hat, scale)
    if len(xs) > 2 and xs[2] is not None:
        out = elementwise(lambda v, b: v + b, out, np.asarray(xs[2]))
    if out.shape != x.shape:
        raise step.fail(f"its scale {scale.shape} or bias does not fit the input {x.shape}")
    return [out]


OPERATORS: dict[str, Operator] = {
    "ReduceSum": Operator(reduce, count_reduce),
    "ReduceMean": Operator(reduce, count_reduce),
    "Softmax": Operator(softmaxes, count_row_wise),
    "LogSoftmax": Operator(softmaxes, count_row_wise),
    "LayerNormalization": Operator(layer_normalization, count_row_wise),
}
