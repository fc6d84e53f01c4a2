"""Compiled query templates give exactly what building the query afresh gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sanjeh.demo import generate
from sanjeh.metrics import _compiled, kpis
from sanjeh.metrics._compiled import Values
from sanjeh.store import Store

NAMES = ["tickets_created", "backlog", "first_reply_time", "fcr_rate", "csat", "churn_rate"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("compiled") / "demo.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=1500, seed=5, start=dt.date(2026, 1, 1), days=90)
        kpis(store, ["tickets_created"])  # builds the facts
        yield store


def _fresh(store: Store, **request: Any) -> pd.DataFrame:
    _compiled.forget(store)
    return kpis(store, NAMES, **request)


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    seen: list[int] = []
    real = _compiled._compile

    def counting(*args: Any) -> Any:
        seen.append(1)
        return real(*args)

    monkeypatch.setattr(_compiled, "_compile", counting)
    return seen


@pytest.mark.parametrize(
    "first, second",
    [
        ({"filters": {"channel": "email"}}, {"filters": {"channel": "chat"}}),
        (
            {"start": "2026-02-01", "end": "2026-02-15", "period": "day"},
            {"start": "2026-02-10", "end": "2026-03-01", "period": "day"},
        ),
        (
            {"start": "2026-02-01", "end": "2026-03-01", "by": "team", "filters": {"tag": "vip"}},
            {
                "start": "2026-01-15",
                "end": "2026-02-20",
                "by": "team",
                "filters": {"tag": "android"},
            },
        ),
    ],
)
def test_same_shape_reuses_the_query_and_agrees_with_a_fresh_build(
    demo: Store, monkeypatch: pytest.MonkeyPatch, first: dict[str, Any], second: dict[str, Any]
) -> None:
    expected = _fresh(demo, **second)
    _compiled.forget(demo)
    kpis(demo, NAMES, **first)  # compiles this shape
    compiles = _compiles(monkeypatch)
    got = kpis(demo, NAMES, **second)
    assert compiles == []  # every query came from a template
    assert not got.empty
    pd.testing.assert_frame_equal(got, expected)


def test_values_are_literals_not_sql(demo: Store) -> None:
    kpis(demo, NAMES, filters={"channel": "email"})
    for hostile in ("x' OR '1'='1", "__sjh_channel_0__", "'__sjh_channel_0__'"):
        got = kpis(demo, NAMES, filters={"channel": hostile})
        assert (got.loc[got.kpi == "tickets_created", "n"] == 0).all()
        pd.testing.assert_frame_equal(
            got, _fresh(demo, filters={"channel": hostile}), check_dtype=False
        )


def test_a_filter_matching_nothing_gives_no_rows_by_team(demo: Store) -> None:
    got = kpis(demo, ["backlog", "tickets_created"], by="team", filters={"tag": "no-such-tag"})
    # one row per KPI, without a number, saying why (not an empty table)
    assert list(got.kpi) == ["backlog", "tickets_created"]
    assert (got.n == 0).all() and got.value.isna().all()
    assert set(got.note) == {"no tickets match the filters"}


def test_more_filter_values_is_another_shape(demo: Store) -> None:
    one = kpis(demo, ["tickets_created"], filters={"channel": ["email"]})
    two = kpis(demo, ["tickets_created"], filters={"channel": ["email", "chat"]})
    assert two.n.iloc[0] > one.n.iloc[0]


def test_a_placeholder_the_query_drops_disables_the_template(demo: Store) -> None:
    values = Values()
    values.number("lo", 1.0)
    template = _compiled._compile(
        demo, values, lambda: demo.table("tickets").select("ticket_id").limit(1)
    )
    assert template is not None  # nothing was asked for while building

    def build_ignoring_value() -> Any:
        values.number("lo", 1.0)  # handed out, but not used in the expression
        return demo.table("tickets").select("ticket_id").limit(1)

    assert _compiled._compile(demo, values, build_ignoring_value) is None


def test_templates_are_kept_when_rebuilt_facts_have_the_same_columns(
    demo: Store, tmp_path: Path
) -> None:
    from sanjeh.metrics import build_facts

    before = kpis(demo, ["tickets_created"], filters={"channel": "email"})
    templates = dict(_compiled._cache(demo).templates)
    assert templates
    build_facts(demo)  # (a server rebuilds when a refresh would touch most tickets)
    assert _compiled._cache(demo).templates == templates
    again = kpis(demo, ["tickets_created"], filters={"channel": "email"})
    pd.testing.assert_frame_equal(again, before)


def test_templates_are_dropped_when_rebuilt_facts_have_other_columns(
    demo: Store, tmp_path: Path
) -> None:
    from sanjeh.metrics import build_facts

    kpis(demo, ["tickets_created"], filters={"channel": "email"})
    assert _compiled._cache(demo).templates
    # facts left by another version of Sanjeh, with a column this one does not make
    demo.con.raw_sql('ALTER TABLE "facts_tickets" ADD COLUMN "gone_since" VARCHAR')
    build_facts(demo)
    assert not _compiled._cache(demo).templates
