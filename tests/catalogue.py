"""One catalogue of operations drives every derivative test.

Each entry says how pathgrad applies the operation, how HIPS autograd (an independent autodiff
library) applies it, and which operand values are in its domain. Random expression graphs for
the property tests are drawn from this catalogue (:func:`tests.strategies.random_graphs`), and
the same graphs are replayed in autograd.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import autograd.numpy as anp

import pathgrad as pg


@dataclass(frozen=True)
class Entry:
    name: str
    arity: int
    apply: Callable[..., pg.Value]
    reference: Callable[..., object]
    domain: Callable[..., bool] = lambda *xs: True


def _sigmoid(x):
    return 1.0 / (1.0 + anp.exp(-x))


CATALOGUE = [
    Entry("add", 2, lambda x, y: x + y, lambda x, y: x + y),
    Entry("sub", 2, lambda x, y: x - y, lambda x, y: x - y),
    Entry("mul", 2, lambda x, y: x * y, lambda x, y: x * y),
    Entry("div", 2, lambda x, y: x / y, lambda x, y: x / y, lambda x, y: abs(y) > 0.1),
    Entry("neg", 1, lambda x: -x, lambda x: -x),
    Entry("square", 1, lambda x: x**2, lambda x: x**2),
    Entry("cube", 1, lambda x: x**3, lambda x: x**3),
    Entry("sqrt", 1, lambda x: x**0.5, lambda x: x**0.5, lambda x: x > 0.1),
    Entry("pow", 2, lambda x, y: x**y, lambda x, y: x**y, lambda x, y: 0.1 < x < 5 and abs(y) < 3),
    Entry("rpow", 1, lambda x: 2.0**x, lambda x: 2.0**x, lambda x: abs(x) < 20),
    Entry("exp", 1, lambda x: x.exp(), anp.exp, lambda x: x < 5),
    Entry("log", 1, lambda x: x.log(), anp.log, lambda x: x > 0.1),
    Entry("sigmoid", 1, lambda x: x.sigmoid(), _sigmoid),
    Entry("tanh", 1, lambda x: x.tanh(), anp.tanh),
    Entry("relu", 1, lambda x: x.relu(), lambda x: anp.maximum(x, 0.0), lambda x: abs(x) > 1e-3),
    Entry("scale", 1, lambda x: 0.5 * x - 1.5, lambda x: 0.5 * x - 1.5),
    Entry("rdiv", 1, lambda x: 1.0 / x, lambda x: 1.0 / x, lambda x: abs(x) > 0.1),
    # A float constant on either side takes the arithmetic fast paths of Value, an int one the
    # general path through Op: both must store the right rate factor.
    Entry("addc", 1, lambda x: x + 0.25, lambda x: x + 0.25),
    Entry("radd", 1, lambda x: 1.5 + x, lambda x: 1.5 + x),
    Entry("mulc", 1, lambda x: x * -1.5, lambda x: x * -1.5),
    Entry("rsub", 1, lambda x: 2.0 - x, lambda x: 2.0 - x),
    Entry("divc", 1, lambda x: x / 4.0, lambda x: x / 4.0),
    Entry("powc", 1, lambda x: x**2.5, lambda x: x**2.5, lambda x: 0.1 < x < 5),
    # The exponents where n·x^(n-1) is easiest to get wrong: 1 (the rate is 1) and 0 (it is 0).
    Entry("pow1", 1, lambda x: x**1.0, lambda x: x**1.0),
    Entry("pow0", 1, lambda x: x**0.0, lambda x: x**0.0, lambda x: x != 0.0),
    Entry("int_affine", 1, lambda x: 3 - 2 * (x + 1), lambda x: 3 - 2 * (x + 1)),
]
BY_NAME = {entry.name: entry for entry in CATALOGUE}
