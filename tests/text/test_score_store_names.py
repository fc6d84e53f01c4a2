"""score_store reads each ticket's customer name, so ``personalisation`` is right in
auto_scores (both backends, a real store)."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from sanjeh import text
from sanjeh.store import Store

D0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def ticket(n: int, customer: str | None) -> dict:
    return {
        "ticket_id": f"s:{n}",
        "source": "s",
        "created_at": D0 + dt.timedelta(days=n),
        "customer_id": customer,
    }


def message(n: int, k: int, actor: str, body: str) -> dict:
    return {
        "event_id": f"s:{n}-{k}",
        "ticket_id": f"s:{n}",
        "at": D0 + dt.timedelta(days=n, minutes=k),
        "kind": "message",
        "actor_type": actor,
        "public": True,
        "body": body,
    }


CUSTOMERS = [
    {"customer_id": "s:c-sara", "source": "s", "name": "Sara Ahmadi"},
    {"customer_id": "s:c-sara-fa", "source": "s", "name": "سارا احمدی"},
    {"customer_id": "s:c-blank", "source": "s", "name": " "},
    {"customer_id": "s:c-redacted", "source": "s", "name": "[NAME]"},
]
TICKETS = [
    ticket(1, "s:c-sara"),  # named in the reply
    ticket(2, "s:c-sara"),  # not named in the reply
    ticket(3, "s:c-sara-fa"),  # named in Persian, with Arabic letter variants
    ticket(4, None),  # no customer
    ticket(5, "s:c-missing"),  # a customer id with no customers row
    ticket(6, "s:c-blank"),
    ticket(7, "s:c-redacted"),  # imported with --redact
]
HELLO = "Hi Sara, your refund is on its way."
EVENTS = [
    message(1, 1, "customer", "Where is my refund?"),
    message(1, 2, "agent", HELLO),
    message(2, 1, "customer", "Where is my refund?"),
    message(2, 2, "agent", "Hello, your refund is on its way."),
    message(3, 1, "customer", "سفارشم کجاست؟"),
    message(3, 2, "agent", "خانم احمدي، سفارشتان ارسال شد."),  # title + surname, Arabic ي
    *(message(n, 2, "agent", HELLO) for n in (4, 5, 6, 7)),
]


def personalisation(store: Store) -> dict[str, tuple[str, str | None]]:
    """event_id -> (label, evidence text) of the stored personalisation rows."""
    t = store.table("auto_scores")
    rows = t.filter(t.analyzer == "personalisation").to_pyarrow().to_pylist()
    out = {}
    for r in rows:
        spans = json.loads(r["evidence"] or "[]")
        out[r["event_id"]] = (r["label"], spans[0]["text"] if spans else None)
    return out


@pytest.fixture
def loaded(store: Store) -> Store:
    store.write("customers", CUSTOMERS)
    store.write("tickets", TICKETS)
    store.write("events", EVENTS)
    return store


def test_the_customer_name_reaches_personalisation(loaded: Store) -> None:
    summary = text.score_store(loaded)
    assert summary.tickets == 7
    found = personalisation(loaded)
    assert found["s:1-2"] == ("present", "Sara")
    assert found["s:2-2"] == ("absent", None)
    assert found["s:3-2"] == ("present", "خانم احمدي")
    # no customer, no customers row, a blank or redacted name: nothing to look for
    for n in (4, 5, 6, 7):
        assert found[f"s:{n}-2"] == ("none", None), n
    # the same rows as auto_score_rows given the names
    names = {"s:1": "Sara Ahmadi", "s:2": "Sara Ahmadi", "s:3": "سارا احمدی"}
    given = [{**e, "customer_name": names.get(e["ticket_id"])} for e in EVENTS]
    expected = text.auto_score_rows(given).to_pylist()
    t = loaded.table("auto_scores")
    stored = {r["score_id"]: r for r in t.to_pyarrow().to_pylist()}
    assert len(stored) == len(expected)
    for r in expected:
        row = stored[f"{r['event_id'] or r['ticket_id']}#{r['analyzer']}"]
        assert {k: row[k] for k in r} == pytest.approx(r)
    assert text.score_store(loaded).tickets == 0  # running again: nothing is pending


def test_customers_named_after_scoring_are_scored_again(store: Store) -> None:
    store.write("tickets", TICKETS)
    store.write("events", EVENTS)
    text.score_store(store)
    assert personalisation(store)["s:1-2"] == ("none", None)
    store.write("customers", CUSTOMERS)
    summary = text.score_store(store)
    assert summary.tickets == 3  # the tickets whose customer now has a name
    assert summary.replaced == 3  # one personalisation row each, "none" before
    assert summary.inserted == 2  # conversation.count.personalisation of tickets 1 and 3
    assert personalisation(store)["s:1-2"] == ("present", "Sara")
    assert text.score_store(store).tickets == 0
    # a name removed (redacted): its tickets go back to "none"
    store.write("customers", [{**CUSTOMERS[0], "name": "[NAME]"}])
    assert text.score_store(store).tickets == 2
    found = personalisation(store)
    assert found["s:1-2"] == found["s:2-2"] == ("none", None)


def test_auto_score_rows_reads_an_optional_name_column() -> None:
    events = [e for e in EVENTS if e["ticket_id"] in ("s:1", "s:2")]

    def label(rows: pa.Table, event: str) -> str:
        for r in rows.to_pylist():
            if (r["event_id"], r["analyzer"]) == (event, "personalisation"):
                return r["label"]
        raise AssertionError(event)

    without = text.auto_score_rows(events)
    assert label(without, "s:1-2") == "none"
    named = pa.Table.from_pylist([{**e, "customer_name": "Sara Ahmadi"} for e in events])
    rows = text.auto_score_rows(named)
    assert (label(rows, "s:1-2"), label(rows, "s:2-2")) == ("present", "absent")
    for unknown in (None, "", "  ", "[NAME]"):
        rows = text.auto_score_rows([{**e, "customer_name": unknown} for e in events])
        assert label(rows, "s:1-2") == "none", unknown
