"""The errors pathgrad raises: one base class, so a caller can catch them all.

Every error pathgrad raises on purpose derives from :class:`PathgradError`. Most also derive
from the built-in class a Python programmer would expect (``ValueError`` for a bad number or
shape, ``TypeError`` for a wrong kind of argument, ``KeyError`` for an unknown name), so code
written against the built-in classes keeps working. Each message says what was wrong and what
to do instead.
"""

from __future__ import annotations


class PathgradError(Exception):
    """The base class of every error pathgrad raises on purpose.

    Equation: none; an error names what was wrong and what to do. Each also derives from the
    built-in error you would expect (``ValueError``, ``TypeError``, ``KeyError``).

    >>> import pathgrad as pg
    >>> try:
    ...     pg.Value("x")
    ... except pg.PathgradError as error:
    ...     print(type(error).__name__, isinstance(error, TypeError))
    PathgradTypeError True
    """


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


class PathgradWarning(PathgradError, UserWarning):
    """A result pathgrad can give but that is probably not what was meant (a node from
    another graph has no paths to this one's output, so its derivative is 0).

    Equation 53 has no term when there is no path: the derivative is 0, and pathgrad warns.

    >>> import warnings
    >>> import pathgrad as pg
    >>> a, elsewhere = pg.Value(2.0, name="a"), pg.Value(1.0, name="elsewhere")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     print(pg.grad(a * a, [elsewhere]), caught[0].category.__name__)
    [0.0] PathgradWarning
    """


class TooLargeError(PathgradValueError):
    """The memory or work asked for is past a limit the caller can raise: refused before any
    of it is allocated or done. The message says what would have been built, and ``limit``
    names the argument that raises the limit (``"max_nodes"``)."""

    def __init__(self, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


class PathgradOSError(PathgradError, OSError):
    """A file or folder pathgrad was asked to write cannot be used: the folder is missing or
    not writable, the name is a folder, or it is a symbolic link pathgrad will not follow."""


class NotFiniteError(PathgradValueError):
    """A number pathgrad computed is an infinity or a NaN (a product of rate factors along some
    path overflows, a weighted input overflows): refused, never carried on. The message names
    the node or neuron and the reason; ``subject`` says what became what, in a few words
    (``"the weighted input z^2_1 became inf"``)."""

    def __init__(self, message: str, subject: str | None = None) -> None:
        super().__init__(message)
        self.subject = subject or message
