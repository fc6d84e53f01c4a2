"""/qa/assignments: a reviewer's queue (staff: anyone's) and the review cycles; creating
a cycle (the form here, or JSON at /api/qa/cycles)."""

from __future__ import annotations

import datetime as dt

from ...qa import STRATEGIES, Cycle
from .._errors import InvalidParameter
from ._context import Ctx, Model, iso
from ._forms import AssignmentStatus, CycleIn, Fields, Opt, blank, field, number, parse, values
from ._rows import LIMIT, assignment_row, page

#: the repeats the cycle form offers (days; None: once)
REPEATS = (None, 7, 14, 28)


def build(
    ctx: Ctx, reviewer: Opt = None, status: AssignmentStatus = None, cycle: Opt = None
) -> Model:
    reviewer, cycle = blank(reviewer), blank(cycle)
    actor, ws = ctx.actor, ctx.ws
    found = ws.assignments(actor, reviewer_id=reviewer, status=status, cycle_id=cycle)
    cycles = ws.cycles(actor)
    periods = {c.cycle_id: _period(ctx, c) for c in cycles}
    return page(
        ctx,
        "assignments",
        filters={"reviewer": reviewer, "status": status, "cycle": cycle},
        assignments=[assignment_row(ctx, a) for a in found[:LIMIT]],
        count=len(found),
        cycles=[_cycle_row(ctx, c, periods) for c in cycles],
        strategies=[{"value": s, "label": ctx.t(f"qa.strategy.{s}")} for s in STRATEGIES],
        repeats=[
            {"value": "" if d is None else str(d), "label": repeat_label(ctx, d)} for d in REPEATS
        ],
        reviewers=[{"id": i, "name": n} for i, n in ctx.reviewers()],
        defaults={
            "start": (ctx.source.dims.last_day - dt.timedelta(days=6)).isoformat(),
            "end": ctx.source.dims.last_day.isoformat(),
        },
    )


def _cycle_row(ctx: Ctx, c: Cycle, periods: dict[str, str]) -> Model:
    return {
        "cycle_id": c.cycle_id,
        "name": c.name,
        "strategy": c.strategy,
        "strategy_label": ctx.t(f"qa.strategy.{c.strategy}"),
        "start": iso(c.start),
        "end": iso(c.end),
        "period_display": periods[c.cycle_id],
        "per_agent": c.per_agent,
        "reviewers": [ctx.user_name(r) for r in c.reviewers],
        "repeat_days": c.repeat_days,
        "repeat_label": repeat_label(ctx, c.repeat_days),
        "follows": c.follows,
        "follows_display": ctx.t("qa.cycles.follows", period=periods.get(c.follows, c.follows))
        if c.follows
        else None,
    }


def _period(ctx: Ctx, c: Cycle) -> str:
    return ctx.day(c.start) + " – " + ctx.day(c.end - dt.timedelta(seconds=1))


def repeat_label(ctx: Ctx, days: int | None) -> str:
    """How often a cycle recurs: once, every week, every 2 weeks, every n weeks / days."""
    if days is None:
        return ctx.t("qa.repeat.once")
    if days == 7:
        return ctx.t("qa.repeat.weekly")
    if days == 14:
        return ctx.t("qa.repeat.two_weeks")
    if days % 7 == 0:
        return ctx.t("qa.repeat.weeks", n=days // 7)
    return ctx.t("qa.repeat.days", n=days)


# -- creating a cycle ---------------------------------------------------------------------------


def create_cycle(ctx: Ctx, body: CycleIn) -> Model:
    """Sample conversations solved in [start, end] (the form's end day included)."""
    if body.end < body.start:
        raise InvalidParameter("end", f"{body.end} is before the start {body.start}")
    ctx.known_reviewers("reviewers", body.reviewers)
    cycle, assignments = ctx.ws.create_cycle(
        ctx.actor,
        body.name,
        body.reviewers,
        body.start,
        body.end + dt.timedelta(days=1),  # the form's end day is included
        body.per_agent,
        body.strategy,
        body.seed,
        body.repeat_days,
    )
    return {
        "cycle_id": cycle.cycle_id,
        "name": cycle.name,
        "repeat_days": cycle.repeat_days,
        "assignments": [assignment_row(ctx, a) for a in assignments],
    }


def read_cycle(fields: Fields) -> CycleIn:
    return parse(
        CycleIn,
        {
            "name": field(fields, "name"),
            "reviewers": values(fields, "reviewers"),
            "start": field(fields, "start"),
            "end": field(fields, "end"),
            "per_agent": number(field(fields, "per_agent")),
            "strategy": field(fields, "strategy", "random"),
            "seed": number(field(fields, "seed")),
            "repeat_days": number(field(fields, "repeat_days")),
        },
    )
