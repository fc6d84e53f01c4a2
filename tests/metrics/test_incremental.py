"""Refreshes in proportion to the change: ``recheck_at`` and replayed SQL (#18).

Each test compares a refresh with a full rebuild of the same data; every expectation
is worked out by hand from the timeline in the comments (times UTC, D0 = Monday
2026-03-02, see ``scenario.at``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sanjeh.calendar import BusinessCalendar
from sanjeh.metrics import MetricsConfig, _replay, build_facts, ensure_facts
from sanjeh.metrics._config import SlaPolicy
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store
from .scenario import at, ev, ticket

#: first reply within 1 calendar hour, resolution within 4
SLA = (SlaPolicy("fast", first_reply_s=3600.0, resolution_s=4 * 3600.0, business_hours=False),)
LIVE = MetricsConfig(sla=SLA)
#: 2 and 16 business hours, Monday to Friday 09:00-17:00 UTC
BUSINESS = MetricsConfig(
    calendars={"office": BusinessCalendar.preset("weekdays")},
    default_calendar="office",
    sla=(SlaPolicy("office", first_reply_s=2 * 3600.0, resolution_s=16 * 3600.0),),
)


def _nothing(store: Store) -> None:
    pass


@pytest.fixture(params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    # a few tickets: let a refresh touch most of them instead of falling back to a build
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)
    with loaded_store(request.param, tmp_path_factory, _nothing) as s:
        yield s


def open_ticket(store: Store, tid: str, when, customer: str | None = None) -> None:
    """A new ticket, opened by its customer's message at ``when``, not answered."""
    store.write("tickets", [ticket(tid, when, status="open", customer_id=customer or f"t:c-{tid}")])
    store.write("events", [ev(tid, 1, when, "created", "customer", actor_id=f"t:c-{tid}")])


def solved_ticket(store: Store, tid: str, created, solved, customer: str) -> None:
    store.write("tickets", [ticket(tid, created, status="solved", customer_id=customer)])
    store.write(
        "events",
        [
            ev(tid, 1, created, "created", "customer", actor_id=customer),
            ev(tid, 2, solved, "message", "agent", actor_id="t:ali"),
            ev(tid, 3, solved, "status", "agent", actor_id="t:ali", status="solved"),
        ],
    )


def facts(store: Store) -> dict[str, dict]:
    rows = store.con.table("facts_tickets").to_pyarrow().to_pylist()
    found = {r["ticket_id"]: r for r in rows}
    assert len(found) == len(rows), "a ticket has two fact rows"
    return found


def same_as_rebuild(store: Store, config: MetricsConfig) -> dict[str, dict]:
    """The refreshed facts equal a rebuild's, but for ``recheck_at`` where it is a lower
    bound (business hours: the refresh computed it at an earlier "now")."""
    refreshed = facts(store)
    build_facts(store, config)
    rebuilt = facts(store)
    assert refreshed.keys() == rebuilt.keys()
    for tid, row in refreshed.items():
        other = rebuilt[tid]
        assert (row["recheck_at"] is None) == (other["recheck_at"] is None), tid
        if row["recheck_at"] is not None:
            assert row["recheck_at"] <= other["recheck_at"], tid
        assert {**row, "recheck_at": None} == {**other, "recheck_at": None}, tid
    return refreshed


def test_sla_breach_is_decided_when_now_passes_the_target(store: Store) -> None:
    # T10 opened D3 10:30, never answered: within its 1-hour target until 11:30
    open_ticket(store, "10", at(3, 10, 30))
    build_facts(store, LIVE)
    t10 = facts(store)["t:10"]
    assert t10["sla_first_reply_met"] is None
    # the earlier of first reply (10:30 + 1 h) and resolution (10:30 + 4 h) targets
    assert t10["recheck_at"] == at(3, 11, 30)
    open_ticket(store, "11", at(3, 11))  # now 11:00: T10 not due yet
    assert ensure_facts(store, LIVE).rebuilt is False
    assert facts(store)["t:10"]["sla_first_reply_met"] is None
    open_ticket(store, "12", at(3, 12))  # now 12:00: T10's first reply target passed
    assert ensure_facts(store, LIVE).rebuilt is False
    t10 = facts(store)["t:10"]
    assert t10["sla_first_reply_met"] is False and t10["sla_met"] is False
    assert t10["recheck_at"] == at(3, 14, 30)  # the resolution target is still open
    assert same_as_rebuild(store, LIVE)["t:11"]["recheck_at"] == at(3, 12)


def test_a_due_ticket_sees_its_customers_next_contact(store: Store) -> None:
    # customer c-9: A opened D0 09:00 and solved D1 09:00; B opened D0 12:00 (after A:
    # A's next contact) and solved D0 13:00. FCR window 7 days: B's closes D7 13:00,
    # A's D8 09:00; B came within A's window, so A is no first-contact fix.
    solved_ticket(store, "a", at(0, 9), at(1, 9), "t:c-9")
    solved_ticket(store, "b", at(0, 12), at(0, 13), "t:c-9")
    build_facts(store, LIVE)
    assert facts(store)["t:a"]["fcr_pending"] is True
    open_ticket(store, "x", at(7, 14))  # now D7 14:00: B's window closed, A's open
    assert ensure_facts(store, LIVE).rebuilt is False
    f = facts(store)
    assert (f["t:b"]["fcr"], f["t:a"]["fcr"], f["t:a"]["fcr_pending"]) == (True, None, True)
    open_ticket(store, "y", at(8, 12))  # now D8 12:00: A's window closed
    assert ensure_facts(store, LIVE).rebuilt is False
    f = same_as_rebuild(store, LIVE)
    assert (f["t:a"]["fcr"], f["t:a"]["fcr_pending"]) == (False, False)


def test_a_second_refresh_replays_the_first_ones_sql(store: Store) -> None:
    _replay.forget()
    # business hours 09:00-17:00 on weekdays: T20 opened Tue D1 16:00, first reply
    # due after 2 business hours = Wed D2 10:00
    open_ticket(store, "20", at(1, 16))
    build_facts(store, BUSINESS)
    # as of 16:00 the 2 business hours left cannot pass before 18:00 (a lower bound)
    assert facts(store)["t:20"]["recheck_at"] == at(1, 18)
    open_ticket(store, "21", at(1, 16, 30))
    assert ensure_facts(store, BUSINESS).rebuilt is False  # recorded (DuckDB)
    duckdb = store.backend == "duckdb"
    assert any("tickets" in key for key in _replay._RECORDINGS) is duckdb
    replayed = []
    original = _replay._execute
    try:
        _replay._execute = lambda con, sql: (replayed.append(sql), original(con, sql))[1]
        open_ticket(store, "22", at(2, 11))  # now Wed 11:00: T20's target passed
        assert ensure_facts(store, BUSINESS).rebuilt is False
    finally:
        _replay._execute = original
    # replayed, not compiled again (on PostgreSQL: compiled again)
    assert any("facts_tickets" in sql for sql in replayed) is duckdb
    f = same_as_rebuild(store, BUSINESS)
    assert f["t:20"]["sla_first_reply_met"] is False
    # T22: 2 business hours from Wed 11:00 end at 13:00; nothing decided before
    assert f["t:22"]["recheck_at"] == at(2, 13)
    assert f["t:21"]["sla_first_reply_met"] is False  # Tue 16:30 + 2 h = Wed 10:30
