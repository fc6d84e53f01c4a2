"""Events -> rows of the future auto_scores table."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from sanjeh import text
from sanjeh.errors import ValidationError

EVENTS = [
    {
        "event_id": "h:1-1",
        "ticket_id": "h:1",
        "actor_type": "customer",
        "public": True,
        "body": "سلام، سفارشم نرسیده",
        "at": "2026-03-01T08:00:00Z",
    },
    {
        "event_id": "h:1-2",
        "ticket_id": "h:1",
        "actor_type": "agent",
        "public": True,
        "body": "سلام وقت بخیر، بابت تاخیر عذرخواهی می‌کنم. تا فردا خبرتون میکنم.",
        "at": "2026-03-01T08:05:00Z",
    },
    {
        "event_id": "h:1-3",
        "ticket_id": "h:1",
        "actor_type": "agent",
        "public": False,
        "body": "مشتری بداخلاقه",
        "at": "2026-03-01T08:06:00Z",
    },  # internal note: skipped
    {
        "event_id": "h:1-4",
        "ticket_id": "h:1",
        "actor_type": "system",
        "public": True,
        "body": "status -> solved",
        "at": "2026-03-01T08:07:00Z",
    },  # system: skipped
    {
        "event_id": "h:2-1",
        "ticket_id": "h:2",
        "actor_type": "customer",
        "public": True,
        "body": "I want to speak to your manager!",
        "at": "2026-03-02T09:00:00Z",
    },
]


def test_rows_from_dicts() -> None:
    table = text.auto_score_rows(EVENTS)
    assert table.schema == text.AUTO_SCORES_SCHEMA
    rows = table.to_pylist()
    events = {r["event_id"] for r in rows}
    assert events == {"h:1-1", "h:1-2", "h:2-1", None}
    customer = {r["analyzer"] for r in rows if r["event_id"] == "h:1-1"}
    agent = {r["analyzer"] for r in rows if r["event_id"] == "h:1-2"}
    assert customer == {"language", "sentiment", "escalation_request"}
    assert {"greeting", "apology", "follow_up", "politeness", "rude"} <= agent
    assert "sentiment" not in agent
    apology = next(r for r in rows if r["event_id"] == "h:1-2" and r["analyzer"] == "apology")
    assert apology["label"] == "present" and apology["version"].startswith("rules-")
    evidence = json.loads(apology["evidence"])
    body = EVENTS[1]["body"]
    assert all(body[e["start"] : e["end"]] == e["text"] for e in evidence) and evidence
    conversation = {
        r["analyzer"]: r for r in rows if r["ticket_id"] == "h:1" and r["event_id"] is None
    }
    assert conversation["conversation.greeting"]["label"] == "present"
    assert 0 <= conversation["conversation.quality"]["score"] <= 100
    escalation = [
        r for r in rows if r["ticket_id"] == "h:2" and r["analyzer"] == "escalation_request"
    ]
    assert [r["label"] for r in escalation] == ["present"]
    assert "conversation.quality" not in {r["analyzer"] for r in rows if r["ticket_id"] == "h:2"}


def test_rows_from_arrow_table_match_rows_from_dicts() -> None:
    table = pa.Table.from_pylist(EVENTS)
    assert text.auto_score_rows(table).equals(text.auto_score_rows(EVENTS))


def test_missing_columns_are_refused() -> None:
    with pytest.raises(ValidationError):
        text.auto_score_rows([{"event_id": "x", "body": "hi"}])
    with pytest.raises(ValidationError):
        text.auto_score_rows(pa.table({"event_id": ["x"]}))


def test_empty_batch() -> None:
    table = text.auto_score_rows([])
    assert table.num_rows == 0 and table.schema == text.AUTO_SCORES_SCHEMA
