"""One catalogue of operations drives every derivative test.

Each entry says how pathgrad applies the operation, how HIPS autograd (an independent autodiff
library) applies it, and which operand values are in its domain. Random expression graphs for
the property tests are drawn from this catalogue, and the same graphs are replayed in autograd.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import autograd.numpy as anp
from hypothesis import strategies as st

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
]
BY_NAME = {entry.name: entry for entry in CATALOGUE}


@dataclass
class RandomGraph:
    """A random expression DAG and a recipe to rebuild it in autograd."""

    leaves: list[pg.Value]
    output: pg.Value
    recipe: list[tuple[str, tuple[int, ...]]]  # (entry name, operand positions) per new node

    def replay(self, leaf_values):
        values = [leaf_values[i] for i in range(len(self.leaves))]
        for name, where in self.recipe:
            values.append(BY_NAME[name].reference(*(values[i] for i in where)))
        return values[-1]


@st.composite
def random_graphs(draw, max_leaves: int = 4, max_ops: int = 14) -> RandomGraph:
    """Expression DAGs with shared subexpressions, reuse (``x*x``) and every catalogue op."""
    n_leaves = draw(st.integers(1, max_leaves))
    leaf_values = draw(
        st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=n_leaves, max_size=n_leaves)
    )
    leaves = [pg.Value(v, name=f"x{i + 1}") for i, v in enumerate(leaf_values)]
    nodes: list[pg.Value] = list(leaves)
    recipe: list[tuple[str, tuple[int, ...]]] = []
    for _ in range(draw(st.integers(1, max_ops))):
        entry = draw(st.sampled_from(CATALOGUE))
        # Favour recent nodes so graphs grow deep, while any earlier node may be reused.
        recent = st.integers(max(0, len(nodes) - 4), len(nodes) - 1)
        where = tuple(
            draw(recent | st.integers(0, len(nodes) - 1)) for _ in range(entry.arity)
        )
        operands = [nodes[i] for i in where]
        if not entry.domain(*(x.data for x in operands)):
            continue
        result = entry.apply(*operands)
        if abs(result.data) > 1e3:
            continue
        nodes.append(result)
        recipe.append((entry.name, where))
    # Tie every leaf into the output so the graph has several inputs sharing paths.
    last = accumulated = len(nodes) - 1
    for i in range(n_leaves):
        nodes.append(nodes[i] * nodes[last])
        recipe.append(("mul", (i, last)))
        product = len(nodes) - 1
        nodes.append(nodes[accumulated] + nodes[product])
        recipe.append(("add", (accumulated, product)))
        accumulated = len(nodes) - 1
    return RandomGraph(leaves, nodes[accumulated], recipe)


def close(a: float, b: float, rel: float, scale: float = 1.0) -> bool:
    """``|a - b| <= rel * max(|a|, |b|, scale)``: relative, with a floor for values near 0."""
    return abs(a - b) <= rel * max(abs(a), abs(b), scale)


def finite(x: float) -> bool:
    return math.isfinite(x)
