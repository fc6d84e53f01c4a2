"""One lake layout, written and read by both engines.

A lake DuckDB exported (``sanjeh export --lake``) is a Spark store as it is; a lake Spark
wrote is read by a ``lake://`` store (DuckDB over the Parquet files).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from sanjeh.demo import business_calendars, generate
from sanjeh.metrics import MetricsConfig, kpis
from sanjeh.store import Store, export_lake

from .conftest import lake_url
from .test_parity import _differences

CONFIG = MetricsConfig(calendars=business_calendars(), default_calendar="tehran")
UTC = dt.UTC


def _report(store: Store) -> pd.DataFrame:
    return kpis(store, config=CONFIG, by=["team"], period="week")


def test_spark_reads_the_lake_duckdb_exported(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "demo.duckdb")) as duck:
        generate(duck, tickets=1_500, seed=3, as_of=dt.date(2026, 10, 31), transcripts=False)
        written = export_lake(duck, tmp_path / "lake")
        expected = _report(duck)
        counts = duck.counts(list(written))
    assert written == counts and written["tickets"] == 1_500
    with Store.open(lake_url(tmp_path / "lake")) as spark:
        assert spark.counts(list(written)) == counts
        found = _report(spark)  # the facts built by Spark, in the lake's _sanjeh/ folder
    assert len(expected) > 1_000
    assert _differences(expected, found) == {}


def test_duckdb_reads_the_lake_spark_wrote(tmp_path: Path) -> None:
    created = [dt.datetime(2026, m, 3, 8, 15, 30, 250_000, tzinfo=UTC) for m in (3, 3, 4)]
    rows = [
        {
            "ticket_id": f"t:{i}",
            "source": "test",
            "created_at": at,
            "channel": "chat",
            "status": "solved",
            "tags": ["a", "b"] if i else None,
        }
        for i, at in enumerate(created)
    ]
    with Store.open(lake_url(tmp_path)) as spark:
        spark.write("tickets", rows)
        spark.write("tickets", [{**rows[0], "status": "open"}])  # a partition rewritten
    with Store.open(f"lake://{tmp_path}") as lake:
        found = lake.table("tickets").order_by("ticket_id").to_pyarrow().to_pylist()
    assert [(r["ticket_id"], r["status"], r["created_at"], r["tags"]) for r in found] == [
        ("t:0", "open", created[0], None),
        ("t:1", "solved", created[1], ["a", "b"]),
        ("t:2", "solved", created[2], ["a", "b"]),
    ]
