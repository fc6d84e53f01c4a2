"""/qa: a reviewer's queue and reviews; an agent's reviews, IQS, disputes and action
items; staff: IQS by agent and open disputes."""

from __future__ import annotations

from ...qa import ScoreRow
from ._context import Ctx, Model, iso
from ._rows import LIMIT, assignment_row, dispute_row, page, review_row, score_row


def build(ctx: Ctx) -> Model:
    actor, ws = ctx.actor, ctx.ws
    m = page(ctx, "home")
    if ctx.may_review:
        m["assignments"] = [
            assignment_row(ctx, a)
            for a in ws.assignments(actor, reviewer_id=actor.user_id, status="open")
        ][:LIMIT]
        m["my_reviews"] = [
            review_row(ctx, r) for r in ws.reviews(actor, reviewer_id=actor.user_id)[:20]
        ]
    if actor.role == "agent":
        m.update(_agent(ctx))
    if actor.is_staff:
        m["scores"] = [score_row(ctx, s) for s in ws.scores(actor, by="agent")]
    m["disputes"] = [dispute_row(ctx, d) for d in ws.disputes(actor) if d.is_open][:LIMIT]
    return m


def _agent(ctx: Ctx) -> Model:
    """An agent's own IQS, reviews and open coaching action items."""
    actor, ws = ctx.actor, ctx.ws
    rows = ws.scores(actor, by=None)
    own = score_row(ctx, rows[0] if rows else ScoreRow(actor.agent_id, None, None, 0))
    own["agent_id"] = actor.agent_id
    own["agent"] = ctx.agent_name(actor.agent_id)
    return {
        "own": own,
        "reviews": [review_row(ctx, r) for r in ws.reviews(actor)[:LIMIT]],
        "action_items": [
            {
                "session_id": s.session_id,
                "index": i,
                "text": item.text,
                "due": iso(item.due),
                "due_display": ctx.day(item.due) if item.due else "—",
            }
            for s in ws.coaching(actor)
            for i, item in enumerate(s.action_items)
            if not item.done
        ],
    }
