"""Facts of knowledge-base article views: one row per view, for the self-service KPIs.

Each view (``article_views``, imported) takes its viewer's segment and plan (from
``customers``) and the first ticket the same customer created at or after it
(``next_ticket_at``; any ticket, merged duplicates too: each was a contact). With the
window ``deflection_days`` (option):

- ``deflected`` is False when that ticket came within the window (a ticket exactly at
  the window's end included), True when the window has closed (by the facts' "now")
  with no ticket in it, and null otherwise;
- ``deflection_pending``: a known customer's view whose window is still open and no
  ticket has come yet — its outcome is not known, so it counts in no rate;
- an anonymous view (no ``customer_id``) has a null ``deflected`` and is not pending:
  whether its viewer opened a ticket cannot be known;
- ``recheck_at``: when a pending view's window closes (a refresh redoes the views whose
  instant has come, as ``_recheck`` does for tickets).

A ticket before the view is not "after" it and does not count.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

UTC_TS = "timestamp('UTC')"


def view_facts(
    views: ir.Table,
    customers: ir.Table,
    tickets: ir.Table,
    *,
    as_of: dt.datetime,
    days: int,
) -> ir.Table:
    """The article-view facts (see the module docstring); ``tickets``: the canonical
    tickets (a refresh may pass only the viewers' tickets)."""
    v = views.mutate(viewed_at=views.viewed_at.cast(UTC_TS))
    t = tickets.filter(tickets.customer_id.notnull()).select(
        _t_customer=tickets.customer_id.cast("string"), _t_at=tickets.created_at.cast(UTC_TS)
    )
    known = v.filter(v.customer_id.notnull()).select("view_id", "customer_id", "viewed_at")
    after = known.join(
        t, (known.customer_id.cast("string") == t._t_customer) & (t._t_at >= known.viewed_at)
    )
    following = after.group_by(_n_view="view_id").agg(next_ticket_at=after._t_at.min())
    c = customers.select(_c_customer="customer_id", segment="segment", plan="plan")
    j = v.left_join(following, v.view_id == following._n_view)
    j = j.left_join(c, j.customer_id == c._c_customer)
    now = ibis.literal(as_of, type=UTC_TS)
    closes = j.viewed_at + ibis.interval(days=days)
    anonymous = j.customer_id.isnull()
    followed = j.next_ticket_at.notnull() & (j.next_ticket_at <= closes)
    closed = closes <= now
    never = ibis.null("boolean")
    deflected = ibis.cases((anonymous, never), (followed, False), (closed, True), else_=never)
    pending = ~anonymous & ~followed & ~closed
    return j.select(
        "view_id",
        "article_id",
        "customer_id",
        "viewed_at",
        "channel",
        "segment",
        "plan",
        next_ticket_at=j.next_ticket_at,
        deflected=deflected,
        deflection_pending=pending,
        recheck_at=ibis.ifelse(pending, closes, ibis.null(UTC_TS)),
    )
