"""Book names as a reader expects to see them, and numbers rounded for display.

A node named ``"w^2_12"`` is the weight from neuron 2 of layer 1 to neuron 1 of layer 2; on a
slide it reads ``w²₁₂``. This module turns the ASCII names pathgrad uses into Unicode super- and
subscripts (so the same text shows in a terminal, SVG, PNG and PDF without any maths
renderer), names an unnamed operation node by its symbol (``×``, ``σ``, ``(·)²``), parses a
name into its symbol, layer and indices (pictures lay out columns from the layer), and writes
numbers to a fixed count of significant digits. Pictures, printed paths and the explorer all
use these names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .value import Value

_SUPERSCRIPT = str.maketrans("0123456789+-=()n,ijk", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ,ⁱʲᵏ")
_SUBSCRIPT = str.maketrans("0123456789+-=()aeijklmnostx,", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₛₜₓ,")
_SUPERSCRIPTABLE = set("0123456789+-=()n,ijk")
_SUBSCRIPTABLE = set("0123456789+-=()aeijklmnostx,")

# "w^2_12", "a^{10}_{3}", "w^2_{3,12}", "x_1", "C":
# a symbol, an optional ^layer, optional _indices.
_NAME = re.compile(
    r"^(?P<symbol>[A-Za-zδΔσ]+)"
    r"(?:\^(?:\{(?P<sup_b>[^{}]+)\}|(?P<sup>[0-9A-Za-z]+)))?"
    r"(?:_(?:\{(?P<sub_b>[^{}]+)\}|(?P<sub>[0-9A-Za-z,]+)))?$"
)

_OP_SYMBOLS = {
    "add": "+",
    "sub": "−",
    "mul": "×",
    "div": "÷",
    "neg": "−",
    "exp": "exp",
    "log": "log",
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "ReLU",
}


@dataclass(frozen=True)
class BookName:
    """A parsed book name: ``w^2_12`` is symbol ``w``, layer 2, indices ``(1, 2)``."""

    symbol: str
    layer: int | None
    indices: tuple[int, ...]

    @property
    def neuron(self) -> int | None:
        """The ``j`` of the name: the neuron it belongs to or feeds."""
        return self.indices[0] if self.indices else None


def parse_name(name: str | None) -> BookName | None:
    """The symbol, layer and indices of a book name, or None for anything else."""
    if not name:
        return None
    match = _NAME.match(name)
    if match is None:
        return None
    sup = match["sup_b"] or match["sup"]
    sub = match["sub_b"] or match["sub"]
    layer = int(sup) if sup is not None and sup.isdigit() else None
    if sup is not None and layer is None:
        return BookName(match["symbol"], None, ())
    return BookName(match["symbol"], layer, _indices(sub, match["symbol"]))


def _indices(sub: str | None, symbol: str) -> tuple[int, ...]:
    if not sub:
        return ()
    if "," in sub:
        parts = sub.split(",")
        return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()
    if not sub.isdigit():
        return ()
    # A weight has two indices, one digit each unless commas separate them: w^2_12 is j=1, k=2.
    if symbol == "w" and len(sub) == 2:
        return (int(sub[0]), int(sub[1]))
    return (int(sub),)


def pretty(name: str) -> str:
    """``"w^2_12"`` as ``"w²₁₂"``; braces and commas are understood (``w^{10}_{3,4}``).

    A part with a character that has no Unicode super/subscript form is left as typed.
    """
    match = _NAME.match(name)
    if match is None:
        return name
    text = match["symbol"]
    sup = match["sup_b"] or match["sup"]
    sub = match["sub_b"] or match["sub"]
    if sup is not None:
        text += sup.translate(_SUPERSCRIPT) if set(sup) <= _SUPERSCRIPTABLE else f"^{sup}"
    if sub is not None:
        text += sub.translate(_SUBSCRIPT) if set(sub) <= _SUBSCRIPTABLE else f"_{sub}"
    return text


def gradient_name(name: str | None, symbol: str = "·", output: str = "C") -> str:
    """What ``∂C/∂node`` is called: ``δ²₁`` for ``z^2_1`` (the book's error), else ``∂C/∂a³₁``.

    An unnamed node is called by its operation's ``symbol``: ``∂C/∂(×)``. For a graph whose
    output is not the cost, ``output`` names it: ``∂e/∂b``.
    """
    parsed = parse_name(name)
    if output == "C" and name is not None and parsed is not None and parsed.symbol == "z" \
            and parsed.layer:
        return pretty("δ" + name[1:])
    return f"∂{output}/∂{pretty(name)}" if name else f"∂{output}/∂({symbol})"


def fmt(x: float, digits: int) -> str:
    """``x`` to ``digits`` significant digits, in plain form (``0.25``, ``-1.3e-05``)."""
    text = f"{x:.{digits}g}"
    if text in ("-0", "-0.0"):
        return "0"
    return text


def power_text(exponent: float, digits: int) -> str:
    """An exponent as a superscript (``²``, ``⁻¹``), or ``^0.5`` when it has no such form."""
    text = fmt(exponent, digits)
    return text.translate(_SUPERSCRIPT) if set(text) <= _SUPERSCRIPTABLE else f"^{text}"


def op_label(node: Value, digits: int) -> str:
    """A short label for an unnamed operation node: ``×``, ``σ``, ``+ 1``, ``(·)²``, ``× 0.5``."""
    op = node.op
    if op is None:
        return "leaf"
    if op.name == "pow" and node.args is not None and not isinstance(node.args[1], Value):
        return "(·)" + power_text(node.args[1], digits)
    symbol = _OP_SYMBOLS.get(op.name, op.name)
    if node.args is None:
        return symbol
    constants = [fmt(a, digits) for a in node.args if not isinstance(a, Value)]
    if not constants:
        return symbol
    if isinstance(node.args[0], Value):
        return f"{symbol} {' '.join(constants)}"
    return f"{' '.join(constants)} {symbol}"


def display_name(node: Value, digits: int = 3) -> str:
    """What a reader sees for ``node``: its book name in Unicode (``w²₁₂``), or, for an
    unnamed operation node, the operation's symbol (``×``, ``+ 1``, ``(·)²``)."""
    if node.name is None:
        return op_label(node, digits) if node.op is not None else "leaf"
    return pretty(node.name)
