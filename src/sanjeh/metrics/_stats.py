"""Confidence intervals (95 %) for KPI values, computed from the aggregates."""

from __future__ import annotations

import math
from typing import Any

Z = 1.959963984540054


def wilson(successes: float, n: float) -> tuple[float, float]:
    """Wilson score interval of a proportion (good at small n and near 0 or 1)."""
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(mean: float, sd: float, n: float) -> tuple[float, float]:
    """Student-t interval of a mean."""
    if n < 2 or math.isnan(sd):
        return math.nan, math.nan
    from scipy import stats  # imported when needed: it is slow to import

    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return mean - half, mean + half


def interval(kind: str, row: Any) -> tuple[float, float]:
    if kind == "rate":
        return wilson(row.successes, row.n)
    if kind in ("duration", "number") and not math.isnan(row["mean"]) and row.value == row["mean"]:
        return mean_interval(row["mean"], row.sd, row.n)
    return math.nan, math.nan
