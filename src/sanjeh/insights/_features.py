"""Point-in-time features of tickets and customers, built with Ibis over the store.

Every feature of a row uses only what was known at the row's ``cutoff_at``: events,
messages, their text scores (``auto_scores``), surveys and outcomes with a time at or
before it, tickets created before the ticket. Attributes the store keeps only as a
current value (a ticket's channel, category, language; a customer's segment, plan and
value) are read as they are now: the store has no history of them. docs/insights.md
lists every feature.

The expressions run where the store runs (DuckDB, PostgreSQL): nothing is pulled into
Python until the caller executes the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import ibis
import ibis.expr.types as ir

from ..calendar import epoch_seconds
from ..errors import ConfigError
from ..store import Store

DAY_S = 86_400.0
#: a status that ends the work on a ticket
SOLVED = ("solved", "closed")
#: ticket features the models read: categorical ones (one-hot encoded) …
TICKET_CATEGORICAL = ("channel", "team_id", "priority", "category", "language", "segment", "plan")
#: … and numeric ones (null: not known at the cutoff)
TICKET_NUMERIC = (
    "hour",
    "weekday",
    "elapsed_s",
    "replied",
    "first_reply_wait_s",
    "agent_replies",
    "customer_messages",
    "reopens",
    "escalations",
    "handoffs",
    "sentiment_mean",
    "sentiment_min",
    "sentiment_last",
    "negative_messages",
    "escalation_requests",
    "agent_rude",
    "agent_negative_framing",
    "prev_tickets",
    "prev_csat_answers",
    "prev_csat_satisfied",
    "tenure_days",
    "value",
)
CUSTOMER_CATEGORICAL = ("segment", "plan")
CUSTOMER_NUMERIC = (
    "recency_days",
    "tickets_30d",
    "tickets_90d",
    "tickets_365d",
    "reopened_90d",
    "reopened_365d",
    "escalated_90d",
    "escalated_365d",
    "worst_wait_h_90d",
    "worst_wait_h_365d",
    "csat_answers",
    "csat_satisfied",
    "csat_worst",
    "sentiment_mean",
    "sentiment_min_90d",
    "sentiment_min_365d",
    "agent_rude_365d",
    "tenure_days",
    "days_to_anniversary",
    "value",
)
#: a yearly subscription renews on the anniversary of the customer's start
YEAR_DAYS = 365
_TS = "timestamp('UTC', 6)"


def _instant(value: dt.datetime) -> ir.TimestampScalar:
    if value.tzinfo is None:
        raise ConfigError(f"give a time with its zone (e.g. UTC), not {value.isoformat()}")
    return ibis.literal(value.astimezone(dt.UTC), type=_TS)


def data_end(store: Store) -> dt.datetime:
    """The data's last instant: the latest event, ticket, survey answer or outcome."""
    found = [
        store.con.execute(store.table(name)[column].max())
        for name, column in (
            ("events", "at"),
            ("tickets", "created_at"),
            ("survey_responses", "submitted_at"),
            ("customer_outcomes", "at"),
        )
    ]
    times = [as_utc(t) for t in found if t is not None and str(t) != "NaT"]
    if not times:
        raise ConfigError("the store holds no tickets: import data or run `sanjeh demo` first")
    return max(times)


def as_utc(value: object) -> dt.datetime:
    out: dt.datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value  # type: ignore[assignment]
    return out.replace(tzinfo=dt.UTC) if out.tzinfo is None else out.astimezone(dt.UTC)


def _satisfied(r: ir.Table) -> ir.BooleanValue:
    """Top-two-box, as the ``csat`` KPI: 4-5 of 5 (the top point of a shorter scale)."""
    points = r.scale_max - r.scale_min + 1
    return ibis.ifelse(points >= 5, r.score >= r.scale_max - 1, r.score >= r.scale_max)


def csat_answers(store: Store) -> ir.Table:
    """Answered CSAT surveys: response_id, ticket_id, customer_id (the ticket's when the
    answer names none), submitted_at, satisfied (top-two-box), share (the score as a
    share of its scale, 0 … 1)."""
    r = store.table("survey_responses")
    t = store.table("tickets").select(t_ticket_id="ticket_id", t_customer_id="customer_id")
    r = r.filter((r.survey == "csat") & r.submitted_at.notnull() & r.score.notnull())
    r = r.left_join(t, r.ticket_id == t.t_ticket_id)
    return r.select(
        "response_id",
        "ticket_id",
        "submitted_at",
        customer_id=r.customer_id.coalesce(r.t_customer_id),
        satisfied=_satisfied(r),
        share=ibis.ifelse(
            r.scale_max > r.scale_min,
            (r.score - r.scale_min) / (r.scale_max - r.scale_min),
            ibis.null("float64"),
        ),
    )


