"""Self-review: an agent grades one of their own conversations against the scorecard and
compares it with the reviewer's grade (docs/qa.md, "Self-review").

Kept in their own table, ``qa_self_reviews``: IQS, the IQS KPIs (``facts_reviews``
reads ``qa_reviews`` only), insights and sampling never see them. Only the agent and
their coaches read them: staff, and reviewers who have held a coaching session with
the agent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..accounts import Actor
from ..errors import PermissionDenied, RecordNotFound, WorkflowError
from . import _storage
from ._base import WorkspaceBase, new_id
from ._records import Review, dumps, loads
from ._reviews import _check_review_texts, _scored
from ._scorecard import Scorecard, choose_scorecard


@dataclasses.dataclass(frozen=True)
class SelfReview:
    self_review_id: str
    revision: int
    ticket_id: str
    agent_id: str
    user_id: str
    scorecard_id: str
    scorecard_version: int
    ratings: dict[str, int | None]
    comments: dict[str, str]
    comment: str
    score: float | None
    failed_critical: bool
    created_at: dt.datetime
    changed_by: str
    changed_at: dt.datetime

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> SelfReview:
        fields = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in r.items() if k in fields}
        values["ratings"] = loads(r["ratings"], {})
        values["comments"] = loads(r["comments"], {})
        values["comment"] = r["comment"] or ""
        values["failed_critical"] = bool(r["failed_critical"])
        return cls(**values)

    def to_row(self, note: str) -> dict[str, Any]:
        row = dataclasses.asdict(self)
        row.update(
            row_id=f"{self.self_review_id}@{self.revision}",
            ratings=dumps(self.ratings),
            comments=dumps(self.comments),
            note=note,
        )
        return row


@dataclasses.dataclass(frozen=True)
class CategoryComparison:
    category_id: str
    name: str
    #: category scores 0–100 (None: N/A or not rated)
    own: float | None
    reviewer: float | None

    @property
    def difference(self) -> float | None:
        """Own − reviewer: positive = the agent graded themselves higher."""
        if self.own is None or self.reviewer is None:
            return None
        return self.own - self.reviewer


@dataclasses.dataclass(frozen=True)
class SelfComparison:
    """A self-review beside the reviewer's grade of the same conversation (None: not
    reviewed yet), category by category, with the self-review's scorecard version."""

    self_review: SelfReview
    review: Review | None
    categories: tuple[CategoryComparison, ...]

    @property
    def difference(self) -> float | None:
        own, theirs = self.self_review.score, self.review.score if self.review else None
        return None if own is None or theirs is None else own - theirs


