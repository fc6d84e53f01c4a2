"""When a schedule runs and which period it reports: hand-computed, in DST-free Tehran
and in Berlin (clocks change), across month ends and with Saturday weeks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanjeh.errors import ConfigError
from sanjeh.report import (
    Period,
    Schedule,
    ScheduledRun,
    closed_period,
    due,
    latest_slot,
    next_run,
    next_slot,
)
from sanjeh.settings import ScheduleSettings, parse_every

TEHRAN = "Asia/Tehran"  # UTC+03:30 all year (no DST since 2022)
BERLIN = "Europe/Berlin"  # 2026: CEST from 29 March 02:00, CET again from 25 October 03:00
UTC = dt.UTC


def schedule(every: str, period: str, zone: str = TEHRAN, week_start: str = "saturday") -> Schedule:
    spec = ScheduleSettings(name="s", every=parse_every(every, "test"), period=period)
    return Schedule(spec, zone, week_start)


def at(zone: str, *parts: int) -> dt.datetime:
    """A local wall time, as the UTC instant the functions take and give."""
    return dt.datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


def delivered(start: dt.date, end: dt.date, kind: str = "day") -> ScheduledRun:
    moment = dt.datetime(2000, 1, 1, tzinfo=UTC)
    return ScheduledRun(
        schedule="s",
        period=Period(kind, start, end),
        slot=moment,
        manual=False,
        status="ok",
        attempts=1,
        rows=1,
        file=None,
        webhook_status=None,
        error=None,
        started_at=moment,
        finished_at=moment,
    )


def test_daily_in_tehran_reports_the_day_before() -> None:
    s = schedule("daily 07:00", "day")
    monday_7 = dt.datetime(2026, 10, 19, 3, 30, tzinfo=UTC)  # 07:00 in Tehran
    assert latest_slot(s, monday_7) == monday_7
    assert closed_period(s, monday_7) == Period("day", dt.date(2026, 10, 18), dt.date(2026, 10, 19))
    # a minute earlier, the timetable last came round on Sunday: Saturday is reported
    sunday_7 = dt.datetime(2026, 10, 18, 3, 30, tzinfo=UTC)
    assert latest_slot(s, monday_7 - dt.timedelta(minutes=1)) == sunday_7
    assert closed_period(s, sunday_7).start == dt.date(2026, 10, 17)
    assert next_slot(s, monday_7) == dt.datetime(2026, 10, 20, 3, 30, tzinfo=UTC)
    assert Period("day", dt.date(2026, 10, 18), dt.date(2026, 10, 19)).label == "2026-10-18"


def test_due_once_per_closed_period() -> None:
    s = schedule("daily 07:00", "day")
    sunday = delivered(dt.date(2026, 10, 18), dt.date(2026, 10, 19))
    assert due(s, None, at(TEHRAN, 2026, 10, 19, 8, 0))  # never delivered: the latest, now
    assert not due(s, sunday, at(TEHRAN, 2026, 10, 19, 8, 0))
    assert not due(s, sunday, at(TEHRAN, 2026, 10, 20, 6, 59))
    assert due(s, sunday, at(TEHRAN, 2026, 10, 20, 7, 0))  # Monday has closed
    # down for five days: one run (for the latest day), not five
    assert due(s, sunday, at(TEHRAN, 2026, 10, 25, 9, 0))
    later = delivered(dt.date(2026, 10, 24), dt.date(2026, 10, 25))
    assert not due(s, later, at(TEHRAN, 2026, 10, 25, 9, 0))
    assert next_run(s, later, at(TEHRAN, 2026, 10, 25, 9, 0)) == at(TEHRAN, 2026, 10, 26, 7, 0)
    assert next_run(s, sunday, at(TEHRAN, 2026, 10, 25, 9, 0)) == at(TEHRAN, 2026, 10, 25, 9, 0)


def test_weekly_with_saturday_weeks() -> None:
    s = schedule("weekly sat 07:00", "week")
    saturday_7 = at(TEHRAN, 2026, 10, 24, 7, 0)  # 24 October 2026 is a Saturday
    assert latest_slot(s, saturday_7) == saturday_7
    last_week = Period("week", dt.date(2026, 10, 17), dt.date(2026, 10, 24))  # Sat … Fri
    assert closed_period(s, saturday_7) == last_week
    assert last_week.label == "2026-10-17"
    friday_night = at(TEHRAN, 2026, 10, 23, 23, 0)
    assert latest_slot(s, friday_night) == at(TEHRAN, 2026, 10, 17, 7, 0)
    assert closed_period(s, latest_slot(s, friday_night)).start == dt.date(2026, 10, 10)
    assert next_slot(s, saturday_7) == at(TEHRAN, 2026, 10, 31, 7, 0)
    # "weekly sun" with Saturday weeks: Sunday's run still reports Saturday … Friday
    sunday = schedule("weekly sun 07:00", "week")
    assert closed_period(sunday, at(TEHRAN, 2026, 10, 25, 7, 0)) == last_week
    # Monday weeks (a 24x7 calendar) in the same week
    monday_weeks = schedule("weekly mon 07:00", "week", week_start="monday")
    assert closed_period(monday_weeks, at(TEHRAN, 2026, 10, 26, 7, 0)) == Period(
        "week", dt.date(2026, 10, 19), dt.date(2026, 10, 26)
    )


def test_a_daily_run_of_a_weekly_report_delivers_each_week_once() -> None:
    s = schedule("daily 07:00", "week")
    week = delivered(dt.date(2026, 10, 17), dt.date(2026, 10, 24), "week")
    assert not due(s, week, at(TEHRAN, 2026, 10, 25, 8, 0))
    assert next_run(s, week, at(TEHRAN, 2026, 10, 25, 8, 0)) == at(TEHRAN, 2026, 10, 31, 7, 0)
    assert due(s, week, at(TEHRAN, 2026, 10, 31, 7, 0))


def test_monthly_at_month_ends() -> None:
    s = schedule("monthly 31 07:00", "month")
    # February has no 31st: the run is on its last day
    feb = at(TEHRAN, 2026, 2, 28, 7, 0)
    assert latest_slot(s, feb) == feb
    assert closed_period(s, feb) == Period("month", dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert latest_slot(s, feb - dt.timedelta(seconds=1)) == at(TEHRAN, 2026, 1, 31, 7, 0)
    assert closed_period(s, at(TEHRAN, 2026, 1, 31, 7, 0)).label == "2025-12"
    assert next_slot(s, feb) == at(TEHRAN, 2026, 3, 31, 7, 0)
    assert next_slot(s, at(TEHRAN, 2026, 3, 31, 7, 0)) == at(TEHRAN, 2026, 4, 30, 7, 0)
    assert latest_slot(s, at(TEHRAN, 2028, 3, 1, 0, 0)) == at(TEHRAN, 2028, 2, 29, 7, 0)  # leap
    first = schedule("monthly 1 07:00", "month")
    assert latest_slot(first, at(TEHRAN, 2026, 3, 1, 6, 0)) == at(TEHRAN, 2026, 2, 1, 7, 0)
    assert closed_period(first, at(TEHRAN, 2026, 3, 1, 7, 0)).label == "2026-02"
    new_year = closed_period(first, at(TEHRAN, 2027, 1, 1, 7, 0))
    assert new_year == Period("month", dt.date(2026, 12, 1), dt.date(2027, 1, 1))


def test_clock_changes_in_berlin() -> None:
    s = schedule("daily 07:00", "day", BERLIN, "monday")
    # 07:00 local is 06:00 UTC before the spring change, 05:00 UTC after it
    assert latest_slot(s, dt.datetime(2026, 3, 29, 5, 30, tzinfo=UTC)) == dt.datetime(
        2026, 3, 29, 5, 0, tzinfo=UTC
    )
    assert latest_slot(s, dt.datetime(2026, 3, 29, 4, 59, tzinfo=UTC)) == dt.datetime(
        2026, 3, 28, 6, 0, tzinfo=UTC
    )
    # the 23-hour day is reported whole, from local midnight to local midnight
    assert closed_period(s, dt.datetime(2026, 3, 30, 5, 0, tzinfo=UTC)) == Period(
        "day", dt.date(2026, 3, 29), dt.date(2026, 3, 30)
    )
    # 02:30 does not exist on 29 March: the run is at 03:30 CEST (01:30 UTC)
    night = schedule("daily 02:30", "day", BERLIN, "monday")
    assert next_slot(night, dt.datetime(2026, 3, 29, 0, 0, tzinfo=UTC)) == dt.datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    # 02:30 happens twice on 25 October: the run is at the first (00:30 UTC), once
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_slot(night, dt.datetime(2026, 10, 24, 23, 0, tzinfo=UTC)) == first
    assert next_slot(night, first) == dt.datetime(2026, 10, 26, 1, 30, tzinfo=UTC)
    # Tehran's 07:00 is 03:30 UTC on both sides of Berlin's change
    tehran = schedule("daily 07:00", "day")
    for day in (28, 29, 30):
        assert next_slot(tehran, dt.datetime(2026, 3, day, 0, 0, tzinfo=UTC)) == dt.datetime(
            2026, 3, day, 3, 30, tzinfo=UTC
        )


def test_weekly_across_the_autumn_change() -> None:
    s = schedule("weekly mon 00:00", "week", BERLIN, "monday")
    monday = at(BERLIN, 2026, 10, 26, 0, 0)  # after the 25-hour Sunday
    assert monday == dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert closed_period(s, monday) == Period("week", dt.date(2026, 10, 19), dt.date(2026, 10, 26))
    assert latest_slot(s, monday - dt.timedelta(seconds=1)) == at(BERLIN, 2026, 10, 19, 0, 0)


EVERY = ["daily 00:00", "daily 07:00", "daily 23:59", "weekly sat 07:00", "weekly fri 02:30"]
EVERY += ["monthly 1 07:00", "monthly 31 00:00", "monthly 15 02:30"]


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2028, 12, 31)),
    every=st.sampled_from(EVERY),
    period=st.sampled_from(["day", "week", "month"]),
    zone=st.sampled_from([TEHRAN, BERLIN, "America/New_York", "UTC"]),
    week_start=st.sampled_from(["saturday", "sunday", "monday"]),
)
def test_never_an_open_period(
    moment: dt.datetime, every: str, period: str, zone: str, week_start: str
) -> None:
    """Whatever the time, the reported period ended (local midnight) at or before the
    run time, which is at or before now; and it is the latest such period."""
    now = moment.replace(tzinfo=UTC)
    s = schedule(every, period, zone, week_start)
    slot = latest_slot(s, now)
    assert slot <= now < next_slot(s, slot) and next_slot(s, slot) > slot
    reported = closed_period(s, slot)
    local_slot = slot.astimezone(ZoneInfo(zone))
    assert reported.end <= local_slot.date()  # the period is over when the run starts
    assert reported.start < reported.end
    # the period after it has not closed by the run time: it is the latest closed one
    after = closed_period(s, dt.datetime.combine(reported.end, dt.time(), ZoneInfo(zone)))
    assert after == reported or after.start == reported.end
    following_end = {"day": 1, "week": 7}.get(period)
    if following_end is not None:
        assert reported.end + dt.timedelta(days=following_end) > local_slot.date()


def test_every_is_read_in_words() -> None:
    assert str(parse_every("Weekly Saturday 7:05", "x")) == "weekly sat 07:05"
    assert str(parse_every("monthly 31 23:59", "x")) == "monthly 31 23:59"
    for bad, said in [
        ("hourly", 'every must look like "daily 07:00", "weekly sat 07:00" or "monthly 1 07:00"'),
        ("daily 24:00", "the time must be 00:00–23:59"),
        ("weekly sa 07:00", "'sa' is not a weekday"),
        ("monthly 32 07:00", "the day of the month must be 1–31"),
        ("daily 7", "every must look like"),
    ]:
        with pytest.raises(ConfigError, match=said):
            parse_every(bad, "sanjeh.toml: [[schedules]] 'x'")
