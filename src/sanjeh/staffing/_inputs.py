"""What a plan reads from the store: arrivals per interval, the forecast, handle time,
patience, shrinkage and the agents on shift.

The slow half of a plan (database reads and the forecast), kept apart from ``plan()``
so that what-if changes (AHT, target, shrinkage …) recompute in milliseconds from a
cached ``PlanInputs``. Times are seconds since the epoch on a grid anchored at the
end of the history, whose interval starts fall on the team's local clock (:00, :30).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import numpy as np
import pandas as pd
from ibis import _

from ..calendar import BusinessCalendar, epoch_seconds
from ..store import Store
from ._coverage import agents_per_interval
from ._forecast import forecast
from ._options import PlanOptions

DAY_S, WEEK_S = 86_400, 7 * 86_400
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: arrivals are counted per quarter hour in the database, then summed to the interval
_BUCKET_S = 900


@dataclasses.dataclass(frozen=True)
class Measured:
    """A plan input with where it came from: ``basis`` is "measured" (from the store),
    "setting" (sanjeh.toml or its default), "option" (asked for) or "none"."""

    value: float | None
    basis: str
    detail: str

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


NONE = Measured(None, "none", "")


@dataclasses.dataclass(frozen=True)
class PlanInputs:
    """Everything ``plan()`` needs from the store, for one workload (``options.inputs_key()``)."""

    options: PlanOptions
    timezone: str
    #: first day of the plan's weeks, 0 = Monday … 6 = Sunday (the calendar's week)
    week_start: int
    #: the data's "now": arrivals after it are not counted, the plan starts after it
    as_of: pd.Timestamp | None
    #: arrivals per closed interval (local time index)
    history: pd.Series
    #: expected arrivals per interval from the end of the history: forecast, lower, upper
    #: (the intervals before ``plan_start`` carry deferred work into the plan)
    forecast: pd.DataFrame
    #: the first planned interval: the first week start after the history
    plan_start: pd.Timestamp | None
    aht: Measured
    patience: Measured
    shrinkage: Measured
    #: agents on shift per planned interval (NaN: no shifts recorded)
    scheduled: pd.Series
    scheduled_basis: str
    #: whether ``scheduled`` repeats a past week (and so loses agents to attrition)
    scheduled_repeats: bool
    headcount: int
    hours_per_agent_week: float | None
    notes: tuple[str, ...]


def load_inputs(
    store: Store,
    options: PlanOptions,
    *,
    calendar: BusinessCalendar | None = None,
    as_of: datetime | None = None,
) -> PlanInputs:
    """Read arrivals, handle time, patience, shrinkage and shifts; forecast the planned weeks.

    ``calendar``: the team's business calendar (time zone, week start, holidays for the
    forecast); ``as_of``: the data's "now" (default: the latest arrival of the workload;
    the interval it falls in has not closed and is left out).
    """
    zone = calendar.zone if calendar else ZoneInfo("UTC")
    week_start = _WEEKDAYS.index(calendar.week_start) if calendar else 0
    notes = _calendar_note(store, options.team, calendar)
    arrivals, source = _arrival_times(store, options, notes)
    span = _span(store, arrivals, options, zone, as_of, notes)
    empty = _empty(options, zone, week_start, notes)
    if span is None:
        notes.append(f"No {source} in the store for this selection: nothing to plan.")
        return dataclasses.replace(empty, notes=tuple(notes))
    first, end, now = span
    history = _history(store, arrivals, first, end, options.interval_s, zone)
    measured = dataclasses.replace(
        empty,
        as_of=pd.Timestamp(now, unit="s", tz=zone),
        history=history,
        aht=_aht(store, options, source, first, end, zone),
        patience=_patience(store, options, source, first, end),
    )
    days = len(history) * options.interval_s / DAY_S
    plan_start = _next_week_start(end, zone, week_start)
    steps = options.weeks * WEEK_S // options.interval_s
    team_shifts = _shifts(store, options, first, plan_start + steps * options.interval_s)
    measured = dataclasses.replace(measured, shrinkage=_shrinkage(team_shifts, first, end))
    if days < 14:
        notes.append(
            f"Only {days:.1f} days of {source} up to {_day(end - 1, zone)}: a forecast "
            "needs 14 days or more (two weekly cycles)."
        )
        return dataclasses.replace(measured, notes=tuple(notes))
    ahead = round((plan_start - end) / options.interval_s)
    predicted = _closed(
        forecast(history, ahead + steps, holidays=calendar or ()), history, steps // options.weeks
    )
    scheduled, basis, repeats, headcount, hours = _scheduled(
        team_shifts, zone, end, plan_start, steps, options, store, notes
    )
    if options.team is None and basis != "none":
        notes.append(
            "No team chosen: every agent's shifts count as scheduled for this workload, "
            "also agents who serve other channels."
        )
    return dataclasses.replace(
        measured,
        forecast=predicted,
        plan_start=predicted.index[ahead],
        scheduled=pd.Series(scheduled, index=predicted.index[ahead:], name="scheduled"),
        scheduled_basis=basis,
        scheduled_repeats=repeats,
        headcount=headcount,
        hours_per_agent_week=hours,
        notes=tuple(notes),
    )


def team_calendar(
    store: Store,
    team: str | None,
    calendars: Mapping[str, BusinessCalendar],
    default: str,
) -> BusinessCalendar:
    """The calendar ``team`` works by (teams.calendar), else ``calendars[default]`` (also
    when the team names a calendar that is not configured, as the KPIs do; the plan's
    notes then say so): its time zone places the intervals, its week the plan's weeks,
    its holidays the forecast's."""
    name = _calendar_name(store, team)
    return calendars[name] if name is not None and name in calendars else calendars[default]


