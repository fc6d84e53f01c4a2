"""A staffing plan: required against scheduled agents per interval, and when to hire.

``plan(inputs, options)`` is pure arithmetic over ``PlanInputs`` (see ``_inputs.py``):
what-if changes (AHT, target, service level, shrinkage, occupancy cap, model,
concurrency, ramp-up, attrition) recompute it in milliseconds.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..errors import StaffingError
from ._inputs import Measured, PlanInputs
from ._options import PlanOptions
from ._required import required_agents
from ._workload import chat_agents, deferred_agents

INTERVAL_COLUMNS = (
    "forecast",
    "lower",
    "upper",
    "raw_agents",
    "required",
    "scheduled",
    "gap",
    "service_level",
    "asa_s",
    "abandon_probability",
    "occupancy",
)


@dataclasses.dataclass(frozen=True)
class Hiring:
    """The answer to "when must we hire": the first planned week whose requirement the
    projected headcount cannot cover, the last day to hire so new agents are productive
    by then (``ramp_weeks`` earlier), and how many (the largest weekly shortfall)."""

    first_short_week: date | None
    hire_by: date | None
    hires: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("first_short_week", "hire_by"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclasses.dataclass(frozen=True)
class Plan:
    options: PlanOptions
    inputs: PlanInputs
    #: per planned interval (local start): the columns of INTERVAL_COLUMNS
    intervals: pd.DataFrame
    #: weekday (0 = Monday) × hour: mean gap (scheduled − required) over the plan
    heatmap: pd.DataFrame
    heatmap_required: pd.DataFrame
    heatmap_scheduled: pd.DataFrame
    #: per planned week: required / scheduled hours, projected and needed headcount
    weeks: pd.DataFrame
    hiring: Hiring
    aht: Measured
    patience: Measured
    shrinkage: Measured
    model: str
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ISO timestamps with their offset, NaN as None."""
        i = self.inputs
        return {
            "options": self.options.as_dict(),
            "timezone": i.timezone,
            "week_start": i.week_start,
            "as_of": _iso(i.as_of),
            "plan_start": _iso(i.plan_start),
            "model": self.model,
            "inputs": {
                "aht_s": self.aht.as_dict(),
                "patience_s": self.patience.as_dict(),
                "shrinkage": self.shrinkage.as_dict(),
                "scheduled": i.scheduled_basis,
                "headcount": i.headcount,
                "hours_per_agent_week": _clean(i.hours_per_agent_week),
                "history_intervals": len(i.history),
                "history_arrivals": _clean(float(i.history.sum())),
            },
            "intervals": _records(self.intervals, "start"),
            "heatmap": {
                "weekdays": list(range(7)),
                "hours": list(range(24)),
                "gap": _grid(self.heatmap),
                "required": _grid(self.heatmap_required),
                "scheduled": _grid(self.heatmap_scheduled),
            },
            "weeks": _records(self.weeks, "week_start"),
            "hiring": self.hiring.as_dict(),
            "notes": list(self.notes),
        }


def plan(inputs: PlanInputs, options: PlanOptions | None = None) -> Plan:
    """The plan for ``inputs`` with ``options``' what-if figures (default: those the
    inputs were loaded with). The options must ask for the same data
    (``inputs_key()``): a different channel, team or horizon needs ``load_inputs``."""
    options = options or inputs.options
    if options.inputs_key() != inputs.options.inputs_key():
        raise StaffingError(
            "options",
            "ask for another channel, team, queue, interval or horizon than the inputs "
            "were loaded for: call load_inputs with these options",
        )
    notes = list(inputs.notes)
    aht, patience, shrinkage = (
        _aht(inputs, options),
        _patience(inputs, options),
        _shrink(inputs, options),
    )
    model = options.model
    if options.workload != "deferred" and model == "erlang_a" and patience.value is None:
        model = "erlang_c"
        notes.append("No patience measured or given: Erlang C (callers never hang up).")
    if aht.value is None and not inputs.forecast.empty:
        notes.append(
            f"No handle time for {options.channel}: give aht_s, or set "
            f'[staffing.aht] {options.channel} = "8m" in sanjeh.toml.'
        )
    intervals = _intervals(inputs, options, aht, patience, shrinkage, model)
    weeks = _weeks(intervals, inputs, options)
    return Plan(
        options=options,
        inputs=inputs,
        intervals=intervals,
        heatmap=_heatmap(intervals, "gap"),
        heatmap_required=_heatmap(intervals, "required"),
        heatmap_scheduled=_heatmap(intervals, "scheduled"),
        weeks=weeks,
        hiring=_hiring(weeks, inputs, options),
        aht=aht,
        patience=patience,
        shrinkage=shrinkage,
        model=model if options.workload != "deferred" else "deferred",
        notes=tuple(notes),
    )


