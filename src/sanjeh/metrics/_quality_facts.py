"""Quality facts: one row per analysed conversation, from ``auto_scores`` and the ticket facts.

Each signal becomes one column. A column is null where the signal cannot apply, so rate
KPIs leave those conversations out: no agent message → no empathy, greeting or closing
verdict and no quality score; no customer message → no escalation request verdict; fewer
than two customer messages with a sentiment → no sentiment change.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

#: label of rows the latest scoring no longer produces (``sanjeh.text.RETIRED``)
RETIRED = "not_applicable"
#: the ticket dimensions quality KPIs break down by, and their time columns
TICKET_COLUMNS = (
    "ticket_id",
    "created_at",
    "created_local",
    "is_merged",
    "agent_id",
    "team_id",
    "channel",
    "priority",
    "category",
    "tags",
    "language",
    "segment",
    "plan",
    "topic",
)


def quality_facts(scores: ir.Table, tickets: ir.Table) -> ir.Table:
    """Per ticket: whether any agent message showed empathy, apology, ownership, negative
    language, rudeness; whether the customer asked for escalation; greeting / closing
    compliance; customer sentiment at start and end and its change; the quality score."""
    s = scores.filter(scores.label != RETIRED)
    message = s.event_id.notnull()

    def in_messages(analyzer: str, labels: Sequence[str] = ("present",)) -> ir.IntegerValue:
        """1 if a message has one of ``labels``, 0 if none has, null if none was scored."""
        found = ibis.ifelse(s.label.isin(list(labels)), 1, 0)
        return found.max(where=message & (s.analyzer == analyzer))

    def of_conversation(analyzer: str) -> ir.FloatingValue:
        return s.score.max(where=~message & (s.analyzer == f"conversation.{analyzer}"))

    def conversation_has(analyzer: str, label: str = "present") -> ir.IntegerValue:
        found = ibis.ifelse(s.label == label, 1, 0)
        return found.max(where=~message & (s.analyzer == f"conversation.{analyzer}"))

    trend = s.analyzer == "conversation.customer_sentiment_trend"
    per = s.group_by("ticket_id").aggregate(
        messages=s.count(where=message & (s.analyzer == "language")),
        _empathy=in_messages("empathy"),
        _apology=in_messages("apology"),
        _ownership=in_messages("ownership"),
        _negative=in_messages("language_framing", ("negative", "mixed")),
        _rude=in_messages("rude"),
        _escalation=in_messages("escalation_request"),
        _greeting=conversation_has("greeting"),
        _closing=conversation_has("closing"),
        _empathy_needed=conversation_has("empathy_when_needed"),
        sentiment_start=of_conversation("customer_sentiment_start"),
        sentiment_end=of_conversation("customer_sentiment_end"),
        # the trend row's score is end − start; "unknown" with under two customer messages
        sentiment_change=s.score.max(where=~message & trend & (s.label != "unknown")),
        quality_score=of_conversation("quality"),
    )
    # a quality score exists exactly when the conversation has an agent message
    answered = per.quality_score.notnull()
    null = ibis.null("boolean")
    per = per.select(
        "ticket_id",
        "messages",
        empathy=per._empathy == 1,
        apology=per._apology == 1,
        ownership=per._ownership == 1,
        negative_language=per._negative == 1,
        rude=per._rude == 1,
        escalation_request=per._escalation == 1,
        greeting=ibis.ifelse(answered, per._greeting == 1, null),
        closing=ibis.ifelse(answered, per._closing == 1, null),
        empathy_when_needed=per._empathy_needed == 1,
        sentiment_start=per.sentiment_start,
        sentiment_end=per.sentiment_end,
        sentiment_change=per.sentiment_change,
        quality_score=per.quality_score,
    )
    return per.join(tickets.select(*TICKET_COLUMNS), "ticket_id")
