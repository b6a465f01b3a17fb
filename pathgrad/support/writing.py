"""Writing files where the user asked, and nowhere else.

Every file pathgrad writes (a picture, a network, an IDX file) goes through
:func:`write_file`, and every command checks its output paths with :func:`check_output`
before it does any work, so a mistake in the name costs nothing:

* the folder must exist and be writable, the name must not be a folder;
* the name must not be a symbolic link: pathgrad never writes through a link, which in a
  shared folder such as ``/tmp`` could have been planted to point at someone's file;
* the bytes go to a fresh private file next to the target that then replaces it in one step
  (``os.replace``): a link that appears in the meantime is replaced, never followed, and a
  reader never sees half a file;
* a file replaced keeps its permissions (a private ``0600`` file stays private); a new one
  gets those the umask gives.

:func:`write_fresh_file` makes a new file with a unique name, readable only by its owner, for
output nobody named (``pathgrad demo``'s picture), and :func:`write_new_file` writes under a
default name in a folder of the user's (``pathgrad draw`` without ``-o``) without ever
replacing a file that is there: ``paths.svg``, else ``paths-2.svg``, ``paths-3.svg``, ...
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import PathgradOSError


def check_output(path: str | os.PathLike) -> Path:
    """``path`` as a :class:`~pathlib.Path` if a file can be written there, else an error that
    says why (missing or unwritable folder, a folder or a symbolic link in the way)."""
    target = Path(path)
    folder = target.parent
    if target.is_symlink():
        raise PathgradOSError(
            f"{target} is a symbolic link; pathgrad does not write through links (one in a "
            "shared folder could point at anyone's file): remove it or choose another name"
        )
    if target.is_dir():
        raise PathgradOSError(f"{target} is a folder; give a file name inside it")
    if target.exists() and not target.is_file():
        raise PathgradOSError(f"{target} exists and is not a regular file; choose another name")
    if not folder.exists():
        raise PathgradOSError(f"the folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise PathgradOSError(f"{folder} is a file, not a folder, so {target} cannot be made")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PathgradOSError(f"no permission to write in the folder {folder}")
    if target.exists() and not os.access(target, os.W_OK):
        raise PathgradOSError(f"no permission to overwrite {target}")
    return target


def check_output_folder(path: str | os.PathLike) -> Path:
    """``path`` as a folder files can be written into: an existing writable folder, or a new
    one whose parent is (it is not made here)."""
    folder = Path(path)
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise PathgradOSError(f"{folder} exists and is not a folder; choose another name")
    if folder.exists():
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PathgradOSError(f"no permission to write in the folder {folder}")
        return folder
    check_output(folder)
    return folder


def write_file(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` (checked by :func:`check_output`) through a fresh file in the
    same folder that then replaces it: a link at ``path`` is never followed."""
    target = check_output(path)
    mode = _mode_of(target)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_fresh_file(data: bytes, prefix: str, suffix: str) -> Path:
    """Write ``data`` to a new file of a unique name in the temporary folder, readable only by
    its owner, and return its path."""
    descriptor, name = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return Path(name)


def write_new_file(path: str | os.PathLike, data: bytes, tries: int = 1000) -> Path:
    """Write ``data`` to ``path``, or, if that name is taken, to the first free one of
    ``stem-2.suffix``, ``stem-3.suffix``, ...; return the name used. No file is ever replaced:
    the bytes go to a fresh file that is then linked to the new name, which fails, and moves on
    to the next name, if anything appeared there in the meantime."""
    first = check_output(path)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{first.name}.", dir=first.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        for n in range(1, tries + 1):
            target = first if n == 1 else first.with_name(f"{first.stem}-{n}{first.suffix}")
            try:
                os.link(temporary, target)
            except FileExistsError:
                continue
            return target
        raise PathgradOSError(
            f"{first} and the next {tries - 1} names like it are taken; give a file name"
        )
    finally:
        Path(temporary).unlink(missing_ok=True)


def _mode_of(target: Path) -> int:
    """The permissions the written file gets: those of the file it replaces (a private file
    stays private), or for a new file what ``open`` would give under the umask."""
    try:
        return stat.S_IMODE(os.lstat(target).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
