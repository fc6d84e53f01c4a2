"""Measure ``forecast`` against seasonal naive on held-out weeks of real call arrivals.

    python -m sanjeh.staffing.evaluate examples/callcenter/anonymous_bank_1999.csv --holidays IL
    python -m sanjeh.staffing.evaluate FILE --weeks 26 --holidays IL --json out.json

Rolling origin: for each of the last ``weeks`` whole weeks of the file, the forecast
sees every interval before that week and predicts the week (one week ahead, the
horizon a weekly schedule is planned on); seasonal naive predicts each interval with
the same interval a week earlier. MASE scales both by the in-sample MAE of seasonal
naive on the history (Hyndman & Koehler 2006), so seasonal naive scores ≈ 1 and lower
is better. docs/evaluation.md has the figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

import holidays as holidays_pkg
import numpy as np
import pandas as pd

from ..errors import SanjehError, StaffingError
from ._forecast import check_series, forecast, mase, seasonal_naive, seasonal_periods


def read_interval_counts(path: str | Path) -> pd.Series:
    """A file of counts with one row per day: ``date,00:00,00:30,…`` → one Series.

    The layout of examples/callcenter/anonymous_bank_1999.csv: the first column the
    local date, then one column per interval start (HH:MM), evenly spaced.
    """
    try:
        wide = pd.read_csv(path, dtype={"date": str})
    except (OSError, ValueError) as exc:
        raise StaffingError("path", f"cannot read {path}: {exc}") from None
    if wide.columns[0] != "date" or wide.shape[1] < 2:
        raise StaffingError("path", f"{path}: expected a 'date' column, then one per HH:MM")
    days = pd.to_datetime(wide["date"], format="%Y-%m-%d")
    offsets = pd.to_timedelta([f"{c}:00" for c in wide.columns[1:]])
    stamps = (days.to_numpy()[:, None] + offsets.to_numpy()[None, :]).ravel()
    values = wide.iloc[:, 1:].to_numpy(dtype=float).ravel()
    return pd.Series(values, index=pd.DatetimeIndex(stamps, name="start"), name="arrivals")


def backtest(
    series: pd.Series,
    *,
    weeks: int = 26,
    holidays: Iterable[date] = (),
    level: float = 0.8,
) -> pd.DataFrame:
    """One row per held-out week: MASE of ``forecast`` and of seasonal naive, and the
    share of actual counts inside the forecast's prediction interval."""
    values, step = check_series(series)
    week = seasonal_periods(step)[-1]
    if weeks < 1 or values.size < (weeks + 2) * week:
        raise StaffingError("weeks", f"{weeks} held-out weeks need two more weeks of history first")
    off = list(holidays)
    rows = []
    for k in range(weeks, 0, -1):
        cut = values.size - k * week
        history, actual = series.iloc[:cut], values[cut : cut + week]
        predicted = forecast(history, week, holidays=off, level=level)
        naive = seasonal_naive(history, week).to_numpy()
        past = values[:cut]
        rows.append(
            {
                "week_start": series.index[cut],
                "mase_forecast": mase(actual, predicted["forecast"].to_numpy(), past, week),
                "mase_seasonal_naive": mase(actual, naive, past, week),
                "coverage": float(
                    np.mean((actual >= predicted["lower"]) & (actual <= predicted["upper"]))
                ),
            }
        )
    return pd.DataFrame(rows)


def country_holidays(code: str, index: pd.Index) -> list[date]:
    """Public holidays of a country (``holidays`` package code) over the series' years."""
    stamps = pd.DatetimeIndex(index)
    years = range(stamps[0].year, stamps[-1].year + 2)
    try:
        return sorted(holidays_pkg.country_holidays(code, years=years))
    except NotImplementedError:
        raise StaffingError(
            "holidays", f"unknown country code {code!r} (e.g. IL, IR, AE)"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sanjeh.staffing.evaluate")
    parser.add_argument("path", help="counts per interval, one row per day (date,HH:MM,…)")
    parser.add_argument("--weeks", type=int, default=26, help="held-out weeks (default 26)")
    parser.add_argument(
        "--holidays", default="", help="country code of the public holidays, e.g. IL (default none)"
    )
    parser.add_argument("--json", help="also write the per-week rows here")
    args = parser.parse_args(argv)
    try:
        series = read_interval_counts(args.path)
        off = country_holidays(args.holidays, series.index) if args.holidays else []
        started = time.perf_counter()
        rows = backtest(series, weeks=args.weeks, holidays=off)
    except SanjehError as exc:
        print(exc, file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(rows.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    wins = int((rows["mase_forecast"] < rows["mase_seasonal_naive"]).sum())
    print(
        f"\nmean MASE: forecast {rows['mase_forecast'].mean():.3f}, seasonal naive "
        f"{rows['mase_seasonal_naive'].mean():.3f}; forecast better in {wins} of {len(rows)} "
        f"weeks; {rows['coverage'].mean():.1%} of actual counts inside the 80 % interval "
        f"({seconds:.1f} s)"
    )
    if args.json:
        Path(args.json).write_text(rows.to_json(orient="records", date_format="iso", indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
