"""What the QA routes accept: path and query parameters, one pydantic model per action
for JSON bodies and HTML forms alike (forms are turned into the same dictionaries
first), and the checks of ratings against a scorecard that give a clear 400 before
anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, ValidationError

from ...model.workflow import MAX_REPEAT_DAYS
from ...qa import Outcome, Scorecard, Strategy
from .._errors import InvalidParameter

# -- path and query parameters (what a view function's signature declares) --------------------

TicketId = Annotated[str, PathParam(max_length=200, description="Conversation id.")]
RecordId = Annotated[str, PathParam(max_length=200, description="Record id.")]
ActionIndex = Annotated[int, PathParam(ge=0, le=1000, description="Action item number.")]
#: an optional query parameter (blank counts as not given: see :func:`blank`)
Opt = Annotated[str | None, Query(max_length=200)]


def blank(value: str | None) -> str | None:
    """A query parameter without surrounding spaces; empty is None."""
    return value.strip() or None if value is not None else None


def day(name: str, value: str | None) -> dt.date | None:
    """A YYYY-MM-DD query parameter (blank: None); anything else is a 400."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidParameter(name, f"{value!r} is not a date; use YYYY-MM-DD") from None


# -- bodies -------------------------------------------------------------------------------------

#: the longest comment, note or coaching text accepted
MAX_COMMENT = 5000
Text = Annotated[str, StringConstraints(max_length=MAX_COMMENT)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT)]
Required = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_COMMENT)
]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Rating = Annotated[int, Strict()] | None
M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewIn(Body):
    ticket_id: Id
    ratings: dict[Key, Rating] = Field(max_length=200)
    comments: dict[Key, Text] = Field(default_factory=dict, max_length=200)
    root_causes: dict[Key, list[Name]] = Field(default_factory=dict, max_length=200)
    comment: Text = ""
    scorecard_id: Id | None = None
    calibration_id: Id | None = None
    draft: bool = False


class ReviewUpdate(Body):
    ratings: dict[Key, Rating] | None = Field(None, max_length=200)
    comments: dict[Key, Text] | None = Field(None, max_length=200)
    root_causes: dict[Key, list[Name]] | None = Field(None, max_length=200)
    comment: Text | None = None
    submit: bool = False
    note: Annotated[str, StringConstraints(max_length=500)] = ""


class DisputeIn(Body):
    comment: Required


class ResolveIn(Body):
    outcome: Outcome
    comment: Comment = ""
    ratings: dict[Key, Rating] | None = Field(None, max_length=200)


class EscalateIn(Body):
    comment: Comment = ""


class CycleIn(Body):
    name: Name
    reviewers: list[Id] = Field(min_length=1, max_length=100)
    start: dt.date
    end: dt.date
    per_agent: int = Field(ge=1, le=1000)
    strategy: Strategy = "random"
    seed: int | None = 0
    #: recurring: a new cycle every this many days (None: once)
    repeat_days: int | None = Field(None, ge=1, le=MAX_REPEAT_DAYS)


class CalibrationIn(Body):
    name: Name
    ticket_ids: list[Id] = Field(min_length=1, max_length=100)
    reviewers: list[Id] = Field(min_length=1, max_length=100)
    blind: bool = True
    benchmark_reviewer: Id | None = None
    scorecard_id: Id | None = None


class ActionIn(Body):
    text: Required
    due: dt.date | None = None


class CoachingIn(Body):
    agent_id: Id
    coach_note: Text = ""
    review_ids: list[Id] = Field(default_factory=list, max_length=100)
    action_items: list[ActionIn] = Field(default_factory=list, max_length=50)
    held_on: dt.date | None = None


class WowIn(Body):
    ticket_id: Id
    note: Text = ""


