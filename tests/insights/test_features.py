"""Point-in-time features (``sanjeh.insights``), hand-computed on a tiny store, and the
leakage test: rewriting everything after each ticket's cutoff changes no feature.

The tiny store (D0 = Monday 2026-03-02, UTC); customer c1 since D0 − 100 days:

    T1 (c1) created D0 09:00, email, normal, team a, agent x
        09:00 customer message        sentiment −0.5 (negative)
        10:00 agent message           rude
        10:30 priority → high
        11:00 customer message        sentiment +0.5 (positive)
        11:30 escalate
        12:00 status solved           ← cutoff
        13:00 status open (reopen) · 13:30 customer message −1.0 · 14:00 priority → urgent
        15:00 status solved
        CSAT 5/5 submitted D0 18:00
    T2 (c1) created D1 09:00: 09:00 customer message +0.2, 09:30 solved (no agent reply)
    T3 (c1) created D2 09:00, open (no events)
    c2 churned_at D0 + 10 d; c3 a churn outcome at D0 + 40 d
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.demo import generate
from sanjeh.insights import churn_labels, customer_features, ticket_features
from sanjeh.store import Store
from sanjeh.text import score_store

D0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def at(day: float, hour: float = 0) -> dt.datetime:
    return D0 + dt.timedelta(days=day, hours=hour)


def _event(eid: str, ticket: str, when: dt.datetime, kind: str, actor: str, **more: object) -> dict:
    return {
        "event_id": f"t:{eid}",
        "ticket_id": f"t:{ticket}",
        "at": when,
        "kind": kind,
        "actor_type": actor,
        **more,
    }


def _score(eid: str, ticket: str, analyzer: str, label: str, score: float | None = None) -> dict:
    return {
        "score_id": f"t:{eid}#{analyzer}",
        "ticket_id": f"t:{ticket}",
        "event_id": f"t:{eid}",
        "analyzer": analyzer,
        "label": label,
        "score": score,
        "version": "test",
    }


@pytest.fixture
def a1_tiny(store: Store) -> Store:
    customers = [
        {"customer_id": "t:c1", "source": "t", "segment": "smb", "plan": "pro", "value": 500.0,
         "created_at": at(-100)},
        {"customer_id": "t:c2", "source": "t", "created_at": at(-50), "churned_at": at(10)},
        {"customer_id": "t:c3", "source": "t", "created_at": at(-50)},
    ]  # fmt: skip
    ticket = {
        "source": "t", "customer_id": "t:c1", "channel": "email", "priority": "normal",
        "team_id": "t:a", "agent_id": "t:x", "category": "billing", "language": "en",
    }  # fmt: skip
    tickets = [
        {**ticket, "ticket_id": "t:T1", "created_at": at(0, 9), "status": "solved"},
        {**ticket, "ticket_id": "t:T2", "created_at": at(1, 9), "status": "solved"},
        {**ticket, "ticket_id": "t:T3", "created_at": at(2, 9), "status": "open"},
    ]
    events = [
        _event("e1", "T1", at(0, 9), "message", "customer", body="my bill is wrong"),
        _event("e2", "T1", at(0, 10), "message", "agent", body="read the faq", public=True),
        _event("e3", "T1", at(0, 10.5), "priority", "agent", priority="high"),
        _event("e4", "T1", at(0, 11), "message", "customer", body="thanks"),
        _event("e5", "T1", at(0, 11.5), "escalate", "agent", team_id="t:b"),
        _event("e6", "T1", at(0, 12), "status", "agent", status="solved"),
        _event("e7", "T1", at(0, 13), "status", "customer", status="open"),
        _event("e8", "T1", at(0, 13.5), "message", "customer", body="still wrong!"),
        _event("e9", "T1", at(0, 14), "priority", "agent", priority="urgent"),
        _event("e10", "T1", at(0, 15), "status", "agent", status="solved"),
        _event("e11", "T2", at(1, 9), "message", "customer", body="a question"),
        _event("e12", "T2", at(1, 9.5), "status", "agent", status="solved"),
    ]
    scores = [
        _score("e1", "T1", "sentiment", "negative", -0.5),
        _score("e2", "T1", "rude", "present"),
        _score("e4", "T1", "sentiment", "positive", 0.5),
        _score("e8", "T1", "sentiment", "negative", -1.0),
        _score("e11", "T2", "sentiment", "positive", 0.2),
    ]
    surveys = [
        {"response_id": "t:s1", "source": "t", "survey": "csat", "scale_min": 1, "scale_max": 5,
         "score": 5.0, "ticket_id": "t:T1", "sent_at": at(0, 16), "submitted_at": at(0, 18)},
    ]  # fmt: skip
    outcomes = [
        {"outcome_id": "t:o1", "source": "t", "customer_id": "t:c3", "at": at(40), "kind": "churn"}
    ]
    for name, rows in (
        ("customers", customers),
        ("tickets", tickets),
        ("events", events),
        ("auto_scores", scores),
        ("survey_responses", surveys),
        ("customer_outcomes", outcomes),
    ):
        store.write(name, rows)
    return store


def _rows(expr: object, key: str) -> dict[str, dict]:
    df = expr.execute()  # type: ignore[attr-defined]
    return {r[key]: r for r in df.to_dict("records")}


def test_ticket_features_at_the_solve(a1_tiny: Store) -> None:
    rows = _rows(ticket_features(a1_tiny), "ticket_id")
    assert sorted(rows) == ["t:T1", "t:T2"]  # T3 was never solved
    t1 = rows["t:T1"]
    assert pd.Timestamp(t1["cutoff_at"]) == pd.Timestamp(at(0, 12))
    expected = {
        "priority": "high",  # the 14:00 change to urgent is after the cutoff
        "team_id": "t:b",  # escalated to b at 11:30
        "agent_id": "t:x",
        "hour": 9,
        "weekday": 0,
        "elapsed_s": 3 * 3600.0,
        "replied": 1,
        "first_reply_wait_s": 3600.0,
        "agent_replies": 1,
        "customer_messages": 2,
        "reopens": 0,
        "escalations": 1,
        "handoffs": 0,
        "sentiment_mean": 0.0,
        "sentiment_min": -0.5,
        "sentiment_last": 0.5,
        "negative_messages": 1,
        "agent_rude": 1,
        "prev_tickets": 0,
        "prev_csat_answers": 0,
        "tenure_days": 100.5,
        "value": 500.0,
        "segment": "smb",
        "plan": "pro",
    }
    for name, value in expected.items():
        assert t1[name] == pytest.approx(value), name
    assert t1["prev_csat_satisfied"] is None or math.isnan(t1["prev_csat_satisfied"])

    t2 = rows["t:T2"]
    assert t2["replied"] == 0
    assert t2["first_reply_wait_s"] == pytest.approx(1800.0)  # a wait so far
    assert t2["agent_replies"] == 0
    assert t2["prev_tickets"] == 1
    assert t2["prev_csat_answers"] == 1  # T1's answer, submitted D0 18:00
    assert t2["prev_csat_satisfied"] == pytest.approx(1.0)
    assert t2["sentiment_last"] == pytest.approx(0.2)


def test_ticket_features_now(a1_tiny: Store) -> None:
    rows = _rows(ticket_features(a1_tiny, cutoff="now", as_of=at(0, 14.5)), "ticket_id")
    assert sorted(rows) == ["t:T1"]  # T2, T3 not created yet
    t1 = rows["t:T1"]
    assert bool(t1["is_open"]) is True  # reopened at 13:00
    assert t1["reopens"] == 1
    assert t1["priority"] == "urgent"
    assert t1["customer_messages"] == 3
    assert t1["sentiment_last"] == pytest.approx(-1.0)
    assert t1["sentiment_min"] == pytest.approx(-1.0)
    later = _rows(ticket_features(a1_tiny, cutoff="now", as_of=at(3)), "ticket_id")
    assert sorted(later) == ["t:T1", "t:T2", "t:T3"]
    assert [bool(later[t]["is_open"]) for t in ("t:T1", "t:T2", "t:T3")] == [False, False, True]
    assert later["t:T3"]["replied"] == 0
    assert later["t:T3"]["first_reply_wait_s"] == pytest.approx(15 * 3600.0)


def test_customer_features_and_churn(a1_tiny: Store) -> None:
    rows = _rows(customer_features(a1_tiny, at(1, 12)), "customer_id")
    assert sorted(rows) == ["t:c1", "t:c2", "t:c3"]
    c1 = rows["t:c1"]
    expected = {
        "recency_days": 0.125,
        "tickets_30d": 2,
        "tickets_365d": 2,
        "reopened_365d": 1,
        "escalated_365d": 1,
        "csat_answers": 1,
        "csat_satisfied": 1.0,
        "sentiment_mean": (-0.5 + 0.5 - 1.0 + 0.2) / 4,
        "sentiment_min_90d": -1.0,
        "tenure_days": 101.5,
        "worst_wait_h_90d": 3.0,  # T2, unanswered at D1 12:00 after 3 h
        "worst_wait_h_365d": 3.0,
        "reopened_90d": 1,
        "escalated_90d": 1,
        "csat_worst": 1.0,  # 5 on a 1-5 scale: the top
        "sentiment_min_365d": -1.0,
        "agent_rude_365d": 1,  # e2
        "days_to_anniversary": 365 - 101.5,
    }
    for name, value in expected.items():
        assert c1[name] == pytest.approx(value), name
    assert rows["t:c2"]["tickets_365d"] == 0
    assert rows["t:c2"]["agent_rude_365d"] == 0
    assert rows["t:c3"]["days_to_anniversary"] == pytest.approx(365 - 51.5)
    labels = _rows(churn_labels(a1_tiny, at(1, 12), 30), "customer_id")
    assert {k: bool(v["churned"]) for k, v in labels.items()} == {
        "t:c1": False,
        "t:c2": True,  # churned_at D0 + 10
        "t:c3": False,  # the churn outcome is D0 + 40: past the horizon
    }
    labels = _rows(churn_labels(a1_tiny, at(1, 12), 60), "customer_id")
    assert bool(labels["t:c3"]["churned"]) is True
    # gone at the time: left out
    assert sorted(_rows(customer_features(a1_tiny, at(20)), "customer_id")) == ["t:c1", "t:c3"]
    assert sorted(_rows(customer_features(a1_tiny, at(41)), "customer_id")) == ["t:c1"]


# -- leakage ------------------------------------------------------------------------------

KINDS = ("message", "status", "priority", "escalate", "handoff", "assign", "other")
STATUSES = ("new", "open", "pending", "solved", "closed", None)


def _features(store: Store, as_of: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    solved = ticket_features(store).order_by("ticket_id").execute()
    now = ticket_features(store, cutoff="now", as_of=as_of).order_by("ticket_id").execute()
    customers = customer_features(store, as_of).order_by("customer_id").execute()
    return (
        solved.reset_index(drop=True),
        now.reset_index(drop=True),
        customers.reset_index(drop=True),
    )


@pytest.fixture
def a1_demo(store: Store) -> Store:
    generate(store, tickets=150, seed=5, days=30, transcripts=False)
    score_store(store)
    return store


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_future_rows_change_no_point_in_time_feature(a1_demo: Store, seed: int) -> None:
    import numpy as np

    store = a1_demo
    rng = np.random.default_rng(seed)
    events = store.table("events").execute()
    end = pd.Timestamp(events["at"].max())
    as_of = pd.Timestamp(events["at"].min()) + (end - pd.Timestamp(events["at"].min())) / 2
    as_of = as_of.to_pydatetime()
    before = _features(store, as_of)
    cut = before[0].set_index("ticket_id").cutoff_at
    solve = events.ticket_id.map(cut)
    # events of solved tickets after both their solve and as_of: unseen by either cutoff
    after = events[solve.notna() & (events["at"] > solve) & (events["at"] > as_of)].copy()
    assert len(after) > 50
    n = len(after)
    after["at"] = after["at"] + pd.to_timedelta(rng.integers(0, 3 * 86_400, n), unit="s")
    after["kind"] = rng.choice(KINDS, n)
    after["actor_type"] = rng.choice(("customer", "agent", "bot", "system"), n)
    after["status"] = [STATUSES[i] for i in rng.integers(0, len(STATUSES), n)]
    after["priority"] = rng.choice(("low", "normal", "high", "urgent"), n)
    after["team_id"] = rng.choice(("demo:billing", "demo:x"), n)
    after["agent_id"] = rng.choice(("demo:a-001", "demo:a-999"), n)
    after["body"] = [f"changed {i}" for i in rng.integers(0, 10**6, n)]
    store.write("events", after.astype(object).where(after.notna(), None).to_dict("records"))
    # their text scores too, and future tickets and survey answers
    store.write(
        "auto_scores",
        [
            {"score_id": f"{e}#{analyzer}", "ticket_id": t, "event_id": e, "analyzer": analyzer,
             "label": label, "score": float(rng.uniform(-1, 1)), "version": "test"}
            for e, t in zip(after.event_id, after.ticket_id, strict=True)
            for analyzer, label in (("sentiment", "negative"), ("rude", "present"))
        ],
    )  # fmt: skip
    customers = store.table("customers").customer_id.execute().tolist()
    later = end.to_pydatetime() + dt.timedelta(days=1)
    store.write(
        "tickets",
        [
            {"ticket_id": f"future:{seed}-{i}", "source": "future", "customer_id": c,
             "created_at": later, "status": "open"}
            for i, c in enumerate(customers[:20])
        ],
    )  # fmt: skip
    store.write(
        "survey_responses",
        [
            {"response_id": f"future:{seed}-{t}", "source": "future", "survey": "csat",
             "scale_min": 1, "scale_max": 5, "score": float(rng.integers(1, 6)), "ticket_id": t,
             "sent_at": later, "submitted_at": later}
            for t in before[0].ticket_id[:30]
        ],
    )  # fmt: skip
    after_solved, after_now, after_customers = _features(store, as_of)
    pd.testing.assert_frame_equal(after_solved, before[0], check_dtype=False)
    pd.testing.assert_frame_equal(after_now, before[1], check_dtype=False)
    pd.testing.assert_frame_equal(after_customers, before[2], check_dtype=False)
