"""One forward sweep, many questions: summing over paths in a semiring.

Equation 53 adds up, over every path from ``w`` to ``C``, the product of the path's rate
factors. The forward sweep gets that sum without listing the paths because products share
their prefixes: the total at a node is the total at each parent, extended by the edge into
the node, added up over the parents. Nothing in that argument needs ``+`` and ``×`` to be
the ordinary ones. Replace them by any pair that distributes (a *semiring*) and the same
sweep answers another question about the paths:

============  =======================  ===========================  ====================
semiring      the value at a node       extend along edge of rate r  combine two parents
============  =======================  ===========================  ====================
count         number of paths           ``n``                        ``n1 + n2``
sum-product   Σ products (∂node/∂w)     ``s * r``                    ``s1 + s2``
abs mass      Σ |products|              ``m * |r|``                  ``m1 + m2``
max-product   largest |product|         ``m * |r|``                  ``max(m1, m2)``
graded S      S split by path length    ``{L + 1: extend(v, r)}``    merge, adding per L
============  =======================  ===========================  ====================

:func:`pathgrad.sweeps.sweep_forward` and :func:`~pathgrad.sweeps.sweep_backward` are that
single algorithm; this module is the catalogue of semirings it runs over. :func:`product` runs
several semirings in one pass and :func:`graded` splits any of them by the length of the path.
Cost: one ``extend`` and one ``plus`` per edge leaving a node that ``w`` reaches, so linear in
the edges, however many paths there are (about 10^20 from a weight of a ten-layer,
hundred-wide network; Python integers count them exactly).
"""

from __future__ import annotations

import operator
from typing import Any

from ..graph import Graph, as_graph
from ..support.errors import PathgradTypeError
from ..sweeps import SUM_PRODUCT, Semiring, sweep_forward
from ..value import Value

__all__ = [
    "ABS_MASS", "COUNT", "COUNT_AND_LENGTH", "MAX_PRODUCT", "SUM_PRODUCT", "Semiring",
    "forward_sweep", "graded", "product",
]


def _keep(value: Any, rate: float) -> Any:
    return value


def _times_abs(value: float, rate: float) -> float:
    return value * abs(rate)


def _one_edge_longer(value: tuple[int, int], rate: float) -> tuple[int, int]:
    count, total_length = value
    return count, total_length + count


def _add_pairs(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


COUNT = Semiring("count", 1, _keep, operator.add)
ABS_MASS = Semiring("absolute mass", 1.0, _times_abs, operator.add, finite=True)
MAX_PRODUCT = Semiring("max-product", 1.0, _times_abs, max, finite=True)
#: ``(number of paths, sum of their lengths)``: one edge more adds one to every path's length.
COUNT_AND_LENGTH = Semiring("count and total length", (1, 0), _one_edge_longer, _add_pairs)


def product(*semirings: Semiring) -> Semiring:
    """Several semirings at once: values are tuples, one entry per semiring."""
    extends = tuple(s.extend for s in semirings)
    pluses = tuple(s.plus for s in semirings)

    def extend(values: tuple, rate: float) -> tuple:
        return tuple([f(v, rate) for f, v in zip(extends, values, strict=True)])

    def plus(a: tuple, b: tuple) -> tuple:
        return tuple([f(x, y) for f, x, y in zip(pluses, a, b, strict=True)])

    name = " × ".join(s.name for s in semirings)
    return Semiring(name, tuple(s.one for s in semirings), extend, plus)


def graded(semiring: Semiring) -> Semiring:
    """``semiring`` split by path length: values are ``{length: value of the paths that long}``."""
    inner_extend, inner_plus = semiring.extend, semiring.plus

    def extend(by_length: dict, rate: float) -> dict:
        return {length + 1: inner_extend(v, rate) for length, v in by_length.items()}

    def plus(a: dict, b: dict) -> dict:
        merged = dict(a)
        for length, v in b.items():
            merged[length] = inner_plus(merged[length], v) if length in merged else v
        return merged

    return Semiring(f"graded {semiring.name}", {0: semiring.one}, extend, plus)


def forward_sweep(source: Value, output: Value | Graph, semiring: Semiring) -> Any | None:
    """The semiring sum over every path from ``source`` to the output, or None if there is none.

    With :data:`SUM_PRODUCT` this is ``∂C/∂source`` (equations 47-53 as a forward sweep); with
    :data:`COUNT` the number of paths; see the module docstring for the others.
    """
    if not isinstance(source, Value):
        raise PathgradTypeError(f"expected a Value as the start of the paths, got {source!r}")
    graph = as_graph(output)
    return sweep_forward(graph, source, semiring).get(graph.output)
