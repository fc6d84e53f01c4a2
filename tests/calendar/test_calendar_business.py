"""Business seconds, opening hours and SLA due times in Python, on hand-computed cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sanjeh.calendar import BusinessCalendar
from sanjeh.errors import ConfigError, ValidationError

HOUR = 3600
TEHRAN, RIYADH = ZoneInfo("Asia/Tehran"), ZoneInfo("Asia/Riyadh")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- the public cases: Monday to Friday 09:00-17:00 UTC, Monday 2014-04-07 --------------


def test_inside_one_window(nine_to_five):
    assert nine_to_five.business_seconds(utc(2014, 4, 7, 10), utc(2014, 4, 7, 15)) == 18000


def test_around_one_window(nine_to_five):
    assert nine_to_five.business_seconds(utc(2014, 4, 7, 7), utc(2014, 4, 7, 20)) == 28800


def test_over_the_weekend(nine_to_five):
    assert nine_to_five.business_seconds(utc(2014, 4, 11, 20), utc(2014, 4, 14, 5)) == 0


def test_across_a_lunch_break(split_shift):
    assert split_shift.business_seconds(utc(2014, 4, 7, 11, 59), utc(2014, 4, 7, 13, 1)) == 120


def test_end_before_start_is_negative(nine_to_five):
    assert nine_to_five.business_seconds(utc(2014, 4, 7, 15), utc(2014, 4, 7, 10)) == -18000


def test_inputs_in_any_zone(nine_to_five):
    start = datetime(2014, 4, 7, 15, 30, tzinfo=ZoneInfo("Asia/Kolkata"))  # 10:00 UTC
    assert nine_to_five.business_seconds(start, utc(2014, 4, 7, 15)) == 18000


def test_microseconds_count(nine_to_five):
    start = utc(2014, 4, 7, 10)
    assert nine_to_five.business_seconds(start, start + timedelta(microseconds=1500)) == 0.0015


@pytest.mark.parametrize("args", [(datetime(2014, 4, 7, 10), utc(2014, 4, 7, 15)), ("x", 1)])
def test_naive_or_non_datetimes_are_rejected(nine_to_five, args):
    with pytest.raises(ValidationError, match="aware datetime"):
        nine_to_five.business_seconds(*args)


def test_naive_error_names_the_argument_and_the_fix(nine_to_five):
    with pytest.raises(ValidationError) as info:
        nine_to_five.is_open(datetime(2014, 4, 7, 10))
    assert info.value.field == "at"
    assert "naive" in info.value.reason and "tzinfo" in info.value.reason


# -- is_open, open_intervals ------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2014, 4, 7, 9), True),  # a window includes its start
        (utc(2014, 4, 7, 16, 59, 59), True),
        (utc(2014, 4, 7, 17), False),  # ... and excludes its end
        (utc(2014, 4, 7, 8, 59, 59), False),
        (utc(2014, 4, 12, 12), False),  # Saturday
    ],
)
def test_is_open(nine_to_five, at, expected):
    assert nine_to_five.is_open(at) is expected


def test_open_intervals_are_clipped_and_in_the_calendar_zone():
    tehran = BusinessCalendar.preset("iran", holidays=[])
    got = tehran.open_intervals(utc(2025, 1, 4, 6), utc(2025, 1, 6))  # Sat 09:30 Tehran
    assert got == [
        (datetime(2025, 1, 4, 9, 30, tzinfo=TEHRAN), datetime(2025, 1, 4, 16, tzinfo=TEHRAN)),
        (datetime(2025, 1, 5, 8, tzinfo=TEHRAN), datetime(2025, 1, 5, 16, tzinfo=TEHRAN)),
    ]


# -- add_business_seconds: the SLA due time --------------------------------------------


@pytest.mark.parametrize(
    ("start", "seconds", "due"),
    [
        (utc(2014, 4, 11, 16), 2 * HOUR, utc(2014, 4, 14, 10)),  # Friday → Monday
        (utc(2014, 4, 7, 9), 8 * HOUR, utc(2014, 4, 7, 17)),  # the end of the window, not Tue
        (utc(2014, 4, 12, 12), 1, utc(2014, 4, 14, 9, 0, 1)),  # from a closed Saturday
        (utc(2014, 4, 7, 10), 0, utc(2014, 4, 7, 10)),
        (utc(2014, 4, 7, 10), 0.25, utc(2014, 4, 7, 10) + timedelta(milliseconds=250)),
        (utc(2014, 4, 14, 10), -2 * HOUR, utc(2014, 4, 11, 16)),  # backwards
        (utc(2014, 4, 14, 9), -1, utc(2014, 4, 11, 16, 59, 59)),
    ],
)
def test_add_business_seconds(nine_to_five, start, seconds, due):
    assert nine_to_five.add_business_seconds(start, seconds) == due


def test_add_business_seconds_many_weeks(nine_to_five):
    due = nine_to_five.add_business_seconds(utc(2014, 4, 7, 9), 8 * HOUR * 5 * 30)
    assert due == utc(2014, 10, 31, 17)  # Friday's closing time in the 30th week


def test_due_time_keeps_the_zone_of_the_start():
    tehran = BusinessCalendar.preset("iran", holidays=[])
    due = tehran.add_business_seconds(datetime(2025, 1, 8, 15, tzinfo=TEHRAN), 2 * HOUR)
    assert due == datetime(2025, 1, 11, 9, tzinfo=TEHRAN)  # Wednesday 15:00 + 2 h → Saturday
    assert due.tzinfo is TEHRAN


def test_add_business_seconds_gives_up_with_a_clear_error():
    rare = BusinessCalendar(timezone="UTC", weekly={"mon": [("09:00", "09:01")]}, name="rare")
    with pytest.raises(ConfigError, match="'rare' has fewer than"):
        rare.add_business_seconds(utc(2024, 1, 1), 10**9)


# -- holidays ----------------------------------------------------------------------------


def test_a_holiday_has_no_business_time(nine_to_five):
    off = nine_to_five.replace(extra_holidays=[date(2014, 4, 8)])
    assert off.business_seconds(utc(2014, 4, 7), utc(2014, 4, 10)) == 16 * HOUR
    assert off.business_seconds(utc(2014, 4, 8), utc(2014, 4, 9)) == 0
    assert off.is_holiday(date(2014, 4, 8)) and not off.is_open(utc(2014, 4, 8, 10))
    assert off.holiday_name(date(2014, 4, 8)) == "extra holiday"
    assert off.holiday_name(date(2014, 4, 9)) is None


def test_holidays_are_local_dates():
    # 2025-03-23 is a Nowruz holiday: from 00:00 Tehran (20:30 UTC the day before)
    tehran = BusinessCalendar(
        timezone="Asia/Tehran", weekly={"sun": [("00:00", "24:00")]}, holidays=["IR"]
    )
    assert tehran.business_seconds(utc(2025, 3, 22, 20), utc(2025, 3, 23, 21)) == 0
    assert tehran.business_seconds(utc(2025, 3, 29, 20), utc(2025, 3, 30, 21)) == 24 * HOUR


# -- hand-computed: Tehran (Sat-Wed 08:00-16:00, Friday weekend) ---------------------------


def tehran_time(*args: int) -> datetime:
    return datetime(*args, tzinfo=TEHRAN)


def test_tehran_across_the_weekend():
    iran = BusinessCalendar.preset("iran")
    # Wed 10:00-16:00 (6 h), Thursday and Friday closed, Sat 08:00-10:00 (2 h)
    got = iran.business_seconds(tehran_time(2025, 3, 12, 10), tehran_time(2025, 3, 15, 10))
    assert got == 8 * HOUR


def test_tehran_across_nowruz():
    iran = BusinessCalendar.preset("iran")
    start, end = tehran_time(2025, 3, 18, 12), tehran_time(2025, 3, 25, 12)  # Tue → Tue
    assert "Nowruz" in (iran.holiday_name(date(2025, 3, 23)) or "")
    # Tue 12-16 (4 h); Wed 19 (oil nationalisation day), Sat 22 - Mon 24 (Nowruz) are
    # holidays, Thu 20 and Fri 21 are the weekend; Tue 25 08-12 (4 h)
    assert iran.business_seconds(start, end) == 8 * HOUR
    without = iran.replace(holidays=[])
    assert without.business_seconds(start, end) == (4 + 8 + 8 + 8 + 8 + 4) * HOUR


def test_tehran_in_utc_terms():
    iran = BusinessCalendar.preset("iran", holidays=[])
    # 08:00-16:00 Tehran is 04:30-12:30 UTC
    assert iran.is_open(utc(2025, 1, 4, 4, 30)) and not iran.is_open(utc(2025, 1, 4, 4, 29))
    assert iran.business_seconds(utc(2025, 1, 4), utc(2025, 1, 5)) == 8 * HOUR


# -- hand-computed: the Gulf (Sun-Thu 08:00-17:00 Riyadh, Friday-Saturday weekend) --------


def riyadh_time(*args: int) -> datetime:
    return datetime(*args, tzinfo=RIYADH)


def test_gulf_across_founding_day():
    gulf = BusinessCalendar.preset("gulf")
    start, end = riyadh_time(2025, 2, 20, 15), riyadh_time(2025, 2, 24, 10)  # Thu → Mon
    # Thu 15-17 (2 h), Fri-Sat weekend, Sun 23 Founding Day (observed), Mon 08-10 (2 h)
    assert gulf.business_seconds(start, end) == 4 * HOUR
    assert gulf.replace(holidays=[]).business_seconds(start, end) == 13 * HOUR


def test_gulf_across_eid_al_fitr():
    gulf = BusinessCalendar.preset("gulf")
    start, end = riyadh_time(2025, 3, 27, 16), riyadh_time(2025, 4, 3, 9)  # Thu → Thu
    assert gulf.business_seconds(start, end) == 2 * HOUR  # Sun 30 - Wed 2 are Eid holidays
    assert gulf.add_business_seconds(start, HOUR + 1) == riyadh_time(2025, 4, 3, 8, 0, 1)


# -- overnight windows ---------------------------------------------------------------------


@pytest.fixture
def night_shift() -> BusinessCalendar:
    weekly = {d: [("22:00", "06:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    return BusinessCalendar(timezone="UTC", weekly=weekly, name="night")


def test_an_overnight_window_belongs_to_the_day_it_starts(night_shift):
    assert night_shift.business_seconds(utc(2014, 4, 7, 21), utc(2014, 4, 8, 7)) == 8 * HOUR
    # Friday's night runs into Saturday; Sunday has no window, so Sunday night is closed
    assert night_shift.business_seconds(utc(2014, 4, 12), utc(2014, 4, 12, 12)) == 6 * HOUR
    assert night_shift.business_seconds(utc(2014, 4, 13, 21), utc(2014, 4, 14, 7)) == 0
    assert night_shift.weekly["mon"] == [("22:00", "06:00")]


def test_a_holiday_cuts_an_overnight_window_at_midnight(night_shift):
    off = night_shift.replace(extra_holidays=["2014-04-08"])  # Tuesday
    # Mon 22:00-24:00 counts; the part on Tuesday does not
    assert off.business_seconds(utc(2014, 4, 7, 21), utc(2014, 4, 8, 7)) == 2 * HOUR
    # Tuesday's own window starts on the holiday; its part after midnight is Wednesday's
    assert off.business_seconds(utc(2014, 4, 8, 21), utc(2014, 4, 9, 7)) == 6 * HOUR


def test_a_window_may_end_at_midnight():
    late = BusinessCalendar(timezone="UTC", weekly={"mon": [("20:00", "24:00")]})
    assert late.business_seconds(utc(2014, 4, 7), utc(2014, 4, 9)) == 4 * HOUR
    assert late.weekly == {"mon": [("20:00", "24:00")]}


def test_overlapping_windows_count_once():
    doubled = BusinessCalendar(
        timezone="UTC",
        weekly={"sun": [("20:00", "04:00")], "mon": [("02:00", "10:00"), ("09:00", "11:00")]},
    )
    assert doubled.business_seconds(utc(2014, 4, 6), utc(2014, 4, 8)) == 15 * HOUR


# -- daylight saving time --------------------------------------------------------------------


def _every_day(zone: str, start: str, end: str) -> BusinessCalendar:
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return BusinessCalendar(timezone=zone, weekly={d: [(start, end)] for d in days})


def _local_day(cal: BusinessCalendar, day: date) -> float:
    zone = ZoneInfo(cal.timezone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return cal.business_seconds(start, end)


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/Berlin", date(2024, 3, 31)),  # spring forward 02:00 → 03:00
        ("Europe/Berlin", date(2024, 10, 27)),  # fall back 03:00 → 02:00
        ("America/New_York", date(2024, 3, 10)),
        ("America/New_York", date(2024, 11, 3)),
    ],
)
def test_office_hours_keep_their_length_on_dst_days(zone, day):
    assert _local_day(_every_day(zone, "09:00", "17:00"), day) == 8 * HOUR


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/Berlin", date(2024, 3, 31), 2),  # the hour 02:00-03:00 does not exist
        ("Europe/Berlin", date(2024, 10, 27), 4),  # the hour 02:00-03:00 happens twice
        ("America/New_York", date(2024, 3, 10), 2),
        ("America/New_York", date(2024, 11, 3), 4),
        ("Europe/Berlin", date(2024, 3, 30), 3),  # the day before: an ordinary day
    ],
)
def test_a_window_spanning_the_change_is_wall_clock_time(zone, day, hours):
    assert _local_day(_every_day(zone, "01:00", "04:00"), day) == hours * HOUR


def test_a_night_shift_over_the_change():
    night = _every_day("America/New_York", "22:00", "06:00")
    new_york = ZoneInfo("America/New_York")
    spring = (datetime(2024, 3, 9, 22, tzinfo=new_york), datetime(2024, 3, 10, 6, tzinfo=new_york))
    autumn = (datetime(2024, 11, 2, 22, tzinfo=new_york), datetime(2024, 11, 3, 6, tzinfo=new_york))
    assert night.business_seconds(*spring) == 7 * HOUR
    assert night.business_seconds(*autumn) == 9 * HOUR


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2021, 3, 22), 23), (date(2021, 9, 21), 25), (date(2021, 9, 22), 24)],
)
def test_dst_at_midnight_in_tehran_before_2022(day, hours):
    # Iran moved its clocks at midnight (00:00 → 01:00 in March, 24:00 → 23:00 in September)
    always = BusinessCalendar.preset("24x7", timezone="Asia/Tehran")
    assert _local_day(always, day) == hours * HOUR
