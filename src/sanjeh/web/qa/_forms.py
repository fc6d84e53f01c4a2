"""What the QA routes accept: path and query parameters, one pydantic model per action
for JSON bodies and HTML forms alike (forms are turned into the same dictionaries
first), and the checks of ratings against a scorecard that give a clear 400 before
anything is written."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)

from ...model.workflow import ASSIGNMENT_STATUSES, DISPUTE_STATUSES, MAX_REPEAT_DAYS
from ...qa import Outcome, Scorecard, Strategy, limits
from .._errors import InvalidParameter
from .._params import TEXT_PATTERN

# -- path and query parameters (what a view function's signature declares) --------------------

#: no NUL anywhere (no database stores one in a text, or takes one in a query)
NO_NUL = r"^[^\x00]*$"
#: ids and query texts: no control character at all (``web._params``, checked for every route)
TicketId = Annotated[
    str, PathParam(max_length=200, pattern=TEXT_PATTERN, description="Conversation id.")
]
RecordId = Annotated[str, PathParam(max_length=200, pattern=TEXT_PATTERN, description="Record id.")]
ActionIndex = Annotated[
    int, PathParam(ge=0, le=limits.MAX_ACTION_ITEMS - 1, description="Action item number.")
]
#: an optional query parameter (blank counts as not given: see :func:`blank`)
Opt = Annotated[str | None, Query(max_length=200, pattern=TEXT_PATTERN)]


def blank(value: str | None) -> str | None:
    """A query parameter without surrounding spaces; empty is None."""
    return value.strip() or None if value is not None else None


def _blank(value: object) -> object:
    """Before validation: a blank text is not given (forms send every field)."""
    return blank(value) if isinstance(value, str) else value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RANGE = f"{limits.FIRST_DAY} … {limits.LAST_DAY}"
_DATES = f"YYYY-MM-DD, {limits.FIRST_DAY.year}–{limits.LAST_DAY.year}"


def _date_text(value: object) -> object:
    """Before validation: a date is a YYYY-MM-DD text (not a number of seconds)."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD")


def _day_param(value: object) -> object:
    value = _blank(value)
    return None if value is None else _date_text(value)


def _in_range(value: dt.date | None) -> dt.date | None:
    """After validation: a day the QA workflow stores (``sanjeh.qa.limits``)."""
    if value is not None and not limits.FIRST_DAY <= value <= limits.LAST_DAY:
        raise ValueError(f"{value} is outside {_RANGE}; choose a date in range")
    return value


#: a date of a body (``sanjeh.qa.limits``: FIRST_DAY … LAST_DAY)
Day = Annotated[
    dt.date,
    BeforeValidator(_date_text),
    AfterValidator(_in_range),
    Field(description=f"A date ({_DATES})."),
]
#: an optional date of a query (blank: not given)
DayParam = Annotated[
    dt.date | None,
    BeforeValidator(_day_param),
    AfterValidator(_in_range),
    Query(description=f"A day ({_DATES}, UTC); blank: no bound."),
    # documented as what it accepts: a day, or blank (a form's empty field)
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
    ),
]
DisputeStatus = Annotated[
    Literal[DISPUTE_STATUSES] | None,  # type: ignore[valid-type]
    BeforeValidator(_blank),
    Query(description="Only disputes in this state (blank: all)."),
    WithJsonSchema({"type": "string", "enum": ["", *DISPUTE_STATUSES]}),
]
AssignmentStatus = Annotated[
    Literal[ASSIGNMENT_STATUSES] | None,  # type: ignore[valid-type]
    BeforeValidator(_blank),
    Query(description="Only assignments in this state (blank: all)."),
    WithJsonSchema({"type": "string", "enum": ["", *ASSIGNMENT_STATUSES]}),
]


# -- bodies -------------------------------------------------------------------------------------