def _calendar_name(store: Store, team: str | None) -> str | None:
    if team is None:
        return None
    t = store.table("teams")
    with store.lock:
        found = t.filter(t.team_id == team).select("calendar").limit(1).execute()
    name = found.calendar.iloc[0] if len(found) else None
    return name if isinstance(name, str) else None


def _calendar_note(store: Store, team: str | None, calendar: BusinessCalendar | None) -> list[str]:
    name = _calendar_name(store, team)
    used = calendar.name if calendar else "UTC, weeks from Monday"
    if name is None or (calendar is not None and name == calendar.name):
        return []
    return [
        f"Team {team} works by calendar {name!r}, which is not configured: planned in "
        f"{used!r} (its time zone, week and holidays)."
    ]


def _empty(options: PlanOptions, zone: ZoneInfo, week_start: int, notes: list[str]) -> PlanInputs:
    index = pd.DatetimeIndex([], tz=zone)
    return PlanInputs(
        options=options,
        timezone=str(zone.key),
        week_start=week_start,
        as_of=None,
        history=pd.Series([], index=index, dtype=float, name="arrivals"),
        forecast=pd.DataFrame({"forecast": [], "lower": [], "upper": []}, index=index),
        plan_start=None,
        aht=NONE,
        patience=NONE,
        shrinkage=NONE,
        scheduled=pd.Series([], index=index, dtype=float, name="scheduled"),
        scheduled_basis="",
        scheduled_repeats=False,
        headcount=0,
        hours_per_agent_week=None,
        notes=tuple(notes),
    )


# --- arrivals ---------------------------------------------------------------------------


def _arrival_times(store: Store, options: PlanOptions, notes: list[str]) -> tuple[ibis.Table, str]:
    """A table with column ``t`` (arrival time) of the workload's contacts, and their name."""
    if options.channel == "phone":
        calls = _offered_calls(store, options)
        with store.lock:
            have_calls = int(calls.count().execute()) > 0
        if have_calls or options.queue is not None:
            return calls.select("t"), "calls offered to agents"
        notes.append("The store has no calls: phone arrivals are tickets on channel phone.")
    elif options.queue is not None:
        notes.append("queue applies to calls (channel phone); ignored for this channel.")
    tickets = store.table("tickets")
    tickets = tickets.filter(tickets.channel == options.channel)
    if options.team is not None:
        tickets = tickets.filter(tickets.team_id == options.team)
    return tickets.select(t=tickets.created_at), f"{options.channel} tickets"


