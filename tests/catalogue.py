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
    # A float constant on either side takes the arithmetic fast paths of Value, an int one the
    # general path through Op: both must store the right rate factor.
    Entry("addc", 1, lambda x: x + 0.25, lambda x: x + 0.25),
    Entry("radd", 1, lambda x: 1.5 + x, lambda x: 1.5 + x),
    Entry("mulc", 1, lambda x: x * -1.5, lambda x: x * -1.5),
    Entry("rsub", 1, lambda x: 2.0 - x, lambda x: 2.0 - x),
    Entry("divc", 1, lambda x: x / 4.0, lambda x: x / 4.0),
    Entry("powc", 1, lambda x: x**2.5, lambda x: x**2.5, lambda x: 0.1 < x < 5),
    Entry("int_affine", 1, lambda x: 3 - 2 * (x + 1), lambda x: 3 - 2 * (x + 1)),
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
    # At least half of max_ops: with st.integers(1, max_ops) and operands drawn blindly, nearly
    # half the graphs held one operation or none (sqrt, pow and log were mostly rejected).
    for _ in range(draw(st.integers(max(1, max_ops // 2), max_ops))):
        entry = draw(st.sampled_from(CATALOGUE))
        # Operands are drawn among the nodes in the operation's domain, so that restricted
        # operations (sqrt, log, pow, div) are applied about as often as the others. Recent
        # nodes are favoured so graphs grow deep, while any earlier node may be reused.
        where: tuple[int, ...] = ()
        for _ in range(entry.arity):
            fits = [
                i for i in range(len(nodes))
                if _can_extend(entry, [nodes[j].data for j in where], nodes[i].data, nodes)
            ]
            if not fits:
                break
            recent = fits[-4:]
            where += (draw(st.sampled_from(recent) | st.sampled_from(fits)),)
        if len(where) < entry.arity:
            continue
        operands = [nodes[i] for i in where]
        result = entry.apply(*operands)
        if abs(result.data) > 1e3:
            continue
        nodes.append(result)
        recipe.append((entry.name, where))
    # Tie every leaf into the output so the graph has several inputs sharing paths.
    last = accumulated = len(nodes) - 1
    # And every other result nothing uses, so that no drawn operation is a dead end left
    # out of the graph.
    used = {i for _, where in recipe for i in where}
    for i in range(n_leaves, last):
        if i not in used:
            nodes.append(nodes[accumulated] + nodes[i])
            recipe.append(("add", (accumulated, i)))
            accumulated = len(nodes) - 1
    for i in range(n_leaves):
        nodes.append(nodes[i] * nodes[last])
        recipe.append(("mul", (i, last)))
        product = len(nodes) - 1
        nodes.append(nodes[accumulated] + nodes[product])
        recipe.append(("add", (accumulated, product)))
        accumulated = len(nodes) - 1
    return RandomGraph(leaves, nodes[accumulated], recipe)


def _can_extend(entry: Entry, chosen: list[float], x: float, nodes) -> bool:
    """Whether operand value ``x`` after ``chosen`` can still complete a call in the domain."""
    operands = [*chosen, x]
    if len(operands) == entry.arity:
        return entry.domain(*operands)
    return any(_can_extend(entry, operands, n.data, nodes) for n in nodes)


def close(a: float, b: float, rel: float, scale: float = 1.0) -> bool:
    """``|a - b| <= rel * max(|a|, |b|, scale)``: relative, with a floor for values near 0."""
    return abs(a - b) <= rel * max(abs(a), abs(b), scale)


def finite(x: float) -> bool:
    return math.isfinite(x)
