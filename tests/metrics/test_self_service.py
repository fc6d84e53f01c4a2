"""Self-service KPIs over article_views: the self-service score and the deflection rate.

The scenario (scenario.py) with customers given plans: c-1 pro, c-2 free, c-3 no plan,
c-4 pro, c-7 free. Their tickets (created): c-1 T1 D0 09:00 (T5, merged, 09:30);
c-2 T2 D0 09:00, T6 D3 10:00; c-3 T3 D0 09:00; c-4 T4 D1 09:00; c-7 T7 D2 09:00.
"Now" is D4 00:00; the window is deflection_days = 1 (the default).

Views, and what each is (hand-checked):

- v1 c-2 D2 10:00: T6 comes exactly at the window's end (D3 10:00) → not deflected
- v2 c-2 D2 09:59: T6 comes a minute after its window closed (D3 09:59) → deflected
- v3 c-4 D1 10:00: T4 came an hour *before* the view; nothing after → deflected
- v4 c-7 D2 09:00: T7 at the very instant of the view → not deflected
- v5 anonymous D1 12:00 → left out, counted in the note
- v6 c-3 D3 12:00: window open until D4 12:00, no ticket yet → pending
- v7 c-1 D0 08:00: T1 an hour later → not deflected
- v8 c-99 (no customers row, no tickets) D1 00:00 → deflected
- v9 c-2 D3 09:30: window still open, but T6 came 30 min later → not deflected (known)

Deflection: deflected v2 v3 v8 of known outcomes v1 v2 v3 v4 v7 v8 v9 → 3 / 7;
1 pending (v6), 1 anonymous (v5). Self-service score: 9 views / 6 tickets created
(T5 merged) = 1.5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest

from sanjeh.metrics import (
    MetricOptions,
    MetricsConfig,
    build_facts,
    ensure_facts,
    kpis,
)
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store
from .scenario import at, ev, load, ticket

NOW = MetricsConfig(options=MetricOptions(as_of=at(4, 0)))
PLANS = {"c-1": "pro", "c-2": "free", "c-3": None, "c-4": "pro", "c-7": "free"}
#: view → (customer, when)
VIEWS = {
    "v1": ("c-2", at(2, 10)),
    "v2": ("c-2", at(2, 9, 59)),
    "v3": ("c-4", at(1, 10)),
    "v4": ("c-7", at(2, 9)),
    "v5": (None, at(1, 12)),
    "v6": ("c-3", at(3, 12)),
    "v7": ("c-1", at(0, 8)),
    "v8": ("c-99", at(1, 0)),
    "v9": ("c-2", at(3, 9, 30)),
}
DEFLECTED = {"v1": False, "v2": True, "v3": True, "v4": False, "v7": False, "v8": True}
DEFLECTED |= {"v9": False, "v5": None, "v6": None}


def view(name: str, customer: str | None, when: dt.datetime, channel: str = "helpcenter"):
    return {
        "view_id": f"t:{name}",
        "source": "t",
        "article_id": "t:a-1",
        "customer_id": None if customer is None else f"t:{customer}",
        "viewed_at": when,
        "channel": channel,
    }


def customers(plans: dict[str, str | None]) -> list[dict]:
    created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return [
        {"customer_id": f"t:{c}", "source": "t", "plan": p, "created_at": created}
        for c, p in plans.items()
    ]


def _load(store: Store) -> None:
    load(store)
    store.write("customers", customers(PLANS))
    store.write("kb_articles", [{"article_id": "t:a-1", "source": "t", "title": "Refunds"}])
    store.write("article_views", [view(n, c, w) for n, (c, w) in VIEWS.items()])


@pytest.fixture(scope="module", params=BACKENDS)
def viewed(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, _load) as store:
        yield store


def rows_by(df: pd.DataFrame, kpi: str, dim: str) -> dict:
    rows = df[df.kpi == kpi]
    return {
        (None if pd.isna(k) else k): (n, v, p)
        for k, n, v, p in zip(rows[dim], rows.n, rows.value, rows.pending, strict=True)
    }


#: name: (value, n), as test_kpis.EXPECTED
EXPECTED = {"deflection_rate": (3 / 7, 7), "self_service_score": (9 / 6, 9)}


def test_hand_computed(viewed: Store) -> None:
    df = kpis(viewed, list(EXPECTED), config=NOW).set_index("kpi")
    for name, (value, n) in EXPECTED.items():
        assert df.loc[name, "value"] == pytest.approx(value, rel=1e-12), name
        assert df.loc[name, "n"] == n, name
    rate = df.loc["deflection_rate"]
    assert rate.pending == 1
    assert rate.note == (
        "1 views whose 1-day window has not closed are not counted yet; 1 anonymous views "
        "left out: with no customer, whether a ticket followed cannot be known"
    )
    assert 0 < rate.ci_low < 3 / 7 < rate.ci_high < 1  # a rate: Wilson interval


def test_each_view_as_the_facts_have_it(viewed: Store) -> None:
    ensure_facts(viewed, NOW)
    facts = viewed.con.table("facts_article_views").to_pyarrow().to_pylist()
    got = {r["view_id"][2:]: r["deflected"] for r in facts}
    assert got == DEFLECTED
    pending = {r["view_id"][2:] for r in facts if r["deflection_pending"]}
    assert pending == {"v6"}


def test_by_plan(viewed: Store) -> None:
    df = kpis(viewed, list(EXPECTED), by="plan", config=NOW)
    # pro: v7 ✗ v3 ✓; free: v1 ✗ v2 ✓ v9 ✗ v4 ✗; no plan: v8 ✓ (c-99), v6 pending (c-3)
    assert rows_by(df, "deflection_rate", "plan") == {
        "pro": (2, 0.5, 0),
        "free": (4, 0.25, 0),
        None: (1, 1.0, 1),
    }
    # views / live tickets: pro 2 / (T1, T4); free 4 / (T2, T6, T7); none 3 / T3
    score = {k: (n, v) for k, (n, v, _) in rows_by(df, "self_service_score", "plan").items()}
    assert score == {"pro": (2, 1.0), "free": (4, pytest.approx(4 / 3)), None: (3, 3.0)}


def test_a_longer_window_and_the_open_windows(viewed: Store) -> None:
    # 2 days: v2 is now followed by T6 (1 d 1 min); v8 and v3 still deflected; v6 pending;
    # v1's window (to D4 10:00) is open but T6 already came → counted
    two = MetricsConfig(options=MetricOptions(as_of=at(4, 0), deflection_days=2))
    row = kpis(viewed, ["deflection_rate"], config=two).iloc[0]
    # known: v1 ✗ v2 ✗ v3 ✓ v4 ✗ v7 ✗ v8 ✓ v9 ✗ → 2 / 7; v6 pending
    assert (row.n, row.value, row.pending) == (7, pytest.approx(2 / 7), 1)
    # "now" at D2 09:00: v1 v2 v9 not viewed yet; v3 (closes D2 10:00) and v6 pending,
    # v8 closed at D2 00:00 → deflected; v4 is followed at once; v7 by T1
    early = MetricsConfig(options=MetricOptions(as_of=at(2, 9)))
    row = kpis(viewed, ["deflection_rate"], config=early, end="2026-03-04 09:01").iloc[0]
    assert row.pending == 1  # v3 (v6 lies after the report's end)
    assert (row.n, row.value) == (3, pytest.approx(1 / 3))  # v4 ✗ v7 ✗ v8 ✓


def test_no_tickets_means_no_score(viewed: Store) -> None:
    # D1 10:00 – D1 13:00: v3 and v5 but no ticket created
    df = kpis(
        viewed,
        ["self_service_score"],
        config=NOW,
        start="2026-03-03 10:00",
        end="2026-03-03 13:00",
    )
    row = df.iloc[0]
    assert row.n == 2 and pd.isna(row.value)
    assert row.note == "no tickets created: the ratio has no denominator"


# --- refresh = build ----------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, _load) as s:
        yield s


def snapshot(store: Store) -> list[dict]:
    rows = store.con.table("facts_article_views").to_pyarrow().to_pylist()
    return sorted(rows, key=lambda r: r["view_id"])


def test_refresh_equals_build(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sanjeh.metrics._refresh.REBUILD_SHARE", 1.0)
    config = MetricsConfig()  # "now": the data's last instant, which moves below
    build_facts(store, config)
    before = {r["view_id"]: r for r in snapshot(store)}
    assert before["t:v3"]["deflected"] is True and before["t:v6"]["deflection_pending"]
    # c-4 writes again an hour after v3: v3 was not a deflection after all
    store.write("tickets", [ticket("8", at(1, 11), customer_id="t:c-4")])
    store.write("events", [ev("8", 1, at(1, 11), "created", "customer", actor_id="t:c-4")])
    # a later ticket of another customer moves "now" to D6: v6's window has closed
    store.write("tickets", [ticket("9", at(6, 0), customer_id="t:c-9")])
    store.write("events", [ev("9", 1, at(6, 0), "created", "customer", actor_id="t:c-9")])
    # a new view, an anonymous view changed, a customer's plan changed
    store.write("article_views", [view("v10", "c-2", at(4, 0)), view("v5", None, at(1, 12), "app")])
    store.write("customers", customers({"c-7": "pro"}))
    info = ensure_facts(store, config)
    assert not info.rebuilt
    refreshed = snapshot(store)
    got = {r["view_id"]: r for r in refreshed}
    assert got["t:v3"]["deflected"] is False
    assert got["t:v6"]["deflected"] is True and not got["t:v6"]["deflection_pending"]
    assert got["t:v4"]["plan"] == "pro" and got["t:v5"]["channel"] == "app"
    assert "t:v10" in got
    build_facts(store, config)
    assert refreshed == snapshot(store)


@pytest.fixture(params=BACKENDS)
def bare(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, load) as s:  # no views
        yield s


def test_a_first_load_of_views_redoes_no_ticket(bare: Store, monkeypatch) -> None:
    from sanjeh.metrics import _refresh as narrow

    store = bare

    redone: list[int] = []
    real = narrow.plan

    def spy(*args, **kw):
        found = real(*args, **kw)
        redone.append(-1 if found is None else found.redo)
        return found

    build_facts(store, NOW)
    assert snapshot(store) == []
    # a load into the empty table records "anything changed": every view is redone,
    # no ticket (the views' facts read the tickets, never the reverse)
    store.write("article_views", [view(n, c, w) for n, (c, w) in VIEWS.items()])
    assert store.changes() == {"article_views": True}
    monkeypatch.setattr(narrow, "plan", spy)
    assert not ensure_facts(store, NOW).rebuilt and redone == [0]
    got = {r["view_id"][2:]: r["deflected"] for r in snapshot(store)}
    assert got == DEFLECTED


def test_without_views_no_number(bare: Store) -> None:
    df = kpis(bare, list(EXPECTED), config=NOW).set_index("kpi")
    for name in EXPECTED:
        assert df.loc[name, "n"] == 0 and pd.isna(df.loc[name, "value"]), name
        assert df.loc[name, "note"] == "no knowledge-base article views (article_views)"
