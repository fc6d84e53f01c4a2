"""The full KPI report on demo data is the same on DuckDB and PostgreSQL."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from pgsupport import PgDatabases
from sanjeh.demo import business_calendars, generate
from sanjeh.metrics import MetricsConfig, kpis
from sanjeh.store import Store

pytestmark = pytest.mark.postgres

CONFIG = MetricsConfig(calendars=business_calendars(), default_calendar="tehran")


def report(url: str) -> dict[str, pd.DataFrame]:
    with Store.open(url) as store:
        generate(store, tickets=1500, seed=7)
        return {
            "by team and week": kpis(store, by="team", period="week", config=CONFIG),
            "by channel, calendar hours": kpis(
                store, by="channel", config=CONFIG, hours="calendar"
            ),
            "by Jalali month": kpis(store, period="jalali_month", config=CONFIG),
        }


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if pd.isna(a) and pd.isna(b):  # type: ignore[arg-type]
        return True
    return a == b


def test_duckdb_and_postgres_agree(tmp_path: Path, pg_databases: PgDatabases) -> None:
    pg = pg_databases.create()
    try:
        on_pg = report(pg)
    finally:
        pg_databases.drop(pg)
    on_duck = report(str(tmp_path / "parity.duckdb"))
    for name, duck in on_duck.items():
        post = on_pg[name]
        assert len(duck) == len(post) > 20, name
        keys = [c for c in ("kpi", "team", "channel", "period") if c in duck]
        duck = duck.sort_values(keys).reset_index(drop=True)
        post = post.sort_values(keys).reset_index(drop=True)
        for col in duck.columns:
            for i, (a, b) in enumerate(zip(duck[col], post[col], strict=True)):
                assert _same(a, b), f"{name}: {duck.kpi[i]} {col}: duckdb {a!r} ≠ postgres {b!r}"
