"""ONNX's operators that combine many entries into one: products of matrices, convolutions
and pooling.

Each entry of a ``MatMul``, ``Gemm`` or ``Conv`` is one node ``z = c + Σ_k w_k a_k`` (the
:func:`~pathgrad.exchange.scalar_ops.affine` operation), with an edge from every weight and
every input entry it uses and one from its bias: the weighted input of equation 53's
footnote, whatever the layer. A convolution's kernel entry is one node used by every output
position, so its derivative sums over the paths through all of them. A ``MatMul`` whose
result only goes on to the addition of a constant bias (a dense layer as PyTorch and
scikit-learn write it) is built as that one node too, with the bias's edge of rate 1
(the internal step ``MatMul+Add``). ``MaxPool`` makes a ``max`` node per window,
``AveragePool`` and ``GlobalAveragePool`` a ``mean`` node.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .scalar_ops import affine, maximum, total
from .steps import (
    Operator,
    Step,
    apply,
    as_objects,
    count_of,
    filled,
    is_symbolic,
)

#: The internal step that a MatMul followed by the addition of its bias becomes.
MATMUL_ADD = "MatMul+Add"


def _affine_entries(a: np.ndarray, b: np.ndarray, bias: np.ndarray | None, alpha: float,
                    beta: float, step: Step) -> np.ndarray:
    """``alpha · a @ b + beta · bias`` with numpy's matmul rules, one node per entry."""
    a1, b1 = a.ndim == 1, b.ndim == 1
    left = a[None, :] if a1 else a
    right = b[:, None] if b1 else b
    if left.ndim < 2 or right.ndim < 2 or left.shape[-1] != right.shape[-2]:
        raise step.fail(f"shapes {a.shape} and {b.shape} cannot be multiplied")
    try:
        batch = np.broadcast_shapes(left.shape[:-2], right.shape[:-2])
    except ValueError:
        raise step.fail(f"the batch dimensions of {a.shape} and {b.shape} do not "
                        "broadcast") from None
    left = np.broadcast_to(as_objects(left), batch + left.shape[-2:])
    right = np.broadcast_to(as_objects(right), batch + right.shape[-2:])
    m, k = left.shape[-2:]
    n = right.shape[-1]
    final = batch + (() if a1 else (m,)) + (() if b1 else (n,))
    terms = None
    if bias is not None:
        if np.broadcast_shapes(final, bias.shape) != final:
            raise step.fail(f"the bias of shape {bias.shape} would enlarge the product {final}")
        terms = np.broadcast_to(as_objects(bias), final).reshape(batch + (m, n))
    op = affine(k, alpha, beta, bias is not None)
    entries = []
    for where in np.ndindex(*batch):
        rows, cols = left[where], right[where]
        columns = [list(cols[:, j]) for j in range(n)]
        for i in range(m):
            row = list(rows[i])
            for j in range(n):
                operands = columns[j] + row
                if terms is not None:
                    operands.append(terms[where + (i, j)])
                entries.append(apply(op, operands))
    return filled(entries, final)


