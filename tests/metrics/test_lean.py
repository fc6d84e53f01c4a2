"""Lean reports (``stats=False``, ``compare=False``) give the full report's values."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from sanjeh.metrics import MetricsConfig, all_kpis, kpis
from sanjeh.store import Store

#: every kind of KPI: counts, a running total, durations (median and mean), rates, custom
NAMES = [
    "tickets_created",
    "backlog",
    "first_reply_time",
    "replies_per_ticket",
    "fcr_rate",
    "csat",
    "nps",
    "churn_rate",
]
REQUESTS: list[dict[str, Any]] = [
    {},
    {"start": "2026-03-02", "end": "2026-03-06"},
    {"start": "2026-03-02", "end": "2026-03-06", "period": "day"},
    {"start": "2026-03-01", "end": "2026-03-08", "by": "agent"},
    {"start": "2026-03-02", "end": "2026-03-16", "period": "week", "filters": {"channel": "chat"}},
]
KEYS = ["kpi", "period"]


def _report(store: Store, **request: Any) -> pd.DataFrame:
    return kpis(store, NAMES, config=MetricsConfig(), hours="calendar", **request)


def test_the_names_cover_a_median_and_a_mean_kpi() -> None:
    stats = {all_kpis()[n].stat for n in NAMES if all_kpis()[n].kind in ("duration", "number")}
    assert {"median", "mean"} <= stats


@pytest.mark.parametrize("request_", REQUESTS)
def test_without_stats_the_values_and_counts_are_the_same(
    scenario: Store, request_: dict[str, Any]
) -> None:
    full = _report(scenario, **request_)
    lean = _report(scenario, stats=False, **request_)
    assert not full.empty
    same = ["kpi", *full.columns[3 : list(full.columns).index("n")], "n", "value", "previous"]
    pd.testing.assert_frame_equal(lean[same], full[same])
    durations = lean.kpi.isin(["first_reply_time"])
    assert lean.loc[durations, "p90"].isna().all()
    measured = durations & full.n.gt(0)
    assert measured.any() and full.loc[measured, "p90"].notna().all()


@pytest.mark.parametrize("request_", REQUESTS[1:4])  # (the weeks are partial: never compared)
def test_without_comparison_the_values_are_the_same_and_previous_is_empty(
    scenario: Store, request_: dict[str, Any]
) -> None:
    full = _report(scenario, **request_)
    lean = _report(scenario, compare=False, **request_)
    keys = [c for c in full.columns[: list(full.columns).index("n")] if c not in ("title",)]
    pd.testing.assert_frame_equal(
        lean[[*keys, "n", "value"]].reset_index(drop=True),
        full[[*keys, "n", "value"]].reset_index(drop=True),
    )
    if "period" in request_:
        first = lean.period == lean.period.min()
        assert lean.loc[first, "previous"].isna().all()
        # later periods still compare with the one before, read within the report
        later = full.loc[~first & full.previous.notna()]
        assert not later.empty
        got = lean.set_index([*keys]).loc[later.set_index(keys).index, "previous"]
        assert got.tolist() == later.previous.tolist()
    else:
        assert lean.previous.isna().all()
        assert full.previous.notna().any()


def test_a_lean_report_of_one_day_by_hand(scenario: Store) -> None:
    # 2 March (see scenario.py): T1, T2, T3 created, two replied in calendar time
    got = _report(
        scenario, start="2026-03-02", end="2026-03-03", stats=False, compare=False
    ).set_index("kpi")
    assert got.loc["tickets_created", "value"] == 3
    assert math.isnan(got.loc["tickets_created", "previous"])
    full = _report(scenario, start="2026-03-02", end="2026-03-03").set_index("kpi")
    assert got.loc["first_reply_time", "value"] == full.loc["first_reply_time", "median"]
    # the full report compares with 1 March, which had no tickets: 0, not unknown
    assert full.loc["tickets_created", "previous"] == 0
    assert full.loc["tickets_created", "change"] == 3
