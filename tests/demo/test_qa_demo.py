"""`generate_qa`: the demo's QA workflow, read back through `sanjeh.qa` and the KPIs."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Actor
from sanjeh.demo import QA_LEAD, REVIEWERS, QaSummary, generate, generate_qa
from sanjeh.demo._qa import QA_TABLES
from sanjeh.qa import Scorecard, Workspace, coaching_effect, review_score
from sanjeh.store import Store

SEED = 11
TICKETS = 2000


def _make(path: Path) -> tuple[Store, QaSummary]:
    store = Store.open(str(path))
    generate(store, tickets=TICKETS, seed=SEED)
    return store, generate_qa(store, seed=SEED)


@pytest.fixture(scope="module")
def qa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, QaSummary]]:
    store, summary = _make(tmp_path_factory.mktemp("qa_demo") / "demo.duckdb")
    with store:
        yield store, summary


def _rows(store: Store, table: str) -> list[dict[str, Any]]:
    return sorted(store.table(table).to_pyarrow().to_pylist(), key=lambda r: r["row_id"])


def _latest(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r[key] not in out or r["revision"] > out[r[key]]["revision"]:
            out[r[key]] = r
    return list(out.values())


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def test_same_seed_same_rows(qa: tuple[Store, QaSummary], tmp_path: Path) -> None:
    store, summary = qa
    other, again = _make(tmp_path / "again.duckdb")
    with other:
        for table in QA_TABLES:
            assert _rows(other, table) == _rows(store, table), table
        # the library goes on from the generated state: a manager decides the escalation
        ws = Workspace(other)
        escalated = next(d for d in ws.disputes(LOCAL_ADMIN) if d.status == "escalated")
        decided = ws.resolve_dispute(
            Actor(QA_LEAD, "manager"), escalated.dispute_id, "rejected", "stands"
        )
        assert decided.escalated and decided.status == "rejected"
    assert again.rows == summary.rows


def test_second_call_is_skipped(qa: tuple[Store, QaSummary]) -> None:
    """Idempotent by refusing: with QA reviews in the store nothing is written."""
    store, _ = qa
    before = store.counts(list(QA_TABLES))
    second = generate_qa(store, seed=SEED)
    assert second.skipped and second.reviews == 0 and "already" in second.describe()
    assert store.counts(list(QA_TABLES)) == before


def test_volume_and_shape(qa: tuple[Store, QaSummary]) -> None:
    store, summary = qa
    assert not summary.skipped
    assert summary.rows == store.counts(list(QA_TABLES))
    reviews = _latest(_rows(store, "qa_reviews"), "review_id")
    graded = [r for r in reviews if r["calibration_id"] is None]
    assert len(graded) == summary.reviews >= 40
    assert {r["reviewer_id"] for r in graded} == set(REVIEWERS)
    # spread over every human agent with conversations in the window
    per_agent = [sum(r["agent_id"] == a for r in graded) for a in {r["agent_id"] for r in graded}]
    assert len(per_agent) >= 10 and max(per_agent) - min(per_agent) <= 3
    ratings = [json.loads(r["ratings"]) for r in graded]
    assert any(None in x.values() for x in ratings)  # N/A where allowed
    assert any(r["failed_critical"] for r in _rows(store, "qa_reviews") if r["revision"] == 1)
    assert any(r["comments"] != "{}" for r in graded)
    assert any(r["root_causes"] != "{}" for r in graded)
    assert summary.calibration_reviews == 15 and summary.coaching_sessions == 2
    assert 5 <= summary.wow <= 10 and summary.disputes == 6
    assert 0 < summary.completed_assignments < summary.assignments


def test_scores_are_the_library_formula(qa: tuple[Store, QaSummary]) -> None:
    store, _ = qa
    cards = {
        (r["scorecard_id"], r["revision"]): Scorecard.from_dict(json.loads(r["definition"]))
        for r in _rows(store, "qa_scorecards")
    }
    rows = _rows(store, "qa_reviews")
    for r in rows:
        card = cards[(r["scorecard_id"], r["scorecard_version"])]
        result = review_score(card, json.loads(r["ratings"]))
        assert r["score"] == pytest.approx(result.score, abs=1e-9), r["row_id"]
        assert r["failed_critical"] == result.failed_critical
        assert r["pass_threshold"] == card.pass_threshold
        assert r["row_id"] == f"{r['review_id']}@{r['revision']}"
        causes = json.loads(r["root_causes"])
        for category, chosen in causes.items():
            assert set(chosen) <= set(card.category(category).root_causes)
    # revisions count up from 1 without gaps
    by_id: dict[str, list[int]] = {}
    for r in rows:
        by_id.setdefault(r["review_id"], []).append(r["revision"])
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in by_id.values())


def test_the_library_reads_it_back(qa: tuple[Store, QaSummary]) -> None:
    store, summary = qa
    ws = Workspace(store)
    scores = ws.scores(LOCAL_ADMIN)
    assert len(scores) >= 10 and all(s.iqs is not None and 0 <= s.iqs <= 100 for s in scores)
    assert sum(s.reviews for s in scores) == summary.reviews
    assert {s.key for s in ws.scores(LOCAL_ADMIN, by="reviewer")} == set(REVIEWERS)

    disputes = ws.disputes(LOCAL_ADMIN)
    assert sorted(d.status for d in disputes) == sorted(
        ["open", "open", "rejected", "partly_accepted", "accepted", "escalated"]
    )
    for d in disputes:
        history = ws.history(LOCAL_ADMIN, d.review_id)
        notes = [h.note for h in history]
        assert notes[:3] == ["submitted", "dispute opened", "opened"], notes
        review = ws.review(LOCAL_ADMIN, d.review_id)
        assert review.status == ("disputed" if d.is_open else "resolved")
        assert d.review_revision == review.revision
        if d.status == "escalated":
            assert d.escalated and notes[-2:] == ["dispute escalated", "escalated"]
        if d.status == "partly_accepted":
            scored = [h.score for h in history if h.kind == "review"]
            assert scored[-1] != scored[0] and notes[-1] == "partly_accepted"
        agent = Actor("agent-user", "agent", agent_id=d.agent_id)
        assert d.dispute_id in {x.dispute_id for x in ws.disputes(agent)}

    (cal,) = ws.calibrations(LOCAL_ADMIN)
    assert cal.blind and cal.reviewers == list(REVIEWERS) and len(cal.ticket_ids) == 5
    report = ws.calibration_report(LOCAL_ADMIN, cal.calibration_id)
    assert report.alpha is not None and all(not m for m in report.missing.values())
    assert set(report.reviewer_alignment) == set(REVIEWERS)
    reviewer = Actor(REVIEWERS[0], "reviewer")
    assert ws.calibration_report(reviewer, cal.calibration_id).alpha == report.alpha
    calibration_reviews = ws.reviews(LOCAL_ADMIN, calibration_id=cal.calibration_id)
    assert len(calibration_reviews) == 15

    (cycle,) = ws.cycles(LOCAL_ADMIN)
    assignments = ws.assignments(LOCAL_ADMIN, cycle_id=cycle.cycle_id)
    done = [a for a in assignments if a.status == "completed"]
    assert len(assignments) == summary.assignments and len(done) == summary.completed_assignments
    for a in done:
        review = ws.review(LOCAL_ADMIN, a.review_id or "")
        assert (review.ticket_id, review.reviewer_id) == (a.ticket_id, a.reviewer_id)

    sessions = ws.coaching(LOCAL_ADMIN)
    # the two agents with the lowest IQS (over at least two reviews)
    lowest = [s.key or "" for s in sorted(scores, key=lambda s: s.iqs or 0.0) if s.reviews >= 2]
    assert sorted(s.agent_id for s in sessions) == sorted(lowest[:2])
    assert sum(a.done for s in sessions for a in s.action_items) == 1
    for s in sessions:
        assert all(ws.review(LOCAL_ADMIN, rid).agent_id == s.agent_id for rid in s.review_ids)
        effect = coaching_effect(store, s)
        assert effect.before.end == effect.after.start == s.held_on

    wow = ws.wow_library(LOCAL_ADMIN)
    assert len(wow) == summary.wow
    graded = {r.ticket_id: r for r in ws.reviews(LOCAL_ADMIN)}
    assert all((graded[w.ticket_id].score or 0) >= 90 for w in wow)


def test_iqs_kpi_matches_the_rows(qa: tuple[Store, QaSummary]) -> None:
    from sanjeh.metrics import kpis

    store, _ = qa
    rows = _latest(_rows(store, "qa_reviews"), "review_id")
    by_agent: dict[str, list[float]] = {}
    for r in rows:
        if r["status"] != "draft" and r["calibration_id"] is None:
            by_agent.setdefault(r["agent_id"], []).append(r["score"])
    frame = kpis(store, ["iqs", "qa_reviews"], by="agent")
    iqs = {r["agent"]: r["value"] for r in frame.to_dict("records") if r["kpi"] == "iqs"}
    count = {r["agent"]: r["value"] for r in frame.to_dict("records") if r["kpi"] == "qa_reviews"}
    assert set(iqs) == set(by_agent)
    for agent, scores in by_agent.items():
        assert math.isclose(iqs[agent], sum(scores) / len(scores), rel_tol=1e-9)
        assert count[agent] == len(scores)


def test_dates_follow_the_conversations(qa: tuple[Store, QaSummary]) -> None:
    store, _ = qa
    e = store.table("events")
    solved = {
        r["ticket_id"]: _utc(r["at"])
        for r in e.filter((e.kind == "status") & (e.status == "solved"))
        .group_by("ticket_id")
        .aggregate(at=e.at.max())
        .to_pyarrow()
        .to_pylist()
    }
    t = store.table("tickets")
    end = _utc(t.updated_at.max().to_pyarrow().as_py())
    now = dt.datetime.now(dt.UTC)
    for r in _rows(store, "qa_reviews"):
        created, changed = _utc(r["created_at"]), _utc(r["changed_at"])
        assert solved[r["ticket_id"]] < created <= changed <= min(end, now), r["row_id"]
    for table in ("qa_disputes", "qa_assignments", "qa_coaching", "qa_calibrations", "qa_wow"):
        for r in _rows(store, table):
            assert _utc(r["changed_at"]) <= min(end, now), (table, r["row_id"])
    # each record's revisions are written in order
    for table, key in (("qa_reviews", "review_id"), ("qa_disputes", "dispute_id")):
        seen: dict[str, list[tuple[int, dt.datetime]]] = {}
        for r in _rows(store, table):
            seen.setdefault(r[key], []).append((r["revision"], _utc(r["changed_at"])))
        for revs in seen.values():
            times = [at for _, at in sorted(revs)]
            assert times == sorted(times)
