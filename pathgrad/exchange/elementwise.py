"""ONNX's entry-by-entry operators: arithmetic with broadcasting, and the activations.

``Add``, ``Sub``, ``Mul``, ``Div`` and ``Pow`` broadcast their operands as numpy does (ONNX's
multidirectional broadcasting is numpy's) and make one node per entry of the result, with the
rate factors of :class:`~pathgrad.value.Value`'s own arithmetic: ``∂(x·y)/∂x = y`` and so on.
The activations (``Relu``, ``LeakyRelu``, ``Sigmoid``, ``Tanh``, ``Gelu``) and the functions
(``Neg``, ``Exp``, ``Log``, ``Sqrt``, ``Erf``) make one node per entry with one edge, of rate
``f'(x)``. An entry that is a constant (a number, not a Value) costs no node: the result is a
number too. On tensors of plain numbers (shapes, indices) the operators are numpy's.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from ..value import OPS, Op, Value
from .scalar_ops import ERF, GELU, GELU_TANH, SQRT, leaky_relu
from .steps import Operator, Step, apply, elementwise, is_symbolic, one_per_entry

_PYTHON = {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul,
           "Div": operator.truediv, "Pow": operator.pow}
_OPS = {"Add": OPS["add"], "Sub": OPS["sub"], "Mul": OPS["mul"], "Div": OPS["div"],
        "Pow": OPS["pow"]}
_NUMPY: dict[str, Callable[..., np.ndarray]] = {
    "Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Pow": np.power,
}


def _entry(op_type: str) -> Callable[[Any, Any], Any]:
    python, op = _PYTHON[op_type], _OPS[op_type]

    def entry(x: Any, y: Any) -> Any:
        if isinstance(x, Value) or isinstance(y, Value):
            return python(x, y)
        return op.evaluate((float(x), float(y)))[0]

    return entry


def _numbers(op_type: str, x: np.ndarray, y: np.ndarray, step: Step) -> np.ndarray:
    """The operator on two tensors of numbers, with ONNX's types: an integer division
    truncates, as ONNX's does."""
    if op_type == "Div":
        if x.dtype.kind in "iu" and y.dtype.kind in "iu":
            if np.any(y == 0):
                raise step.fail("integer division by zero")
            return np.trunc(np.divide(x, y)).astype(x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.divide(x, y)
    else:
        with np.errstate(all="ignore"):
            result = _NUMPY[op_type](x, y)
    if result.dtype.kind == "f" and not np.all(np.isfinite(result)):
        raise step.fail("a constant computed by it is not a finite number")
    return np.asarray(result)


def binary(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """``Add``, ``Sub``, ``Mul``, ``Div``, ``Pow``: one node per entry of the broadcast result."""
    x, y = (np.asarray(v) for v in xs[:2])
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise step.fail(f"its operands of shapes {x.shape} and {y.shape} do not broadcast "
                        "together") from None
    if not is_symbolic(x) and not is_symbolic(y):
        return [_numbers(step.op_type, x, y, step)]
    return [elementwise(_entry(step.op_type), x, y)]


#: LeakyRelu's default slope, as ONNX stores an attribute: a 32-bit float.
_ALPHA = float(np.float32(0.01))


def _unary_op(step: Step) -> Op:
    kind = step.op_type
    if kind == "LeakyRelu":
        return leaky_relu(float(step.attrs.get("alpha", _ALPHA)))
    if kind == "Gelu":
        approximate = step.attrs.get("approximate", "none")
        if approximate not in ("none", "tanh"):
            raise step.fail(f"approximate={approximate!r} is not 'none' or 'tanh'")
        return GELU if approximate == "none" else GELU_TANH
    return _UNARY[kind]


_UNARY: dict[str, Op] = {
    "Neg": OPS["neg"], "Exp": OPS["exp"], "Log": OPS["log"], "Relu": OPS["relu"],
    "Sigmoid": OPS["sigmoid"], "Tanh": OPS["tanh"], "Sqrt": SQRT, "Erf": ERF,
}
#: The activations Value has a method for: the graph gets the very nodes of pathgrad.nn.
_METHODS: dict[str, Callable[[Value], Value]] = {
    "Relu": Value.relu, "Sigmoid": Value.sigmoid, "Tanh": Value.tanh, "Exp": Value.exp,
    "Log": Value.log, "Neg": Value.__neg__,
}


def unary(step: Step, xs: list[Any]) -> list[np.ndarray]:
    """A function of one operand: one node per entry, one edge of rate ``f'(x)``."""
    x = np.asarray(xs[0])
    if not is_symbolic(x) and x.dtype.kind in "iub":  # ONNX's types allow Neg and Relu only
        return [np.negative(x) if step.op_type == "Neg" else np.maximum(x, 0)]
    op = _unary_op(step)
    method = _METHODS.get(step.op_type)

    def entry(v: Any) -> Any:
        if isinstance(v, Value):
            return method(v) if method is not None else op(v)
        return apply(op, (v,))

    result = elementwise(entry, x)
    return [result if is_symbolic(x) else result.astype(np.float64)]


OPERATORS: dict[str, Operator] = {
    **{name: Operator(binary, one_per_entry(2)) for name in ("Add", "Sub", "Mul", "Div", "Pow")},
    **{name: Operator(unary, one_per_entry(1)) for name in (
        "Neg", "Exp", "Log", "Sqrt", "Erf", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Gelu",
    )},
}
