"""The demo's business hours agree with sanjeh.calendar, which the KPIs use."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sanjeh.demo import CALENDARS, business_calendars
from sanjeh.demo._calendar import Clock, Grid

START = dt.date(2026, 8, 3)
ORIGIN = int(dt.datetime(2026, 8, 2, 20, 30, tzinfo=dt.UTC).timestamp())


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_demo_clock_matches_the_business_calendar(name: str) -> None:
    grid = Grid(ORIGIN, 90 * 48)
    clock = Clock(CALENDARS[name], grid, START)
    reference = business_calendars()[name]
    rng = np.random.default_rng(1)
    instants = ORIGIN + rng.integers(0, 88 * 86400, 400)
    mine = clock.is_open(instants)
    theirs = [reference.is_open(dt.datetime.fromtimestamp(int(t), dt.UTC)) for t in instants]
    assert mine.tolist() == theirs
    ends = instants + rng.integers(60, 5 * 86400, len(instants))
    ends = np.minimum(ends, ORIGIN + 89 * 86400)
    span = clock.business(ends) - clock.business(instants)
    expected = [
        reference.business_seconds(
            dt.datetime.fromtimestamp(int(a), dt.UTC), dt.datetime.fromtimestamp(int(b), dt.UTC)
        )
        for a, b in zip(instants[:60], ends[:60], strict=True)
    ]
    assert np.allclose(span[:60], expected)
    later = clock.after(instants, np.full(len(instants), 3600.0))
    assert np.allclose(clock.business(later) - clock.business(instants), 3600, atol=1)
