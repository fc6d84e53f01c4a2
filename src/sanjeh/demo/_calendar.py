"""Business calendars of the demo organisation and a vectorised business clock.

Agents reply in *business* time: a reply "two working hours later" on Thursday
afternoon in Tehran lands on Saturday morning. The clock maps UTC seconds to
business seconds on a 30-minute grid (Tehran is UTC+03:30, so local half hours
fall on the grid), which makes the mapping and its inverse a few NumPy calls.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

STEP = 1800  # grid resolution in seconds
DAY = 86_400

SAT, SUN, MON, TUE, WED, THU, FRI = 5, 6, 0, 1, 2, 3, 4
_IRAN_WEEK = (SAT, SUN, MON, TUE, WED)

Windows = Mapping[int, tuple[tuple[str, str], ...]]


@dataclasses.dataclass(frozen=True)
class CalendarDef:
    """Opening hours of a team: local windows per weekday (Monday = 0) and holidays."""

    name: str
    timezone: str
    windows: Windows
    #: ISO country whose public holidays close the calendar (``holidays`` package)
    holidays: str | None = None


def _week(days: tuple[int, ...], start: str, end: str) -> dict[int, tuple[tuple[str, str], ...]]:
    return {d: ((start, end),) for d in days}


CALENDARS: dict[str, CalendarDef] = {
    c.name: c
    for c in (
        # Iranian office week: Saturday to Wednesday, a half day on Thursday, Friday off
        CalendarDef(
            "tehran",
            "Asia/Tehran",
            {**_week(_IRAN_WEEK, "08:00", "17:00"), THU: (("08:00", "13:00"),)},
            "IR",
        ),
        # customer care runs two shifts and a skeleton Friday
        CalendarDef(
            "tehran-extended",
            "Asia/Tehran",
            {**_week((*_IRAN_WEEK, THU), "08:00", "22:00"), FRI: (("10:00", "16:00"),)},
            "IR",
        ),
        # Saudi week: Sunday to Thursday, Friday and Saturday off
        CalendarDef(
            "riyadh", "Asia/Riyadh", _week((SUN, MON, TUE, WED, THU), "09:00", "18:00"), "SA"
        ),
        CalendarDef("24x7", "UTC", _week((MON, TUE, WED, THU, FRI, SAT, SUN), "00:00", "24:00")),
    )
}


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def holiday_dates(country: str | None, first: dt.date, last: dt.date) -> set[dt.date]:
    if country is None:
        return set()
    known = _holidays(country, tuple(range(first.year, last.year + 1)))
    return {d for d in known if first <= d <= last}


@functools.cache
def _holidays(country: str, years: tuple[int, ...]) -> frozenset[dt.date]:
    import holidays  # computing Islamic holidays is slow: once per country and years

    return frozenset(holidays.country_holidays(country, years=years))


class Grid:
    """The 30-minute UTC grid shared by every clock and arrival profile."""

    def __init__(self, origin: int, slots: int) -> None:
        self.origin, self.slots = origin, slots
        self.times = origin + STEP * np.arange(slots, dtype=np.int64)

    def local(self, timezone: str) -> pd.DatetimeIndex:
        return pd.to_datetime(self.times, unit="s", utc=True).tz_convert(timezone)

    def slot(self, t: np.ndarray) -> np.ndarray:
        return np.clip((t - self.origin) // STEP, 0, self.slots - 1)


class Clock:
    """Business time of one calendar: ``business(t)`` and ``after(t, seconds)``."""

    def __init__(self, cal: CalendarDef, grid: Grid, first_day: dt.date) -> None:
        self.cal, self.grid = cal, grid
        local = grid.local(cal.timezone)
        minute = local.hour.to_numpy() * 60 + local.minute.to_numpy()
        weekday = local.day_of_week.to_numpy()
        dates = local.date
        closed_days = holiday_dates(cal.holidays, dates[0], dates[-1])
        is_open = np.zeros(grid.slots, dtype=bool)
        for day, windows in cal.windows.items():
            for start, end in windows:
                lo, hi = _minutes(start), _minutes(end)
                is_open |= (weekday == day) & (minute >= lo) & (minute + STEP // 60 <= hi)
        if closed_days:
            is_open &= ~np.isin(np.asarray(dates), np.array(sorted(closed_days), dtype=object))
        self.open = is_open
        self.holidays = closed_days
        #: cumulative business seconds at the start of each slot (one extra at the end)
        self.cum = np.concatenate(([0], np.cumsum(is_open * STEP))).astype(np.float64)
        #: local day number of each slot, counted from the first day of the period
        self.day = np.array(
            [(d - first_day).days for d in dates], dtype=np.int32
        )  # cheap: one entry per slot
        self.weekday = weekday
        self.minute = minute

    def business(self, t: np.ndarray) -> np.ndarray:
        """Business seconds elapsed from the grid origin to ``t``."""
        grid = self.grid
        offset = t - grid.origin
        k = np.clip(offset // STEP, 0, grid.slots - 1)
        inside = np.clip(offset - k * STEP, 0, STEP)
        beyond = np.maximum(offset - grid.slots * STEP, 0)  # past the grid: always open
        return self.cum[k] + self.open[k] * inside + beyond

    def after(self, t: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """The UTC second at which ``seconds`` business seconds have passed since ``t``."""
        target = self.business(t) + np.maximum(seconds, 1.0)
        k = np.searchsorted(self.cum[1:], target, side="left")
        inside = k < self.grid.slots
        kk = np.minimum(k, self.grid.slots - 1)
        at = np.where(
            inside,
            self.grid.origin + kk * STEP + (target - self.cum[kk]),
            self.grid.origin + self.grid.slots * STEP + (target - self.cum[-1]),
        )
        return np.maximum(np.ceil(at).astype(np.int64), t + 1)

    def is_open(self, t: np.ndarray) -> np.ndarray:
        return self.open[self.grid.slot(t)]

    def day_of(self, t: np.ndarray) -> np.ndarray:
        return self.day[self.grid.slot(t)]


class Clocks:
    """Many business clocks at once, one row each (e.g. one per agent's own schedule).

    Rows are laid end to end in one sorted array (row ``r`` offset by ``r * span``),
    so the inverse for any mix of rows is a single ``searchsorted``.
    """

    def __init__(self, grid: Grid, open_rows: np.ndarray) -> None:
        rows, slots = open_rows.shape
        assert slots == grid.slots
        self.grid, self.open = grid, open_rows
        self.cum = np.zeros((rows, slots + 1))
        np.cumsum(open_rows * float(STEP), axis=1, out=self.cum[:, 1:])
        self.span = float(self.cum[:, -1].max()) + 1e10
        self.flat = (self.cum[:, 1:] + np.arange(rows)[:, None] * self.span).ravel()

    def business(self, row: np.ndarray, t: np.ndarray) -> np.ndarray:
        grid = self.grid
        offset = t - grid.origin
        k = np.clip(offset // STEP, 0, grid.slots - 1)
        inside = np.clip(offset - k * STEP, 0, STEP)
        beyond = np.maximum(offset - grid.slots * STEP, 0)
        return self.cum[row, k] + self.open[row, k] * inside + beyond

    def after(self, row: np.ndarray, t: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Per row, the UTC second at which ``seconds`` business seconds have passed."""
        slots = self.grid.slots
        target = self.business(row, t) + np.maximum(seconds, 1.0)
        k = np.searchsorted(self.flat, target + row * self.span, side="left") - row * slots
        inside = k < slots
        kk = np.minimum(k, slots - 1)
        at = np.where(
            inside,
            self.grid.origin + kk * STEP + (target - self.cum[row, kk]),
            self.grid.origin + slots * STEP + (target - self.cum[row, -1]),
        )
        return np.maximum(np.ceil(at).astype(np.int64), t + 1)

    def is_open(self, row: np.ndarray, t: np.ndarray) -> np.ndarray:
        return self.open[row, self.grid.slot(t)]


def business_calendars() -> dict[str, Any]:
    """The demo's calendars as :class:`sanjeh.calendar.BusinessCalendar`, by team calendar name.

    ``teams.calendar`` names one of these, so KPIs in business time can use exactly
    the hours the demo agents worked by.
    """
    from ..calendar import BusinessCalendar

    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {
        name: BusinessCalendar(
            timezone=cal.timezone,
            weekly={names[day]: list(windows) for day, windows in cal.windows.items()},
            holidays=[cal.holidays] if cal.holidays else [],
            name=name,
        )
        for name, cal in CALENDARS.items()
    }
