"""After an import, refreshing only the touched tickets gives exactly a full rebuild."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from sanjeh.metrics import MetricOptions, MetricsConfig, _replay, build_facts, ensure_facts
from sanjeh.metrics._build import FACT_TABLES
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store
from .scenario import at, ev, load, ticket

KEYS = {
    "facts_tickets": ["ticket_id"],
    "facts_replies": ["event_id"],
    "facts_surveys": ["response_id"],
    "facts_calls": ["call_id"],
    "facts_customers": ["customer_id"],
    "facts_shifts": ["shift_id"],
    "facts_quality": ["ticket_id"],
}
#: "now" long after the data, so first-contact resolution is decided (not pending)
CONFIG = MetricsConfig(options=MetricOptions(as_of=at(30, 0)))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, load) as s:
        yield s


def snapshot(store: Store) -> dict[str, list[dict]]:
    out = {}
    for name, keys in KEYS.items():
        rows = store.con.table(name).to_pyarrow().to_pylist()
        out[name] = sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))
    return out


def change_some_data(store: Store) -> None:
    # T4 gets its first reply and is solved two days later
    store.write(
        "events",
        [
            ev("4", 3, at(3, 11), "message", "agent", actor_id="t:sara"),
            ev("4", 4, at(3, 11), "status", "agent", actor_id="t:sara", status="solved"),
        ],
    )
    store.write(
        "tickets",
        [
            ticket("4", at(1, 9), status="solved", customer_id="t:c-4"),
            # the customer of T3 writes again: T3 is no first-contact fix
            ticket("9", at(3, 12), status="open", customer_id="t:c-3"),
        ],
    )
    store.write("events", [ev("9", 1, at(3, 12), "created", "customer", actor_id="t:c-3")])
    store.write(
        "survey_responses",
        [
            {
                "response_id": "t:s10",
                "source": "t",
                "survey": "csat",
                "scale_min": 1,
                "scale_max": 5,
                "score": 4.0,
                "ticket_id": "t:6",
                "sent_at": at(3, 11),
                "submitted_at": at(3, 13),
            },
            {
                "response_id": "t:e3",
                "source": "t",
                "survey": "enps",
                "scale_min": 0,
                "scale_max": 10,
                "score": 3.0,
                "agent_id": "t:ali",
                "submitted_at": at(3, 9),
            },
        ],
    )
    store.write(
        "customers",
        [
            {
                "customer_id": "t:c-7",
                "source": "t",
                "segment": "vip",
                "created_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            }
        ],
    )
    store.write(
        "calls",
        [
            {
                "call_id": "t:call9",
                "source": "t",
                "started_at": at(3, 9),
                "queued_at": at(3, 9),
                "answered_at": at(3, 9, 1),
                "ended_at": at(3, 9, 5),
                "outcome": "answered",
            }
        ],
    )


def test_refresh_equals_rebuild(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # the scenario is tiny: let a refresh touch most of it instead of falling back
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)
    build_facts(store, CONFIG)
    assert store.changes() == {}
    change_some_data(store)
    assert set(store.changes()) >= {"events", "tickets", "survey_responses", "customers"}
    info = ensure_facts(store, CONFIG)
    assert info.rebuilt is False  # refreshed ticket by ticket, not rebuilt
    refreshed = snapshot(store)
    t3 = next(r for r in refreshed["facts_tickets"] if r["ticket_id"] == "t:3")
    assert t3["fcr"] is False  # the neighbour of a touched ticket was refreshed too
    build_facts(store, CONFIG)
    rebuilt = snapshot(store)
    for name in KEYS:
        assert refreshed[name] == rebuilt[name], name
    assert ensure_facts(store, CONFIG).rebuilt is False  # nothing new: nothing done


def test_a_replayed_refresh_replaces_the_rows_it_redoes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process's first refresh records its SQL, the next ones replay it. The replayed
    DELETE of the redone tickets' old rows once read an empty key table (Ibis filled it
    past the recording), so every refresh after the first doubled those rows."""
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)
    _replay.forget()
    build_facts(store, CONFIG)
    for n in range(3):  # T4's customer writes again, three times
        message = ev("4", 10 + n, at(3, 11 + n), "message", "customer", actor_id="t:c-4")
        store.write("events", [message])
        assert ensure_facts(store, CONFIG).rebuilt is False
    refreshed = snapshot(store)
    tickets = [r["ticket_id"] for r in refreshed["facts_tickets"]]
    assert len(tickets) == len(set(tickets)) == store.counts(["tickets"])["tickets"]
    build_facts(store, CONFIG)
    assert snapshot(store) == refreshed


def test_pending_windows_close_when_newer_data_arrives(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)
    live = MetricsConfig()  # "now" is the data's last instant: D3 10:20
    build_facts(store, live)
    pending = _fcr(store)
    assert all(p for _, p in pending.values())  # every solved ticket: window open
    # a new ticket on D9 12:00 moves "now": the windows of T1, T2, T3 and T7 close
    store.write("tickets", [ticket("10", at(9, 12), status="open", customer_id="t:c-10")])
    store.write("events", [ev("10", 1, at(9, 12), "created", "customer", actor_id="t:c-10")])
    assert ensure_facts(store, live).rebuilt is False
    after = _fcr(store)
    assert after["t:1"] == (False, False) and after["t:3"] == (True, False)
    assert after["t:6"] == (None, True)  # solved D3 10:20: open until D10 10:20
    refreshed = snapshot(store)
    build_facts(store, live)
    assert snapshot(store)["facts_tickets"] == refreshed["facts_tickets"]


def _fcr(store: Store) -> dict[str, tuple[bool | None, bool]]:
    rows = store.con.table("facts_tickets").to_pyarrow().to_pylist()
    return {r["ticket_id"]: (r["fcr"], r["fcr_pending"]) for r in rows if r["is_solved"]}


def test_changes_to_teams_rebuild_everything(store: Store) -> None:
    build_facts(store, CONFIG)
    store.write("teams", [{"team_id": "t:support", "source": "t", "name": "Care"}])
    assert ensure_facts(store, CONFIG).rebuilt is True
    assert set(FACT_TABLES) <= set(store.con.list_tables())
