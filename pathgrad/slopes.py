"""The sigmoid and the slopes σ'(z) and tanh'(z), exact in saturation, each written once.

Saturation is a lesson of the chapter: a neuron whose weighted input ``z`` is far from 0
learns slowly because its slope σ'(z) is tiny, and the tiny number is the point. The textbook
forms ``σ(z)(1 - σ(z))`` and ``1 - tanh²(z)`` subtract two nearly equal numbers there and keep
few correct digits: at ``z = 30`` σ(z)(1 - σ(z)) is off by 1e-3 relative, and from ``z = 38``
it is 0 instead of 3·10⁻¹⁷. Written with ``e = e^{-|z|}`` instead,

* ``σ'(z) = e / (1 + e)²``,
* ``tanh'(z) = 4 σ'(2z)`` (that is ``sech² z``),
* ``σ(z) = 1 / (1 + e)`` for ``z ≥ 0`` and ``e / (1 + e)`` for ``z < 0``,

every step is a product, a quotient or a sum of positive numbers, so each result is within a
few units in the last place of the true value for every finite ``z``, until it falls below the
smallest float (σ'(z) for ``|z| > 708``, tanh'(z) for ``|z| > 354``, where it becomes a
subnormal number and then 0).

Each function is written once and serves Python floats (``Value.sigmoid`` and ``Value.tanh``
in :mod:`pathgrad.value`) and numpy arrays (the activations and the matrix engine of
:mod:`pathgrad.nn`) alike: the array forms below pass numpy's ``exp``, ``abs`` and ``where``.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np


def _where(condition: bool, if_true: float, if_false: float) -> float:
    return if_true if condition else if_false


def sigmoid(z: Any, exp: Any = math.exp, absolute: Any = abs, where: Any = _where) -> Any:
    """``σ(z) = 1 / (1 + e^{-z})``, with full relative precision on both sides of 0."""
    e = exp(-absolute(z))
    return where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_prime(z: Any, exp: Any = math.exp, absolute: Any = abs) -> Any:
    """``σ'(z) = e^{-|z|} / (1 + e^{-|z|})²``: the sigmoid's slope, exact in saturation."""
    e = exp(-absolute(z))
    return e / ((1.0 + e) * (1.0 + e))


def tanh_prime(z: Any, exp: Any = math.exp, absolute: Any = abs) -> Any:
    """``tanh'(z) = 1 - tanh² z = 4 σ'(2z)``, exact in saturation."""
    return 4.0 * sigmoid_prime(2.0 * z, exp, absolute)


# The same functions over numpy arrays, elementwise.
sigmoid_array = partial(sigmoid, exp=np.exp, absolute=np.abs, where=np.where)
sigmoid_prime_array = partial(sigmoid_prime, exp=np.exp, absolute=np.abs)
tanh_prime_array = partial(tanh_prime, exp=np.exp, absolute=np.abs)
