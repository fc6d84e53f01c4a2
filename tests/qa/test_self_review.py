"""Self-review: an agent grades their own conversation and compares it with the
reviewer's grade; only the agent and their coaches see it; IQS (the workspace's and the
``iqs`` KPI) is unchanged by it."""

from __future__ import annotations

import pytest

from sanjeh.errors import PermissionDenied, RecordNotFound, WorkflowError
from sanjeh.metrics import ensure_facts, kpis
from sanjeh.qa import Workspace

from .conftest import AGENT1, AGENT2, MANAGER, PERFECT, REVIEWER, REVIEWER2

#: the reviewer's grade of x:t1 (agent x:a1): empathy 2 → 25 %, tone 3 → 66.7 %
GRADED = {**PERFECT, "empathy": 2, "tone": 3}
#: the agent's own: empathy 4 → 75 %, tone 4 → 100 %, follow-up N/A
OWN = {**PERFECT, "empathy": 4, "follow_up": None}


def test_agent_grades_own_conversation_and_compares(ws: Workspace) -> None:
    review = ws.submit_review(REVIEWER, "x:t1", GRADED)
    own = ws.submit_self_review(AGENT1, "x:t1", OWN, comment="I was kind")
    assert own.agent_id == "x:a1" and own.scorecard_id == review.scorecard_id
    # default scorecard, follow-up (10) N/A: every other category 100 but empathy 75
    # → (100 × 75 + 75 × 15) / 90 = 95.83
    assert own.score == pytest.approx((100 * 75 + 75 * 15) / 90)
    got = ws.self_review(AGENT1, own.self_review_id)
    assert got.review is not None and got.review.review_id == review.review_id
    by = {c.category_id: c for c in got.categories}
    assert by["empathy"].own == 75.0 and by["empathy"].reviewer == 25.0
    assert by["empathy"].difference == 50.0
    assert by["tone"].difference == pytest.approx(100 - 200 / 3)
    assert by["follow_up"].own is None and by["follow_up"].difference is None
    assert got.difference == pytest.approx(own.score - review.score)
    # again: a new revision of the same self-review
    again = ws.submit_self_review(AGENT1, "x:t1", {**OWN, "empathy": 3})
    assert (again.self_review_id, again.revision) == (own.self_review_id, 2)
    assert [s.revision for s in ws.self_reviews(AGENT1)] == [2]


def test_before_any_review_the_comparison_is_empty(ws: Workspace) -> None:
    own = ws.submit_self_review(AGENT1, "x:t1", OWN)
    got = ws.self_review(AGENT1, own.self_review_id)
    assert got.review is None and got.difference is None
    assert all(c.reviewer is None for c in got.categories)


def test_who_may_write_one(ws: Workspace) -> None:
    with pytest.raises(PermissionDenied, match="own conversations"):
        ws.submit_self_review(AGENT1, "x:t2", OWN)  # x:a2's
    with pytest.raises(PermissionDenied, match="only agents"):
        ws.submit_self_review(REVIEWER, "x:t1", OWN)
    with pytest.raises(WorkflowError):
        ws.submit_self_review(AGENT1, "x:t1", {**OWN, "empathy": 9})
    with pytest.raises(RecordNotFound):
        ws.submit_self_review(AGENT1, "x:nope", OWN)


def test_visible_to_the_agent_and_their_coach_only(ws: Workspace) -> None:
    own = ws.submit_self_review(AGENT1, "x:t1", OWN)
    theirs = ws.submit_self_review(AGENT2, "x:t2", OWN)
    # the agents: their own only
    assert [s.self_review_id for s in ws.self_reviews(AGENT1)] == [own.self_review_id]
    assert ws.self_reviews(AGENT1, agent_id="x:a2") == []
    with pytest.raises(RecordNotFound):
        ws.self_review(AGENT1, theirs.self_review_id)
    # a reviewer who has not coached the agent: nothing; after coaching them: theirs
    assert ws.self_reviews(REVIEWER) == []
    with pytest.raises(RecordNotFound):
        ws.self_review(REVIEWER, own.self_review_id)
    ws.create_coaching(REVIEWER, "x:a1", "weekly")
    assert [s.agent_id for s in ws.self_reviews(REVIEWER)] == ["x:a1"]
    assert ws.self_review(REVIEWER, own.self_review_id).self_review == own
    assert ws.self_reviews(REVIEWER2) == []
    # staff: all
    assert {s.agent_id for s in ws.self_reviews(MANAGER)} == {"x:a1", "x:a2"}


def test_iqs_and_the_iqs_kpi_are_unchanged(ws: Workspace) -> None:
    ensure_facts(ws.store)
    ws.submit_review(REVIEWER, "x:t1", GRADED)
    ws.submit_review(REVIEWER, "x:t2", PERFECT)

    def iqs_now() -> tuple[object, ...]:
        frame = kpis(ws.store, ["iqs", "qa_reviews"], by="agent")
        got = {(r.kpi, r.agent): r.value for _, r in frame.iterrows()}
        return tuple(ws.scores(MANAGER)), tuple(sorted(got.items()))

    before = iqs_now()
    ws.submit_self_review(AGENT1, "x:t1", OWN)
    ws.submit_self_review(AGENT2, "x:t2", {**PERFECT, "correct_solution": 1})
    ws.submit_self_review(AGENT2, "x:t4", PERFECT)  # a conversation nobody reviewed
    assert iqs_now() == before
    # nor are they reviews: not listed, not counted as reviewed
    assert {r.ticket_id for r in ws.reviews(MANAGER)} == {"x:t1", "x:t2"}
    assert [r.reviews for r in ws.scores(MANAGER)] == [1, 1]