def _last(rows: ir.Table, key: str, value: str) -> ir.Table:
    """The ``value`` of each ``key``'s latest row (by ``at``, then ``event_id``)."""
    w = ibis.window(group_by=rows[key], order_by=[rows.at.desc(), rows.event_id.desc()])
    ranked = rows.mutate(_rank=ibis.row_number().over(w))
    return ranked.filter(ranked._rank == 0).select(key, value)


def ticket_features(
    store: Store,
    *,
    cutoff: Literal["solved", "now"] = "solved",
    as_of: dt.datetime | None = None,
) -> ir.Table:
    """One row per ticket with the features known at its ``cutoff_at``.

    ``cutoff="solved"``: every ticket that was ever solved, at the first time an event
    set it solved or closed (the moment an inferred CSAT stands for). ``cutoff="now"``:
    every ticket created at or before ``as_of`` (default: the data's last instant), at
    that instant; ``is_open`` says whether it was still open then.

    Keys and times: ``ticket_id``, ``customer_id``, ``agent_id`` (the last ``assign``
    event's agent at the cutoff, else the ticket's), ``created_at``, ``cutoff_at``,
    ``is_open``.

    Features:

    - ``channel``, ``category``, ``language``: the ticket's (current values: the store
      has no history of them).
    - ``team_id``: the team of the last assign / escalate event at or before the
      cutoff, else the ticket's. ``priority``: the last ``priority`` event's at or
      before the cutoff, else the ticket's.
    - ``hour`` (0-23), ``weekday`` (0 Monday … 6 Sunday): of ``created_at``, UTC.
    - ``elapsed_s``: seconds from creation to the cutoff.
    - ``replied`` (1/0) and ``first_reply_wait_s``: seconds from creation to the first
      public agent message; to the cutoff when there was none yet (a wait so far).
    - ``agent_replies``, ``customer_messages``: public messages so far.
    - ``reopens``: status events back to an open state after the first solve, so far
      (0 at a ``solved`` cutoff by construction). ``escalations``, ``handoffs``: events
      of those kinds so far.
    - ``sentiment_mean``, ``sentiment_min``, ``sentiment_last``: of the customer's
      messages so far (``auto_scores`` analyzer ``sentiment``, −1 … 1; null when none
      is scored). ``negative_messages``: those labelled negative.
      ``escalation_requests``: customer messages asking for a manager.
    - ``agent_rude``, ``agent_negative_framing``: agent messages so far flagged by the
      ``rude`` analyzer / with negative ``language_framing``.
    - ``prev_tickets``: the customer's tickets created before this one.
      ``prev_csat_answers``, ``prev_csat_satisfied``: the customer's CSAT answers
      submitted by the cutoff about other tickets, and their satisfied (top-two-box)
      share.
    - ``tenure_days``: days from the customer's ``created_at`` to the cutoff.
      ``value``, ``segment``, ``plan``: the customer's.
    """
    if cutoff not in ("solved", "now"):
        raise ConfigError(f"cutoff must be 'solved' or 'now', not {cutoff!r}")
    t = store.table("tickets")
    e = store.table("events")
    if cutoff == "solved":
        if as_of is not None:
            raise ConfigError("as_of goes with cutoff='now'; a 'solved' cutoff is per ticket")
        solves = e.filter(e.status.isin(SOLVED))
        firsts = solves.group_by(s_ticket_id=solves.ticket_id).aggregate(cutoff_at=solves.at.min())
        base = t.join(firsts, t.ticket_id == firsts.s_ticket_id)
    else:
        moment = _instant(as_of or data_end(store))
        base = t.filter(t.created_at <= moment).mutate(cutoff_at=moment)
    base = base.select(
        "ticket_id",
        "customer_id",
        "created_at",
        "cutoff_at",
        "channel",
        "category",
        "language",
        t_team_id="team_id",
        t_agent_id="agent_id",
        t_priority="priority",
    )
    cut = base.select(c_ticket_id="ticket_id", c_cutoff_at="cutoff_at", c_created="created_at")
    # the ticket's events known at its cutoff
    known = e.join(cut, e.ticket_id == cut.c_ticket_id).filter(lambda x: x.at <= x.c_cutoff_at)

    first_solve = known.filter(known.status.isin(SOLVED))
    first_solve = first_solve.group_by(f_ticket_id="ticket_id").aggregate(f_at=first_solve.at.min())
    k = known.left_join(first_solve, known.ticket_id == first_solve.f_ticket_id)
    agent_msg = (k.kind == "message") & (k.actor_type == "agent") & k.public.coalesce(True)
    customer_msg = (k.kind == "message") & (k.actor_type == "customer")
    reopen = (
        (k.kind == "status")
        & k.status.notnull()
        & ~k.status.isin(SOLVED)
        & k.f_at.notnull()
        & (k.at > k.f_at)
    )
    counts = k.group_by(n_ticket_id="ticket_id").aggregate(
        first_reply=k.at.min(where=agent_msg),
        agent_replies=agent_msg.sum(),
        customer_messages=customer_msg.sum(),
        reopens=reopen.sum(),
        escalations=(k.kind == "escalate").sum(),
        handoffs=(k.kind == "handoff").sum(),
    )

    priority = _last(
        known.filter((known.kind == "priority") & known.priority.notnull()),
        "ticket_id",
        "priority",
    ).rename(p_ticket_id="ticket_id", p_priority="priority")
    team = _last(
        known.filter(known.kind.isin(("assign", "escalate")) & known.team_id.notnull()),
        "ticket_id",
        "team_id",
    ).rename(m_ticket_id="ticket_id", m_team_id="team_id")
    agent = _last(
        known.filter((known.kind == "assign") & known.agent_id.notnull()), "ticket_id", "agent_id"
    ).rename(a_ticket_id="ticket_id", a_agent_id="agent_id")

    text = _text_signals(store, known)

    x = base.left_join(counts, base.ticket_id == counts.n_ticket_id)
    x = x.left_join(priority, x.ticket_id == priority.p_ticket_id)
    x = x.left_join(team, x.ticket_id == team.m_ticket_id)
    x = x.left_join(agent, x.ticket_id == agent.a_ticket_id)
    x = x.left_join(text, x.ticket_id == text.x_ticket_id)
    x = _customer_history(store, x)

    created_s, cutoff_s = epoch_seconds(x.created_at), epoch_seconds(x.cutoff_at)
    reply_s = epoch_seconds(x.first_reply)
    open_now = _open_at_cutoff(known)
    x = x.left_join(open_now, x.ticket_id == open_now.o_ticket_id)
    return x.select(
        "ticket_id",
        "customer_id",
        "created_at",
        "cutoff_at",
        is_open=x.o_open.coalesce(True),
        agent_id=x.a_agent_id.coalesce(x.t_agent_id),
        channel=x.channel,
        team_id=x.m_team_id.coalesce(x.t_team_id),
        priority=x.p_priority.coalesce(x.t_priority),
        category=x.category,
        language=x.language,
        segment=x.segment,
        plan=x.plan,
        hour=((created_s % DAY_S) / 3600).floor().cast("int64"),
        weekday=(((created_s / DAY_S).floor() + 3) % 7).cast("int64"),
        elapsed_s=cutoff_s - created_s,
        replied=ibis.ifelse(x.first_reply.notnull(), 1, 0),
        first_reply_wait_s=ibis.ifelse(
            x.first_reply.notnull(), reply_s - created_s, cutoff_s - created_s
        ),
        agent_replies=x.agent_replies.coalesce(0),
        customer_messages=x.customer_messages.coalesce(0),
        reopens=x.reopens.coalesce(0),
        escalations=x.escalations.coalesce(0),
        handoffs=x.handoffs.coalesce(0),
        sentiment_mean=x.sentiment_mean,
        sentiment_min=x.sentiment_min,
        sentiment_last=x.sentiment_last,
        negative_messages=x.negative_messages.coalesce(0),
        escalation_requests=x.escalation_requests.coalesce(0),
        agent_rude=x.agent_rude.coalesce(0),
        agent_negative_framing=x.agent_negative_framing.coalesce(0),
        prev_tickets=x.prev_tickets.coalesce(0),
        prev_csat_answers=x.prev_csat_answers.coalesce(0),
        prev_csat_satisfied=x.prev_csat_satisfied,
        tenure_days=(cutoff_s - epoch_seconds(x.customer_created)) / DAY_S,
        value=x.value,
    )


