"""Agent time as Ibis expressions: handled calls, logged-in spans merged, schedules.

The contact-centre KPIs (occupancy, utilisation, schedule adherence) compare time per
agent and period. Everything here runs on DuckDB and PostgreSQL alike (window
functions, joins on intervals); the KPIs combine the small per-agent results.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ...calendar import epoch_seconds


def handled(c: ir.Table) -> ir.BooleanValue:
    """Calls an agent handled: answered, or transferred after an agent took them (an
    answer time or an agent recorded). A transfer with neither left the IVR or the
    queue by routing: no agent spent time on it."""
    by_agent = c.answered_at.notnull() | c.agent_id.notnull()
    return c.answered | ((c.outcome == "transferred") & by_agent)


def logged_in_spans(shifts: ir.Table) -> ir.Table:
    """An agent's logged-in rows merged where they overlap or touch (two sessions at once
    are one stretch of staffed time): agent_id, team_id, start_local (of the stretch's
    first row), begin_s, end_s (epoch seconds) and seconds."""
    s = shifts.filter(shifts.kind == "logged_in")
    s = s.mutate(_b=epoch_seconds(s.start_at), _e=epoch_seconds(s.end_at))
    order = [s._b, s._e]
    earlier = ibis.window(group_by=s.agent_id, order_by=order, rows=(None, -1))
    s = s.mutate(_reach=s._e.max().over(earlier))  # the latest end of the rows before
    starts = s._reach.isnull() | (s._b > s._reach)  # a gap before this row: a new stretch
    running = ibis.cumulative_window(group_by=s.agent_id, order_by=[s._b, s._e])
    s = s.mutate(_stretch=ibis.ifelse(starts, 1, 0).sum().over(running))
    out = s.group_by(["agent_id", "_stretch"]).agg(
        team_id=s.team_id.max(),
        start_local=s.start_local.min(),
        begin_s=s._b.min(),
        end_s=s._e.max(),
    )
    return out.mutate(seconds=out.end_s - out.begin_s).drop("_stretch")


def scheduled_spans(shifts: ir.Table) -> ir.Table:
    """Scheduled shifts as given: shift_id, agent_id, team_id, scheduled_local, begin_s,
    end_s, seconds."""
    s = shifts.filter(shifts.kind == "scheduled")
    b, e = epoch_seconds(s.start_at), epoch_seconds(s.end_at)
    return s.select(
        "shift_id", "agent_id", "team_id", "scheduled_local", begin_s=b, end_s=e, seconds=e - b
    )


def within_schedule(scheduled: ir.Table, spans: ir.Table) -> ir.Table:
    """Each scheduled shift (with any columns ``scheduled`` carries) plus ``within``: the
    seconds of it the agent was logged in, over every logged-in stretch it overlaps
    (0 when none does)."""
    i = spans.select(_i_agent=spans.agent_id, _i_begin=spans.begin_s, _i_end=spans.end_s)
    j = scheduled.left_join(
        i,
        [
            scheduled.agent_id == i._i_agent,
            i._i_begin < scheduled.end_s,
            i._i_end > scheduled.begin_s,
        ],
    )
    overlap = ibis.least(j._i_end, j.end_s) - ibis.greatest(j._i_begin, j.begin_s)
    keys = [c for c in scheduled.columns]
    return j.group_by(keys).agg(within=overlap.sum().fill_null(0.0))


def recorded_kinds(shifts: ir.Table) -> ir.Table:
    """Per agent, whether the store holds scheduled and logged-in rows (at any time)."""
    return shifts.group_by("agent_id").agg(
        has_scheduled=(shifts.kind == "scheduled").any(),
        has_logged_in=(shifts.kind == "logged_in").any(),
    )
