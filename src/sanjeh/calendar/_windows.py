"""Weekly business windows: weekday names and ``"HH:MM"`` times, parsed and checked.

A window is stored as ``(start, end)`` in seconds after the local midnight of the day
it starts on. ``end`` may pass 86 400: ``("22:00", "06:00")`` is ``(79200, 108000)``, a
night shift that belongs to the day it starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any

from ..errors import ConfigError

DAY = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LONG_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LONG_WEEKDAYS = _LONG_NAMES
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")

Window = tuple[int, int]
WeeklyWindows = tuple[tuple[Window, ...], ...]  # indexed by weekday, Monday = 0


def _weekday(key: object, where: str) -> int:
    name = str(key).strip().lower()
    for names in (WEEKDAYS, _LONG_NAMES):
        if name in names:
            return names.index(name)
    raise ConfigError(f"{where}: unknown day {key!r}; use {', '.join(WEEKDAYS)}")


def _seconds(value: object, where: str, *, is_end: bool) -> int:
    if isinstance(value, time):  # TOML local times (08:00:00) arrive as datetime.time
        if value.tzinfo is not None:
            raise ConfigError(f"{where}: {value} has a time zone; give a local time like 08:00")
        return value.hour * 3600 + value.minute * 60 + value.second
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(f'{where}: {value!r} is not a time; write it as "HH:MM", e.g. "08:30"')
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or total > DAY:
        raise ConfigError(f"{where}: {value!r} is not a time of day (00:00 to 24:00)")
    if total == DAY and not is_end:
        raise ConfigError(f'{where}: "24:00" can only end a window; start the day at "00:00"')
    return total


def _window(pair: object, where: str) -> Window:
    if isinstance(pair, str | bytes) or not isinstance(pair, Iterable):
        raise ConfigError(f'{where}: a window is a pair [start, end], e.g. ["08:00", "16:00"]')
    items = list(pair)
    if len(items) != 2:
        raise ConfigError(f'{where}: a window is a pair [start, end], e.g. ["08:00", "16:00"]')
    start = _seconds(items[0], f"{where} start", is_end=False)
    end = _seconds(items[1], f"{where} end", is_end=True)
    if end == start:
        raise ConfigError(
            f"{where}: start and end are both {items[0]!r}, so the window is empty; "
            'for a whole day write ["00:00", "24:00"]'
        )
    # an end at or before the start is a night shift that ends the next day
    return (start, end if end > start else end + DAY)


def parse_weekly(weekly: Mapping[Any, Any], where: str) -> WeeklyWindows:
    """Check and normalise ``{"sat": [("08:00", "16:00")], ...}``; days left out are closed."""
    if not isinstance(weekly, Mapping):
        raise ConfigError(
            f'{where}: weekly must map days to windows, e.g. {{"mon": [["09:00", "17:00"]]}}'
        )
    days: list[list[Window]] = [[] for _ in WEEKDAYS]
    for key, windows in weekly.items():
        day = _weekday(key, f"{where}: weekly")
        label = f"{where}: weekly.{WEEKDAYS[day]}"
        if isinstance(windows, str | bytes) or not isinstance(windows, Iterable):
            raise ConfigError(f'{label}: give a list of windows, e.g. [["08:00", "16:00"]]')
        days[day].extend(_window(w, f"{label}[{i}]") for i, w in enumerate(windows))
    if not any(days):
        raise ConfigError(
            f"{where}: weekly has no windows, so the calendar is never open; add at least one "
            'window (e.g. mon = [["09:00", "17:00"]]) or use the "24x7" preset'
        )
    return tuple(tuple(sorted(d)) for d in days)


def format_seconds(seconds: int) -> str:
    """``79200`` → ``"22:00"``; seconds only when there are any."""
    hours, rest = divmod(seconds % DAY if seconds != DAY else DAY, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def weekly_as_text(windows: WeeklyWindows) -> dict[str, list[tuple[str, str]]]:
    """The normalised windows back as ``{"mon": [("09:00", "17:00")], ...}``."""
    return {
        WEEKDAYS[day]: [(format_seconds(s), format_seconds(e)) for s, e in wins]
        for day, wins in enumerate(windows)
        if wins
    }


def first_workday(windows: WeeklyWindows) -> str:
    """The day a week of these hours starts: the first day after the weekend.

    The weekend is the longest run of days without windows (Friday in Iran, Friday and
    Saturday in much of the Gulf, Saturday and Sunday in Europe), so the week starts on
    Saturday, Sunday or Monday respectively. Hours open every day (or never) start the
    week on Monday (ISO 8601).
    """
    closed = [not day for day in windows]
    if all(closed) or not any(closed):
        return _LONG_NAMES[0]
    best_end, best_len = 0, 0
    for start in range(7):  # runs may wrap around Sunday → Monday
        if not closed[start] or closed[(start - 1) % 7]:
            continue
        length = 0
        while closed[(start + length) % 7]:
            length += 1
        if length > best_len:
            best_end, best_len = (start + length) % 7, length
    return _LONG_NAMES[best_end]
