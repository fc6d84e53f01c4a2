"""Scorecard saving, reviews, their history, disputes and IQS by group."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

from ..accounts import Actor
from ..errors import PermissionDenied, RecordNotFound, ValidationError, WorkflowError
from ..model.workflow import DISPUTE_STATUSES
from . import _storage
from ._base import WorkspaceBase, as_utc, new_id, require_reviewer, require_staff
from ._formulas import ReviewScore, review_score
from ._limits import (
    MAX_ID,
    MAX_NOTE,
    MAX_ROOT_CAUSES,
    check_id,
    check_instant,
    check_text,
    check_texts,
)
from ._records import Assignment, Dispute, HistoryEntry, Review, ScoreRow
from ._scorecard import Scorecard, choose_scorecard

Outcome = Literal["accepted", "partly_accepted", "rejected"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


class ReviewsMixin(WorkspaceBase):
    # -- scorecards -----------------------------------------------------------------

    def save_scorecard(self, actor: Actor, scorecard: Scorecard, note: str = "") -> Scorecard:
        """Save a scorecard: a new id is version 1, a changed one version n+1, an
        unchanged one is left alone. Returns the stored version."""
        require_staff(actor, "change scorecards")
        scorecard.check_size()
        check_text("note", note, MAX_NOTE)
        try:
            current: Scorecard | None = self.scorecard(scorecard.id)
        except RecordNotFound:
            current = None
        if current is not None and current.same_definition(scorecard):
            return current
        version = 1 if current is None else current.version + 1
        card = dataclasses.replace(scorecard, version=version)
        self._write_scorecard(
            card, actor.user_id, note or ("created" if version == 1 else "changed")
        )
        return card

    def score_of(self, review: Review) -> ReviewScore:
        """Category and section scores of a review, with the version it was graded with."""
        card = self.scorecard(review.scorecard_id, review.scorecard_version)
        return review_score(card, review.ratings, complete=review.status != "draft")

    # -- reviews --------------------------------------------------------------------

    def submit_review(
        self,
        actor: Actor,
        ticket_id: str,
        ratings: Mapping[str, int | None],
        *,
        scorecard_id: str | None = None,
        comments: Mapping[str, str] | None = None,
        root_causes: Mapping[str, Sequence[str]] | None = None,
        comment: str = "",
        calibration_id: str | None = None,
        draft: bool = False,
    ) -> Review:
        """Grade a conversation. The agent is the ticket's assignee; the scorecard is
        ``scorecard_id`` (latest version), the calibration's, or the best match."""
        require_reviewer(actor, "review conversations")
        _check_review_texts(comment, comments, root_causes)
        ticket = self._ticket(ticket_id)
        agent_id = self._ticket_agents([ticket_id]).get(ticket_id)
        if actor.agent_id is not None and actor.agent_id == agent_id:
            raise PermissionDenied("you cannot review your own conversation; ask another reviewer")
        if calibration_id is not None:
            cal = self._calibrations([calibration_id]).get(calibration_id)
            if cal is None:
                raise RecordNotFound(f"no calibration {calibration_id!r}")
            if actor.user_id not in cal.participants:
                raise PermissionDenied(f"you are not a reviewer of calibration {cal.name!r}")
            if ticket_id not in cal.ticket_ids:
                raise WorkflowError(
                    f"conversation {ticket_id!r} is not part of calibration {cal.name!r}"
                )
            if self._reviews_where(
                calibration_id=calibration_id, reviewer_id=actor.user_id, ticket_id=ticket_id
            ):
                raise WorkflowError(
                    "you have already reviewed this conversation in this calibration; "
                    "update that review"
                )
            card = self.scorecard(cal.scorecard_id, cal.scorecard_version)
        elif scorecard_id is not None:
            card = self.scorecard(scorecard_id)
            if not card.active:
                raise WorkflowError(f"scorecard {card.name!r} is inactive; choose an active one")
        else:
            chosen = choose_scorecard(
                self.scorecards(),
                ticket.get("channel"),
                ticket.get("tags") or (),
                ticket.get("team_id"),
            )
            if chosen is None:
                raise WorkflowError(
                    "no active scorecard fits this conversation; create or activate one"
                )
            card = chosen
        result = _scored(card, ratings, comments, root_causes, complete=not draft)
        now = self.now()
        review = Review(
            review_id=new_id("rev"),
            revision=1,
            ticket_id=ticket_id,
            agent_id=agent_id,
            reviewer_id=actor.user_id,
            scorecard_id=card.id,
            scorecard_version=card.version,
            ratings=dict(ratings),
            comments=dict(comments or {}),
            root_causes={k: list(v) for k, v in (root_causes or {}).items()},
            comment=comment,
            score=result.score,
            failed_critical=result.failed_critical,
            status="draft" if draft else "submitted",
            calibration_id=calibration_id,
            created_at=now,
            changed_by=actor.user_id,
            changed_at=now,
            note="draft saved" if draft else "submitted",
            pass_threshold=card.pass_threshold,
        )
        _storage.append(self.store, "qa_reviews", [review.to_row()])
        if not draft:
            self._complete_assignments(review)
        return review

    def update_review(
        self,
        actor: Actor,
        review_id: str,
        *,
        ratings: Mapping[str, int | None] | None = None,
        comments: Mapping[str, str] | None = None,
        root_causes: Mapping[str, Sequence[str]] | None = None,
        comment: str | None = None,
        submit: bool = False,
        note: str = "",
    ) -> Review:
        """Change a review (its reviewer, a manager or an admin); a new revision.
        ``ratings`` replaces the ratings given (others stay); ``submit`` submits a draft."""
        review = self._get_review(actor, review_id)
        if actor.user_id != review.reviewer_id and not actor.is_staff:
            raise PermissionDenied(
                "only the review's own reviewer, a manager or an admin may change it"
            )
        _check_review_texts(comment or "", comments, root_causes)
        check_text("note", note, MAX_NOTE)
        if review.status == "disputed":
            raise WorkflowError("this review has an open dispute; resolve the dispute to change it")
        status = "submitted" if submit and review.status == "draft" else review.status
        updated = self._revise(
            actor,
            review,
            status=status,
            ratings={**review.ratings, **(ratings or {})},
            comments={**review.comments, **(comments or {})},
            root_causes={
                **review.root_causes,
                **{k: list(v) for k, v in (root_causes or {}).items()},
            },
            comment=review.comment if comment is None else comment,
            note=note or ("submitted" if status != review.status else "changed"),
        )
        if review.status == "draft" and status == "submitted":
            self._complete_assignments(updated)
        return updated

    def _revise(self, actor: Actor, review: Review, **changes: Any) -> Review:
        card = self.scorecard(review.scorecard_id, review.scorecard_version)
        status = changes.get("status", review.status)
        result = _scored(
            card,
            changes.get("ratings", review.ratings),
            changes.get("comments", review.comments),
            changes.get("root_causes", review.root_causes),
            complete=status != "draft",
        )
        new = dataclasses.replace(
            review,
            **changes,
            revision=review.revision + 1,
            score=result.score,
            failed_critical=result.failed_critical,
            changed_by=actor.user_id,
            changed_at=self.now(),
        )
        _storage.append(self.store, "qa_reviews", [new.to_row()])
        return new

    def review(self, actor: Actor, review_id: str) -> Review:
        """One review. Agents only see their own: any other id is RecordNotFound."""
        return self._get_review(actor, review_id)

    def reviews(
        self,
        actor: Actor,
        agent_id: str | None = None,
        reviewer_id: str | None = None,
        start: dt.date | dt.datetime | None = None,
        end: dt.date | dt.datetime | None = None,
        *,
        calibration_id: str | None = None,
        ticket_id: str | None = None,
    ) -> list[Review]:
        """Reviews visible to ``actor``, newest first; ``start`` / ``end`` (UTC, end
        exclusive) bound when they were written. Without ``calibration_id`` calibration
        reviews are left out."""
        where: dict[str, Any] = {"calibration_id": calibration_id}
        if actor.role == "agent":
            if agent_id not in (None, actor.agent_id):
                return []
            agent_id = actor.agent_id
        for key, value in (
            ("agent_id", agent_id),
            ("reviewer_id", reviewer_id),
            ("ticket_id", ticket_id),
        ):
            if value is not None:
                where[key] = value
        lo, hi = (
            check_instant(name, as_utc(x)) if x is not None else None
            for name, x in (("start", start), ("end", end))
        )
        found = self._visible(actor, self._reviews_where(**where))
        found = [
            r
            for r in found
            if (lo is None or r.created_at >= lo) and (hi is None or r.created_at < hi)
        ]
        return sorted(found, key=lambda r: (r.created_at, r.review_id), reverse=True)

    def history(self, actor: Actor, review_id: str) -> list[HistoryEntry]:
        """Every revision of a review and of its disputes (who, when, why), oldest first."""
        self._get_review(actor, review_id)
        out = [
            HistoryEntry(
                at=r["changed_at"],
                by=r["changed_by"],
                kind="review",
                record_id=review_id,
                revision=r["revision"],
                status=r["status"],
                note=r["note"] or "",
                comment=r["comment"] or "",
                score=r["score"],
            )
            for r in _storage.revisions(self.store, "qa_reviews", "review_id", [review_id])
        ]
        dispute_ids = [d.dispute_id for d in self._disputes_where(review_id=review_id)]
        out += [
            HistoryEntry(
                at=r["changed_at"],
                by=r["changed_by"],
                kind="dispute",
                record_id=r["dispute_id"],
                revision=r["revision"],
                status=r["status"],
                note=r["note"] or "",
                comment=r["comment"] or "",
            )
            for r in _storage.revisions(self.store, "qa_disputes", "dispute_id", dispute_ids)
        ]
        return sorted(
            out,
            key=lambda h: (h.at, h.kind, h.revision),  # written in this order
        )

    # -- disputes -------------------------------------------------------------------

    def _disputes_where(self, **where: Any) -> list[Dispute]:
        return [
            Dispute.from_row(r)
            for r in _storage.latest(self.store, "qa_disputes", "dispute_id", where)
        ]

    def _write_dispute(self, actor: Actor, dispute: Dispute, **changes: Any) -> Dispute:
        new = dataclasses.replace(
            dispute, **changes, changed_by=actor.user_id, changed_at=self.now()
        )
        _storage.append(self.store, "qa_disputes", [new.to_row()])
        return new

    def open_dispute(self, actor: Actor, review_id: str, comment: str) -> Dispute:
        """The reviewed agent disputes a review (one open dispute at a time)."""
        review = self._get_review(actor, review_id)
        if actor.role != "agent" or actor.agent_id is None or actor.agent_id != review.agent_id:
            raise PermissionDenied("only the reviewed agent may dispute a review")
        if review.calibration_id is not None:
            raise WorkflowError("calibration reviews cannot be disputed")
        if not comment.strip():
            raise WorkflowError("say why you dispute the review (the comment is empty)")
        check_text("comment", comment)
        existing = sorted(self._disputes_where(review_id=review_id), key=lambda d: d.changed_at)
        if any(d.is_open for d in existing):
            raise WorkflowError("this review already has an open dispute; wait for its resolution")
        if existing and existing[-1].status == "rejected" and not existing[-1].escalated:
            raise WorkflowError("your dispute was rejected; escalate it to a manager instead")
        revised = self._revise(actor, review, status="disputed", note="dispute opened")
        dispute = Dispute(
            dispute_id=new_id("dsp"),
            revision=0,
            review_id=review_id,
            agent_id=actor.agent_id,
            status="open",
            escalated=False,
            comment=comment,
            review_revision=revised.revision,
            changed_by=actor.user_id,
            changed_at=self.now(),
            note="opened",
        )
        return self._write_dispute(actor, dispute, revision=1)

    def _get_dispute(self, actor: Actor, dispute_id: str) -> Dispute:
        found = self._disputes_where(dispute_id=dispute_id)
        if not found or (actor.role == "agent" and found[0].agent_id != actor.agent_id):
            raise RecordNotFound(f"no dispute {dispute_id!r}")
        return found[0]

    def resolve_dispute(
        self,
        actor: Actor,
        dispute_id: str,
        outcome: Outcome,
        comment: str,
        ratings: Mapping[str, int | None] | None = None,
    ) -> Dispute:
        """Decide a dispute (the review's reviewer or staff; an escalated one: staff).
        ``accepted`` / ``partly_accepted`` need the corrected ``ratings`` (only those
        that change) and write a new review revision with the re-computed score."""
        check_text("comment", comment)
        dispute = self._get_dispute(actor, dispute_id)
        review = self._reviews_where(review_id=dispute.review_id)[0]
        if dispute.escalated:
            require_staff(actor, "resolve an escalated dispute")
        elif actor.user_id != review.reviewer_id and not actor.is_staff:
            raise PermissionDenied(
                "only the review's reviewer, a manager or an admin may resolve its dispute"
            )
        if not dispute.is_open:
            raise WorkflowError(f"this dispute is already {dispute.status.replace('_', ' ')}")
        if outcome not in OUTCOMES:
            raise WorkflowError(f"unknown outcome {outcome!r}; use {', '.join(OUTCOMES)}")
        if outcome == "rejected" and ratings:
            raise WorkflowError("a rejected dispute keeps the ratings; do not pass new ones")
        if outcome != "rejected" and not ratings:
            raise WorkflowError(
                f"an {outcome.replace('_', ' ')} dispute needs the corrected ratings"
            )
        revised = self._revise(
            actor,
            review,
            status="resolved",
            ratings={**review.ratings, **(ratings or {})},
            note=f"dispute {outcome.replace('_', ' ')}"
            + (" (escalated)" if dispute.escalated else ""),
        )
        return self._write_dispute(
            actor,
            dispute,
            revision=dispute.revision + 1,
            status=outcome,
            comment=comment,
            review_revision=revised.revision,
            note=outcome,
        )

    def escalate_dispute(self, actor: Actor, dispute_id: str, comment: str) -> Dispute:
        """After a rejection, the agent hands the dispute to the managers."""
        check_text("comment", comment)
        dispute = self._get_dispute(actor, dispute_id)
        if actor.role != "agent" or actor.agent_id != dispute.agent_id:
            raise PermissionDenied("only the agent who opened the dispute may escalate it")
        if dispute.status != "rejected" or dispute.escalated:
            raise WorkflowError("only a rejected dispute can be escalated, and only once")
        review = self._reviews_where(review_id=dispute.review_id)[0]
        revised = self._revise(actor, review, status="disputed", note="dispute escalated")
        return self._write_dispute(
            actor,
            dispute,
            revision=dispute.revision + 1,
            status="escalated",
            escalated=True,
            comment=comment,
            review_revision=revised.revision,
            note="escalated",
        )

    def disputes(self, actor: Actor, status: str | None = None) -> list[Dispute]:
        """Disputes: agents their own, reviewers those of their reviews, staff all;
        ``status`` one of DISPUTE_STATUSES."""
        if status is not None and status not in DISPUTE_STATUSES:
            raise ValidationError(
                "status", f"no dispute status {status!r}; use: {', '.join(DISPUTE_STATUSES)}"
            )
        where = {"agent_id": actor.agent_id} if actor.role == "agent" else {}
        found = self._disputes_where(**where)
        if actor.role == "reviewer":
            mine = {r.review_id for r in self._reviews_where(reviewer_id=actor.user_id)}
            found = [d for d in found if d.review_id in mine]
        if status is not None:
            found = [d for d in found if d.status == status]
        return sorted(found, key=lambda d: d.changed_at, reverse=True)

    # -- assignments completed by reviews -------------------------------------------

    def _complete_assignments(self, review: Review) -> None:
        if review.calibration_id is not None:
            return
        rows = _storage.latest(
            self.store,
            "qa_assignments",
            "assignment_id",
            {"reviewer_id": review.reviewer_id, "ticket_id": review.ticket_id},
        )
        done = []
        for row in rows:
            a = Assignment.from_row(row)
            if a.status == "open":
                a = dataclasses.replace(
                    a,
                    revision=a.revision + 1,
                    status="completed",
                    review_id=review.review_id,
                    changed_by=review.reviewer_id,
                    changed_at=self.now(),
                )
                done.append(a.to_row("review submitted"))
        _storage.append(self.store, "qa_assignments", done)

    # -- IQS --------------------------------------------------------------------------

    def scores(
        self,
        actor: Actor,
        by: Literal["agent", "reviewer", "scorecard"] | None = "agent",
        start: dt.date | dt.datetime | None = None,
        end: dt.date | dt.datetime | None = None,
    ) -> list[ScoreRow]:
        """IQS, pass rate and review count per group, over submitted reviews written in
        [start, end) (UTC); calibration reviews and drafts are left out. Agents only get
        their own row. Pass = score ≥ the review's scorecard pass threshold."""
        if by not in ("agent", "reviewer", "scorecard", None):
            raise WorkflowError(f"cannot group scores by {by!r}; use agent, reviewer or scorecard")
        reviews = [r for r in self.reviews(actor, start=start, end=end) if r.status != "draft"]
        cards = self._scorecards_by_version((r.scorecard_id, r.scorecard_version) for r in reviews)
        groups: dict[str | None, list[Review]] = {}
        for r in reviews:
            key = (
                None
                if by is None
                else {"agent": r.agent_id, "reviewer": r.reviewer_id, "scorecard": r.scorecard_id}[
                    by
                ]
            )
            groups.setdefault(key, []).append(r)
        out = []
        for key, rs in groups.items():
            scored = [r for r in rs if r.score is not None]
            passed = [
                r
                for r in scored
                if r.score is not None
                and r.score >= cards[(r.scorecard_id, r.scorecard_version)].pass_threshold
            ]
            out.append(
                ScoreRow(
                    key=key,
                    iqs=sum(r.score for r in scored if r.score is not None) / len(scored)
                    if scored
                    else None,
                    pass_rate=len(passed) / len(scored) if scored else None,
                    reviews=len(rs),
                )
            )
        return sorted(out, key=lambda s: (s.key is None, s.key or ""))


