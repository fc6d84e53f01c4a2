"""Conversation-quality KPIs against hand-computed values, on DuckDB and PostgreSQL.

Five conversations on Monday 2026-03-02 (UTC), scored by the default analyzers
(``sanjeh.text.score_store``), then ``facts_quality`` and the KPIs. What the analyzers find
in each message (the lexicon phrase in «…», weights from src/sanjeh/text/lexicons):

Q1 (agent a1, en)  customer «late» (sentiment −1 → −1/√5 = −0.4472)
                   agent «Hello» greeting, «I am sorry» apology, «I understand your
                   frustration» empathy, «I will take care of» ownership
                   customer «Thanks» (+1 → +0.4472)
                   agent «Is there anything else» closing («I can help» in a question is an
                   offer, not positive framing: no framing phrase at all gives 10 of 15)
Q2 (agent a1, en)  customer «speak to your manager» escalation request (no sentiment: 0)
                   agent «not possible» negative framing; no greeting, no closing
Q3 (agent a2, fa)  customer «نرسیده» (−1.5 → −1.5/√(1.5²+4) = −0.6)
                   agent «سلام» greeting, «عذرخواهی» apology, «خودم پیگیری می‌کنم» ownership
Q4 (no agent, ar)  one customer message, «سيئة» negative: nothing to judge agents by
Q5 (agent a2, en)  merged into Q1: «Hello» greeting, «I understand your frustration» empathy

Quality scores (docs/text.md rubric: greeting, closing, politeness, empathy, positive
language, ownership, active listening, customer outcome, − escalation):
Q1 10 + 10 + 0 + 10 + 10 + 10 + 5 + (10 × (1 + 0.4472) / 2 + 10 improving) = 72.24 → 72.2
Q2  0 +  0 + 0 + 10 +  0 +  5 + 5 + (10 × (1 + 0) / 2 + 5 unknown) − 5 = 25.0
Q3 10 +  0 + 0 + 10 + 10 + 10 + 5 + (10 × (1 − 0.6) / 2 + 5 unknown) = 52.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from sanjeh import text
from sanjeh.metrics import MetricOptions, MetricsConfig, kpis
from sanjeh.metrics._quality_facts import RETIRED
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store

D0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

CONVERSATIONS = {
    "Q1": ("a1", "en", None, [
        ("customer", "My order is late."),
        ("agent", "Hello! I am sorry for the delay, I understand your frustration. "
                  "I will take care of this."),
        ("customer", "Thanks."),
        ("agent", "Is there anything else I can help you with?"),
    ]),
    "Q2": ("a1", "en", None, [
        ("customer", "I want to speak to your manager."),
        ("agent", "That is not possible."),
    ]),
    "Q3": ("a2", "fa", None, [
        ("customer", "سلام، سفارشم نرسیده"),
        ("agent", "سلام وقت بخیر، بابت تاخیر عذرخواهی می‌کنم. خودم پیگیری می‌کنم."),
    ]),
    "Q4": ("a2", "ar", None, [("customer", "مرحبا، الخدمة سيئة جدا")]),
    "Q5": ("a2", "en", "q:Q1", [("agent", "Hello, I understand your frustration.")]),
}  # fmt: skip

EXPECTED = {
    # name: (value, n)
    "empathy_rate": (1 / 3, 3),  # Q1 of Q1, Q2, Q3 (Q4 has no agent message, Q5 is merged)
    "apology_rate": (2 / 3, 3),  # Q1, Q3
    "negative_language_rate": (1 / 3, 3),  # Q2
    "greeting_compliance": (2 / 3, 3),  # Q1, Q3
    "closing_compliance": (1 / 3, 3),  # Q1
    "ownership_rate": (2 / 3, 3),  # Q1, Q3
    "escalation_request_rate": (1 / 4, 4),  # Q2 of Q1-Q4 (each has a customer message)
    "customer_sentiment_change": (0.8944, 1),  # Q1 only has two customer messages: 2/√5
    "auto_quality_score": ((72.2 + 25.0 + 52.0) / 3, 3),
}


def load(store: Store) -> None:
    tickets, events = [], []
    for n, (tid, (agent, language, merged, messages)) in enumerate(CONVERSATIONS.items()):
        created = D0 + dt.timedelta(hours=n)
        tickets.append(
            {
                "ticket_id": f"q:{tid}",
                "source": "q",
                "created_at": created,
                "channel": "chat",
                "team_id": "q:support",
                "agent_id": f"q:{agent}",
                "language": language,
                "merged_into": merged,
            }
        )
        for i, (role, body) in enumerate(messages):
            events.append(
                {
                    "event_id": f"q:{tid}-{i}",
                    "ticket_id": f"q:{tid}",
                    "at": created + dt.timedelta(minutes=i),
                    "kind": "message",
                    "actor_type": role,
                    "actor_id": f"q:{agent}" if role == "agent" else f"q:c-{tid}",
                    "public": True,
                    "body": body,
                }
            )
    store.write("tickets", tickets)
    store.write("events", events)
    text.registry.reset()
    text.score_store(store)


@pytest.fixture(scope="module", params=BACKENDS)
def quality(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, load) as store:
        yield store


def values(store: Store, names=None, **kw) -> dict:
    cfg = MetricsConfig(options=MetricOptions(**kw.pop("options", {})))
    df = kpis(store, names or list(EXPECTED), config=cfg, **kw)
    return {(r.kpi, *(getattr(r, b) for b in kw.get("by", []))): r for r in df.itertuples()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_quality_kpi_values(quality: Store, name: str) -> None:
    value, n = EXPECTED[name]
    row = values(quality, [name])[(name,)]
    assert row.value == pytest.approx(value, abs=1e-9)
    assert row.n == n


def test_quality_score_by_agent(quality: Store) -> None:
    rows = values(quality, ["auto_quality_score", "greeting_compliance"], by=["agent"])
    assert rows[("auto_quality_score", "q:a1")].value == pytest.approx((72.2 + 25.0) / 2)
    assert rows[("auto_quality_score", "q:a2")].value == pytest.approx(52.0)
    assert rows[("greeting_compliance", "q:a1")].value == pytest.approx(1 / 2)  # Q1, not Q2


def test_merged_conversations_count_when_asked(quality: Store) -> None:
    merged = {"include_merged": True}
    rows = values(quality, ["greeting_compliance", "empathy_rate"], options=merged)
    greeting = rows[("greeting_compliance",)]
    assert (greeting.value, greeting.n) == (pytest.approx(3 / 4), 4)  # Q5 greets too
    assert rows[("empathy_rate",)].value == pytest.approx(2 / 4)  # Q1 and Q5


def test_facts_leave_what_cannot_apply_empty(quality: Store) -> None:
    facts = quality.con.table("facts_quality").to_pyarrow().to_pylist()
    by_id = {r["ticket_id"]: r for r in facts}
    assert set(by_id) == {f"q:Q{i}" for i in range(1, 6)}
    q4 = by_id["q:Q4"]  # a customer alone: no verdict on agents, no sentiment change
    assert q4["greeting"] is None and q4["empathy"] is None and q4["quality_score"] is None
    assert q4["escalation_request"] is False and q4["sentiment_change"] is None
    assert q4["sentiment_start"] == pytest.approx(q4["sentiment_end"]) and q4["messages"] == 1
    q1 = by_id["q:Q1"]
    assert (q1["sentiment_start"], q1["sentiment_end"]) == (
        pytest.approx(-0.4472),
        pytest.approx(0.4472),
    )
    assert q1["empathy_when_needed"] is True and q1["messages"] == 4
    assert by_id["q:Q2"]["negative_language"] is True and by_id["q:Q2"]["closing"] is False
    assert RETIRED == text.RETIRED  # the facts leave out retired rows by this label
