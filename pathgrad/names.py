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


# The translations of pretty() read backwards (the comma, the same both ways, is left out).
_FROM_SUPERSCRIPT = {chr(v): chr(k) for k, v in _SUPERSCRIPT.items() if chr(k) != ","}
_FROM_SUBSCRIPT = {chr(v): chr(k) for k, v in _SUBSCRIPT.items() if chr(k) != ","}


def typed_name(text: str) -> str:
    """A name as printed (``w²₁₂``, ``w²₃,₁₂``) as it is typed (``w^2_12``, ``w^2_3,12``).

    The inverse of :func:`pretty` for book names; text without super- or subscripts is
    returned as it is.
    """
    if not any(c in _FROM_SUPERSCRIPT or c in _FROM_SUBSCRIPT for c in text):
        return text
    i = 0
    while i < len(text) and text[i] not in _FROM_SUPERSCRIPT and text[i] not in _FROM_SUBSCRIPT:
        i += 1
    symbol, sup, sub = text[:i], "", ""
    while i < len(text) and text[i] in _FROM_SUPERSCRIPT:
        sup += _FROM_SUPERSCRIPT[text[i]]
        i += 1
    while i < len(text) and (text[i] in _FROM_SUBSCRIPT or (text[i] == "," and sub)):
        sub += _FROM_SUBSCRIPT.get(text[i], ",")
        i += 1
    if i < len(text) or not symbol:
        return text  # not a book name: leave it for the caller to refuse
    return symbol + (f"^{sup}" if sup else "") + (f"_{sub}" if sub else "")


#: What the nodes of each book symbol are called in a hint.
_KINDS = {"w": "weights", "b": "biases", "a": "activations", "z": "weighted inputs",
          "x": "inputs", "h": "states", "u": "input weights"}
_LISTED = 8


def book_order(name: str) -> tuple:
    """A sort key in the book's order: by layer, then by indices (``w^2_1,10`` after
    ``w^2_19``); names that are not book names after the rest."""
    parsed = parse_name(name)
    if parsed is None:
        return (1, 0, (), name)
    return (0, parsed.layer or 0, parsed.indices, name)


def _listing(names: list[str]) -> str:
    ordered = sorted(names, key=book_order)
    if len(ordered) <= _LISTED:
        return ", ".join(ordered)
    return f"{', '.join(ordered[:3])}, …, {', '.join(ordered[-2:])} ({len(ordered):,} in all)"


def name_hint(asked: str, names: list[str]) -> str:
    """What to say when no node is named ``asked``: the names of the kind that was asked for
    (``w^7_11`` lists the weights), or, for a kind the graph has none of, every kind it has."""
    by_symbol: dict[str, list[str]] = {}
    for name in names:
        parsed = parse_name(name)
        by_symbol.setdefault(parsed.symbol if parsed else name, []).append(name)
    wanted = parse_name(typed_name(asked))
    if wanted is not None and wanted.symbol in by_symbol and len(by_symbol[wanted.symbol]) > 1:
        kind = _KINDS.get(wanted.symbol, f"nodes named {wanted.symbol}")
        return f"its {kind} are {_listing(by_symbol[wanted.symbol])}"
    kinds = [
        f"{_KINDS.get(symbol, symbol)} {_listing(group)}" if len(group) > 1 else group[0]
        for symbol, group in sorted(by_symbol.items(), key=lambda item: book_order(item[1][0]))
    ]
    return "its named nodes are " + "; ".join(kinds)
