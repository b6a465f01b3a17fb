"""The true change in ``C`` for each nudge the explorer's slider can make.

The page predicts ``ΔC ≈ (∂C/∂v)·Δv`` by a forward sweep over the stored rate factors
(equations 47-50). To show how good that linear prediction is, it also needs the *true*
``ΔC = C(v + Δv) − C(v)``, which takes the graph's own operations. Python works it out here
for every slider position and the page only looks it up.

Nudging ``v`` only changes the nodes ``v`` reaches, so only those are recomputed, each from
its operation and operands; a node given a new value keeps it whatever its operands are (the
book's demon nudging ``z``), as in :meth:`pathgrad.Graph.values_at`. A position where some
operation is undefined (``log`` of a negative number, an overflow) has no true ``ΔC``.

Slider positions run over ``0, ±0.01, ±0.02, ±0.05, ..., ±1`` times ``scale``, so the
page shows the gap between prediction and truth shrinking like ``Δv²``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple, cast

from ...graph import Graph
from ...value import Op, Value

STEPS_PER_DECADE = (1.0, 2.0, 5.0)
DECADES = (-2, -1)
#: Operand values read, in all, before the slider stops offering more nodes (about 0.4 s).
DEFAULT_BUDGET = 6_000_000


def nudge_steps(scale: float = 1.0) -> list[float]:
    """The slider's positions: ``-scale .. 0 .. scale`` on a 1-2-5 scale from 0.01·scale."""
    positive = [m * 10.0**d * scale for d in DECADES for m in STEPS_PER_DECADE] + [scale]
    return [-s for s in reversed(positive)] + [0.0] + positive


def evaluation_cost(graph: Graph, position: int) -> int:
    """How many operand values one re-evaluation after nudging ``graph.nodes[position]`` reads."""
    nodes = graph.nodes
    return sum(len(nodes[i].operands) for i in graph.reached_from(position)[1:])


def true_changes(graph: Graph, position: int, steps: Sequence[float]) -> list[float | None]:
    """``C(v + Δ) − C(v)`` for each ``Δ`` in ``steps``, ``v = graph.nodes[position]``.

    Both values are recomputed the same way, so the change at ``Δ = 0`` is exactly 0. None
    marks a nudge where the graph is undefined.
    """
    plan = _plan(graph, position)
    base = graph.nodes[position].data
    start = _cost_at(plan, position, base)
    changes: list[float | None] = []
    for step in steps:
        moved = _cost_at(plan, position, base + step)
        changes.append(None if moved is None or start is None else moved - start)
    return changes


class _Step(NamedTuple):
    """One node to recompute: its position, its operation, and for each operand the position
    it is read from (-1 for a constant) with its value before the nudge."""

    position: int
    op: Op
    operands: list[tuple[int, float]]


def _plan(graph: Graph, position: int) -> list[_Step]:
    """The nodes a nudge at ``position`` reaches, in order, with their operands looked up once.

    Every node reached from another has parents, so an operation.
    """
    nodes, index = graph.nodes, graph.index
    plan = []
    for i in graph.reached_from(position)[1:]:
        node = nodes[i]
        operands = [
            (index[x], x.data) if isinstance(x, Value) else (-1, x) for x in node.operands
        ]
        plan.append(_Step(i, cast(Op, node.op), operands))
    return plan


def _cost_at(plan: list[_Step], position: int, value: float) -> float | None:
    """The output's value with ``graph.nodes[position]`` set to ``value`` (None: undefined)."""
    if not math.isfinite(value):
        return None
    new = {position: value}
    for step in plan:
        result = _apply(step.op, [new.get(j, x) for j, x in step.operands])
        if result is None:
            return None
        new[step.position] = result
    return new[plan[-1].position] if plan else value  # the last node reached is C


def _apply(op: Op, xs: list[float]) -> float | None:
    if op.check is not None and op.check(*xs):
        return None
    try:
        result = op.fn(*xs)
    except (ArithmeticError, ValueError):
        return None
    if isinstance(result, complex) or not math.isfinite(result):
        return None
    return float(result)


def choose_nudged(graph: Graph, adjoint: Sequence[float], budget: int) -> tuple[list[int], int]:
    """The positions the slider offers, and how many nodes could have been offered.

    Every node but ``C`` can be nudged. When re-evaluating them all on every slider position
    would read more than ``budget`` operand values, the nodes with the largest
    ``|∂C/∂node|`` come first, leaves (inputs, weights, biases) before inner nodes.
    """
    candidates = list(range(len(graph.nodes) - 1))
    per_position = len(nudge_steps()) + 1
    ranked = sorted(candidates, key=lambda i: (graph.nodes[i].op is not None, -abs(adjoint[i]), i))
    chosen: list[int] = []
    spent = 0
    for i in ranked:
        cost = evaluation_cost(graph, i) * per_position
        if spent + cost > budget:
            break
        chosen.append(i)
        spent += cost
    return sorted(chosen), len(candidates)
