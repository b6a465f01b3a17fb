"""Every public function on graphs whose rate factors are huge or tiny: a finite number, or a
pathgrad error that says why, never an infinity, a NaN or a raw exception.

Every rate factor is a finite number (an operation refuses to make any other), yet the product
of a few of them along a path can overflow (1e300 · 1e300) or vanish (1e-300 · 1e-300), and
two overflowing paths of opposite signs make ``inf - inf``. Each function that multiplies rate
factors along paths (the sweeps, the path sums, the rankings, elimination, sampling, the
reports built on them) must notice.
"""

from __future__ import annotations

import math
import numbers
import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.support.errors import NotFiniteError, TooLargeError
from pathgrad.sweeps import SUM_PRODUCT, sweep_backward, sweep_forward
from tests.capped import run_capped
from tests.strategies import dags

HUGE_AND_TINY = st.sampled_from([1e300, -1e300, 1e200, -1e160, 1e155, 1e-300, -1e-200, 1e-160,
                                 3.0, -0.5, 0.0, 1.0])


def numbers_in(result: object, seen: int = 0) -> list[float]:
    """Every float (and int) a result carries, looking into lists, tuples, dicts and the
    attributes of pathgrad's result objects."""
    found: list[float] = []
    stack = [result]
    visited: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in visited:
            continue
        visited.add(id(item))
        if isinstance(item, bool) or item is None or isinstance(item, str):
            continue
        if isinstance(item, numbers.Real):
            found.append(float(item) if not isinstance(item, int) else 0.0)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, pg.Value):
            found.extend([item.data, item.grad])
        elif hasattr(item, "__dict__") or hasattr(item, "__dataclass_fields__"):
            stack.extend(v for k, v in vars(item).items() if not k.startswith("_graph"))
    return found


CALLS = {
    "backward": lambda graph, w: (graph.output.backward(), [n.grad for n in graph.nodes]),
    "grad": lambda graph, w: pg.grad(graph, [w]),
    "adjoints": lambda graph, w: pg.adjoints(graph),
    "sweep_backward": lambda graph, w: sweep_backward(graph, SUM_PRODUCT),
    "sweep_forward": lambda graph, w: sweep_forward(graph, w, SUM_PRODUCT),
    "forward_grad": lambda graph, w: pg.forward_grad(graph, w),
    "forward_grads": lambda graph, w: pg.forward_grads(graph, [w]),
    "path_sum": lambda graph, w: pg.path_sum(w, graph),
    "paths": lambda graph, w: [p.product for p in pg.paths(w, graph)],
    "path_stats": lambda graph, w: pg.path_stats(w, graph),
    "top_paths": lambda graph, w: [p.product for p in pg.top_paths(w, graph, k=3)],
    "top_paths_negative": lambda graph, w: [p.product for p in pg.top_paths(w, graph, k=2,
                                                                             by="negative")],
    "sample_paths": lambda graph, w: pg.sample_paths(w, graph, n=20, seed=1),
    "eliminate_reverse": lambda graph, w: pg.eliminate(graph, "reverse").derivative(w),
    "eliminate_forward": lambda graph, w: pg.eliminate(graph, "forward").derivative(w),
    "eliminate_markowitz": lambda graph, w: pg.eliminate(graph, "markowitz").derivative(w),
    "count_paths": lambda graph, w: pg.count_paths(w, graph),
    "path_groups": lambda graph, w: pg.path_groups(w, graph, label=lambda n: n.op).totals(),
    "collapse": lambda graph, w: pg.collapse(graph, lambda n: n.op, sources=w).output.data,
    "check": lambda graph, w: pg.check(graph, [w]),
    "cost_report": lambda graph, w: pg.cost_report(graph, [w]),
    "explore": lambda graph, w: pg.explore(graph, engine=None).data,
    "draw": lambda graph, w: pg.draw(graph, show_grad=True, engine=None).caption,
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags(rates=HUGE_AND_TINY), st.sampled_from(sorted(CALLS)))
def test_every_function_gives_a_finite_number_or_a_pathgrad_error(case, name):
    graph, source = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pg.PathgradWarning)
        try:
            result = CALLS[name](graph, source)
        except pg.PathgradError as error:
            assert str(error)  # says why
            return
    values = numbers_in(result)
    assert all(math.isfinite(v) for v in values), (name, values)


# -- the probe's cases, each once failing -----------------------------------------------------


