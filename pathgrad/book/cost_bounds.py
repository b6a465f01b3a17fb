"""Whether a network's cost is surely finite, known from its weights without running the data.

Training stops at the first epoch whose cost is not a finite number, yet working the cost out
takes a pass over every training example. A bound on every activation costs one pass over the
weights instead. With every input ``|x_k| ≤ A``,

    ``|z^l_j| ≤ Σ_k |w^l_jk| A + |b^l_j|``,

and the next layer's bound ``A`` is 1 for a sigmoid or tanh layer and that bound on ``|z|`` for
a ReLU or linear one. If the output bound and the targets stay far below the float range, the
quadratic cost ``½ Σ (a - y)²`` cannot overflow; the cross-entropy, which trains only a
sigmoid output layer and is computed from ``z`` (``softplus(±z) ≤ |z| + ln 2``), cannot either.
Then the cost is certainly finite and need not be computed until someone reads it. Otherwise
(a diverging run, an activation or cost of the user's own) nothing is assumed and the cost must
be computed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import Activation, LayerActivation, linear, relu, sigmoid, tanh
from .losses import Cost, cross_entropy, quadratic

#: Far below the largest float: n² examples × outputs × (2·10^100)² is still finite.
SAFE = 1e100

_BOUNDED: tuple[Activation, ...] = (sigmoid, tanh)
_UNBOUNDED: tuple[Activation, ...] = (relu, linear)


def surely_finite_cost(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    layers: Sequence[LayerActivation],
    cost: Cost,
    input_bound: float,
    target_bound: float,
    lmbda: float = 0.0,
) -> bool:
    """True if the mean cost (plus the L2 term when ``lmbda > 0``) is certainly finite for
    inputs of absolute value at most ``input_bound`` and targets at most ``target_bound``."""
    if cost is not quadratic and cost is not cross_entropy:
        return False
    bound = input_bound
    for w, b, layer in zip(weights, biases, layers):
        kinds = set(layer.per_neuron)
        if not kinds <= set(_BOUNDED + _UNBOUNDED):
            return False
        with np.errstate(over="ignore", invalid="ignore"):  # an infinite bound proves nothing
            z_bound = float(np.max(np.abs(w).sum(axis=1) * bound + np.abs(b[:, 0])))
        if not z_bound < SAFE:  # also False for NaN
            return False
        bound = 1.0 if kinds <= set(_BOUNDED) else max(1.0, z_bound)
    if lmbda and not max(float(np.max(np.abs(w))) for w in weights) < SAFE:
        return False
    return bound < SAFE and target_bound < SAFE
