"""check_answer: the exercises' checker says right only for the right numbers."""

from __future__ import annotations

import numpy as np
import pytest

import pathgrad as pg


def test_an_empty_answer_is_not_answered_yet():
    for empty in (None, ...):
        verdict = pg.check_answer(empty, 1.0, hint="look at BP3")
        assert not verdict and "Not answered yet" in str(verdict) and "BP3" not in str(verdict)


def test_numbers_within_the_tolerance_are_right_and_others_get_the_hint():
    assert pg.check_answer(0.1 + 0.2, 0.3)
    assert pg.check_answer(1.0 + 1e-7, 1.0, rtol=1e-6)
    wrong = pg.check_answer(1.01, 1.0, hint="σ'(z) = σ(z)(1 - σ(z))")
    assert not wrong and wrong.correct is False
    assert "off by 0.01 (relative)" in str(wrong) and "Hint: σ'(z)" in str(wrong)
    assert not pg.check_answer(float("nan"), 1.0)
    assert not pg.check_answer(-1.0, 1.0)
    # an expected 0 is compared absolutely, to atol
    assert pg.check_answer(1e-13, 0.0) and not pg.check_answer(1e-3, 0.0)


def test_arrays_and_lists_of_arrays_such_as_nabla_w():
    nabla_w = [np.arange(6.0).reshape(3, 2), np.arange(3.0).reshape(1, 3)]
    assert pg.check_answer([w.copy() for w in nabla_w], nabla_w)
    assert pg.check_answer(([1.0], nabla_w), ([1.0], nabla_w))
    bumped = [w.copy() for w in nabla_w]
    bumped[1][0, 2] += 0.5
    assert "off by 0.25" in str(pg.check_answer(bumped, nabla_w))
    shape = pg.check_answer([w.T for w in nabla_w], nabla_w)
    assert not shape and "shape [(2, 3), (3, 1)]" in str(shape) and "[(3, 2), (1, 3)]" in str(shape)


def test_what_is_not_a_number_is_not_yet_right():
    verdict = pg.check_answer("0.5", 0.5, hint="a number, not text")
    assert not verdict and "expected numbers, got str '0.5'" in str(verdict)
    assert not pg.check_answer({"a": 1}, 0.5) and not pg.check_answer([[1.0], "x"], [[1.0], [2.0]])
    assert "<p style=" in pg.check_answer(0.5, 0.5)._repr_html_()
    with pytest.raises(pg.PathgradError, match="cannot compare"):
        pg.check_answer(1.0, {"a": 1})


def test_bad_tolerances_and_truths_are_clear_errors_and_deep_nesting_is_no_answer():
    with pytest.raises(ValueError, match="rtol must be a number > 0"):
        pg.check_answer(1.0, 1.0, rtol=0)
    with pytest.raises(ValueError, match="rtol must be a finite real number"):
        pg.check_answer(1.0, 1.0, rtol="a")
    with pytest.raises(ValueError, match="NaN or infinity"):
        pg.check_answer(1.0, float("nan"))
    nested: list = [1.0]
    for _ in range(3000):
        nested = [nested]
    verdict = pg.check_answer(nested, 1.0)
    assert not verdict and "expected numbers" in str(verdict)
