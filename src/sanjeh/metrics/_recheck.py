"""When a ticket's facts may change without any new data: ``recheck_at``.

A few fact columns depend on the facts' "now" (``as_of``) rather than on the ticket's
data alone: an open ticket's SLA outcome turns from unknown to missed once its age
passes the target; FCR and reopen stay pending until their window closes. Each of
these changes at a known instant, or not before one, so the facts store the earliest
such instant per ticket and a refresh recomputes only the tickets whose instant has
come (``recheck_at <= as_of``), not every open ticket. Settled tickets: null.

In business hours the instant is bounded from below: a target with ``r`` business
seconds left cannot be missed in less than ``r`` calendar seconds. Rechecked then, the
ticket gets a later bound, or its outcome.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from ._options import MetricOptions

UTC_TS = ibis.dtype("timestamp('UTC')")


def with_recheck(f: ir.Table, as_of: dt.datetime, options: MetricOptions) -> ir.Table:
    """``f`` (ticket facts with SLA outcomes and open ages) with ``recheck_at``; the
    open ages go (they change with "now"; only the SLA outcomes needed them)."""
    now = ibis.literal(as_of, type=UTC_TS)
    business = f.sla_business.fill_null(False)
    age = ibis.ifelse(business, f.open_age_bs, f.open_age_s)
    open_ticket = ~f.is_solved.fill_null(False)

    def sla(met: ir.Value, target: ir.Value, done: ir.Value) -> ir.Value:
        # unknown while waiting within the target: decided once the age passes it
        waiting = met.isnull() & target.notnull() & ~done & open_ticket & age.notnull()
        left = (target - age).clip(lower=0).floor().cast("int64").as_interval("s")
        return ibis.ifelse(waiting, now + left, ibis.null(UTC_TS))

    instants = [
        sla(f.sla_first_reply_met, f.sla_first_reply_target_s, f.first_reply_at.notnull()),
        sla(f.sla_resolution_met, f.sla_resolution_target_s, f.solved_at.notnull()),
        ibis.ifelse(
            f.reopen_pending.fill_null(False),
            (f.first_resolved_at + ibis.interval(days=options.reopen_window_days)).cast(UTC_TS),
            ibis.null(UTC_TS),
        ),
        ibis.ifelse(
            f.fcr_pending.fill_null(False),
            (f.solved_at + ibis.interval(days=options.fcr_window_days)).cast(UTC_TS),
            ibis.null(UTC_TS),
        ),
    ]
    return f.mutate(recheck_at=ibis.least(*instants)).drop("open_age_s", "open_age_bs")
