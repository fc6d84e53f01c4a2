"""/qa/reviews: reviews by agent, reviewer and day written (agents: their own only)."""

from __future__ import annotations

import datetime as dt

from .._errors import InvalidParameter
from ._context import Ctx, Model, iso
from ._forms import DayParam, Opt, blank
from ._rows import LIMIT, page, review_row


def build(
    ctx: Ctx,
    agent: Opt = None,
    reviewer: Opt = None,
    start: DayParam = None,
    end: DayParam = None,
) -> Model:
    first, last = start, end
    agent, reviewer = ctx.known_agent("agent", blank(agent)), blank(reviewer)
    if first and last and last < first:
        raise InvalidParameter("end", f"{last} is before the start {first}")
    actor = ctx.actor
    found = ctx.ws.reviews(
        actor,
        agent_id=agent,
        reviewer_id=reviewer,
        start=first,
        end=last + dt.timedelta(days=1) if last else None,
    )
    return page(
        ctx,
        "reviews",
        filters={"agent": agent, "reviewer": reviewer, "start": iso(first), "end": iso(last)},
        agents=[{"id": i, "name": n} for i, n in ctx.agents()] if actor.role != "agent" else [],
        reviewers=[{"id": i, "name": n} for i, n in ctx.reviewers()],
        count=len(found),
        reviews=[review_row(ctx, r) for r in found[:LIMIT]],
    )
