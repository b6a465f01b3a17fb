"""SGD with momentum, checked by hand on a tiny case."""

from __future__ import annotations

import pytest

import pathgrad as pg
from pathgrad.nn import SGD


def test_two_steps_of_momentum_by_hand():
    p = pg.Value(1.0, name="p")
    q = pg.Value(-2.0, name="q")
    opt = SGD([p, q, p], lr=0.1, momentum=0.9)  # p given twice: one parameter
    assert len(opt.params) == 2
    # C = p² + 3q: ∂C/∂p = 2p, ∂C/∂q = 3.
    (p * p + 3.0 * q).backward()
    opt.step()
    # v_p = 0.9·0 - 0.1·2 = -0.2, p = 0.8;  v_q = -0.1·3 = -0.3, q = -2.3
    assert (p.data, q.data) == (pytest.approx(0.8), pytest.approx(-2.3))
    (p * p + 3.0 * q).backward()
    opt.step()
    # v_p = 0.9·(-0.2) - 0.1·1.6 = -0.34, p = 0.46;  v_q = 0.9·(-0.3) - 0.3 = -0.57, q = -2.87
    assert (p.data, q.data) == (pytest.approx(0.46), pytest.approx(-2.87))
    assert opt.velocities == [pytest.approx(-0.34), pytest.approx(-0.57)]


def test_without_momentum_it_is_plain_gradient_descent_and_lr_can_change():
    p = pg.Value(3.0)
    opt = SGD([p], lr=0.5)
    (p * p).backward()
    opt.step()
    assert p.data == 3.0 - 0.5 * 6.0
    opt.lr = 0.25
    (p * p).backward()
    opt.step()
    assert p.data == 0.0 - 0.25 * 0.0
    opt.zero_grad()
    assert p.grad == 0.0


def test_a_step_that_would_overflow_moves_nothing():
    p, q = pg.Value(1.0, name="p"), pg.Value(1.0, name="q")
    (p * 2.0 + q * 1e10).backward()
    opt = SGD([p, q], lr=1e300)  # p could move to -2e300, q cannot move to -1e310
    with pytest.raises(pg.PathgradError, match="would set q to -inf"):
        opt.step()
    assert (p.data, q.data) == (1.0, 1.0) and opt.velocities == [0.0, 0.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": 0.0}, "learning rate lr must be a number > 0"),
        ({"lr": 0.1, "momentum": 1.0}, "momentum must be below 1"),
        ({"lr": 0.1, "momentum": -0.5}, "momentum must be a number >= 0"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(pg.PathgradError, match=message):
        SGD([pg.Value(1.0)], **kwargs)
    with pytest.raises(pg.PathgradError, match="as Values"):
        SGD([1.0], lr=0.1)
