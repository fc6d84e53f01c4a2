"""Dates for people: Gregorian, Jalali (jdatetime) or Hijri Umm al-Qura (hijridate).

format_date(date(2025, 3, 21), "jalali", "fa")   → "۱ فروردین ۱۴۰۴"
format_date(date(2025, 3, 1), "hijri", "en")     → "1 Ramadan 1446"
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Literal, get_args

import jdatetime
from hijridate import Gregorian

from ..errors import ConfigError, ValidationError
from ._calendar import zone_info
from ._names import DEFAULT_DIGITS, DIGIT_ZERO, MONTHS, WEEKDAYS

CalendarSystem = Literal["gregorian", "jalali", "hijri"]
Language = Literal["en", "fa", "ar"]
Digits = Literal["latin", "persian", "arabic"]
Style = Literal["long", "numeric"]

#: the Umm al-Qura table of hijridate covers these Gregorian dates
HIJRI_RANGE = (date(1924, 8, 1), date(2077, 11, 16))
_ARABIC_COMMA = "\u060c"


def _choice(value: str, options: tuple[str, ...], what: str) -> str:
    if value not in options:
        raise ConfigError(f"unknown {what} {value!r}; use one of {', '.join(options)}")
    return value


def localize_digits(text: str, digits: Digits | str) -> str:
    """Write the digits 0-9 of ``text`` as Latin, Persian (۰-۹) or Arabic-Indic (٠-٩)."""
    zero = ord(DIGIT_ZERO[_choice(digits, get_args(Digits), "digits")])
    return text.translate({ord("0") + i: zero + i for i in range(10)})


def to_calendar(day: date, calendar: CalendarSystem) -> tuple[int, int, int]:
    """(year, month, day) of a Gregorian date in the Gregorian, Jalali or Hijri calendar."""
    _choice(calendar, get_args(CalendarSystem), "calendar")
    if isinstance(day, datetime):
        day = day.date()
    if calendar == "jalali":
        j = jdatetime.date.fromgregorian(date=day)
        return j.year, j.month, j.day
    if calendar == "hijri":
        if not HIJRI_RANGE[0] <= day <= HIJRI_RANGE[1]:
            raise ValidationError(
                "date",
                f"{day} is outside the Umm al-Qura table ({HIJRI_RANGE[0]} to "
                f"{HIJRI_RANGE[1]}); show it in the gregorian or jalali calendar",
            )
        h = Gregorian(day.year, day.month, day.day).to_hijri()
        return h.year, h.month, h.day
    return day.year, day.month, day.day


def format_date(
    value: date | datetime,
    calendar: CalendarSystem = "gregorian",
    language: Language = "en",
    *,
    digits: Digits | None = None,
    style: Style = "long",
    weekday: bool = False,
) -> str:
    """A date in the user's calendar and language.

    ``style="long"``: day, month name, year ("21 March 2025", "۱ فروردین ۱۴۰۴");
    ``style="numeric"``: ``2025-03-21`` (Gregorian) or ``1404/01/01`` (Jalali, Hijri).
    ``digits`` defaults to the language's own: Persian for fa, Arabic-Indic for ar.
    A datetime is shown by its own (wall-clock) date; see :func:`format_datetime`.
    """
    _choice(language, get_args(Language), "language")
    _choice(style, get_args(Style), "style")
    day = value.date() if isinstance(value, datetime) else value
    year, month, dom = to_calendar(day, calendar)
    if style == "numeric":
        sep = "-" if calendar == "gregorian" else "/"
        text = f"{year:04d}{sep}{month:02d}{sep}{dom:02d}"
    else:
        text = f"{dom} {MONTHS[calendar][language][month - 1]} {year}"
    if weekday:
        comma = "," if language == "en" else _ARABIC_COMMA
        text = f"{WEEKDAYS[language][day.weekday()]}{comma} {text}"
    return localize_digits(text, digits or DEFAULT_DIGITS[language])


def format_datetime(
    value: datetime,
    calendar: CalendarSystem = "gregorian",
    language: Language = "en",
    *,
    timezone: str | tzinfo | None = None,
    digits: Digits | None = None,
    style: Style = "long",
    weekday: bool = False,
    seconds: bool = False,
) -> str:
    """Date and time (24-hour clock) in ``timezone`` (default: the value's own zone)."""
    if timezone is not None:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(
                "value",
                f"{value.isoformat()} is naive, so it cannot be shown in {timezone}; pass an "
                "aware datetime (stored timestamps are UTC)",
            )
        zone = zone_info(timezone, "format_datetime") if isinstance(timezone, str) else timezone
        value = value.astimezone(zone)
    clock = value.strftime("%H:%M:%S" if seconds else "%H:%M")
    day = format_date(value, calendar, language, digits=digits, style=style, weekday=weekday)
    return f"{day} {localize_digits(clock, digits or DEFAULT_DIGITS[language])}"
