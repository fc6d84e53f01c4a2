"""Ticket facts: one row per ticket, every duration in calendar and business seconds.

Built as one Ibis expression from the canonical tables (no query runs here):

- first reply: ticket creation → first public human-agent reply (Zendesk). When an
  agent created the ticket with a public comment, the clock stops at the *second*
  public agent comment. Option ``first_reply_start="handoff"`` starts the clock at a
  bot's hand-off instead of creation; ``first_reply_match="direct_reply"`` stops it
  only at a reply to the customer's opening message (``reply_to``, Twitter threads).
- first resolution: creation → first time solved (or closed without being solved);
  full resolution: creation → last time solved, only for tickets solved now.
- requester wait / agent wait / on-hold: time spent in new+open+on_hold / pending /
  on_hold, summed over the status history (Zendesk).
- reopens: changes from solved / closed back to an unsolved status.
- FCR, conversion and survey scores as described by their options.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ibis
import ibis.expr.datatypes as dt_types
import ibis.expr.types as ir

from ..calendar import epoch_seconds, with_business_clock, with_business_seconds
from ._options import MetricOptions
from ._prediction_facts import latest_csat
from ._timeline import REQUESTER_WAIT, SOLVED, classified, order
from ._topic_facts import ticket_topic

_DAY = 86_400
UTC_TS = dt_types.Timestamp(timezone="UTC", scale=6)


def _seconds(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """Wall-clock seconds from start to end (null when either is null)."""
    return epoch_seconds(end) - epoch_seconds(start)


def status_spans(events: ir.Table) -> ir.Table:
    """One row per status a ticket was in: (ticket_id, status, start, end, previous)."""
    s = events.filter(events.new_status.notnull())
    w = ibis.window(group_by=s.ticket_id, order_by=order(s))
    return s.select(
        ticket_id=s.ticket_id,
        status=s.new_status,
        start=s.at,
        end=s.at.lead().over(w),
        previous=s.new_status.lag().over(w),
    )


def _first_replies(e: ir.Table, options: MetricOptions, blocks: ir.Table | None) -> ir.Table:
    direct = options.first_reply_match == "direct_reply"
    if blocks is not None and not direct:  # a reply's block is its number: no second pass
        ranked = blocks.filter(blocks.is_reply & (blocks.block < 2)).mutate(n=blocks.block)
    else:
        replies = e.filter(e.is_reply)
        if direct:
            replies = _direct_replies(e, replies)
        w = ibis.window(group_by=replies.ticket_id, order_by=order(replies))
        ranked = replies.mutate(n=ibis.row_number().over(w)).filter(lambda t: t.n < 2)
    extra = {"reply1_direct": ranked.reply_to.count(where=ranked.n == 0) > 0} if direct else {}
    return ranked.group_by("ticket_id").agg(
        reply1_at=ranked.at.min(where=ranked.n == 0),
        reply1_by=ranked.actor_id.min(where=ranked.n == 0),
        reply2_at=ranked.at.min(where=ranked.n == 1),
        reply2_by=ranked.actor_id.min(where=ranked.n == 1),
        **extra,
    )


def _direct_replies(e: ir.Table, replies: ir.Table) -> ir.Table:
    """The replies that may end first reply under ``first_reply_match="direct_reply"``:
    those answering the ticket's opening message — its first public message, when a
    customer wrote it. A ticket whose events carry no ``reply_to`` at all comes from a
    source without reply links: all its replies stay (the number does not change)."""
    public = e.filter(e.is_reply | e.is_customer_message)
    w = ibis.window(group_by=public.ticket_id, order_by=order(public))
    first = public.mutate(n=ibis.row_number().over(w)).filter(lambda t: t.n == 0)
    openers = first.filter(first.is_customer_message).select(
        ticket_id="ticket_id", _opener="event_id"
    )
    linked = e.filter(e.reply_to.notnull()).select(_linked_ticket="ticket_id").distinct()
    j = replies.left_join(openers, "ticket_id").left_join(
        linked, replies.ticket_id == linked._linked_ticket
    )
    answers_opener = (j.reply_to == j._opener).fill_null(False)
    return j.filter(j._linked_ticket.isnull() | answers_opener).select(*replies.columns)


def _per_ticket(e: ir.Table) -> ir.Table:
    solved = e.new_status == "solved"
    closed = e.new_status == "closed"
    return e.group_by("ticket_id").agg(
        created_by=e.actor_type.min(where=e.kind == "created"),
        first_public_message_at=e.at.min(where=e.is_reply | e.is_customer_message),
        first_customer_message_at=e.at.min(where=e.is_customer_message),
        handoff_at=e.at.min(where=e.kind == "handoff"),
        replies=e.count(where=e.is_reply),
        customer_messages=e.count(where=e.is_customer_message),
        notes=e.count(where=e.is_note),
        bot_messages=e.count(where=e.is_bot_message),
        escalations=e.count(where=e.kind == "escalate"),
        max_tier=e.tier.max(),
        first_solved_at=e.at.min(where=solved),
        last_solved_at=e.at.max(where=solved),
        first_closed_at=e.at.min(where=closed),
        merged_at=e.at.min(where=e.kind == "merge"),
        last_event_at=e.at.max(),
        events=e.count(),
    )


def _status_times(spans: ir.Table) -> ir.Table:
    reopen = spans.previous.isin(SOLVED) & ~spans.status.isin(SOLVED)
    return spans.group_by("ticket_id").agg(
        reopens=spans.count(where=reopen),
        first_reopen_at=spans.start.min(where=reopen),
        last_status=spans.status.max(where=spans.end.isnull()),
    )


def _latest_surveys(responses: ir.Table) -> ir.Table:
    r = responses.filter(
        responses.submitted_at.notnull() & responses.ticket_id.notnull() & responses.score.notnull()
    )
    w = ibis.window(
        group_by=[r.ticket_id, r.survey],
        order_by=[ibis.desc(r.submitted_at), ibis.desc(r.response_id)],
    )
    latest = r.mutate(n=ibis.row_number().over(w)).filter(lambda t: t.n == 0)
    aggs = {}
    for survey in ("csat", "ces", "nps"):
        mine = latest.survey == survey
        aggs[f"{survey}_score"] = latest.score.max(where=mine)
        aggs[f"{survey}_scale_min"] = latest.scale_min.max(where=mine)
        aggs[f"{survey}_scale_max"] = latest.scale_max.max(where=mine)
    return latest.group_by("ticket_id").agg(**aggs)


Materialize = Callable[[str, ir.Table], ir.Table]


def ticket_facts(
    tables: dict[str, ir.Table],
    options: MetricOptions,
    *,
    clock: ir.Table,
    calendars: list[str],
    default_calendar: str,
    as_of: dt.datetime,
    materialize: Materialize,
    blocks: ir.Table | None = None,
) -> ir.Table:
    """The ticket-facts expression. ``tables`` maps canonical names to Ibis tables.

    Intermediate results go through ``materialize`` (a temporary table), which keeps
    each compiled query small and lets the database reuse them. ``blocks``: the public
    messages with their reply blocks (``_reply_facts.reply_blocks``), when made already.
    """
    tickets = tables["tickets"]
    e = classified(tables["events"], options)
    teams = tables["teams"].select(team_id="team_id", team_calendar="calendar")
    customers = tables["customers"].select(
        customer_id="customer_id", segment="segment", plan="plan"
    )
    cal = tickets.left_join(teams, "team_id")
    # a team naming a calendar that is not configured falls back to the default
    cal = materialize(
        "ticket_calendar",
        cal.select(
            ticket_id=cal.ticket_id,
            calendar=ibis.ifelse(
                cal.team_calendar.isin(calendars), cal.team_calendar, ibis.literal(default_calendar)
            ),
        ),
    )
    per = materialize("per_ticket", _per_ticket(e))
    first = materialize("first_replies", _first_replies(e, options, blocks))
    spans = materialize("status_spans", status_spans(e))
    statuses = materialize("status_times", _status_times(spans))
    surveys = materialize("latest_surveys", _latest_surveys(tables["survey_responses"]))

    f = (
        tickets.left_join(per, "ticket_id")
        .left_join(first, "ticket_id")
        .left_join(statuses, "ticket_id")
        .left_join(surveys, "ticket_id")
        .left_join(cal, "ticket_id")
        .left_join(customers, "customer_id")
    )
    # agent-created ticket whose first public comment is the agent's own: Zendesk moves
    # the end of first reply to the next public agent comment
    agent_opened = (f.created_by == "agent") & (f.reply1_at == f.first_public_message_at)
    if options.first_reply_match == "direct_reply":
        # a direct reply answers the customer's opening message: never the agent's own
        agent_opened &= ~f.reply1_direct.fill_null(False)
    first_reply_at = ibis.ifelse(agent_opened, f.reply2_at, f.reply1_at)
    first_reply_by = ibis.ifelse(agent_opened, f.reply2_by, f.reply1_by)
    reply_clock_start = (
        f.handoff_at.coalesce(f.created_at)
        if options.first_reply_start == "handoff"
        else f.created_at
    )
    status = f.status.coalesce(f.last_status).fill_null("open")
    is_solved = status.isin(SOLVED)
    full_resolved_at = ibis.ifelse(
        is_solved, f.last_solved_at.coalesce(f.first_closed_at), ibis.null("timestamp")
    )
    merged = f.merged_into.notnull() | f.merged_at.notnull()
    now = ibis.literal(as_of, type="timestamp('UTC')")

    f = f.select(
        ticket_id=f.ticket_id,
        source=f.source,
        created_at=f.created_at,
        channel=f.channel,
        priority=f.priority,
        category=f.category,
        tags=f.tags,
        language=f.language,
        status=status,
        team_id=f.team_id,
        agent_id=f.agent_id,
        customer_id=f.customer_id,
        segment=f.segment,
        plan=f.plan,
        calendar=f.calendar,
        created_by=f.created_by.fill_null("customer"),
        is_merged=merged,
        is_solved=is_solved,
        reply_clock_start=reply_clock_start,
        first_reply_at=first_reply_at,
        first_reply_agent_id=first_reply_by,
        first_resolved_at=f.first_solved_at.coalesce(f.first_closed_at),
        solved_at=full_resolved_at,
        handoff_at=f.handoff_at,
        replies=f.replies.fill_null(0),
        customer_messages=f.customer_messages.fill_null(0),
        notes=f.notes.fill_null(0),
        bot_messages=f.bot_messages.fill_null(0),
        reopens=f.reopens.fill_null(0),
        first_reopen_at=f.first_reopen_at,
        escalations=f.escalations.fill_null(0),
        max_tier=f.max_tier,
        last_event_at=f.last_event_at,
        csat_score=f.csat_score,
        csat_scale_min=f.csat_scale_min,
        csat_scale_max=f.csat_scale_max,
        ces_score=f.ces_score,
        nps_score=f.nps_score,
        as_of=now,
    )
    f = f.mutate(
        first_reply_s=_seconds(f.reply_clock_start, f.first_reply_at).clip(lower=0),
        first_resolution_s=_seconds(f.created_at, f.first_resolved_at),
        full_resolution_s=_seconds(f.created_at, f.solved_at),
        # only an unsolved ticket has an age ("now" − created); it drives open SLA breaches
        open_age_s=ibis.ifelse(f.is_solved, ibis.null("float64"), _seconds(f.created_at, f.as_of)),
        one_touch=_one_touch(f, options),
        escalated=f.escalations > 0,
        **_reopened(f, options),
        bot_resolved=f.is_solved & (f.replies == 0) & (f.bot_messages > 0) & f.handoff_at.isnull(),
    )
    # Only the columns the per-ticket figures below read are written (a wide copy of 1 M
    # rows cost 3 s); the final query computes the wide rows once and joins them to
    # those figures in one join (docs/architecture.md, "Where a fact build's time goes")
    keys = materialize(
        "core",
        f.select(
            "ticket_id",
            "calendar",
            "customer_id",
            "created_at",
            "is_merged",
            *[c for c in _starts(options).values() if c not in ("created_at", "as_of")],
        ),
    )
    extras = materialize(
        "per_ticket_extras",
        _extras(keys, tables, spans, clock, options, as_of),
    )
    added = [c for c in extras.columns if c != "ticket_id"]
    j = f.left_join(extras, "ticket_id")
    f = j.select(*[j[c] for c in f.columns], *[j[c] for c in added])
    # the business clock B(t) of each instant once; durations are differences of it
    reply_start = f._b_reply_start if options.first_reply_start == "handoff" else f._b_created
    f = f.mutate(
        first_reply_bs=(f._b_first_reply - reply_start).clip(lower=0),
        first_resolution_bs=f._b_first_resolved - f._b_created,
        full_resolution_bs=f._b_solved - f._b_created,
        open_age_bs=ibis.ifelse(f.is_solved, ibis.null("float64"), f._b_as_of - f._b_created),
    )
    waits = [f[c].fill_null(0.0).name(c) for c in _WAITS]
    # ("now" is the facts' as-of, FactsInfo, not a per-row value)
    base = [f[c] for c in f.columns if c not in added and c != "as_of"]
    return f.select(
        *base,
        *waits,
        **_fcr(f, options, as_of),
        converted=_converted(f),
        inferred_csat=f.inferred_csat,
        topic=f._t_topic.cast("string"),
    )


def _starts(options: MetricOptions) -> dict[str, str]:
    """The instants whose business clock B(t) the ticket facts take: {out: column}."""
    starts = {
        "_b_created": "created_at",
        "_b_first_reply": "first_reply_at",
        "_b_first_resolved": "first_resolved_at",
        "_b_solved": "solved_at",
        "_b_as_of": "as_of",
    }
    if options.first_reply_start == "handoff":
        starts["_b_reply_start"] = "reply_clock_start"
    return starts


_WAITS = (
    "requester_wait_s",
    "requester_wait_bs",
    "agent_wait_s",
    "agent_wait_bs",
    "on_hold_s",
    "on_hold_bs",
)


def _extras(
    keys: ir.Table,
    tables: dict[str, ir.Table],
    spans: ir.Table,
    clock: ir.Table,
    options: MetricOptions,
    as_of: dt.datetime,
) -> ir.Table:
    """One narrow row per ticket: the business clocks of its instants, its waits, the
    customer's next contact (FCR), its conversions, inferred CSAT and topic. Every part
    is keyed by ticket and joined here, so the wide rows meet them in one join."""
    parts = [
        _wait_times(spans, keys, clock),
        _fcr_inputs(keys, tables, options),
        _conversions(keys, tables["customer_outcomes"], options),
        latest_csat(tables["ticket_predictions"]).rename(ticket_id="_p_ticket"),
        ticket_topic(tables["ticket_topics"]),
    ]
    j = _clocks(keys, _starts(options), clock, as_of)
    for part in parts:
        if part is not None:
            joined = j.left_join(part, "ticket_id")
            added = [joined[c] for c in part.columns if c != "ticket_id"]
            j = joined.select(*[joined[c] for c in j.columns], *added)
    return j


def _clocks(
    keys: ir.Table, starts: dict[str, str], clock: ir.Table, as_of: dt.datetime
) -> ir.Table:
    """The business clock B(t) of each instant of a ticket: one clock join per column on
    the narrow rows (the clock is the small side: stacking the instants into one column
    and pivoting them back cost a group-by of five rows per ticket)."""
    now = ibis.literal(as_of, type="timestamp('UTC')")
    instants = keys.mutate(as_of=now)
    instants = instants.select(
        "ticket_id",
        "calendar",
        **{f"_ts{out}": instants[col].cast(UTC_TS) for out, col in starts.items()},
    )
    valued = with_business_clock(
        instants, {out: f"_ts{out}" for out in starts}, clock, calendar="calendar"
    )
    return valued.select("ticket_id", *starts)


def _reopened(f: ir.Table, options: MetricOptions) -> dict[str, ir.BooleanValue]:
    """``reopened`` (within ``reopen_window_days`` of the first resolution) and
    ``reopen_pending``: solved, but the window is still open at the facts' "now", so
    whether it will be reopened in time is not known yet (null, not false)."""
    days = options.reopen_window_days
    if days == 0:  # a reopen counts whenever it happens
        return {"reopened": f.reopens > 0, "reopen_pending": ibis.literal(False)}
    window_end = f.first_resolved_at + ibis.interval(days=days)
    pending = f.first_resolved_at.notnull() & (window_end > f.as_of)
    within = f.first_reopen_at.notnull() & (f.first_reopen_at <= window_end)
    return {
        "reopened": ibis.ifelse(pending, ibis.null("boolean"), within),
        "reopen_pending": pending,
    }


def _one_touch(f: ir.Table, options: MetricOptions) -> ir.BooleanValue:
    low = 0 if options.one_touch_includes_zero_replies else 1
    return ibis.ifelse(f.is_solved, f.replies.between(low, 1), ibis.null("boolean"))


def _wait_times(spans: ir.Table, keys: ir.Table, clock: ir.Table) -> ir.Table:
    """Requester wait, agent wait and on-hold time over closed status spans (null: none;
    the facts show 0)."""
    cal = keys.select("ticket_id", "calendar")
    s = spans.filter(spans.end.notnull()).join(cal, "ticket_id")
    s = s.mutate(seconds=_seconds(s.start, s.end))
    s = with_business_seconds(s, {"business": ("start", "end")}, clock, calendar="calendar")
    req, pend, hold = s.status.isin(REQUESTER_WAIT), s.status == "pending", s.status == "on_hold"
    return s.group_by("ticket_id").agg(
        requester_wait_s=s.seconds.sum(where=req),
        requester_wait_bs=s.business.sum(where=req),
        agent_wait_s=s.seconds.sum(where=pend),
        agent_wait_bs=s.business.sum(where=pend),
        on_hold_s=s.seconds.sum(where=hold),
        on_hold_bs=s.business.sum(where=hold),
    )


def _fcr_inputs(
    keys: ir.Table, tables: dict[str, ir.Table], options: MetricOptions
) -> ir.Table | None:
    """What first-contact resolution reads besides the ticket's own row: the answer to
    the FCR question (survey method) or the customer's next ticket (recontact)."""
    if options.fcr_method == "tag":
        return None
    if options.fcr_method == "survey":
        r = tables["survey_responses"]
        answers = r.filter((r.question == options.fcr_question) & r.ticket_id.notnull())
        return answers.group_by("ticket_id").agg(
            _fcr_yes=(answers.score >= answers.scale_max).max()
        )
    # recontact: the same customer's next ticket (a window per customer)
    base = keys.filter(~keys.is_merged & keys.customer_id.notnull())
    w = ibis.window(group_by=base.customer_id, order_by=[base.created_at, base.ticket_id])
    return base.select(ticket_id=base.ticket_id, _next_contact=base.created_at.lead().over(w))


