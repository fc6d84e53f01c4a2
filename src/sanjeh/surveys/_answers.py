"""Answers: checked against the definition, written to ``survey_responses`` with the
invitation marked answered, in one transaction (many answers in one, for the web
writer), by plain parameterised SQL (``_sql``): no expression compiled per answer.

Rows, one per question answered (docs/surveys.md, "What is stored"):

- the primary question's row has the survey's kind (``csat`` …) and carries the first
  free-text answer as its ``comment``, so a comment sits beside its score;
- other questions: ``pulse`` for a pulse survey (each is a pulse KPI), else ``custom``
  (a second rating must not count as CSAT); further free-text answers are rows of their
  own (``custom``, no score);
- customer surveys: ``response_id = sanjeh:<invitation>:<question>``, replacing the
  unanswered row written when sent; ticket, customer, agent and team from the
  invitation; the true times.
- anonymous surveys (eNPS, pulse): ``response_id = sanjeh:<hash of a receipt
  token>:<question>``; no employee, customer, ticket or invitation id; the team and the
  language; ``sent_at`` = ``submitted_at`` = the period's start. The invitation is marked
  answered at the period's start too, with no true time: nothing links a row to a person.

A second answer replaces the first within the grace period: customer surveys by the
same response ids (while ``now - used_at_first`` ≤ ``grace_minutes``), anonymous ones
only with the receipt the first answer returned (it is signed and expires with the grace
period; its token's hash keys the rows). Otherwise :class:`AlreadyAnswered` (409).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import secrets
import weakref
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from .._digits import DIGITS_TO_ASCII
from ..accounts._links import ExpiredLink, InvalidLink, sign, store_key, verify
from ..model.surveys import SURVEY_INVITATIONS
from ..store import Store
from ..store._changes import CHANGES_TABLE
from . import _sql
from ._definitions import Question, SurveyDefinition
from ._errors import AlreadyAnswered, InvalidAnswer, UnknownInvitation
from ._invitations import ALREADY, COLUMNS, INVALID, Invitation, read
from ._planning import week_start
from ._storage import survey

RESPONSES = "survey_responses"
INVITATIONS = SURVEY_INVITATIONS.name
RECEIPT = "survey-receipt"
MAX_TEXT = 4_000
_YES = {"yes", "true", "1", "y", "بله", "آری", "نعم", "on"}
_NO = {"no", "false", "0", "n", "خیر", "نه", "لا", "off"}
RESPONSE_COLUMNS = (
    "response_id", "source", "external_id", "survey", "question", "scale_min", "scale_max",
    "score", "comment", "ticket_id", "customer_id", "agent_id", "sent_at", "submitted_at",
    "team_id", "language", "invitation_id",
)  # fmt: skip
_DEFINITIONS: weakref.WeakKeyDictionary[Store, dict[tuple[str, int], SurveyDefinition]] = (
    weakref.WeakKeyDictionary()
)


@dataclasses.dataclass(frozen=True)
class Answer:
    """One answer for :func:`record_answers` (the web writer's items have these fields)."""

    invitation: Invitation
    answers: Mapping[str, Any]
    now: dt.datetime
    receipt: str | None = None


@dataclasses.dataclass(frozen=True)
class AnswerReceipt:
    """What was recorded. ``receipt``: for an anonymous survey, the token that lets the
    respondent change the answer until ``editable_until`` (nothing else can)."""

    invitation_id: str
    survey_id: str
    rows: int
    updated: bool
    editable_until: dt.datetime | None
    receipt: str | None = None


def response_kind(definition: SurveyDefinition, question: Question) -> str:
    """The ``survey`` value of a question's rows (see the module doc)."""
    if question.primary or (definition.kind == "pulse" and question.kind != "text"):
        return definition.kind
    return "custom"


def definition_of(store: Store, survey_id: str, version: int) -> SurveyDefinition:
    """A stored version (immutable, so cached per store)."""
    cache = _DEFINITIONS.setdefault(store, {})
    found = cache.get((survey_id, version))
    if found is None:
        found = cache[survey_id, version] = survey(store, survey_id, version)
    return found


# -- checking ---------------------------------------------------------------------------


def check_answers(
    definition: SurveyDefinition, answers: Mapping[str, Any]
) -> dict[str, tuple[float | None, str | None]]:
    """``question code → (score, text)`` of the answered questions; :class:`InvalidAnswer`
    naming the question for anything the definition does not accept."""
    codes = {q.code for q in definition.questions}
    for code in answers:
        if code not in codes:
            raise InvalidAnswer(str(code)[:60], f"no such question; questions: {', '.join(codes)}")
    out: dict[str, tuple[float | None, str | None]] = {}
    for q in definition.questions:
        value = answers.get(q.code)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if q.required:
                raise InvalidAnswer(q.code, "an answer is required")
            continue
        out[q.code] = _value(q, value)
    return out


def _value(q: Question, value: Any) -> tuple[float | None, str | None]:
    if q.kind == "text":
        if not isinstance(value, str):
            raise InvalidAnswer(q.code, "expected a text")
        if "\x00" in value:
            raise InvalidAnswer(q.code, "contains a NUL character; remove it")
        if len(value) > MAX_TEXT:
            raise InvalidAnswer(q.code, f"{len(value):,} characters; at most {MAX_TEXT:,}")
        return None, value
    if q.kind == "yes_no":
        word = str(value).strip().lower().translate(DIGITS_TO_ASCII)
        if value is True or word in _YES:
            return 1.0, None
        if value is False or word in _NO:
            return 0.0, None
        raise InvalidAnswer(q.code, f"{str(value)[:40]!r}: answer yes or no")
    if q.kind == "choice":
        if isinstance(value, str) and value in q.choices:
            return float(q.choices.index(value) + 1), None
        raise InvalidAnswer(q.code, f"{str(value)[:40]!r} is not one of the choices")
    return _rating(q, value), None


def _rating(q: Question, value: Any) -> float:
    low, high = q.scale
    if isinstance(value, bool):
        raise InvalidAnswer(q.code, f"expected a whole number from {low} to {high}")
    try:
        number = float(str(value).translate(DIGITS_TO_ASCII)) if isinstance(value, str) else value
        ok = math.isfinite(number) and number == int(number)
    except (TypeError, ValueError):
        ok = False
    if not ok or not low <= number <= high:
        raise InvalidAnswer(
            q.code, f"{str(value)[:40]!r}: expected a whole number from {low} to {high}"
        )
    return float(number)


# -- rows -------------------------------------------------------------------------------


def _rows(
    definition: SurveyDefinition,
    invitation: Invitation,
    values: dict[str, tuple[float | None, str | None]],
    *,
    key: str,
    now: dt.datetime,
) -> list[tuple[Any, ...]]:
    """The ``survey_responses`` rows of one answer (``key``: the invitation id, or for
    an anonymous survey the receipt token's hash)."""
    texts = [q for q in definition.questions if q.kind == "text"]
    comment_q = texts[0].code if texts else None
    anonymous = definition.anonymous
    at = week_start(invitation.period) if anonymous and invitation.period else now
    sent = at if anonymous else invitation.sent_at
    # anonymous rows name the survey's version, shared by every respondent, not a person
    version = f"{definition.survey_id}@{definition.version}"
    source_id = version if anonymous else invitation.invitation_id
    rows = []
    for q in definition.questions:
        if not q.primary and (q.code == comment_q or q.code not in values):
            continue  # (the first free text is the primary row's comment)
        score, text = values.get(q.code, (None, None))
        if q.primary and comment_q in values:
            text = values[comment_q][1]
        if q.primary and definition.kind == "ces" and definition.ces_scale == "effort":
            score = None if score is None else q.scale[0] + q.scale[1] - score
        low, high = q.scale
        rows.append((
            f"sanjeh:{key}:{q.code}", "sanjeh", source_id,
            response_kind(definition, q), q.code, low, high, score, text,
            None if anonymous else invitation.ticket_id,
            None if anonymous else invitation.customer_id,
            None if anonymous else invitation.agent_id,
            sent, at, invitation.team_id, invitation.language,
            None if anonymous else invitation.invitation_id,
        ))  # fmt: skip
    return rows


# -- recording --------------------------------------------------------------------------


@dataclasses.dataclass
class AnswerWrites:
    """What answers write, not yet written: the response ids replaced (every question's,
    a changed answer may answer fewer), the rows put in, the invitations' new states and
    the tickets whose facts change. Several add up in order (:meth:`add`): a later answer
    to a link replaces an earlier one."""

    deletes: list[str] = dataclasses.field(default_factory=list)
    inserts: list[tuple[Any, ...]] = dataclasses.field(default_factory=list)
    invitations: dict[str, Invitation] = dataclasses.field(default_factory=dict)
    owners: set[str] = dataclasses.field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.invitations)

    def add(self, later: AnswerWrites) -> None:
        gone = set(later.deletes)
        self.inserts = [row for row in self.inserts if row[0] not in gone]
        self.deletes += later.deletes
        self.inserts += later.inserts
        self.invitations.update(later.invitations)
        self.owners |= later.owners

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (times as ISO 8601), for a journal."""
        invitations = self.invitations.values()
        return {
            "deletes": self.deletes,
            "inserts": [[_iso(v) for v in row] for row in self.inserts],
            "invitations": [{k: _iso(v) for k, v in i.row().items()} for i in invitations],
            "owners": sorted(self.owners),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnswerWrites:
        def timed(values: Sequence[Any], names: Sequence[str]) -> list[Any]:
            return [_time(v) if n in _TIMES else v for v, n in zip(values, names, strict=True)]

        invitations = [
            Invitation(**dict(zip(COLUMNS, timed([row[c] for c in COLUMNS], COLUMNS), strict=True)))
            for row in data["invitations"]
        ]
        return cls(
            deletes=[str(d) for d in data["deletes"]],
            inserts=[tuple(timed(row, RESPONSE_COLUMNS)) for row in data["inserts"]],
            invitations={i.invitation_id: i for i in invitations},
            owners={str(o) for o in data["owners"]},
        )


#: the time columns of the rows an answer writes (responses and invitations)
_TIMES = frozenset({"sent_at", "submitted_at", "expires_at", "answered_at", "used_at_first"})


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _time(value: Any) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def record_answer(
    store: Store,
    invitation: Invitation,
    answers: Mapping[str, Any],
    *,
    now: dt.datetime,
    receipt: str | None = None,
) -> AnswerReceipt:
    """Record one answer (see the module doc); raises what refused it."""
    result = record_answers(store, [Answer(invitation, answers, now, receipt)])[0]
    if isinstance(result, BaseException):
        raise result
    return result


def record_answers(store: Store, batch: Sequence[Any]) -> list[AnswerReceipt | Exception]:
    """Record many answers in one transaction: one result per item, in order (its
    receipt, or the error that refused it: that answer wrote nothing). Items have
    ``invitation``, ``answers``, ``now`` and ``receipt`` (:class:`Answer`)."""
    with store.lock:
        ids = sorted({item.invitation.invitation_id for item in batch})
        current = {i.invitation_id: i for i in read(store, ids)}
        results, writes = prepare_answers(store, batch, current)
        if writes:
            write_answers(store, writes)
    return results


def prepare_answers(
    store: Store, batch: Sequence[Any], current: MutableMapping[str, Invitation]
) -> tuple[list[AnswerReceipt | Exception], AnswerWrites]:
    """Check each answer against its invitation as ``current`` knows it (an invitation
    missing there is unknown) and build what the accepted ones write, writing nothing.
    ``current`` takes each accepted answer's new state at once, so a second answer to a
    link is judged after the first (a server keeps these states between batches)."""
    writes = AnswerWrites()
    results: list[AnswerReceipt | Exception] = []
    for item in batch:
        try:
            results.append(_one(store, item, current, writes))
        except (InvalidAnswer, AlreadyAnswered, InvalidLink) as exc:
            results.append(exc)
    return results, writes


def _one(
    store: Store, item: Any, current: MutableMapping[str, Invitation], write: AnswerWrites
) -> AnswerReceipt:
    found = current.get(item.invitation.invitation_id)
    if found is None:
        raise UnknownInvitation(INVALID)
    now: dt.datetime = item.now
    if found.status == "expired" or now > found.expires_at:
        raise ExpiredLink(f"this link expired on {found.expires_at.date().isoformat()}")
    definition = definition_of(store, found.survey_id, found.version)
    values = check_answers(definition, item.answers)
    grace = dt.timedelta(minutes=definition.grace_minutes)
    updated = found.status == "answered"
    token: str | None = None
    if definition.anonymous:
        token, receipt = _anonymous_key(store, found, item.receipt, now, grace, updated)
        key = _hash(token)
        until = now + grace if not updated else None
        answered = dataclasses.replace(
            found, status="answered", answered_at=week_start(found.period) if found.period
            else None, used_at_first=None,
        )  # fmt: skip
    else:
        if updated and (found.used_at_first is None or now - found.used_at_first > grace):
            raise AlreadyAnswered(ALREADY)
        key, receipt = found.invitation_id, None
        first = found.used_at_first if updated else now
        until = first + grace if first else None
        answered = dataclasses.replace(
            found, status="answered", answered_at=now, used_at_first=first
        )
    rows = _rows(definition, found, values, key=key, now=now)
    # every question's id (and the unanswered row's): a changed answer may answer fewer
    write.deletes += [f"sanjeh:{key}:{q.code}" for q in definition.questions]
    write.inserts = [r for r in write.inserts if not r[0].startswith(f"sanjeh:{key}:")]
    write.inserts += rows
    write.invitations[found.invitation_id] = current[found.invitation_id] = answered
    write.owners.add("" if definition.anonymous else found.ticket_id or "")
    return AnswerReceipt(
        invitation_id=found.invitation_id,
        survey_id=found.survey_id,
        rows=len(rows),
        updated=updated,
        editable_until=until,
        receipt=receipt,
    )


def _anonymous_key(
    store: Store,
    found: Invitation,
    receipt: str | None,
    now: dt.datetime,
    grace: dt.timedelta,
    updated: bool,
) -> tuple[str, str | None]:
    """The token keying an anonymous answer's rows, and the receipt to hand back (new
    on a first answer; on a change, only a genuine, unexpired receipt of this
    invitation is accepted)."""
    if not updated:
        token = secrets.token_urlsafe(16)
        sig = sign(
            RECEIPT, f"{found.invitation_id}:{token}", expires=now + grace, key=store_key(store)
        )
        return token, f"{token}.{sig}"
    token, _, sig = (receipt or "").partition(".")
    try:
        verify(RECEIPT, f"{found.invitation_id}:{token}", sig, key=store_key(store), now=now)
    except InvalidLink:
        raise AlreadyAnswered(ALREADY) from None
    return token, None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def write_answers(store: Store, write: AnswerWrites) -> None:
    """One transaction: responses replaced, invitations updated, the change noted for
    the facts (as the store's merge notes it). Writing the same again changes nothing."""
    invitations = list(write.invitations.values())
    ids = [i.invitation_id for i in invitations]
    with store.writes.transaction(RESPONSES, INVITATIONS):
        deletes = sorted(set(write.deletes))
        for start in range(0, len(deletes), 400):
            part = deletes[start : start + 400]
            _sql.execute(
                store,
                f'DELETE FROM "{RESPONSES}" WHERE "response_id" IN ({_sql.marks(part)})',
                part,
            )
        _sql.insert(store, RESPONSES, RESPONSE_COLUMNS, write.inserts)
        _sql.execute(
            store, f'DELETE FROM "{INVITATIONS}" WHERE "invitation_id" IN ({_sql.marks(ids)})', ids
        )
        _sql.insert(store, INVITATIONS, COLUMNS, [tuple(i.row().values()) for i in invitations])
        changes = [(RESPONSES, owner) for owner in sorted(write.owners)] + [(INVITATIONS, None)]
        _sql.insert(store, CHANGES_TABLE, ("table_name", "entity_id"), changes)
