"""Human formatting of KPI values by unit."""

from __future__ import annotations

import math


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_duration(seconds: float | None) -> str:
    """3725 → "1h 02m"; 95 → "1m 35s"; 2 days and more → "2d 04h"."""
    if _missing(seconds):
        return "—"
    assert seconds is not None
    sign = "−" if seconds < 0 else ""
    s = round(abs(seconds))
    days, rest = divmod(s, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"


def format_value(unit: str, value: float | None) -> str:
    if _missing(value):
        return "—"
    assert value is not None
    if unit == "seconds":
        return format_duration(value)
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "money":
        return f"{value:,.2f}"
    if unit in ("score", "number", "per_hour"):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,.3g}"


def format_change(unit: str, change: float | None) -> str:
    if _missing(change):
        return ""
    assert change is not None
    arrow = "▲" if change > 0 else ("▼" if change < 0 else "=")
    if unit == "ratio":
        return f"{arrow} {abs(change) * 100:.1f} pt"
    return f"{arrow} {format_value(unit, abs(change))}"
