"""Staffing benchmark: required_agents over a year of 15-minute intervals for 20 teams.

    python bench/staffing.py [--teams 20] [--baseline-rows 20000] [--repeat 3]

35,040 intervals × 20 teams = 700,800 staffing questions (arrivals from a call-centre
day and week shape, 0–250 calls per interval, AHT 180–600 s by team; 80 % in 20 s,
occupancy at most 0.85, shrinkage 0.3):

- ``erlang_c``: one vectorised ``required_agents`` call for all of them (target < 1 s);
- ``baseline``: the textbook per-interval loop in plain Python (Erlang B recursion, then
  one agent more until the target is met), timed on the first ``--baseline-rows`` rows
  and scaled to all of them; its answers are checked equal to the vectorised ones;
- ``erlang_a``: the same questions with patience 90 s;
- ``forecast``: ``forecast`` of one team's next week from its year (35,040 intervals).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd

from _common import report, timed
from sanjeh.staffing import forecast, required_agents

INTERVALS = 35_040  # 365 days of 15 minutes
TARGET, LEVEL, CAP, SHRINK = 20.0, 0.8, 0.85, 0.3


def workload(teams: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, pd.DatetimeIndex]:
    """Arrivals (teams × intervals) and AHT per row."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2026-01-01", periods=INTERVALS, freq="15min")
    hours = np.asarray(index.hour + index.minute / 60, dtype=float)
    day = np.exp(-(((hours - 11) / 4) ** 2)) + 0.05
    week = np.where(index.day_of_week >= 5, 0.35, 1.0)
    size = rng.uniform(20, 240, teams)[:, None]
    rate = size * day[None, :] * week[None, :]
    arrivals = rng.poisson(rate).astype(float)
    aht = np.repeat(rng.uniform(180, 600, teams), INTERVALS)
    return arrivals.ravel(), aht, index


def textbook(arrivals: float, aht: float) -> tuple[int, int]:
    """One interval at a time, as a spreadsheet macro would: raw and scheduled agents."""
    load = arrivals * aht / 900
    if load == 0:
        return 0, 0
    n = max(math.floor(load) + 1, math.ceil(load / CAP - 1e-9))
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    while True:
        c = n * b / (n - load * (1 - b))
        if 1 - c * math.exp(-(n - load) * TARGET / aht) >= LEVEL:
            return n, math.ceil(n / (1 - SHRINK) - 1e-9)
        n += 1
        b = load * b / (n + load * b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    arrivals, aht, index = workload(args.teams)
    rows = arrivals.size
    print(f"{rows:,} intervals ({args.teams} teams × {INTERVALS:,}), {arrivals.sum():,.0f} calls")

    def vectorised(model: str = "erlang_c", patience: float | None = None) -> object:
        return required_agents(
            arrivals,
            900,
            aht,
            TARGET,
            LEVEL,
            model=model,
            patience_s=patience,  # type: ignore[arg-type]
            max_occupancy=CAP,
            shrinkage=SHRINK,
        )

    seconds_c, got = timed(vectorised, repeat=args.repeat)
    sample = min(args.baseline_rows, rows)
    start = time.perf_counter()
    expected = [textbook(a, h) for a, h in zip(arrivals[:sample], aht[:sample], strict=True)]
    baseline = (time.perf_counter() - start) / sample * rows
    raw = np.asarray(got.raw_agents)  # type: ignore[attr-defined]
    scheduled = np.asarray(got.agents)  # type: ignore[attr-defined]
    assert [tuple(p) for p in zip(raw[:sample], scheduled[:sample], strict=True)] == expected
    seconds_a, got_a = timed(lambda: vectorised("erlang_a", 90.0), repeat=1)
    one_team = pd.Series(arrivals[:INTERVALS], index=index)
    seconds_f, _ = timed(lambda: forecast(one_team, 672), repeat=1)
    results = [
        {"step": "erlang_c (vectorised)", "seconds": seconds_c, "rows_per_s": rows / seconds_c},
        {
            "step": "baseline (per-interval loop)",
            "seconds": baseline,
            "rows_per_s": rows / baseline,
        },
        {"step": "erlang_a (vectorised)", "seconds": seconds_a, "rows_per_s": rows / seconds_a},
        {
            "step": "forecast (1 team, 1 year → 1 week)",
            "seconds": seconds_f,
            "rows_per_s": INTERVALS / seconds_f,
        },
    ]
    report("staffing", results)
    print(
        f"\nerlang_c: {seconds_c:.3f} s for {rows:,} intervals (target < 1 s), "
        f"{baseline / seconds_c:.0f}× the per-interval loop ({baseline:.1f} s, measured on "
        f"{sample:,} rows, answers equal); mean raw agents {raw.mean():.1f}, max {raw.max()}; "
        f"Erlang A needs {np.mean(np.asarray(got_a.raw_agents)) / raw.mean():.0%} of that"  # type: ignore[attr-defined]
    )


if __name__ == "__main__":
    main()
