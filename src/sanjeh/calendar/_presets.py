"""Ready-made calendars, usable as they are or as a starting point (``preset = "iran"``)."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import ConfigError


def _days(days: str, start: str, end: str) -> dict[str, list[tuple[str, str]]]:
    return {day: [(start, end)] for day in days.split()}


PRESETS: dict[str, dict[str, Any]] = {
    # Iranian offices: Saturday to Wednesday; Friday (and here Thursday) is the weekend
    "iran": {
        "timezone": "Asia/Tehran",
        "weekly": _days("sat sun mon tue wed", "08:00", "16:00"),
        "holidays": ["IR"],
    },
    # Saudi Arabia and most of the Gulf: Sunday to Thursday, Friday-Saturday weekend
    "gulf": {
        "timezone": "Asia/Riyadh",
        "weekly": _days("sun mon tue wed thu", "08:00", "17:00"),
        "holidays": ["SA"],
    },
    "weekdays": {
        "timezone": "UTC",
        "weekly": _days("mon tue wed thu fri", "09:00", "17:00"),
        "holidays": [],
    },
    "24x7": {
        "timezone": "UTC",
        "weekly": _days("mon tue wed thu fri sat sun", "00:00", "24:00"),
        "holidays": [],
    },
}


def preset_fields(name: str) -> dict[str, Any]:
    """The constructor arguments of a preset (a fresh copy)."""
    try:
        fields = PRESETS[name]
    except KeyError:
        raise ConfigError(
            f"unknown calendar preset {name!r}; presets are: {', '.join(PRESETS)}"
        ) from None
    return copy.deepcopy(fields)