class ScorecardIn(Body):
    definition: dict[str, Any]
    note: Annotated[str, StringConstraints(max_length=500)] = ""


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """``data`` (from a form) as ``model``; mistakes are a 400 in the one error shape."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


# -- HTML forms -------------------------------------------------------------------------------

Fields = list[tuple[str, str]]


async def form_fields(request: Request) -> Fields:
    """The fields of a posted form (a dependency: forms are read before the handler,
    which runs in a thread)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise InvalidParameter("body", f"send an HTML form here, not {kind or 'nothing'}")
    form = await request.form(max_files=0, max_fields=2000)
    try:
        return [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    finally:
        await form.close()


#: a form post's fields, read before the handler runs
FormData = Annotated[Fields, Depends(form_fields)]


def field(fields: Fields, name: str, default: str = "") -> str:
    return next((v for k, v in fields if k == name), default)


def values(fields: Fields, name: str) -> list[str]:
    return [v for k, v in fields if k == name and v != ""]


def values_all(fields: Fields, name: str) -> list[str]:
    """Every value of a repeated field, empty ones included (rows of a form)."""
    return [v for k, v in fields if k == name]


def optional(value: str) -> str | None:
    value = value.strip()
    return value or None


def _rating(value: str) -> int | str | None:
    value = value.strip()
    if value == "na":
        return None
    try:
        return int(value)
    except ValueError:
        return value  # the model says why it is wrong


def form_ratings(fields: Fields, prefix: str = "rating.") -> dict[str, Any]:
    """``rating.<category>`` fields: a number, or ``na``; empty ones left out."""
    return {k[len(prefix) :]: _rating(v) for k, v in fields if k.startswith(prefix) and v != ""}


def form_review(fields: Fields, ticket_id: str, card: Scorecard) -> dict[str, Any]:
    """The review form as :class:`ReviewIn` data. Root causes count only on negative
    ratings (the page shows them there)."""
    ratings = form_ratings(fields)
    comments = {
        k[len("comment.") :]: v.strip() for k, v in fields if k.startswith("comment.") and v.strip()
    }
    causes: dict[str, list[str]] = {}
    for k, v in fields:
        if k.startswith("cause.") and v:
            causes.setdefault(k[len("cause.") :], []).append(v)
    known = {c.id: c for c in card.categories}
    causes = {
        k: v
        for k, v in causes.items()
        if k not in known
        or (isinstance(ratings.get(k), int) and is_negative(card, k, int(ratings[k])))
    }
    return {
        "ticket_id": ticket_id,
        "ratings": ratings,
        "comments": comments,
        "root_causes": causes,
        "comment": field(fields, "comment").strip(),
        "scorecard_id": optional(field(fields, "scorecard_id")),
        "calibration_id": optional(field(fields, "calibration_id")),
        "draft": field(fields, "draft") == "1",
    }


def is_negative(card: Scorecard, category_id: str, rating: int) -> bool:
    """A rating in the lower half of its scale (where root causes are asked for)."""
    scale = card.category(category_id).scale
    return (rating - scale.min) / (scale.max - scale.min) < 0.5


# -- checks against the scorecard -------------------------------------------------------------


def check_ratings(
    card: Scorecard,
    ratings: Mapping[str, int | None],
    *,
    complete: bool,
    causes: Mapping[str, Iterable[str]] | None = None,
    comments: Iterable[str] = (),
) -> None:
    """Raise InvalidParameter (400) for an unknown category, a rating outside its scale,
    N/A where it is not allowed, or (``complete``) a required category left unrated."""
    known = {c.id: c for c in card.categories}
    for key in [*ratings, *(causes or {}), *comments]:
        if key not in known:
            raise InvalidParameter(
                f"ratings.{key}",
                f"scorecard {card.name!r} (v{card.version}) has no category {key!r}; "
                f"its categories are: {', '.join(known)}",
            )
    for key, value in ratings.items():
        cat = known[key]
        if value is None:
            if not cat.na_allowed:
                raise InvalidParameter(
                    f"ratings.{key}",
                    f"{cat.name!r} cannot be N/A; rate it {cat.scale.min}–{cat.scale.max}",
                )
        elif not cat.scale.min <= value <= cat.scale.max:
            raise InvalidParameter(
                f"ratings.{key}",
                f"{value} is outside the scale of {cat.name!r}: "
                f"{cat.scale.min}–{cat.scale.max}" + (" or N/A" if cat.na_allowed else ""),
            )
    if complete:
        missing = [c.name for c in card.categories if c.id not in ratings and not c.na_allowed]
        if missing:
            raise InvalidParameter(
                "ratings", f"rate every category that cannot be N/A; missing: {', '.join(missing)}"
            )
    for key, given in (causes or {}).items():
        allowed = known[key].root_causes
        wrong = [c for c in given if allowed and c not in allowed]
        if wrong:
            raise InvalidParameter(
                f"root_causes.{key}",
                f"{wrong[0]!r} is not a root cause of {known[key].name!r}; "
                f"use: {', '.join(allowed)}",
            )