def _open_at_cutoff(known: ir.Table) -> ir.Table:
    statuses = known.filter((known.kind == "status") | known.status.notnull())
    statuses = statuses.filter(statuses.status.notnull())
    last = _last(statuses, "ticket_id", "status")
    return last.select(o_ticket_id=last.ticket_id, o_open=~last.status.isin(SOLVED))


def _text_signals(store: Store, known: ir.Table) -> ir.Table:
    """Per ticket: the text scores of its messages known at the cutoff."""
    a = store.table("auto_scores")
    a = a.filter(a.event_id.notnull()).select(
        s_event_id="event_id", analyzer="analyzer", label="label", score="score"
    )
    messages = known.filter(known.kind == "message").select(
        "ticket_id", "event_id", "at", "actor_type"
    )
    s = messages.join(a, messages.event_id == a.s_event_id)
    customer = s.actor_type == "customer"
    agent = s.actor_type == "agent"
    sentiment = customer & (s.analyzer == "sentiment")
    counts = s.group_by(x_ticket_id="ticket_id").aggregate(
        sentiment_mean=s.score.mean(where=sentiment),
        sentiment_min=s.score.min(where=sentiment),
        negative_messages=(sentiment & (s.label == "negative")).sum(),
        escalation_requests=(
            customer & (s.analyzer == "escalation_request") & (s.label == "present")
        ).sum(),
        agent_rude=(agent & (s.analyzer == "rude") & (s.label == "present")).sum(),
        agent_negative_framing=(
            agent & (s.analyzer == "language_framing") & (s.label == "negative")
        ).sum(),
    )
    scored = s.filter(sentiment & s.score.notnull())
    last = _last(scored, "ticket_id", "score").rename(
        l_ticket_id="ticket_id", sentiment_last="score"
    )
    out = counts.left_join(last, counts.x_ticket_id == last.l_ticket_id)
    return out.drop("l_ticket_id")


