"""Reply facts: one row per agent reply that answered a waiting customer.

The public messages of a ticket are split into blocks, each closed by a reply: the
customer messages of block *j* are answered by reply *j*. The wait starts at the
block's first customer message (option ``response_clock="first_unanswered"``, the
default) or its last one, and ends at the reply. Consecutive agent messages with no
customer message between them answer nobody and make no row. Customer messages
still unanswered make no row either (they are the open "waiting since" of a ticket).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ..calendar import epoch_seconds, with_business_seconds
from ._options import MetricOptions
from ._timeline import classified, order

#: columns every reply takes from its ticket
TICKET_DIMENSIONS = (
    "calendar",
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


def reply_blocks(e: ir.Table) -> ir.Table:
    """A ticket's public messages (``e``: classified events) with their block: the
    replies before each in the ticket's order. A reply's block is also its number among
    the ticket's replies, so the ticket facts take the first replies from the same pass."""
    m = e.filter(e.is_reply | e.is_customer_message)
    w = ibis.window(group_by=m.ticket_id, order_by=order(m))
    step = ibis.ifelse(m.is_reply, 1, 0)  # (PostgreSQL cannot cast boolean to bigint)
    m = m.mutate(block=step.cumsum().over(w) - step)
    return m.select(
        "ticket_id", "event_id", "at", "actor_id", "is_reply", "is_customer_message", "block"
    )


def reply_facts(
    tables: dict[str, ir.Table],
    options: MetricOptions,
    *,
    clock: ir.Table,
    tickets: ir.Table,
    blocks: ir.Table | None = None,
) -> ir.Table:
    """Expression of reply facts; ``tickets`` (the ticket facts) gives each reply its
    ticket's calendar and breakdowns (team, channel …); ``agent_id`` is who replied.
    ``blocks``: :func:`reply_blocks` when made already."""
    m = reply_blocks(classified(tables["events"], options)) if blocks is None else blocks
    c = m.filter(m.is_customer_message)
    waiting = c.group_by(["ticket_id", "block"]).agg(
        first_waiting_at=c.at.min(), last_waiting_at=c.at.max(), waiting_messages=c.count()
    )
    answers = m.filter(m.is_reply).select(
        "ticket_id", "block", "event_id", replied_at="at", agent_id="actor_id"
    )
    dims = tickets.select("ticket_id", *TICKET_DIMENSIONS)
    r = answers.join(waiting, ["ticket_id", "block"]).join(dims, "ticket_id")
    start = (
        r.first_waiting_at if options.response_clock == "first_unanswered" else (r.last_waiting_at)
    )
    r = r.select(
        "ticket_id",
        "event_id",
        "agent_id",
        *TICKET_DIMENSIONS,
        reply_number=r.block + 1,
        waiting_since=start,
        replied_at=r.replied_at,
        waiting_messages=r.waiting_messages,
        response_s=epoch_seconds(r.replied_at) - epoch_seconds(start),
    )
    return with_business_seconds(
        r, {"response_bs": ("waiting_since", "replied_at")}, clock, calendar="calendar"
    )
