"""What several QA pages show alike: the page header, and rows of reviews, scores,
disputes and assignments, and a scorecard with its categories (and a review's ratings).
Plain JSON-able dictionaries, texts in the page's language."""

from __future__ import annotations

from typing import Any

from ...qa import Assignment, Dispute, Review, Scorecard, ScoreRow, Suggestion
from ._context import Ctx, Model, iso

#: at most this many rows in a list (newest first)
LIMIT = 200


def page(ctx: Ctx, key: str, **extra: Any) -> Model:
    """The model of QA page ``key``: its title, who is looking, and ``extra``."""
    return {
        "page": "qa",
        "qa_page": key,
        "title": ctx.t(f"qa.page.{key}"),
        "role": ctx.actor.role,
        "is_staff": ctx.actor.is_staff,
        "is_reviewer": ctx.may_review,
        # #22 (Q3): the recognition board's link, for the roles opted in (and agents)
        "may_see_board": ctx.ws.may_see_board(ctx.actor) or ctx.actor.role == "agent",
        **extra,
    }


def review_row(ctx: Ctx, r: Review) -> Model:
    return {
        "review_id": r.review_id,
        "ticket_id": r.ticket_id,
        "agent_id": r.agent_id,
        "agent": ctx.agent_name(r.agent_id),
        "reviewer_id": r.reviewer_id,
        "reviewer": ctx.user_name(r.reviewer_id),
        "score": r.score,
        "score_display": ctx.pct(r.score),
        "failed_critical": r.failed_critical,
        "status": r.status,
        "status_label": ctx.t(f"qa.status.{r.status}"),
        "scorecard_id": r.scorecard_id,
        "scorecard_version": r.scorecard_version,
        "calibration_id": r.calibration_id,
        "created_at": iso(r.created_at),
        "created_display": ctx.when(r.created_at),
        "changed_at": iso(r.changed_at),
        "href": f"/qa/reviews/{r.review_id}",
    }


def score_row(ctx: Ctx, s: ScoreRow) -> Model:
    return {
        "agent_id": s.key,
        "agent": ctx.agent_name(s.key),
        "iqs": s.iqs,
        "iqs_display": ctx.pct(s.iqs),
        "pass_rate": s.pass_rate,
        "pass_rate_display": ctx.ratio(s.pass_rate),
        "reviews": s.reviews,
        "reviews_display": ctx.count(s.reviews),
    }


def dispute_row(ctx: Ctx, d: Dispute) -> Model:
    return {
        "dispute_id": d.dispute_id,
        "review_id": d.review_id,
        "agent_id": d.agent_id,
        "agent": ctx.agent_name(d.agent_id),
        "status": d.status,
        "status_label": ctx.t(f"qa.dispute.{d.status}"),
        "escalated": d.escalated,
        "open": d.is_open,
        "comment": d.comment,
        "changed_by": ctx.user_name(d.changed_by),
        "changed_at": iso(d.changed_at),
        "changed_display": ctx.when(d.changed_at),
        "href": f"/qa/reviews/{d.review_id}",
    }


def assignment_row(ctx: Ctx, a: Assignment) -> Model:
    return {
        "assignment_id": a.assignment_id,
        "cycle_id": a.cycle_id,
        "ticket_id": a.ticket_id,
        "agent_id": a.agent_id,
        "agent": ctx.agent_name(a.agent_id),
        "reviewer_id": a.reviewer_id,
        "reviewer": ctx.user_name(a.reviewer_id),
        "reason": a.reason,
        "status": a.status,
        "status_label": ctx.t(f"qa.assignment.{a.status}"),
        "review_id": a.review_id,
        "href": f"/qa/reviews/{a.review_id}" if a.review_id else f"/qa/review/{a.ticket_id}",
    }


def _scale(ctx: Ctx, card: Scorecard, category_id: str) -> list[Model]:
    cat = card.category(category_id)
    out: list[Model] = [
        {"value": str(v), "label": ctx.locale.number(str(v))} for v in cat.scale.values
    ]
    if cat.na_allowed:
        out.append({"value": "na", "label": ctx.t("qa.na")})
    return out


