"""The Spark store: the merge's semantics on a Parquet lake, partitions, reopening.

Each figure is checked against the files themselves, read back with pyarrow (not
through Spark or Sanjeh), so the lake holds what the store says it holds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pyarrow.dataset as ds
import pytest

from sanjeh.model import MODEL_VERSION
from sanjeh.store import Store
from sanjeh.store import _lake_layout as layout

from .conftest import lake_url

UTC = dt.UTC


def _ticket(tid: str, created: dt.datetime, subject: str, **more: object) -> dict[str, object]:
    row: dict[str, object] = {
        "ticket_id": tid,
        "source": "test",
        "created_at": created,
        "channel": "email",
        "status": "open",
        "subject": subject,
    }
    row.update(more)
    return row


def _files(lake: Path, table: str) -> dict[str, list[dict[str, object]]]:
    """Rows per month folder, read with pyarrow from the Parquet files alone."""
    out: dict[str, list[dict[str, object]]] = {}
    for folder in sorted((lake / table).glob(f"{layout.PARTITION}=*")):
        files = [p for p in folder.glob("*.parquet")]
        rows = ds.dataset(files, format="parquet").to_table().to_pylist() if files else []
        out[folder.name.split("=", 1)[1]] = rows
    return out


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lake")


def test_merge_semantics_on_the_lake(lake: Path) -> None:
    jan = dt.datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    feb = dt.datetime(2026, 2, 1, 0, 30, tzinfo=UTC)
    with Store.open(lake_url(lake)) as store:
        first = store.write(
            "tickets",
            [
                _ticket("t:1", jan, "a"),
                _ticket("t:2", feb, "b"),
                _ticket("t:2", feb, "b, later line"),  # the same input: the last wins
            ],
        )
        assert (first.inserted, first.superseded) == (2, 1)

        again = store.write(
            "tickets", [_ticket("t:1", jan, "a"), _ticket("t:2", feb, "b, later line")]
        )
        assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 2)

        # t:1 is corrected into February: it must leave January's partition
        moved = store.write("tickets", [_ticket("t:1", feb, "a, corrected")])
        assert (moved.inserted, moved.replaced) == (0, 1)

        # a version column: an older version does not replace a newer one
        new = dt.datetime(2026, 3, 1, tzinfo=UTC)
        old = dt.datetime(2026, 2, 15, tzinfo=UTC)
        store.write("tickets", [_ticket("t:3", feb, "new", updated_at=new)])
        kept = store.write("tickets", [_ticket("t:3", feb, "old", updated_at=old)])
        assert kept.kept_newer == 1

        stored = store.table("tickets").order_by("ticket_id").to_pyarrow().to_pylist()
        assert [(r["ticket_id"], r["subject"]) for r in stored] == [
            ("t:1", "a, corrected"),
            ("t:2", "b, later line"),
            ("t:3", "new"),
        ]
        assert stored[0]["created_at"] == feb  # aware, UTC, to the microsecond

    files = _files(lake, "tickets")
    # January's only ticket moved: its folder is gone, not left holding a stale copy
    assert {m: sorted(r["ticket_id"] for r in rows) for m, rows in files.items()} == {
        "2026-02": ["t:1", "t:2", "t:3"]
    }
    # the month is the folder, never a column inside the files
    assert all("month" not in row for rows in files.values() for row in rows)
    schema = ds.dataset(lake / "tickets", format="parquet").schema
    assert str(schema.field("created_at").type) == "timestamp[us, tz=UTC]"


def test_reopened_store_has_its_tables_and_change_log(lake: Path) -> None:
    with Store.open(lake_url(lake)) as store:
        assert store.counts(["tickets"]) == {"tickets": 3}
        assert "tickets" in store.changes()
        # a statement the store's SQL sends as such (``_keys``): INSERT … VALUES
        store.con.raw_sql("INSERT INTO `sanjeh_changes` (`table_name`) VALUES ('teams')")
        assert store.changes()["teams"] is True  # no id: anything may have changed
        assert layout.read_marker(lake) == {
            "layout": layout.LAYOUT_VERSION,
            "model_version": MODEL_VERSION,
        }


def test_delete_rewrites_only_the_touched_month(tmp_path: Path) -> None:
    with Store.open(lake_url(tmp_path)) as store:
        rows = [
            _ticket(f"t:{m}{i}", dt.datetime(2026, m, 10 + i, tzinfo=UTC), f"s{i}")
            for m in (1, 2, 3)
            for i in range(3)
        ]
        store.write("tickets", rows)
        before = {p: p.stat().st_mtime_ns for p in (tmp_path / "tickets").rglob("*.parquet")}
        doomed = ibis.memtable({"ticket_id": ["t:21"]})
        store.delete_where_in("tickets", "ticket_id", doomed)
        left = sorted(store.table("tickets").ticket_id.to_pyarrow().to_pylist())
    assert left == sorted(r["ticket_id"] for r in rows if r["ticket_id"] != "t:21")
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "tickets").rglob("*.parquet")}
    untouched = {p: t for p, t in before.items() if "month=2026-02" not in str(p)}
    assert {p: after.get(p) for p in untouched} == untouched  # January, March: same files
    files = _files(tmp_path, "tickets")
    assert sorted(r["ticket_id"] for r in files["2026-02"]) == ["t:20", "t:22"]


def test_exact_median_with_a_condition_and_fractional_seconds(tmp_path: Path) -> None:
    """Ibis 12 compiles ``median(where=…)`` for Spark into SQL that Spark refuses, and
    epoch seconds without their fraction: the store's compiler does both right."""
    base = dt.datetime(2026, 5, 1, tzinfo=UTC)
    with Store.open(lake_url(tmp_path)) as store:
        store.write(
            "tickets",
            [
                _ticket(f"t:{i}", base + dt.timedelta(seconds=s), "x", priority=p)
                for i, (s, p) in enumerate(
                    [(1.25, "high"), (2.5, "high"), (10.0, "low"), (4.0, "high")]
                )
            ],
        )
        t = store.table("tickets")
        seconds = t.created_at.epoch_seconds().cast("float64") - base.timestamp()
        result = store.con.execute(
            t.aggregate(
                med=seconds.median(where=t.priority == "high"),  # 1.25, 2.5, 4.0 → 2.5
                p50=seconds.quantile(0.5),  # 1.25, 2.5, 4.0, 10.0 → 3.25 (interpolated)
                total=seconds.sum(),
            )
        )
    assert result.med[0] == pytest.approx(2.5)
    assert result.p50[0] == pytest.approx(3.25)
    assert result.total[0] == pytest.approx(17.75)


