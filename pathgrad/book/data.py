"""Small data sets in the network's format: XOR, scikit-learn's 8×8 digits, MNIST IDX files.

Training data follow Nielsen's code: a list of ``(x, y)`` pairs where ``x`` is an ``(n_1, 1)``
column of inputs and ``y`` an ``(n_L, 1)`` column of desired outputs (one-hot for a class).
Test data pair ``x`` with the whole-number label instead. ``arrays=True`` gives ``(X, labels)``
instead, with one example per row, which :meth:`pathgrad.Network.sgd` also accepts.

* :func:`xor`: the four points of exclusive-or, for ``Network([2, h, 1])``.
* :func:`digits`: scikit-learn's bundled handwritten digits (1,797 images of 8×8 pixels,
  values scaled to ``[0, 1]``), split by a fixed seed into 1,500 for training and 297 held out.
  Needs the ``data`` extra (``pip install "pathgrad[data]"``).
* :func:`load_mnist_idx`: MNIST (or any IDX-format) images and labels that you have on disk,
  gzipped or raw. Nothing is downloaded.

Equation: none; these are the examples ``(x, y)`` whose cost the equations differentiate.

>>> import pathgrad as pg
>>> pairs = pg.data.xor()
>>> len(pairs), pairs[3][0].ravel(), pairs[3][1].ravel()
(4, array([1., 1.]), array([0.]))
>>> pg.data.one_hot(3, n=4).ravel()
array([0., 0., 0., 1.])
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from typing import IO, Any

import numpy as np

from ..support.arguments import whole_number
from ..support.errors import PathgradFileNotFoundError, PathgradImportError, PathgradValueError
from ..support.limits import DEFAULT_MAX_BYTES, check_limit, size_text
from ..support.writing import write_file

#: IDX element types: the third byte of the magic number.
_IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def one_hot_rows(labels: np.ndarray, n: int, what: str = "labels") -> np.ndarray:
    """One row per label with a 1 in column ``label`` and 0 elsewhere (labels 0..n-1)."""
    labels = np.asarray(labels).reshape(-1)
    if labels.size and (labels.min() < 0 or labels.max() >= n):
        bad = labels[(labels < 0) | (labels >= n)][0]
        raise PathgradValueError(
            f"{what}: label {bad} out of range; with {n} outputs the labels are 0..{n - 1}"
        )
    rows = np.zeros((labels.size, n))
    rows[np.arange(labels.size), labels.astype(np.int64)] = 1.0
    return rows


def one_hot(label: int, n: int = 10) -> np.ndarray:
    """The ``(n, 1)`` column with a 1 in row ``label`` and 0 elsewhere."""
    return one_hot_rows(np.array([int(label)]), n, "one_hot").T


def as_pairs(
    X: np.ndarray, labels: np.ndarray, one_hot_targets: bool = True, n_classes: int = 10
) -> list:
    """Rows of ``X`` and their labels as Nielsen-style ``(x, y)`` pairs of columns.

    ``one_hot_targets=True`` (training data) gives ``y`` as a one-hot column; ``False`` (test
    data) keeps the whole-number label.
    """
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels)
    if X.ndim != 2 or labels.shape != (X.shape[0],):
        raise PathgradValueError(
            f"as_pairs needs X of shape (n, features) and n labels; got {X.shape} and "
            f"{labels.shape}"
        )
    pairs = []
    for x, label in zip(X, labels, strict=True):
        y = one_hot(int(label), n_classes) if one_hot_targets else int(label)
        pairs.append((x.reshape(-1, 1), y))
    return pairs


def xor() -> list:
    """The four XOR examples as ``(x, y)`` pairs: ``x`` is ``(2, 1)``, ``y`` is ``(1, 1)``."""
    return [
        (np.array([[a], [b]], dtype=float), np.array([[float(a ^ b)]]))
        for a in (0, 1)
        for b in (0, 1)
    ]


def digits(test_size: int = 297, seed: int = 0, arrays: bool = False) -> tuple[Any, Any]:
    """scikit-learn's 8×8 digits as ``(training_data, test_data)``, pixels scaled to [0, 1].

    The 1,797 images are shuffled with ``seed`` and the last ``test_size`` held out. Training
    pairs have one-hot ``(10, 1)`` targets, test pairs whole-number labels; with
    ``arrays=True`` each part is ``(X, labels)`` with one image per row of ``X``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise PathgradImportError(
            "pathgrad.data.digits needs scikit-learn, which bundles the digits: "
            'pip install "pathgrad[data]"'
        ) from None
    bunch = load_digits()
    X = bunch.data.astype(float) / 16.0
    labels = bunch.target.astype(np.int64)
    n = len(labels)
    whole_number(test_size, "test_size", least=1, most=n - 1)
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[: n - test_size], order[n - test_size :]
    if arrays:
        return (X[train], labels[train]), (X[test], labels[test])
    return as_pairs(X[train], labels[train]), as_pairs(X[test], labels[test], False)


