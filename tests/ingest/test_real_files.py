"""The four real files in ../shared/data: counts that mean something, and idempotence."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from sanjeh.ingest import import_file
from sanjeh.store import Store

from ._support import REAL, data_counts, rejects_by_row, rows

EXPECTED = {
    "anonbank": {"calls": 2372, "agents": 18},
    "helpdesk_log": {"tickets": 4580, "events": 25810},
    "volvo": {"tickets": 51, "events": 1144, "teams": 57, "agents": 114},
    "twcs": {"tickets": 27, "events": 120, "customers": 29, "teams": 13, "agents": 25},
}


@pytest.mark.parametrize("name", list(REAL))
def test_importing_twice_changes_nothing(store: Store, shared_data: Path, name: str) -> None:
    path = shared_data / REAL[name]
    first = import_file(store, path)
    assert first.format == name  # found without --format
    once = data_counts(store)
    assert once == EXPECTED[name]
    second = import_file(store, path)
    assert data_counts(store) == once
    assert second.inserted == 0 and second.replaced == 0
    assert second.unchanged == sum(once.values())
    assert store.counts(["import_rejects"])["import_rejects"] == first.rejected


def test_anonbank_every_call_is_counted_once(duckdb_store: Store, shared_data: Path) -> None:
    path = shared_data / REAL["anonbank"]
    summary = import_file(duckdb_store, path)
    data_rows = len(path.read_text().splitlines()) - 1
    calls = rows(duckdb_store, "calls")
    assert summary.rows_read == data_rows == 2375
    assert len(calls) == data_rows - summary.rejected
    outcomes = collections.Counter(c["outcome"] for c in calls)
    # AGENT 1511 (3 rejected), HANG after queueing 728, HANG in the IVR 118, PHANTOM 18
    assert outcomes == {"answered": 1508, "abandoned": 728, "ivr": 118, "other": 18}
    assert sum(outcomes.values()) == len(calls)
    # the three rejects are the calls whose IVR exit is logged before their entry
    assert set(rejects_by_row(duckdb_store)) == {482, 804, 1195}
    assert {r["field"] for r in rejects_by_row(duckdb_store).values()} == {"vru_exit"}
    # call ids repeat across VRUs (86 of them), so the VRU is part of the key
    assert len({c["call_id"] for c in calls}) == len(calls)
    first = next(c for c in calls if c["call_id"] == "anonbank:19990801-AA02-43678")
    # 0:10:10 in Israel (summer time, UTC+3) on the day named by the file
    assert first["started_at"].isoformat() == "1999-07-31T21:10:10+00:00"
    assert first["outcome"] == "ivr" and first["ivr_s"] == 17


def test_helpdesk_log_tickets(duckdb_store: Store, shared_data: Path) -> None:
    import_file(duckdb_store, shared_data / REAL["helpdesk_log"])
    tickets = rows(duckdb_store, "tickets")
    events = rows(duckdb_store, "events")
    assert len(tickets) == 4580
    assert len(events) == 21348 + 4580 - 118  # + a created event where no Insert ticket
    kinds = collections.Counter((e["kind"], e["status"]) for e in events)
    assert kinds[("created", "new")] == 4580
    assert kinds[("status", "solved")] == 4983  # Resolve ticket
    assert kinds[("status", "closed")] == 4574  # Closed
    assert kinds[("escalate", None)] == 67  # Create SW anomaly
    # with day and month put right, Closed is the last status of almost every ticket
    statuses = collections.Counter(t["status"] for t in tickets)
    assert statuses["closed"] == 4558
    assert min(t["created_at"] for t in tickets).date().isoformat() == "2010-01-13"
    assert max(t["updated_at"] for t in tickets).date().isoformat() == "2014-01-03"


def test_twcs_threads(duckdb_store: Store, shared_data: Path) -> None:
    import_file(duckdb_store, shared_data / REAL["twcs"])
    tickets = {t["ticket_id"]: t for t in rows(duckdb_store, "tickets")}
    events = rows(duckdb_store, "events")
    messages = [e for e in events if e["kind"] == "message"]
    assert len(messages) == 93 and len(tickets) == 27
    # 119246 answers 119247, which is not in the sample: the thread is named after it
    thread = tickets["twitter:119247"]
    assert thread["tags"] == ["partial_thread"]
    chain = sorted(e["event_id"] for e in messages if e["ticket_id"] == "twitter:119247")
    assert chain == [
        f"twitter:{i}" for i in (119240, 119241, 119242, 119243, 119244, 119245, 119246)
    ]
    # a customer (119249) joins another's thread (119250) and the brand answers them
    assert {e["event_id"] for e in messages if e["ticket_id"] == "twitter:119250"} == {
        "twitter:119248",
        "twitter:119249",
        "twitter:119250",
    }
    reply = next(e for e in messages if e["event_id"] == "twitter:119238")
    assert reply["actor_type"] == "agent" and reply["actor_id"] == "twitter:ChaseSupport/RR"
    assert reply["team_id"] == "twitter:ChaseSupport" and reply["channel"] == "social"
    ask = next(e for e in messages if e["event_id"] == "twitter:119239")
    assert ask["actor_type"] == "customer" and ask["actor_id"] == "twitter:105835"
    assert tickets["twitter:119239"]["customer_id"] == "twitter:105835"
    # every thread starts with a created event at its first tweet
    created = {e["ticket_id"]: e["at"] for e in events if e["kind"] == "created"}
    assert created == {t: v["created_at"] for t, v in tickets.items()}


def test_volvo_changes(duckdb_store: Store, shared_data: Path) -> None:
    import_file(duckdb_store, shared_data / REAL["volvo"])
    events = [e for e in rows(duckdb_store, "events") if e["ticket_id"] == "volvo:1-364285768"]
    escalations = sorted(
        (e["at"].isoformat(), e["tier"]) for e in events if e["kind"] == "escalate"
    )
    # L1 → L3, L1 → "L2/L3" (counted as 2) and L1 → L3 again
    assert escalations == [
        ("2010-03-31T15:45:48+00:00", 3),
        ("2010-04-06T14:44:47+00:00", 2),
        ("2010-04-08T10:53:35+00:00", 3),
    ]
    statuses = [e["status"] for e in sorted(events, key=lambda e: e["at"]) if e["kind"] == "status"]
    assert statuses == ["open", "solved", "open", "solved", "closed"]
    closing = next(e for e in events if e["status"] == "closed")
    assert closing["actor_type"] == "system"  # Siebel, the CRM, closes SRs by itself
    (ticket,) = (t for t in rows(duckdb_store, "tickets") if t["ticket_id"] == "volvo:1-364285768")
    assert ticket["status"] == "closed" and ticket["agent_id"] == "volvo:fr-Loic"
    assert ticket["priority"] == "normal" and ticket["category"] == "PROD582"
    assert ticket["team_id"] == "volvo:V5 3rd"
