"""Checking a student's answer to an exercise: right, or not yet and a hint.

The notebooks end their sections with exercises. The student writes an answer (a number, a
numpy array, or a list of arrays such as ``nabla_w``) in an empty cell, and the next cell
calls :func:`check_answer` with the true value, computed by pathgrad. The result says *right*,
*not answered yet*, or *not yet* with what is wrong (the shape, or how far off the numbers
are, never the true numbers themselves) and the exercise's hint. It is truthy only when the
answer is right, so a worked solution can end with ``assert check_answer(...)``.
"""

from __future__ import annotations

import html
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .arguments import real_number
from .errors import PathgradTypeError, PathgradValueError

RIGHT, WRONG, OPEN = "#2d6a2d", "#b03020", "#805b00"


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check_answer`: ``correct`` and the message the student sees.

    Equation: none; it reports on an exercise.

    >>> import pathgrad as pg
    >>> verdict = pg.check_answer(..., 5.0)     # the answer cell is still empty
    >>> verdict.correct, verdict.message.split(":")[0]
    (False, 'Not answered yet')
    """

    correct: bool
    message: str
    colour: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        lines = html.escape(self.message).replace("\n", "<br>")
        return f'<p style="color:{self.colour}"><b>{lines}</b></p>'


#: numpy's own limit on the number of dimensions: a list nested deeper is no answer.
MAX_DEPTH = 32


def _arrays(value: Any, depth: int = 0) -> list[np.ndarray] | None:
    """An answer as float arrays: one for a number, an array or a regular nested list; one per
    item (recursively) for a ragged list such as ``nabla_w``; None for anything else."""
    if isinstance(value, (str, bytes, dict)) or depth > MAX_DEPTH:
        return None
    try:
        return [np.asarray(value, dtype=float)]
    except (TypeError, ValueError):
        if not isinstance(value, (list, tuple)):
            return None
    arrays = []
    for item in value:
        part = _arrays(item, depth + 1)
        if part is None:
            return None
        arrays.extend(part)
    return arrays


def check_answer(
    answer: Any,
    expected: Any,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-12,
) -> Verdict:
    """Compare ``answer`` with ``expected`` to a relative tolerance ``rtol``.

    Numbers, numpy arrays and (nested) lists of arrays are compared entry by entry. ``None``
    or ``...`` (the empty answer cell) is "not answered yet". A wrong answer gets its shape or
    its largest relative error, and the ``hint``.

    Equation: whichever the exercise asks for; the answer is compared with the number
    pathgrad computed.

    >>> import pathgrad as pg
    >>> pg.check_answer(5.0, 2.0 + 3.0).correct
    True
    >>> print(pg.check_answer(4.0, 5.0, hint="add both paths' products"))
    Not yet: off by 0.2 (relative) where 1e-06 is allowed.
    Hint: add both paths' products
    """
    real_number(rtol, "check_answer: rtol", above=0.0)
    real_number(atol, "check_answer: atol", least=0.0)
    if answer is None or answer is Ellipsis:
        return Verdict(
            False, "Not answered yet: write your answer in the cell above, then run this one.",
            OPEN,
        )
    got, want = _arrays(answer), _arrays(expected)
    if want is None:
        raise PathgradTypeError(
            f"check_answer: cannot compare with the expected value {expected!r}"
        )
    if not all(np.all(np.isfinite(w)) for w in want):
        raise PathgradValueError(
            "check_answer: the expected value holds NaN or infinity; compute the truth again"
        )
    tip = f"\nHint: {hint}" if hint else ""
    if got is None:
        return Verdict(
            False,
            f"Not yet: expected numbers, got {type(answer).__name__} {reprlib.repr(answer)}.{tip}",
            WRONG,
        )
    got_shapes, want_shapes = [a.shape for a in got], [a.shape for a in want]
    if got_shapes != want_shapes:
        return Verdict(
            False, f"Not yet: your answer has shape {_shapes(got_shapes)}, the answer has "
            f"shape {_shapes(want_shapes)}.{tip}", WRONG,
        )
    worst = max(
        (float(np.max(np.abs(g - w) / np.maximum(np.abs(w), atol / rtol), initial=0.0))
         for g, w in zip(got, want, strict=True)),
        default=0.0,
    )
    if not np.isfinite(worst) or worst > rtol:
        return Verdict(
            False, f"Not yet: off by {worst:.2g} (relative) where {rtol:g} is allowed.{tip}",
            WRONG,
        )
    return Verdict(True, "Right.", RIGHT)


def _shapes(shapes: Sequence[tuple[int, ...]]) -> str:
    if len(shapes) == 1:
        return str(shapes[0])
    return "[" + ", ".join(str(s) for s in shapes) + "]"
