"""Contact-centre KPIs planning needs: occupancy, utilisation, schedule adherence, IVR
containment, transfer rate.

Occupancy, utilisation and adherence put agent time over agent time, per agent first:
an agent's handled calls, logged-in stretches (overlapping sessions merged) and
scheduled shifts in the period, then summed over the breakdown. What cannot be
compared (handle time of an agent with no logged-in time, an agent whose schedule or
logins the store does not hold) is left out of both sides and counted in the note.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from .._engine import Query
from .._registry import KPI, Context, register, titles
from . import _spans

#: the period rule of the time-based KPIs, said once for their definitions
SPANS = (
    "A span of time counts, whole, in the period its start falls in (a night shift "
    "from 22:00 to 06:00 counts in the day it starts); a call counts in the period it "
    "started in. For days and longer periods; an hour's figure is rough."
)
WFM = (
    "ICMI / COPC workforce definitions: occupancy = handle time / staffed (logged-in) "
    "time; utilisation = staffed time / paid (scheduled) time; adherence = time logged "
    "in within scheduled shifts / scheduled time (no activity codes: a break the "
    "schedule does not show counts against adherence)."
)


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:,.1f} h"


def _per_agent(q: Query) -> pd.DataFrame:
    """Per breakdown, period and agent (``_agent``): handled calls and their handle
    seconds, logged-in seconds, scheduled shifts, their seconds and the seconds of them
    spent logged in — one frame every time KPI of the request reads."""
    keys = [*q.keys, "_agent"]
    shifts, calls = q.fact("shifts"), q.fact("calls")

    def handle() -> ibis.Table:
        c = calls.filter(_spans.handled(calls) & calls.handle_s.notnull())
        c = q.keyed(c, "calls", "started_local")
        c = c.mutate(_agent=c.agent_id)
        return c.group_by(keys).agg(calls=c.count(), handle=c.handle_s.sum())

    def logged() -> ibis.Table:
        s = q.keyed(_spans.logged_in_spans(shifts), "shifts", "start_local")
        s = s.mutate(_agent=s.agent_id)
        return s.group_by(keys).agg(logged=s.seconds.sum())

    def scheduled() -> ibis.Table:
        s = q.keyed(_spans.scheduled_spans(shifts), "shifts", "scheduled_local")
        s = s.mutate(_agent=s.agent_id)
        each = _spans.within_schedule(
            s.select(*keys, "agent_id", "shift_id", "begin_s", "end_s", "seconds"),
            _spans.logged_in_spans(shifts),
        )
        return each.group_by(keys).agg(
            shifts=each.count(), scheduled=each.seconds.sum(), within=each.within.sum()
        )

    frames = [
        q.run(("contact_centre", part.__name__), part) for part in (handle, logged, scheduled)
    ]
    out = frames[0]
    for f in frames[1:]:  # (pandas matches empty keys — no team — with each other)
        out = _merge(out, f, keys, "outer")
    numbers = ["calls", "handle", "logged", "shifts", "scheduled", "within"]
    out[numbers] = out[numbers].astype("float64").fillna(0.0)
    kinds = q.run(("contact_centre", "kinds"), lambda: _spans.recorded_kinds(shifts))
    kinds = kinds.rename(columns={"agent_id": "_agent"})
    out = _merge(out, kinds, ["_agent"], "left")
    for flag in ("has_scheduled", "has_logged_in"):
        out[flag] = out[flag].astype("boolean").fillna(False).astype(bool)
    return out


def _merge(left: pd.DataFrame, right: pd.DataFrame, keys: list[str], how: str) -> pd.DataFrame:
    """``left.merge(right)``, also when one side is empty: pandas cannot factorize an
    empty Arrow-backed key column (an empty period or filter), so the join is spelt out."""
    if not left.empty and not right.empty:
        return left.merge(right, on=keys, how=how)  # type: ignore[arg-type]
    if right.empty or how == "left":
        added = [c for c in right.columns if c not in keys]
        return left.assign(**{c: pd.Series(np.nan, index=left.index) for c in added})
    added = [c for c in left.columns if c not in keys]
    return right.assign(**{c: pd.Series(np.nan, index=right.index) for c in added})


def _agents(q: Query) -> pd.DataFrame:
    return q.shared("contact_centre.agents", lambda: _per_agent(q))


#: one sentence per group (None: nothing to say), for each thing a note may say
Said = list[str | None]


def _frame(
    q: Query, groups: pd.DataFrame, value: pd.Series, n: pd.Series, notes: list[Said]
) -> pd.DataFrame:
    """The KPI's frame: keys, n, value and the notes joined (``_note``)."""
    out = groups[q.keys].reset_index(drop=True)
    out["n"] = n.to_numpy(dtype="int64")
    out["value"] = value.to_numpy(dtype="float64")
    joined = ["; ".join(x for x in row if x) or None for row in zip(*notes, strict=True)]
    out["_note"] = pd.Series(joined, dtype=object)
    return out


