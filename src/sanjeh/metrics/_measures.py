"""How a standard KPI aggregates: its parts (n, successes, mean, quantiles …) over rows."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._registry import KPI, Context


def measures(
    kpi: KPI, ctx: Context, t: ir.Table, time: str, stats: bool, additive: bool = False
) -> dict[str, ir.Value]:
    """The aggregates of ``kpi`` over ``t``, named ``<kpi>__<part>``.

    ``additive``: only parts that add up across groups (counts, and a sum in place of
    the mean), what a rollup keeps per day (``_rollup``); a quantile never is one."""
    cond = kpi.where(ctx, t) if kpi.where else ibis.literal(True)
    p = f"{kpi.name}__"
    waiting: dict[str, ir.Value] = {}
    if kpi.pending is not None:  # rows whose outcome is not known yet, counted apart
        waiting = {p + "pending": t.count(where=cond & kpi.pending(ctx, t).fill_null(False))}
    if kpi.left_out is not None:  # rows left out for good, counted for the note
        waiting[p + "left_out"] = t.count(where=kpi.left_out(ctx, t).fill_null(False))
    if kpi.kind == "count":
        return {p + "n": t.count(where=cond)}
    if kpi.kind == "level":  # rows coming in at ``time`` or going out at ``until``
        return {p + ("in" if time == kpi.time else "out"): t.count(where=cond)}
    assert kpi.value is not None
    v = kpi.value(ctx, t)
    ok = cond & v.notnull()
    if kpi.invitations is not None:  # the response rate behind the answers (_notes)
        invited = kpi.invitations(ctx, t)
        waiting[p + "invited"] = t.count(where=invited)
        waiting[p + "responded"] = t.count(where=invited & ok)
    if kpi.kind == "rate":
        return {
            p + "n": t.count(where=ok),
            p + "k": ibis.ifelse(v, 1, 0).sum(where=ok),
            **waiting,
        }
    if not stats:  # the headline statistic alone: the quantiles are most of the cost
        if kpi.stat == "median":
            return {p + "n": t.count(where=ok), p + "median": v.median(where=ok), **waiting}
        if additive:
            return {p + "n": t.count(where=ok), p + "sum": v.sum(where=ok), **waiting}
        return {p + "n": t.count(where=ok), p + "mean": v.mean(where=ok), **waiting}
    return {
        p + "n": t.count(where=ok),
        p + "mean": v.mean(where=ok),
        p + "median": v.median(where=ok),
        p + "p90": v.quantile(0.9, where=ok),
        p + "sd": v.std(where=ok),
        # the largest value: flags a mean that one row dominates (see _notes)
        p + "max": v.max(where=ok),
        **waiting,
    }
