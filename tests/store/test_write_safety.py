"""A write is all or nothing: a stage that does not commit leaves no trace.

Every stage is part of the store's write transaction (``sanjeh/store/_write.py``):
stages open at the same time (an import's tables) commit together, and one that ends
without committing -- an error, Ctrl+C, a caller that forgets -- rolls them all back,
rows and change records alike. On DuckDB and PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from sanjeh.errors import StoreError
from sanjeh.store import DuplicateKeysInInput, Store

from ._support import assert_facts_agree, import_export, write_export

T0 = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)


def _tickets(ids: range, channel: str = "email") -> pa.Table:
    return pa.Table.from_pylist(
        [{"ticket_id": f"t:{i}", "source": "t", "created_at": T0, "channel": channel} for i in ids]
    )


def _teams(ids: range) -> pa.Table:
    return pa.Table.from_pylist([{"team_id": f"g:{i}", "source": "t", "name": "A"} for i in ids])


def _state(store: Store) -> tuple[dict[str, int], dict[str, bool]]:
    return store.counts(["tickets", "teams"]), store.changes()


class Boom(Exception):
    pass


@pytest.mark.parametrize("direct", [True, False])
def test_a_stage_that_fails_leaves_nothing(store: Store, direct: bool) -> None:
    with pytest.raises(Boom), store.stage("tickets", direct=direct) as stage:
        stage.append(_tickets(range(10)))
        stage._flush()  # the rows are in the table (direct) or the stage
        raise Boom
    assert _state(store) == ({"tickets": 0, "teams": 0}, {})


def test_a_stage_left_without_committing_leaves_nothing(store: Store) -> None:
    stage = store.stage("tickets", direct=True)
    stage.append(_tickets(range(10)))
    stage._flush()
    stage.__exit__(None, None, None)  # as text scoring's writer leaves one on an error
    assert _state(store) == ({"tickets": 0, "teams": 0}, {})
    with pytest.raises(StoreError, match="already ended"):
        stage.commit()


def test_stages_open_together_commit_together(store: Store) -> None:
    store.write("tickets", _tickets(range(3)))
    store.clear_changes()
    with (
        pytest.raises(Boom),
        store.stage("tickets") as tickets,
        store.stage("teams", direct=True) as teams,
    ):
        tickets.append(_tickets(range(2, 6), channel="chat"))
        teams.append(_teams(range(4)))
        assert tickets.commit().inserted == 3  # merged, not committed yet
        raise Boom  # before teams commits
    assert _state(store) == ({"tickets": 3, "teams": 0}, {})
    t = store.table("tickets")
    assert set(store.con.execute(t.channel.name("c").as_table().distinct()).c) == {"email"}

    with store.stage("tickets") as tickets, store.stage("teams", direct=True) as teams:
        tickets.append(_tickets(range(2, 6), channel="chat"))
        teams.append(_teams(range(4)))
        assert tickets.commit().written == 4
        assert teams.commit().inserted == 4
    assert _state(store) == ({"tickets": 6, "teams": 4}, {"tickets": False, "teams": True})


def test_a_direct_load_that_repeats_a_key_is_undone(store: Store) -> None:
    with store.stage("tickets", direct=True) as stage:
        stage.append(_tickets(range(5)))
        stage.append(_tickets(range(4, 8)))
        with pytest.raises(DuplicateKeysInInput):
            stage.commit()
    assert _state(store) == ({"tickets": 0, "teams": 0}, {})


def test_a_file_repeating_a_key_is_imported_once(store: Store, tmp_path: Path) -> None:
    """The import retries through staging after the direct load is undone."""
    export = write_export(tmp_path, "tickets", range(300))
    lines = export.read_text().splitlines(keepends=True)
    export.write_text("".join([*lines, lines[5]]))  # ticket 4 again, at the end
    summary = import_export(store, export)
    assert summary.tables["tickets"].inserted == 300
    assert summary.tables["tickets"].superseded == 1
    assert assert_facts_agree(store) == 300


def test_a_direct_write_notes_its_change_before_its_first_row(duckdb_store: Store) -> None:
    """Backends without transactions write as they go: a crash must still leave the
    note that anything in the table may have changed (the facts then rebuild)."""
    store = duckdb_store
    store.writes.transactional = False  # as on a backend without transactions
    stage = store.stage("tickets", direct=True)
    assert store.changes() == {}
    stage.append(_tickets(range(3)))
    stage._flush()
    assert _state(store) == ({"tickets": 3, "teams": 0}, {"tickets": True})
    stage.__exit__(Boom, Boom(), None)  # without a transaction: emptied again
    assert store.counts(["tickets"]) == {"tickets": 0}


@pytest.mark.postgres
def test_the_database_refuses_a_key_twice(pg_url: str) -> None:
    """Even a writer that goes around Sanjeh's merge cannot store a key twice."""
    with Store.open(pg_url) as store:
        store.write("tickets", _tickets(range(2)))
        row: dict[str, Any] = {"ticket_id": "t:1", "source": "t", "created_at": T0}
        with pytest.raises(Exception, match="duplicate key value violates unique"):
            store.con.insert("tickets", [row])
        assert store.counts(["tickets"]) == {"tickets": 2}
