"""Facts are built beside their readers and put in place at once (#23).

``ensure_facts`` works on a connection of its own, in one transaction: the store's own
connection reads the previous facts, all of them, until the swap, then the new ones.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sanjeh.metrics import build_facts, ensure_facts, facts_current
from sanjeh.metrics._build import FACT_TABLES, REVIEW_FACTS, TICKET_FACTS
from sanjeh.store import META_TABLE, Store

from .conftest import BACKENDS, loaded_store
from .scenario import at, ev, load, ticket
from .test_refresh import CONFIG, change_some_data, snapshot

WAIT = 60  # seconds: far more than any step here needs


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, load) as s:
        yield s


def everything(store: Store) -> dict[str, Any]:
    """What a reader sees: every fact row (the clock and dates as counts), the view's
    columns and the facts' bookkeeping row."""
    seen: dict[str, Any] = snapshot(store)
    for name in FACT_TABLES:
        seen[f"{name} rows"] = int(store.con.table(name).count().execute())
    seen["view"] = store.con.table(REVIEW_FACTS).columns
    meta = store.con.table(META_TABLE)
    seen["meta"] = meta.filter(meta.key == "facts").value.to_pyarrow().to_pylist()
    return seen


def read_elsewhere(store: Store) -> dict[str, Any]:
    """:func:`everything`, read by another thread while this one waits (a reader of the
    store's own connection that the build held up would time out here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(everything, store).result(timeout=WAIT)


def table_id(store: Store, name: str) -> int:
    """The database's own id of a table: the same table, or one put in its place."""
    if store.backend == "postgres":
        sql = f"SELECT '{name}'::regclass::oid"
    else:
        sql = f"SELECT table_oid FROM duckdb_tables() WHERE table_name = '{name}'"
    cursor = store.con.raw_sql(sql)
    found = cursor.fetchone()[0]
    if store.backend != "duckdb":
        cursor.close()
    return int(found)


@pytest.mark.parametrize("change", ["rows", "teams"])
def test_readers_see_the_previous_facts_until_the_swap(
    store: Store, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)  # (a tiny scenario)
    build_facts(store, CONFIG)
    before, built = everything(store), table_id(store, TICKET_FACTS)
    change_some_data(store)
    if change == "teams":  # everything is rebuilt, aside
        store.write("teams", [{"team_id": "t:support", "source": "t", "name": "Care"}])
    seen: dict[str, Any] = {}

    @contextlib.contextmanager
    def hold() -> Iterator[None]:
        seen["before the swap"] = read_elsewhere(store)  # the build is done, uncommitted
        yield
        seen["after the swap"] = read_elsewhere(store)

    info = ensure_facts(store, CONFIG, hold=hold)
    assert info.rebuilt is (change == "teams")
    assert seen["before the swap"] == before
    after = everything(store)
    assert seen["after the swap"] == after
    assert after != before and after["meta"] != before["meta"]
    assert any(r["ticket_id"] == "t:9" for r in after["facts_tickets"])  # the new ticket
    # a refresh replaces the changed tickets' rows in place (in proportion to them: the
    # ticket facts are not copied aside); a build puts a new table in the old one's place
    assert (table_id(store, TICKET_FACTS) == built) is (change == "rows")
    assert not [t for t in store.con.list_tables() if t.endswith("__next")]


def test_changes_recorded_during_a_build_are_kept_for_the_next(store: Store) -> None:
    """A build clears the changes it saw, not those an import recorded meanwhile."""
    build_facts(store, CONFIG)
    store.write("tickets", [ticket("9", at(3, 12), status="open", customer_id="t:c-3")])

    @contextlib.contextmanager
    def hold() -> Iterator[None]:
        # an import commits while the build is finishing (another thread, its own store)
        def write() -> None:
            with Store.open(store.url, init=False) as other:
                other.write(
                    "events", [ev("9", 1, at(3, 12), "created", "customer", actor_id="t:c-3")]
                )

        worker = threading.Thread(target=write)
        worker.start()
        worker.join(WAIT)
        yield

    ensure_facts(store, CONFIG, hold=hold)
    assert "events" in store.changes() and "tickets" not in store.changes()
    assert not facts_current(store, CONFIG)
    assert ensure_facts(store, CONFIG).rebuilt is False  # the next refresh takes them
    assert store.changes() == {} and facts_current(store, CONFIG)


def test_a_second_builder_in_this_process_reads_the_previous_facts(store: Store) -> None:
    """A thread that holds the store's lock (a QA action sampling from the facts) while
    another thread builds them gets the previous facts at once: waiting would deadlock,
    since the build's swap (in the web app) takes that lock."""
    build_facts(store, CONFIG)
    before = int(store.con.table(TICKET_FACTS).count().execute())
    change_some_data(store)
    seen: dict[str, Any] = {}

    @contextlib.contextmanager
    def hold() -> Iterator[None]:  # the web app's swap: its write gate and the store's lock
        locked = threading.Event()

        def sample() -> None:
            with store.lock:
                locked.set()
                seen["info"] = ensure_facts(store, CONFIG)
                seen["rows"] = int(store.con.table(TICKET_FACTS).count().execute())

        other = threading.Thread(target=sample)
        other.start()
        assert locked.wait(WAIT)
        assert store.lock.acquire(timeout=WAIT), "deadlock: the other thread waited"
        try:
            yield
        finally:
            store.lock.release()
        other.join(WAIT)

    info = ensure_facts(store, CONFIG, hold=hold)
    assert (seen["info"].tickets, seen["rows"]) == (before, before)
    assert seen["info"].rebuilt is False and info.tickets == before + 1  # (ticket 9)


@pytest.mark.postgres
def test_builders_in_two_processes_take_turns(tmp_path_factory) -> None:
    """PostgreSQL: another process refreshing at the same time waits for this build
    (an advisory lock), then finds the facts current."""
    with loaded_store("postgres", tmp_path_factory, load) as store:
        build_facts(store, CONFIG)
        change_some_data(store)
        code = (
            "import sys; sys.path.insert(0, sys.argv[2]); "
            "from metrics.test_refresh import CONFIG; "
            "from sanjeh.metrics import ensure_facts; from sanjeh.store import Store; "
            "s = Store.open(sys.argv[1]); i = ensure_facts(s, CONFIG); "
            "print(i.rebuilt, i.tickets)"
        )
        tests = str(Path(__file__).parent.parent)
        found: dict[str, Any] = {}

        @contextlib.contextmanager
        def hold() -> Iterator[None]:
            other = subprocess.Popen(
                [sys.executable, "-c", code, store.url, tests],
                stdout=subprocess.PIPE,
                text=True,
            )
            found["other"] = other
            deadline = time.monotonic() + WAIT
            while not _advisory_waiters(store):  # it waits for this build's turn
                assert other.poll() is None, "the other process did not wait"
                assert time.monotonic() < deadline
                time.sleep(0.05)
            yield

        info = ensure_facts(store, CONFIG, hold=hold)
        out, _ = found["other"].communicate(timeout=WAIT)
        assert found["other"].returncode == 0
        assert out.split() == ["False", str(info.tickets)]
        assert facts_current(store, CONFIG) and store.changes() == {}


def _advisory_waiters(store: Store) -> int:
    cursor = store.con.raw_sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event = 'advisory'"
    )
    try:
        return int(cursor.fetchone()[0])
    finally:
        cursor.close()
