"""Coaching sessions with action items, their effect, and the wow library."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..accounts import Actor
from ..errors import PermissionDenied, RecordNotFound, ValidationError, WorkflowError
from ..metrics import kpis
from . import _storage
from ._base import WorkspaceBase, as_utc, new_id, require_reviewer
from ._formulas import iqs
from ._limits import (
    MAX_ACTION_ITEMS,
    MAX_CATEGORIES,
    MAX_PARTICIPANTS,
    check_day,
    check_id,
    check_instant,
    check_int,
    check_text,
    check_texts,
)
from ._records import ActionItem, CoachingSession, Review, WowEntry

if TYPE_CHECKING:
    from ..store import Store

#: KPIs compared before / after a coaching session (names in sanjeh.metrics)
EFFECT_KPIS = ("csat", "first_reply_time", "resolution_time", "fcr_rate", "reopen_rate")


class CoachingMixin(WorkspaceBase):
    def create_coaching(
        self,
        actor: Actor,
        agent_id: str,
        coach_note: str,
        review_ids: Sequence[str] = (),
        action_items: Sequence[tuple[str, dt.date | None]] = (),
        held_on: dt.date | dt.datetime | None = None,
        focus: Sequence[str] = (),
    ) -> CoachingSession:
        """Record a coaching session (reviewers and staff; the actor is the coach).
        ``held_on`` and the action items' due dates lie in FIRST_DAY … LAST_DAY;
        ``focus``: the scorecard category ids it works on (``Workspace.agenda``)."""
        require_reviewer(actor, "hold coaching sessions")
        agent_id = check_id("agent_id", agent_id)
        check_text("coach_note", coach_note)
        if isinstance(review_ids, str) or len(review_ids) > MAX_PARTICIPANTS:
            raise ValidationError("review_ids", f"give a list of at most {MAX_PARTICIPANTS}")
        review_ids = check_texts("review_ids", review_ids)
        if len(action_items) > MAX_ACTION_ITEMS:
            raise ValidationError("action_items", f"a session has at most {MAX_ACTION_ITEMS}")
        for i, (text, due) in enumerate(action_items):
            check_text(f"action_items[{i}].text", text, required=True)
            if due is not None:
                check_day(f"action_items[{i}].due", due)
        if held_on is not None:
            check_instant("held_on", as_utc(held_on))
        if isinstance(focus, str) or len(focus) > MAX_CATEGORIES:
            raise ValidationError("focus", f"give a list of at most {MAX_CATEGORIES} categories")
        focus = [check_id("focus", f) for f in dict.fromkeys(focus)]
        if actor.agent_id is not None and actor.agent_id == agent_id:
            raise PermissionDenied("you cannot coach yourself")
        for rid in review_ids:
            if self._get_review(actor, rid).agent_id != agent_id:
                raise WorkflowError(f"review {rid!r} is not about agent {agent_id!r}")
        now = self.now()
        session = CoachingSession(
            session_id=new_id("coa"),
            revision=1,
            agent_id=agent_id,
            coach_id=actor.user_id,
            held_on=as_utc(held_on) if held_on is not None else now,
            coach_note=coach_note,
            review_ids=list(review_ids),
            action_items=[ActionItem(text, due) for text, due in action_items],
            changed_by=actor.user_id,
            changed_at=now,
            focus=list(focus),
        )
        _storage.append(self.store, "qa_coaching", [session.to_row("created")])
        return session

    def _session(self, actor: Actor, session_id: str) -> CoachingSession:
        rows = _storage.latest(self.store, "qa_coaching", "session_id", {"session_id": session_id})
        if not rows:
            raise RecordNotFound(f"no coaching session {session_id!r}")
        session = CoachingSession.from_row(rows[0])
        if actor.role == "agent" and session.agent_id != actor.agent_id:
            raise RecordNotFound(f"no coaching session {session_id!r}")
        return session

    def complete_action(self, actor: Actor, session_id: str, index: int) -> CoachingSession:
        """Tick off action item ``index`` (the coached agent, the coach or staff)."""
        session = self._session(actor, session_id)
        is_agent = actor.role == "agent" and actor.agent_id == session.agent_id
        if not (is_agent or actor.user_id == session.coach_id or actor.is_staff):
            raise PermissionDenied(
                "only the coached agent, the coach, a manager or an admin may do that"
            )
        if not 0 <= index < len(session.action_items):
            raise WorkflowError(f"the session has no action item {index}")
        items = list(session.action_items)
        if items[index].done:
            return session
        now = self.now()
        items[index] = dataclasses.replace(
            items[index], done=True, done_by=actor.user_id, done_at=now
        )
        new = dataclasses.replace(
            session,
            revision=session.revision + 1,
            action_items=items,
            changed_by=actor.user_id,
            changed_at=now,
        )
        _storage.append(self.store, "qa_coaching", [new.to_row(f"action item {index} done")])
        return new

    def coaching(self, actor: Actor, agent_id: str | None = None) -> list[CoachingSession]:
        """Coaching sessions, newest first; agents only their own."""
        if actor.role == "agent":
            if agent_id not in (None, actor.agent_id):
                return []
            agent_id = actor.agent_id
        where = {"agent_id": agent_id} if agent_id is not None else {}
        rows = _storage.latest(self.store, "qa_coaching", "session_id", where)
        return sorted(
            (CoachingSession.from_row(r) for r in rows), key=lambda s: s.held_on, reverse=True
        )

    # -- wow library -------------------------------------------------------------------

    def mark_wow(self, actor: Actor, ticket_id: str, note: str) -> WowEntry:
        """Add a conversation to the wow library (marking it again updates the note)."""
        require_reviewer(actor, "add to the wow library")
        check_text("note", note)
        self._ticket(ticket_id)
        agent_id = self._ticket_agents([ticket_id]).get(ticket_id)
        rows = _storage.latest(self.store, "qa_wow", "wow_id", {"wow_id": ticket_id})
        revision = rows[0]["revision"] + 1 if rows else 1
        now = self.now()
        row = {
            "row_id": f"{ticket_id}@{revision}",
            "wow_id": ticket_id,
            "revision": revision,
            "ticket_id": ticket_id,
            "agent_id": agent_id,
            "note": note,
            "changed_by": actor.user_id,
            "changed_at": now,
        }
        _storage.append(self.store, "qa_wow", [row])
        return WowEntry(ticket_id, agent_id, note, actor.user_id, now)

    def wow_library(self, actor: Actor) -> list[WowEntry]:
        """Every wow conversation, newest first (everyone may learn from them)."""
        rows = _storage.latest(self.store, "qa_wow", "wow_id")
        entries = [
            WowEntry(
                r["ticket_id"], r["agent_id"], r["note"] or "", r["changed_by"], r["changed_at"]
            )
            for r in rows
        ]
        return sorted(entries, key=lambda w: w.marked_at, reverse=True)


@dataclasses.dataclass(frozen=True)
class EffectWindow:
    start: dt.datetime
    end: dt.datetime
    iqs: float | None
    reviews: int
    kpis: dict[str, float | None]


@dataclasses.dataclass(frozen=True)
class CoachingEffect:
    """An agent's IQS and KPIs in the ``days`` before vs after a coaching session."""

    session_id: str
    agent_id: str
    days: int
    before: EffectWindow
    after: EffectWindow


