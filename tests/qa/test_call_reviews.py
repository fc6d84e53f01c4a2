"""Calls without a ticket are conversations of their own: reviewed, calibrated and
disputed by the call's id, counted in IQS with the call's team and the phone channel. A
call linked to a ticket is reviewed with its ticket (every backend)."""

from __future__ import annotations

import datetime as dt

import pytest

from sanjeh.errors import RecordNotFound
from sanjeh.metrics import ensure_facts, kpis
from sanjeh.qa import Workspace, call_conversation, call_timelines
from sanjeh.store import Store

from .conftest import ADMIN, AGENT1, PERFECT, REVIEWER, REVIEWER2, T0, SteppingClock, seed_tickets

LOW_EMPATHY = {**PERFECT, "empathy": 1}  # empathy weight 15 of 100 → 85.0


def _calls(store: Store) -> None:
    seed_tickets(store)
    store.write(
        "agents",
        [
            {"agent_id": "x:a1", "source": "x", "name": "A1", "team_id": "x:phone"},
            {"agent_id": "x:a2", "source": "x", "name": "A2", "team_id": "x:mail"},
        ],
    )
    call = {"source": "x", "outcome": "answered", "started_at": T0 + dt.timedelta(days=2)}
    store.write(
        "calls",
        [
            {**call, "call_id": "x:c1", "agent_id": "x:a1"},  # a call centre's call: no ticket
            {**call, "call_id": "x:c2", "agent_id": "x:a2", "ticket_id": "x:t1"},
        ],
    )
    store.write(
        "call_segments",
        [
            {"segment_id": "x:c1#0", "call_id": "x:c1", "source": "x", "speaker": "agent"}
            | {"start_s": 0.0, "end_s": 3.0, "text": "Hello, how can I help?"},
            {"segment_id": "x:c1#1", "call_id": "x:c1", "source": "x", "speaker": "customer"}
            | {"start_s": 7.0, "end_s": 9.0, "text": "My card is blocked."},
        ],
    )


@pytest.fixture
def ws(store: Store) -> Workspace:
    _calls(store)
    return Workspace(store, clock=SteppingClock())


def test_a_call_without_a_ticket_is_reviewed_by_its_id(ws: Workspace) -> None:
    conversation = call_conversation(ws.store, "x:c1")
    assert conversation is not None
    assert (conversation["channel"], conversation["team_id"]) == ("phone", "x:phone")
    review = ws.submit_review(REVIEWER, "x:c1", LOW_EMPATHY)
    assert (review.ticket_id, review.agent_id, review.score) == ("x:c1", "x:a1", 85.0)
    # the review page's timeline: the call itself, its 4 s pause (3 → 7) marked
    (timeline,) = call_timelines(ws.store, "x:c1")
    assert [e.kind for e in timeline.entries] == ["segment", "silence", "segment"]
    # the agent disputes it like any review
    dispute = ws.open_dispute(AGENT1, review.review_id, "I showed empathy")
    ws.resolve_dispute(ADMIN, dispute.dispute_id, "accepted", "yes", {"empathy": 5})
    assert ws.review(AGENT1, review.review_id).score == pytest.approx(100.0)


def test_a_call_with_a_ticket_is_reviewed_with_the_ticket(ws: Workspace) -> None:
    with pytest.raises(RecordNotFound, match="belongs to ticket 'x:t1'"):
        ws.submit_review(REVIEWER, "x:c2", PERFECT)
    assert [t.call_id for t in call_timelines(ws.store, "x:t1")] == ["x:c2"]
    with pytest.raises(RecordNotFound, match="no conversation"):
        ws.submit_review(REVIEWER, "x:nothing", PERFECT)


def test_calls_are_calibrated_like_tickets(ws: Workspace) -> None:
    cal = ws.create_calibration(ADMIN, "calls", ["x:c1"], [REVIEWER.user_id, REVIEWER2.user_id])
    for reviewer, ratings in ((REVIEWER, PERFECT), (REVIEWER2, LOW_EMPATHY)):
        ws.submit_review(reviewer, "x:c1", ratings, calibration_id=cal.calibration_id)
    report = ws.calibration_report(ADMIN, cal.calibration_id)
    assert {r.reviewer_id for r in report.reviews} == {REVIEWER.user_id, REVIEWER2.user_id}
    assert report.missing == {REVIEWER.user_id: [], REVIEWER2.user_id: []}


def test_iqs_counts_call_reviews_with_the_calls_team(ws: Workspace) -> None:
    ensure_facts(ws.store)
    ws.submit_review(REVIEWER, "x:c1", LOW_EMPATHY)  # 85, call of x:a1 in team x:phone
    ws.submit_review(REVIEWER, "x:t2", PERFECT)  # 100, ticket x:t2 (chat) of x:a2
    frame = kpis(ws.store, ["iqs"], by="team", start="2026-03-01", end="2026-04-01")
    got = dict(zip(frame.team, frame.value, strict=True))
    assert got["x:phone"] == pytest.approx(85.0)
    frame = kpis(ws.store, ["iqs"], by="channel", start="2026-03-01", end="2026-04-01")
    got = dict(zip(frame.channel, frame.value, strict=True))
    assert got == {"phone": pytest.approx(85.0), "chat": pytest.approx(100.0)}
