"""The accuracy of prioritisation (#17): was the priority a ticket was given borne out by
what happened to it?

A ticket **turned out urgent** when, by the facts' "now", any of these happened
(``URGENT_OUTCOMES``, the default rule):

- ``escalated``: it was escalated to a higher tier or a specialist team;
- ``sla_breached``: it missed a target of its SLA policy (``sla_met`` is false);
- ``reopened``: it was reopened within ``reopen_window_days`` of its first resolution;
- ``low_csat``: its CSAT answer is in the bottom two boxes (1-2 of 1-5; on a scale of
  fewer than five points, the lowest score), the mirror of the top-two-box rule.

A ticket is **marked urgent** when its (current) priority is ``urgent`` or ``high``.

Outcomes are known only for settled tickets: a ticket not solved yet, or solved less
than ``reopen_window_days`` before the facts' "now", is *pending* (left out of both KPIs
and counted apart), as for ``reopen_rate``. Counting open tickets that already breached
or escalated would count the urgent outcomes early and the calm ones never, and lift
the precision.

No published convention defines "turned out urgent" (Zendesk, COPC and ICMI measure the
outcomes, not the priority's accuracy): this is Sanjeh's rule, documented in
docs/insights.md.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from .._registry import KPI, Context, register, titles
from .tickets import live

#: what "turned out urgent" means by default (module doc)
URGENT_OUTCOMES: tuple[str, ...] = ("escalated", "sla_breached", "reopened", "low_csat")
#: the assigned priorities that claim a ticket is urgent
MARKED_URGENT: tuple[str, ...] = ("urgent", "high")


def low_csat(t: ir.Table) -> ir.BooleanValue:
    """The ticket's CSAT answer is in the bottom two boxes (null: no answer)."""
    lo, hi = t.csat_scale_min.cast("float64"), t.csat_scale_max.cast("float64")
    points = hi - lo + 1
    return ibis.ifelse(points >= 5, t.csat_score <= lo + 1, t.csat_score <= lo)


def _outcomes(t: ir.Table) -> dict[str, ir.BooleanValue]:
    return {
        "escalated": t.escalated,
        "sla_breached": t.sla_met == False,  # noqa: E712  (SQL three-valued logic)
        "reopened": t.reopened,
        "low_csat": low_csat(t),
    }


def outcome_pending(ctx: Context, t: ir.Table) -> ir.BooleanValue:
    """Not settled yet: open, or within the reopen window of its first resolution."""
    return ~t.is_solved.fill_null(False) | t.reopen_pending.fill_null(False)


def turned_out_urgent(ctx: Context, t: ir.Table) -> ir.BooleanValue:
    """Whether any outcome of ``URGENT_OUTCOMES`` happened (null while pending)."""
    found = _outcomes(t)
    hit = ibis.literal(False)
    for name in URGENT_OUTCOMES:
        hit = hit | found[name].fill_null(False)
    return ibis.ifelse(outcome_pending(ctx, t), ibis.null("boolean"), hit)


def marked_urgent(t: ir.Table) -> ir.BooleanValue:
    """Assigned ``urgent`` or ``high`` (no priority: not marked)."""
    return t.priority.isin(list(MARKED_URGENT)).fill_null(False)


_PENDING = "tickets not solved yet, or solved within their {reopen_window_days}-day reopen window"
_RULE = (
    "A ticket turned out urgent when it was escalated, missed an SLA target, was reopened "
    "within the reopen window or got a bottom-two-box CSAT answer (1-2 of 1-5)."
)

register(
    KPI(
        name="urgent_precision",
        titles=titles("Precision of urgent priority", "دقت اولویت فوری", "دقة الأولوية العاجلة"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="created_at",
        higher_is_better=True,
        definition="Share of the tickets marked urgent or high that turned out urgent. "
        + _RULE
        + " Tickets not settled yet (open, or solved within the reopen window) are pending: "
        "left out, counted apart.",
        formula="tickets marked urgent/high that turned out urgent / settled tickets marked "
        "urgent/high",
        value=turned_out_urgent,
        where=lambda ctx, t: live(ctx, t) & marked_urgent(t),
        options=("reopen_window_days", "include_merged"),
        convention="Precision of a classifier: the assigned priority against the outcome.",
        pending=outcome_pending,
        pending_reason=_PENDING,
    ),
    KPI(
        name="urgent_missed_rate",
        titles=titles("Missed urgent tickets", "تیکت‌های فوری ازدست‌رفته", "التذاكر العاجلة الفائتة"),
        unit="ratio",
        kind="rate",
        source="tickets",
        time="created_at",
        higher_is_better=False,
        definition="Share of the tickets that turned out urgent that were not marked urgent "
        "or high (1 − recall). "
        + _RULE
        + " Tickets not settled yet are pending: left out, counted apart.",
        formula="tickets that turned out urgent, not marked urgent/high / settled tickets "
        "that turned out urgent",
        value=lambda ctx, t: ibis.ifelse(
            outcome_pending(ctx, t), ibis.null("boolean"), ~marked_urgent(t)
        ),
        where=lambda ctx, t: (
            live(ctx, t) & (outcome_pending(ctx, t) | turned_out_urgent(ctx, t).fill_null(False))
        ),
        options=("reopen_window_days", "include_merged"),
        convention="Miss rate of a classifier (1 − recall).",
        pending=outcome_pending,
        pending_reason=_PENDING,
    ),
)