def _fcr(j: ir.Table, options: MetricOptions, as_of: dt.datetime) -> dict[str, ir.Value]:
    """First-contact resolution: null for unsolved tickets, else true / false.

    ``fcr_pending``: (recontact method) solved less than the window before ``as_of``, so
    a recontact may still come; such a ticket's ``fcr`` is null until the window closes.
    With ``fcr_escalation="breaks"`` an escalated ticket is never resolved at first contact.
    """
    pending: ir.BooleanValue = ibis.literal(False)
    if options.fcr_method == "tag":
        flag = j.tags.contains(options.fcr_tag).fill_null(False)
    elif options.fcr_method == "survey":
        flag = j._fcr_yes
    else:  # recontact: the same customer's next ticket comes after the window closes
        window_end = j.solved_at + ibis.interval(days=options.fcr_window_days)
        recontacted = j._next_contact.notnull() & (j._next_contact <= window_end)
        pending = (window_end > ibis.literal(as_of, type=UTC_TS)).fill_null(False)
        flag = (j.reopens == 0) & ~recontacted
    if options.fcr_escalation == "breaks":
        flag = flag & (j.escalations == 0)
    fcr = ibis.ifelse(j.is_solved & ~pending, flag, ibis.null("boolean"))
    return {"fcr": fcr, "fcr_pending": j.is_solved & pending}


def _conversions(keys: ir.Table, outcomes: ir.Table, options: MetricOptions) -> ir.Table:
    """Per solved ticket, the customer's purchases / upgrades within N days after it."""
    o = outcomes.filter(outcomes.kind.isin(["purchase", "upgrade"])).select(
        o_customer="customer_id", o_at="at"
    )
    solved = keys.filter(keys.solved_at.notnull() & keys.customer_id.notnull()).select(
        "ticket_id", "customer_id", "solved_at"
    )
    horizon = solved.solved_at + ibis.interval(days=options.conversion_window_days)
    hits = solved.join(
        o,
        [solved.customer_id == o.o_customer, o.o_at > solved.solved_at, o.o_at <= horizon],
    )
    return hits.group_by("ticket_id").agg(_conversions=hits.count())


def _converted(j: ir.Table) -> ir.BooleanValue:
    """Converted: the customer bought or upgraded within N days after the ticket was solved."""
    flag = j._conversions.fill_null(0) > 0
    return ibis.ifelse(j.solved_at.notnull(), flag, ibis.null("boolean"))
