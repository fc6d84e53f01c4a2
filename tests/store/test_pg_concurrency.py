"""Two imports at once into one PostgreSQL store: every row once, facts = tables.

Issue #23 (1): two ``sanjeh import`` of the same 300,000-ticket file run at the same
time left 599,990 rows for 300,000 ids (1 run in 3) and doubled ``tickets_created``.
Now writers of a table take turns (an advisory lock held from a stage's decision to
write into an empty table, or from its merge, to its commit) and each table's key is
a unique index in the database (``sanjeh/store/_write.py``, ``_keys.py``). The imports
here are real ``sanjeh import`` processes against the real server; the stores are
fresh databases (``tests/pgsupport.py``).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from sanjeh.errors import StoreError
from sanjeh.store import Store
from sanjeh.store._keys import index_name
from sanjeh.store._write import DATA_LOCK, lock_key

from ._support import (
    assert_facts_agree,
    child_env,
    import_export,
    sanjeh_command,
    write_export,
)

pytestmark = pytest.mark.postgres

TICKETS = range(0, 1000)


def _start_import(url: str, export: Path) -> Any:
    mapping = export.parent / "mapping.toml"
    command = sanjeh_command(
        "import", str(export), "--format", "summary", "--mapping", str(mapping),
        "--db", url, "--json",
    )  # fmt: skip
    return subprocess.Popen(
        command, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finished(process: Any) -> dict[str, Any]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    summaries: list[dict[str, Any]] = json.loads(out)
    return summaries[0]["tables"]


def _pg(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url.replace("postgresql", "postgres", 1), autocommit=True)


def _waiting_for(admin: psycopg.Connection[Any], key: int) -> int:
    """Backends waiting for the advisory lock ``key`` (a bigint: two 32-bit halves)."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    row = admin.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND classid = %s AND objid = %s AND objsubid = 1",
        (unsigned >> 32, unsigned & 0xFFFFFFFF),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _solved_minutes(store: Store, lo: int, hi: int) -> set[int]:
    """The minutes tickets ``shop:lo`` … ``shop:hi-1`` were solved at (``version``)."""
    t = store.table("events")
    ids = [f"shop:{i}" for i in range(lo, hi)]
    solved = t.filter((t.kind == "status") & t.ticket_id.isin(ids))
    return set(store.con.execute(solved.select(m=solved.at.minute()).distinct()).m)


def test_two_imports_of_one_file_at_once(pg_url: str, tmp_path: Path) -> None:
    """Into a database not even initialised: the two also create the tables at once."""
    export = write_export(tmp_path, "tickets", TICKETS)
    first, second = _start_import(pg_url, export), _start_import(pg_url, export)
    results = [_finished(first), _finished(second)]

    # each ticket inserted by exactly one of them; the other found it stored
    assert sorted(r["tickets"]["inserted"] for r in results) == [0, len(TICKETS)]
    assert sorted(r["tickets"]["unchanged"] for r in results) == [0, len(TICKETS)]
    with Store.open(pg_url) as store:
        assert assert_facts_agree(store) == len(TICKETS)
        assert store.counts(["events", "import_log"]) == {
            "events": 5 * len(TICKETS),
            "import_log": 1,
        }
        again = import_export(store, export)  # the "inserted −299,990"
        assert again.tables["tickets"].inserted == 0
        assert again.tables["tickets"].unchanged == len(TICKETS)
        assert assert_facts_agree(store) == len(TICKETS)


