"""/qa/scorecards: every scorecard version (staff edit); saving one (JSON in a text
box, or a JSON body)."""

from __future__ import annotations

import json
from typing import Any

from ...errors import WorkflowError
from ...qa import Scorecard
from .._errors import InvalidParameter
from ._context import Ctx, Model
from ._forms import Fields, ScorecardIn, field, parse
from ._rows import card_model, page

#: the longest definition the form accepts (characters)
MAX_DEFINITION = 200_000


def build(ctx: Ctx) -> Model:
    cards = ctx.ws.scorecards(active_only=False)
    example = json.dumps(cards[0].to_dict() if cards else {}, ensure_ascii=False, indent=2)
    return page(
        ctx,
        "scorecards",
        scorecards=[card_model(ctx, c) for c in cards],
        may_edit=ctx.actor.is_staff,
        example=example,
    )


def save(ctx: Ctx, body: ScorecardIn) -> Model:
    """A new id is version 1, a changed definition the next version."""
    try:
        card = Scorecard.from_dict(body.definition.model_dump(exclude_none=True))
    except WorkflowError as exc:
        raise InvalidParameter("definition", exc.message) from None
    saved = ctx.ws.save_scorecard(ctx.actor, card, body.note)
    return card_model(ctx, saved)


def read(fields: Fields) -> ScorecardIn:
    definition = field(fields, "definition")
    if len(definition) > MAX_DEFINITION:
        raise InvalidParameter("definition", "the scorecard is too long (200,000 characters)")
    return parse(ScorecardIn, {"definition": _json(definition), "note": field(fields, "note")})


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidParameter(
            "definition",
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
        ) from None
    if not isinstance(data, dict):
        raise InvalidParameter("definition", "a scorecard is a JSON object ({…})")
    return data
