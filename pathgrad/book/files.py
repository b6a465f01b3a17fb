"""A network's arrays in an ``.npz`` file and back, without pickle.

The file holds plain arrays only: ``format`` (a version string), ``sizes``, ``cost`` (its
name), ``activations`` (one name per neuron after the input layer, in order) and ``w2``,
``b2``, ``w3``, ``b3``, ... in Nielsen's shapes. :func:`read` opens it with
``allow_pickle=False``, so a file can never run code, and checks every array's presence, type
and shape, naming what is wrong. User-defined activations are saved by name; pass them to
:func:`read` as ``activations={"name": Activation(...)}``. ``Network.save`` and
``Network.load`` are built on :func:`write` and :func:`read`.
"""

from __future__ import annotations

import io
import math
import os
import struct
import tokenize
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..support.errors import PathgradError, PathgradFileNotFoundError, PathgradValueError
from ..support.limits import DEFAULT_MAX_BYTES, check_limit, size_text
from ..support.writing import write_file
from .activations import ACTIVATIONS, Activation, LayerActivation
from .graph_sizes import graph_size
from .losses import COSTS, Cost

FORMAT = "pathgrad-network-1"
#: At most this many layers, and this many bytes per stored number or name.
MAX_LAYERS = 10_000
MAX_ITEM_BYTES = 4 * 256
#: The most deflate can inflate: 258 bytes from each pair of 2-bit codes, about 1032-fold.
MAX_INFLATION = 1032
#: Bytes read at a time.
CHUNK = 1 << 20


@dataclass
class NetworkArrays:
    """Everything a network file holds: sizes, cost, activations and parameters (Nielsen's
    layout: ``weights[l-2]`` is ``(n_l, n_{l-1})``, ``biases[l-2]`` is ``(n_l, 1)``)."""

    sizes: list[int]
    cost: Cost
    layers: list[LayerActivation]
    weights: list[np.ndarray]
    biases: list[np.ndarray]


def write(path: str | os.PathLike, net: NetworkArrays) -> Path:
    """Write ``net``'s arrays to ``path`` (``.npz`` is added if the name lacks it, as numpy
    does) through :func:`pathgrad.support.writing.write_file`, and return the path written."""
    names = [name for layer in net.layers for name in layer.names]
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT),
        "sizes": np.array(net.sizes, dtype=np.int64),
        "cost": np.array(net.cost.name),
        "activations": np.array(names, dtype=str),
    }
    for l, (w, b) in enumerate(zip(net.weights, net.biases, strict=True), 2):  # noqa: E741
        arrays[f"w{l}"] = w
        arrays[f"b{l}"] = b
    target = os.fspath(path)
    target = target if target.endswith(".npz") else target + ".npz"
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds poorly
    return write_file(target, buffer.getvalue())


class DamagedFileError(PathgradValueError):
    """A file is not a pathgrad network file, or is damaged: the message says what is wrong."""


def _bad(path: Any, problem: str) -> DamagedFileError:
    return DamagedFileError(f"{path}: not a pathgrad network file: {problem}")


#: Python's and numpy's errors for a damaged zip archive or .npy array.
_DAMAGE = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
    ValueError, KeyError, UnicodeError, OverflowError, struct.error, SyntaxError,
    tokenize.TokenError,
)