def card_model(
    ctx: Ctx,
    card: Scorecard,
    review: Review | None = None,
    signals: list[Suggestion] | None = None,
) -> Model:
    """A scorecard's sections and categories (and a review's ratings and scores)."""
    scored = ctx.ws.score_of(review) if review is not None else None
    links = card.signal_links()
    sections = []
    for sec in card.sections:
        cats = []
        for c in sec.categories:
            row: Model = {
                "id": c.id,
                "name": ctx.cat_name(card, c.id, c.name),
                "description": (
                    ctx.text(f"qa.catdesc.{c.id}", c.description)
                    if card.id == "default"
                    else c.description
                ),
                "weight": c.weight,
                "scale": c.scale.kind,
                "min": c.scale.min,
                "max": c.scale.max,
                "na_allowed": c.na_allowed,
                "critical": c.critical,
                # (scorecard kinds, #22: fail-section and bonus categories, linked signals)
                "kind": c.kind,
                "kind_label": ctx.t(f"qa.builder.kind.{c.kind}"),
                "fail_section": c.fail_section,
                "bonus": c.bonus,
                "signals": [a for a, cid in links.items() if cid == c.id],
                "root_causes": [
                    {"value": rc, "label": ctx.text("qa.cause." + rc.replace(" ", "_"), rc)}
                    for rc in c.root_causes
                ],
                "options": _scale(ctx, card, c.id),
            }
            if signals is not None:
                row["suggestions"] = [
                    suggestion_model(ctx, s) for s in signals if s.category_id == c.id
                ]
            if review is not None and scored is not None:
                rating = review.ratings.get(c.id)
                row.update(
                    rating=rating,
                    rating_display=(
                        ctx.t("qa.na") if rating is None else ctx.locale.number(str(rating))
                    ),
                    score=scored.categories.get(c.id),
                    score_display=ctx.pct(scored.categories.get(c.id)),
                    comment=review.comments.get(c.id, ""),
                    causes=[
                        ctx.text("qa.cause." + rc.replace(" ", "_"), rc)
                        for rc in review.root_causes.get(c.id, [])
                    ],
                    failed=(c.critical or c.fail_section)
                    and scored.categories.get(c.id) is not None
                    and (scored.categories[c.id] or 0.0) < 50.0,
                )
            cats.append(row)
        section: Model = {
            "id": sec.id,
            "name": ctx.section_name(card, sec.id, sec.name),
            "categories": cats,
        }
        if scored is not None:
            section["score"] = scored.sections.get(sec.id)
            section["score_display"] = ctx.pct(scored.sections.get(sec.id))
            section["failed"] = sec.id in scored.failed_sections
        sections.append(section)
    scores: Model = {}
    if scored is not None:  # (scorecard kinds, #22) the bonus points the review earned
        scores = {"bonus": scored.bonus, "bonus_display": ctx.locale.number(f"{scored.bonus:.1f}")}
    return {
        **scores,
        "id": card.id,
        "name": ctx.text("qa.default_scorecard", card.name) if card.id == "default" else card.name,
        "version": card.version,
        "active": card.active,
        "pass_threshold": card.pass_threshold,
        "conditions": {
            "channels": list(card.channels),
            "tags": list(card.tags),
            "teams": list(card.teams),
        },
        "sections": sections,
    }


def suggestion_model(ctx: Ctx, s: Suggestion) -> Model:
    return {
        "category_id": s.category_id,
        "analyzer": s.analyzer,
        "analyzer_label": ctx.text(f"qa.analyzer.{s.analyzer}", s.analyzer),
        "label": s.label,
        "label_display": ctx.text(f"qa.signal.{s.label}", s.label),
        "score": s.score,
        "event_id": s.event_id,
        "evidence": [e.get("text", "") for e in s.evidence],
    }
