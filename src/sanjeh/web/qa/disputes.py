"""/qa/disputes: agents their own, reviewers those of their reviews, staff all; opening,
resolving and escalating a dispute (forms on the review page, and JSON)."""

from __future__ import annotations

from ...errors import RecordNotFound
from ._context import Ctx, Model
from ._forms import (
    DisputeIn,
    DisputeStatus,
    EscalateIn,
    Fields,
    RecordId,
    ResolveIn,
    check_ratings,
    field,
    form_ratings,
    parse,
)
from ._rows import LIMIT, dispute_row, page


def build(ctx: Ctx, status: DisputeStatus = None) -> Model:
    found = ctx.ws.disputes(ctx.actor, status=status)
    return page(
        ctx,
        "disputes",
        status=status,
        disputes=[dispute_row(ctx, d) for d in found[:LIMIT]],
    )


# -- actions ------------------------------------------------------------------------------------


def open_dispute(ctx: Ctx, review_id: RecordId, body: DisputeIn) -> Model:
    """The reviewed agent disputes the review (the form goes back to the review)."""
    return dispute_row(ctx, ctx.ws.open_dispute(ctx.actor, review_id, body.comment))


def resolve(ctx: Ctx, dispute_id: RecordId, body: ResolveIn) -> Model:
    found = [d for d in ctx.ws.disputes(ctx.actor) if d.dispute_id == dispute_id]
    if found and body.ratings:
        review = ctx.ws.review(ctx.actor, found[0].review_id)
        card = ctx.ws.scorecard(review.scorecard_id, review.scorecard_version)
        check_ratings(card, body.ratings, complete=False)
    dispute = ctx.ws.resolve_dispute(
        ctx.actor, dispute_id, body.outcome, body.comment, body.ratings
    )
    return dispute_row(ctx, dispute)


def escalate(ctx: Ctx, dispute_id: RecordId, body: EscalateIn) -> Model:
    return dispute_row(ctx, ctx.ws.escalate_dispute(ctx.actor, dispute_id, body.comment))


def resolve_form(ctx: Ctx, dispute_id: RecordId, body: ResolveIn) -> str:
    """The form: a dispute the user may not see is a 404 before anything else; the
    review's id, to go back to."""
    review_id = _review_of(ctx, dispute_id)
    resolve(ctx, dispute_id, body)
    return review_id


def escalate_form(ctx: Ctx, dispute_id: RecordId, body: EscalateIn) -> str:
    review_id = _review_of(ctx, dispute_id)
    escalate(ctx, dispute_id, body)
    return review_id


def _review_of(ctx: Ctx, dispute_id: str) -> str:
    for d in ctx.ws.disputes(ctx.actor):
        if d.dispute_id == dispute_id:
            return d.review_id
    raise RecordNotFound(f"no dispute {dispute_id!r}")


def read_dispute(fields: Fields) -> DisputeIn:
    return parse(DisputeIn, {"comment": field(fields, "comment")})


def read_resolution(fields: Fields) -> ResolveIn:
    """The corrected ratings are ``new.<category>`` fields (ignored for a rejection)."""
    outcome = field(fields, "outcome")
    ratings = form_ratings(fields, "new.") if outcome != "rejected" else {}
    return parse(
        ResolveIn,
        {"outcome": outcome, "comment": field(fields, "comment"), "ratings": ratings or None},
    )


def read_escalation(fields: Fields) -> EscalateIn:
    return parse(EscalateIn, {"comment": field(fields, "comment")})


def to_review(review_id: str, fields: Fields) -> str:
    """Where the dispute forms go back to: the review (the form runs answer its id)."""
    return f"/qa/reviews/{review_id}"
