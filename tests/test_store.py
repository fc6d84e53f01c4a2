"""The store: every table round-trips, writes are idempotent, newer rows win."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from sanjeh.errors import BackendUnavailable, ConfigError, StoreError
from sanjeh.model import MODEL_VERSION, TABLES, Column, TableSpec
from sanjeh.store import META_TABLE, Store

T0 = dt.datetime(2026, 3, 1, 8, 15, 30, 123456, tzinfo=dt.UTC)


def _value(col: Column, i: int) -> Any:
    """A distinct, valid value of the column's type for row i."""
    if col.type == "id":
        return f"test:{col.name}-{i}"
    if col.choices:
        return col.choices[i % len(col.choices)]
    if col.type == "string":
        return ["سلام، وقت بخیر", "مرحبا بك", "hello\nworld", 'quote " and, comma'][i % 4]
    if col.type == "timestamp":
        return T0 + dt.timedelta(days=i, seconds=i)
    if col.type == "int":
        return int(col.minimum or 0) + i % 3
    if col.type == "float":
        return float(col.minimum or 0) + i * 1.25
    if col.type == "bool":
        return i % 2 == 0
    if col.type == "strings":
        return [f"tag{i}", "مشترک"]
    raise AssertionError(col.type)


def sample_rows(spec: TableSpec, n: int = 3) -> list[dict[str, Any]]:
    rows = [{c.name: _value(c, i) for c in spec.columns} for i in range(n)]
    if spec.name == "survey_responses":
        for r in rows:
            r.update(scale_min=1, scale_max=5, score=4.0)
    if spec.name in {"tickets", "customers", "agents"}:
        for r in rows:  # keep row rules (later >= earlier) true
            for c in ("updated_at", "churned_at", "left_at"):
                if c in r:
                    r[c] = r.get("created_at", r.get("hired_at", T0)) + dt.timedelta(days=1)
    for r in rows:
        for a, b in (
            ("queued_at", "started_at"),
            ("answered_at", "queued_at"),
            ("ended_at", "answered_at"),
            ("submitted_at", "sent_at"),
            ("end_at", "start_at"),
        ):
            if a in r and b in r:
                r[a] = r[b] + dt.timedelta(minutes=5)
    return rows


def _sorted(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: r[key])


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_round_trips(store: Store, name: str) -> None:
    spec = TABLES[name]
    rows = sample_rows(spec)
    result = store.write(name, rows)
    assert (result.inserted, result.replaced, result.unchanged) == (3, 0, 0)
    back = store.table(name).to_pyarrow().to_pylist()
    assert _sorted(back, spec.key) == _sorted(rows, spec.key)


def test_writing_twice_changes_nothing(store: Store) -> None:
    rows = sample_rows(TABLES["events"], 5)
    store.write("events", rows)
    before = _sorted(store.table("events").to_pyarrow().to_pylist(), "event_id")
    again = store.write("events", rows)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 5)
    assert _sorted(store.table("events").to_pyarrow().to_pylist(), "event_id") == before


def test_changed_rows_replace_and_new_rows_insert(store: Store) -> None:
    rows = sample_rows(TABLES["events"], 3)
    store.write("events", rows)
    changed = [dict(rows[0], body="edited"), rows[1], dict(rows[2], event_id="test:new")]
    result = store.write("events", changed)
    assert (result.inserted, result.replaced, result.unchanged) == (1, 1, 1)
    bodies = {r["event_id"]: r["body"] for r in store.table("events").to_pyarrow().to_pylist()}
    assert bodies[rows[0]["event_id"]] == "edited"
    assert len(bodies) == 4


def test_older_version_does_not_replace_newer(store: Store) -> None:
    row = sample_rows(TABLES["tickets"], 1)[0]
    store.write("tickets", [dict(row, status="solved", updated_at=T0 + dt.timedelta(days=9))])
    result = store.write(
        "tickets", [dict(row, status="open", updated_at=T0 + dt.timedelta(days=2))]
    )
    assert (result.replaced, result.kept_newer) == (0, 1)
    assert store.table("tickets").status.to_pyarrow().to_pylist() == ["solved"]
    newer = store.write(
        "tickets", [dict(row, status="closed", updated_at=T0 + dt.timedelta(days=10))]
    )
    assert newer.replaced == 1
    assert store.table("tickets").status.to_pyarrow().to_pylist() == ["closed"]