def _aht(inputs: PlanInputs, options: PlanOptions) -> Measured:
    if options.aht_s is not None:
        return Measured(options.aht_s, "option", "asked for")
    if inputs.aht.value is not None:
        return inputs.aht
    setting = dict(options.default_aht_s).get(options.channel)
    if setting is not None:
        return Measured(
            setting, "setting", f"[staffing.aht] {options.channel}; {inputs.aht.detail}"
        )
    return inputs.aht


def _patience(inputs: PlanInputs, options: PlanOptions) -> Measured:
    if options.patience_s is not None:
        return Measured(options.patience_s, "option", "asked for")
    return inputs.patience


def _shrink(inputs: PlanInputs, options: PlanOptions) -> Measured:
    if options.shrinkage is not None:
        return Measured(options.shrinkage, "option", "asked for")
    if inputs.shrinkage.value is not None:
        return inputs.shrinkage
    return Measured(
        options.default_shrinkage, "setting", f"[staffing] shrinkage; {inputs.shrinkage.detail}"
    )


def _intervals(
    inputs: PlanInputs,
    options: PlanOptions,
    aht: Measured,
    patience: Measured,
    shrinkage: Measured,
    model: str,
) -> pd.DataFrame:
    f = inputs.forecast
    out = pd.DataFrame(index=f.index, columns=list(INTERVAL_COLUMNS), dtype=float)
    out[["forecast", "lower", "upper"]] = f[["forecast", "lower", "upper"]]
    if not f.empty and aht.value is not None:
        _staff(out, f.forecast.to_numpy(), options, aht.value, patience.value, shrinkage, model)
    out = out.loc[inputs.plan_start :] if inputs.plan_start is not None else out
    out["scheduled"] = inputs.scheduled * _attrition(inputs, options, pd.DatetimeIndex(out.index))
    out["gap"] = out.scheduled - out.required
    out.index.name = "start"
    return out


def _staff(
    out: pd.DataFrame,
    arrivals: np.ndarray,
    options: PlanOptions,
    aht: float,
    patience: float | None,
    shrinkage: Measured,
    model: str,
) -> None:
    common: dict[str, Any] = dict(
        target_s=options.target_s,
        service_level=options.service_level,
        model=model,
        patience_s=patience if model == "erlang_a" else None,
        max_occupancy=options.max_occupancy,
        shrinkage=shrinkage.value,
    )
    if options.workload == "deferred":
        d = deferred_agents(
            arrivals,
            options.interval_s,
            aht,
            options.sla_hours * 3600,
            max_occupancy=options.max_occupancy or 1.0,
            shrinkage=shrinkage.value,
        )
        out["raw_agents"], out["required"], out["occupancy"] = d.raw_agents, d.agents, d.occupancy
        return
    if options.workload == "chat":
        s = chat_agents(arrivals, options.interval_s, aht, options.concurrency, **common)
    else:
        s = required_agents(arrivals, options.interval_s, aht, **common)
    for column in ("raw_agents", "service_level", "asa_s", "abandon_probability", "occupancy"):
        out[column] = np.asarray(getattr(s, column), dtype=float)
    out["required"] = np.asarray(s.agents, dtype=float)


