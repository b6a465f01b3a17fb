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

import os
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import PathgradFileNotFoundError, PathgradValueError
from .activations import ACTIVATIONS, Activation, LayerActivation
from .losses import COSTS, Cost

FORMAT = "pathgrad-network-1"


@dataclass
class NetworkArrays:
    """Everything a network file holds: sizes, cost, activations and parameters (Nielsen's
    layout: ``weights[l-2]`` is ``(n_l, n_{l-1})``, ``biases[l-2]`` is ``(n_l, 1)``)."""

    sizes: list[int]
    cost: Cost
    layers: list[LayerActivation]
    weights: list[np.ndarray]
    biases: list[np.ndarray]


def write(path: str | os.PathLike, net: NetworkArrays) -> None:
    """Write ``net``'s arrays to ``path`` (numpy adds ``.npz`` if the name lacks it)."""
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
    np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds poorly


def _bad(path: Any, problem: str) -> PathgradValueError:
    return PathgradValueError(f"{path}: not a pathgrad network file: {problem}")


def _get(files: Any, key: str, path: Any) -> np.ndarray:
    if key not in files.files:
        raise _bad(path, f"the array {key!r} is missing")
    try:
        return files[key]
    except ValueError as error:  # an object array would need pickle
        raise _bad(path, f"the array {key!r} cannot be read without pickle ({error})") from None


def read(
    path: str | os.PathLike, activations: dict[str, Activation] | None = None
) -> NetworkArrays:
    """The arrays saved at ``path``, every one checked; a malformed file raises
    :class:`~pathgrad.errors.PathgradValueError` naming the problem."""
    known = dict(ACTIVATIONS)
    known.update(activations or {})
    path = os.fspath(path)
    if not os.path.exists(path) and os.path.exists(path + ".npz"):
        path += ".npz"  # save() let numpy add the suffix
    if not os.path.exists(path):
        raise PathgradFileNotFoundError(f"no such file: {path!r}")
    try:
        files = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise _bad(path, f"numpy cannot read it as .npz ({error})") from None
    if not hasattr(files, "files"):
        raise _bad(path, "it holds a single array, not an .npz archive")
    with files:
        if str(_get(files, "format", path)) != FORMAT:
            raise _bad(path, f"unknown format tag (expected {FORMAT!r})")
        stored = _get(files, "sizes", path)
        if stored.ndim != 1 or stored.dtype.kind not in "iu" or len(stored) < 2 or stored.min() < 1:
            raise _bad(path, f"'sizes' must be at least two positive whole numbers, got {stored}")
        sizes = [int(n) for n in stored]
        cost = str(_get(files, "cost", path))
        if cost not in COSTS:
            raise _bad(path, f"unknown cost {cost!r}")
        names = [str(n) for n in _get(files, "activations", path).reshape(-1)]
        if len(names) != sum(sizes[1:]):
            raise _bad(path, f"{len(names)} activation names for {sum(sizes[1:])} neurons")
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
            weights.append(_parameter(files, f"w{l}", (sizes[l - 1], sizes[l - 2]), path))
            biases.append(_parameter(files, f"b{l}", (sizes[l - 1], 1), path))
    return NetworkArrays(sizes, COSTS[cost], layers, weights, biases)


def _parameter(files: Any, key: str, shape: tuple[int, int], path: Any) -> np.ndarray:
    array = _get(files, key, path)
    if array.shape != shape or array.dtype.kind != "f":
        raise _bad(path, f"{key!r} must be a float array of shape {shape}, got {array.dtype} "
                         f"{array.shape}")
    if not np.all(np.isfinite(array)):
        raise _bad(path, f"{key!r} contains NaN or infinity")
    return np.array(array, dtype=float)
