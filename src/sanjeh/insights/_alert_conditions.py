"""Judging one rule on a KPI frame (``sanjeh.metrics.kpis`` by period): pure functions.

Per group of the rule's breakdown, the period judged is the latest **closed** one whose
value is final: not ``partial`` (a period that has not ended by the data's last instant,
or by ``closed_by``), and without ``pending`` rows (an FCR or reopen window still open
would change the value). Then:

- threshold: fired when value > above or value < below; the bound is the one crossed.
- change: fired when the period's 95 % interval and the previous period's do not
  overlap (this ``ci_low`` > previous ``ci_high``, or this ``ci_high`` < previous
  ``ci_low``); the bound is the previous interval's edge that was crossed. Non-overlap
  is a deliberately strict test: with equal standard errors it is a difference
  significant at about 0.6 % rather than 5 %, so the sampling noise of *both* periods
  is allowed for (comparing one value with the other's interval ignores the noise of
  the first and, at equal errors, fires on about 17 % of unchanged periods) and a rule
  checked on many groups every day does not cry wolf.
- anomaly: an AutoReg model (statsmodels; a constant, one lag, and for days a dummy per
  weekday) is fitted by least squares to the unbroken run of earlier periods with a
  value (at least ``history``); fired when the value lies outside the one-step 95 %
  prediction interval ``forecast ± 1.96·σ`` (σ² the residuals' mean square, as
  statsmodels gives it). Fewer earlier periods: "not enough history". A constant
  history predicts itself: its interval is that value alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ._alerts import AlertRule

Z95 = 1.959963984540054
FIRED, OK, NOT_EVALUABLE = "fired", "ok", "not_evaluable"


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A rule judged on one group: what the period's value did."""

    group: str
    groups: dict[str, str | None]
    status: str  # fired | ok | not_evaluable
    period_start: dt.date | None = None
    value: float | None = None
    bound: float | None = None
    direction: str | None = None  # above | below (fired)
    n: int | None = None
    #: why it was not judged, or what it was compared with
    reason: str = ""


def group_key(groups: dict[str, str | None]) -> str:
    """``team=t1,channel=email`` (breakdown order), or ``all`` without a breakdown."""
    if not groups:
        return "all"
    return ",".join(f"{d}={'' if v is None else v}" for d, v in groups.items())


def judge(rule: AlertRule, frame: pd.DataFrame, closed_by: dt.datetime) -> list[Verdict]:
    """Judge ``rule`` on every group of ``frame`` (one KPI's rows by ``rule.period``;
    ``closed_by``: a naive local instant no judged period may end after)."""
    rows = frame[frame["kpi"] == rule.kpi] if "kpi" in frame else frame
    if rows.empty:
        return [Verdict("all", {}, NOT_EVALUABLE, reason=f"no rows for {rule.kpi}")]
    dims = [d for d in rule.by if d in rows]
    if rows["period_start"].isna().all():  # a KPI the breakdown or filter rules out
        note = next((str(x) for x in rows["note"] if isinstance(x, str) and x), "no value")
        return [Verdict("all", {}, NOT_EVALUABLE, reason=note)]
    verdicts = []
    grouped = rows.groupby(dims, dropna=False, sort=True) if dims else [((), rows)]
    for values, part in grouped:
        keys = values if isinstance(values, tuple) else (values,)
        groups = {d: (None if _missing(v) else str(v)) for d, v in zip(dims, keys, strict=True)}
        verdicts.append(_judge_group(rule, part.sort_values("period_start"), groups, closed_by))
    return verdicts


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _judge_group(
    rule: AlertRule, rows: pd.DataFrame, groups: dict[str, str | None], closed_by: dt.datetime
) -> Verdict:
    key = group_key(groups)
    length = pd.Timedelta(days=rule.period_days)
    starts = pd.to_datetime(rows["period_start"])
    closed = rows[~rows["partial"].astype(bool) & (starts + length <= pd.Timestamp(closed_by))]
    if closed.empty:
        return Verdict(key, groups, NOT_EVALUABLE, reason=f"no closed {rule.period} yet")
    pending = closed["pending"].fillna(0).astype(float) > 0
    final = closed[~pending]
    if final.empty:
        return Verdict(
            key,
            groups,
            NOT_EVALUABLE,
            reason=f"every closed {rule.period} in view still has pending rows "
            "(an FCR or reopen window is open); judged when they are decided",
        )
    row = final.iloc[-1]
    start = pd.Timestamp(row["period_start"]).date()
    later = int(pending[closed.index > row.name].sum())
    skipped = (
        f"; the {later} later closed {rule.period}(s) still have pending rows" if later else ""
    )
    value, n = _number(row["value"]), int(row["n"]) if not _missing(row["n"]) else 0
    base = Verdict(key, groups, NOT_EVALUABLE, period_start=start, n=n)
    if value is None:
        note = row.get("note")
        why = str(note) if isinstance(note, str) and note else "the KPI has no value here"
        return dataclasses.replace(base, reason=why + skipped)
    base = dataclasses.replace(base, value=value)
    if n < rule.min_n:
        return dataclasses.replace(
            base, reason=f"the value rests on {n} row(s), fewer than min_n = {rule.min_n}"
        )
    if rule.condition == "threshold":
        verdict = _threshold(rule, base)
    elif rule.condition == "change":
        verdict = _change(rule, base, row, rows)
    else:
        verdict = _anomaly(rule, base, rows)
    return dataclasses.replace(verdict, reason=verdict.reason + skipped)


