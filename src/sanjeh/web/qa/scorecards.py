"""/qa/scorecards: every scorecard version (staff edit: the builder, or its JSON in a
text box; or a JSON body); ``?scorecard=`` opens that one."""

from __future__ import annotations

import json
from typing import Any

from ...accounts import can
from ...errors import WorkflowError
from ...qa import Scorecard
from .._errors import InvalidParameter
from ._context import Ctx, Model
from ._forms import Fields, Opt, ScorecardIn, blank, field, parse
from ._rows import card_model, page

#: the longest definition the form accepts (characters)
MAX_DEFINITION = 200_000


def build(ctx: Ctx, scorecard: Opt = None) -> Model:
    cards = ctx.ws.scorecards(active_only=False)
    example = json.dumps(cards[0].to_dict() if cards else {}, ensure_ascii=False, indent=2)
    shown = blank(scorecard)
    if shown not in {c.id for c in cards}:
        shown = cards[0].id if cards else None
    return page(
        ctx,
        "scorecards",
        scorecards=[card_model(ctx, c) for c in cards],
        shown=shown,
        may_edit=can(ctx.actor, "manage_qa"),
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
    return parse(
        ScorecardIn,
        {"definition": parse_json("definition", definition), "note": field(fields, "note")},
    )


def parse_json(name: str, text: str) -> dict[str, Any]:
    """A posted scorecard definition (form field ``name``) as a JSON object."""
    if len(text) > MAX_DEFINITION:
        raise InvalidParameter(name, "the scorecard is too long (200,000 characters)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidParameter(
            name,
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
        ) from None
    if not isinstance(data, dict):
        raise InvalidParameter(name, "a scorecard is a JSON object ({…})")
    return data
