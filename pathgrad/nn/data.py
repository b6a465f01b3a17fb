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
"""

from __future__ import annotations

import gzip
import os
from typing import Any

import numpy as np

from ..arguments import whole_number
from ..errors import PathgradFileNotFoundError, PathgradImportError, PathgradValueError

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


def _open_bytes(path: str | os.PathLike) -> bytes:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise PathgradFileNotFoundError(
            f"no such file: {path!r}; give the path of an IDX file you have on disk "
            "(pathgrad downloads nothing)"
        )
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise PathgradValueError(
                f"{path}: a damaged or truncated gzip file ({error})"
            ) from None
    return raw


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in an IDX file (gzipped or raw), with the shape its header gives."""
    raw = _open_bytes(path)
    if len(raw) < 4:
        raise PathgradValueError(
            f"{path}: too short for an IDX file ({len(raw)} bytes, header needs 4)"
        )
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise PathgradValueError(
            f"{path}: wrong magic number 0x{raw[:4].hex()}; an IDX file starts with two zero "
            "bytes, a type byte (0x08 for unsigned bytes) and the number of dimensions "
            "(MNIST images: 0x00000803, labels: 0x00000801)"
        )
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise PathgradValueError(f"{path}: truncated header: {ndim} dimensions need {header} bytes")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        word = "truncated" if len(raw) - header < expected else "longer than its header says"
        raise PathgradValueError(
            f"{path}: {word}: the header gives shape {shape} ({expected} bytes of data) but the "
            f"file holds {len(raw) - header} bytes after the header"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def load_mnist_idx(
    images_path: str | os.PathLike, labels_path: str | os.PathLike, arrays: bool = False
) -> Any:
    """MNIST-style images and labels from IDX files, pixels scaled to [0, 1].

    Returns Nielsen-style training pairs (``x`` an ``(rows·cols, 1)`` column, ``y`` one-hot),
    or ``(X, labels)`` with ``arrays=True``.
    """
    images = read_idx(images_path)
    labels = read_idx(labels_path)
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
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as handle:
        handle.write(payload)
