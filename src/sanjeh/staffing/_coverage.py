"""Agents on shift per interval: spans of time summed onto a regular grid, exactly."""

from __future__ import annotations

import numpy as np


def agents_per_interval(
    starts: np.ndarray, ends: np.ndarray, grid_start: float, intervals: int, interval_s: float
) -> np.ndarray:
    """Agent-seconds of the spans ``[start, end)`` (epoch seconds) in each of ``intervals``
    intervals from ``grid_start``, divided by ``interval_s``: a shift covering half of an
    interval adds half an agent to it. Linear in spans + intervals.
    """
    grid_end = grid_start + intervals * interval_s
    s = np.clip(np.asarray(starts, float), grid_start, grid_end)
    e = np.clip(np.asarray(ends, float), grid_start, grid_end)
    keep = e > s
    pos_s, pos_e = (s[keep] - grid_start) / interval_s, (e[keep] - grid_start) / interval_s
    first, last = np.floor(pos_s).astype(np.int64), np.floor(pos_e).astype(np.int64)
    # a whole agent in every interval from the start's to the one before the end's …
    steps = np.zeros(intervals + 1)
    np.add.at(steps, first, 1.0)
    np.add.at(steps, last, -1.0)
    covered = np.cumsum(steps)[:intervals]
    # … less the part of the first interval before the start, plus the end's interval's part
    np.add.at(covered, first, -(pos_s - first))
    inside = last < intervals
    np.add.at(covered, last[inside], (pos_e - last)[inside])
    return np.clip(covered, 0.0, None)  # rounding may leave -1e-16
