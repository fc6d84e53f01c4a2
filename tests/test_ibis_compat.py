"""Every Ibis internal Sanjeh uses takes its fast path on the installed Ibis.

``sanjeh.store._ibis_compat`` holds each use of an Ibis internal. Each test here shows
that one does what Sanjeh relies on, through what a user would see (a DuckDB view gone,
Arrow memory given back, the SQL DuckDB runs), so an Ibis upgrade that changes one fails
here instead of making Sanjeh silently slower or leakier; the last tests show that a
missing internal stops with an error naming the Ibis version instead of falling back.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pytest

from sanjeh.calendar import epoch_seconds
from sanjeh.metrics import _compiled
from sanjeh.store import Store
from sanjeh.store import _ibis_compat as compat
from sanjeh.store._store import insert_arrow

UTC_TS = pa.timestamp("us", tz="UTC")


def test_the_installed_ibis_was_checked() -> None:
    # a new Ibis release is admitted only after this file and the suite pass with it:
    # then add it to CHECKED_WITH and widen the pin in pyproject.toml
    assert ibis.__version__ in compat.CHECKED_WITH


# -- SQL of the backend ------------------------------------------------------------------


def _column_types(store: Store, table: str) -> dict[str, str]:
    """The types the database itself reports for a table's columns."""
    if store.backend == "duckdb":
        rows = store.con.raw_sql(f"DESCRIBE {table}").fetchall()
        return {name: kind for name, kind, *_ in rows}
    cursor = store.con.raw_sql(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_name = '{table}'"
    )
    with cursor:
        return dict(cursor.fetchall())


def test_an_added_column_has_the_type_create_table_gives(store: Store) -> None:
    """``column_type`` + ``sql_dialect``: ALTER TABLE adds the type create_table uses."""
    schema = {
        "n": "int64",
        "x": "float64",
        "s": "string",
        "b": "boolean",
        "at": "timestamp('UTC')",
        "day": "date",
    }
    store.con.create_table("compat_created", schema=ibis.schema(schema))
    store.con.create_table("compat_altered", schema=ibis.schema({"n": "int64"}))
    dialect = compat.sql_dialect(store.con)
    for name, kind in list(schema.items())[1:]:
        sql_type = compat.column_type(store.con, kind).sql(dialect)
        cursor = store.con.raw_sql(f'ALTER TABLE compat_altered ADD COLUMN "{name}" {sql_type}')
        if store.backend != "duckdb":
            cursor.close()
    created = _column_types(store, "compat_created")
    assert _column_types(store, "compat_altered") == created
    # the types each database's documentation names for these columns
    if store.backend == "duckdb":
        expected = ["BIGINT", "DOUBLE", "VARCHAR", "BOOLEAN", "TIMESTAMP WITH TIME ZONE", "DATE"]
    else:
        expected = [
            "bigint",
            "double precision",
            "character varying",
            "boolean",
            "timestamp with time zone",
            "date",
        ]
    assert [created[name] for name in schema] == expected


def test_identifiers_are_quoted(store: Store) -> None:
    # delete_where_in builds its DELETE with the same quoting Ibis's own SQL uses
    assert compat.quotes_identifiers(store.con) is True
    store.con.create_table("Compat Mixed", schema=ibis.schema({"Key": "string"}))
    store.con.insert("Compat Mixed", [{"Key": "a"}, {"Key": "b"}])
    store.delete_where_in("Compat Mixed", "Key", ibis.memtable({"id": ["a"]}))
    assert store.con.table("Compat Mixed").to_pyarrow().column("Key").to_pylist() == ["b"]


# -- DuckDB's own connection ---------------------------------------------------------------


def test_the_duckdb_connection_is_the_stores_own(duckdb_store: Store) -> None:
    raw = compat.duckdb_connection(duckdb_store.con)
    assert isinstance(raw, duckdb.DuckDBPyConnection)
    duckdb_store.write("agents", [{"agent_id": "t:1", "source": "t", "name": "Sara"}])
    # a cursor of it sees what the Ibis connection wrote
    assert duckdb_store.cursor().sql("SELECT name FROM agents").fetchall() == [("Sara",)]


# -- in-memory tables ----------------------------------------------------------------------


def _registered_views(con: duckdb.DuckDBPyConnection) -> set[str]:
    query = "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
    rows = con.sql(query).fetchall()
    return {name for (name,) in rows}