def _customer_history(store: Store, x: ir.Table) -> ir.Table:
    """Join the customer's attributes, previous tickets and previous CSAT answers."""
    c = store.table("customers").select(
        h_customer_id="customer_id",
        segment="segment",
        plan="plan",
        value="value",
        customer_created="created_at",
    )
    t = store.table("tickets").select(q_customer_id="customer_id", q_created="created_at")
    me = x.select(y_ticket_id="ticket_id", y_customer_id="customer_id", y_created="created_at")
    prev = me.join(t, (me.y_customer_id == t.q_customer_id) & (t.q_created < me.y_created))
    prev = prev.group_by("y_ticket_id").aggregate(prev_tickets=prev.count())
    prev = prev.rename(v_ticket_id="y_ticket_id")

    answers = csat_answers(store).select(
        r_ticket_id="ticket_id",
        r_customer_id="customer_id",
        r_at="submitted_at",
        r_satisfied="satisfied",
    )
    mine = x.select(z_ticket_id="ticket_id", z_customer_id="customer_id", z_cutoff="cutoff_at")
    before = mine.join(
        answers,
        (mine.z_customer_id == answers.r_customer_id)
        & (answers.r_at <= mine.z_cutoff)
        & (answers.r_ticket_id.isnull() | (answers.r_ticket_id != mine.z_ticket_id)),
    )
    csat = before.group_by("z_ticket_id").aggregate(
        prev_csat_answers=before.count(),
        prev_csat_satisfied=ibis.ifelse(before.r_satisfied, 1.0, 0.0).mean(),
    )
    x = x.left_join(c, x.customer_id == c.h_customer_id)
    x = x.left_join(prev, x.ticket_id == prev.v_ticket_id)
    return x.left_join(csat, x.ticket_id == csat.z_ticket_id)


# -- customers ------------------------------------------------------------------------


def _gone(store: Store, moment: ir.TimestampScalar) -> ir.Table:
    """Customers who had left by ``moment``: ``churned_at`` at or before it, or whose
    latest churn / reactivation outcome by then is a churn."""
    c = store.table("customers")
    by_date = c.filter(c.churned_at <= moment).select(g_customer_id="customer_id")
    o = store.table("customer_outcomes")
    o = o.filter(o.kind.isin(("churn", "reactivation")) & (o.at <= moment))
    o = o.mutate(event_id=o.outcome_id)
    last = _last(o, "customer_id", "kind")
    by_outcome = last.filter(last.kind == "churn").select(g_customer_id="customer_id")
    return by_date.union(by_outcome, distinct=True)