def test_last_duplicate_in_one_input_wins(store: Store) -> None:
    row = sample_rows(TABLES["events"], 1)[0]
    result = store.write("events", [dict(row, body="first"), dict(row, body="second")])
    assert (result.inserted, result.superseded) == (1, 1)
    assert store.table("events").body.to_pyarrow().to_pylist() == ["second"]


def test_stage_streams_batches(duckdb_store: Store) -> None:
    spec = TABLES["events"]
    with duckdb_store.stage("events") as stage:
        for start in range(0, 1000, 100):
            rows = sample_rows(spec, 100)
            for i, r in enumerate(rows):
                r["event_id"] = f"test:e{start + i}"
            stage.append(pa.Table.from_pylist(rows, schema=spec.arrow_schema()))
        result = stage.commit()
    assert result.inserted == 1000
    assert duckdb_store.counts(["events"]) == {"events": 1000}
    assert not [t for t in duckdb_store.con.list_tables() if t.startswith("sanjeh_stage_")]


def test_export_then_import_is_identity(store: Store, tmp_path: Path) -> None:
    from sanjeh.ingest import import_file

    for name in ("tickets", "events", "survey_responses"):
        store.write(name, sample_rows(TABLES[name], 4))
    for name in ("tickets", "events", "survey_responses"):
        for suffix in ("csv", "parquet"):
            path = tmp_path / f"{name}.{suffix}"
            assert store.export(name, path) == 4
            summary = import_file(store, path, format=name)
            assert summary.rejected == 0, summary.examples
            assert summary.tables[name].unchanged == 4, (name, suffix, summary.tables)


def test_reopening_keeps_data_and_init_is_idempotent(tmp_path: Path) -> None:
    url = str(tmp_path / "s.duckdb")
    with Store.open(url) as s:
        s.write("teams", sample_rows(TABLES["teams"], 2))
    with Store.open(url) as s:
        assert s.init() == []
        assert s.counts(["teams"]) == {"teams": 2}


def test_unknown_table_is_a_clear_error(duckdb_store: Store) -> None:
    with pytest.raises(StoreError, match="no table 'ticket'"):
        duckdb_store.table("ticket")
    with pytest.raises(ConfigError, match="tables are"):
        duckdb_store.write("nope", [])


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(BackendUnavailable, match="cannot open store postgresql://u:\\*\\*\\*@"):
        Store.open("postgresql://u:secret@127.0.0.1:1/none?connect_timeout=2")


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Store.open(str(tmp_path / "no" / "such" / "dir.duckdb"))


def test_a_store_of_an_older_model_gains_the_new_columns(store: Store) -> None:
    """Model v4 added qa_reviews.pass_threshold; a v3 store gets it when opened."""
    con = store.con
    con.raw_sql('ALTER TABLE "qa_reviews" DROP COLUMN "pass_threshold"')
    row = {"key": ["model_version"], "value": ["3"]}
    con.upsert(META_TABLE, ibis.memtable(row), on="key")
    assert "pass_threshold" not in con.table("qa_reviews").columns
    store.init()
    assert "pass_threshold" in con.table("qa_reviews").columns
    meta = con.table(META_TABLE)
    stamp = meta.filter(meta.key == "model_version").value.to_pyarrow().to_pylist()
    assert stamp == [str(MODEL_VERSION)]
    store.init()  # and again: nothing left to add


def test_a_column_a_newer_model_made_optional_loses_not_null(store: Store) -> None:
    """Model v9 made auto_scores.ticket_id optional (a call's transcript has no ticket):
    a v8 store's NOT NULL goes when it is opened, so call rows can be written."""
    con = store.con
    con.raw_sql('ALTER TABLE "auto_scores" DROP COLUMN "call_id"')
    con.raw_sql('ALTER TABLE "auto_scores" ALTER COLUMN "ticket_id" SET NOT NULL')
    con.upsert(META_TABLE, ibis.memtable({"key": ["model_version"], "value": ["8"]}), on="key")
    assert not con.table("auto_scores").schema()["ticket_id"].nullable
    store.init()
    assert con.table("auto_scores").schema()["ticket_id"].nullable
    row = {
        "score_id": "bank:1#0#empathy",
        "call_id": "bank:1",
        "event_id": "bank:1#0",
        "analyzer": "empathy",
        "label": "present",
        "version": "rules-1",
    }
    assert store.write("auto_scores", [row]).inserted == 1
    store.init()  # and again: nothing left to relax