def coaching_effect(
    store: Store,
    session: CoachingSession,
    days: int = 28,
    kpi_names: Sequence[str] = EFFECT_KPIS,
) -> CoachingEffect:
    """IQS (submitted, non-calibration reviews of conversations *created* in the window)
    and KPIs (``sanjeh.metrics.kpis`` filtered to the agent) in [held_on − days,
    held_on) vs [held_on, held_on + days). ``days`` 1–366; a session held outside
    FIRST_DAY … LAST_DAY (stored before dates were checked) is a ValidationError."""
    held = check_instant("held_on", as_utc(session.held_on))
    check_int("days", days, 1, 366)
    span = dt.timedelta(days=days)
    reviews = [
        Review.from_row(r)
        for r in _storage.latest(
            store, "qa_reviews", "review_id", {"agent_id": session.agent_id, "calibration_id": None}
        )
    ]
    reviews = [r for r in reviews if r.status != "draft"]
    created: dict[str, Any] = {}
    if reviews:
        t = store.table("tickets")
        ids = sorted({r.ticket_id for r in reviews})
        for row in (
            t.filter(t.ticket_id.isin(ids))
            .select("ticket_id", "created_at")
            .to_pyarrow()
            .to_pylist()
        ):
            created[row["ticket_id"]] = as_utc(row["created_at"])

    def window(lo: dt.datetime, hi: dt.datetime) -> EffectWindow:
        mine = [r for r in reviews if r.ticket_id in created and lo <= created[r.ticket_id] < hi]
        return EffectWindow(
            lo,
            hi,
            iqs(r.score for r in mine),
            len(mine),
            _kpis(store, session.agent_id, kpi_names, lo, hi),
        )

    return CoachingEffect(
        session.session_id,
        session.agent_id,
        days,
        window(held - span, held),
        window(held, held + span),
    )


def _kpis(
    store: Store, agent_id: str, names: Sequence[str], lo: dt.datetime, hi: dt.datetime
) -> dict[str, float | None]:
    if not names:
        return {}
    frame = kpis(store, list(names), by=["agent"], filters={"agent": [agent_id]}, start=lo, end=hi)
    out: dict[str, float | None] = {n: None for n in names}
    for row in frame.to_dict("records"):
        if row.get("agent") in (agent_id, None) and row["kpi"] in out:
            value = row["value"]
            out[row["kpi"]] = None if value is None or math.isnan(value) else float(value)
    return out