class SelfReviewMixin(WorkspaceBase):
    def submit_self_review(
        self,
        actor: Actor,
        ticket_id: str,
        ratings: Mapping[str, int | None],
        *,
        comments: Mapping[str, str] | None = None,
        comment: str = "",
    ) -> SelfReview:
        """The agent grades their own conversation (again: a new revision). The
        scorecard is the one its review was graded with, else the best match."""
        if actor.role != "agent" or actor.agent_id is None:
            raise PermissionDenied("only agents grade their own conversations (self-review)")
        _check_review_texts(comment, comments, None)
        self._ticket(ticket_id)
        if self.agent_of(ticket_id) != actor.agent_id:
            raise PermissionDenied("you can only self-review your own conversations")
        card = self.self_review_card(ticket_id)
        result = _scored(card, ratings, comments, None, complete=True)
        found = self._self_where(agent_id=actor.agent_id, ticket_id=ticket_id)
        now = self.now()
        new = SelfReview(
            self_review_id=found[0].self_review_id if found else new_id("slf"),
            revision=found[0].revision + 1 if found else 1,
            ticket_id=ticket_id,
            agent_id=actor.agent_id,
            user_id=actor.user_id,
            scorecard_id=card.id,
            scorecard_version=card.version,
            ratings=dict(ratings),
            comments=dict(comments or {}),
            comment=comment,
            score=result.score,
            failed_critical=result.failed_critical,
            created_at=found[0].created_at if found else now,
            changed_by=actor.user_id,
            changed_at=now,
        )
        _storage.append(
            self.store, "qa_self_reviews", [new.to_row("changed" if found else "submitted")]
        )
        return new

    def self_reviews(self, actor: Actor, agent_id: str | None = None) -> list[SelfReview]:
        """Self-reviews ``actor`` may read, newest first: an agent their own, staff all,
        a reviewer those of agents they have coached; other agents' none."""
        if actor.role == "agent":
            if actor.agent_id is None or agent_id not in (None, actor.agent_id):
                return []
            agent_id = actor.agent_id
        found = self._self_where(**({"agent_id": agent_id} if agent_id else {}))
        found = [s for s in found if self._may_read(actor, s.agent_id)]
        return sorted(found, key=lambda s: (s.changed_at, s.self_review_id), reverse=True)

    def self_review(self, actor: Actor, self_review_id: str) -> SelfComparison:
        """One self-review beside the reviewer's grade; RecordNotFound for anyone but
        the agent and their coaches."""
        found = self._self_where(self_review_id=self_review_id)
        if not found or not self._may_read(actor, found[0].agent_id):
            raise RecordNotFound(f"no self-review {self_review_id!r}")
        own = found[0]
        card = self.scorecard(own.scorecard_id, own.scorecard_version)
        review = self._reviewer_grade(actor, own.ticket_id)
        theirs: dict[str, float | None] = {}
        if review is not None:
            other = self.scorecard(review.scorecard_id, review.scorecard_version)
            theirs = dict(_scored(other, review.ratings, None, None, complete=False).categories)
        mine = _scored(card, own.ratings, None, None, complete=False).categories
        rows = tuple(
            CategoryComparison(c.id, c.name, mine.get(c.id), theirs.get(c.id))
            for c in card.categories
        )
        return SelfComparison(own, review, rows)

    # -- helpers ------------------------------------------------------------------------

    def _self_where(self, **where: Any) -> list[SelfReview]:
        rows = _storage.latest(self.store, "qa_self_reviews", "self_review_id", where)
        return [SelfReview.from_row(r) for r in rows]

    def _may_read(self, actor: Actor, agent_id: str) -> bool:
        if actor.role == "agent":
            return actor.agent_id is not None and actor.agent_id == agent_id
        if actor.is_staff:
            return True
        if actor.role != "reviewer":
            return False
        coached = _storage.latest(
            self.store,
            "qa_coaching",
            "session_id",
            {"agent_id": agent_id, "coach_id": actor.user_id},
        )
        return bool(coached)

    def _reviewer_grade(self, actor: Actor, ticket_id: str) -> Review | None:
        """The newest submitted, non-calibration review of the conversation."""
        reviews = [
            r
            for r in self._reviews_where(ticket_id=ticket_id, calibration_id=None)
            if r.status != "draft"
        ]
        reviews = self._visible(actor, reviews)
        return max(reviews, key=lambda r: (r.created_at, r.review_id), default=None)

    def self_review_card(self, ticket_id: str) -> Scorecard:
        """The scorecard a self-review of the conversation is graded with: its newest
        review's version (like with like), else the best match for the conversation."""
        ticket = self._ticket(ticket_id)
        reviews = [
            r
            for r in self._reviews_where(ticket_id=ticket_id, calibration_id=None)
            if r.status != "draft"
        ]
        if reviews:
            newest = max(reviews, key=lambda r: (r.created_at, r.review_id))
            return self.scorecard(newest.scorecard_id, newest.scorecard_version)
        chosen = choose_scorecard(
            self.scorecards(),
            ticket.get("channel"),
            ticket.get("tags") or (),
            ticket.get("team_id"),
        )
        if chosen is None:
            raise WorkflowError("no active scorecard fits this conversation; ask your QA team")
        return chosen
