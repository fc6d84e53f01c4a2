"""What every part of the workspace shares: the store, the clock, permissions, lookups."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..accounts import Actor, check
from ..errors import RecordNotFound
from . import _storage
from ._calls import call_conversation
from ._limits import has_nul
from ._records import Calibration, Review, dumps
from ._scorecard import Scorecard, default_scorecard

if TYPE_CHECKING:
    from ..store import Store

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.date | dt.datetime) -> dt.datetime:
    """A date → its midnight in UTC; a naive datetime is read as UTC."""
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def require_staff(actor: Actor, action: str) -> None:
    """PermissionDenied unless the actor may manage the QA workflow (the one matrix,
    ``sanjeh.accounts.PERMISSIONS``)."""
    check(actor, "manage_qa", action=action)


def require_reviewer(actor: Actor, action: str) -> None:
    """PermissionDenied unless the actor may review conversations."""
    check(actor, "review_conversations", action=action)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class WorkspaceBase:
    """The shared state and lookups of :class:`sanjeh.qa.Workspace`."""

    def __init__(self, store: Store, *, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> dt.datetime:
        return as_utc(self.clock())

    # -- scorecards -----------------------------------------------------------------

    def _scorecard_rows(self) -> list[dict[str, Any]]:
        rows = _storage.latest(self.store, "qa_scorecards", "scorecard_id")
        if not rows:
            card = default_scorecard()
            self._write_scorecard(card, "system", "built-in default scorecard")
            rows = _storage.latest(self.store, "qa_scorecards", "scorecard_id")
        return rows

    def _write_scorecard(self, card: Scorecard, by: str, note: str) -> None:
        _storage.append(
            self.store,
            "qa_scorecards",
            [
                {
                    "row_id": f"{card.id}@{card.version}",
                    "scorecard_id": card.id,
                    "revision": card.version,
                    "name": card.name,
                    "active": card.active,
                    "definition": dumps(card.to_dict()),
                    "changed_by": by,
                    "changed_at": self.now(),
                    "note": note,
                }
            ],
        )

    def scorecards(self, active_only: bool = True) -> list[Scorecard]:
        """The latest version of every scorecard (creates the default one if none)."""
        cards = [Scorecard.from_dict(_json(r["definition"])) for r in self._scorecard_rows()]
        return sorted((c for c in cards if c.active or not active_only), key=lambda c: c.id)

    def scorecard(self, scorecard_id: str, version: int | None = None) -> Scorecard:
        """A scorecard: its latest version, or ``version``."""
        self._scorecard_rows()
        if has_nul(scorecard_id):
            raise RecordNotFound(f"no scorecard {scorecard_id!r}")
        t = self.store.table("qa_scorecards")
        t = t.filter(t.scorecard_id == scorecard_id)
        if version is not None:
            t = t.filter(t.revision == version)
        rows = t.order_by(t.revision.desc()).limit(1).to_pyarrow().to_pylist()
        if not rows:
            which = f" version {version}" if version is not None else ""
            raise RecordNotFound(f"no scorecard {scorecard_id!r}{which}")
        return Scorecard.from_dict(_json(rows[0]["definition"]))

    def _scorecards_by_version(
        self, keys: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], Scorecard]:
        keys = set(keys)
        if not keys:
            return {}
        t = self.store.table("qa_scorecards")
        t = t.filter(t.scorecard_id.isin(sorted({k[0] for k in keys})))
        out = {}
        for r in t.to_pyarrow().to_pylist():
            if (r["scorecard_id"], r["revision"]) in keys:
                out[(r["scorecard_id"], r["revision"])] = Scorecard.from_dict(
                    _json(r["definition"])
                )
        return out

    # -- tickets --------------------------------------------------------------------

    def _ticket(self, ticket_id: str) -> dict[str, Any]:
        if has_nul(ticket_id):
            raise RecordNotFound(f"no conversation {ticket_id!r} in the store")
        t = self.store.table("tickets")
        rows = t.filter(t.ticket_id == ticket_id).to_pyarrow().to_pylist()
        if rows:
            return rows[0]
        call = call_conversation(self.store, ticket_id)  # a call without a ticket
        if call is None:
            raise RecordNotFound(f"no conversation {ticket_id!r} in the store")
        return call

    def agent_of(self, ticket_id: str) -> str | None:
        """The agent a review of this conversation is about (see ``_ticket_agents``)."""
        return self._ticket_agents([ticket_id]).get(ticket_id)

    def _ticket_agents(self, ticket_ids: list[str]) -> dict[str, str | None]:
        """The agent each ticket belongs to: its assignee, else the agent of its last
        assignment, else the last agent who wrote a public reply."""
        ticket_ids = [t for t in ticket_ids if not has_nul(t)]
        if not ticket_ids:
            return {}
        t = self.store.table("tickets")
        out: dict[str, str | None] = {
            r["ticket_id"]: r["agent_id"]
            for r in t.filter(t.ticket_id.isin(ticket_ids))
            .select("ticket_id", "agent_id")
            .to_pyarrow()
            .to_pylist()
        }
        calls = [k for k in ticket_ids if k not in out]
        if calls:  # calls without a ticket: the agent who served the call
            c = self.store.table("calls")
            c = c.filter(c.call_id.isin(calls), c.ticket_id.isnull())
            for r in c.select("call_id", "agent_id").to_pyarrow().to_pylist():
                out[r["call_id"]] = r["agent_id"]
        missing = [k for k, v in out.items() if v is None and k not in calls]
        if missing:
            e = self.store.table("events")
            e = e.filter(e.ticket_id.isin(missing))
            who = (e.kind == "assign").ifelse(e.agent_id, None)
            who = who.coalesce(
                ((e.kind == "message") & (e.actor_type == "agent") & e.public).ifelse(
                    e.actor_id, None
                )
            )
            e = e.mutate(who=who).filter(lambda x: x.who.notnull())
            for r in (
                e.order_by([e.at, e.event_id]).select("ticket_id", "who").to_pyarrow().to_pylist()
            ):
                out[r["ticket_id"]] = r["who"]
        return out

    # -- reviews and who may see them -----------------------------------------------

    def _reviews_where(self, **where: Any) -> list[Review]:
        return [
            Review.from_row(r)
            for r in _storage.latest(self.store, "qa_reviews", "review_id", where)
        ]

    def _calibrations(self, ids: Iterable[str | None]) -> dict[str, Calibration]:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        rows = _storage.latest(
            self.store, "qa_calibrations", "calibration_id", {"calibration_id": wanted}
        )
        return {r["calibration_id"]: Calibration.from_row(r) for r in rows}

    def _visible(self, actor: Actor, reviews: list[Review]) -> list[Review]:
        """The reviews ``actor`` may read (see the permission matrix in docs/qa.md)."""
        if actor.role == "agent":
            return [
                r
                for r in reviews
                if actor.agent_id is not None
                and r.agent_id == actor.agent_id
                and r.status != "draft"
                and r.calibration_id is None
            ]
        out = [
            r
            for r in reviews
            if r.status != "draft" or r.reviewer_id == actor.user_id or actor.is_staff
        ]
        calibrations = self._calibrations(r.calibration_id for r in out)
        if not calibrations:
            return out
        blind = {
            cid for cid, c in calibrations.items() if c.blind and actor.user_id in c.participants
        }
        if not blind:
            return out
        mine = {
            (r.calibration_id, r.ticket_id)
            for r in self._reviews_where(reviewer_id=actor.user_id, calibration_id=sorted(blind))
            if r.status != "draft"
        }
        return [
            r
            for r in out
            if r.calibration_id not in blind
            or r.reviewer_id == actor.user_id
            or (r.calibration_id, r.ticket_id) in mine
        ]

    def _get_review(self, actor: Actor, review_id: str) -> Review:
        found = self._visible(actor, self._reviews_where(review_id=review_id))
        if not found:
            raise RecordNotFound(f"no review {review_id!r}")
        return found[0]


def _json(text: str) -> Any:
    import json

    return json.loads(text)
