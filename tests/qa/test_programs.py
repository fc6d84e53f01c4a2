"""Sampling, calibration, coaching, the wow library and the review-page helpers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from sanjeh import demo, text
from sanjeh.errors import PermissionDenied, RecordNotFound, WorkflowError
from sanjeh.metrics import ensure_facts, kpis
from sanjeh.qa import (
    GROUP_MEAN,
    Workspace,
    coaching_effect,
    conversation,
    krippendorff_alpha,
    suggestions,
)
from sanjeh.store import Store

from .conftest import (
    ADMIN,
    AGENT1,
    AGENT2,
    MANAGER,
    PERFECT,
    REVIEWER,
    REVIEWER2,
    SteppingClock,
    copied_workspace,
)

START, END = dt.date(2026, 8, 1), dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("qa") / "demo.duckdb"
    with Store.open(str(path)) as store:
        demo.generate(store, tickets=300, seed=7)
        text.score_store(store)
        ensure_facts(store)
    return str(path)


@pytest.fixture
def demo_ws(demo_url: str, tmp_path: Path):
    yield from copied_workspace(
        demo_url, tmp_path, SteppingClock(dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    )


def _facts(store: Store) -> dict[str, dict]:
    f = store.con.table("facts_tickets")
    return {r["ticket_id"]: r for r in f.to_pyarrow().to_pylist()}


def test_sampling_strategies_quotas_and_no_reassignment(demo_ws: Workspace) -> None:
    ws, facts = demo_ws, _facts(demo_ws.store)
    with pytest.raises(PermissionDenied):
        ws.create_cycle(REVIEWER, "c", ["u-rev1"], START, END, 2)
    reviewed = ws.submit_review(ADMIN, next(t for t, f in facts.items() if f["reopens"]), PERFECT)
    seen = {reviewed.ticket_id}
    for strategy in ("reopened", "low_csat", "escalated", "long_resolution", "outliers", "random"):
        _, picked = ws.create_cycle(
            MANAGER, strategy, ["u-rev1", "u-rev2"], START, END, 2, strategy, seed=1
        )
        assert picked, strategy
        tickets = [a.ticket_id for a in picked]
        assert not set(tickets) & seen, f"{strategy} re-assigned a conversation"
        seen |= set(tickets)
        assert max(Counter(a.agent_id for a in picked).values()) <= 2
        assert (
            Counter(a.reviewer_id for a in picked).keys() == {"u-rev1", "u-rev2"}
            or len(picked) == 1
        )
        for a in picked:
            f = facts[a.ticket_id]
            assert f["is_solved"] and f["agent_id"] == a.agent_id
            assert START <= f["solved_at"].date() < END
            if strategy == "reopened":
                assert f["reopens"] > 0
            if strategy == "escalated":
                assert f["escalated"]
            if strategy == "low_csat":
                share = (f["csat_score"] - f["csat_scale_min"]) / (
                    f["csat_scale_max"] - f["csat_scale_min"]
                )
                assert share < 0.5
    # quota: an agent with more reopened tickets than the quota gets exactly the quota
    assert ws.assignments(REVIEWER, status="open")
    assert all(a.reviewer_id == "u-rev1" for a in ws.assignments(REVIEWER))
    with pytest.raises(PermissionDenied):
        ws.assignments(AGENT1)


def test_negative_sentiment_and_completion(demo_ws: Workspace) -> None:
    ws = demo_ws
    _, picked = ws.create_cycle(
        ADMIN, "neg", ["u-rev1"], START, END, 1, "negative_sentiment", seed=3
    )
    a = ws.store.table("auto_scores")
    negative = set(
        a.filter((a.analyzer == "conversation.customer_sentiment_end") & (a.label == "negative"))
        .ticket_id.to_pyarrow()
        .to_pylist()
    )
    assert picked and {p.ticket_id for p in picked} <= negative
    first = picked[0]
    review = ws.submit_review(REVIEWER, first.ticket_id, PERFECT)
    (done,) = [x for x in ws.assignments(ADMIN) if x.assignment_id == first.assignment_id]
    assert (done.status, done.review_id, done.revision) == ("completed", review.review_id, 2)


def test_blind_calibration_and_report(ws: Workspace) -> None:
    with pytest.raises(PermissionDenied):
        ws.create_calibration(REVIEWER, "c", ["x:t1"], ["u-rev1"])
    cal = ws.create_calibration(MANAGER, "March", ["x:t1", "x:t2"], ["u-rev1", "u-rev2"])
    r1 = ws.submit_review(REVIEWER, "x:t1", PERFECT, calibration_id=cal.calibration_id)
    with pytest.raises(RecordNotFound):  # blind: u-rev2 has not reviewed x:t1 yet
        ws.review(REVIEWER2, r1.review_id)
    with pytest.raises(PermissionDenied, match="submit your own"):
        ws.calibration_report(REVIEWER2, cal.calibration_id)
    with pytest.raises(WorkflowError, match="not part of calibration"):
        ws.submit_review(REVIEWER2, "x:t3", PERFECT, calibration_id=cal.calibration_id)
    with pytest.raises(PermissionDenied, match="not a reviewer"):
        ws.submit_review(MANAGER, "x:t1", PERFECT, calibration_id=cal.calibration_id)
    ws.submit_review(
        REVIEWER2, "x:t1", {**PERFECT, "empathy": 3}, calibration_id=cal.calibration_id
    )
    assert ws.review(REVIEWER2, r1.review_id).review_id == r1.review_id
    with pytest.raises(WorkflowError, match="already reviewed"):
        ws.submit_review(REVIEWER, "x:t1", PERFECT, calibration_id=cal.calibration_id)
    # calibration reviews are not in the agent's IQS nor visible to the agent
    assert ws.scores(ADMIN) == [] and ws.reviews(AGENT1) == []
    report = ws.calibration_report(MANAGER, cal.calibration_id)
    assert report.benchmark == GROUP_MEAN
    # empathy 5 vs 3 on a 1–5 scale: 1 − 2/4 = 0.5 for both reviewers; the rest agree
    assert report.category_alignment["empathy"] == pytest.approx(50.0)
    assert report.category_alignment["tone"] == 100.0
    # per-conversation alignment: empathy weight 15 of 100 at 0.5 → 92.5 %
    assert report.reviewer_alignment == {"u-rev1": 92.5, "u-rev2": 92.5}
    assert report.bias == {"u-rev1": pytest.approx(50 / 8), "u-rev2": pytest.approx(-50 / 8)}
    units = [[100.0, 100.0]] * 7 + [[100.0, 50.0]]
    assert report.alpha == pytest.approx(krippendorff_alpha(units))
    assert report.missing == {"u-rev1": ["x:t2"], "u-rev2": ["x:t2"]}


def test_calibration_against_a_benchmark_reviewer(duck_ws: Workspace) -> None:
    ws = duck_ws
    cal = ws.create_calibration(
        ADMIN, "b", ["x:t1"], ["u-rev1", "u-rev2"], blind=False, benchmark_reviewer="u-lead"
    )
    lead = dataclasses.replace(MANAGER, user_id="u-lead")
    ws.submit_review(lead, "x:t1", PERFECT, calibration_id=cal.calibration_id)
    ws.submit_review(REVIEWER, "x:t1", {**PERFECT, "tone": 1}, calibration_id=cal.calibration_id)
    report = ws.calibration_report(REVIEWER2, cal.calibration_id)  # not blind
    assert report.benchmark == "u-lead"
    assert report.reviewer_alignment == {"u-rev1": pytest.approx(90.0)}  # tone 10 % at 0
    assert report.bias == {"u-rev1": pytest.approx(-100 / 8)}  # stricter


def test_coaching_sessions_and_actions(ws: Workspace) -> None:
    r = ws.submit_review(REVIEWER, "x:t1", PERFECT)
    with pytest.raises(PermissionDenied):
        ws.create_coaching(AGENT2, "x:a1", "n")
    with pytest.raises(WorkflowError, match="not about agent"):
        ws.create_coaching(REVIEWER, "x:a2", "n", [r.review_id])
    s = ws.create_coaching(
        REVIEWER, "x:a1", "more empathy", [r.review_id], [("read the guide", dt.date(2026, 4, 1))]
    )
    with pytest.raises(RecordNotFound):
        ws.complete_action(AGENT2, s.session_id, 0)
    with pytest.raises(PermissionDenied):
        ws.complete_action(REVIEWER2, s.session_id, 0)
    with pytest.raises(WorkflowError, match="no action item 3"):
        ws.complete_action(AGENT1, s.session_id, 3)
    done = ws.complete_action(AGENT1, s.session_id, 0)
    assert done.action_items[0].done and done.action_items[0].done_by == "u-a1"
    assert done.revision == 2
    assert [x.session_id for x in ws.coaching(AGENT1)] == [s.session_id]
    assert ws.coaching(AGENT2) == []
    assert len(ws.coaching(MANAGER, agent_id="x:a1")) == 1


def test_coaching_effect_against_a_hand_computation(demo_ws: Workspace) -> None:
    ws, facts = demo_ws, _facts(demo_ws.store)
    agent = Counter(f["agent_id"] for f in facts.values() if f["agent_id"]).most_common(1)[0][0]
    held = dt.datetime(2026, 9, 15, tzinfo=dt.UTC)
    mine = sorted(
        (f for f in facts.values() if f["agent_id"] == agent), key=lambda f: f["created_at"]
    )
    before = [f for f in mine if held - dt.timedelta(days=28) <= f["created_at"] < held]
    after = [f for f in mine if held <= f["created_at"] < held + dt.timedelta(days=28)]
    assert before and after
    ws.submit_review(REVIEWER, before[0]["ticket_id"], {**PERFECT, "tone": 1})  # 90
    ws.submit_review(REVIEWER, before[-1]["ticket_id"], {**PERFECT, "correct_solution": 1})  # 0
    ws.submit_review(REVIEWER, after[0]["ticket_id"], PERFECT)  # 100
    session = ws.create_coaching(MANAGER, agent, "note", held_on=held)
    effect = coaching_effect(ws.store, session, days=28)
    assert (effect.before.iqs, effect.before.reviews) == (45.0, 2)
    assert (effect.after.iqs, effect.after.reviews) == (100.0, 1)
    frame = kpis(
        ws.store,
        ["csat", "first_reply_time"],
        by=["agent"],
        filters={"agent": [agent]},
        start=held,
        end=held + dt.timedelta(days=28),
    )
    expected = dict(zip(frame.kpi, frame.value, strict=True))
    assert effect.after.kpis["first_reply_time"] == pytest.approx(expected["first_reply_time"])
    assert effect.after.kpis["csat"] == pytest.approx(expected["csat"])
    assert set(effect.before.kpis) == {
        "csat",
        "first_reply_time",
        "resolution_time",
        "fcr_rate",
        "reopen_rate",
    }


def test_wow_library(ws: Workspace) -> None:
    with pytest.raises(PermissionDenied):
        ws.mark_wow(AGENT1, "x:t1", "me")
    ws.mark_wow(REVIEWER, "x:t1", "great save")
    ws.mark_wow(MANAGER, "x:t1", "great save, see the follow-up")
    ws.mark_wow(REVIEWER, "x:t2", "calm")
    library = ws.wow_library(AGENT2)
    assert [(w.ticket_id, w.note) for w in library] == [
        ("x:t2", "calm"),
        ("x:t1", "great save, see the follow-up"),
    ]
    assert library[1].agent_id == "x:a1"


def test_review_page_helpers(demo_ws: Workspace) -> None:
    a = demo_ws.store.table("auto_scores")
    ticket = (
        a.filter((a.analyzer == "empathy") & (a.label == "present"))
        .ticket_id.to_pyarrow()[0]
        .as_py()
    )
    found = suggestions(demo_ws.store, ticket)
    assert any(s.category_id == "empathy" and s.event_id and s.evidence for s in found)
    assert all(s.label not in ("absent", "count") or s.event_id is None for s in found)
    assert not any(s.analyzer == "language" for s in found)
    timeline = conversation(demo_ws.store, ticket)
    assert timeline[0].kind == "created"
    assert [t.at for t in timeline] == sorted(t.at for t in timeline)
    assert {t.event_id for t in timeline} >= {s.event_id for s in found if s.event_id}


def test_qa_writes_do_not_mark_ticket_facts_stale(demo_ws: Workspace) -> None:
    demo_ws.store.clear_changes()
    demo_ws.submit_review(REVIEWER, "demo:t-000001", PERFECT)
    assert not ensure_facts(demo_ws.store).rebuilt
