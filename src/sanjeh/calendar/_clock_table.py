"""The business-clock table: one row per UTC date, joined to timestamps by any backend.

The business clock B(t) counts business seconds since 00:00 UTC of the table's first
date. For the UTC date of t, the table holds ``cum`` = B at 00:00 UTC and that day's
business windows clipped to the UTC day (``w{k}_start`` seconds after 00:00 UTC,
``w{k}_len`` seconds; unused slots are 0, 0), so

    B(t) = cum + Σ_k clamp(seconds_since_utc_midnight(t) − w{k}_start, 0, w{k}_len)

It is keyed by UTC date because timestamps are stored in UTC and converting them to a
local zone is not portable across Ibis backends; the zone is applied here, in Python.
The UTC offset columns (``utc_offset`` until ``utc_offset_change`` seconds after 00:00
UTC, ``utc_offset_after`` from then on) give the local date without a zone conversion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pyarrow as pa

from ..errors import ConfigError
from ._calendar import ONE_DAY, BusinessCalendar
from ._windows import DAY

UNIX_EPOCH = date(1970, 1, 1)
KEY_COLUMNS = ("calendar", "epoch_day")


def _offset(zone: ZoneInfo, second: int) -> int:
    offset = datetime.fromtimestamp(second, zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _offsets(zone: ZoneInfo, day_start: int) -> tuple[int, int, int]:
    """(offset at 00:00 UTC, seconds until it changes or 86400, offset after the change)."""
    before, after = _offset(zone, day_start), _offset(zone, day_start + DAY - 1)
    if before == after:  # zones change their offset at most once a day
        return before, DAY, before
    lo, hi = 0, DAY - 1  # first second with the new offset lies in (lo, hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _offset(zone, day_start + mid) == before else (lo, mid)
    return before, hi, after


def _one_calendar(cal: BusinessCalendar, start: date, end: date) -> tuple[dict[str, list], int]:
    first_day, last_day = (start - UNIX_EPOCH).days, (end - UNIX_EPOCH).days
    t0, t1 = first_day * DAY, (last_day + 1) * DAY
    windows: list[list[tuple[int, int]]] = [[] for _ in range(last_day - first_day + 1)]
    local_first = cal._local_date(t0 * 1_000_000) - 2 * ONE_DAY
    for lo, hi in cal._spans(local_first, cal._local_date(t1 * 1_000_000)):
        lo, hi = max(lo, t0), min(hi, t1)
        while lo < hi:  # split at UTC midnights
            day = lo // DAY
            cut = min(hi, (day + 1) * DAY)
            windows[day - first_day].append((lo - day * DAY, cut - lo))
            lo = cut
    cols: dict[str, list] = {"epoch_day": [], "date": [], "cum": []}
    offsets: list[tuple[int, int, int]] = []
    cum = 0
    for i, day_windows in enumerate(windows):
        cols["epoch_day"].append(first_day + i)
        cols["date"].append(start + i * ONE_DAY)
        cols["cum"].append(cum)
        cum += sum(length for _, length in day_windows)
        offsets.append(_offsets(cal.zone, (first_day + i) * DAY))
    width = max(1, *(len(w) for w in windows))
    for k in range(width):
        cols[f"w{k}_start"] = [w[k][0] if k < len(w) else 0 for w in windows]
        cols[f"w{k}_len"] = [w[k][1] if k < len(w) else 0 for w in windows]
    for j, column in enumerate(("utc_offset", "utc_offset_change", "utc_offset_after")):
        cols[column] = [o[j] for o in offsets]
    return cols, width


def _named(calendars: Mapping[str, BusinessCalendar] | Iterable[BusinessCalendar]) -> dict:
    if isinstance(calendars, Mapping):
        named = dict(calendars)
    else:
        named = {}
        for cal in calendars:
            if cal.name in named:
                raise ConfigError(
                    f"two calendars are named {cal.name!r}; give each a distinct name, or "
                    "pass a dict {name: calendar}"
                )
            named[cal.name] = cal
    if not named:
        raise ConfigError("clock_table: no calendars given; pass one or a dict of them")
    for name, cal in named.items():
        if not isinstance(cal, BusinessCalendar):
            raise ConfigError(f"clock_table: {name!r} is {cal!r}, not a BusinessCalendar")
    return named


def clock_table(
    calendars: BusinessCalendar | Mapping[str, BusinessCalendar] | Iterable[BusinessCalendar],
    start: date,
    end: date,
) -> pa.Table:
    """The business-clock table for UTC dates ``start`` … ``end`` (inclusive).

    One calendar gives one row per date. Several (a dict ``{name: calendar}`` or a list
    of calendars with distinct names) give one row per (calendar, date) with the name in
    a ``calendar`` column, to join on (calendar, epoch_day). Timestamps outside the dates
    get a null business clock, so cover the data's whole span (a few thousand rows per
    calendar cover decades).
    """
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise ConfigError("clock_table takes dates (datetime.date), not datetimes")
    if end < start:
        raise ConfigError(f"clock_table: end {end} is before start {start}; swap them")
    parts: dict[str | None, tuple[dict[str, list], int]]
    if isinstance(calendars, BusinessCalendar):
        parts = {None: _one_calendar(calendars, start, end)}
    else:
        parts = {n: _one_calendar(c, start, end) for n, c in _named(calendars).items()}
    width = max(w for _, w in parts.values())
    columns: dict[str, list] = {}
    for name, (cols, _) in parts.items():
        rows = len(cols["epoch_day"])
        if name is not None:
            columns.setdefault("calendar", []).extend([name] * rows)
        for column in ("epoch_day", "date", "cum"):
            columns.setdefault(column, []).extend(cols[column])
        for k in range(width):  # pad every calendar to the widest day
            for part in ("start", "len"):
                columns.setdefault(f"w{k}_{part}", []).extend(cols.get(f"w{k}_{part}", [0] * rows))
        for column in ("utc_offset", "utc_offset_change", "utc_offset_after"):
            columns.setdefault(column, []).extend(cols[column])
    types = {"calendar": pa.string(), "epoch_day": pa.int64(), "date": pa.date32()}
    types["cum"] = pa.int64()
    return pa.table({n: pa.array(v, types.get(n, pa.int32())) for n, v in columns.items()})
