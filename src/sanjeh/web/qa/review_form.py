"""/qa/review/{ticket_id}: the conversation, its automatic signals and the scorecard to
fill in; submitting it (the form here, or JSON at /api/qa/reviews)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ...accounts import check
from ...errors import PermissionDenied, RecordNotFound
from ...qa import Scorecard, Suggestion, TimelineEntry, choose_scorecard, conversation, suggestions
from .._errors import InvalidParameter
from ._context import Ctx, Model, iso, ticket_row
from ._forms import (
    Fields,
    Opt,
    ReviewIn,
    TicketId,
    blank,
    check_ratings,
    field,
    form_review,
    optional,
    parse,
)
from ._rows import card_model, page, review_row, suggestion_model
from ._table import back


def build(ctx: Ctx, ticket_id: TicketId, scorecard: Opt = None, calibration: Opt = None) -> Model:
    actor = ctx.actor
    scorecard_id, calibration_id = blank(scorecard), blank(calibration)
    check(actor, "review_conversations", action="review")
    ticket = ticket_row(ctx, ticket_id)
    card = card_for(ctx, ticket, scorecard_id, calibration_id)
    signals = suggestions(ctx.store, ticket_id, card)
    agent_id = ctx.ws.agent_of(ticket_id)
    if actor.agent_id is not None and actor.agent_id == agent_id:
        raise PermissionDenied("you cannot review your own conversation; ask another reviewer")
    earlier = ctx.ws.reviews(actor, ticket_id=ticket_id, calibration_id=calibration_id)
    return page(
        ctx,
        "review_form",
        ticket={
            "ticket_id": ticket_id,
            "subject": ticket.get("subject"),
            "channel": ticket.get("channel"),
            "channel_label": ctx.locale.label("channel", ticket.get("channel")),
            "created_at": iso(ticket.get("created_at")),
            "created_display": ctx.when(ticket.get("created_at")),
            "agent_id": agent_id,
            "agent": ctx.agent_name(agent_id),
        },
        calibration_id=calibration_id,
        scorecard=card_model(ctx, card, signals=signals),
        scorecards=[
            {"id": c.id, "name": card_model(ctx, c)["name"], "version": c.version}
            for c in ctx.ws.scorecards()
        ],
        timeline=[timeline_entry(ctx, e, signals) for e in conversation(ctx.store, ticket_id)],
        general=[suggestion_model(ctx, s) for s in signals if s.category_id is None],
        earlier=[review_row(ctx, r) for r in earlier],
        title=ctx.t("qa.page.review_form") + " · " + ticket_id,
    )


def pick(request: Request, ticket: Opt = None) -> Response:
    """GET /qa/review?ticket=…: the home page's box opens that conversation's form."""
    if not blank(ticket):
        raise InvalidParameter("ticket", "give the conversation id to review")
    return back(request, f"/qa/review/{(ticket or '').strip()}")


# -- submitting ---------------------------------------------------------------------------------


def submit(ctx: Ctx, body: ReviewIn) -> str:
    """POST /api/qa/reviews: the review's id."""
    ticket = ticket_row(ctx, body.ticket_id)
    card = card_for(ctx, ticket, body.scorecard_id, body.calibration_id)
    check_ratings(
        card,
        body.ratings,
        complete=not body.draft,
        causes=body.root_causes,
        comments=body.comments,
    )
    review = ctx.ws.submit_review(
        ctx.actor,
        body.ticket_id,
        body.ratings,
        scorecard_id=body.scorecard_id,
        comments=body.comments,
        root_causes=body.root_causes,
        comment=body.comment,
        calibration_id=body.calibration_id,
        draft=body.draft,
    )
    return review.review_id


def submit_form(ctx: Ctx, body: Fields, ticket_id: TicketId) -> str:
    """POST /qa/review/{ticket_id}: the form read against the scorecard it was filled
    in with (root causes count on negative ratings only), then :func:`submit`."""
    ticket = ticket_row(ctx, ticket_id)
    card = card_for(
        ctx,
        ticket,
        optional(field(body, "scorecard_id")),
        optional(field(body, "calibration_id")),
    )
    return submit(ctx, parse(ReviewIn, form_review(body, ticket_id, card)))


def raw(fields: Fields) -> Fields:
    """The review form is read inside :func:`submit_form` (it needs the scorecard)."""
    return fields


def _segments(body: str, marks: list[tuple[int, int, Suggestion]]) -> list[Model]:
    """The message split into plain text and the evidence of signals (no overlaps)."""
    out: list[Model] = []
    pos = 0
    for start, end, s in sorted(marks, key=lambda m: (m[0], -m[1])):
        if start < pos or end <= start or end > len(body):
            continue
        if start > pos:
            out.append({"text": body[pos:start], "signal": None})
        out.append(
            {
                "text": body[start:end],
                "signal": {
                    "analyzer": s.analyzer,
                    "label": s.label,
                    "category_id": s.category_id,
                },
            }
        )
        pos = end
    if pos < len(body):
        out.append({"text": body[pos:], "signal": None})
    return out


def timeline_entry(ctx: Ctx, e: TimelineEntry, signals: list[Suggestion]) -> Model:
    body = e.body or ""
    marks: list[tuple[int, int, Suggestion]] = []
    for s in signals:
        if s.event_id != e.event_id:
            continue
        for ev in s.evidence:
            start, end, text = ev.get("start"), ev.get("end"), ev.get("text")
            if isinstance(start, int) and isinstance(end, int) and body[start:end] == text:
                marks.append((start, end, s))
            elif isinstance(text, str) and text and text in body:
                found = body.index(text)
                marks.append((found, found + len(text), s))
    kind = "note" if e.kind == "message" and e.public is False else e.kind
    return {
        "event_id": e.event_id,
        "at": iso(e.at),
        "at_display": ctx.when(e.at),
        "kind": e.kind,
        "kind_label": ctx.t(f"qa.event.{kind}"),
        "public": e.public,
        "private": e.kind == "message" and e.public is False,
        "actor_type": e.actor_type,
        "actor_label": ctx.t(f"actor.{e.actor_type}") if e.actor_type else "",
        "actor_id": e.actor_id,
        "actor_name": ctx.agent_name(e.actor_id) if e.actor_type in ("agent", "bot") else "",
        "status": e.status,
        "agent": ctx.agent_name(e.agent_id) if e.agent_id else "",
        "body": e.body,
        "segments": _segments(body, marks) if body else [],
    }


def card_for(
    ctx: Ctx,
    ticket: dict[str, Any],
    scorecard_id: str | None = None,
    calibration_id: str | None = None,
) -> Scorecard:
    """The scorecard a review of ``ticket`` is graded with (as ``submit_review`` picks)."""
    ws = ctx.ws
    if calibration_id is not None:
        cal = ws.calibration(ctx.actor, calibration_id)
        return ws.scorecard(cal.scorecard_id, cal.scorecard_version)
    if scorecard_id is not None:
        return ws.scorecard(scorecard_id)
    chosen = choose_scorecard(
        ws.scorecards(), ticket.get("channel"), ticket.get("tags") or (), ticket.get("team_id")
    )
    if chosen is None:
        raise RecordNotFound("no active scorecard fits this conversation; create one first")
    return chosen
