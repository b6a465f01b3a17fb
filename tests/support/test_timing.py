"""Durations and counts as the bench prints them: in a unit that reads, in the right number."""

from __future__ import annotations

import pytest

from pathgrad.bench import plural
from pathgrad.support.timing import duration_text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1.6e-2, "16 ms"), (0.5, "500 ms"), (1.2, "1.2 s"), (75.0, "1.25 minutes"),
     (7200.0, "2 hours"), (3e5, "3.47 days"), (3.15576e7, "1 year"), (3600.0, "1 hour"),
     (1.6e5 / 1e7, "16 ms"),
     (1e20 / 1e7, "3.2e+05 years"), (2e-7, "200 ns")],
)
def test_a_duration_is_told_in_the_unit_that_reads_best(seconds, text):
    assert duration_text(seconds) == text


def test_a_count_takes_the_right_number():
    assert [plural(n, "step") for n in (0, 1, 2, 1000)] == [
        "0 steps", "1 step", "2 steps", "1,000 steps"]
