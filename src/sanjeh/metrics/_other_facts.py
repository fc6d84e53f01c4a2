"""Facts of surveys and calls: the canonical rows plus the dimensions KPIs group by."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ..calendar import epoch_seconds

TICKET_DIMS = (
    *("team_id", "channel", "priority", "category", "tags", "language", "segment", "plan"),
    "topic",
)


def survey_facts(
    responses: ir.Table, tickets: ir.Table, agents: ir.Table, customers: ir.Table
) -> ir.Table:
    """One row per survey invitation / response, with the ticket's dimensions (a
    response about no ticket, e.g. a relationship NPS, takes its customer's segment and
    plan).

    ``team_id`` is the response's own (an eNPS / pulse answer names only its team), else
    the ticket's, else the agent's; ``language`` the response's own (the language it was
    answered in), else the ticket's.

    ``satisfied`` is top-two-box (the top two points of a 5+ point scale, the top point
    of a shorter one); ``good`` is true above the scale's midpoint, false below it, null
    on it; ``nps_class`` is +1 promoter (9-10), 0 passive (7-8), −1 detractor (0-6) on
    the answer rescaled to 0-10.
    """
    own = [d for d in TICKET_DIMS if d not in ("team_id", "language")]
    t = tickets.select(
        "ticket_id",
        *own,
        ticket_team_id="team_id",
        ticket_language="language",
        ticket_agent_id="agent_id",
        ticket_customer_id="customer_id",
    )
    a = agents.select(a_agent_id="agent_id", agent_team_id="team_id")
    r = responses.left_join(t, "ticket_id")
    r = r.mutate(
        agent_id=r.agent_id.coalesce(r.ticket_agent_id),
        customer_id=r.customer_id.coalesce(r.ticket_customer_id),
    )
    r = r.left_join(a, r.agent_id == a.a_agent_id)
    c = customers.select(c_customer_id="customer_id", c_segment="segment", c_plan="plan")
    r = r.left_join(c, r.customer_id == c.c_customer_id)
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
        team_id=r.team_id.coalesce(r.ticket_team_id, r.agent_team_id),
        channel=r.channel,
        priority=r.priority,
        category=r.category,
        tags=r.tags,
        topic=r.topic,
        language=r.language.coalesce(r.ticket_language),
        segment=r.segment.coalesce(r.c_segment),
        plan=r.plan.coalesce(r.c_plan),
        answered=answered,
        satisfied=ibis.ifelse(points >= 5, score >= hi - 1, score >= hi),
        good=ibis.cases((score > mid, True), (score < mid, False), else_=ibis.null("boolean")),
        nps_class=ibis.cases((ten >= 9, 1), (ten <= 6, -1), else_=0).cast("float64"),
        # the time a response counts in: when answered, else when sent
        at=r.submitted_at.coalesce(r.sent_at),
    )


#: the speech figures of ``call_speech`` a call's fact row carries (null: not analysed)
SPEECH_FIGURES = (
    "agent_talk_s",
    "customer_talk_s",
    "talk_listen_ratio",
    "silence_s",
    "silence_share",
    "longest_silence_s",
    "overtalk_s",
    "overtalk_share",
    "agent_interruptions",
    "agent_wpm",
    "longest_agent_monologue_s",
    "sentiment_start",
    "sentiment_end",
    "sentiment_change",
)


def call_facts(calls: ir.Table, agents: ir.Table, speech: ir.Table) -> ir.Table:
    """One row per call with wait and handle times (seconds), the agent's team and the
    call's speech figures.

    ICMI / COPC conventions, the same for every source:

    - ``offered``: the call reached the agents — it was queued, answered or abandoned
      (IVR-only and ``other`` calls are not offered). An answered call with no
      ``queued_at`` went straight to an agent: it is offered, answered at 0 s wait.
    - ``queued``: the source recorded a queue stage (``queued_at``); the
      ``abandonment_base=queued`` option counts only these.
    - ``wait_s`` starts at ``queued_at`` (else, for an answered call, at ``answered_at``)
      and ends at the service start ``answered_at`` for answered calls, at ``ended_at``
      (the hang-up) for the others; null when either end is unknown.
    - ``handle_s`` is talk + hold + wrap, null when none of them is known (an unknown
      handle time is not a 0 s one).
    - ``ivr_s``: the source's IVR seconds, as given (null: the source did not time the
      IVR), for the IVR containment rate.
    - ``hold_s``: the hold seconds as given (null: not recorded, not 0 s).

    The speech figures come from the call's ``call_speech`` row (``SPEECH_FIGURES``,
    ``speech_origin``, ``speech_duration_s``); ``analysed`` says there is one. A call
    nobody analysed has null figures, never 0 s of silence, so the speech KPIs leave
    it out.
    """
    a = agents.select(a_agent_id="agent_id", team_id="team_id")
    c = calls.left_join(a, calls.agent_id == a.a_agent_id)
    sp = speech.select(
        sp_call_id="call_id",
        speech_origin="origin",
        speech_duration_s="duration_s",
        **{name: name for name in SPEECH_FIGURES},
    )
    c = c.left_join(sp, c.call_id == sp.sp_call_id)

    def secs(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
        return epoch_seconds(end) - epoch_seconds(start)

    queued = c.queued_at.notnull()
    answered = c.outcome == "answered"
    abandoned = c.outcome == "abandoned"
    offered = (queued | answered | abandoned) & (c.outcome != "other")
    # answered without queueing: the wait starts (and ends) at the answer
    wait_start = ibis.ifelse(answered & ~queued, c.answered_at, c.queued_at)
    wait_end = ibis.ifelse(answered, c.answered_at, c.ended_at)
    known = c.talk_s.notnull() | c.hold_s.notnull() | c.wrap_s.notnull()
    handle = c.talk_s.fill_null(0) + c.hold_s.fill_null(0) + c.wrap_s.fill_null(0)
    return c.select(
        "call_id",
        "ticket_id",
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
        "ivr_s",
        "hold_s",
        "speech_origin",
        "speech_duration_s",
        *SPEECH_FIGURES,
        analysed=c.sp_call_id.notnull(),
        queued=queued,
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        wait_s=ibis.ifelse(offered, secs(wait_start, wait_end), ibis.null("float64")),
        handle_s=ibis.ifelse(known, handle, ibis.null("float64")),
    )


def shift_facts(shifts: ir.Table, agents: ir.Table) -> ir.Table:
    """Every shift row, logged-in or scheduled, in hours, with the agent's team.

    ``kind`` is ``logged_in`` (also when the source left it empty) or ``scheduled``.
    ``login_at`` / ``scheduled_at`` repeat ``start_at`` for the rows of that kind only, so
    their local times (``start_local`` / ``scheduled_local``) place each kind in periods
    apart: the per-hour KPIs and the shifts' data end read logged-in time alone (a
    schedule published ahead is not data that has arrived). ``cost`` is logged-in hours
    × the agent's hourly cost (null for scheduled rows).
    """
    a = agents.select(a_agent_id="agent_id", team_id="team_id", hourly_cost="hourly_cost")
    s = shifts.mutate(kind=shifts.kind.fill_null("logged_in"))
    s = s.left_join(a, s.agent_id == a.a_agent_id)
    hours = (epoch_seconds(s.end_at) - epoch_seconds(s.start_at)) / 3600
    logged_in = s.kind == "logged_in"
    never = ibis.null(s.start_at.type())
    return s.select(
        "shift_id",
        "agent_id",
        "team_id",
        "kind",
        "start_at",
        "end_at",
        login_at=ibis.ifelse(logged_in, s.start_at, never),
        scheduled_at=ibis.ifelse(s.kind == "scheduled", s.start_at, never),
        hours=hours,
        cost=ibis.ifelse(logged_in, hours * s.hourly_cost, ibis.null("float64")),
    )
