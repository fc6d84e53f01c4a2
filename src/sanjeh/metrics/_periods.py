"""Periods: hour, day, week, month, Jalali month, Hijri month — in the business's zone.

Rows carry *local epoch seconds* (see ``_local``); a period key is integer arithmetic
on them, or a label from the date dimension (months), so grouping is portable. Keys
become labels and start dates in Python, after aggregation.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import ibis
import ibis.expr.types as ir

from ..errors import ConfigError

Period = Literal["hour", "day", "week", "month", "jalali_month", "hijri_month"]
PERIODS: tuple[str, ...] = ("hour", "day", "week", "month", "jalali_month", "hijri_month")
#: week start → offset that makes (epoch day + offset) % 7 == 0 on that weekday
#: (1970-01-01 was a Thursday)
WEEK_STARTS = {
    "monday": 3,
    "tuesday": 2,
    "wednesday": 1,
    "thursday": 0,
    "friday": 6,
    "saturday": 5,
    "sunday": 4,
}
_DAY = 86_400
_EPOCH = dt.date(1970, 1, 1)
_LABEL = {
    "month": "month_label",
    "jalali_month": "jalali_month_label",
    "hijri_month": "hijri_month_label",
}


def check_period(period: str | None) -> None:
    if period is not None and period not in PERIODS:
        raise ConfigError(f"unknown period {period!r}; use one of: {', '.join(PERIODS)}")


def period_key(
    local: ir.NumericValue, period: str, dates: ir.Table, week_start: str = "monday"
) -> tuple[ir.Value, ir.Table | None]:
    """(key expression, date-dimension table to join on ``_day`` or None)."""
    day = (local / _DAY).floor().cast("int64")
    if period == "hour":
        return (local / 3600).floor().cast("int64"), None
    if period == "day":
        return day, None
    if period == "week":
        if week_start not in WEEK_STARTS:
            raise ConfigError(f"week_start must be one of {', '.join(WEEK_STARTS)}")
        return day - (day + WEEK_STARTS[week_start]) % 7, None
    return ibis.literal(None), dates.select(_d_day="epoch_day", _d_label=_LABEL[period])


def local_day(local: ir.NumericValue) -> ir.IntegerValue:
    return (local / _DAY).floor().cast("int64")


def start_of(period: str, key: object) -> dt.datetime:
    """The local start of a period from its key (naive local datetime)."""
    if period == "hour":
        return dt.datetime(1970, 1, 1) + dt.timedelta(hours=int(key))  # type: ignore[call-overload]
    if period in ("day", "week"):
        return dt.datetime.combine(_EPOCH + dt.timedelta(days=int(key)), dt.time())  # type: ignore[call-overload]
    year, month = (int(p) for p in str(key).split("-"))
    if period == "month":
        return dt.datetime(year, month, 1)
    if period == "jalali_month":
        import jdatetime

        g = jdatetime.date(year, month, 1).togregorian()
        return dt.datetime(g.year, g.month, g.day)
    from hijridate import Hijri

    g = Hijri(year, month, 1).to_gregorian()
    return dt.datetime(g.year, g.month, g.day)


def label(period: str, key: object) -> str:
    if period == "hour":
        return start_of(period, key).strftime("%Y-%m-%d %H:00")
    if period in ("day", "week"):
        return start_of(period, key).strftime("%Y-%m-%d")
    return str(key)


def previous_key(period: str, key: object) -> object:
    if period == "hour":
        return int(key) - 1  # type: ignore[call-overload]
    if period == "day":
        return int(key) - 1  # type: ignore[call-overload]
    if period == "week":
        return int(key) - 7  # type: ignore[call-overload]
    year, month = (int(p) for p in str(key).split("-"))
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}"


def key_of(period: str, local_seconds: float, week_start: str = "monday") -> object:
    """The key of the period containing a local instant (the same keys as ``period_key``)."""
    day = int(local_seconds // _DAY)
    if period == "hour":
        return int(local_seconds // 3600)
    if period == "day":
        return day
    if period == "week":
        return day - (day + WEEK_STARTS[week_start]) % 7
    d = _EPOCH + dt.timedelta(days=day)
    if period == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if period == "jalali_month":
        import jdatetime

        j = jdatetime.date.fromgregorian(date=d)
        return f"{j.year:04d}-{j.month:02d}"
    from hijridate import Gregorian

    h = Gregorian(d.year, d.month, d.day).to_hijri()
    return f"{h.year:04d}-{h.month:02d}"


def local_seconds(moment: dt.datetime) -> float:
    """Naive local datetime → local epoch seconds."""
    return (moment - dt.datetime(1970, 1, 1)).total_seconds()


def next_key(period: str, key: object) -> object:
    if period in {"hour", "day"}:
        return int(key) + 1  # type: ignore[call-overload]
    if period == "week":
        return int(key) + 7  # type: ignore[call-overload]
    year, month = (int(p) for p in str(key).split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


def keys_between(period: str, first: object, last: object, limit: int = 100_000) -> list[object]:
    """Every period key from ``first`` to ``last`` inclusive."""
    out = [first]
    while out[-1] != last and len(out) < limit:
        if _after(out[-1], last):
            break
        out.append(next_key(period, out[-1]))
    return out


def _after(a: object, b: object) -> bool:
    return (int(a) > int(b)) if isinstance(a, int) else str(a) > str(b)  # type: ignore[call-overload]