def _offered_calls(store: Store, options: PlanOptions) -> ibis.Table:
    """Calls offered to agents (as docs/metrics.md's calls_offered), arriving when they
    joined the agent queue (or reached an agent, or started, when that is all we know)."""
    c = store.table("calls")
    if options.queue is not None:
        c = c.filter(c.queue == options.queue)
    reached = c.queued_at.notnull() | c.answered_at.notnull() | (c.outcome == "abandoned")
    c = c.filter(reached & (c.outcome != "other"))
    return c.mutate(t=ibis.coalesce(c.queued_at, c.answered_at, c.started_at))


def _span(
    store: Store,
    arrivals: ibis.Table,
    options: PlanOptions,
    zone: ZoneInfo,
    as_of: datetime | None,
    notes: list[str],
) -> tuple[float, float, float] | None:
    """(history start, history end, now) in epoch seconds, on interval boundaries; the
    end is the start of the interval ``now`` falls in (that one has not closed)."""
    t = epoch_seconds(arrivals.t)
    with store.lock:
        row = arrivals.aggregate(lo=t.min(), hi=t.max()).execute().iloc[0]
    if pd.isna(row.lo):
        return None
    now = as_of.timestamp() if as_of is not None else float(row.hi)
    if now > row.hi + options.interval_s:
        notes.append(
            f"No arrivals between the latest ({_day(float(row.hi), zone)}) and as_of "
            f"({_day(now, zone)}): counted as none."
        )
    end = _floor(now, options.interval_s, zone)
    if end <= row.lo:
        return None
    first_day = _floor(float(row.lo), DAY_S, zone)
    longest = options.history_weeks * WEEK_S
    first = end - min(
        longest, math.ceil((end - first_day) / options.interval_s) * options.interval_s
    )
    return first, end, now


