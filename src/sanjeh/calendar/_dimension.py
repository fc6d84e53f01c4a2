"""The date dimension: one row per date with its Gregorian, ISO, Jalali and Hijri parts.

Joined on ``epoch_day`` (or ``date``) it lets the KPI engine group by Jalali month,
Hijri month or ISO week with an equi-join instead of calendar arithmetic in SQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa

from ..errors import ConfigError
from ._display import HIJRI_RANGE, to_calendar

_UNIX_EPOCH = date(1970, 1, 1)
_INT = pa.int32()
SCHEMA = pa.schema(
    [
        ("epoch_day", pa.int64()),
        ("date", pa.date32()),
        ("year", _INT),
        ("month", _INT),
        ("day", _INT),
        ("weekday", _INT),
        ("iso_year", _INT),
        ("iso_week", _INT),
        ("month_label", pa.string()),
        ("week_label", pa.string()),
        ("jalali_year", _INT),
        ("jalali_month", _INT),
        ("jalali_day", _INT),
        ("jalali_month_label", pa.string()),
        ("hijri_year", _INT),
        ("hijri_month", _INT),
        ("hijri_day", _INT),
        ("hijri_month_label", pa.string()),
    ]
)


def date_dimension(start: date, end: date) -> pa.Table:
    """One row per date ``start`` … ``end`` (inclusive).

    ``weekday`` is ISO (1 = Monday … 7 = Sunday); labels are ``2025-03`` (month),
    ``2025-W12`` (ISO week), ``1404-01`` (Jalali month) and ``1446-09`` (Hijri month).
    Hijri columns are null outside the Umm al-Qura table (1924-08-01 to 2077-11-16).
    """
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise ConfigError("date_dimension takes dates (datetime.date), not datetimes")
    if end < start:
        raise ConfigError(f"date_dimension: end {end} is before start {start}; swap them")
    rows: dict[str, list] = {name: [] for name in SCHEMA.names}
    day = start
    while day <= end:
        iso = day.isocalendar()
        jy, jm, jd = to_calendar(day, "jalali")
        hijri = HIJRI_RANGE[0] <= day <= HIJRI_RANGE[1]
        hy, hm, hd = to_calendar(day, "hijri") if hijri else (None, None, None)
        values = (
            (day - _UNIX_EPOCH).days,
            day,
            day.year,
            day.month,
            day.day,
            iso.weekday,
            iso.year,
            iso.week,
            f"{day.year:04d}-{day.month:02d}",
            f"{iso.year:04d}-W{iso.week:02d}",
            jy,
            jm,
            jd,
            f"{jy:04d}-{jm:02d}",
            hy,
            hm,
            hd,
            f"{hy:04d}-{hm:02d}" if hijri else None,
        )
        for name, value in zip(SCHEMA.names, values, strict=True):
            rows[name].append(value)
        day += timedelta(days=1)
    return pa.table(rows, schema=SCHEMA)
