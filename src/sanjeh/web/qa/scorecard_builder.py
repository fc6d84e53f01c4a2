"""/qa/scorecards/builder: a scorecard built in a form (managers and admins): sections
and their categories (the questions), weights, scales, N/A, the kind (critical,
fail-section, bonus), the automatic signals linked, root causes, and a preview of the
score of example ratings. A plain form works without the page's script: the add /
remove / move buttons post it and the page comes back changed (``qa-builder.js`` does
them in the page instead, and keeps the preview live); *Save* writes the next version.
``/api/qa/scorecards/export`` is a scorecard's JSON (``Scorecard.to_dict()``)."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import ValidationError as ModelError

from ...accounts import check
from ...errors import RecordNotFound, ValidationError, WorkflowError
from ...qa import KINDS, SCALES, Scorecard, limits, review_score
from .._errors import InvalidParameter
from .._params import TEXT_PATTERN
from . import scorecards
from ._builder_draft import (
    Draft,
    apply,
    blank_category,
    blank_draft,
    blank_section,
    definition_of,
    draft_from,
    draft_of,
    example_ratings,
)
from ._context import Ctx, Model, render
from ._forms import FormData, Opt, ScorecardIn, blank, field
from ._rows import page
from ._table import back

#: the message-level analyzers of ``sanjeh.text`` (its registry's defaults) and the
#: conversation-level results it writes beside them (``auto_scores.analyzer``); the
#: store's own analyzers (a model registered under another name) are added to the list
MESSAGE_ANALYZERS = (
    "greeting",
    "closing",
    "politeness",
    "empathy",
    "apology",
    "language_framing",
    "rude",
    "ownership",
    "active_listening",
    "follow_up",
    "wow",
    "escalation_request",
    "personalisation",
    "sentiment",
)
CONVERSATION_ANALYZERS = (
    "conversation.greeting",
    "conversation.closing",
    "conversation.quality",
    "conversation.customer_sentiment_start",
    "conversation.customer_sentiment_end",
    "conversation.customer_sentiment_trend",
    "conversation.empathy_when_needed",
    "conversation.paraphrase",
    "conversation.follow_up_kept",
    "conversation.escalation_request",
)
#: ``auto_scores`` rows that are not findings about the agent's work
_NOT_SIGNALS = ("language", "conversation.count.")
_WHERE = re.compile(r"sections[.\[]([0-9]+)\]?(?:\.categories[.\[]([0-9]+)\]?)?")


#: a stored scorecard's id (a lookup: an unknown one is a 404)
CardParam = Annotated[
    str,
    Query(min_length=1, max_length=200, pattern=TEXT_PATTERN, description="Scorecard id."),
]
#: one of its versions (none: the latest)
VersionParam = Annotated[
    int | None,
    Query(ge=1, le=2**53, description="Its version (1, 2, …); none: the latest."),
]


def build(ctx: Ctx, scorecard: Opt = None, version: VersionParam = None) -> Model:
    """The builder: empty, or filled with a stored scorecard (its latest version, or
    ``version``) to save as its next version."""
    _may_build(ctx)
    card_id = blank(scorecard)
    if card_id is None:
        return model(ctx, blank_draft())
    return model(ctx, draft_of(ctx.ws.scorecard(card_id, version)))


def export(ctx: Ctx, scorecard: CardParam, version: VersionParam = None) -> Model:
    """A scorecard version as JSON (``Scorecard.to_dict()``: what the import and
    ``POST /api/qa/scorecards`` take). Everyone who sees the scorecards may export."""
    return ctx.ws.scorecard(scorecard, version).to_dict()


def post(request: Request, fields: FormData) -> Response:
    """POST /qa/scorecards/builder: a builder button (the page comes back changed) or
    *Save* (the next version; then the scorecards page). A definition that cannot be
    saved comes back as the builder with the message (400), nothing lost."""
    if limits.has_nul(*(text for pair in fields for text in pair)):
        raise InvalidParameter("fields", "contains a NUL character (\\x00); remove it")
    ctx = Ctx.of(request)
    with ctx:
        _may_build(ctx)
    draft = draft_from(fields)
    op = field(fields, "op").strip() or "save"
    try:
        if op == "save":
            saved = _save(ctx, draft)
            target = f"/qa/scorecards?scorecard={quote(saved['id'], safe='')}"
            return back(request, target)
        draft = _imported(field(fields, "json")) if op == "import" else apply(op, draft)
    except (InvalidParameter, ValidationError, WorkflowError) as exc:
        if isinstance(exc, InvalidParameter) and exc.name == "op":
            raise
        return _page(ctx, draft, _error(exc), 400)
    return _page(ctx, draft)


# -- the page's model ---------------------------------------------------------------------------


def model(ctx: Ctx, draft: Draft, error: Model | None = None) -> Model:
    current = _current(ctx, draft["id"])
    return page(
        ctx,
        "scorecard_builder",
        draft=draft,
        current_version=current.version if current is not None else None,
        scales=[
            {
                "value": kind,
                "label": ctx.t(f"qa.builder.scale.{kind}"),
                "values": list(range(lo, hi + 1)),
            }
            for kind, (lo, hi) in SCALES.items()
        ],
        scale_values={kind: list(range(lo, hi + 1)) for kind, (lo, hi) in SCALES.items()},
        kinds=[{"value": k, "label": ctx.t(f"qa.builder.kind.{k}")} for k in KINDS],
        analyzers=_analyzers(ctx, draft),
        preview=preview(ctx, draft),
        error=error,
        blank_section=blank_section(),
        blank_category=blank_category(),
        limits={"categories": limits.MAX_CATEGORIES, "sections": limits.MAX_SECTIONS},
    )


def preview(ctx: Ctx, draft: Draft) -> Model:
    """The review score of the draft's example ratings (``sanjeh.qa.review_score``; the
    page's script computes the same live), or why it cannot be computed yet."""
    try:
        card = Scorecard.from_dict(definition_of(draft, placeholders=True))
    except WorkflowError as exc:
        return {"score": None, "display": "—", "problem": exc.message}
    ratings = example_ratings(draft, card)
    result = review_score(card, ratings, complete=False)
    names = {s.id: s.name for s in card.sections}
    return {
        "score": result.score,
        "display": ctx.pct(result.score),
        "passed": result.score is not None and result.score >= card.pass_threshold,
        "bonus": result.bonus,
        "bonus_display": ctx.locale.number(f"{result.bonus:.1f}"),
        "failed_critical": result.failed_critical,
        "failed_sections": [names[s] for s in result.failed_sections],
        "sections": [
            {
                "name": s.name,
                "score": result.sections[s.id],
                "display": ctx.pct(result.sections[s.id]),
            }
            for s in card.sections
        ],
        "problem": None,
    }


