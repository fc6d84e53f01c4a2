"""Which conversations of a store need scoring: Ibis expressions only, run on any backend.

A message event is scored when ``auto_scores`` holds a row for it from every analyzer that
reads its author's role, at the analyzer's current version. A ticket is *pending* when one
of its messages is not; it is then scored again as a whole, since conversation-level
signals need every message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from ._api import prepare
from ._types import ROLES, Analyzer

#: every character Python's ``str.strip`` removes, so that the database and
#: ``auto_score_rows`` agree on which bodies are empty (SQL TRIM only removes spaces)
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # U+3000 is the last
_NOT_BLANK = f"[^{_WHITESPACE}]"
#: columns ``auto_score_rows`` reads
MESSAGE_COLUMNS = ("ticket_id", "event_id", "at", "kind", "actor_type", "public", "body")


def messages(events: ir.Table) -> ir.Table:
    """The events ``auto_score_rows`` scores: public messages (and opening messages carried
    by ``created`` events) of customers, agents and bots, with a non-blank body."""
    return events.filter(
        events.kind.isin(["message", "created"]),
        events.actor_type.isin(list(ROLES)),
        events.public.fill_null(True),
        events.body.notnull(),
        events.body.re_search(_NOT_BLANK),
    )


def version_of(analyzer: Analyzer) -> str:
    """The version an analyzer writes into its signals. The defaults leave ``version``
    empty and stamp the lexicons' digest at run time: ask them, on a one-word message."""
    if analyzer.version:
        return analyzer.version
    role = next((r for r in ROLES if r in analyzer.roles), None)
    (signal,) = analyzer.analyze(prepare(["ok"], language="en", role=role))
    return signal.version


def expected_rows(analyzers: Sequence[Analyzer]) -> ir.Table:
    """(role, analyzer, version) for every analyzer and every role it reads."""
    rows = [(role, a.name, version_of(a)) for a in analyzers for role in ROLES if role in a.roles]
    return ibis.memtable(
        {
            "_role": [r[0] for r in rows],
            "_analyzer": [r[1] for r in rows],
            "_version": [r[2] for r in rows],
        },
        schema={"_role": "string", "_analyzer": "string", "_version": "string"},
    )


def pending_tickets(
    events: ir.Table,
    scores: ir.Table,
    analyzers: Sequence[Analyzer],
    since: dt.datetime | None = None,
) -> ir.Table:
    """Distinct ``ticket_id`` of the conversations to score: a message lacks a current
    row, or (with ``since``) a message was written at or after ``since``."""
    msgs = messages(events)
    want = expected_rows(analyzers)
    need = msgs.select("ticket_id", "event_id", "actor_type").join(
        want, msgs.actor_type == want._role
    )
    have = scores.select("event_id", "analyzer", "version")
    missing = need.anti_join(
        have,
        [
            need.event_id == have.event_id,
            need._analyzer == have.analyzer,
            need._version == have.version,
        ],
    )
    pending = missing.select(ticket_id=missing.ticket_id.cast("string")).distinct()
    if since is not None:
        recent = msgs.filter(msgs.at >= since)
        # UNION (not ALL): still distinct
        pending = pending.union(recent.select(ticket_id=recent.ticket_id.cast("string")))
    return pending


def messages_to_score(events: ir.Table, scores: ir.Table, pending: ir.Table) -> ir.Table:
    """The messages of the pending tickets, a ticket's messages together and in time order,
    with ``_prior``: whether the ticket already has rows in ``auto_scores``."""
    msgs = messages(events).semi_join(pending, "ticket_id").select(*MESSAGE_COLUMNS)
    scored = scores.select(_scored_ticket="ticket_id").distinct()
    joined = msgs.left_join(scored, msgs.ticket_id == scored._scored_ticket)
    out = joined.select(*MESSAGE_COLUMNS, _prior=joined._scored_ticket.notnull())
    return out.order_by(["ticket_id", "at", "event_id"])
