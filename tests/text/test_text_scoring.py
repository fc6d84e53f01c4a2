"""Scoring a store into auto_scores: what is new only, idempotent, versioned (both backends)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import pytest

from sanjeh import text
from sanjeh.errors import ConfigError
from sanjeh.store import Store
from sanjeh.text import Doc, Signal

D0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def event(ticket: str, n: int, actor: str, body: str | None, **extra) -> dict:
    return {
        "event_id": f"s:{ticket}-{n}",
        "ticket_id": f"s:{ticket}",
        "at": D0 + dt.timedelta(days=int(ticket), minutes=n),
        "kind": "message",
        "actor_type": actor,
        "public": True,
        "body": body,
        **extra,
    }


EVENTS = [
    event("1", 1, "customer", "My order is late and I want to speak to your manager."),
    event("1", 2, "agent", "Hello, I am sorry for the delay. I will take care of this."),
    event("1", 3, "agent", "internal: customer is upset", public=False),  # a private note
    event("1", 4, "system", "status changed"),
    event("2", 1, "customer", "سلام، سفارشم نرسیده"),
    event("2", 2, "agent", "سلام وقت بخیر، بابت تاخیر عذرخواهی می‌کنم."),
    event("2", 3, "customer", "\u00a0 \u3000"),  # blank for Python, not for SQL TRIM
    event("3", 1, "customer", "مرحبا، الخدمة سيئة جدا"),
    event("3", 2, "bot", "مرحبا! كيف أقدر أساعدك؟"),
]
TICKETS = [
    {"ticket_id": f"s:{i}", "source": "s", "created_at": D0 + dt.timedelta(days=i)}
    for i in (1, 2, 3, 4)
]


@pytest.fixture
def loaded(store: Store) -> Store:
    store.write("tickets", TICKETS)
    store.write("events", EVENTS)
    return store


def stored(store: Store) -> dict[str, dict]:
    rows = store.table("auto_scores").to_pyarrow().to_pylist()
    return {r["score_id"]: r for r in rows}


@dataclasses.dataclass(frozen=True)
class Fixed:
    """An analyzer that gives every message the same verdict."""

    name: str
    label: str
    version: str
    roles: frozenset[str] = frozenset({"customer"})

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        return [Signal(self.name, self.label, 0.0, (), self.version) for _ in docs]


def test_rows_match_auto_score_rows_with_ids_and_stamps(loaded: Store) -> None:
    summary = text.score_store(loaded)
    assert (summary.tickets, summary.messages) == (3, 6)  # note, system, blank: not scored
    rows = stored(loaded)
    expected = text.auto_score_rows([e for e in EVENTS if e["body"].strip()])
    assert len(rows) == expected.num_rows == summary.inserted == summary.rows
    for r in expected.to_pylist():
        key = f"{r['event_id'] or r['ticket_id']}#{r['analyzer']}"
        assert {k: rows[key][k] for k in r} == pytest.approx(r)
        assert rows[key]["scored_at"] is not None
    assert rows["s:1-2#greeting"]["label"] == "present"
    assert rows["s:1#conversation.escalation_request"]["label"] == "present"
    assert not any(k.startswith(("s:1-3#", "s:1-4#", "s:2-3#")) for k in rows)


def test_running_again_changes_nothing(loaded: Store) -> None:
    text.score_store(loaded)
    before = stored(loaded)
    again = text.score_store(loaded)
    assert (again.tickets, again.messages, again.inserted, again.replaced) == (0, 0, 0, 0)
    # re-scoring a window on purpose finds every row as it was, scored_at included
    window = text.score_store(loaded, since=D0.date())
    assert window.tickets == 3 and window.unchanged == window.rows > 0
    assert (window.inserted, window.replaced, window.retired) == (0, 0, 0)
    assert stored(loaded) == before


def test_only_new_conversations_and_messages_are_scored(loaded: Store) -> None:
    text.score_store(loaded)
    loaded.write(
        "events",
        [
            event("2", 4, "customer", "Thanks, that is great."),
            event("4", 1, "customer", "Where is my refund?"),
        ],
    )
    summary = text.score_store(loaded)
    assert summary.tickets == 2  # ticket 2 again (a new message) and the new ticket 4
    assert summary.messages == 4  # 2 earlier + 1 new in ticket 2, 1 in ticket 4
    assert summary.unchanged > 0 and summary.inserted > 0
    rows = stored(loaded)
    assert rows["s:2-4#sentiment"]["label"] == "positive"
    assert rows["s:2#conversation.customer_sentiment_trend"]["label"] == "improving"


def test_since_rescores_only_recent_conversations(loaded: Store) -> None:
    text.score_store(loaded)
    summary = text.score_store(loaded, since=(D0 + dt.timedelta(days=3)).isoformat())
    assert summary.tickets == 1  # ticket 3, written on day 3


def test_a_new_analyzer_version_replaces_rows(loaded: Store) -> None:
    text.score_store(loaded)
    text.registry.register(Fixed("escalation_request", "absent", "stub-2"))
    summary = text.score_store(loaded)
    assert summary.tickets == 3  # every ticket has a customer message
    rows = stored(loaded)
    assert rows["s:1-1#escalation_request"]["version"] == "stub-2"
    assert summary.replaced >= 1  # s:1-1 was "present"
    # the conversation-level escalation row is not produced any more: retired, not left
    retired = rows["s:1#conversation.escalation_request"]
    assert (retired["label"], retired["score"]) == (text.RETIRED, None)
    assert summary.retired == 2  # and conversation.count.escalation_request
    assert text.score_store(loaded).messages == 0


def test_batches_never_split_a_conversation(loaded: Store, tmp_path) -> None:
    seen: list[tuple[int, int]] = []
    summary = text.score_store(loaded, batch=1, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    one_go = Store.open(str(tmp_path / "one.duckdb"))
    one_go.write("tickets", TICKETS)
    one_go.write("events", EVENTS)
    text.score_store(one_go, batch=10_000)

    def content(s: Store) -> dict:
        return {k: {**v, "scored_at": None} for k, v in stored(s).items()}

    assert content(loaded) == content(one_go) and summary.inserted == len(content(one_go))
    one_go.close()


def test_bad_arguments_are_clear(loaded: Store) -> None:
    with pytest.raises(ConfigError, match="not a date"):
        text.score_store(loaded, since="last tuesday")
    with pytest.raises(ConfigError, match="reserved or used twice"):
        text.score_store(loaded, analyzers=[Fixed("language", "x", "1")])
