"""What the command line prints, in characters the terminal can show.

pathgrad writes the book's notation: ``∂C/∂w²₁₂``, ``σ'(z³₂)``, ``w → a → C``. A terminal
whose encoding cannot show them (an ASCII or C locale without Python's UTF-8 mode, a Latin-1
console) would end the command in a ``UnicodeEncodeError`` after half its output. Under
:func:`readable_streams` every character the stream's encoding lacks is written the way the
book's names are typed instead: ``dC/dw^2_12``, ``sigma'(z^3_2)``, ``w -> a -> C``
(superscripts after ``^`` and subscripts after ``_``, a Greek letter by its name, a symbol by its
ASCII look-alike). Characters the encoding has are written as they are.
"""

from __future__ import annotations

import codecs
import contextlib
import sys
import unicodedata
from collections.abc import Iterator

#: The name of the encoding error handler :func:`readable_streams` installs.
HANDLER = "pathgrad-readable"

#: Symbols and their ASCII look-alikes; Greek letters, superscripts and subscripts are found by
#: their Unicode names instead.
SYMBOLS = {
    "∂": "d", "→": "->", "←": "<-", "×": "x", "·": "*", "−": "-", "—": "--", "–": "-",
    "∇": "nabla", "±": "+-", "⊙": "(.)", "…": "...", "½": "1/2", "≤": "<=", "≥": ">=",
    "≈": "~", "√": "sqrt", "÷": "/", "′": "'", "’": "'", "‘": "'", "“": '"', "”": '"',
    "Σ": "sum", "∑": "sum", "∏": "prod", "∞": "inf", "≠": "!=", "λ": "lambda",
}


def plain(character: str) -> tuple[str, str]:
    """``(mark, text)``: ``character`` in ASCII, and ``"^"`` or ``"_"`` when it was raised or
    lowered (``"²"`` is ``("^", "2")``), else ``""``."""
    if character in SYMBOLS:
        return "", SYMBOLS[character]
    name = unicodedata.name(character, "")
    base = unicodedata.normalize("NFKC", character)
    if name.startswith(("SUPERSCRIPT", "MODIFIER LETTER SMALL")):
        return "^", SYMBOLS.get(base, _ascii(base))
    if name.startswith(("SUBSCRIPT", "LATIN SUBSCRIPT")):
        return "_", SYMBOLS.get(base, _ascii(base))
    if name.startswith("GREEK"):
        letter = name.split(" LETTER ")[-1].split()[0].lower()
        return "", letter.capitalize() if " CAPITAL " in name else letter
    return "", _ascii(base) or "?"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _readable(error: UnicodeError) -> tuple[str, int]:
    """The encoding error handler: the characters the encoding lacks, written plainly."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out: list[str] = []
    text = error.object
    # ``₁₂,₃`` (indices past 9 are separated by commas): the comma does not end the subscript
    before = text[error.start - 2] if error.start >= 2 and text[error.start - 1] == "," else ""
    mark = plain(before)[0] if before else ""
    for character in text[error.start : error.end]:
        kind, text = plain(character)
        if kind and kind != mark:
            out.append(kind)
        mark = kind
        out.append(text)
    return "".join(out), error.end


codecs.register_error(HANDLER, _readable)


@contextlib.contextmanager
def readable_streams() -> Iterator[None]:
    """Within the block, ``sys.stdout`` and ``sys.stderr`` write what their encoding lacks
    plainly (see the module docstring); afterwards they are as they were."""
    changed = []
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            changed.append((reconfigure, stream.errors))
            reconfigure(errors=HANDLER)
    try:
        yield
    finally:
        for reconfigure, errors in changed:
            reconfigure(errors=errors)
