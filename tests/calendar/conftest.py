"""Calendars shared by the calendar tests (the store fixtures come from ../conftest.py)."""

from __future__ import annotations

import pytest

from sanjeh.calendar import BusinessCalendar

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


@pytest.fixture
def nine_to_five() -> BusinessCalendar:
    """The public cases' calendar: Monday to Friday 09:00-17:00 UTC."""
    return BusinessCalendar(
        timezone="UTC", weekly={d: [("09:00", "17:00")] for d in WORKDAYS}, name="nine_to_five"
    )


@pytest.fixture
def split_shift() -> BusinessCalendar:
    return BusinessCalendar(
        timezone="UTC",
        weekly={d: [("07:00", "12:00"), ("13:00", "18:00")] for d in WORKDAYS},
        name="split",
    )