def test_a_written_memtable_is_unregistered_from_duckdb(tmp_path: Path) -> None:
    con = ibis.duckdb.connect(str(tmp_path / "m.duckdb"))
    con.create_table("target", schema=ibis.schema({"a": "int64"}))
    raw = compat.duckdb_connection(con)
    memtable = ibis.memtable(pa.table({"a": pa.array([1, 2, 3], pa.int64())}))
    con.insert("target", memtable)
    name = memtable.op().name
    assert name in _registered_views(raw)  # Ibis registered it as a view of the Arrow data
    compat.release_memtable(con, memtable)
    assert name not in _registered_views(raw)
    assert memtable.op() not in con._memtables
    assert con.table("target").count().execute() == 3


def test_insert_arrow_gives_the_arrow_memory_back(tmp_path: Path) -> None:
    con = ibis.duckdb.connect(str(tmp_path / "m.duckdb"))
    con.create_table("target", schema=ibis.schema({"a": "int64"}))
    gc.collect()
    before = pa.total_allocated_bytes()
    data = pa.table({"a": pa.array(range(1_000_000), pa.int64())})
    assert pa.total_allocated_bytes() - before == 8_000_000  # 1e6 int64 values
    insert_arrow(con, "target", data)
    del data
    gc.collect()
    # nothing keeps the batch alive once written: a long import holds no old batches
    assert pa.total_allocated_bytes() - before < 1_000_000
    assert _registered_views(compat.duckdb_connection(con)) == set()
    assert con.table("target").a.sum().execute() == 999_999 * 1_000_000 // 2


def test_insert_arrow_holds_nothing_inside_a_transaction(tmp_path: Path) -> None:
    """An import writes in one transaction; each batch written must be given back before
    it commits (DuckDB 1.5 keeps a view dropped in a transaction, and its Arrow data,
    until the commit: a 10 M-ticket demo held 25 GB that way)."""
    with Store.open(str(tmp_path / "s.duckdb")) as store:
        store.writes.begin()
        gc.collect()
        before = pa.total_allocated_bytes()
        for batch in range(5):
            ids = range(batch * 200_000, (batch + 1) * 200_000)
            data = pa.table(  # the columns in another order than the table's; some missing
                {
                    "actor_type": pa.array(["agent"] * len(ids)),
                    "event_id": pa.array([f"e{i}" for i in ids]),
                    "ticket_id": pa.array([f"t{i % 1000}" for i in ids]),
                    "at": pa.array([0] * len(ids), UTC_TS),
                    "kind": pa.array(["message"] * len(ids)),
                }
            )
            insert_arrow(store.con, "events", data)
            del data
        gc.collect()
        held = pa.total_allocated_bytes() - before
        store.writes.end(ok=True)
        t = store.table("events")
        found = store.con.execute(t.aggregate(n=t.count(), agents=(t.actor_type == "agent").sum()))
    assert held < 1_000_000  # five batches of ~20 MB each, none kept
    assert (int(found.n[0]), int(found.agents[0])) == (1_000_000, 1_000_000)