def test_approximate_percentiles_are_an_option(tmp_path: Path) -> None:
    with Store.open(lake_url(tmp_path) + "&percentiles=approximate") as store:
        t = store.table("tickets")
        sql = str(store.con.compile(t.aggregate(m=t.created_at.epoch_seconds().median())))
    assert "approx_percentile" in sql.lower()
    with Store.open(lake_url(tmp_path)) as store:
        t = store.table("tickets")
        sql = str(store.con.compile(t.aggregate(m=t.created_at.epoch_seconds().median())))
    assert "percentile(" in sql.lower() and "approx" not in sql.lower()


def test_the_ibis_internals_the_spark_store_overrides_exist(tmp_path: Path) -> None:
    """An Ibis release without one of them would leave the override unused (a Spark
    store then silently slower, or wrong: medians, epoch fractions)."""
    import importlib

    from sanjeh.store import _ibis_compat

    for module, cls, attribute in _ibis_compat.SPARK_OVERRIDES:
        parent = getattr(importlib.import_module(module), cls)  # Ibis's class, not ours
        assert hasattr(parent, attribute), f"{module}.{cls}.{attribute}"
    with Store.open(lake_url(tmp_path)) as store:  # set by Ibis's do_connect, not by us
        assert "_session" not in vars(type(store.con)) and store.con._session is not None


def test_where_a_spark_store_runs_and_keeps_its_lake() -> None:
    from sanjeh.errors import ConfigError
    from sanjeh.store._spark import parse_url

    local = parse_url("pyspark:///data/lake?master=local[4]&spark.executor.memory=4g")
    assert (local.master, local.lake, dict(local.conf)) == (
        "local[4]",
        "/data/lake",
        {"spark.executor.memory": "4g"},
    )
    cluster = parse_url("spark://head:7077/shared/lake")
    assert (cluster.master, cluster.lake, cluster.approximate) == (
        "spark://head:7077",
        "/shared/lake",
        False,
    )
    configured = parse_url(
        "pyspark://",
        {
            "lake": "hdfs:///sanjeh",
            "master": "yarn",
            "percentiles": "approximate",
            "conf": {"spark.executor.instances": 8},
        },
    )
    assert (configured.master, configured.lake, configured.approximate) == (
        "yarn",
        "hdfs:///sanjeh",
        True,
    )
    assert configured.conf == {"spark.executor.instances": "8"}
    hdfs = parse_url("pyspark://hdfs:///warehouse/sanjeh?master=yarn")
    assert (hdfs.master, hdfs.lake) == ("yarn", "hdfs:///warehouse/sanjeh")
    s3 = parse_url("pyspark://s3a://bucket/sanjeh")
    assert (s3.master, s3.lake) == ("local[2]", "s3a://bucket/sanjeh")
    with pytest.raises(ConfigError, match="say where the lake is"):
        parse_url("pyspark://")
    with pytest.raises(ConfigError, match="unknown key 'mastr'"):
        parse_url("pyspark:///l", {"mastr": "local"})
    with pytest.raises(ConfigError, match='"exact" or "approximate"'):
        parse_url("pyspark:///l?percentiles=fast")
