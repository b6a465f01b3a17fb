"""Checks of the arguments users pass in, each raising an error that names the argument.

A whole number must be a real ``int`` (numpy's integers count, ``True`` does not) inside a
range; a real number must be finite; an array of numbers must convert to floats (no ragged
lists, strings or numbers beyond the float range). The message says which argument was wrong,
what it got and what it takes.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np

from .errors import PathgradValueError


def whole_number(value: object, name: str, least: int | None = None,
                 most: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number within ``[least, most]``, else an error."""
    number = int(value) if isinstance(value, Integral) and not isinstance(value, bool) else None
    if (
        number is None
        or (least is not None and number < least)
        or (most is not None and number > most)
    ):
        raise PathgradValueError(f"{name} must be a whole number {_range(least, most)}, "
                                 f"got {value!r}")
    return number


def real_number(value: object, name: str, least: float | None = None,
                above: float | None = None) -> float:
    """``value`` as a finite ``float``, at least ``least`` or strictly above ``above``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise PathgradValueError(f"{name} must be a finite real number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise PathgradValueError(
            f"{name} must be a finite number; {_shown(value)} is too large for a float"
        ) from None
    if not math.isfinite(number):
        raise PathgradValueError(f"{name} must be a finite number, got {number!r}")
    if least is not None and number < least:
        raise PathgradValueError(f"{name} must be a number >= {least:g}, got {number!r}")
    if above is not None and number <= above:
        raise PathgradValueError(f"{name} must be a number > {above:g}, got {number!r}")
    return number


def float_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a numpy array of floats, or an error naming ``name`` and what went wrong."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError) as error:
        raise PathgradValueError(
            f"{name} must be real numbers in a regular (not ragged) shape, got "
            f"{_shown(value)}: {_conversion_problem(error)}"
        ) from None


def _conversion_problem(error: Exception) -> str:
    if isinstance(error, OverflowError):
        return "a number is too large for a float (the largest is about 1.8e308)"
    if "inhomogeneous" in str(error) or "sequence" in str(error):
        return "its rows have different lengths"
    return str(error)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def one_of(value: object, name: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else an error listing them."""
    if not isinstance(value, str) or value not in choices:
        raise PathgradValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def _range(least: int | None, most: int | None) -> str:
    if least is None and most is None:
        return ""
    if least is not None and most is not None:
        return f"from {least} to {most}"
    if least is not None:
        return f">= {least}"
    return f"<= {most}"
