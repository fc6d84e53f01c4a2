"""The whole KPI report on DuckDB, PostgreSQL and Spark: the same numbers.

One demo operation of 20,000 tickets (seed 7), written by each store's own merge
(on Spark: the Parquet lake's partition rewrites), facts built by each engine, every
KPI of the registry by team and week; then the same change on all three (replies to
twenty tickets, a new ticket) refreshed incrementally and reported again. Counts must
be equal, durations and rates within 1e-6.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pgsupport import PgDatabases
from sanjeh.demo import business_calendars, generate
from sanjeh.metrics import MetricsConfig, ensure_facts, kpis
from sanjeh.store import Store

from .conftest import lake_url

TICKETS = 20_000
CONFIG = MetricsConfig(calendars=business_calendars(), default_calendar="tehran")
KEY = ["kpi", "team", "period_start"]
UTC = dt.UTC


def _report(store: Store) -> pd.DataFrame:
    return kpis(store, config=CONFIG, by=["team"], period="week")


def _change(store: Store) -> None:
    """Agents answer twenty tickets once more; a new ticket arrives."""
    t = store.table("tickets")
    first = t.order_by("ticket_id").limit(20).select("ticket_id", "created_at")
    rows = first.to_pyarrow().to_pylist()
    store.write(
        "events",
        [
            {
                "event_id": f"parity:reply:{r['ticket_id']}",
                "ticket_id": r["ticket_id"],
                "at": r["created_at"] + dt.timedelta(hours=3, seconds=0.25),
                "kind": "message",
                "actor_type": "agent",
                "actor_id": "demo:agent:1",
                "public": True,
                "body": "پاسخ دوباره",
            }
            for r in rows
        ],
    )
    created = dt.datetime(2026, 10, 20, 9, 30, tzinfo=UTC)
    store.write(
        "tickets",
        [
            {
                "ticket_id": "parity:new",
                "source": "parity",
                "created_at": created,
                "channel": "email",
                "status": "open",
                "team_id": "demo:billing",
                "subject": "parity",
            }
        ],
    )


def _differences(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, int]:
    """Rows of one report missing in the other, and per column the cells that differ
    (nulls equal nulls; numbers within 1e-6; text exactly)."""
    assert list(a.columns) == list(b.columns)
    m = a.merge(b, on=KEY, how="outer", suffixes=("_a", "_b"), indicator=True)
    out = {"rows only in one": int((m["_merge"] != "both").sum())}
    for column in (c for c in a.columns if c not in KEY):
        x, y = m[f"{column}_a"], m[f"{column}_b"]
        differ = x.isna() != y.isna()
        both = ~x.isna() & ~y.isna()
        try:
            far = ~np.isclose(x[both].astype(float), y[both].astype(float), rtol=1e-9, atol=1e-6)
        except (TypeError, ValueError):
            far = (x[both].astype(str) != y[both].astype(str)).to_numpy()
        differ = differ | pd.Series(far, index=x[both].index).reindex(m.index, fill_value=False)
        if differ.any():
            out[column] = int(differ.sum())
    return {k: v for k, v in out.items() if v}


def _reports(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Store.open(url) as store:
        generate(store, tickets=TICKETS, seed=7, as_of=dt.date(2026, 10, 31), transcripts=False)
        before = _report(store)
        _change(store)
        ensure_facts(store, CONFIG)  # an incremental refresh of the touched tickets
        return before, _report(store)


@pytest.fixture(scope="module")
def duckdb_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _reports(str(tmp_path_factory.mktemp("duckdb") / "parity.duckdb"))


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    pg = PgDatabases()
    url = pg.create()  # skips when no server is reachable
    try:
        yield url
    finally:
        pg.drop(url)


def test_the_reports_are_not_empty(duckdb_reports: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    before, after = duckdb_reports
    assert len(before) > 4_000 and before["value"].notna().sum() > 2_000
    volume = after[(after.kpi == "tickets_created")]["n"].sum()
    assert volume == before[(before.kpi == "tickets_created")]["n"].sum() + 1
    assert _differences(before, after)  # the change shows


def test_spark_gives_the_same_numbers(
    duckdb_reports: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    before, after = _reports(lake_url(tmp_path / "lake"))
    assert _differences(duckdb_reports[0], before) == {}
    assert _differences(duckdb_reports[1], after) == {}


@pytest.mark.postgres
def test_postgres_gives_the_same_numbers(
    duckdb_reports: tuple[pd.DataFrame, pd.DataFrame], postgres_url: str
) -> None:
    before, after = _reports(postgres_url)
    assert _differences(duckdb_reports[0], before) == {}
    assert _differences(duckdb_reports[1], after) == {}
