"""Level KPIs (the backlog) against a count of the tickets open at each period's end.

The engine gets a level from what was open before the report's window plus what came
in and went out period by period; here each level is counted directly from the ticket
facts, one period end at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from sanjeh.demo import generate
from sanjeh.metrics import MetricsConfig, kpis
from sanjeh.metrics._periods import local_seconds
from sanjeh.store import Store


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    if request.param == "duckdb":
        url = str(tmp_path_factory.mktemp("levels") / "demo.duckdb")
    else:
        url = request.getfixturevalue("pg_databases").create()
    with Store.open(url) as store:
        generate(store, tickets=1200, seed=9, start=dt.date(2026, 1, 1), days=60)
        kpis(store, ["tickets_created"])  # builds the facts
        yield store


def _facts(store: Store) -> pd.DataFrame:
    return store.con.table("facts_tickets").to_pandas()


def _open_at(facts: pd.DataFrame, end: dt.datetime) -> pd.DataFrame:
    """Tickets open at local instant ``end``: created before, not solved before."""
    at = local_seconds(end)
    live = facts[~facts.is_merged.astype(bool)]
    solved = live.solved_local.notna() & (live.solved_local < at)
    return live[(live.created_local < at) & ~solved]


def _report(store: Store, **request: Any) -> pd.DataFrame:
    return kpis(store, ["backlog"], config=MetricsConfig(), **request)


@pytest.mark.parametrize("period", ["day", "week", "month", "jalali_month"])
@pytest.mark.parametrize("compare", [True, False])
def test_each_period_ends_with_the_tickets_open_then(
    demo: Store, period: str, compare: bool
) -> None:
    facts = _facts(demo)
    report = _report(demo, start="2026-01-20", end="2026-02-25", period=period, compare=compare)
    assert len(report) >= 2
    for row in report.itertuples():
        starts = report.period_start[report.period_start > row.period_start]
        end = starts.min() if len(starts) else dt.datetime(2026, 2, 25)
        assert row.value == len(_open_at(facts, end)), (period, row.period)


def test_the_level_before_the_window_is_counted_once(demo: Store) -> None:
    """No period: the current window's end and the previous window's end."""
    facts = _facts(demo)
    row = _report(demo, start="2026-02-01", end="2026-02-15").iloc[0]
    assert row.value == len(_open_at(facts, dt.datetime(2026, 2, 15)))
    assert row.previous == len(_open_at(facts, dt.datetime(2026, 2, 1)))
    everything = _report(demo).iloc[0]
    assert everything.value == len(_open_at(facts, dt.datetime(2100, 1, 1)))


@pytest.mark.parametrize(
    "request_",
    [
        {"by": "agent"},
        {"by": "team", "filters": {"channel": ["email", "chat"]}},
        {"by": "channel", "period": "week"},
    ],
)
def test_a_breakdown_counts_each_group_open_then(demo: Store, request_: dict[str, Any]) -> None:
    """Groups whose tickets were all opened before the window still have a level."""
    by = request_["by"]
    column = {"agent": "agent_id", "team": "team_id", "channel": "channel"}[by]
    facts = _facts(demo)
    chosen = request_.get("filters", {}).get("channel")
    if chosen:
        facts = facts[facts.channel.isin(chosen)]
    report = _report(demo, start="2026-02-10", end="2026-02-24", **request_)
    end = dt.datetime(2026, 2, 24)
    if "period" in request_:
        report = report[report.period_start == report.period_start.max()]
    expected = _open_at(facts, end).groupby(column, dropna=False).size()
    got = report.set_index(by).value
    open_groups = expected[expected > 0]
    assert len(open_groups) >= 2
    for group, count in open_groups.items():
        key = group if not pd.isna(group) else got.index[got.index.isna()][0]
        assert got[key] == count, (by, group)
    assert (got.drop(index=list(open_groups.index), errors="ignore") == 0).all()
