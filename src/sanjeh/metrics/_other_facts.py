"""Facts of surveys and calls: the canonical rows plus the dimensions KPIs group by."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ..calendar import epoch_seconds

TICKET_DIMS = ("team_id", "channel", "priority", "category", "tags", "language", "segment")


def survey_facts(responses: ir.Table, tickets: ir.Table, agents: ir.Table) -> ir.Table:
    """One row per survey invitation / response, with the ticket's dimensions.

    ``satisfied`` is top-two-box (the top two points of a 5+ point scale, the top point
    of a shorter one); ``good`` is true above the scale's midpoint, false below it, null
    on it; ``nps_class`` is +1 promoter (9-10), 0 passive (7-8), −1 detractor (0-6) on
    the answer rescaled to 0-10.
    """
    t = tickets.select(
        "ticket_id", *TICKET_DIMS, ticket_agent_id="agent_id", ticket_customer_id="customer_id"
    )
    a = agents.select(a_agent_id="agent_id", agent_team_id="team_id")
    r = responses.left_join(t, "ticket_id")
    r = r.mutate(
        agent_id=r.agent_id.coalesce(r.ticket_agent_id),
        customer_id=r.customer_id.coalesce(r.ticket_customer_id),
    )
    r = r.left_join(a, r.agent_id == a.a_agent_id)
    score, lo, hi = r.score, r.scale_min.cast("float64"), r.scale_max.cast("float64")
    points = hi - lo + 1
    mid = (lo + hi) / 2
    ten = (score - lo) / (hi - lo) * 10
    answered = r.submitted_at.notnull() & score.notnull()
    return r.select(
        "response_id",
        "survey",
        "question",
        "score",
        "scale_min",
        "scale_max",
        "comment",
        "ticket_id",
        "customer_id",
        "agent_id",
        "sent_at",
        "submitted_at",
        team_id=r.team_id.coalesce(r.agent_team_id),
        channel=r.channel,
        priority=r.priority,
        category=r.category,
        tags=r.tags,
        language=r.language,
        segment=r.segment,
        answered=answered,
        satisfied=ibis.ifelse(points >= 5, score >= hi - 1, score >= hi),
        good=ibis.cases((score > mid, True), (score < mid, False), else_=ibis.null("boolean")),
        nps_class=ibis.cases((ten >= 9, 1), (ten <= 6, -1), else_=0).cast("float64"),
        # the time a response counts in: when answered, else when sent
        at=r.submitted_at.coalesce(r.sent_at),
    )


def call_facts(calls: ir.Table, agents: ir.Table) -> ir.Table:
    """One row per call with wait and handle times (seconds) and the agent's team."""
    a = agents.select(a_agent_id="agent_id", team_id="team_id")
    c = calls.left_join(a, calls.agent_id == a.a_agent_id)

    def secs(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
        return epoch_seconds(end) - epoch_seconds(start)

    queued = c.queued_at.notnull()
    wait_end = c.answered_at.coalesce(c.ended_at)
    return c.select(
        "call_id",
        "queue",
        "customer_id",
        "agent_id",
        "team_id",
        "outcome",
        "started_at",
        "queued_at",
        "answered_at",
        "ended_at",
        "call_type",
        queued=queued,
        offered=queued & (c.outcome != "other"),
        answered=c.outcome == "answered",
        abandoned=c.outcome == "abandoned",
        wait_s=ibis.ifelse(queued, secs(c.queued_at, wait_end), ibis.null("float64")),
        handle_s=c.talk_s.fill_null(0) + c.hold_s.fill_null(0) + c.wrap_s.fill_null(0),
    )


def shift_facts(shifts: ir.Table, agents: ir.Table) -> ir.Table:
    """Logged-in time per shift in hours, with its cost from the agent's hourly cost."""
    a = agents.select(a_agent_id="agent_id", team_id="team_id", hourly_cost="hourly_cost")
    logged_in = shifts.kind.fill_null("logged_in") == "logged_in"
    s = shifts.filter(logged_in).left_join(a, shifts.agent_id == a.a_agent_id)
    hours = (epoch_seconds(s.end_at) - epoch_seconds(s.start_at)) / 3600
    return s.select(
        "shift_id",
        "agent_id",
        "team_id",
        "start_at",
        "end_at",
        hours=hours,
        cost=hours * s.hourly_cost,
    )