def _check_review_texts(
    comment: str,
    comments: Mapping[str, str] | None,
    root_causes: Mapping[str, Sequence[str]] | None,
) -> None:
    check_text("comment", comment)
    for key, text in (comments or {}).items():
        check_text(f"comments.{check_id('comments', key, MAX_ID)}", text)
    for key, causes in (root_causes or {}).items():
        check_id("root_causes", key, MAX_ID)
        if isinstance(causes, str) or len(causes) > MAX_ROOT_CAUSES:
            raise ValidationError(
                f"root_causes.{key}", f"give a list of at most {MAX_ROOT_CAUSES} root causes"
            )
        check_texts(f"root_causes.{key}", causes)


def _scored(
    card: Scorecard,
    ratings: Mapping[str, int | None],
    comments: Mapping[str, str] | None,
    root_causes: Mapping[str, Sequence[str]] | None,
    *,
    complete: bool,
) -> ReviewScore:
    result = review_score(card, ratings, complete=complete)
    for key in comments or {}:
        card.category(key)
    for key, causes in (root_causes or {}).items():
        allowed = card.category(key).root_causes
        unknown = [c for c in causes if allowed and c not in allowed]
        if unknown:
            raise WorkflowError(
                f"category {key!r} has no root cause {unknown[0]!r}; use: {', '.join(allowed)}"
            )
    return result