def _history(
    store: Store, arrivals: ibis.Table, first: float, end: float, interval_s: int, zone: ZoneInfo
) -> pd.Series:
    t = epoch_seconds(arrivals.t)
    window = arrivals.filter((t >= first) & (t < end))
    bucket = (epoch_seconds(window.t) / _BUCKET_S).floor().cast("int64")
    with store.lock:
        counts = window.group_by(b=bucket).aggregate(n=_.count()).execute()
    n = round((end - first) / interval_s)
    position = ((counts.b.to_numpy() * _BUCKET_S - first) // interval_s).astype(np.int64)
    values = np.bincount(position, weights=counts.n.to_numpy(float), minlength=n)[:n]
    index = pd.date_range(pd.Timestamp(first, unit="s", tz=UTC), periods=n, freq=f"{interval_s}s")
    return pd.Series(values, index=index.tz_convert(zone), name="arrivals")


def _closed(
    predicted: pd.DataFrame, history: pd.Series, per_week: int, weeks: int = 8
) -> pd.DataFrame:
    """Nothing arrives at a time of the week when nothing arrived in any of the last
    ``weeks`` weeks (a line that is closed at night): the forecast's small positive
    mean there would otherwise ask for an agent around the clock."""
    whole = min(weeks, len(history) // per_week)
    tail = history.to_numpy()[len(history) - whole * per_week :]
    quiet = tail.reshape(whole, per_week).sum(axis=0) == 0
    ahead = quiet[np.arange(len(predicted)) % per_week]
    out = predicted.copy()
    out.loc[ahead, ["forecast", "lower", "upper"]] = 0.0
    out.attrs = {**predicted.attrs, "closed_slots": int(quiet.sum())}
    return out


# --- handle time, patience --------------------------------------------------------------


def _aht(
    store: Store, options: PlanOptions, source: str, first: float, end: float, zone: ZoneInfo
) -> Measured:
    if not source.startswith("calls"):
        return Measured(None, "none", "tickets record no handle time")
    c = _in_window(_offered_calls(store, options), first, end)
    parts = [c.talk_s, c.hold_s, c.wrap_s]
    known = parts[0].notnull() | parts[1].notnull() | parts[2].notnull()
    handle = sum((p.fill_null(0) for p in parts[1:]), parts[0].fill_null(0))
    answered = c.filter(c.answered_at.notnull() & known)
    with store.lock:
        row = answered.aggregate(n=_.count(), mean=handle.mean()).execute().iloc[0]
    if not row.n or not row["mean"] or row["mean"] <= 0:
        return Measured(None, "none", "no answered call records talk, hold or wrap time")
    return Measured(
        float(row["mean"]),
        "measured",
        f"mean talk + hold + wrap of {int(row.n):,} answered calls, "
        f"{_day(first, zone)} – {_day(end - 1, zone)}",
    )


def _patience(
    store: Store, options: PlanOptions, source: str, first: float, end: float
) -> Measured:
    """Mean patience = total time all queued callers waited / callers who hung up.

    Exponential patience, right-censored: an answered caller's wait is a lower bound
    on their patience. This is the maximum-likelihood estimate (Brown et al. 2005),
    not the mean wait of the abandoned calls, which understates it."""
    if not source.startswith("calls"):
        return Measured(None, "none", "patience is measured from calls only")
    c = _in_window(_offered_calls(store, options), first, end)
    c = c.filter(c.queued_at.notnull())
    gave_up = c.outcome == "abandoned"
    until = ibis.cases((gave_up, c.ended_at), else_=c.answered_at)
    c = c.mutate(gave_up=gave_up, wait=epoch_seconds(until) - epoch_seconds(c.queued_at))
    known = c.filter(c.wait.notnull())  # answered, or abandoned with an end time
    with store.lock:
        row = (
            known.aggregate(waited=_.wait.sum(), n=_.count(), gave_up=_.gave_up.sum())
            .execute()
            .iloc[0]
        )
    if not row.gave_up:
        return Measured(None, "none", "no queued caller hung up in the history")
    value = float(row.waited) / int(row.gave_up)
    return Measured(
        value,
        "measured",
        f"total wait of {int(row.n):,} queued calls / {int(row.gave_up):,} abandoned "
        "(answered callers' waits are censored: they would have waited longer)",
    )


def _in_window(calls: ibis.Table, first: float, end: float) -> ibis.Table:
    t = epoch_seconds(calls.t)
    return calls.filter((t >= first) & (t < end))


# --- shifts -----------------------------------------------------------------------------


def _shifts(store: Store, options: PlanOptions, first: float, last: float) -> pd.DataFrame:
    """Shifts of the team's agents (all agents' without a team) overlapping the window."""
    s, a = store.table("agent_shifts"), store.table("agents")
    people = a.filter(~a.is_bot.fill_null(False))
    if options.team is not None:
        people = people.filter(people.team_id == options.team)
    s = s.filter(s.agent_id.isin(people.agent_id))
    start, stop = epoch_seconds(s.start_at), epoch_seconds(s.end_at)
    s = s.filter((start < last) & (stop > first))
    with store.lock:
        return s.select(
            agent=s.agent_id,
            kind=s.kind.fill_null("logged_in"),
            start=epoch_seconds(s.start_at),
            end=epoch_seconds(s.end_at),
        ).execute()


def _shrinkage(shifts: pd.DataFrame, first: float, end: float) -> Measured:
    """1 − logged-in hours / scheduled hours, over the agents with both recorded."""
    past = shifts[(shifts.start < end) & (shifts.end > first)]
    kinds = past.groupby("agent").kind.nunique()
    both = past[past.agent.isin(kinds.index[kinds == 2])]
    if both.empty:
        return Measured(
            None, "none", "agent_shifts hold no agent with both scheduled and logged-in time"
        )
    hours = (both.end.clip(upper=end) - both.start.clip(lower=first)).groupby(
        both.kind
    ).sum() / 3600
    value = max(0.0, 1.0 - float(hours["logged_in"] / hours["scheduled"]))
    return Measured(
        value,
        "measured",
        f"1 − {hours['logged_in']:,.0f} logged-in h / {hours['scheduled']:,.0f} scheduled h "
        f"of {both.agent.nunique():,} agents",
    )


def _scheduled(
    shifts: pd.DataFrame,
    zone: ZoneInfo,
    end: float,
    plan_start: float,
    steps: int,
    options: PlanOptions,
    store: Store,
    notes: list[str],
) -> tuple[np.ndarray, str, bool, int, float | None]:
    """Agents per planned interval: the scheduled shifts already in the store for the
    planned weeks, else the last whole week of the history repeated (scheduled shifts, or
    logged-in time where nothing was scheduled). With the headcount and hours per agent."""
    iv = options.interval_s
    ahead = shifts[(shifts.kind == "scheduled") & (shifts.end > plan_start)]
    if not ahead.empty:
        basis = "scheduled shifts in agent_shifts for the planned weeks"
        cover = agents_per_interval(
            ahead.start.to_numpy(), ahead.end.to_numpy(), plan_start, steps, iv
        )
        people = ahead.agent.nunique()
        hours = cover.sum() * iv / 3600 / options.weeks / max(people, 1)
        return cover, basis, False, people, hours
    week = plan_start - WEEK_S
    while week + WEEK_S > end:  # the last whole week the data covers
        week -= WEEK_S
    last = shifts[(shifts.end > week) & (shifts.start < week + WEEK_S)]
    kind = "scheduled" if (last.kind == "scheduled").any() else "logged_in"
    last = last[last.kind == kind]
    if last.empty:
        notes.append(
            "No shifts recorded for these agents in the week before the plan: import "
            "agent_shifts to compare scheduled with required agents."
        )
        return np.full(steps, np.nan), "none", False, _team_size(store, options), None
    cover = agents_per_interval(last.start.to_numpy(), last.end.to_numpy(), week, WEEK_S // iv, iv)
    people = last.agent.nunique()
    label = "scheduled shifts" if kind == "scheduled" else "logged-in time (nothing scheduled)"
    day = datetime.fromtimestamp(week, UTC).astimezone(zone).date().isoformat()
    basis = f"the week from {day} repeated: {label} of {people} agents"
    return np.tile(cover, options.weeks), basis, True, people, cover.sum() * iv / 3600 / people


def _team_size(store: Store, options: PlanOptions) -> int:
    a = store.table("agents")
    a = a.filter(~a.is_bot.fill_null(False) & a.left_at.isnull())
    if options.team is not None:
        a = a.filter(a.team_id == options.team)
    with store.lock:
        return int(a.count().execute())


# --- time -------------------------------------------------------------------------------


def _offset(epoch: float, zone: ZoneInfo) -> float:
    delta = datetime.fromtimestamp(epoch, UTC).astimezone(zone).utcoffset() or timedelta()
    return delta.total_seconds()


def _floor(epoch: float, step: int, zone: ZoneInfo) -> float:
    """The start of the local interval of ``step`` seconds that ``epoch`` falls in."""
    offset = _offset(epoch, zone)
    return (epoch + offset) // step * step - offset


def _next_week_start(epoch: float, zone: ZoneInfo, week_start: int) -> float:
    """The first local midnight on the week's first day at or after ``epoch``."""
    local = datetime.fromtimestamp(epoch, UTC).astimezone(zone)
    midnight = pd.Timestamp(local.date()).tz_localize(
        zone, nonexistent="shift_forward", ambiguous=False
    )
    days = (week_start - local.weekday()) % 7
    candidate = (midnight + pd.Timedelta(days=days)).timestamp()
    if candidate < epoch:
        candidate = (midnight + pd.Timedelta(days=days + 7)).timestamp()
    return candidate


def _day(epoch: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(epoch, UTC).astimezone(zone).date().isoformat()
