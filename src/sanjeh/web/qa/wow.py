"""/qa/wow: the wow library of exemplary conversations; adding to it (reviewers and
staff; the form on the review page, or JSON)."""

from __future__ import annotations

from ._context import Ctx, Model, iso
from ._forms import Fields, WowIn, field, parse
from ._rows import page


def build(ctx: Ctx) -> Model:
    entries = ctx.ws.wow_library(ctx.actor)
    return page(
        ctx,
        "wow",
        entries=[
            {
                "ticket_id": w.ticket_id,
                "agent_id": w.agent_id,
                "agent": ctx.agent_name(w.agent_id),
                "note": w.note,
                "marked_by": ctx.user_name(w.marked_by),
                "marked_at": iso(w.marked_at),
                "marked_display": ctx.when(w.marked_at),
            }
            for w in entries
        ],
        may_mark=ctx.may_review,
    )


def mark(ctx: Ctx, body: WowIn) -> Model:
    w = ctx.ws.mark_wow(ctx.actor, body.ticket_id, body.note)
    return {"ticket_id": w.ticket_id, "agent_id": w.agent_id, "note": w.note}


def read(fields: Fields) -> WowIn:
    return parse(WowIn, {"ticket_id": field(fields, "ticket_id"), "note": field(fields, "note")})


def after_marking(result: Model, fields: Fields) -> str:
    """Back to the review the form was on, else the library."""
    review_id = field(fields, "review_id")
    return f"/qa/reviews/{review_id}" if review_id else "/qa/wow"
