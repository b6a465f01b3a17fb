"""What each rate factor is, in the book's notation: ``σ'(z³₂)·w³₂₁``, ``a¹₂``, ``1``.

The explorer shows, for every edge ``tail → head``, its rate factor ``∂head/∂tail`` as a
number and as a formula in the names of the graph's nodes, with the values it was computed
from. The formula comes from the operation that made the head and the operand the tail is:

* elementary operations: ``∂(x·y)/∂x = y``, ``∂(x²)/∂x = 2·x``, ``∂σ(z)/∂z = σ'(z)``, ...;
* a network's neuron ``a = σ(Σ_k w_k a_k + b)`` (equation 53's edges): ``σ'(z)·a_k`` to a
  weight, ``σ'(z)·w_k`` to an activation, ``σ'(z)`` to the bias;
* a weighted input ``z = Σ_k w_k a_k + b``: ``a_k``, ``w_k`` and ``1``;
* a cost: ``∂C/∂a^L_m = a^L_m − y_m`` (quadratic) or ``(a − y)/(a(1 − a))`` (cross-entropy).

An operation it does not know (one you defined) is shown as ``∂op/∂operand``.
"""

from __future__ import annotations

from typing import NamedTuple

from ...names import fmt, op_label, power_text, pretty
from ...support.errors import PathgradIndexError
from ...value import Value

DIGITS = 4
#: The operands a formula spells out of a call with many (``f(x, y, z, … 37 more)``): the text of
#: an edge stays short whatever the fan-in, so a page's size grows with its edges, no faster.
SHOWN_OPERANDS = 3
_INFIX = {"add": " + ", "sub": " − ", "mul": "·", "div": "/"}
_FUNCTIONS = {"exp": "exp", "log": "ln", "sigmoid": "σ", "tanh": "tanh", "relu": "ReLU"}


class Formula(NamedTuple):
    """A rate factor as text: ``text`` in node names, ``where`` the values it uses."""

    text: str
    where: str


def describe(node: Value | float, depth: int = 2) -> str:
    """A node as a reader would write it: its book name, or its expression a few levels deep."""
    if not isinstance(node, Value):
        return fmt(node, DIGITS)
    if node.name is not None:
        return pretty(node.name)
    if node.op is None:
        return "leaf"
    if depth == 0:
        return f"({op_label(node, DIGITS)})"
    ops = node.operands
    name = node.op.name
    if name in _INFIX and len(ops) == 2:
        return _INFIX[name].join(_operand(x, depth - 1) for x in ops)
    if name == "neg":
        return "−" + _operand(ops[0], depth - 1)
    if name == "pow" and not isinstance(ops[1], Value):
        return _operand(ops[0], depth - 1) + power_text(ops[1], DIGITS)
    function = _FUNCTIONS.get(name, name)
    shown = [describe(x, depth - 1) for x in ops[:SHOWN_OPERANDS]]
    if len(ops) > SHOWN_OPERANDS:
        shown.append(f"… {len(ops) - SHOWN_OPERANDS} more")
    return f"{function}({', '.join(shown)})"


def _operand(x: Value | float, depth: int) -> str:
    text = describe(x, depth)
    if not isinstance(x, Value) or x.name is not None or x.op is None or depth == 0:
        return text
    return f"({text})" if x.op.name in (*_INFIX, "neg", "pow") else text  # calls need none