def _attrition(inputs: PlanInputs, options: PlanOptions, index: pd.DatetimeIndex) -> np.ndarray:
    """Share of today's agents still there at each interval (a repeated past week only:
    shifts already scheduled for the plan name who will be there)."""
    if not inputs.scheduled_repeats or not options.attrition or inputs.as_of is None:
        return np.ones(len(index))
    years = (index - inputs.as_of).total_seconds().to_numpy() / (365.25 * 86_400)
    return (1 - options.attrition) ** np.clip(years, 0, None)


def _heatmap(intervals: pd.DataFrame, column: str) -> pd.DataFrame:
    index = pd.DatetimeIndex(intervals.index)
    frame = pd.DataFrame(
        {"weekday": index.day_of_week, "hour": index.hour, "value": intervals[column].to_numpy()}
    )
    grid = frame.pivot_table(index="weekday", columns="hour", values="value", aggfunc="mean")
    return (
        grid.reindex(index=range(7), columns=range(24))
        .rename_axis("weekday")
        .rename_axis("hour", axis=1)
    )


def _weeks(intervals: pd.DataFrame, inputs: PlanInputs, options: PlanOptions) -> pd.DataFrame:
    hours = options.interval_s / 3600
    local_days = pd.DatetimeIndex(intervals.index).tz_localize(None).normalize()
    offset = (local_days.day_of_week - inputs.week_start) % 7
    week = (local_days - pd.to_timedelta(offset, unit="D")).date
    per_agent = options.hours_per_agent_week or inputs.hours_per_agent_week
    frame = pd.DataFrame(
        {
            "required_hours": intervals.required * hours,
            "scheduled_hours": intervals.scheduled * hours,
            "week_start": week,
        }
    )
    weeks = frame.groupby("week_start", sort=True).sum(min_count=1)
    starts = pd.to_datetime(weeks.index).tz_localize(inputs.timezone)
    weeks["headcount"] = inputs.headcount * _attrition(inputs, options, starts)
    if per_agent:
        weeks["needed_headcount"] = np.ceil(weeks.required_hours / per_agent - 1e-9)
    else:
        weeks["needed_headcount"] = np.nan
    weeks["short"] = weeks.needed_headcount > weeks.headcount + 1e-9
    return weeks.reset_index()


def _hiring(weeks: pd.DataFrame, inputs: PlanInputs, options: PlanOptions) -> Hiring:
    if weeks.empty or weeks.needed_headcount.isna().all():
        why = (
            "no requirement"
            if weeks.empty or weeks.required_hours.isna().all()
            else ("no shifts to measure hours per agent: give hours_per_agent_week")
        )
        return Hiring(None, None, 0, f"No hiring answer: {why}.")
    short = weeks[weeks.short]
    last = weeks.week_start.iloc[-1]
    if short.empty:
        return Hiring(
            None,
            None,
            0,
            f"The projected headcount covers the requirement through the week of {last}.",
        )
    first = short.week_start.iloc[0]
    hires = math.ceil((short.needed_headcount - short.headcount).max() - 1e-9)
    hire_by = first - pd.Timedelta(weeks=options.ramp_weeks).to_pytimedelta()
    start = weeks.week_start.iloc[0]
    if hire_by < start:
        message = (
            f"Hire {hires} now: the week of {first} needs more agents than the projected "
            f"headcount, and new hires take {options.ramp_weeks} weeks to ramp up."
        )
    else:
        message = (
            f"Hire {hires} by {hire_by}: from the week of {first} the requirement exceeds "
            f"the projected headcount; new hires take {options.ramp_weeks} weeks to ramp up."
        )
    return Hiring(first, hire_by, hires, message)


# --- JSON -------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(value) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.isoformat()


def _records(frame: pd.DataFrame, key: str) -> list[dict[str, Any]]:
    rows = []
    for label, row in zip(frame.get(key, frame.index), frame.to_dict("records"), strict=True):
        values = {str(k): _clean(v) for k, v in row.items() if k != key}
        rows.append({key: _iso(label), **values})
    return rows


def _grid(frame: pd.DataFrame) -> list[list[float | None]]:
    return [[_clean(v) for v in row] for row in frame.to_numpy(dtype=float)]
