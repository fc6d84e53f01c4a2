"""The Parquet lake: `export_lake` writes the documented layout from any store, and a
`lake://` store reads it back -- the same KPIs, fresh when a pipeline adds files,
read-only for imports. Everything re-read independently with pyarrow."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from pgsupport import PgDatabases
from sanjeh.demo import business_calendars, generate
from sanjeh.errors import SchemaMismatch
from sanjeh.metrics import MetricsConfig, ensure_facts, kpis
from sanjeh.model import MODEL_VERSION, TABLES
from sanjeh.store import Store
from sanjeh.store._lake import LakeReadOnly, export_lake
from sanjeh.store._lake_layout import MARKER

CONFIG = MetricsConfig(calendars=business_calendars(), default_calendar="tehran")
AS_OF = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, int]]]:
    """A demo DuckDB store (closed again: readers open it) and its lake."""
    folder = tmp_path_factory.mktemp("lake")
    url = str(folder / "demo.duckdb")
    with Store.open(url) as store:
        generate(store, tickets=2000, seed=7, as_of=AS_OF)
        written = export_lake(store, folder / "lake")
    yield url, folder / "lake", written


def _lake_copy(lake: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    return copy


def _read(lake: Path, table: str) -> pa.Table:
    """A table of the lake as pyarrow reads it (hive partitions; ``month`` dropped)."""
    dataset = ds.dataset(lake / table, format="parquet", partitioning="hive")
    found = dataset.to_table()
    return found.drop_columns([c for c in ("month",) if c in found.column_names])


def test_the_folders_are_the_documented_layout(demo: tuple[str, Path, dict[str, int]]) -> None:
    url, lake, written = demo
    with Store.open(url, read_only=True) as store:
        counts = store.counts(list(TABLES))
        created = store.table("tickets").created_at.to_pyarrow()
    assert written == counts and written["tickets"] == 2000 and written["events"] > 20_000
    assert json.loads((lake / MARKER).read_text()) == {"layout": 1, "model_version": MODEL_VERSION}
    # tickets: one folder per UTC month of created_at, as the store's own data says
    months = sorted(set(pc.strftime(created, format="%Y-%m").to_pylist()))
    folders = sorted(p.name for p in (lake / "tickets").iterdir())
    assert folders == [f"month={m}" for m in months] and len(months) >= 3
    for month in months:
        files = list((lake / "tickets" / f"month={month}").iterdir())
        assert len(files) == 1 and files[0].name.startswith("part-")
        assert files[0].suffix == ".parquet" and len(files[0].stem) == len("part-") + 36
    # teams is not partitioned: its files sit in its folder
    assert [p.name.startswith("part-") and p.is_file() for p in (lake / "teams").iterdir()] == [
        True
    ]
    # a table with no rows has no files (a reader uses the model's schema)
    assert counts["auto_scores"] == 0 and list((lake / "auto_scores").iterdir()) == []
    # no hidden folders left behind by the writes
    assert [p.name for p in lake.iterdir() if p.name.startswith(".")] == []


def test_files_hold_the_model_columns_and_utc_micros(
    demo: tuple[str, Path, dict[str, int]],
) -> None:
    _, lake, _ = demo
    file = next((lake / "tickets").glob("month=*/part-*.parquet"))
    parquet = pq.ParquetFile(file)
    assert parquet.schema_arrow.names == TABLES["tickets"].column_names  # no `month`
    created = parquet.schema.column(parquet.schema_arrow.names.index("created_at"))
    assert "isAdjustedToUTC=true" in str(created.logical_type)
    assert "timeUnit=microseconds" in str(created.logical_type)
    assert parquet.schema_arrow.field("tags").type == pa.list_(pa.string())
    # every row of a month folder is in that month (UTC)
    month = file.parent.name.split("=", 1)[1]
    in_file = pc.strftime(parquet.read(columns=["created_at"])["created_at"], format="%Y-%m")
    assert set(in_file.to_pylist()) == {month}


def test_pyarrow_reads_back_what_the_store_holds(demo: tuple[str, Path, dict[str, int]]) -> None:
    url, lake, _ = demo
    with Store.open(url, read_only=True) as store:
        expected = {t: store.table(t).to_pyarrow() for t in ("tickets", "events", "teams")}
    for table, stored in expected.items():
        found = _read(lake, table)
        assert found.num_rows == stored.num_rows, table
    tickets = _read(lake, "tickets")
    stored_ids = expected["tickets"]["ticket_id"].to_pylist()
    assert set(tickets["ticket_id"].to_pylist()) == set(stored_ids)
    # whole rows, not just ids: the same frame once sorted by key
    key = "ticket_id"
    a = tickets.to_pandas().sort_values(key).reset_index(drop=True)
    b = expected["tickets"].to_pandas().sort_values(key).reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a.drop(columns=["tags"]), b.drop(columns=["tags"]))
    assert [list(x) if x is not None else None for x in a["tags"]] == [
        list(x) if x is not None else None for x in b["tags"]
    ]


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)
    if pd.isna(a) and pd.isna(b):  # type: ignore[arg-type]
        return True
    return a == b


def _report(store: Store) -> dict[str, pd.DataFrame]:
    return {
        "by team and week": kpis(store, by="team", period="week", config=CONFIG),
        "by channel, calendar hours": kpis(store, by="channel", config=CONFIG, hours="calendar"),
        "by month": kpis(store, period="month", config=CONFIG),
    }


def test_the_same_kpis_on_the_store_and_on_its_lake(
    demo: tuple[str, Path, dict[str, int]],
) -> None:
    url, lake, _ = demo
    with Store.open(url) as store:  # (the facts are built in it)
        original = _report(store)
        tickets = store.table("tickets")
        merged = int(store.con.execute(tickets.merged_into.notnull().sum()))
    with Store.open(f"lake://{lake}") as served:
        assert served.backend == "duckdb" and served.lake == lake
        on_lake = _report(served)
    for name, want in original.items():
        got = on_lake[name]
        assert len(want) == len(got) > 50, name
        keys = [c for c in ("kpi", "team", "channel", "period") if c in want]
        want = want.sort_values(keys).reset_index(drop=True)
        got = got.sort_values(keys).reset_index(drop=True)
        assert list(want.columns) == list(got.columns)
        for col in want.columns:
            for i, (a, b) in enumerate(zip(want[col], got[col], strict=True)):
                assert _same(a, b), f"{name}: {want.kpi[i]} {col}: store {a!r} ≠ lake {b!r}"
    created = original["by month"]
    total = created[created.kpi == "tickets_created"].n.sum()
    assert total == 2000 - merged and merged > 0  # a merged ticket is not counted


def test_a_relative_lake_url_and_the_views_types(
    demo: tuple[str, Path, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lake, _ = demo
    monkeypatch.chdir(lake.parent)
    with Store.open("lake://lake") as store:
        assert store.counts(["tickets", "auto_scores"]) == {"tickets": 2000, "auto_scores": 0}
        for name in ("tickets", "auto_scores", "call_speech"):  # with and without files
            schema = store.table(name).schema()
            want = TABLES[name].ibis_schema()
            assert list(schema.names) == list(want.names)  # no `month`
            assert [t.copy(nullable=True) for t in schema.types] == [
                t.copy(nullable=True) for t in want.types
            ]


def test_export_from_postgres(tmp_path: Path, pg_databases: PgDatabases) -> None:
    pg = pg_databases.create()
    try:
        with Store.open(pg) as store:
            generate(store, tickets=300, seed=3, as_of=AS_OF)
            counts = store.counts(list(TABLES))
            ids = set(store.table("tickets").ticket_id.to_pyarrow().to_pylist())
            written = export_lake(store, tmp_path / "lake")
    finally:
        pg_databases.drop(pg)
    assert written == counts and counts["tickets"] == 300 and counts["events"] > 2000
    for table in ("tickets", "events", "calls", "customers"):
        assert _read(tmp_path / "lake", table).num_rows == counts[table], table
    assert set(_read(tmp_path / "lake", "tickets")["ticket_id"].to_pylist()) == ids
    with Store.open(f"lake://{tmp_path / 'lake'}") as lake:
        assert lake.counts(list(TABLES)) == counts


def _contents(lake: Path) -> dict[str, list[dict[str, object]]]:
    found = {}
    for table in ("tickets", "events", "agents", "agent_shifts"):
        spec = TABLES[table]
        found[table] = _read(lake, table).sort_by(spec.key).to_pylist()
    return found


def test_export_again_replaces_each_table(
    demo: tuple[str, Path, dict[str, int]], tmp_path: Path
) -> None:
    url, lake, written = demo
    copy = _lake_copy(lake, tmp_path)
    before = _contents(copy)
    old_files = {p.name for p in copy.rglob("*.parquet")}
    stray = copy / "tickets" / "month=2020-01"  # a file the old export did not write
    stray.mkdir()
    pq.write_table(_read(copy, "tickets").slice(0, 5), stray / "part-stray.parquet")
    with Store.open(url, read_only=True) as store:
        again = export_lake(store, copy)
    assert again == written
    assert _contents(copy) == before
    new_files = {p.name for p in copy.rglob("*.parquet")}
    assert not old_files & new_files and not stray.exists()  # whole folders replaced
    assert [p.name for p in copy.iterdir() if p.name.startswith(".")] == []


def test_a_file_a_pipeline_adds_shows_in_the_facts(
    demo: tuple[str, Path, dict[str, int]], tmp_path: Path
) -> None:
    _, lake, _ = demo
    copy = _lake_copy(lake, tmp_path)
    with Store.open(f"lake://{copy}") as store:
        assert ensure_facts(store, CONFIG).tickets == 2000
        assert ensure_facts(store, CONFIG).rebuilt is False  # nothing changed: no rebuild
        before = int(kpis(store, ["tickets_created"], config=CONFIG).n.sum())
        # a pipeline writes three tickets of November into a new month folder
        november = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
        new = pa.Table.from_pylist(
            [
                {
                    "ticket_id": f"pipeline:{i}",
                    "source": "pipeline",
                    "channel": "email",
                    "created_at": november + dt.timedelta(hours=i),
                    "status": "open",
                    "priority": "normal",
                }
                for i in range(3)
            ],
            schema=TABLES["tickets"].arrow_schema(),
        )
        month = copy / "tickets" / "month=2026-11"
        month.mkdir()
        pq.write_table(new, month / f"part-{uuid.uuid4()}.parquet")
        info = ensure_facts(store, CONFIG)
        assert info.rebuilt and info.tickets == 2003
        volume = kpis(store, ["tickets_created"], period="month", config=CONFIG)
        assert int(volume[volume.period == "2026-11"].n.sum()) == 3
        assert int(volume.n.sum()) == before + 3
        # ... and a file removed goes away again
        shutil.rmtree(month)
        assert ensure_facts(store, CONFIG).tickets == 2000
        volume = kpis(store, ["tickets_created"], config=CONFIG)
        assert int(volume.n.sum()) == before


def test_imports_into_a_lake_are_refused(
    demo: tuple[str, Path, dict[str, int]], tmp_path: Path
) -> None:
    from sanjeh.ingest import import_file

    _, lake, _ = demo
    source = tmp_path / "t.csv"
    source.write_text("ticket_id,created_at,channel\n1,2026-03-01T08:00:00Z,email\n")
    with Store.open(f"lake://{lake}") as store:
        with pytest.raises(LakeReadOnly) as refused:
            import_file(store, source)
        assert str(refused.value) == (
            "cannot write tickets: a lake is read-only here: write with the pipeline that "
            "owns it, or import into a DuckDB/PostgreSQL store and `sanjeh export --lake`"
        )
        with pytest.raises(LakeReadOnly):
            store.write("teams", [{"team_id": "x:1", "name": "x"}])
        assert store.counts(["tickets", "teams"]) == {"tickets": 2000, "teams": 7}
        # the app's own tables stay writable (logins, QA records)
        store.write("import_rejects", [])
    assert sorted(p.name for p in (lake / "teams").iterdir())[0].startswith("part-")


def test_a_lake_of_a_newer_model_is_refused(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / MARKER).write_text(json.dumps({"layout": 1, "model_version": MODEL_VERSION + 1}))
    with pytest.raises(SchemaMismatch, match="upgrade Sanjeh"):
        Store.open(f"lake://{lake}")


def test_app_tables_exported_on_request_are_loaded_writable(
    demo: tuple[str, Path, dict[str, int]], tmp_path: Path
) -> None:
    _, lake, _ = demo
    copy = _lake_copy(lake, tmp_path)
    row = {
        "import_id": "i1",
        "path": "a.csv",
        "format": "csv",
        "source": "s",
        "fingerprint": "f",
        "started_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    with Store.open(str(tmp_path / "extra.duckdb")) as extra:
        extra.write("import_log", [row])
        assert export_lake(extra, copy, tables=["import_log"]) == {"import_log": 1}
    assert [p.name.startswith("part-") for p in (copy / "import_log").iterdir()] == [True]
    with Store.open(f"lake://{copy}") as store:
        assert store.counts(["import_log", "tickets"]) == {"import_log": 1, "tickets": 2000}
        store.write("import_log", [{**row, "import_id": "i2"}])
        assert store.counts(["import_log"]) == {"import_log": 2}
    assert _read(copy, "import_log").num_rows == 1  # the lake itself is untouched


def test_a_table_gains_its_first_files_and_loses_them(
    demo: tuple[str, Path, dict[str, int]], tmp_path: Path
) -> None:
    _, lake, _ = demo
    copy = _lake_copy(lake, tmp_path)
    scores = pa.Table.from_pylist(
        [
            {"score_id": f"s{i}", "analyzer": "empathy", "label": "present", "version": "1"}
            for i in range(2)
        ],
        schema=TABLES["auto_scores"].arrow_schema(),
    )
    with Store.open(f"lake://{copy}") as store:
        assert store.changes() == {}
        assert store.counts(["auto_scores"]) == {"auto_scores": 0}  # an empty, typed view
        pq.write_table(scores, copy / "auto_scores" / "part-first.parquet")
        assert store.changes() == {"auto_scores": True}  # anything may have changed
        assert store.counts(["auto_scores"]) == {"auto_scores": 2}
        assert sorted(store.table("auto_scores").score_id.to_pyarrow().to_pylist()) == ["s0", "s1"]
        store.clear_changes()
        assert store.changes() == {}  # seen: not recorded twice
        (copy / "auto_scores" / "part-first.parquet").unlink()
        assert store.changes() == {"auto_scores": True}
        assert store.counts(["auto_scores"]) == {"auto_scores": 0}


def test_redacted_export_masks_personal_data(
    demo: tuple[str, Path, dict[str, int]], tmp_path: Path
) -> None:
    url, _, written = demo
    with Store.open(url, read_only=True) as store:
        names = store.table("customers").name.to_pyarrow()
        assert names.null_count < len(names)
        assert export_lake(store, tmp_path / "lake", tables=["customers"], redact=True) == {
            "customers": written["customers"]
        }
    customers = _read(tmp_path / "lake", "customers")
    assert customers.num_rows == 900
    assert set(customers["name"].drop_null().to_pylist()) == {"[NAME]"}
    assert customers["name"].null_count == names.null_count
    assert set(customers["email"].drop_null().to_pylist()) <= {"[EMAIL]"}