def overflowing():
    """``z = (x · 1e300) · 1e300`` at ``x = 1e-300``: every value and rate is finite, and the one
    path's product is 1e600."""
    x = pg.Value(1e-300, name="x")
    z = (x * 1e300) * 1e300
    z.name = "z"
    return x, z


@pytest.mark.parametrize("name", ["backward", "grad", "adjoints", "forward_grad", "path_sum",
                                  "paths", "top_paths", "path_stats", "sample_paths",
                                  "eliminate_reverse", "eliminate_forward", "path_groups"])
def test_a_path_whose_product_overflows_is_an_error_everywhere(name):
    x, z = overflowing()
    with pytest.raises(NotFiniteError, match="overflow") as error:
        CALLS[name](pg.Graph(z), x)
    assert "x" in str(error.value) or "leaf" in str(error.value)


def test_two_overflowing_paths_of_opposite_signs():
    """``C = a·1e300 + a·(-1e300)``, ``a = x·1e300``: the true derivative is 0. The reverse sweep
    adds the two at ``a`` first and gets it exactly; the forward sweep meets inf - inf, and the
    sum over the two paths overflows: both say so, neither gives nan nor fsum's raw error."""
    x = pg.Value(1e-300, name="x")
    a = x * 1e300
    c = a * 1e300 + a * -1e300
    c.backward()
    assert x.grad == 0.0 and pg.grad(c, [x]) == [0.0]
    with pytest.raises(NotFiniteError, match="sum-product sweep over the paths from x to mul"):
        pg.forward_grad(c, x)
    with pytest.raises(NotFiniteError, match="product of the rate factors along the path"):
        pg.path_sum(x, c)
    with pytest.raises(NotFiniteError):
        pg.eliminate(c, "forward").derivative(x)


def test_after_a_refused_backward_the_gradients_are_zero_not_inf():
    x, z = overflowing()
    with pytest.raises(NotFiniteError, match=r"z.backward\(\): ∂z/∂x is inf"):
        z.backward()
    assert [n.grad for n in pg.Graph(z)] == [0.0, 0.0, 0.0]



@pytest.mark.parametrize("second", [True, False])
def test_a_leaf_met_only_as_an_operand_of_a_binary_operation_is_checked(second):
    """``z = (s · x) · 1e300`` (or ``x · s``) at ``s = 1e300``, ``x = 1e-300``: every value and
    rate is finite, only ``∂z/∂x = s · 1e300`` overflows, and ``x`` is met only as one of the
    two parents of ``s · x``."""
    s, x = pg.Value(1e300, name="s"), pg.Value(1e-300, name="x")
    z = ((s * x) if second else (x * s)) * 1e300
    z.name = "z"
    with pytest.raises(NotFiniteError, match=r"z.backward\(\): ∂z/∂x is inf"):
        z.backward()
    assert (s.grad, x.grad) == (0.0, 0.0)

def doubling_chain(steps: int) -> tuple[pg.Value, pg.Value]:
    """``y = (y + y) · 0.5``, ``steps`` times: 2^steps paths, each count twice the last."""
    x = pg.Value(1.0, name="x")
    y = x
    for _ in range(steps):
        y = (y + y) * 0.5
    return x, y


def count_and_list_a_doubling_chain(steps: int) -> str:
    """What count_paths and then paths say about one doubling chain (for a capped child)."""
    x, y = doubling_chain(steps)
    said = []
    for call in (lambda: pg.count_paths(x, y), lambda: list(pg.paths(x, y))):
        try:
            call()
            said.append("finished")
        except TooLargeError as error:
            text = str(error)
            known = "the exact path counts pass" in text and "max_bits=1,073,741,824" in text
            said.append("refused past max_bits" if known else text[:120])
    return " | ".join(said)


def test_path_counts_too_large_to_hold_are_refused_before_memory_runs_out():
    """A chain of 240,000 nodes: its counts would take 900 MB (2 GB were once taken before a
    MemoryError); counted and refused past max_bits, under a 400 MB cap, by count_paths and
    by paths (whose default limit once met a raw MemoryError while counting)."""
    outcome = run_capped("tests.pathsums.test_extremes:count_and_list_a_doubling_chain",
                         120_000, seconds=60)
    assert outcome.error is None, outcome
    assert outcome.message == "'refused past max_bits | refused past max_bits'", outcome
    assert outcome.peak_mb < 400
    x, y = doubling_chain(300)
    assert pg.count_paths(x, y) == 2**300  # exact below the limit
    with pytest.raises(TooLargeError, match="more than max_bits=1,000"):
        pg.count_paths(x, y, max_bits=1_000)


