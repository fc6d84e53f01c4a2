"""Which conversations of a store need scoring: Ibis expressions only, run on any backend.

A message event is scored when ``auto_scores`` holds a row for it from every analyzer that
reads its author's role, at the analyzer's current version. A ticket is *pending* when one
of its messages is not; it is then scored again as a whole, since conversation-level
signals need every message.

The customer's name (``tickets.customer_id`` -> ``customers.name``) is joined onto the
messages in the database, for ``personalisation``. A ticket is also pending when its
stored ``personalisation`` rows disagree with whether that name is known now (customers
imported after the tickets were scored, or a name removed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from ._api import prepare
from ._personal import PersonalisationAnalyzer
from ._rows import NAME_COLUMN, REDACTED_NAME
from ._types import ROLES, Analyzer

#: every character Python's ``str.strip`` removes, so that the database and
#: ``auto_score_rows`` agree on which bodies are empty (SQL TRIM only removes spaces)
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # U+3000 is the last
_NOT_BLANK = f"[^{_WHITESPACE}]"
#: columns ``auto_score_rows`` reads (and ``customer_name``, joined from ``customers``)
MESSAGE_COLUMNS = ("ticket_id", "event_id", "at", "kind", "actor_type", "public", "body")
#: ``personalisation`` labels: without a name / with one
_NO_NAME, _NAMED = "none", ("present", "absent")


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


def customer_names(tickets: ir.Table, customers: ir.Table) -> ir.Table:
    """``_named_ticket, customer_name`` of each ticket whose customer has a name: one row
    per ticket (both ids are keys). Blank and redacted names are no name, as in
    ``auto_score_rows``."""
    named = customers.filter(
        customers.name.notnull(),
        customers.name.re_search(_NOT_BLANK),
        customers.name != REDACTED_NAME,
    ).select(_customer="customer_id", **{NAME_COLUMN: "name"})
    owned = tickets.select(_named_ticket=tickets.ticket_id.cast("string"), _customer="customer_id")
    joined = owned.join(named, "_customer")
    return joined.select("_named_ticket", NAME_COLUMN)


def names_of(events: ir.Table) -> ir.Table:
    """``customer_names`` from the store ``events`` belongs to."""
    con = events.get_backend()
    return customer_names(con.table("tickets"), con.table("customers"))


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
    names: ir.Table | None = None,
) -> ir.Table:
    """Distinct ``ticket_id`` of the conversations to score: a message lacks a current
    row, its ``personalisation`` row is stale (``names``: ``customer_names``, by default
    the store's), or (with ``since``) a message was written at or after ``since``."""
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
    personal = [a.name for a in analyzers if isinstance(a, PersonalisationAnalyzer)]
    if personal:
        stale = _stale_names(scores, personal, names_of(events) if names is None else names)
        pending = pending.union(stale)
    if since is not None:
        recent = msgs.filter(msgs.at >= since)
        # UNION (not ALL): still distinct
        pending = pending.union(recent.select(ticket_id=recent.ticket_id.cast("string")))
    return pending


def _stale_names(scores: ir.Table, analyzers: list[str], names: ir.Table) -> ir.Table:
    """Tickets with a ``personalisation`` row of the wrong kind: ``none`` though the
    customer's name is known now, or present / absent though it is not. (A name changed
    for another is not seen: ``since`` re-scores those.)"""
    rows = scores.filter(
        scores.analyzer.isin(analyzers),
        scores.event_id.notnull(),
        scores.label.isin([_NO_NAME, *_NAMED]),
    )
    rows = rows.select(ticket_id=rows.ticket_id.cast("string"), _no_name=rows.label == _NO_NAME)
    joined = rows.left_join(names, rows.ticket_id == names._named_ticket)
    stale = joined.filter(joined._no_name == joined._named_ticket.notnull())
    return stale.select("ticket_id").distinct()


def messages_to_score(
    events: ir.Table, scores: ir.Table, pending: ir.Table, names: ir.Table | None = None
) -> ir.Table:
    """The messages of the pending tickets, a ticket's messages together and in time order,
    with ``customer_name`` (null: unknown; ``names`` as in ``pending_tickets``) and
    ``_prior``: whether the ticket already has rows in ``auto_scores``."""
    names = names_of(events) if names is None else names
    msgs = messages(events).semi_join(pending, "ticket_id").select(*MESSAGE_COLUMNS)
    named = msgs.left_join(names, msgs.ticket_id == names._named_ticket)
    named = named.select(*MESSAGE_COLUMNS, NAME_COLUMN)
    scored = scores.select(_scored_ticket="ticket_id").distinct()
    joined = named.left_join(scored, named.ticket_id == scored._scored_ticket)
    out = joined.select(*MESSAGE_COLUMNS, NAME_COLUMN, _prior=joined._scored_ticket.notnull())
    return out.order_by(["ticket_id", "at", "event_id"])
