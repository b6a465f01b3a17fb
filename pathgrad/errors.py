"""The errors pathgrad raises: one base class, so a caller can catch them all.

Every error pathgrad raises on purpose derives from :class:`PathgradError`. Most also derive
from the built-in class a Python programmer would expect (``ValueError`` for a bad number or
shape, ``TypeError`` for a wrong kind of argument, ``KeyError`` for an unknown name), so code
written against the built-in classes keeps working. Each message says what was wrong and what
to do instead.
"""

from __future__ import annotations


class PathgradError(Exception):
    """The base class of every error pathgrad raises on purpose."""


class PathgradValueError(PathgradError, ValueError):
    """An argument has the right type but a value pathgrad cannot use."""


class PathgradTypeError(PathgradError, TypeError):
    """An argument has a type pathgrad cannot use."""


class PathgradKeyError(PathgradError, KeyError):
    """A name (of a node, a row, an activation) is not known."""

    def __str__(self) -> str:
        # KeyError's own str() shows the repr of its argument, quotes and all.
        return str(self.args[0]) if self.args else ""


class PathgradIndexError(PathgradError, IndexError):
    """A layer or neuron index is outside the network."""


class PathgradFileNotFoundError(PathgradError, FileNotFoundError):
    """A file pathgrad was asked to read is not there."""


class PathgradImportError(PathgradError, ImportError):
    """An optional package a feature needs is not installed."""
