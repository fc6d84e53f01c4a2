"""Reading a ticket's timeline: which events are replies, customer messages, statuses.

These are the definitions every fact is built on; they follow Zendesk's conventions
(a reply is a *public* comment by a *human agent*; private notes and bots are not
replies unless the ``count_bot_replies`` option says so).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._options import MetricOptions

SOLVED = ("solved", "closed")
UNSOLVED = ("new", "open", "pending", "on_hold")
#: statuses that count as the requester waiting on the support team (Zendesk)
REQUESTER_WAIT = ("new", "open", "on_hold")

# events at the same instant happen in this order (a ticket is created before it is
# answered, a message before the status change it causes)
_KIND_RANK = {
    "created": 0,
    "message": 1,
    "handoff": 2,
    "assign": 3,
    "priority": 4,
    "escalate": 5,
    "tag": 6,
    "status": 7,
    "merge": 8,
    "other": 9,
}


def kind_rank(kind: ir.StringValue) -> ir.IntegerValue:
    return kind.cases(*_KIND_RANK.items(), else_=9)


def order(table: ir.Table) -> list[ir.Value]:
    """The total order of events within a ticket."""
    return [table.at, table._rank, table.event_id]


def classified(events: ir.Table, options: MetricOptions) -> ir.Table:
    """Events with boolean helper columns used by every fact."""
    e = events
    public_message = (e.kind == "message") & e.public.fill_null(True)
    repliers = ["agent", "bot"] if options.count_bot_replies else ["agent"]
    new_status = ibis.cases(
        (e.kind == "created", e.status.fill_null("new")),
        (e.kind == "status", e.status),
        (e.kind == "merge", ibis.literal("closed")),
        else_=ibis.null(),
    )
    return e.mutate(
        _rank=kind_rank(e.kind),
        is_reply=public_message & e.actor_type.isin(repliers),
        is_customer_message=public_message & (e.actor_type == "customer"),
        is_note=(e.kind == "message") & ~e.public.fill_null(True),
        is_bot_message=(e.kind == "message") & (e.actor_type == "bot"),
        new_status=new_status,
    )
