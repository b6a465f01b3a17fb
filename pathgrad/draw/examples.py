"""Small book-named graphs to draw: a sigmoid network at three levels, and one neuron.

These are built from :class:`~pathgrad.value.Value` and :class:`~pathgrad.value.Op` only, so the
pictures can be made (and tested) from the graph alone. At the *neuron* level one operation
makes ``a^l_j = σ(Σ_k w^l_jk a^{l-1}_k + b^l_j)`` with the rate factors of equation 53
(``σ'(z) a_k`` to a weight, ``σ'(z) w_jk`` to an activation, ``σ'(z)`` to the bias); at the *z*
level ``z^l_j`` is a node between them; at the *ops* level every product and sum is a node.
The cost is the quadratic ``C = ½ Σ_j (a^L_j - y_j)²``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from ..graph import Graph
from ..value import Op, Value, _sigmoid


def _neuron_fn(*xs: float) -> float:
    n = (len(xs) - 1) // 2
    return _sigmoid(sum(w * a for w, a in zip(xs[:n], xs[n : 2 * n], strict=True)) + xs[-1])


def _neuron_partials(*xs: float) -> tuple[float, ...]:
    n = (len(xs) - 1) // 2
    s = _sigmoid(sum(w * a for w, a in zip(xs[:n], xs[n : 2 * n], strict=True)) + xs[-1])
    slope = s * (1.0 - s)
    return tuple(slope * a for a in xs[n : 2 * n]) + tuple(slope * w for w in xs[:n]) + (slope,)


def _weighted_input_partials(*xs: float) -> tuple[float, ...]:
    n = (len(xs) - 1) // 2
    return tuple(xs[n : 2 * n]) + tuple(xs[:n]) + (1.0,)


NEURON = Op("neuron", _neuron_fn, _neuron_partials)


def _weighted_input_fn(*xs: float) -> float:
    n = (len(xs) - 1) // 2
    return sum(w * a for w, a in zip(xs[:n], xs[n : 2 * n], strict=True)) + xs[-1]


WEIGHTED_INPUT = Op("weighted_input", _weighted_input_fn, _weighted_input_partials)


def _quadratic(ys: Sequence[float]) -> Op:
    return Op(
        "quadratic_cost",
        lambda *a: 0.5 * math.fsum((ai - yi) ** 2 for ai, yi in zip(a, ys, strict=True)),
        lambda *a: tuple(ai - yi for ai, yi in zip(a, ys, strict=True)),
    )


def book_network(
    sizes: Sequence[int] = (2, 3, 2),
    level: str = "neuron",
    seed: int = 1,
    x: Sequence[float] | None = None,
    y: Sequence[float] | None = None,
) -> Graph:
    """The graph of a sigmoid network with quadratic cost, nodes named as in the book."""
    if level not in ("neuron", "z", "ops"):
        raise ValueError(f"level must be 'neuron', 'z' or 'ops', got {level!r}")
    rng = random.Random(seed)
    x = list(x) if x is not None else [round(rng.uniform(0, 1), 2) for _ in range(sizes[0])]
    y = list(y) if y is not None else [1.0] + [0.0] * (sizes[-1] - 1)
    layer = [Value(xi, name=f"a^1_{k}") for k, xi in enumerate(x, 1)]
    for layer_number, n in enumerate(sizes[1:], 2):
        following = []
        for j in range(1, n + 1):
            ws = [
                Value(rng.gauss(0, 1), name=f"w^{layer_number}_{j}{k}")
                for k in range(1, len(layer) + 1)
            ]
            b = Value(rng.gauss(0, 1), name=f"b^{layer_number}_{j}")
            following.append(_neuron(level, f"{layer_number}_{j}", ws, layer, b))
        layer = following
    cost = _quadratic(y)(*layer, name="C")
    return Graph(cost)


def _neuron(level: str, where: str, ws: list[Value], inputs: list[Value], b: Value) -> Value:
    if level == "neuron":
        return NEURON(*ws, *inputs, b, name=f"a^{where}")
    if level == "z":
        z = WEIGHTED_INPUT(*ws, *inputs, b, name=f"z^{where}")
    else:
        z = ws[0] * inputs[0]
        for w, a in zip(ws[1:], inputs[1:], strict=True):
            z = z + w * a
        z = z + b
        z.name = f"z^{where}"
    a = z.sigmoid()
    a.name = f"a^{where}"
    return a


def sigmoid_neuron() -> Graph:
    """One sigmoid neuron with two inputs and quadratic cost, every elementary operation a node.

    ``C = ½ (σ(w^2_11 a^1_1 + w^2_12 a^1_2 + b^2_1) - y)²`` with ``y = 1``.
    """
    a1, a2 = Value(0.5, name="a^1_1"), Value(0.9, name="a^1_2")
    w1, w2, b = Value(0.8, name="w^2_11"), Value(-0.4, name="w^2_12"), Value(0.1, name="b^2_1")
    z = w1 * a1 + w2 * a2 + b
    z.name = "z^2_1"
    a = z.sigmoid()
    a.name = "a^2_1"
    cost = 0.5 * (a - 1.0) ** 2
    cost.name = "C"
    return Graph(cost)