def matmul(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``MatMul`` (numpy's rules: broadcast batch dimensions, 1-D operands promoted)."""
    a, b = np.asarray(xs[0]), np.asarray(xs[1])
    if not is_symbolic(a) and not is_symbolic(b):
        return [np.matmul(a, b)]
    return [_affine_entries(a, b, None, 1.0, 1.0, step)]


def matmul_add(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """A ``MatMul`` and the addition of a bias as one step: ``z = c + Σ_k w_k a_k``."""
    a, b, c = (np.asarray(x) for x in xs[:3])
    return [_affine_entries(a, b, c, 1.0, 1.0, step)]


def gemm(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Gemm``: ``α A'B' + β C`` with ``A'``, ``B'`` transposed as ``transA``, ``transB`` say."""
    a, b = np.asarray(xs[0]), np.asarray(xs[1])
    if a.ndim != 2 or b.ndim != 2:
        raise step.fail(f"Gemm multiplies matrices; got shapes {a.shape} and {b.shape}")
    a = a.T if step.attrs.get("transA", 0) else a
    b = b.T if step.attrs.get("transB", 0) else b
    c = np.asarray(xs[2]) if len(xs) > 2 and xs[2] is not None else None
    alpha, beta = float(step.attrs.get("alpha", 1.0)), float(step.attrs.get("beta", 1.0))
    return [_affine_entries(a, b, c, alpha, beta, step)]


def count_product(step: Step, in_shapes: list[tuple[int, ...]],
                  out_shapes: list[tuple[int, ...]]) -> tuple[int, int]:
    """A node per entry, with an edge from each of the ``2k`` factors and one from a bias."""
    a = in_shapes[0]
    k = a[0] if step.op_type == "Gemm" and step.attrs.get("transA", 0) else a[-1]
    biased = len(step.inputs) > 2 and bool(step.inputs[2])
    n = count_of(out_shapes[0])
    return n, n * (2 * k + biased)


# -- windows: convolution and pooling ------------------------------------------------------------


def _window_geometry(step: Step, spatial: Sequence[int], kernel: Sequence[int],
                     ceil: bool = False) -> list[tuple[int, int, int, int, int]]:
    """For each spatial axis: the output size, stride, dilation and the padding before and
    after (ONNX's ``auto_pad``, ``pads``, ``strides``, ``dilations`` and ``ceil_mode``)."""
    d = len(spatial)
    strides = step.ints("strides") or [1] * d
    dilations = step.ints("dilations") or [1] * d
    auto_pad = step.attrs.get("auto_pad", "NOTSET")
    pads = step.ints("pads") or [0] * (2 * d)
    if len(strides) != d or len(dilations) != d or len(pads) != 2 * d or len(kernel) != d:
        raise step.fail(f"strides, dilations, pads and the kernel must fit {d} spatial axes")
    if min(strides) < 1 or min(dilations) < 1 or min(kernel) < 1 or min(pads) < 0:
        raise step.fail("strides, dilations and the kernel must be positive, pads not negative")
    axes = []
    for i in range(d):
        span = dilations[i] * (kernel[i] - 1) + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            out = -(-spatial[i] // strides[i])
            extra = max(0, (out - 1) * strides[i] + span - spatial[i])
            begin = extra // 2 if auto_pad == "SAME_UPPER" else extra - extra // 2
            end = extra - begin
        elif auto_pad == "VALID":
            out, begin, end = (spatial[i] - span) // strides[i] + 1, 0, 0
        elif auto_pad == "NOTSET":
            room = spatial[i] + pads[i] + pads[i + d] - span
            out = (-(-room // strides[i]) if ceil else room // strides[i]) + 1
            if ceil and (out - 1) * strides[i] >= spatial[i] + pads[i]:
                out -= 1
            begin, end = pads[i], pads[i + d]
        else:
            raise step.fail(f"auto_pad={auto_pad!r} is not NOTSET, SAME_UPPER, SAME_LOWER or "
                            "VALID")
        if out < 1:
            raise step.fail(f"the window ({span} wide) does not fit the input ({spatial[i]} "
                            "wide) along a spatial axis")
        axes.append((out, strides[i], dilations[i], begin, end))
    return axes


@dataclass
class _Axis:
    """One spatial axis of a sliding window: for each output position, the (kernel offset,
    input position) pairs inside the input (padding contributes nothing), and how many of
    the window's positions fall inside the input or its explicit padding (what an average
    that counts the padding divides by)."""

    taps: list[list[tuple[int, int]]]
    padded: list[int]


def _axes(step: Step, spatial: Sequence[int], kernel: Sequence[int],
          ceil: bool = False) -> list[_Axis]:
    found = []
    for (out, stride, dilation, begin, end), k, extent in zip(
            _window_geometry(step, spatial, kernel, ceil), kernel, spatial):
        places = [[o * stride - begin + t * dilation for t in range(k)] for o in range(out)]
        found.append(_Axis(
            [[(t, p) for t, p in enumerate(ps) if 0 <= p < extent] for ps in places],
            [sum(-begin <= p < extent + end for p in ps) for ps in places],
        ))
    return found


def conv(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Conv`` (1-D, 2-D or more; strides, pads, dilations, groups): one weighted input per
    output entry, with edges from the kernel entries and the inputs under the window."""
    x, w = as_objects(np.asarray(xs[0])), as_objects(np.asarray(xs[1]))
    bias = as_objects(np.asarray(xs[2])) if len(xs) > 2 and xs[2] is not None else None
    group = int(step.attrs.get("group", 1))
    if x.ndim < 3 or w.ndim != x.ndim:
        raise step.fail(f"input {x.shape} and kernel {w.shape} must be (N, C, ...) and "
                        "(M, C/group, ...) of the same rank")
    n_batch, channels = x.shape[:2]
    m, per_group = w.shape[:2]
    if group < 1 or channels != per_group * group or m % group:
        raise step.fail(f"{channels} input channels and {m} kernels do not split into "
                        f"{group} groups of {per_group} channels")
    if bias is not None and bias.shape != (m,):
        raise step.fail(f"the bias must have one entry per kernel ({m}); got {bias.shape}")
    kernel = list(w.shape[2:])
    if step.ints("kernel_shape") not in (None, kernel):
        raise step.fail(f"kernel_shape {step.ints('kernel_shape')} disagrees with the kernel "
                        f"{kernel}")
    axes = _axes(step, x.shape[2:], kernel)
    sizes, taps = [len(a.taps) for a in axes], [a.taps for a in axes]
    entries = []
    for b in range(n_batch):
        for k in range(m):
            first = (k // (m // group)) * per_group
            for position in itertools.product(*(range(s) for s in sizes)):
                weights, inputs = [], []
                for window in itertools.product(*(t[o] for t, o in zip(taps, position))):
                    offsets = tuple(t for t, _ in window)
                    places = tuple(p for _, p in window)
                    for c in range(per_group):
                        weights.append(w[(k, c) + offsets])
                        inputs.append(x[(b, first + c) + places])
                operands = weights + inputs + ([bias[k]] if bias is not None else [])
                entries.append(apply(affine(len(weights), 1.0, 1.0, bias is not None),
                                     operands))
    return [filled(entries, (n_batch, m, *sizes))]


def count_conv(step: Step, in_shapes: list[tuple[int, ...]],
               out_shapes: list[tuple[int, ...]]) -> tuple[int, int]:
    weights = in_shapes[1]
    taps = count_of(weights[1:])
    biased = len(step.inputs) > 2 and bool(step.inputs[2])
    n = count_of(out_shapes[0])
    return n, n * (2 * taps + biased)


def pool(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``MaxPool`` and ``AveragePool`` over windows; ``GlobalAveragePool`` over everything."""
    x = as_objects(np.asarray(xs[0]))
    if x.ndim < 3:
        raise step.fail(f"the input must be (N, C, ...); got {x.shape}")
    if len(step.outputs) > 1 and step.outputs[1]:
        raise step.fail("its second output (the indices of the maxima) is not supported")
    if step.op_type == "GlobalAveragePool":
        axes = [_Axis([[(t, t) for t in range(k)]], [k]) for k in x.shape[2:]]
    else:
        axes = _axes(step, x.shape[2:], step.ints("kernel_shape") or [],
                     bool(step.attrs.get("ceil_mode")))
    include_pad = step.op_type == "AveragePool" and step.attrs.get("count_include_pad", 0)
    sizes = [len(a.taps) for a in axes]
    entries = []
    for b, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for position in itertools.product(*(range(s) for s in sizes)):
            values = [x[(b, c) + tuple(p for _, p in window)] for window in
                      itertools.product(*(a.taps[o] for a, o in zip(axes, position)))]
            divisor = math.prod(a.padded[o] for a, o in zip(axes, position)) \
                if include_pad else None
            entries.append(_pooled(step.op_type, values, divisor))
    return [filled(entries, (*x.shape[:2], *sizes))]


def _pooled(kind: str, values: list[Any], divisor: int | None) -> Any:
    if kind == "MaxPool":
        return values[0] if len(values) == 1 else apply(maximum(len(values)), values)
    scale = 1.0 / (divisor or len(values))
    if scale == 1.0 and len(values) == 1:
        return values[0]
    return apply(total(len(values), scale, "mean"), values)


def count_pool(step: Step, in_shapes: list[tuple[int, ...]],
               out_shapes: list[tuple[int, ...]]) -> tuple[int, int]:
    n = count_of(out_shapes[0])
    if step.op_type == "GlobalAveragePool":
        return n, n * count_of(in_shapes[0][2:])
    return n, n * count_of(step.ints("kernel_shape") or [])


OPERATORS: dict[str, Operator] = {
    "MatMul": Operator(matmul, count_product),
    MATMUL_ADD: Operator(matmul_add, count_product),
    "Gemm": Operator(gemm, count_product),
    "Conv": Operator(conv, count_conv),
    "MaxPool": Operator(pool, count_pool),
    "AveragePool": Operator(pool, count_pool),
    "GlobalAveragePool": Operator(pool, count_pool),
}
