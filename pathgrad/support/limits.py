"""Limits on memory and work, checked before anything is allocated.

Every size that drives an allocation (a layer width, the shape in a file's header, a number of
random walks) is turned into what it would cost, and compared with a limit before the work
starts. Past the limit pathgrad refuses with :class:`~pathgrad.support.errors.TooLargeError`: the
message says what would have been built and which argument raises the limit, so a careless
``--sizes 5000,5000,5000`` or a file whose header lies costs nothing.
"""

from __future__ import annotations

from .arguments import whole_number
from .errors import TooLargeError

#: Memory allowed, by default, for the arrays of a network or a data file (1 GiB).
DEFAULT_MAX_BYTES = 2**30


def size_text(n_bytes: int) -> str:
    """``1536`` as ``"1.5 kB"``: bytes in the decimal units a reader expects."""
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{n_bytes} bytes"


def check_limit(amount: int, limit: int | None, name: str, what: str, advice: str) -> None:
    """Refuse ``what`` when ``amount`` is past ``limit`` (None: no limit).

    ``name`` is the argument that raises the limit (``"max_bytes"``); ``what`` says what
    would have been built and ``advice`` what to do instead.
    """
    if limit is None:
        return
    whole_number(limit, name, least=1)
    if amount > limit:
        shown = f"{limit:,}" + (f" ({size_text(limit)})" if name.endswith("bytes") else "")
        raise TooLargeError(
            f"{what}: more than {name}={shown}. {advice}, or raise {name} if you really "
            "want it",
            limit=name,
        )
