"""Confidence intervals (95 %) for KPI values, computed from the aggregates."""

from __future__ import annotations

import numpy as np
import pandas as pd

Z = 1.959963984540054


def intervals(frame: pd.DataFrame, kinds: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """95 % intervals for every row at once: Wilson for rates, Student-t for KPIs whose
    headline is a mean; NaN elsewhere (medians, counts)."""
    from scipy import stats  # imported when needed: it is slow to import

    n = frame.n.to_numpy(dtype=float)
    low, high = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    rate = (kinds == "rate").to_numpy() & (n > 0)
    if rate.any():
        k, m = frame.successes.to_numpy(dtype=float)[rate], n[rate]
        p = k / m
        denom = 1 + Z * Z / m
        centre = (p + Z * Z / (2 * m)) / denom
        half = Z * np.sqrt(p * (1 - p) / m + Z * Z / (4 * m * m)) / denom
        low[rate], high[rate] = np.maximum(0, centre - half), np.minimum(1, centre + half)
    mean = frame["mean"].to_numpy(dtype=float)
    numeric = (
        kinds.isin(["duration", "number"]).to_numpy()
        & (n >= 2)
        & (frame.value.to_numpy(dtype=float) == mean)
    )
    if numeric.any():
        sd, m = frame.sd.to_numpy(dtype=float)[numeric], n[numeric]
        half = stats.t.ppf(0.975, m - 1) * sd / np.sqrt(m)
        low[numeric], high[numeric] = mean[numeric] - half, mean[numeric] + half
    return low, high
