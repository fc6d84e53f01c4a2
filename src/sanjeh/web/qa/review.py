"""/qa/reviews/{review_id}: one review's scores by section and category, its history,
its disputes and what the user may do next; changing it (JSON PATCH)."""

from __future__ import annotations

from ...qa import OUTCOMES, Dispute, HistoryEntry, Review
from ._context import Ctx, Model, iso
from ._forms import RecordId, ReviewUpdate, check_ratings
from ._rows import card_model, dispute_row, page, review_row


def build(ctx: Ctx, review_id: RecordId) -> Model:
    actor, ws = ctx.actor, ctx.ws
    review = ws.review(actor, review_id)
    card = ws.scorecard(review.scorecard_id, review.scorecard_version)
    disputes = sorted(
        (d for d in ws.disputes(actor) if d.review_id == review_id), key=lambda d: d.changed_at
    )
    wow = {w.ticket_id: w for w in ws.wow_library(actor)}.get(review.ticket_id)
    m = page(
        ctx,
        "review",
        review={
            **review_row(ctx, review),
            "comment": review.comment,
            "revision": review.revision,
            "pass_threshold": card.pass_threshold,
            "passed": review.score is not None and review.score >= card.pass_threshold,
        },
        scorecard=card_model(ctx, card, review),
        history=[_history_row(ctx, h) for h in ws.history(actor, review_id)],
        disputes=[dispute_row(ctx, d) for d in disputes],
        actions=_actions(ctx, review, disputes[-1] if disputes else None),
        wow=(
            {"note": wow.note, "by": ctx.user_name(wow.marked_by), "at": iso(wow.marked_at)}
            if wow
            else None
        ),
        review_link=f"/qa/review/{review.ticket_id}",
    )
    m["title"] = ctx.t("qa.page.review") + " · " + review.ticket_id
    return m


def _actions(ctx: Ctx, review: Review, last: Dispute | None) -> Model:
    """What the user may do with the review, given its latest dispute."""
    actor = ctx.actor
    own = actor.role == "agent" and actor.agent_id is not None and actor.agent_id == review.agent_id
    calibration = review.calibration_id is not None
    can_dispute = (
        own
        and not calibration
        and (
            last is None
            or (not last.is_open and not (last.status == "rejected" and not last.escalated))
        )
    )
    can_escalate = own and last is not None and last.status == "rejected" and not last.escalated
    may_resolve = (
        last is not None
        and last.is_open
        and (
            actor.is_staff
            if last.escalated
            else (actor.is_staff or actor.user_id == review.reviewer_id)
        )
    )
    return {
        "dispute": can_dispute,
        "escalate": last.dispute_id if can_escalate and last else None,
        "resolve": last.dispute_id if may_resolve and last else None,
        "outcomes": [{"value": o, "label": ctx.t(f"qa.dispute.{o}")} for o in OUTCOMES],
        "wow": ctx.may_review and not calibration,
        "coach": ctx.may_review and not calibration,
    }


def _history_row(ctx: Ctx, h: HistoryEntry) -> Model:
    return {
        "at": iso(h.at),
        "at_display": ctx.when(h.at),
        "by": h.by,
        "by_name": ctx.user_name(h.by),
        "kind": h.kind,
        "record_id": h.record_id,
        "revision": h.revision,
        "status": h.status,
        "status_label": ctx.t(
            f"qa.status.{h.status}" if h.kind == "review" else f"qa.dispute.{h.status}"
        ),
        "note": h.note,
        "note_label": note_label(ctx, h.note),
        "comment": h.comment,
        "score": h.score,
        "score_display": ctx.pct(h.score) if h.kind == "review" else "",
    }


def note_label(ctx: Ctx, note: str) -> str:
    """The library's English change notes ("dispute accepted (escalated)"), translated."""
    slug = note.replace("(", "").replace(")", "").strip().replace(" ", "_")
    return ctx.text(f"qa.note.{slug}", note) if slug else ""


# -- changing it --------------------------------------------------------------------------------


def update(ctx: Ctx, review_id: RecordId, body: ReviewUpdate) -> str:
    """PATCH /api/qa/reviews/{review_id}: its reviewer (or staff) changes it."""
    review = ctx.ws.review(ctx.actor, review_id)
    card = ctx.ws.scorecard(review.scorecard_id, review.scorecard_version)
    check_ratings(
        card,
        body.ratings or {},
        complete=False,
        causes=body.root_causes,
        comments=body.comments or {},
    )
    ctx.ws.update_review(
        ctx.actor,
        review_id,
        ratings=body.ratings,
        comments=body.comments,
        root_causes=body.root_causes,
        comment=body.comment,
        submit=body.submit,
        note=body.note,
    )
    return review_id


def answer(ctx: Ctx, review_id: str) -> Model:
    """After a review is submitted or changed, the JSON answer is its page's model."""
    return build(ctx, review_id)