def _analyzers(ctx: Ctx, draft: Draft) -> list[Model]:
    names = [*MESSAGE_ANALYZERS, *CONVERSATION_ANALYZERS]
    linked = [a for sec in draft["sections"] for c in sec["categories"] for a in c["signals"]]
    for name in [*_stored_analyzers(ctx), *linked]:
        if name not in names:
            names.append(name)
    return [{"value": n, "label": ctx.text(f"qa.analyzer.{n}", n)} for n in names]


def _stored_analyzers(ctx: Ctx) -> list[str]:
    with ctx:
        a = ctx.store.table("auto_scores")
        found = a.select("analyzer").distinct().order_by("analyzer").to_pyarrow().to_pylist()
    return [
        r["analyzer"]
        for r in found
        if r["analyzer"] and not str(r["analyzer"]).startswith(_NOT_SIGNALS)
    ]


def _current(ctx: Ctx, card_id: str) -> Scorecard | None:
    if not card_id or limits.has_nul(card_id):
        return None
    try:
        with ctx:
            return ctx.ws.scorecard(card_id)
    except RecordNotFound:
        return None


# -- actions ------------------------------------------------------------------------------------


def _may_build(ctx: Ctx) -> None:
    check(ctx.actor, "manage_qa", action="build scorecards")


def _save(ctx: Ctx, draft: Draft) -> Model:
    """The draft checked as ``POST /api/qa/scorecards`` checks a body, then saved."""
    try:
        body = ScorecardIn.model_validate(
            {"definition": definition_of(draft), "note": draft["note"]}
        )
    except ModelError as exc:
        raise InvalidParameter("definition", _message(exc)) from None
    with ctx:
        try:
            return scorecards.save(ctx, body)
        finally:
            ctx.source.forget()


def _imported(text: str) -> Draft:
    """The import box: a scorecard's JSON (as exported) into the builder, unsaved."""
    try:
        return draft_of(Scorecard.from_dict(scorecards.parse_json("json", text)))
    except WorkflowError as exc:
        raise InvalidParameter("json", exc.message) from None


def _message(exc: ModelError) -> str:
    """Pydantic's errors as the API words them: ``definition.sections.0.…: why``."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {str(err.get('msg', 'invalid')).removeprefix('Value error, ')}")
    return "; ".join(parts)


def _error(exc: Exception) -> Model:
    """The message, and the section / category it is about (marked on the page)."""
    message = str(exc)
    where = _WHERE.search(message)
    return {
        "message": message,
        "section": int(where[1]) if where else None,
        "category": int(where[2]) if where and where[2] is not None else None,
    }


def _page(ctx: Ctx, draft: Draft, error: Model | None = None, status: int = 200) -> Response:
    with ctx:
        built = model(ctx, draft, error)
    response = render(ctx, "qa/scorecard_builder.html", built)
    response.status_code = status
    return response