def _number(value: Any) -> float | None:
    if _missing(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _fired(base: Verdict, bound: float, direction: str, reason: str) -> Verdict:
    return dataclasses.replace(base, status=FIRED, bound=bound, direction=direction, reason=reason)


def _threshold(rule: AlertRule, base: Verdict) -> Verdict:
    assert base.value is not None
    if rule.above is not None and base.value > rule.above:
        return _fired(base, rule.above, "above", f"above the threshold {rule.above:g}")
    if rule.below is not None and base.value < rule.below:
        return _fired(base, rule.below, "below", f"below the threshold {rule.below:g}")
    bound = rule.above if rule.above is not None else rule.below
    return dataclasses.replace(base, status=OK, bound=bound, reason="within the threshold")


def _wanted(rule: AlertRule, direction: str) -> bool:
    return rule.direction == "any" or (rule.direction == "up") == (direction == "above")


def _change(rule: AlertRule, base: Verdict, row: pd.Series, rows: pd.DataFrame) -> Verdict:
    low, high = _number(row["ci_low"]), _number(row["ci_high"])
    if low is None or high is None:
        return dataclasses.replace(base, reason="the period has no 95 % interval (too few rows)")
    before = pd.Timestamp(row["period_start"]) - pd.Timedelta(days=rule.period_days)
    previous = rows[pd.to_datetime(rows["period_start"]) == before]
    if previous.empty:
        return dataclasses.replace(base, reason=f"the previous {rule.period} is not in view")
    p_low, p_high = _number(previous.iloc[0]["ci_low"]), _number(previous.iloc[0]["ci_high"])
    if p_low is None or p_high is None:
        return dataclasses.replace(
            base, reason=f"the previous {rule.period} has no value or no 95 % interval"
        )
    compared = f"this {rule.period} {low:.4g} … {high:.4g}, the previous {p_low:.4g} … {p_high:.4g}"
    if low > p_high and _wanted(rule, "above"):
        return _fired(base, p_high, "above", f"the 95 % intervals do not overlap: {compared}")
    if high < p_low and _wanted(rule, "below"):
        return _fired(base, p_low, "below", f"the 95 % intervals do not overlap: {compared}")
    bound = p_high if base.value is not None and base.value >= (p_low + p_high) / 2 else p_low
    return dataclasses.replace(base, status=OK, bound=bound, reason=f"no change: {compared}")


def _anomaly(rule: AlertRule, base: Verdict, rows: pd.DataFrame) -> Verdict:
    assert base.value is not None and base.period_start is not None
    history = earlier_values(rows, base.period_start, rule.period_days)
    if len(history) < rule.history:
        return dataclasses.replace(
            base,
            reason=f"not enough history: {len(history)} earlier {rule.period}(s) in a row "
            f"with a value, the forecast needs {rule.history}",
        )
    low, high, expected = prediction_interval(history, rule.period)
    span = f"forecast {expected:.4g}, 95 % prediction interval {low:.4g} … {high:.4g}"
    if base.value > high and _wanted(rule, "above"):
        return _fired(base, high, "above", span)
    if base.value < low and _wanted(rule, "below"):
        return _fired(base, low, "below", span)
    bound = high if base.value >= expected else low
    return dataclasses.replace(base, status=OK, bound=bound, reason=span)


def earlier_values(rows: pd.DataFrame, start: dt.date, days: int) -> pd.Series:
    """The unbroken run of periods with a value just before ``start`` (oldest first),
    indexed by their start: a gap (no value, a missing period) ends the run, and the
    run starts at its first period with rows (the engine counts 0 for the periods of a
    count before the data begins: those are no history)."""
    starts = pd.to_datetime(rows["period_start"])
    values = dict(zip(starts, zip(rows["value"], rows["n"], strict=True), strict=True))
    found: list[tuple[pd.Timestamp, float, float]] = []
    moment = pd.Timestamp(start) - pd.Timedelta(days=days)
    while moment in values and _number(values[moment][0]) is not None:
        value, n = values[moment]
        found.append((moment, float(value), _number(n) or 0.0))
        moment -= pd.Timedelta(days=days)
    found.reverse()
    while found and found[0][2] == 0:
        found.pop(0)
    return pd.Series([v for _, v, _ in found], index=pd.DatetimeIndex([m for m, _, _ in found]))


def prediction_interval(history: pd.Series, period: str) -> tuple[float, float, float]:
    """(lower, upper, forecast) of the next period: AutoReg, one lag, a constant, and
    weekday dummies for days (see the module docstring)."""
    from statsmodels.tsa.ar_model import AutoReg  # (slow to import: only when needed)

    values = history.to_numpy(dtype=float)
    if np.ptp(values) == 0:  # a constant history: nothing to fit, it predicts itself
        return float(values[0]), float(values[0]), float(values[0])
    daily = period == "day"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a short weekday pattern may be rank-deficient)
        model = AutoReg(values, lags=1, trend="c", seasonal=daily, period=7 if daily else None)
        fitted = model.fit()
        expected = float(fitted.predict(start=len(values), end=len(values))[0])
    half = Z95 * math.sqrt(max(float(fitted.sigma2), 0.0))
    return expected - half, expected + half, expected