def read(
    path: str | os.PathLike,
    activations: dict[str, Activation] | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> NetworkArrays:
    """The arrays saved at ``path``, every one checked; a file that is not a pathgrad network
    file, or is damaged, raises :class:`DamagedFileError` (a ``ValueError``) saying what is
    wrong. The header of each array is checked against the file, and the sizes the file gives
    against ``max_bytes``, before any array is read."""
    known = dict(ACTIVATIONS)
    known.update(activations or {})
    path = os.fspath(path)
    if not os.path.exists(path) and os.path.exists(path + ".npz"):
        path += ".npz"  # save() let numpy add the suffix
    if not os.path.isfile(path):
        folder = " (it is a folder)" if os.path.isdir(path) else ""
        raise PathgradFileNotFoundError(f"no such file: {path!r}{folder}")
    try:
        archive = zipfile.ZipFile(path)
    except _DAMAGE:
        raise _bad(path, _what_it_is(path)) from None
    try:
        with archive:
            return _Archive(archive, path, max_bytes).network(known)
    except PathgradError:
        raise
    except _DAMAGE as error:
        detail = str(error).splitlines()[0][:100] if str(error) else ""
        raise _bad(path, f"it is damaged ({type(error).__name__}: {detail})") from None


def _what_it_is(path: str) -> str:
    """What a file that is not a zip archive looks like, from its first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    if not head:
        return "it is empty"
    if head.startswith(b"PK"):
        return "it is a damaged or truncated zip archive"
    if head.startswith(b"\x93NUMPY"):
        return "it holds a single array (.npy), not the .npz archive Network.save writes"
    if head.startswith(b"\x1f\x8b"):
        return "it is gzip-compressed, not an .npz archive"
    if head.startswith(b"\x80"):
        return "it looks like a Python pickle, which pathgrad never loads"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return f"it is not a zip archive (it starts with the bytes {head[:8].hex(' ')})"
    return "it is a text file, not the .npz archive Network.save writes"


class _Archive:
    """The arrays of an .npz archive, each header checked before its data is read."""

    def __init__(self, archive: zipfile.ZipFile, path: str, max_bytes: int | None) -> None:
        self.archive = archive
        self.path = path
        self.max_bytes = max_bytes
        self.spent = 0  # bytes of the arrays read so far
        self.members = {
            info.filename[: -len(".npy")]: info
            for info in archive.infolist() if info.filename.endswith(".npy")
        }

    def network(self, known: dict[str, Activation]) -> NetworkArrays:
        path = self.path
        if str(self.array("format", "U", ())) != FORMAT:
            raise _bad(path, f"unknown format tag (expected {FORMAT!r})")
        stored = self.array("sizes", "iu", None)
        if stored.ndim != 1 or not 2 <= len(stored) <= MAX_LAYERS or stored.min() < 1:
            raise _bad(path, f"'sizes' must be 2 to {MAX_LAYERS} positive whole numbers, "
                             f"got {stored}")
        sizes = [int(n) for n in stored]
        parameters = graph_size(sizes).parameters
        check_limit(
            8 * parameters, self.max_bytes, "max_bytes",
            f"{path}: its sizes {sizes} give {parameters:,} weights and biases "
            f"({size_text(8 * parameters)})",
            "Check where the file came from",
        )
        cost = str(self.array("cost", "U", ()))
        if cost not in COSTS:
            raise _bad(path, f"unknown cost {cost!r}")
        neurons = sum(sizes[1:])
        names = [str(n) for n in self.array("activations", "U", None).reshape(-1)]
        if len(names) != neurons:
            raise _bad(path, f"{len(names)} activation names for {neurons} neurons")
        missing = sorted(set(names) - set(known))
        if missing:
            raise PathgradValueError(
                f"{path}: activations {missing} are not built in; pass them to load as "
                "activations={name: Activation(name, f, f_prime)}"
            )
        layers = []
        start = 0
        for n in sizes[1:]:
            layers.append(LayerActivation([known[name] for name in names[start : start + n]]))
            start += n
        weights, biases = [], []
        for l in range(2, len(sizes) + 1):  # noqa: E741
            weights.append(self.parameter(f"w{l}", (sizes[l - 1], sizes[l - 2])))
            biases.append(self.parameter(f"b{l}", (sizes[l - 1], 1)))
        return NetworkArrays(sizes, COSTS[cost], layers, weights, biases)

    def parameter(self, key: str, shape: tuple[int, int]) -> np.ndarray:
        array = self.array(key, "f", shape)
        if not np.all(np.isfinite(array)):
            raise _bad(self.path, f"{key!r} contains NaN or infinity")
        return np.array(array, dtype=float)

    def array(self, key: str, kinds: str, shape: tuple[int, ...] | None) -> np.ndarray:
        """The array ``key``, read only once its header has been checked: its type is one of
        ``kinds``, its shape is ``shape`` (any when None), it fits what is left of the budget
        and the archive holds exactly the bytes the header promises."""
        info = self.members.get(key)
        if info is None:
            raise _bad(self.path, f"the array {key!r} is missing")
        problem = self._room_problem(info)
        if problem:
            raise _bad(self.path, f"{key!r} {problem}")
        with self.archive.open(info) as handle:
            version = np.lib.format.read_magic(handle)
            if version not in ((1, 0), (2, 0)):
                raise _bad(self.path, f"{key!r} is a .npy array of unknown version {version}")
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            with warnings.catch_warnings():  # numpy parses the header with ast.literal_eval
                warnings.simplefilter("ignore")
                found, fortran, dtype = read_header(handle)
            problem = _header_problem(dtype, found, kinds, shape)
            if problem:
                raise _bad(self.path, f"{key!r} {problem}")
            size = math.prod(found) * dtype.itemsize
            check_limit(
                self.spent + size, self.max_bytes, "max_bytes",
                f"{self.path}: the array {key!r} of shape {found} takes {size_text(size)}",
                "Check where the file came from",
            )
            self.spent += size
            stored = info.file_size - handle.tell()
            if stored != size:
                raise _bad(self.path, f"the header of {key!r} promises {size:,} bytes of data "
                                      f"but the archive holds {stored:,}")
            data = _read_exactly(handle, size)
        return np.frombuffer(data, dtype=dtype).reshape(found, order="F" if fortran else "C")

    def _room_problem(self, info: zipfile.ZipInfo) -> str | None:
        """What makes a member's sizes impossible for the file that holds it, or None: the
        bytes it says it stores must be in the file, and must be able to inflate to the
        bytes it promises (deflate inflates at most 1032-fold; numpy's own files store their
        arrays or deflate them, nothing else)."""
        on_disk = os.path.getsize(self.path)
        if info.compress_size > on_disk:
            return (f"says it stores {size_text(info.compress_size)} in a file of "
                    f"{size_text(on_disk)}")
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                return (f"is stored uncompressed yet says it takes {info.compress_size:,} bytes "
                        f"for {info.file_size:,}")
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            if info.file_size > MAX_INFLATION * info.compress_size + 1024:
                return (f"promises {size_text(info.file_size)} from "
                        f"{size_text(info.compress_size)} of deflated data, more than deflate "
                        f"can give ({MAX_INFLATION}-fold)")
        else:
            return f"is compressed by method {info.compress_type}; numpy writes 0 or 8"
        return None


def _read_exactly(handle: Any, size: int) -> bytearray:
    """``size`` bytes from ``handle``, read a megabyte at a time into one buffer of that size:
    never more memory than the checked ``size``, never a copy of it. A stream that ends
    early raises ``EOFError`` (a damaged file)."""
    data = bytearray(size)
    view = memoryview(data)
    got = 0
    while got < size:
        chunk = handle.read(min(CHUNK, size - got))
        if not chunk:
            raise EOFError(f"the data ends after {got:,} of {size:,} bytes")
        view[got : got + len(chunk)] = chunk
        got += len(chunk)
    return data


def _header_problem(
    dtype: np.dtype, found: tuple[int, ...], kinds: str, shape: tuple[int, ...] | None
) -> str | None:
    """What is wrong with an array's type and shape, or None."""
    if dtype.hasobject:
        return "holds Python objects, which cannot be read without pickle"
    wanted = {"U": "text", "iu": "whole numbers", "f": "a float array"}[kinds]
    if dtype.kind not in kinds or dtype.itemsize > MAX_ITEM_BYTES:
        return f"must be {wanted}, got {dtype}"
    if shape is not None and tuple(found) != shape:
        return f"must be {wanted} of shape {shape}, got {dtype} {tuple(found)}"
    return None
