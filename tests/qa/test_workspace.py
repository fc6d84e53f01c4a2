"""Reviews, versions, permissions, history and disputes on every backend."""

from __future__ import annotations

import dataclasses

import pytest

from sanjeh.errors import PermissionDenied, RecordNotFound, WorkflowError
from sanjeh.qa import Category, Scale, Scorecard, Section, Workspace, default_scorecard

from .conftest import (
    ADMIN,
    AGENT1,
    AGENT2,
    MANAGER,
    PERFECT,
    REVIEWER,
    REVIEWER2,
)

LOW_EMPATHY = {**PERFECT, "empathy": 1}  # empathy weight 15 of 100 → 85.0


def test_default_scorecard_is_created_on_first_use(ws: Workspace) -> None:
    assert [c.id for c in ws.scorecards()] == ["default"]
    assert ws.scorecard("default") == default_scorecard()
    with pytest.raises(RecordNotFound):
        ws.scorecard("nope")


def test_review_takes_the_agent_from_the_ticket(ws: Workspace) -> None:
    r = ws.submit_review(REVIEWER, "x:t1", LOW_EMPATHY, comment="ok")
    assert (r.agent_id, r.reviewer_id, r.status, r.revision) == ("x:a1", "u-rev1", "submitted", 1)
    assert r.score == pytest.approx(85.0)
    # no assignee on the ticket: the agent of its last assignment
    assert ws.submit_review(REVIEWER, "x:t4", PERFECT).agent_id == "x:a2"
    with pytest.raises(RecordNotFound):
        ws.submit_review(REVIEWER, "x:nope", PERFECT)
    with pytest.raises(WorkflowError, match="must be rated"):
        ws.submit_review(REVIEWER, "x:t1", {"empathy": 3})


def test_scorecard_versions_keep_old_reviews_scores(ws: Workspace) -> None:
    old = ws.submit_review(REVIEWER, "x:t1", LOW_EMPATHY)
    card = ws.scorecard("default")
    sections = list(card.sections)
    comm = sections[1]
    cats = tuple(
        dataclasses.replace(c, weight=45) if c.id == "empathy" else c for c in comm.categories
    )
    sections[1] = dataclasses.replace(comm, categories=cats)
    with pytest.raises(PermissionDenied, match="managers and admins"):
        ws.save_scorecard(REVIEWER, dataclasses.replace(card, sections=tuple(sections)))
    v2 = ws.save_scorecard(MANAGER, dataclasses.replace(card, sections=tuple(sections)))
    assert v2.version == 2
    assert ws.save_scorecard(MANAGER, v2).version == 2  # unchanged: no new version
    new = ws.submit_review(REVIEWER, "x:t3", LOW_EMPATHY)
    assert (new.scorecard_version, new.score) == (2, pytest.approx(100 - 45 / 130 * 100))
    # the old review is still scored (and re-scored on edit) with version 1
    assert ws.review(ADMIN, old.review_id).score == pytest.approx(85.0)
    edited = ws.update_review(REVIEWER, old.review_id, comment="typo")
    assert (edited.scorecard_version, edited.score) == (1, pytest.approx(85.0))
    assert ws.score_of(edited).categories["empathy"] == 0.0


def test_agent_cannot_review_and_reviewer_not_own_ticket(ws: Workspace) -> None:
    with pytest.raises(PermissionDenied, match="reviewers, managers and admins"):
        ws.submit_review(AGENT1, "x:t1", PERFECT)
    reviewing_agent = dataclasses.replace(REVIEWER, agent_id="x:a1")
    with pytest.raises(PermissionDenied, match="your own conversation"):
        ws.submit_review(reviewing_agent, "x:t1", PERFECT)