def customer_features(store: Store, at: dt.datetime) -> ir.Table:
    """One row per customer who was a customer at ``at`` (created by then, or of unknown
    start, and not gone: see below), with ``customer_id``, ``cutoff_at`` (= ``at``) and
    the features known then:

    - ``recency_days``: days since their last ticket created by ``at`` (null: none).
    - ``tickets_30d``, ``tickets_90d``, ``tickets_365d``: tickets created in the 30 / 90
      / 365 days up to ``at``.
    - ``reopened_90d``, ``reopened_365d``, ``escalated_90d``, ``escalated_365d``: of
      their tickets created in the last 90 / 365 days, those reopened (a status back to
      open after a solve) / escalated by ``at``.
    - ``worst_wait_h_90d``, ``worst_wait_h_365d``: the longest first-reply wait (hours;
      the wait so far for a ticket not answered by ``at``) of their tickets created in
      the last 90 / 365 days.
    - ``csat_answers``, ``csat_satisfied``: CSAT answers submitted by ``at``, and their
      satisfied (top-two-box) share; ``csat_worst``: the lowest of them as a share of
      its scale (0 the scale's bottom … 1 its top).
    - ``sentiment_mean``: mean sentiment of their messages by ``at`` (last 365 days);
      ``sentiment_min_90d``, ``sentiment_min_365d``: the most negative one in the last
      90 / 365 days. ``agent_rude_365d``: agent messages to them flagged by the
      ``rude`` analyzer in the last 365 days.
    - ``tenure_days``: days since ``customers.created_at``; ``days_to_anniversary``:
      days until its next anniversary (a yearly subscription renews then: 0 ≤ d < 365);
      ``value``, ``segment``, ``plan``: the customer's.

    A customer is gone at ``at`` when ``churned_at`` is at or before it, or their latest
    churn / reactivation outcome by then is a churn; they are left out.
    """
    moment = _instant(at)
    now_s = epoch_seconds(moment)
    c = store.table("customers")
    gone = _gone(store, moment)
    c = c.filter(c.created_at.isnull() | (c.created_at <= moment))
    c = c.anti_join(gone, c.customer_id == gone.g_customer_id)

    t = store.table("tickets")
    t = t.filter(t.customer_id.notnull() & (t.created_at <= moment))
    age = (now_s - epoch_seconds(t.created_at)) / DAY_S
    t = t.mutate(age=age)
    e = store.table("events").filter(lambda e: e.at <= moment)
    solved = e.filter(e.status.isin(SOLVED))
    first = solved.group_by(f_ticket_id="ticket_id").aggregate(f_at=solved.at.min())
    s = e.left_join(first, e.ticket_id == first.f_ticket_id)
    flags = s.group_by(g_ticket_id="ticket_id").aggregate(
        reopened=(
            (s.kind == "status")
            & s.status.notnull()
            & ~s.status.isin(SOLVED)
            & s.f_at.notnull()
            & (s.at > s.f_at)
        ).any(),
        escalated=(s.kind == "escalate").any(),
    )
    replies = e.filter((e.kind == "message") & (e.actor_type == "agent") & e.public.coalesce(True))
    replies = replies.group_by(r_ticket_id="ticket_id").aggregate(r_at=replies.at.min())
    tf = t.left_join(flags, t.ticket_id == flags.g_ticket_id)
    tf = tf.left_join(replies, tf.ticket_id == replies.r_ticket_id)
    # the first reply's wait, or the wait so far for a ticket not yet answered
    wait_h = (epoch_seconds(tf.r_at.coalesce(moment)) - epoch_seconds(tf.created_at)) / 3600
    tf = tf.mutate(wait_h=wait_h)
    year, quarter = tf.age <= 365, tf.age <= 90
    reopened, escalated = tf.reopened.coalesce(False), tf.escalated.coalesce(False)
    tickets = tf.group_by(k_customer_id="customer_id").aggregate(
        last_age=tf.age.min(),
        tickets_30d=(tf.age <= 30).sum(),
        tickets_90d=quarter.sum(),
        tickets_365d=year.sum(),
        reopened_90d=(quarter & reopened).sum(),
        reopened_365d=(year & reopened).sum(),
        escalated_90d=(quarter & escalated).sum(),
        escalated_365d=(year & escalated).sum(),
        worst_wait_h_90d=tf.wait_h.max(where=quarter),
        worst_wait_h_365d=tf.wait_h.max(where=year),
    )

    answers = csat_answers(store)
    answers = answers.filter(answers.submitted_at <= moment)
    csat = answers.group_by(r_customer_id="customer_id").aggregate(
        csat_answers=answers.count(),
        csat_satisfied=ibis.ifelse(answers.satisfied, 1.0, 0.0).mean(),
        csat_worst=answers.share.min(),
    )

    a = store.table("auto_scores")
    a = a.filter((a.analyzer == "sentiment") & a.event_id.notnull() & a.score.notnull())
    msgs = e.filter((e.kind == "message") & (e.actor_type == "customer"))
    msgs = msgs.mutate(m_age=(now_s - epoch_seconds(msgs.at)) / DAY_S)
    msgs = msgs.filter(msgs.m_age <= 365)
    owner = store.table("tickets").select(o_ticket_id="ticket_id", o_customer_id="customer_id")
    sm = msgs.join(a, msgs.event_id == a.event_id).join(owner, msgs.ticket_id == owner.o_ticket_id)
    sentiment = sm.group_by(s_customer_id="o_customer_id").aggregate(
        sentiment_mean=sm.score.mean(),
        sentiment_min_90d=sm.score.min(where=sm.m_age <= 90),
        sentiment_min_365d=sm.score.min(),
    )
    rude = store.table("auto_scores")
    rude = rude.filter((rude.analyzer == "rude") & (rude.label == "present"))
    rude = rude.select(u_event_id="event_id")
    said = e.filter((e.kind == "message") & (e.actor_type == "agent"))
    said = said.filter((now_s - epoch_seconds(said.at)) / DAY_S <= 365)
    said = said.join(rude, said.event_id == rude.u_event_id)
    said = said.join(owner, said.ticket_id == owner.o_ticket_id)
    rudeness = said.group_by(u_customer_id="o_customer_id").aggregate(agent_rude_365d=said.count())

    x = c.left_join(tickets, c.customer_id == tickets.k_customer_id)
    x = x.left_join(csat, x.customer_id == csat.r_customer_id)
    x = x.left_join(sentiment, x.customer_id == sentiment.s_customer_id)
    x = x.left_join(rudeness, x.customer_id == rudeness.u_customer_id)
    tenure = (now_s - epoch_seconds(x.created_at)) / DAY_S
    return x.select(
        "customer_id",
        cutoff_at=moment,
        segment=x.segment,
        plan=x.plan,
        recency_days=x.last_age,
        tickets_30d=x.tickets_30d.coalesce(0),
        tickets_90d=x.tickets_90d.coalesce(0),
        tickets_365d=x.tickets_365d.coalesce(0),
        reopened_90d=x.reopened_90d.coalesce(0),
        reopened_365d=x.reopened_365d.coalesce(0),
        escalated_90d=x.escalated_90d.coalesce(0),
        escalated_365d=x.escalated_365d.coalesce(0),
        worst_wait_h_90d=x.worst_wait_h_90d,
        worst_wait_h_365d=x.worst_wait_h_365d,
        csat_answers=x.csat_answers.coalesce(0),
        csat_satisfied=x.csat_satisfied,
        csat_worst=x.csat_worst,
        sentiment_mean=x.sentiment_mean,
        sentiment_min_90d=x.sentiment_min_90d,
        sentiment_min_365d=x.sentiment_min_365d,
        agent_rude_365d=x.agent_rude_365d.coalesce(0),
        tenure_days=tenure,
        days_to_anniversary=(YEAR_DAYS - tenure % YEAR_DAYS) % YEAR_DAYS,
        value=x.value,
    )


def churn_labels(store: Store, at: dt.datetime, horizon_days: int) -> ir.Table:
    """``customer_id``, ``churned``: whether each customer of :func:`customer_features`
    at ``at`` left in the ``horizon_days`` after it (a ``churn`` outcome, or
    ``churned_at``, in (at, at + horizon])."""
    if horizon_days < 1:
        raise ConfigError(f"horizon_days must be at least 1, not {horizon_days}")
    start = _instant(at)
    end = _instant(at + dt.timedelta(days=horizon_days))
    c = store.table("customers")
    by_date = c.filter((c.churned_at > start) & (c.churned_at <= end)).select(
        w_customer_id="customer_id"
    )
    o = store.table("customer_outcomes")
    by_outcome = o.filter((o.kind == "churn") & (o.at > start) & (o.at <= end)).select(
        w_customer_id="customer_id"
    )
    left = by_date.union(by_outcome, distinct=True)
    f = customer_features(store, at).select("customer_id")
    x = f.left_join(left, f.customer_id == left.w_customer_id)
    return x.select("customer_id", churned=x.w_customer_id.notnull())