#: what ``str.strip()`` removes (``str.isspace``), spelled out so the OpenAPI pattern
#: (an ECMA regex, whose ``\s`` differs) says exactly what the server accepts
_SPACE = r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: text with something besides white space (stripped, it must not be empty), no NUL
NOT_BLANK = rf"^[^\u0000]*[^\u0000{_SPACE}][^\u0000]*$"

#: the longest comment, note or coaching text accepted
MAX_COMMENT = limits.MAX_TEXT
Text = Annotated[str, StringConstraints(max_length=MAX_COMMENT, pattern=NO_NUL)]
Comment = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT, pattern=NO_NUL)
]
Required = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=MAX_COMMENT, pattern=NOT_BLANK
    ),
]
Note = Annotated[str, StringConstraints(max_length=limits.MAX_NOTE, pattern=NO_NUL)]
Id = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_BLANK)
]
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=limits.MAX_NAME, pattern=NOT_BLANK
    ),
]
#: a category id (a key of ratings, comments, root causes)
Key = Annotated[str, StringConstraints(min_length=1, max_length=limits.MAX_ID, pattern=NO_NUL)]
#: a key the library takes as an id (``limits.check_id``): no surrounding white space
TrimmedKey = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=limits.MAX_ID,
        pattern=rf"^[^\u0000{_SPACE}](?:[^\u0000]*[^\u0000{_SPACE}])?$",
    ),
]
#: JSON types as the schema says (no "5" for 5, no "false" for false); forms convert first


