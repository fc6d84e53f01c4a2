"""A KPI is never silently missing: the number, or one row saying why there is none.

The scenario (scenario.py) with customers given plans and segments:
c-1 pro / vip, c-2 free / smb, c-3 no plan / smb, c-4 pro / vip, c-7 free / smb.
Live tickets: T1 c-1, T2 c-2, T3 c-3, T4 c-4, T6 c-2, T7 c-7.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from sanjeh.metrics import MetricsConfig, kpis
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store
from .scenario import load

PLANS = {"c-1": ("pro", "vip"), "c-2": ("free", "smb"), "c-3": (None, "smb")}
PLANS |= {"c-4": ("pro", "vip"), "c-7": ("free", "smb")}


def _load(store: Store) -> None:
    load(store)
    created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    store.write(
        "customers",
        [
            {"customer_id": f"t:{c}", "source": "t", "plan": p, "segment": s, "created_at": created}
            for c, (p, s) in PLANS.items()
        ],
    )


@pytest.fixture(scope="module", params=BACKENDS)
def planned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with loaded_store(request.param, tmp_path_factory, _load) as store:
        yield store


def report(store: Store, names: list[str], **kw) -> pd.DataFrame:
    return kpis(store, names, config=MetricsConfig(), hours="calendar", **kw)


def by(df: pd.DataFrame, kpi: str, dim: str) -> dict:
    rows = df[df.kpi == kpi]
    return {
        (None if pd.isna(k) else k): (n, v)
        for k, n, v in zip(rows[dim], rows.n, rows.value, strict=True)
    }


def test_ticket_reply_and_survey_kpis_by_plan(planned: Store) -> None:
    df = report(
        planned, ["tickets_created", "first_reply_time", "response_time", "csat"], by="plan"
    )
    assert by(df, "tickets_created", "plan") == {"pro": (2, 2), "free": (3, 3), None: (1, 1)}
    # first replies: T1 3600 s, T4 none (pro); T2 7200, T6 1200 (free); T3 300 (no plan)
    assert by(df, "first_reply_time", "plan") == {
        "pro": (1, 3600.0),
        "free": (2, 4200.0),
        None: (1, 300.0),
    }
    # reply intervals: T1 3600 × 3 + 1800; T2 3600, T6 1200; T3 300
    got = by(df, "response_time", "plan")
    assert got["pro"] == (4, pytest.approx(12600 / 4)) and got["free"] == (2, 2400.0)
    # CSAT (top two of 5): T1 answered 5; T2 answered 2; T3 answered 3
    assert by(df, "csat", "plan") == {"pro": (1, 1.0), "free": (1, 0.0), None: (1, 0.0)}


def test_a_breakdown_that_does_not_apply_says_so(planned: Store) -> None:
    df = report(planned, ["tickets_created", "enps", "call_abandonment_rate"], by="plan")
    assert list(df.kpi.unique()) == ["tickets_created", "enps", "call_abandonment_rate"]
    enps = df[df.kpi == "enps"]
    assert len(enps) == 1 and enps.n.iloc[0] == 0 and math.isnan(enps.value.iloc[0])
    assert (
        enps.note.iloc[0]
        == "not broken down by plan: Employee NPS (eNPS) answers are anonymous, shown per "
        "team only (possible: team)"
    )
    calls = df[df.kpi == "call_abandonment_rate"].iloc[0]
    assert (
        calls.note == "cannot be broken down by plan: calls data has no plan "
        "(possible: team, agent, queue, hour)"
    )


def test_a_filter_that_does_not_apply_says_so(planned: Store) -> None:
    df = report(planned, ["tickets_created", "call_abandonment_rate"], filters={"channel": "chat"})
    assert df.set_index("kpi").loc["tickets_created", "value"] == 2  # T3 and T7
    calls = df.set_index("kpi").loc["call_abandonment_rate"]
    assert calls.n == 0 and math.isnan(calls.value)
    assert calls.note.startswith("the channel filter does not apply: calls data has no channel")
    # every KPI ruled out: still one row each, never an empty table
    only = report(
        planned, ["call_abandonment_rate", "average_handle_time"], filters={"channel": "chat"}
    )
    assert list(only.kpi) == ["call_abandonment_rate", "average_handle_time"]
    assert only.note.notna().all()


def test_no_empty_unknown_group(planned: Store) -> None:
    # every CSAT answer has a segment; the eNPS answers in the same table have none, so
    # the scan has a "no segment" group — with no CSAT answer in it: not shown
    df = report(planned, ["csat"], by="segment")
    assert by(df, "csat", "segment") == {"smb": (2, 0.0), "vip": (1, 1.0)}
    # a named group without rows for the KPI stays (a plan whose chats went unanswered
    # is news): chats are T3 (no plan, answered in 300 s) and T7 (free, unanswered)
    frt = report(planned, ["first_reply_time"], by="plan", filters={"channel": "chat"})
    got = by(frt, "first_reply_time", "plan")
    assert set(got) == {None, "free"} and got[None] == (1, 300.0)
    assert got["free"][0] == 0 and math.isnan(got["free"][1])


def test_a_kpi_without_a_single_row_says_so(planned: Store) -> None:
    # nothing was analysed: the quality KPI is there, without a number, saying why
    df = report(planned, ["tickets_created", "auto_quality_score"], start="2026-03-01")
    row = df.set_index("kpi").loc["auto_quality_score"]
    assert row.n == 0 and math.isnan(row.value)
    assert row.note == (
        "no analysed conversations (run `sanjeh analyze` to score them) in this range"
    )


def test_tickets_without_a_topic_are_one_group(planned: Store) -> None:
    # no ticket has a topic (ticket_topics is empty): every one is in the "no topic"
    # group, like a ticket without a plan; nothing is dropped
    df = report(planned, ["tickets_created", "first_reply_time", "csat"], by="topic")
    assert by(df, "tickets_created", "topic") == {None: (6, 6)}
    assert by(df, "first_reply_time", "topic") == {None: (4, 2400.0)}  # 300 1200 3600 7200
    assert by(df, "csat", "topic") == {None: (3, 1 / 3)}
