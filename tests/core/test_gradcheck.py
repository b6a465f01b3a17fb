"""Finite differences (equation 46) and the agreement table."""

from __future__ import annotations

import math

import pytest

import pathgrad as pg


def test_relative_error():
    assert pg.relative_error(1.0, 1.0) == 0.0
    assert pg.relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
    assert pg.relative_error(0.0, 0.0) == 0.0
    assert pg.relative_error(-1.0, 1.0) == 2.0


def test_numeric_grad_of_a_known_function():
    x = pg.Value(0.3)
    y = (x * x).tanh()
    expected = 2 * 0.3 * (1 - math.tanh(0.09) ** 2)
    assert pg.numeric_grad(y, x) == pytest.approx(expected, rel=1e-9)


def test_one_sided_grad_is_equation_46_as_written():
    x = pg.Value(1.0)
    y = x * x * x  # C'(1) = 3, C''(1) = 6: the one-sided error is about 6 ε / 2
    for eps in (1e-2, 1e-3):
        assert pg.one_sided_grad(y, x, eps) == pytest.approx(3 + 3 * eps + eps**2, rel=1e-9)
    # the central difference has no error of order ε
    assert pg.numeric_grad(y, x, h=1e-2) == pytest.approx(3.0, rel=1e-12)
    assert pg.one_sided_grad(y, pg.Value(2.0)) == 0.0
    with pytest.raises(ValueError, match="eps must be positive"):
        pg.one_sided_grad(y, x, eps=-1.0)


def test_numeric_grad_of_an_intermediate_node_is_the_demons_nudge():
    x = pg.Value(1.0)
    z = x * 2
    C = (z - 0.5) ** 2
    assert pg.numeric_grad(C, z) == pytest.approx(2 * (2 - 0.5), rel=1e-10)
    with pytest.warns(pg.PathgradWarning, match="numeric_grad: .* does not reach"):
        assert pg.numeric_grad(C, pg.Value(4.0)) == 0.0
    with pytest.raises(ValueError, match="step h must be a number > 0, got 0.0"):
        pg.numeric_grad(C, x, h=0.0)
    with pytest.raises(pg.PathgradError, match="step h must be a finite number; 1000.* is too "
                                               "large for a float"):
        pg.numeric_grad(C, x, h=10**400)


def test_check_table_agrees_and_says_so():
    w, x, b = pg.Value(0.5, name="w"), pg.Value(1.5, name="x"), pg.Value(-0.2, name="b")
    C = 0.5 * ((w * x + b).sigmoid() - 1.0) ** 2
    report = pg.check(C)
    assert [row.name for row in report.rows] == ["w", "x", "b"]
    assert report.ok
    assert report.max_exact_error < 1e-14
    assert report.max_numeric_error < 1e-8
    # Each column against BP1-BP4 for one sigmoid neuron, worked by hand: δ = (a - 1) σ'(z).
    a = 1 / (1 + math.exp(-(0.5 * 1.5 - 0.2)))
    delta = (a - 1.0) * a * (1 - a)
    expected = [delta * 1.5, delta * 0.5, delta]
    for row, want in zip(report.rows, expected, strict=True):
        assert row.reverse == pytest.approx(want, rel=1e-14)
        assert row.forward == pytest.approx(want, rel=1e-14)
        assert row.path_sum == pytest.approx(want, rel=1e-14)
        assert row.numeric == pytest.approx(want, rel=1e-8)
        assert row.paths == 1
    assert [row.value for row in report.rows] == [0.5, 1.5, -0.2]
    text = str(report)
    assert "PASS" in text and "path sum" in text and "central diff." in text
    assert "<table>" in report._repr_html_() and "PASS" in report._repr_html_()
    assert repr(report) == text


def test_check_reports_failure_when_a_rate_factor_is_wrong():
    broken = pg.Op("twice", lambda x: 2 * x, lambda x: 2.1)  # wrong partial on purpose
    x = pg.Value(1.0, name="x")
    report = pg.check(broken(x) * x)
    assert not report.ok
    assert report.rows[0].numeric_error > 1e-3
    assert "FAIL" in str(report)


def test_check_skips_the_path_sum_past_the_limit():
    x = pg.Value(0.5, name="x")
    node = x
    for _ in range(12):
        node = node.tanh() + node.sigmoid()
    report = pg.check(node, limit=100)
    [row] = report.rows
    assert row.path_sum is None and row.paths == 4096
    assert "too many" in str(report)
    assert report.ok


def test_check_refuses_a_graph_too_big_to_check_every_leaf_and_says_what_to_do():
    leaves = [pg.Value(0.001 * i, name=f"x{i}") for i in range(3000)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf * leaf
    with pytest.raises(ValueError, match=r"pass wrt=\[a few nodes\]"):
        pg.check(total)
    report = pg.check(total, wrt=leaves[:3])
    assert [row.reverse for row in report.rows] == [1.0, 0.002, 0.004]
    assert report.ok


def test_one_node_may_stand_for_wrt_and_limit_none_lists_every_path():
    w = pg.Value(2.0, name="w")
    c = w * w
    one = pg.check(c, wrt=w)
    assert [row.reverse for row in one.rows] == [4.0]
    unlimited = pg.check(c, wrt=[w], limit=None)
    assert unlimited.rows[0].path_sum == 4.0
    assert pg.cost_report(c, wrt=w).parameters == 1


def test_one_sided_grad_refuses_a_bad_step_and_swapped_arguments():
    w = pg.Value(2.0)
    c = w * w
    assert pg.one_sided_grad(c, w, eps=1e-7) == pytest.approx(4.0, rel=1e-6)
    with pytest.raises(ValueError, match="eps must be a finite real number"):
        pg.one_sided_grad(c, w, eps="a")
    with pytest.raises(TypeError, match="expected a pathgrad Value"):
        pg.one_sided_grad(c, [w])
    with pytest.raises(TypeError, match="expected a pathgrad Value"):
        pg.numeric_grad(c, [w])