def _integral(value: object) -> object:
    """Before validation: a JSON number with no fraction is an integer (JSON Schema's
    ``integer``: 5.0 is 5); a text is not a number."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Int = Annotated[int, BeforeValidator(_integral), Strict()]
#: (bounds inside the validator, so the OpenAPI schema states them as minimum / maximum)
RepeatDays = Annotated[int, Strict(), Field(ge=1, le=MAX_REPEAT_DAYS), BeforeValidator(_integral)]
#: a scorecard's version (at most 2**53: exact in every JSON reader)
Version = Annotated[int, Strict(), Field(ge=1, le=2**53), BeforeValidator(_integral)]
#: a sampling seed: an integer every JSON reader holds exactly (|seed| ≤ 2**53; the
#: int64 column holds more)
Seed = Annotated[int, Strict(), Field(ge=-(2**53), le=2**53), BeforeValidator(_integral)]
Flag = Annotated[bool, Strict()]
Rating = Int | None
Causes = Annotated[list[Name], Field(max_length=limits.MAX_ROOT_CAUSES)]
M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewIn(Body):
    ticket_id: Id
    ratings: dict[Key, Rating] = Field(max_length=limits.MAX_CATEGORIES)
    comments: dict[Key, Text] = Field(default_factory=dict, max_length=limits.MAX_CATEGORIES)
    root_causes: dict[Key, Causes] = Field(default_factory=dict, max_length=limits.MAX_CATEGORIES)
    comment: Text = ""
    scorecard_id: Id | None = None
    calibration_id: Id | None = None
    draft: Flag = False


class ReviewUpdate(Body):
    ratings: dict[Key, Rating] | None = Field(None, max_length=limits.MAX_CATEGORIES)
    comments: dict[Key, Text] | None = Field(None, max_length=limits.MAX_CATEGORIES)
    root_causes: dict[Key, Causes] | None = Field(None, max_length=limits.MAX_CATEGORIES)
    comment: Text | None = None
    submit: Flag = False
    note: Note = ""


class DisputeIn(Body):
    comment: Required


class ResolveIn(Body):
    outcome: Outcome
    comment: Comment = ""
    ratings: dict[Key, Rating] | None = Field(None, max_length=limits.MAX_CATEGORIES)


class EscalateIn(Body):
    comment: Comment = ""


class CycleIn(Body):
    name: Name
    reviewers: list[Id] = Field(min_length=1, max_length=limits.MAX_PARTICIPANTS)
    start: Day
    end: Day
    per_agent: Int = Field(ge=1, le=limits.MAX_PER_AGENT)
    strategy: Strategy = "random"
    #: what an int64 column holds
    seed: Seed | None = 0
    #: recurring: a new cycle every this many days (None: once)
    repeat_days: RepeatDays | None = None


class CalibrationIn(Body):
    name: Name
    ticket_ids: list[Id] = Field(min_length=1, max_length=limits.MAX_PARTICIPANTS)
    reviewers: list[Id] = Field(min_length=1, max_length=limits.MAX_PARTICIPANTS)
    blind: Flag = True
    benchmark_reviewer: Id | None = None
    scorecard_id: Id | None = None


class ActionIn(Body):
    text: Required
    due: Day | None = None


class CoachingIn(Body):
    agent_id: Id
    coach_note: Text = ""
    review_ids: list[Id] = Field(default_factory=list, max_length=limits.MAX_PARTICIPANTS)
    action_items: list[ActionIn] = Field(default_factory=list, max_length=limits.MAX_ACTION_ITEMS)
    held_on: Day | None = None


class WowIn(Body):
    ticket_id: Id
    note: Text = ""


# -- a scorecard definition (``Scorecard.to_dict()``; the library checks the rest) ----------

#: an id without surrounding spaces (nor NUL)
TRIMMED = r"^[^\s\x00](?:[^\x00]*[^\s\x00])?$"
CardId = Annotated[str, StringConstraints(min_length=1, max_length=limits.MAX_ID, pattern=TRIMMED)]
CardName = Annotated[
    str, StringConstraints(min_length=1, max_length=limits.MAX_NAME, pattern=NO_NUL)
]


class CategoryIn(Body):
    id: CardId
    name: CardName | None = None
    weight: Int = Field(10, ge=0, le=100)
    scale: Literal["binary", "3", "4", "5"] = "5"
    na_allowed: Flag = False
    critical: Flag = False
    #: (scorecard kinds, #22) at most one of critical, fail_section and bonus
    fail_section: Flag = False
    bonus: Flag = False
    root_causes: list[Name] = Field(default_factory=list, max_length=limits.MAX_ROOT_CAUSES)
    description: Text = ""
    #: analyzers (``auto_scores.analyzer``) whose findings are suggested here
    signals: list[CardId] = Field(default_factory=list, max_length=limits.MAX_SIGNALS)


class SectionIn(Body):
    id: CardId
    name: CardName | None = None
    categories: list[CategoryIn] = Field(min_length=1, max_length=limits.MAX_CATEGORIES)


class ConditionsIn(Body):
    channels: list[Name] = Field(default_factory=list, max_length=limits.MAX_CONDITIONS)
    tags: list[Name] = Field(default_factory=list, max_length=limits.MAX_CONDITIONS)
    teams: list[Name] = Field(default_factory=list, max_length=limits.MAX_CONDITIONS)


class DefinitionIn(Body):
    """A scorecard as ``Scorecard.to_dict()`` writes it; ``version`` is set on saving.
    At most limits.MAX_CATEGORIES categories in all, ids unique (checked on saving)."""

    id: CardId
    version: Version | None = None
    name: CardName | None = None
    active: Flag = True
    pass_threshold: Annotated[float, Strict()] = Field(80.0, ge=0, le=100, allow_inf_nan=False)
    conditions: ConditionsIn = Field(default_factory=ConditionsIn)
    sections: list[SectionIn] = Field(min_length=1, max_length=limits.MAX_SECTIONS)


class ScorecardIn(Body):
    definition: DefinitionIn
    note: Note = ""


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


def number(value: str | None) -> int | str | None:
    """A form's whole number as an int (blank: None; anything else as sent: the model
    says why it is wrong)."""
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        return value


def _rating(value: str) -> int | str | None:
    return None if value.strip() == "na" else number(value)


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
