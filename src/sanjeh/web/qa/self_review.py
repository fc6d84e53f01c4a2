"""Self-review (#22): an agent grades one of their own conversations against the
scorecard (/qa/self-review/{ticket_id}) and sees it beside the reviewer's grade
(/qa/self-reviews/{id}); the list (/qa/self-reviews) and its CSV export. Only the agent
and their coaches (staff, reviewers who coached the agent) see them."""

from __future__ import annotations

import csv
import io

from fastapi import Request
from fastapi.responses import Response
from pydantic import Field

from ...errors import PermissionDenied
from ...qa import SelfComparison, SelfReview, limits
from ...report import spreadsheet_text
from ._context import NO_STORE, Ctx, Model, iso, ticket_row
from ._forms import (
    Body,
    Fields,
    Id,
    Key,
    Opt,
    Rating,
    RecordId,
    Text,
    TicketId,
    blank,
    check_ratings,
    field,
    form_ratings,
    parse,
)
from ._rows import LIMIT, card_model, page, review_row
from ._teaching import points


class SelfReviewIn(Body):
    ticket_id: Id
    ratings: dict[Key, Rating] = Field(max_length=limits.MAX_CATEGORIES)
    comments: dict[Key, Text] = Field(default_factory=dict, max_length=limits.MAX_CATEGORIES)
    comment: Text = ""


def build_list(ctx: Ctx, agent: Opt = None) -> Model:
    actor = ctx.actor
    agent = ctx.known_agent("agent", blank(agent))
    found = ctx.ws.self_reviews(actor, agent_id=agent)
    return page(
        ctx,
        "self_reviews",
        agent=agent,
        agents=[{"id": i, "name": n} for i, n in ctx.agents()] if actor.role != "agent" else [],
        count=len(found),
        self_reviews=[row(ctx, s) for s in found[:LIMIT]],
        may_write=actor.role == "agent" and actor.agent_id is not None,
        # an agent's reviewed conversations, to grade themselves and compare
        own_reviews=(
            [review_row(ctx, r) for r in ctx.ws.reviews(actor)[:20]]
            if actor.role == "agent"
            else []
        ),
    )


def row(ctx: Ctx, s: SelfReview) -> Model:
    return {
        "self_review_id": s.self_review_id,
        "revision": s.revision,
        "ticket_id": s.ticket_id,
        "agent_id": s.agent_id,
        "agent": ctx.agent_name(s.agent_id),
        "score": s.score,
        "score_display": ctx.pct(s.score),
        "failed_critical": s.failed_critical,
        "scorecard_id": s.scorecard_id,
        "scorecard_version": s.scorecard_version,
        "changed_at": iso(s.changed_at),
        "changed_display": ctx.when(s.changed_at),
        "href": f"/qa/self-reviews/{s.self_review_id}",
    }


def build(ctx: Ctx, self_review_id: RecordId) -> Model:
    return comparison(ctx, ctx.ws.self_review(ctx.actor, self_review_id))


def comparison(ctx: Ctx, c: SelfComparison) -> Model:
    own = c.self_review
    card = ctx.ws.scorecard(own.scorecard_id, own.scorecard_version)
    return page(
        ctx,
        "self_review",
        self_review={**row(ctx, own), "comment": own.comment, "ratings": own.ratings},
        review=review_row(ctx, c.review) if c.review else None,
        difference=c.difference,
        difference_display=points(ctx, c.difference),
        categories=[
            {
                "category_id": x.category_id,
                "name": ctx.cat_name(card, x.category_id, x.name),
                "own": x.own,
                "own_display": ctx.pct(x.own),
                "reviewer": x.reviewer,
                "reviewer_display": ctx.pct(x.reviewer),
                "difference": x.difference,
                "difference_display": points(ctx, x.difference),
                "comment": own.comments.get(x.category_id, ""),
            }
            for x in c.categories
        ],
        title=ctx.t("qa.page.self_review") + " · " + own.ticket_id,
    )


def build_form(ctx: Ctx, ticket_id: TicketId) -> Model:
    """The scorecard to fill in for one's own conversation (agents only)."""
    actor = ctx.actor
    if actor.role != "agent" or actor.agent_id is None:
        raise PermissionDenied("only agents grade their own conversations (self-review)")
    ticket = ticket_row(ctx, ticket_id)
    if ctx.ws.agent_of(ticket_id) != actor.agent_id:
        raise PermissionDenied("you can only self-review your own conversations")
    card = ctx.ws.self_review_card(ticket_id)
    earlier = [s for s in ctx.ws.self_reviews(actor) if s.ticket_id == ticket_id]
    return page(
        ctx,
        "self_review_form",
        ticket={
            "ticket_id": ticket_id,
            "subject": ticket.get("subject"),
            "created_display": ctx.when(ticket.get("created_at")),
        },
        scorecard=card_model(ctx, card),
        earlier=[row(ctx, s) for s in earlier],
        title=ctx.t("qa.page.self_review_form") + " · " + ticket_id,
    )


# -- submitting ----------------------------------------------------------------------------


def submit(ctx: Ctx, body: SelfReviewIn) -> Model:
    """POST /api/qa/self-reviews: the self-review beside the reviewer's grade."""
    card = ctx.ws.self_review_card(body.ticket_id)
    check_ratings(card, body.ratings, complete=True, comments=body.comments)
    s = ctx.ws.submit_self_review(
        ctx.actor, body.ticket_id, body.ratings, comments=body.comments, comment=body.comment
    )
    return {"self_review_id": s.self_review_id, "revision": s.revision, "score": s.score}


def answer(ctx: Ctx, result: Model) -> Model:
    return build(ctx, result["self_review_id"])


def submit_form(ctx: Ctx, body: Fields, ticket_id: TicketId) -> Model:
    comments = {
        k[len("comment.") :]: v.strip() for k, v in body if k.startswith("comment.") and v.strip()
    }
    data = {
        "ticket_id": ticket_id,
        "ratings": form_ratings(body),
        "comments": comments,
        "comment": field(body, "comment").strip(),
    }
    return submit(ctx, parse(SelfReviewIn, data))


def raw(fields: Fields) -> Fields:
    return fields


def to_comparison(result: Model, fields: Fields) -> str:
    return f"/qa/self-reviews/{result['self_review_id']}"


# -- export ------------------------------------------------------------------------------------

COLUMNS = ("self_review_id", "ticket_id", "agent_id", "score", "scorecard_id", "changed_at")


def export(request: Request, agent: Opt = None) -> Response:
    """GET /qa/self-reviews.csv: the rows the list shows (the same visibility)."""
    with Ctx.of(request) as ctx:
        found = ctx.ws.self_reviews(ctx.actor, agent_id=blank(agent))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for s in found:
        values = (s.self_review_id, s.ticket_id, s.agent_id, s.score, s.scorecard_id)
        writer.writerow([spreadsheet_text(v) for v in values] + [iso(s.changed_at)])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            **NO_STORE,
            "Content-Disposition": 'attachment; filename="sanjeh-self-reviews.csv"',
        },
    )