def test_who_may_read_and_change_a_review(ws: Workspace) -> None:
    r1 = ws.submit_review(REVIEWER, "x:t1", PERFECT)  # agent x:a1
    r2 = ws.submit_review(REVIEWER, "x:t2", PERFECT)  # agent x:a2
    assert ws.review(AGENT1, r1.review_id).review_id == r1.review_id
    with pytest.raises(RecordNotFound):  # not PermissionDenied: ids cannot be probed
        ws.review(AGENT1, r2.review_id)
    with pytest.raises(RecordNotFound):
        ws.history(AGENT1, r2.review_id)
    assert [r.review_id for r in ws.reviews(AGENT1)] == [r1.review_id]
    assert ws.reviews(AGENT1, agent_id="x:a2") == []
    assert {r.review_id for r in ws.reviews(REVIEWER2)} == {r1.review_id, r2.review_id}
    with pytest.raises(PermissionDenied, match="own reviewer"):
        ws.update_review(REVIEWER2, r1.review_id, ratings={"empathy": 2})
    with pytest.raises(PermissionDenied):
        ws.update_review(AGENT1, r1.review_id, ratings={"empathy": 2})
    changed = ws.update_review(MANAGER, r1.review_id, ratings={"empathy": 1}, note="recheck")
    assert (changed.revision, changed.score, changed.changed_by) == (2, 85.0, "u-manager")


def test_drafts_are_private_until_submitted(ws: Workspace) -> None:
    d = ws.submit_review(REVIEWER, "x:t1", {"empathy": 4}, draft=True)
    assert d.status == "draft" and d.score == 75.0
    with pytest.raises(RecordNotFound):
        ws.review(AGENT1, d.review_id)
    with pytest.raises(RecordNotFound):
        ws.review(REVIEWER2, d.review_id)
    assert ws.scores(ADMIN) == []
    with pytest.raises(WorkflowError, match="must be rated"):
        ws.update_review(REVIEWER, d.review_id, submit=True)
    done = ws.update_review(REVIEWER, d.review_id, ratings=LOW_EMPATHY, submit=True)
    assert (done.status, done.revision) == ("submitted", 2)
    assert ws.review(AGENT1, d.review_id).score == pytest.approx(85.0)


def test_history_is_append_only(ws: Workspace) -> None:
    r = ws.submit_review(REVIEWER, "x:t1", PERFECT)
    ws.update_review(REVIEWER, r.review_id, ratings={"tone": 1}, note="second look")
    ws.update_review(ADMIN, r.review_id, comment="fine")
    rows = ws.store.table("qa_reviews").to_pyarrow().to_pylist()
    assert sorted(x["row_id"] for x in rows) == [f"{r.review_id}@{i}" for i in (1, 2, 3)]
    history = ws.history(AGENT1, r.review_id)
    assert [(h.revision, h.by, h.note) for h in history] == [
        (1, "u-rev1", "submitted"),
        (2, "u-rev1", "second look"),
        (3, "u-admin", "changed"),
    ]
    assert history[0].at < history[1].at < history[2].at
    assert history[1].score == pytest.approx(90.0)  # tone weight 10 at 0 %


def test_dispute_accepted(ws: Workspace) -> None:
    r = ws.submit_review(REVIEWER, "x:t1", LOW_EMPATHY)
    with pytest.raises(PermissionDenied, match="reviewed agent"):
        ws.open_dispute(REVIEWER, r.review_id, "x")
    with pytest.raises(RecordNotFound):
        ws.open_dispute(AGENT2, r.review_id, "x")
    d = ws.open_dispute(AGENT1, r.review_id, "I was empathetic")
    assert ws.review(AGENT1, r.review_id).status == "disputed"
    with pytest.raises(WorkflowError, match="already has an open dispute"):
        ws.open_dispute(AGENT1, r.review_id, "again")
    with pytest.raises(WorkflowError, match="open dispute"):
        ws.update_review(REVIEWER, r.review_id, ratings={"empathy": 5})
    with pytest.raises(PermissionDenied):
        ws.resolve_dispute(REVIEWER2, d.dispute_id, "accepted", "x", {"empathy": 5})
    with pytest.raises(WorkflowError, match="corrected ratings"):
        ws.resolve_dispute(REVIEWER, d.dispute_id, "accepted", "right")
    done = ws.resolve_dispute(REVIEWER, d.dispute_id, "accepted", "right", {"empathy": 5})
    assert (done.status, done.revision) == ("accepted", 2)
    review = ws.review(AGENT1, r.review_id)
    assert (review.status, review.score, review.revision) == ("resolved", 100.0, 3)
    assert [d.status for d in ws.disputes(AGENT1)] == ["accepted"]
    assert ws.disputes(AGENT2) == []
    assert [h.kind for h in ws.history(ADMIN, r.review_id)] == [
        "review",
        "review",
        "dispute",
        "review",
        "dispute",
    ]


