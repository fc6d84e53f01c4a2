"""Forecast arrivals per interval: MSTL on square-root counts, AutoReg on the rest, holidays.

1. z = √count: call counts are roughly Poisson, whose variance the square root
   steadies (≈ 1/4 whatever the level), so one noise model fits night and noon.
2. statsmodels' MSTL splits z into a daily and a weekly seasonal component (only weekly
   for daily data), a trend and a remainder. Each seasonal shape is a locally constant
   (tricube-weighted) average over the last 21 days / 31 weeks rather than statsmodels'
   default local line over 11 / 15 cycles, which extrapolates the last cycle's noise:
   chosen on the first half of the evaluation year (docs/evaluation.md), not on the
   weeks reported. The trend and low-pass loess are evaluated every half of the
   shortest season (half a day; 4 days for daily data) and interpolated (R's stl does
   the same at a tenth of each window): on the evaluation, 2.4 times faster than every
   5 intervals, the same MASE to 0.001.
3. Holidays: on the history's holiday intervals z ≈ g·(seasonal + trend); g is fitted
   by least squares (or given: ``holiday_factor`` = g², on the count scale, 0 for
   closed) and taken out before step 4.
4. statsmodels' AutoReg(2) with a constant and a linear trend models the seasonally
   adjusted series: short-lived swings fade, a steady growth or decline continues.
5. The forecast adds the seasonal components of the last whole week, multiplies
   holiday intervals by g, and squares back: lower / upper are the squared bounds of
   the normal prediction interval; ``forecast`` is the mean of the squared normal, its
   negative side counted as 0 (m² + s² where m is well above 0): the expected count a
   staffing model needs, which for counts below one call may lie above ``upper``.

docs/evaluation.md measures it against seasonal naive on a year of real call arrivals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.tsa.ar_model import AutoReg
from statsmodels.tsa.seasonal import MSTL

from ..calendar import BusinessCalendar
from ..errors import StaffingError

DAY = pd.Timedelta(days=1)
#: seasonal smoothing windows in cycles: the daily shape over 21 days, the weekly over 31 weeks
_WINDOWS = (21, 31)
WEEK = pd.Timedelta(days=7)
Holidays = Iterable[date | str] | BusinessCalendar


def seasonal_periods(step: pd.Timedelta) -> tuple[int, ...]:
    """Intervals per day and per week (per week only for a daily series)."""
    if step == DAY:
        return (7,)
    return (int(DAY / step), int(WEEK / step))


def check_series(series: Any, name: str = "series") -> tuple[np.ndarray, pd.Timedelta]:
    """The counts as floats and the interval: evenly spaced, complete, two weeks or more."""
    if not isinstance(series, pd.Series):
        raise StaffingError(name, "must be a pandas Series of counts indexed by timestamps")
    index = series.index
    if not isinstance(index, pd.DatetimeIndex):
        raise StaffingError(
            name,
            f"must have a DatetimeIndex (the start of each interval), not {type(index).__name__}",
        )
    if len(index) < 2:
        raise StaffingError(name, f"has {len(index)} value(s); a forecast needs weeks of history")
    if not index.is_monotonic_increasing or not index.is_unique:
        raise StaffingError(
            name, "timestamps must be in order, each once: sort and de-duplicate it"
        )
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise StaffingError(name, f"must hold counts (numbers), not {series.dtype}")
    values = series.to_numpy(dtype=float, na_value=np.nan)
    missing = ~np.isfinite(values)
    if missing.any():
        first = index[np.flatnonzero(missing)[0]]
        raise StaffingError(
            name,
            f"{int(missing.sum())} missing count(s), the first at {first}: fill them (0 if the "
            "line was open and nobody called) or cut the series before them",
        )
    if (values < 0).any():
        raise StaffingError(name, f"counts must be 0 or more, not {values.min():g}")
    steps = index[1:] - index[:-1]
    step = steps.min()
    uneven = np.flatnonzero(steps != step)
    if uneven.size:
        at = uneven[0]
        raise StaffingError(
            name,
            f"has a gap: {index[at]} is followed by {index[at + 1]}, not by {index[at] + step}. "
            "Every interval needs a row (0 when nobody called); resample it, e.g. "
            f"series.resample('{_alias(step)}').sum()",
        )
    if not (step == DAY or (step < DAY and DAY % step == pd.Timedelta(0))):
        raise StaffingError(
            name, f"intervals of {step} do not divide a day: use 15 / 30 / 60 minutes … or 1 day"
        )
    periods = seasonal_periods(step)
    if len(values) < 2 * periods[-1]:
        have = len(values) * step
        raise StaffingError(
            name,
            f"covers {have}, too short for weekly seasonality: give at least two full weeks "
            "(eight or more forecast better)",
        )
    return values, step


def _alias(step: pd.Timedelta) -> str:
    minutes = int(step / pd.Timedelta(minutes=1))
    return f"{minutes}min" if minutes < 1440 else "1D"


def holiday_mask(index: pd.DatetimeIndex, holidays: Holidays) -> np.ndarray:
    """Which intervals fall on a holiday (the index's own local date)."""
    days = index.date
    if isinstance(holidays, BusinessCalendar):
        unique = set(days)
        off = {d for d in unique if holidays.is_holiday(d)}
    else:
        off = set(_dates(holidays))
    return np.fromiter((d in off for d in days), dtype=bool, count=len(days))


def _dates(values: Iterable[Any]) -> list[date]:
    if isinstance(values, str):
        values = [values]
    out = []
    try:
        items = list(values)
    except TypeError:
        raise StaffingError(
            "holidays", "must be dates (or YYYY-MM-DD strings) or a BusinessCalendar"
        ) from None
    for value in items:
        if isinstance(value, datetime | pd.Timestamp):
            out.append(value.date())
        elif isinstance(value, date):
            out.append(value)
        else:
            try:
                out.append(date.fromisoformat(str(value).strip()))
            except ValueError:
                raise StaffingError(
                    "holidays", f"{value!r} is not a date; write it as YYYY-MM-DD"
                ) from None
    return out


def forecast(
    series: pd.Series,
    horizon: int,
    *,
    holidays: Holidays = (),
    level: float = 0.8,
    holiday_factor: float | None = None,
) -> pd.DataFrame:
    """Arrivals for the next ``horizon`` intervals of ``series``, with a prediction interval.

    ``series``: counts per interval on an evenly spaced DatetimeIndex (15 / 30 / 60
    minutes … or daily), at least two weeks, no gaps (an interval nobody called in is
    a 0 row). ``holidays``: dates (``date`` or ``"YYYY-MM-DD"``) or a
    ``sanjeh.calendar.BusinessCalendar`` (its public and extra holidays), in the
    history and the horizon; their effect is learnt from the history's holidays, or
    set with ``holiday_factor`` (volume on a holiday as a share of a normal day: 0 for
    closed). ``level``: coverage of the prediction interval (0.8 → 10th to 90th
    percentile).

    Returns a DataFrame indexed by the future interval starts with ``forecast``
    (expected count), ``lower`` and ``upper``; ``attrs`` hold the model, the level and
    the holiday factor used. Weekly and daily seasonality, trend and holidays; the
    method is described in this module's docstring and docs/staffing.md.
    """
    values, step = check_series(series)
    steps = _horizon(horizon)
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise StaffingError("level", f"must be between 0 and 1 (0.8 for 80 %), not {level!r}")
    if holiday_factor is not None and not (
        isinstance(holiday_factor, int | float)
        and math.isfinite(holiday_factor)
        and holiday_factor >= 0
    ):
        raise StaffingError(
            "holiday_factor", f"must be 0 or more (0 = closed), not {holiday_factor!r}"
        )
    index = pd.DatetimeIndex(series.index)
    future = pd.date_range(index[-1] + step, periods=steps, freq=step, name=index.name)
    past_off = holiday_mask(index, holidays)
    future_off = holiday_mask(future, holidays)
    periods = seasonal_periods(step)
    frame = _fit(values, periods, steps, past_off, future_off, holiday_factor, level)
    frame.index = future
    return frame


def _horizon(horizon: Any) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise StaffingError("horizon", f"must be a whole number of intervals ≥ 1, not {horizon!r}")
    return int(horizon)


def _fit(
    values: np.ndarray,
    periods: tuple[int, ...],
    steps: int,
    past_off: np.ndarray,
    future_off: np.ndarray,
    holiday_factor: float | None,
    level: float,
) -> pd.DataFrame:
    n = values.size
    attrs: dict[str, Any] = {
        "model": f"MSTL{periods} on square-root counts + AutoReg(2, constant + trend)",
        "level": level,
    }
    if np.ptp(values) == 0:  # nothing varies: nothing to model
        same = np.full(steps, values[0])
        attrs["holiday_factor"] = holiday_factor
        return _frame(same, same, same, attrs)
    z = np.sqrt(values)
    jump = max(1, math.ceil(periods[0] / 2))
    parts = MSTL(
        z,
        periods=periods if len(periods) > 1 else periods[0],
        windows=_WINDOWS[-len(periods) :],
        stl_kwargs={"trend_jump": jump, "low_pass_jump": jump, "seasonal_deg": 0},
    ).fit()
    seasonal = np.asarray(parts.seasonal, dtype=float).reshape(n, -1)
    expected = seasonal.sum(axis=1) + np.asarray(parts.trend, dtype=float)
    gain = _holiday_gain(past_off, future_off, np.asarray(parts.resid), expected, holiday_factor)
    attrs["holiday_factor"] = gain**2 if (past_off.any() or future_off.any()) else None
    adjusted = z - seasonal.sum(axis=1)
    adjusted[past_off] -= (gain - 1) * expected[past_off]
    if np.ptp(adjusted) <= 1e-9 * max(1.0, float(np.abs(adjusted).max())):
        # exactly seasonal: no level left to model (and AutoReg's design would be singular)
        mean, spread = np.full(steps, adjusted.mean()), np.zeros(steps)
    else:
        model = AutoReg(pd.Series(adjusted), lags=2, trend="ct").fit()
        prediction = model.get_prediction(start=n, end=n + steps - 1)
        mean = np.array(prediction.predicted_mean, dtype=float)
        spread = np.sqrt(np.asarray(prediction.var_pred_mean, dtype=float))
    # the seasonal shape of the last whole week, repeated in phase: it keeps each
    # weekday's own daily shape (each component's own last cycle, the daily one's last
    # day for every weekday, did no better on the evaluation's development weeks)
    longest = periods[-1]
    mean += seasonal.sum(axis=1)[n - longest + np.arange(steps) % longest]
    scale = np.where(future_off, gain, 1.0)
    mean, spread = mean * scale, spread * scale
    q = float(norm.ppf(0.5 + level / 2))
    expected_count = _mean_of_square(mean, spread)
    lower = np.maximum(mean - q * spread, 0) ** 2
    upper = np.maximum(mean + q * spread, 0) ** 2
    return _frame(expected_count, lower, upper, attrs)


def _mean_of_square(mean: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """E[max(Z, 0)²] for Z ~ N(mean, spread²): the expected count behind a square-root
    forecast, with the negative side counted as 0 (m² + s² where m ≫ s)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(spread > 0, mean / spread, np.where(mean >= 0, np.inf, -np.inf))
        out = (mean**2 + spread**2) * norm.cdf(u) + mean * spread * norm.pdf(u)
    return np.where(spread > 0, out, np.maximum(mean, 0) ** 2)


def _holiday_gain(
    past_off: np.ndarray,
    future_off: np.ndarray,
    resid: np.ndarray,
    expected: np.ndarray,
    holiday_factor: float | None,
) -> float:
    """g on the square-root scale: holiday ≈ g × an ordinary day with the same seasonality."""
    if holiday_factor is not None:
        return math.sqrt(holiday_factor)
    if not past_off.any():
        if future_off.any():
            raise StaffingError(
                "holiday_factor",
                "the horizon has holidays but the history none to learn their effect from: "
                "pass holiday_factor (a holiday's volume as a share of a normal day, 0 = closed) "
                "or a longer history",
            )
        return 1.0
    base = expected[past_off]
    denominator = float(np.dot(base, base))
    if denominator == 0:
        return 1.0
    return max(0.0, 1.0 + float(np.dot(resid[past_off], base)) / denominator)


def _frame(expected: np.ndarray, lower: np.ndarray, upper: np.ndarray, attrs: dict) -> pd.DataFrame:
    frame = pd.DataFrame({"forecast": expected, "lower": lower, "upper": upper})
    frame.attrs.update(attrs)
    return frame


def seasonal_naive(series: pd.Series, horizon: int) -> pd.Series:
    """The baseline: each future interval gets the count of the same interval a week before."""
    values, step = check_series(series)
    steps = _horizon(horizon)
    week = seasonal_periods(step)[-1]
    ahead = np.arange(steps)
    index = pd.DatetimeIndex(series.index)
    future = pd.date_range(index[-1] + step, periods=steps, freq=step, name=index.name)
    return pd.Series(values[values.size - week + ahead % week], index=future, name="seasonal_naive")


def mase(actual: Any, predicted: Any, history: Any, period: int) -> float:
    """Mean absolute scaled error: MAE of ``predicted`` over the MAE of seasonal naive
    (lag ``period``) within ``history`` (Hyndman & Koehler 2006). Below 1 beats it."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(predicted, dtype=float)
    h = np.asarray(history, dtype=float)
    if a.shape != f.shape or not a.size:
        raise StaffingError("predicted", f"needs one value per actual ({a.shape} vs {f.shape})")
    if h.size <= period:
        raise StaffingError("history", f"needs more than {period} values to scale the error")
    scale = float(np.mean(np.abs(h[period:] - h[:-period])))
    if scale == 0:
        raise StaffingError("history", "repeats itself exactly each period: MASE is undefined")
    return float(np.mean(np.abs(a - f)) / scale)
