"""Saving a :class:`~pathgrad.network.Network` to ``.npz`` and loading it back, without pickle.

The file holds plain arrays only: ``format`` (a version string), ``sizes``, ``cost`` (its
name), ``activations`` (one name per neuron after the input layer, in order) and ``w2``,
``b2``, ``w3``, ``b3``, ... in Nielsen's shapes. :func:`load` opens it with
``allow_pickle=False``, so a file can never run code, and checks every array's presence, type
and shape, naming what is wrong. User-defined activations are saved by name; pass them to
:func:`load` as ``activations={"name": Activation(...)}``.
"""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from .activations import ACTIVATIONS, Activation, LayerActivation
from .costs import COSTS

FORMAT = "pathgrad-network-1"


def save(net: Any, path: str | os.PathLike) -> None:
    """Write ``net`` to ``path`` (numpy adds ``.npz`` if the name lacks it)."""
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
    np.savez(path, **arrays)


def _bad(path: Any, problem: str) -> ValueError:
    return ValueError(f"{path}: not a pathgrad network file: {problem}")


def _get(files: Any, key: str, path: Any) -> np.ndarray:
    if key not in files.files:
        raise _bad(path, f"the array {key!r} is missing")
    try:
        return files[key]
    except ValueError as error:  # an object array would need pickle
        raise _bad(path, f"the array {key!r} cannot be read without pickle ({error})") from None


def load(path: str | os.PathLike, activations: dict[str, Activation] | None = None) -> Any:
    """The network saved at ``path``; raises ValueError naming the problem if malformed."""
    from .network import Network

    known = dict(ACTIVATIONS)
    known.update(activations or {})
    path = os.fspath(path)
    if not os.path.exists(path) and os.path.exists(path + ".npz"):
        path += ".npz"  # save() let numpy add the suffix
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path!r}")
    try:
        files = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise _bad(path, f"numpy cannot read it as .npz ({error})") from None
    if not hasattr(files, "files"):
        raise _bad(path, "it holds a single array, not an .npz archive")
    with files:
        if str(_get(files, "format", path)) != FORMAT:
            raise _bad(path, f"unknown format tag (expected {FORMAT!r})")
        sizes = _get(files, "sizes", path)
        if sizes.ndim != 1 or sizes.dtype.kind not in "iu" or len(sizes) < 2 or sizes.min() < 1:
            raise _bad(path, f"'sizes' must be at least two positive whole numbers, got {sizes}")
        sizes = [int(n) for n in sizes]
        cost = str(_get(files, "cost", path))
        if cost not in COSTS:
            raise _bad(path, f"unknown cost {cost!r}")
        names = [str(n) for n in _get(files, "activations", path).reshape(-1)]
        if len(names) != sum(sizes[1:]):
            raise _bad(path, f"{len(names)} activation names for {sum(sizes[1:])} neurons")
        missing = sorted(set(names) - set(known))
        if missing:
            raise ValueError(
                f"{path}: activations {missing} are not built in; pass them to load as "
                "activations={name: Activation(name, f, f_prime)}"
            )
        net = Network(sizes, cost=cost)
        start = 0
        for i, n in enumerate(sizes[1:]):
            net.layers[i] = LayerActivation([known[name] for name in names[start : start + n]])
            start += n
        for l in range(2, len(sizes) + 1):  # noqa: E741
            net.weights[l - 2] = _parameter(files, f"w{l}", (sizes[l - 1], sizes[l - 2]), path)
            net.biases[l - 2] = _parameter(files, f"b{l}", (sizes[l - 1], 1), path)
    return net


def _parameter(files: Any, key: str, shape: tuple[int, int], path: Any) -> np.ndarray:
    array = _get(files, key, path)
    if array.shape != shape or array.dtype.kind != "f":
        raise _bad(path, f"{key!r} must be a float array of shape {shape}, got {array.dtype} "
                         f"{array.shape}")
    if not np.all(np.isfinite(array)):
        raise _bad(path, f"{key!r} contains NaN or infinity")
    return np.array(array, dtype=float)
