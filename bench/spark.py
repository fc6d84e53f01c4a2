"""Spark benchmark: the same fact build and KPI report on DuckDB and on Spark local[2].

    python bench/spark.py [--tickets 1000000] [--driver-memory 6g]

On the demo store of ``bench/kpis.py`` (generated once, kept in bench/out/), copied so
the two benchmarks never share a file:

- ``export``: the store written as a Parquet lake (``sanjeh export --lake``);
- ``open``: opening the store (Spark: starting the session, registering the lake);
- ``facts``: building every fact table from the canonical tables;
- ``report``: the full KPI report (every KPI, by team and week) from the facts.

Spark runs the same Ibis expressions as DuckDB (issue #19); on one machine it is slower
(a JVM, a scheduler, Parquet written per step): the ratio says by how much. Before any
time is reported the two reports are checked to be equal (counts exact, values 1e-6).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil

import numpy as np
import pandas as pd

from _common import OUT, peak_rss_mb, report, timed
from kpis import CONFIG, store_for
from sanjeh.metrics import build_facts, kpis
from sanjeh.store import Store
from sanjeh.store._lake import export_lake

KEY = ["kpi", "team", "period_start"]


def _report(store: Store) -> pd.DataFrame:
    return kpis(store, config=CONFIG, by=["team"], period="week", ensure=False)


def _differing_cells(a: pd.DataFrame, b: pd.DataFrame) -> int:
    m = a.merge(b, on=KEY, how="outer", suffixes=("_a", "_b"), indicator=True)
    bad = int((m["_merge"] != "both").sum())
    for column in (c for c in a.columns if c not in KEY):
        x, y = m[f"{column}_a"], m[f"{column}_b"]
        both = ~x.isna() & ~y.isna()
        bad += int((x.isna() != y.isna()).sum())
        try:
            far = ~np.isclose(x[both].astype(float), y[both].astype(float), atol=1e-6)
        except (TypeError, ValueError):
            far = (x[both].astype(str) != y[both].astype(str)).to_numpy()
        bad += int(far.sum())
    return bad


def run(tickets: int, driver_memory: str) -> list[dict[str, object]]:
    source = store_for(tickets)
    copy = OUT / f"spark-src-{tickets}.duckdb"
    lake = OUT / f"lake-{tickets}"
    shutil.copyfile(source, copy)
    shutil.rmtree(lake, ignore_errors=True)
    rows: list[dict[str, object]] = []

    def row(step: str, duck: float, spark: float) -> None:
        rows.append(
            {
                "tickets": tickets,
                "step": step,
                "duckdb_s": duck,
                "spark_s": spark,
                "spark/duckdb": spark / duck if duck else float("nan"),
            }
        )

    t_open_d, duck = timed(lambda: Store.open(str(copy)))
    with duck:
        t_export, _ = timed(lambda: export_lake(duck, lake))
        t_facts_d, _ = timed(lambda: build_facts(duck, CONFIG))
        t_report_d, expected = timed(lambda: _report(duck))
    url = f"pyspark://{lake.resolve()}?master=local[2]&spark.driver.memory={driver_memory}"
    t_open_s, spark = timed(lambda: Store.open(url))
    with spark:
        t_facts_s, _ = timed(lambda: build_facts(spark, CONFIG))
        t_report_s, found = timed(lambda: _report(spark))
    differing = _differing_cells(expected, found)
    if differing:
        raise SystemExit(f"the Spark report differs from DuckDB's in {differing} cells")
    print(f"reports equal: {len(expected):,} rows; export to the lake {t_export:.1f} s")
    row("open", t_open_d, t_open_s)
    row("facts", t_facts_d, t_facts_s)
    row("report", t_report_d, t_report_s)
    row("facts+report", t_facts_d + t_report_d, t_facts_s + t_report_s)
    rows.append(
        {
            "tickets": tickets,
            "step": "python_peak_mb",
            "duckdb_s": peak_rss_mb(),
            "spark_s": float("nan"),
            "spark/duckdb": float("nan"),
        }
    )
    copy.unlink()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--driver-memory", default="6g")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    rows = run(args.tickets, args.driver_memory)
    print(f"started {started:%Y-%m-%d %H:%M} UTC")
    report("spark", rows)


if __name__ == "__main__":
    main()