def read_idx(path: str | os.PathLike, max_bytes: int | None = DEFAULT_MAX_BYTES) -> np.ndarray:
    """The array stored in an IDX file (gzipped or raw), with the shape its header gives.

    The header is read first and checked against ``max_bytes`` and against the file before
    the data are read: a header that promises more than the file holds, or a gzip stream that
    inflates to more than the header promises, is refused having read at most one byte past
    what the header says.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        folder = " (it is a folder)" if os.path.isdir(path) else ""
        raise PathgradFileNotFoundError(
            f"no such file: {path!r}{folder}; give the path of an IDX file you have on disk "
            "(pathgrad downloads nothing)"
        )
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        try:
            if compressed:
                with gzip.GzipFile(fileobj=raw) as stream:
                    return _read_idx(stream, path, None, max_bytes)
            return _read_idx(raw, path, os.path.getsize(path), max_bytes)
        except (OSError, EOFError, zlib.error) as error:
            raise PathgradValueError(
                f"{path}: a damaged or truncated gzip file ({error})"
            ) from None


def _read_idx(stream: gzip.GzipFile | IO[bytes], path: str, file_size: int | None,
              max_bytes: int | None) -> np.ndarray:
    magic = stream.read(4)
    if len(magic) < 4:
        raise PathgradValueError(
            f"{path}: too short for an IDX file ({len(magic)} bytes, header needs 4)"
        )
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_TYPES or magic[3] == 0:
        raise PathgradValueError(
            f"{path}: wrong magic number 0x{magic.hex()}; an IDX file starts with two zero "
            "bytes, a type byte (0x08 for unsigned bytes) and the number of dimensions "
            "(MNIST images: 0x00000803, labels: 0x00000801)"
        )
    dtype, ndim = _IDX_TYPES[magic[2]], magic[3]
    header = 4 + 4 * ndim
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise PathgradValueError(f"{path}: truncated header: {ndim} dimensions need {header} bytes")
    shape = struct.unpack(f">{ndim}I", dims)
    expected = math.prod(shape) * dtype.itemsize
    check_limit(
        expected, max_bytes, "max_bytes",
        f"{path}: its header gives shape {shape}, {size_text(expected)} of data",
        "Check that it is the file you meant",
    )
    held = None if file_size is None else file_size - header
    if held is None or held == expected:
        data = _read_at_most(stream, expected)
        held = len(data) + len(stream.read(1))
    if held != expected:
        word = "truncated" if held < expected else "longer than its header says"
        more = "" if held < expected else " or more"
        raise PathgradValueError(
            f"{path}: {word}: the header gives shape {shape} ({expected} bytes of data) but the "
            f"file holds {held}{more} bytes after the header"
        )
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def _read_at_most(stream: gzip.GzipFile | IO[bytes], size: int, chunk: int = 2**24) -> bytearray:
    """Up to ``size`` bytes, read a chunk at a time: memory follows what the file really
    holds, not what its header promises."""
    data = bytearray()
    while len(data) < size:
        part = stream.read(min(chunk, size - len(data)))
        if not part:
            break
        data += part
    return data


def load_mnist_idx(
    images_path: str | os.PathLike,
    labels_path: str | os.PathLike,
    arrays: bool = False,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Any:
    """MNIST-style images and labels from IDX files, pixels scaled to [0, 1].

    Returns Nielsen-style training pairs (``x`` an ``(rows·cols, 1)`` column, ``y`` one-hot),
    or ``(X, labels)`` with ``arrays=True``. The files, and the pixels as floats (8 bytes
    each: 376 MB for MNIST's 60,000 training images), must fit ``max_bytes``.
    """
    images = read_idx(images_path, max_bytes)
    labels = read_idx(labels_path, max_bytes)
    if images.ndim != 3:
        raise PathgradValueError(
            f"{images_path}: expected images of shape (n, rows, cols), got {images.shape}"
        )
    if labels.ndim != 1:
        raise PathgradValueError(
            f"{labels_path}: expected labels of shape (n,), got {labels.shape}"
        )
    if images.shape[0] != labels.shape[0]:
        raise PathgradValueError(
            f"shape mismatch: {images.shape[0]} images in {images_path} but {labels.shape[0]} "
            f"labels in {labels_path}"
        )
    check_limit(
        8 * images.size, max_bytes, "max_bytes",
        f"{images_path}: {images.size:,} pixels take {size_text(8 * images.size)} as floats",
        "Use fewer images",
    )
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    X = images.reshape(images.shape[0], -1).astype(float) / scale
    y = labels.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() > 9):
        raise PathgradValueError(
            f"{labels_path}: labels must be digits 0..9, found {y.min()}..{y.max()}"
        )
    return (X, y) if arrays else as_pairs(X, y)


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` (uint8) as an IDX file; gzipped when ``path`` ends in ``.gz``."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise PathgradValueError(
            "write_idx writes unsigned bytes only: convert with .astype(np.uint8)"
        )
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    payload = header + array.tobytes()
    write_file(path, gzip.compress(payload) if os.fspath(path).endswith(".gz") else payload)