def test_imports_that_start_together_take_turns(pg_url: str, tmp_path: Path) -> None:
    """Both imports certainly overlap: the test holds the data tables' lock (as an
    import writing them would) until both are waiting for it."""
    export = write_export(tmp_path, "tickets", TICKETS)
    Store.open(pg_url).close()
    key = lock_key(DATA_LOCK)
    with _pg(pg_url) as holder, _pg(pg_url) as admin:
        holder.execute("SELECT pg_advisory_lock(%s)", (key,))
        imports = [_start_import(pg_url, export), _start_import(pg_url, export)]
        deadline = time.monotonic() + 60
        while _waiting_for(admin, key) < 2:
            assert all(p.poll() is None for p in imports), "an import did not wait"
            assert time.monotonic() < deadline, "the imports never waited for the lock"
            time.sleep(0.05)
        with Store.open(pg_url) as store:  # nothing written while they wait
            assert store.counts(["tickets"]) == {"tickets": 0}
        holder.execute("SELECT pg_advisory_unlock(%s)", (key,))
    results = [_finished(p) for p in imports]
    assert sorted(r["tickets"]["inserted"] for r in results) == [0, len(TICKETS)]
    with Store.open(pg_url) as store:
        assert assert_facts_agree(store) == len(TICKETS)


def test_two_merges_into_a_filled_store_at_once(pg_url: str, tmp_path: Path) -> None:
    first = write_export(tmp_path, "tickets", range(0, 600))
    b = write_export(tmp_path, "tickets-b", range(400, 800), version=3)
    c = write_export(tmp_path, "tickets-c", range(500, 900), version=5)
    with Store.open(pg_url) as store:
        import_export(store, first)

    results = [_finished(p) for p in (_start_import(pg_url, b), _start_import(pg_url, c))]

    # 600..799 are new in both files: inserted once, then replaced or left alone
    assert sum(r["tickets"]["inserted"] for r in results) == 300
    with Store.open(pg_url) as store:
        assert assert_facts_agree(store) == 900
        assert _solved_minutes(store, 0, 400) == {0}
        assert _solved_minutes(store, 400, 500) == {3}
        assert _solved_minutes(store, 800, 900) == {5}
        # where the files overlap one whole merge came after the other, never a mix
        assert _solved_minutes(store, 500, 800) in ({3}, {5})


def _without_key_index(url: str, duplicate: str) -> None:
    """Make the store one written before the key indexes, holding duplicates."""
    with _pg(url) as con:
        con.execute(f'DROP INDEX "{index_name("tickets")}"')
        con.execute(duplicate)


def test_rows_stored_twice_by_an_older_sanjeh_are_kept_once(pg_url: str, tmp_path: Path) -> None:
    with Store.open(pg_url) as store:
        import_export(store, write_export(tmp_path, "tickets", range(0, 400)))
    _without_key_index(
        pg_url, "INSERT INTO tickets SELECT * FROM tickets WHERE ticket_id < 'shop:2'"
    )  # shop:0, shop:1, shop:10 … shop:199: 112 tickets twice
    with Store.open(pg_url) as store:
        assert store.counts(["tickets"]) == {"tickets": 400}
        assert assert_facts_agree(store) == 400
    with _pg(pg_url) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = %s", (index_name("tickets"),)
        ).fetchone()
        assert row == (1,)


def test_rows_stored_twice_with_different_contents_stop_the_opening(
    pg_url: str, tmp_path: Path
) -> None:
    with Store.open(pg_url) as store:
        import_export(store, write_export(tmp_path, "tickets", range(0, 400)))
        assert assert_facts_agree(store) == 400
    _without_key_index(
        pg_url,
        "INSERT INTO tickets SELECT ticket_id, source, external_id, 'email', subject, "
        "created_at, updated_at, status, customer_id, team_id, agent_id, priority, "
        "category, tags, language, merged_into FROM tickets "
        "WHERE ticket_id IN ('shop:7', 'shop:8', 'shop:9', 'shop:70')",
    )
    with pytest.raises(StoreError) as raised:
        Store.open(pg_url)
    message = str(raised.value)
    assert "table tickets" in message and "4 ticket_ids" in message
    assert "'shop:7', 'shop:70', 'shop:8', …" in message

    # the remedy the message gives, as a user would paste it into psql
    found = re.search(r"`(DELETE FROM .*?;.*?;)`", message)
    assert found is not None
    with _pg(pg_url) as con:
        for statement in found.group(1).split(";")[:2]:
            con.execute(statement)
    with Store.open(pg_url) as store:
        assert assert_facts_agree(store) == 400