def _none(q: Query) -> pd.DataFrame:
    """No rows for the KPI (the report then says why: no agent shifts)."""
    return pd.DataFrame({**{k: [] for k in q.keys}, "n": np.array([], "int64"), "value": []})


def _sums(q: Query, frame: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """Column sums per breakdown and period (empty breakdowns kept)."""
    parts = pd.DataFrame({name: s.astype("float64") for name, s in columns.items()})
    parts[q.keys] = frame[q.keys]
    return parts.groupby(q.keys, dropna=False, sort=False).sum().reset_index()


def _say(counts: pd.Series, text: str) -> Said:
    """``text`` (with ``{n}``: the count) where the count is above 0."""
    return [text.format(n=f"{n:,.0f}") if n > 0 else None for n in counts]


def occupancy(q: Query) -> pd.DataFrame:
    a = _agents(q)
    a = a[(a.logged > 0) | (a.calls > 0)]  # (an agent only scheduled has nothing to say)
    if a.empty:
        return _none(q)
    staffed = a.logged > 0
    g = _sums(
        q,
        a,
        {
            "handle": a.handle.where(staffed, 0.0),
            "logged": a.logged,
            "calls": a.calls.where(staffed, 0.0),
            "out_calls": a.calls.where(~staffed, 0.0),
            "out_handle": a.handle.where(~staffed, 0.0),
        },
    )
    left_out = [
        f"{n:,.0f} call(s) ({_hours(h)} handle time) of agents without logged-in time in "
        "the period (or naming no agent) left out"
        if n > 0
        else None
        for n, h in zip(g.out_calls, g.out_handle, strict=True)
    ]
    notes = [_say(g.logged <= 0, "no number: no logged-in time in the period"), left_out]
    value = g.handle / g.logged.where(g.logged > 0)
    return _frame(q, g, value, g.calls, notes)


def _time_ratio(q: Query, numerator: str, *, needs_login: bool) -> pd.DataFrame:
    """Σ ``numerator`` / Σ scheduled seconds over the agents whose schedules (and, if
    ``needs_login``, logins) the store holds; the others are counted in the note."""
    a = _agents(q)
    # the agents with shift rows in the period (with the handle basis: or calls)
    a = a[(a.shifts > 0) | (a.logged > 0) | ((a[numerator] > 0) & (not needs_login))]
    if a.empty:
        return _none(q)
    ok = a.has_scheduled & (a.has_logged_in | (not needs_login))
    g = _sums(
        q,
        a,
        {
            "part": a[numerator].where(ok, 0.0),
            "scheduled": a.scheduled.where(ok, 0.0),
            "shifts": a.shifts.where(ok, 0.0),
            "no_schedule": ~a.has_scheduled,
            "no_login": a.has_scheduled & ~a.has_logged_in,
        },
    )
    both = "schedules and logins are" if needs_login else "schedules are"
    notes = [
        _say(
            g.scheduled <= 0,
            f"no number: no scheduled time in the period of agents whose {both} recorded",
        ),
        _say(
            g.no_schedule,
            "{n} agent(s) left out: no scheduled shift of theirs is recorded "
            "(agent_shifts kind=scheduled)",
        ),
    ]
    if needs_login:
        notes.append(
            _say(
                g.no_login,
                "{n} agent(s) left out: schedules but no logged-in time recorded "
                "(agent_shifts kind=logged_in)",
            )
        )
    value = g.part / g.scheduled.where(g.scheduled > 0)
    return _frame(q, g, value, g.shifts, notes)


def utilisation(q: Query) -> pd.DataFrame:
    if q.ctx.options.utilisation_basis == "handle":
        return _time_ratio(q, "handle", needs_login=False)
    return _time_ratio(q, "logged", needs_login=True)


def adherence(q: Query) -> pd.DataFrame:
    return _time_ratio(q, "within", needs_login=True)


def _entered_ivr(ctx: Context, c: ibis.Table) -> ibis.ir.BooleanValue:
    timed = c.ivr_s.notnull() & ((c.ivr_s > 0) | (c.outcome == "ivr"))
    return timed & (c.outcome != "other")


def _agent_transferred(ctx: Context, c: ibis.Table) -> ibis.ir.BooleanValue:
    return c.outcome == "transferred"


register(
    KPI(
        name="ivr_containment_rate",
        titles=titles("IVR containment rate", "نرخ مهار تماس در IVR", "معدل الاحتواء في IVR"),
        unit="ratio",
        kind="rate",
        source="calls",
        time="started_at",
        higher_is_better=True,
        definition="Share of the calls that entered the IVR which also ended there (outcome "
        "ivr: self-service, or the caller hung up before asking for an agent — sources "
        "rarely tell the two apart, so this is the most the IVR contained). A call entered "
        "the IVR when the source timed its IVR stage (ivr_s) and it spent time there "
        "(ivr_s > 0) or ended there. Calls whose IVR time is not recorded are left out of "
        "both counts: a source that does not time the IVR cannot say how many of the calls "
        "that reached agents went through it, and counting only the IVR-ended ones would "
        "read as 100 %. Phantom / test calls (outcome other) are left out, as for calls "
        "offered.",
        formula="calls ended in the IVR / calls with ivr_s > 0 or ended in the IVR "
        "(ivr_s recorded, outcome ≠ other)",
        value=lambda ctx, c: c.outcome == "ivr",
        where=_entered_ivr,
        convention="COPC / ICMI: IVR containment = calls completed in the IVR / calls "
        "entering the IVR.",
        needs=("calls",),
    ),
    KPI(
        name="transfer_rate",
        titles=titles("Call transfer rate", "نرخ انتقال تماس", "معدل تحويل المكالمات"),
        unit="ratio",
        kind="rate",
        source="calls",
        time="started_at",
        higher_is_better=False,
        definition="Share of the calls agents handled that they transferred: outcome "
        "transferred after an agent took the call (an answer time or an agent recorded), "
        "over those plus the calls answered (outcome answered). A call the IVR or the "
        "queue routed elsewhere before any agent took it is not an agent's transfer and "
        "is left out of both counts; so are abandoned, IVR-only and phantom calls. The "
        "team, agent and queue are those of the agent who transferred.",
        formula="transferred by an agent / (answered + transferred by an agent)",
        value=_agent_transferred,
        where=lambda ctx, c: _spans.handled(c),
        convention="COPC / ICMI: transfer rate = calls agents transferred / calls agents "
        "handled (answered).",
        needs=("calls",),
    ),
    KPI(
        name="occupancy",
        titles=titles("Occupancy", "نرخ اشغال کارشناس", "نسبة إشغال الموظفين"),
        unit="ratio",
        kind="custom",
        source="shifts",
        time="start_at",
        higher_is_better=None,
        definition="Share of the agents' logged-in time spent handling calls: talk + hold + "
        "wrap of the calls they handled (answered, or transferred after answering), over "
        "their logged-in time (agent_shifts kind=logged_in; overlapping sessions of one "
        "agent count once), agent by agent and period by period. Handle time of an agent "
        "with no logged-in time in the period (or of a call naming no agent) is left out "
        "of both sides and counted in the note. Voice only: time agents spent on tickets "
        "is not handle time, so blended agents read low. " + SPANS,
        formula="Σ handle time of staffed agents / Σ their logged-in time",
        custom=occupancy,
        convention=WFM,
        needs=("calls", "agent_shifts"),
    ),
    KPI(
        name="utilisation",
        titles=titles("Utilisation", "نرخ به‌کارگیری زمان کاری", "معدل الاستخدام"),
        unit="ratio",
        kind="custom",
        source="shifts",
        time="scheduled_at",
        higher_is_better=None,
        definition="Agents' logged-in time over their scheduled (paid) time (agent_shifts "
        "kind=logged_in over kind=scheduled); with utilisation_basis=handle, their call "
        "handle time over scheduled time. Logged-in time outside the schedule counts too "
        "(overtime can take it above 100 %). Only agents whose schedule and logins the "
        "store holds take part (for the handle basis: whose schedule it holds); the "
        "others are counted in the note, and a group without scheduled time has no "
        "number. " + SPANS,
        formula="Σ logged-in time / Σ scheduled time (or Σ handle time / Σ scheduled time)",
        custom=utilisation,
        options=("utilisation_basis",),
        convention=WFM,
        needs=("agent_shifts",),
    ),
    KPI(
        name="schedule_adherence",
        titles=titles("Schedule adherence", "پایبندی به برنامه شیفت", "الالتزام بجدول المناوبات"),
        unit="ratio",
        kind="custom",
        source="shifts",
        time="scheduled_at",
        higher_is_better=True,
        definition="Share of scheduled time the agent was logged in: for each scheduled "
        "shift, the part of it covered by the same agent's logged-in time (several "
        "sessions, overlapping ones counted once, a login before the shift counting only "
        "from its start), over the shift's length. Only agents with both scheduled and "
        "logged-in shifts recorded take part; the others are counted in the note. A "
        "scheduled shift counts in the period it starts in, with all of its overlap. " + SPANS,
        formula="Σ scheduled time logged in / Σ scheduled time",
        custom=adherence,
        convention=WFM,
        needs=("agent_shifts",),
    ),
)
