"""95 % intervals for many groups at once, and the periods reviews are grouped by.

- a failure rate k / n: Wilson score interval (Wilson 1927), good at small n and near 0 / 1;
- a mean score: Student-t, mean ± t(0.975, n − 1) · sd / √n (n ≥ 2);
- the change of a mean: Welch, with the Welch–Satterthwaite degrees of freedom;
- the change of a rate: Newcombe's hybrid score interval from the two Wilson intervals
  (Newcombe 1998, "Interval estimation for the difference between independent
  proportions", method 10).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ..calendar import to_calendar

Z = 1.959963984540054
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERIODS = ("week", "month", "jalali_month", "hijri_month")


def _f(x: object) -> np.ndarray:
    return np.asarray(x, dtype=float)


def wilson(k: object, n: object) -> tuple[np.ndarray, np.ndarray]:
    """Wilson 95 % bounds of k / n (NaN where n = 0)."""
    k, n = _f(k), _f(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + Z * Z / n
        centre = (p + Z * Z / (2 * n)) / denom
        half = Z * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denom
    return np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)


def t_interval(mean: object, sd: object, n: object) -> tuple[np.ndarray, np.ndarray]:
    """Student-t 95 % bounds of a mean of category scores (NaN where n < 2), kept within
    the scores' own 0–100: a bound of 102.7 would promise a score no review can get."""
    from scipy import stats

    mean, sd, n = _f(mean), _f(sd), _f(n)
    ok = n >= 2
    half = np.full(mean.shape, np.nan)
    half[ok] = stats.t.ppf(0.975, n[ok] - 1) * sd[ok] / np.sqrt(n[ok])
    return np.clip(mean - half, 0.0, 100.0), np.clip(mean + half, 0.0, 100.0)


def welch(
    m1: object, s1: object, n1: object, m2: object, s2: object, n2: object
) -> tuple[np.ndarray, np.ndarray]:
    """95 % bounds of mean1 − mean2 (Welch; NaN unless both n ≥ 2)."""
    from scipy import stats

    m1, s1, n1, m2, s2, n2 = (_f(x) for x in (m1, s1, n1, m2, s2, n2))
    ok = (n1 >= 2) & (n2 >= 2)
    low = np.full(m1.shape, np.nan)
    high = np.full(m1.shape, np.nan)
    if not ok.any():
        return low, high
    a, b = s1[ok] ** 2 / n1[ok], s2[ok] ** 2 / n2[ok]
    se = np.sqrt(a + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (a + b) ** 2 / (a**2 / (n1[ok] - 1) + b**2 / (n2[ok] - 1))
    # both samples without spread: the difference is exact
    q = np.where(se > 0, stats.t.ppf(0.975, np.where(np.isfinite(df), df, 1.0)), 0.0)
    d = m1[ok] - m2[ok]
    low[ok], high[ok] = d - q * se, d + q * se
    return low, high


def newcombe(k1: object, n1: object, k2: object, n2: object) -> tuple[np.ndarray, np.ndarray]:
    """95 % bounds of k1/n1 − k2/n2 (Newcombe's method 10; NaN where an n is 0)."""
    k1, n1, k2, n2 = _f(k1), _f(n1), _f(k2), _f(n2)
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    return (
        d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def period_keys(at: pd.Series, period: str, timezone: str, week_start: str) -> pd.Series:
    """The period of each instant (aware UTC) in the business's zone: a week by the
    date it starts (``2026-03-02``), a month as ``YYYY-MM`` in its own calendar."""
    local = at.dt.tz_convert(ZoneInfo(timezone)).dt.date
    days = pd.Series(pd.unique(local))
    keys = {d: period_of(d, period, week_start) for d in days}
    return local.map(keys)


def period_of(day: dt.date, period: str, week_start: str = "monday") -> str:
    if period == "week":
        back = (day.weekday() - WEEKDAYS.index(week_start)) % 7
        return (day - dt.timedelta(days=back)).isoformat()
    system = {"month": "gregorian", "jalali_month": "jalali", "hijri_month": "hijri"}[period]
    year, month, _ = to_calendar(day, system)  # type: ignore[arg-type]
    return f"{year:04d}-{month:02d}"


def period_bounds(period: str, key: str) -> tuple[dt.date, dt.date]:
    """The first day of a period and the first day after it (local dates)."""
    if period == "week":
        first = dt.date.fromisoformat(key)
        return first, first + dt.timedelta(days=7)
    year, month = (int(p) for p in key.split("-"))
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    return _gregorian(period, year, month), _gregorian(period, *after)


def previous_key(period: str, key: str) -> str:
    if period == "week":
        return (dt.date.fromisoformat(key) - dt.timedelta(days=7)).isoformat()
    year, month = (int(p) for p in key.split("-"))
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}"


def _gregorian(period: str, year: int, month: int) -> dt.date:
    if period == "month":
        return dt.date(year, month, 1)
    if period == "jalali_month":
        import jdatetime

        g = jdatetime.date(year, month, 1).togregorian()
        return dt.date(g.year, g.month, g.day)
    from hijridate import Hijri

    h = Hijri(year, month, 1).to_gregorian()
    return dt.date(h.year, h.month, h.day)