@pytest.mark.postgres
def test_a_written_memtable_is_forgotten_on_postgres(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        con = store.con
        con.create_table("compat_target", schema=ibis.schema({"a": "int64"}))
        memtable = ibis.memtable(pa.table({"a": pa.array([1, 2], pa.int64())}))
        con.insert("compat_target", memtable)
        assert memtable.op() in con._memtables
        name = memtable.op().name
        assert name in con.list_tables()  # a temporary table holding the batch
        compat.release_memtable(con, memtable)
        assert memtable.op() not in con._memtables
        assert name not in con.list_tables()  # dropped: a long import keeps no old batches
        assert con.table("compat_target").count().execute() == 2


# -- which backend an expression runs on --------------------------------------------------


def test_the_backend_of_an_expression(store: Store) -> None:
    store.con.create_table("compat_at", schema=ibis.schema({"at": "timestamp('UTC')"}))
    bound = store.con.table("compat_at")
    loose = ibis.memtable({"x": [1]})
    assert compat.only_backend(bound) == store.backend
    assert compat.only_backend(bound.cross_join(loose)) == store.backend
    assert compat.only_backend(loose) is None  # may run anywhere: no backend's own SQL


def test_business_time_on_duckdb_takes_the_epoch_fast_path(duckdb_store: Store) -> None:
    con = duckdb_store.con
    con.create_table("compat_at", schema=ibis.schema({"at": "timestamp('UTC')"}))
    t = con.table("compat_at")
    fast = ibis.to_sql(t.select(s=epoch_seconds(t.at)))
    assert 'EPOCH("t0"."at")' in fast  # DuckDB's epoch() of the instant, no conversion
    assert "CAST" not in fast
    portable = ibis.to_sql(t.select(s=epoch_seconds(t.at, duckdb_fast_path=False)))
    assert 'EPOCH(CAST("t0"."at" AS TIMESTAMP))' in portable


# -- results of SQL run on DuckDB directly -----------------------------------------------


def test_a_duckdb_result_frame_is_what_ibis_execute_gives(duckdb_store: Store) -> None:
    data = pa.table(
        {
            "n": pa.array([1, None, 3], pa.int64()),
            "m": pa.array([1, 2, 3], pa.int64()),
            "s": pa.array(["a", None, "c"]),
            "b": pa.array([True, None, False]),
            "tags": pa.array([["x", "y"], None, []], pa.list_(pa.string())),
            "at": pa.array([dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), None, None], UTC_TS),
        }
    )
    table = duckdb_store.con.create_table("compat_result", data)
    sql = str(duckdb_store.con.compile(table))
    arrow = duckdb_store.cursor().sql(sql).to_arrow_table()
    got = compat.duckdb_result_frame(arrow, table.schema())
    pd.testing.assert_frame_equal(got, duckdb_store.con.execute(table))
    # NULLs as Ibis gives them: NaN in a number column, None in objects, NaT in times
    assert got.n.isna().tolist() == [False, True, False] and got.m.tolist() == [1, 2, 3]
    assert got.tags.tolist() == [["x", "y"], None, []]
    assert got.b.tolist() == [True, None, False]
    assert got["at"].tolist()[0] == pd.Timestamp("2026-01-02 03:04:05", tz="UTC")


def test_compiled_queries_run_through_the_duckdb_result_frame(
    duckdb_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    duckdb_store.write("agents", [{"agent_id": "t:1", "source": "t", "name": "Sara"}])
    seen: list[int] = []
    real = compat.duckdb_result_frame

    def counting(arrow: pa.Table, schema: object) -> pd.DataFrame:
        seen.append(arrow.num_rows)
        return real(arrow, schema)

    monkeypatch.setattr(_compiled, "duckdb_result_frame", counting)
    values = _compiled.Values()
    got = _compiled.run(duckdb_store, values, "compat", lambda: duckdb_store.table("agents"))
    assert seen == [1] and got.name.tolist() == ["Sara"]


# -- a missing internal stops loudly -------------------------------------------------------


def _says_which_ibis(exc: pytest.ExceptionInfo[compat.IbisIncompatible], what: str) -> None:
    message = str(exc.value)
    assert what in message
    assert f"Ibis {ibis.__version__} lacks" in message
    assert "checked with Ibis 12.0.0" in message


def test_without_find_backends_business_time_stops(
    duckdb_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    duckdb_store.con.create_table("compat_at", schema=ibis.schema({"at": "timestamp('UTC')"}))
    t = duckdb_store.con.table("compat_at")
    monkeypatch.delattr(ir.Expr, "_find_backends")
    with pytest.raises(compat.IbisIncompatible) as exc:
        epoch_seconds(t.at)
    _says_which_ibis(exc, "Expr._find_backends")


def test_without_memtable_bookkeeping_the_release_stops(
    duckdb_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    memtable = ibis.memtable({"agent_id": ["t:1"]})
    monkeypatch.delattr(duckdb_store.con, "_memtables")
    with pytest.raises(compat.IbisIncompatible) as exc:
        compat.release_memtable(duckdb_store.con, memtable)
    _says_which_ibis(exc, "Backend._memtables")


def test_without_the_duckdb_converter_a_compiled_query_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ibis.backends.duckdb.converter", None)
    with pytest.raises(compat.IbisIncompatible) as exc:
        compat.duckdb_result_frame(pa.table({"a": [1]}), ibis.schema({"a": "int64"}))
    _says_which_ibis(exc, "DuckDBPandasData")


def test_without_the_duckdb_connection_a_cursor_stops(
    duckdb_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckdb_store.con, "con", None)
    with pytest.raises(compat.IbisIncompatible) as exc:
        duckdb_store.cursor()
    _says_which_ibis(exc, "the DuckDB connection at Backend.con")
