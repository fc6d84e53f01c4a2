"""Business calendars: business hours, holidays and time zones, in Python and in Ibis.

    from sanjeh.calendar import BusinessCalendar, with_business_seconds

    tehran = BusinessCalendar.preset("iran")            # Sat-Wed 08:00-16:00, IR holidays
    tehran.business_seconds(created, replied)           # two aware datetimes -> float
    clock = tehran.clock_table(date(2020, 1, 1), date(2030, 12, 31))
    facts = with_business_seconds(tickets, {"frt_bs": ("created_at", "first_reply_at")}, clock)

Named calendars come from ``[calendars.<name>]`` tables of ``sanjeh.toml``
(:func:`load_calendars`). Display helpers format dates in the Gregorian, Jalali or Hijri
calendar; :func:`date_dimension` gives a table to group by Jalali or Hijri month.
See docs/calendars.md.
"""

from ._calendar import BusinessCalendar
from ._clock_expr import (
    check_utc_session,
    epoch_seconds,
    with_business_clock,
    with_business_seconds,
    with_local_day,
)
from ._clock_table import clock_table
from ._config import calendars_from_mapping, load_calendars
from ._dimension import date_dimension
from ._display import (
    CalendarSystem,
    Digits,
    Language,
    format_date,
    format_datetime,
    localize_digits,
    to_calendar,
)
from ._presets import PRESETS

__all__ = [
    "PRESETS",
    "BusinessCalendar",
    "CalendarSystem",
    "Digits",
    "Language",
    "calendars_from_mapping",
    "check_utc_session",
    "clock_table",
    "date_dimension",
    "epoch_seconds",
    "format_date",
    "format_datetime",
    "load_calendars",
    "localize_digits",
    "to_calendar",
    "with_business_clock",
    "with_business_seconds",
    "with_local_day",
]