def test_dispute_partly_accepted(ws: Workspace) -> None:
    r = ws.submit_review(REVIEWER, "x:t1", {**LOW_EMPATHY, "tone": 1})  # 85 − 10 = 75
    d = ws.open_dispute(AGENT1, r.review_id, "both are wrong")
    ws.resolve_dispute(MANAGER, d.dispute_id, "partly_accepted", "tone yes", {"tone": 4})
    assert ws.review(AGENT1, r.review_id).score == pytest.approx(85.0)


def test_dispute_rejected_then_escalated(ws: Workspace) -> None:
    r = ws.submit_review(REVIEWER, "x:t1", LOW_EMPATHY)
    d = ws.open_dispute(AGENT1, r.review_id, "unfair")
    with pytest.raises(WorkflowError, match="only a rejected dispute"):
        ws.escalate_dispute(AGENT1, d.dispute_id, "now")
    rejected = ws.resolve_dispute(REVIEWER, d.dispute_id, "rejected", "no")
    assert ws.review(AGENT1, r.review_id).score == pytest.approx(85.0)
    with pytest.raises(WorkflowError, match="escalate"):
        ws.open_dispute(AGENT1, r.review_id, "again")
    with pytest.raises(RecordNotFound):
        ws.escalate_dispute(AGENT2, rejected.dispute_id, "me too")
    escalated = ws.escalate_dispute(AGENT1, rejected.dispute_id, "please look")
    assert (escalated.status, escalated.escalated) == ("escalated", True)
    assert ws.review(AGENT1, r.review_id).status == "disputed"
    with pytest.raises(PermissionDenied, match="managers and admins"):
        ws.resolve_dispute(REVIEWER, d.dispute_id, "rejected", "still no")
    final = ws.resolve_dispute(MANAGER, d.dispute_id, "accepted", "yes", {"empathy": 5})
    assert final.status == "accepted" and final.escalated
    assert ws.review(AGENT1, r.review_id).score == 100.0
    with pytest.raises(WorkflowError, match="only a rejected dispute"):
        ws.escalate_dispute(AGENT1, d.dispute_id, "again")
    assert [x.status for x in ws.disputes(REVIEWER)] == ["accepted"]
    assert ws.disputes(REVIEWER2) == []


def test_scores_by_agent_and_reviewer(ws: Workspace) -> None:
    ws.submit_review(REVIEWER, "x:t1", PERFECT)  # a1: 100
    ws.submit_review(REVIEWER2, "x:t3", LOW_EMPATHY)  # a1: 85
    ws.submit_review(REVIEWER, "x:t2", {**PERFECT, "correct_solution": 2})  # a2: critical → 0
    rows = {s.key: s for s in ws.scores(MANAGER)}
    assert rows["x:a1"].iqs == pytest.approx(92.5)
    assert rows["x:a1"].pass_rate == 1.0 and rows["x:a1"].reviews == 2
    assert (rows["x:a2"].iqs, rows["x:a2"].pass_rate) == (0.0, 0.0)
    assert [s.key for s in ws.scores(AGENT1)] == ["x:a1"]
    by_reviewer = {s.key: s.iqs for s in ws.scores(ADMIN, by="reviewer")}
    assert by_reviewer == {"u-rev1": 50.0, "u-rev2": pytest.approx(85.0)}
    (overall,) = ws.scores(ADMIN, by=None)
    assert overall.iqs == pytest.approx(185 / 3)


def test_custom_scorecard_is_chosen_by_conditions(ws: Workspace) -> None:
    vip = Scorecard(
        "vip",
        "VIP",
        (Section("s", "S", (Category("care", "Care", 100, Scale("3")),)),),
        tags=("vip",),
    )
    ws.save_scorecard(ADMIN, vip)
    assert ws.submit_review(REVIEWER, "x:t3", {"care": 2}).scorecard_id == "vip"
    assert ws.submit_review(REVIEWER, "x:t1", PERFECT).scorecard_id == "default"
    ws.save_scorecard(ADMIN, dataclasses.replace(vip, active=False))
    assert [c.id for c in ws.scorecards()] == ["default"]
    assert ws.scorecard("vip").version == 2
    with pytest.raises(WorkflowError, match="inactive"):
        ws.submit_review(REVIEWER, "x:t3", {"care": 2}, scorecard_id="vip")
