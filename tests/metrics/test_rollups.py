"""The daily rollups (``sanjeh.metrics._rollup``) give the numbers the facts give.

A dashboard view reads the additive parts of the ticket and survey KPIs (counts, rates,
means, the backlog) from the rollups when it asks for whole days and breaks down or
filters by team, channel, priority or language only. For random requests of that kind
the report is checked to be the one read from the facts alone, on DuckDB and
PostgreSQL; a refresh keeps the rollups equal to ones built from scratch.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.demo import business_calendars, generate
from sanjeh.metrics import (
    MetricsConfig,
    _rollup,
    all_kpis,
    build_facts,
    ensure_facts,
    kpis,
)
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store

CONFIG = MetricsConfig(calendars=business_calendars(), default_calendar="tehran")
#: every KPI of the sources that have rollups (medians, custom KPIs and all)
NAMES = [k.name for k in all_kpis().values() if k.source in ("tickets", "surveys")]
FIRST_DAY = dt.date(2026, 8, 3)  # the demo's data: 2026-08-02 … 2026-10-31


def _demo(store: Store) -> None:
    generate(store, tickets=1500, seed=11)
    ensure_facts(store, CONFIG)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, _demo) as store:
        yield store


def _values(store: Store) -> dict[str, list[str]]:
    facts = store.con.table("facts_tickets")
    out = {}
    for dim, col in _rollup.DIMENSIONS.items():
        found = facts.select(col).distinct().to_pandas()[col].dropna()
        out[dim] = sorted(str(v) for v in found)
    return out


@st.composite
def requests(draw: st.DrawFn, values: dict[str, list[str]]) -> dict[str, Any]:
    start = FIRST_DAY + dt.timedelta(days=draw(st.integers(0, 85)))
    end = start + dt.timedelta(days=draw(st.integers(1, 45)))
    dims = list(_rollup.DIMENSIONS)
    chosen = draw(st.lists(st.sampled_from(dims), max_size=2, unique=True))
    filters = {
        d: draw(st.lists(st.sampled_from(values[d]), min_size=1, max_size=2, unique=True))
        for d in chosen
    }
    return {
        "start": start,
        "end": end,
        "filters": filters,
        "by": draw(st.sampled_from([None, *dims])),
        "period": draw(st.sampled_from([None, "day", "week", "month", "jalali_month"])),
        "hours": draw(st.sampled_from(["business", "calendar"])),
        "stats": draw(st.booleans()),
        "compare": draw(st.booleans()),
    }


def _same_reports(a: pd.DataFrame, b: pd.DataFrame, request: dict[str, Any]) -> None:
    assert list(a.columns) == list(b.columns), request
    assert len(a) == len(b), request
    for col in a.columns:
        for i, (x, y) in enumerate(zip(a[col], b[col], strict=True)):
            if (
                isinstance(x, float)
                and isinstance(y, float)
                and not (math.isnan(x) or math.isnan(y))
            ):
                same = math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
            else:
                same = (pd.isna(x) and pd.isna(y)) or x == y
            assert same, f"{a.kpi[i]} {col}: rollups {x!r} ≠ facts {y!r} for {request}"


def test_rollup_served_kpis_equal_fact_served_kpis(demo: Store) -> None:
    values = _values(demo)

    @settings(
        max_examples=25 if demo.backend == "duckdb" else 10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(requests(values))
    def check(request: dict[str, Any]) -> None:
        rolled = kpis(demo, NAMES, config=CONFIG, ensure=False, **request)
        assert {"tickets_created", "tickets_solved"} <= set(rolled.attrs["from_rollups"])
        facts = kpis(demo, NAMES, config=CONFIG, ensure=False, rollups=False, **request)
        assert facts.attrs["from_rollups"] == []
        _same_reports(rolled, facts, request)

    check()


def test_the_dashboards_kpis_are_served_from_rollups() -> None:
    """Which KPIs the rollups answer (docs/architecture.md lists them): the counts,
    rates, means and the backlog of the ticket and survey facts — not the medians."""
    served = {
        k.name for r in _rollup.ROLLUPS for k in r.kpis() if _rollup.serves(r, k, stats=False)
    }
    assert {"tickets_created", "tickets_solved", "backlog", "fcr_rate", "csat", "nps"} <= served
    assert not {"first_reply_time", "resolution_time", "enps"} & served  # median; anonymous


def test_requests_the_rollups_cannot_answer_read_the_facts(demo: Store) -> None:
    facts = demo.con.table("facts_tickets")
    agent = facts.filter(facts.agent_id.notnull()).agent_id.min().to_pyarrow().as_py()
    for request in (
        {"filters": {"agent": [agent]}},  # by agent: not in the rollups
        {"period": "hour"},
        {"start": dt.datetime(2026, 9, 1, 12), "end": dt.date(2026, 9, 10)},  # midday
    ):
        start = request.pop("start", dt.date(2026, 9, 1))
        end = request.pop("end", dt.date(2026, 9, 3))
        out = kpis(demo, NAMES, config=CONFIG, ensure=False, start=start, end=end, **request)
        assert out.attrs["from_rollups"] == [], request


def _rollup_rows(store: Store, rollup: _rollup.Rollup) -> dict[tuple[Any, ...], dict[str, Any]]:
    rows = store.con.table(rollup.name).to_pyarrow().to_pylist()
    return {tuple(r[k] for k in rollup.keys): r for r in rows}


def _table_oids(store: Store) -> list[Any]:
    """The rollup tables' ids in the database's catalog (a table built anew and renamed
    into place gets a new one)."""
    if store.backend == "duckdb":
        sql = "SELECT table_name, table_oid FROM duckdb_tables() WHERE table_name LIKE 'rollup_%'"
    else:
        sql = "SELECT relname, oid::bigint FROM pg_class WHERE relname LIKE 'rollup_%'"
    return sorted(store.con.sql(sql).to_pyarrow().to_pylist(), key=str)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refresh_keeps_the_rollups_equal_to_a_build(
    backend: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)
    with loaded_store(backend, tmp_path_factory, _demo) as store:
        tickets = store.table("tickets").order_by("ticket_id").limit(40).to_pyarrow().to_pylist()
        # an agent's reply to 30 tickets on the data's last day; 10 tickets change priority
        late = dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC)
        store.write(
            "events",
            [
                {
                    "event_id": f"{t['ticket_id']}-late",
                    "ticket_id": t["ticket_id"],
                    "at": late + dt.timedelta(minutes=i),
                    "kind": "message",
                    "actor_type": "agent",
                    "actor_id": t["agent_id"],
                    "public": True,
                    "body": "Any news? We checked again.",
                }
                for i, t in enumerate(tickets[:30])
            ],
        )
        flipped = {"low": "urgent", "normal": "high", "high": "low", "urgent": "normal"}
        moved = [dict(t, priority=flipped[t["priority"]]) for t in tickets[30:]]
        store.write("tickets", moved)
        oids = _table_oids(store)
        info = ensure_facts(store, CONFIG)
        assert info.rebuilt is False
        assert _table_oids(store) == oids  # changed in place, not built again whole
        refreshed = {r: _rollup_rows(store, r) for r in _rollup.ROLLUPS}
        build_facts(store, CONFIG)
        for rollup in _rollup.ROLLUPS:
            built = _rollup_rows(store, rollup)
            assert refreshed[rollup].keys() == built.keys(), rollup.name
            for key, row in built.items():
                for col, value in row.items():
                    other = refreshed[rollup][key][col]
                    if isinstance(value, float):
                        assert math.isclose(value, other, rel_tol=1e-9), (rollup.name, key, col)
                    else:
                        assert value == other, (rollup.name, key, col)