def every_length_chain(steps: int) -> tuple[pg.Value, pg.Value]:
    """``y = (y + y·0.5)·0.5``: paths of every length up to the step, so the length bins grow as
    the square of the chain."""
    x = pg.Value(1.0, name="x")
    y = x
    for _ in range(steps):
        y = (y + y * 0.5) * 0.5
    return x, y


def test_path_stats_memory_is_bounded_when_paths_have_every_length():
    """(12,000 nodes once took 2.9 GB, then a MemoryError.)"""
    x, y = every_length_chain(1450)
    with pytest.raises(TooLargeError, match=r"path_stats\(x\): at .* the sweep holds "
                                            r"2,00\d,\d+ length bins: more than "
                                            "max_entries=2,000,000"):
        pg.path_stats(x, y, max_bits=None)
    x, y = every_length_chain(200)
    stats = pg.path_stats(x, y, max_bits=None)
    assert [b.length for b in stats.by_length] == list(range(400, 601))
    with pytest.raises(TooLargeError, match="more than max_entries=20,000"):
        pg.path_stats(x, y, max_entries=20_000)


def test_top_paths_work_is_bounded_before_it_starts():
    """601 nodes, each the mean of up to 300 before it: k=1000 once took 37 s."""
    mean = pg.Op("mean", lambda *xs: sum(xs) / len(xs),
                 lambda *xs: tuple(1.0 / len(xs) for _ in xs))
    nodes = [pg.Value(1.0, name="x")]
    for _ in range(600):
        nodes.append(mean(*nodes[-300:]))
    start = time.perf_counter()
    with pytest.raises(TooLargeError, match=r"k=1,000 would make [\d,]+ partial paths \(over "
                                            r"135,150 edges\): more than max_entries=5,000,000"):
        pg.top_paths(nodes[0], nodes[-1], k=1000)
    assert time.perf_counter() - start < 5
    assert len(pg.top_paths(nodes[0], nodes[-1], k=3)) == 3


def test_sample_paths_steps_are_bounded_not_only_its_walks():
    x = pg.Value(1.0, name="x")
    y = x
    for _ in range(10_000):
        y = y * 1.0
    with pytest.raises(TooLargeError, match="n=1,000,000 walks along paths of up to 10,000 "
                                            "edges would take up to 10,000,000,000 steps: more "
                                            "than max_steps=20,000,000"):
        pg.sample_paths(x, y, n=1_000_000)
    assert pg.sample_paths(x, y, n=100, seed=0).estimate == 1.0
    with pytest.raises(TooLargeError, match="max_steps=999,999"):
        pg.sample_paths(x, y, n=100, max_steps=999_999)


def test_eliminate_has_a_default_budget_checked_before_each_node():
    """4,000 inputs into one sum, read by 4,000 nodes that C adds up: the forward order would
    pair every input with every reader at that sum (16 million multiplications at one node,
    refused before any of them), the reverse order needs 8,000."""
    inputs = [pg.Value(0.001 * i, name=f"x{i}") for i in range(1, 4001)]
    adds = pg.Op("sum", lambda *xs: sum(xs), lambda *xs: (1.0,) * len(xs))
    middle = adds(*inputs)
    c = adds(*(middle * (0.001 * j) for j in range(1, 4001)))
    start = time.perf_counter()
    with pytest.raises(TooLargeError, match="eliminating in forward order would take more "
                                            "than max_multiplications=10,000,000") as stopped:
        pg.eliminate(c, "forward")
    assert stopped.value.limit == "max_multiplications"
    assert stopped.value.spent == 16_000_000  # refused before the node, not after
    assert time.perf_counter() - start < 2
    assert pg.eliminate(c, "reverse").multiplications == 4_000 + 4_000


def test_finite_products_whose_sum_overflows_are_refused_by_path_sum():
    """Two paths of product 1e308 each: every product is finite, their sum is not."""
    x = pg.Value(1e-300, name="x")
    C = x * 1e308 + x * 1e308
    with pytest.raises(NotFiniteError, match="the sum of the path products overflows"):
        pg.path_sum(x, C)
