"""SLA targets per ticket: the first matching policy, and whether each target was met.

A target is *met* when the measured time is within it, *missed* when it is over it
or when the ticket is still waiting and already past it; while a ticket is still
within its target the outcome is unknown (null) and it is left out of SLA rates. A
ticket solved without any public reply has no first-reply outcome (nothing to answer).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._config import SlaPolicy


def _matches(f: ir.Table, p: SlaPolicy) -> ir.BooleanValue:
    cond = ibis.literal(True)
    if p.priority:
        cond &= f.priority.isin(list(p.priority))
    if p.channel:
        cond &= f.channel.isin(list(p.channel))
    if p.team:
        cond &= f.team_id.isin(list(p.team))
    return cond.fill_null(False)


def _pick(f: ir.Table, policies: tuple[SlaPolicy, ...], value) -> ir.Value:
    return ibis.cases(*[(_matches(f, p), value(p)) for p in policies], else_=ibis.null())


def with_sla(f: ir.Table, policies: tuple[SlaPolicy, ...]) -> ir.Table:
    def lit(v: object, kind: str) -> ir.Value:
        return ibis.literal(v, type=kind) if v is not None else ibis.null(kind)

    f = f.mutate(
        sla_policy=_pick(f, policies, lambda p: lit(p.name, "string")),
        sla_business=_pick(f, policies, lambda p: lit(p.business_hours, "boolean")),
        sla_first_reply_target_s=_pick(f, policies, lambda p: lit(p.first_reply_s, "float64")),
        sla_resolution_target_s=_pick(f, policies, lambda p: lit(p.resolution_s, "float64")),
    )
    business = f.sla_business.fill_null(False)
    reply = ibis.ifelse(business, f.first_reply_bs, f.first_reply_s)
    resolution = ibis.ifelse(business, f.full_resolution_bs, f.full_resolution_s)
    age = ibis.ifelse(business, f.open_age_bs, f.open_age_s)

    def outcome(measured: ir.Value, done: ir.Value, target: ir.Value, waiting: ir.Value):
        return ibis.cases(
            (target.isnull(), ibis.null("boolean")),
            (done, measured <= target),
            (waiting & (age > target), ibis.literal(False)),
            else_=ibis.null("boolean"),
        )

    f = f.mutate(
        sla_first_reply_met=outcome(
            reply, f.first_reply_at.notnull(), f.sla_first_reply_target_s, ~f.is_solved
        ),
        sla_resolution_met=outcome(
            resolution, f.solved_at.notnull(), f.sla_resolution_target_s, ~f.is_solved
        ),
    )
    return f.mutate(sla_met=_all_met(f))


def _all_met(t: ir.Table) -> ir.BooleanValue:
    """Every target: missed as soon as one is missed, met once all are met, else null
    (stored with the facts: a KPI query would evaluate this for every row)."""
    fr, res = t.sla_first_reply_met, t.sla_resolution_met
    fr_target, res_target = (
        t.sla_first_reply_target_s.notnull(),
        t.sla_resolution_target_s.notnull(),
    )
    missed = (fr == False) | (res == False)  # noqa: E712  (SQL three-valued logic)
    known = (~fr_target | fr.notnull()) & (~res_target | res.notnull()) & (fr_target | res_target)
    return ibis.cases((missed.fill_null(False), False), (known, True), else_=ibis.null("boolean"))
