"""Dates shown in the Gregorian, Jalali and Hijri calendars, and the date dimension."""

from __future__ import annotations

from datetime import UTC, date, datetime

import jdatetime
import pytest
from hijridate import Hijri

from sanjeh.calendar import (
    date_dimension,
    format_date,
    format_datetime,
    localize_digits,
    to_calendar,
)
from sanjeh.calendar._names import MONTHS
from sanjeh.errors import ConfigError, ValidationError


@pytest.mark.parametrize(
    ("day", "calendar", "expected"),
    [
        (date(2025, 3, 21), "jalali", (1404, 1, 1)),  # Nowruz 1404
        (date(2025, 3, 20), "jalali", (1403, 12, 30)),  # 1403 is a leap year
        (date(2024, 3, 20), "jalali", (1403, 1, 1)),
        (date(2023, 12, 28), "hijri", (1445, 6, 15)),  # hijridate's README example
        (date(2025, 3, 1), "hijri", (1446, 9, 1)),  # 1 Ramadan 1446
        (date(1924, 8, 1), "hijri", (1343, 1, 1)),  # the first day of the Umm al-Qura table
        (date(2025, 3, 21), "gregorian", (2025, 3, 21)),
    ],
)
def test_to_calendar(day, calendar, expected):
    assert to_calendar(day, calendar) == expected


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((date(2025, 3, 21), "jalali", "fa"), {}, "۱ فروردین ۱۴۰۴"),
        ((date(2025, 3, 21), "jalali", "en"), {}, "1 Farvardin 1404"),
        ((date(2025, 3, 21), "jalali", "ar"), {}, "١ فروردين ١٤٠٤"),
        ((date(2025, 3, 21), "jalali", "fa"), {"digits": "latin"}, "1 فروردین 1404"),
        ((date(2025, 3, 21), "jalali", "fa"), {"style": "numeric"}, "۱۴۰۴/۰۱/۰۱"),
        ((date(2025, 3, 21), "jalali", "fa"), {"weekday": True}, "جمعه، ۱ فروردین ۱۴۰۴"),
        ((date(2025, 3, 1), "hijri", "ar"), {}, "١ رمضان ١٤٤٦"),
        ((date(2025, 3, 1), "hijri", "en"), {"weekday": True}, "Saturday, 1 Ramadan 1446"),
        ((date(2025, 3, 1), "hijri", "fa"), {}, "۱ رمضان ۱۴۴۶"),
        ((date(2025, 3, 21), "gregorian", "en"), {}, "21 March 2025"),
        ((date(2025, 3, 21), "gregorian", "en"), {"style": "numeric"}, "2025-03-21"),
        ((date(2025, 3, 21), "gregorian", "ar"), {}, "٢١ مارس ٢٠٢٥"),
        ((date(2025, 12, 25), "gregorian", "fa"), {}, "۲۵ دسامبر ۲۰۲۵"),
        ((datetime(2025, 3, 21, 23, 59), "jalali", "en"), {}, "1 Farvardin 1404"),
    ],
)
def test_format_date(args, kwargs, expected):
    assert format_date(*args, **kwargs) == expected


def test_format_datetime_in_the_users_zone():
    instant = datetime(2025, 3, 20, 20, 30, tzinfo=UTC)  # midnight of Nowruz in Tehran
    assert format_datetime(instant, "jalali", "en", timezone="Asia/Tehran") == (
        "1 Farvardin 1404 00:00"
    )
    assert format_datetime(instant, "jalali", "fa", timezone="Asia/Tehran", seconds=True) == (
        "۱ فروردین ۱۴۰۴ ۰۰:۰۰:۰۰"
    )
    assert format_datetime(instant) == "20 March 2025 20:30"  # its own zone by default


def test_localize_digits():
    assert localize_digits("2025-03-21", "arabic") == "٢٠٢٥-٠٣-٢١"
    assert localize_digits("1404/01/01", "persian") == "۱۴۰۴/۰۱/۰۱"
    assert localize_digits("12:30", "latin") == "12:30"


def test_month_names_match_jdatetime_and_hijridate():
    assert list(MONTHS["jalali"]["fa"]) == jdatetime.date.j_months_fa
    assert list(MONTHS["jalali"]["en"]) == jdatetime.date.j_months_en
    for lang in ("en", "ar"):
        names = [Hijri(1446, m, 1).month_name(lang) for m in range(1, 13)]
        assert list(MONTHS["hijri"][lang]) == names


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: format_date(date(2025, 1, 1), "mayan"), ConfigError, "unknown calendar"),
        (lambda: format_date(date(2025, 1, 1), language="de"), ConfigError, "unknown language"),
        (lambda: format_date(date(2025, 1, 1), digits="roman"), ConfigError, "unknown digits"),
        (lambda: format_date(date(2025, 1, 1), style="short"), ConfigError, "unknown style"),
        (lambda: format_date(date(1900, 1, 1), "hijri"), ValidationError, "Umm al-Qura"),
        (
            lambda: format_datetime(datetime(2025, 1, 1), timezone="Asia/Tehran"),
            ValidationError,
            "naive",
        ),
        (
            lambda: format_datetime(datetime(2025, 1, 1, tzinfo=UTC), timezone="Mars/Base"),
            ConfigError,
            "unknown time zone",
        ),
    ],
)
def test_display_mistakes(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- the date dimension ------------------------------------------------------------------------


def test_date_dimension_rows():
    dim = date_dimension(date(2025, 3, 19), date(2025, 3, 22))
    assert dim.num_rows == 4
    nowruz = dim.to_pylist()[2]
    assert nowruz == {
        "epoch_day": (date(2025, 3, 21) - date(1970, 1, 1)).days,
        "date": date(2025, 3, 21),
        "year": 2025,
        "month": 3,
        "day": 21,
        "weekday": 5,  # ISO: Friday
        "iso_year": 2025,
        "iso_week": 12,
        "month_label": "2025-03",
        "week_label": "2025-W12",
        "jalali_year": 1404,
        "jalali_month": 1,
        "jalali_day": 1,
        "jalali_month_label": "1404-01",
        "hijri_year": 1446,
        "hijri_month": 9,
        "hijri_day": 21,
        "hijri_month_label": "1446-09",
    }
    assert dim["jalali_month_label"].to_pylist() == ["1403-12", "1403-12", "1404-01", "1404-01"]


def test_date_dimension_iso_weeks_cross_years():
    dim = date_dimension(date(2024, 12, 29), date(2024, 12, 30)).to_pylist()
    assert [r["week_label"] for r in dim] == ["2024-W52", "2025-W01"]


def test_date_dimension_hijri_is_null_outside_its_table():
    dim = date_dimension(date(1924, 7, 31), date(1924, 8, 1)).to_pylist()
    assert dim[0]["hijri_year"] is None and dim[0]["hijri_month_label"] is None
    assert dim[1]["hijri_month_label"] == "1343-01"


def test_date_dimension_mistakes():
    with pytest.raises(ConfigError, match="swap them"):
        date_dimension(date(2025, 1, 2), date(2025, 1, 1))
    with pytest.raises(ConfigError, match="not datetimes"):
        date_dimension(datetime(2025, 1, 1), date(2025, 1, 2))