def _value(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _where(*pairs: tuple[str, float]) -> str:
    return ", ".join(f"{name} = {fmt(value, DIGITS).replace('-', '−')}" for name, value in pairs)


def _slope_name(op_name: str) -> str:
    """``σ'`` for a sigmoid neuron (the book's letter), ``tanh'`` etc. for the others."""
    inside = op_name[op_name.find("[") + 1 : -1] if "[" in op_name else "sigmoid"
    return "σ'" if inside == "sigmoid" else f"{inside}'"


def _z_name(head: Value) -> str:
    if head.name and head.name.startswith("a^"):
        return pretty("z" + head.name[1:])
    return "z"


def rate_formula(head: Value, position: int) -> Formula:
    """The formula of the rate factor of ``head``'s edge from ``head.parents[position]``."""
    operands = head.operands
    index = _operand_index(head, position)
    op_name = head.op.name if head.op is not None else ""
    rate = head.rates[position]
    if op_name.startswith("neuron"):
        return _neuron_formula(head, op_name, operands, index, rate)
    if op_name in ("weighted input", "weighted_input"):
        return _weighted_input_formula(operands, index)
    if op_name.endswith("cost"):
        return _cost_formula(op_name, operands, index, head)
    return _elementary_formula(op_name, operands, index, rate, head)


def _operand_index(head: Value, position: int) -> int:
    """Where the ``position``-th parent stands among all operands (constants included)."""
    seen = -1
    for i, x in enumerate(head.operands):
        if isinstance(x, Value):
            seen += 1
            if seen == position:
                return i
    raise PathgradIndexError(f"{head.label} has no parent number {position}")


def _neuron_formula(head: Value, op_name: str, ops: tuple, i: int, rate: float) -> Formula:
    n = (len(ops) - 1) // 2
    slope = f"{_slope_name(op_name)}({_z_name(head)})"
    s = head.rates[-1]  # the bias edge's rate is σ'(z) itself
    if i < n:  # a weight: ∂a/∂w_k = σ'(z)·a_k
        other = ops[n + i]
    elif i < 2 * n:  # an activation of the layer before: ∂a/∂a_k = σ'(z)·w_k
        other = ops[i - n]
    else:
        return Formula(slope, "")
    name = describe(other)
    return Formula(f"{slope}·{name}", _where((slope, s), (name, _value(other))))


def _weighted_input_formula(ops: tuple, i: int) -> Formula:
    n = (len(ops) - 1) // 2
    if i == 2 * n:
        return Formula("1", "")
    other = ops[n + i] if i < n else ops[i - n]
    return Formula(describe(other), _where((describe(other), _value(other))))


def _cost_formula(op_name: str, ops: tuple, i: int, head: Value) -> Formula:
    a = ops[i]
    m = len(head.parents)
    target = ops[m + i] if len(ops) == 2 * m else None
    y = pretty(f"y_{i + 1}")
    pairs = [(describe(a), _value(a))] + ([(y, _value(target))] if target is not None else [])
    if op_name.startswith("cross"):
        name = describe(a)
        return Formula(f"({name} − {y})/({name}(1 − {name}))", _where(*pairs))
    if op_name.startswith("quadratic"):
        return Formula(f"{describe(a)} − {y}", _where(*pairs))
    return Formula(f"∂C/∂{describe(a)}", "")


def _elementary_formula(op_name: str, ops: tuple, i: int, rate: float, head: Value) -> Formula:
    x = ops[i]
    name = describe(x)
    if op_name == "add":
        return Formula("1", "")
    if op_name == "sub":
        return Formula("1" if i == 0 else "−1", "")
    if op_name == "neg":
        return Formula("−1", "")
    if op_name == "mul":
        other = ops[1 - i]
        if not isinstance(other, Value):
            return Formula(describe(other), "")
        return Formula(_operand(other, 2), _where((describe(other), _value(other))))
    if op_name == "div":
        numerator, denominator = ops
        below = (describe(denominator), _value(denominator))
        if i == 0:
            return Formula(f"1/{_operand(denominator, 2)}", _where(below))
        return Formula(
            f"−{_operand(numerator, 2)}/{_operand(denominator, 2)}²",
            _where((describe(numerator), _value(numerator)), below),
        )
    if op_name == "pow" and i == 0 and not isinstance(ops[1], Value):
        n = float(ops[1])
        lower = "" if n == 2 else power_text(n - 1, DIGITS)
        return Formula(f"{fmt(n, DIGITS)}·{_operand(x, 2)}{lower}", _where((name, _value(x))))
    if op_name == "pow":
        base, exponent = ops
        return Formula(
            f"{_operand(base, 2)}^{_operand(exponent, 2)}·ln {_operand(base, 2)}",
            _where((describe(base), _value(base)), (describe(exponent), _value(exponent))),
        )
    if op_name == "exp":
        return Formula(f"exp({name})", _where((f"exp({name})", rate)))
    if op_name == "log":
        return Formula(f"1/{_operand(x, 2)}", _where((name, _value(x))))
    if op_name in ("sigmoid", "tanh", "relu", "linear") or head.name and head.name.startswith("a^"):
        slope = "σ'" if op_name == "sigmoid" else f"{_FUNCTIONS.get(op_name, op_name)}'"
        return Formula(f"{slope}({name})", _where((name, _value(x))))
    return Formula(f"∂{op_name}/∂{name}", "")
