"""Inferred CSAT (``inferred_csat``), hand-computed on a tiny store, on every backend.

Predictions are written straight into ``ticket_predictions`` (as ``sanjeh insights
train`` would): this KPI reads them as data, never through ``sanjeh.insights``.

Tickets, all created on D0 09:00 (UTC), each of its own customer:

    P1 team a, ali,  email, solved D0 12:00, P(satisfied) 0.9
    P2 team a, ali,  email, solved D1 12:00, 0.6
    P3 team b, sara, chat,  solved D1 13:00, 0.3
    P4 team b, sara, email, solved D1 14:00, no prediction  → counted apart (pending)
    P5 team a, ali,  email, open,            0.5            → not solved: left out
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

import pandas as pd
import pytest

from pgsupport import PgDatabases
from sanjeh.metrics import MetricsConfig, ensure_facts, get_kpi, kpis
from sanjeh.store import Store

D0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
#: what every row of the KPI says, whatever else its note says
PREDICTED = "a prediction by Sanjeh's CSAT model, not survey answers"


def at(day: int, hour: float) -> dt.datetime:
    return D0 + dt.timedelta(days=day, hours=hour)


def _ticket(tid: str, team: str, agent: str, channel: str = "email") -> dict:
    status = "open" if tid == "P5" else "solved"
    return {
        "ticket_id": f"t:{tid}",
        "source": "t",
        "created_at": at(0, 9),
        "channel": channel,
        "priority": "normal",
        "status": status,
        "team_id": f"t:{team}",
        "agent_id": f"t:{agent}",
        "customer_id": f"t:c-{tid}",
    }


def _events(tid: str, solved: dt.datetime | None) -> list[dict]:
    base = {"ticket_id": f"t:{tid}", "public": True}
    rows = [
        {**base, "event_id": f"t:{tid}-1", "at": at(0, 9), "kind": "created"}
        | {"actor_type": "customer", "actor_id": f"t:c-{tid}"},
        {**base, "event_id": f"t:{tid}-2", "at": at(0, 10), "kind": "message"}
        | {"actor_type": "agent", "actor_id": "t:ali"},
    ]
    if solved is not None:
        rows.append(
            {**base, "event_id": f"t:{tid}-3", "at": solved, "kind": "status"}
            | {"actor_type": "agent", "actor_id": "t:ali", "status": "solved"}
        )
    return rows


def prediction(tid: str, p: float, when: dt.datetime | None = None) -> dict:
    return {
        "prediction_id": f"csat/t:{tid}",
        "ticket_id": f"t:{tid}",
        "model": "csat",
        "probability": p,
        "cutoff_at": at(1, 14),
        "model_version": "csat-test",
        "predicted_at": when or at(2, 0),
        "reasons": '["replies"]',
    }


def load(store: Store) -> None:
    store.write("teams", [{"team_id": f"t:{t}", "source": "t", "name": t} for t in "ab"])
    store.write(
        "agents",
        [
            {"agent_id": "t:ali", "source": "t", "name": "Ali", "team_id": "t:a"},
            {"agent_id": "t:sara", "source": "t", "name": "Sara", "team_id": "t:b"},
        ],
    )
    store.write(
        "tickets",
        [
            _ticket("P1", "a", "ali"),
            _ticket("P2", "a", "ali"),
            _ticket("P3", "b", "sara", "chat"),
            _ticket("P4", "b", "sara"),
            _ticket("P5", "a", "ali"),
        ],
    )
    solved = {"P1": at(0, 12), "P2": at(1, 12), "P3": at(1, 13), "P4": at(1, 14), "P5": None}
    store.write("events", [e for tid, s in solved.items() for e in _events(tid, s)])
    store.write(
        "ticket_predictions",
        [prediction(t, p) for t, p in (("P1", 0.9), ("P2", 0.6), ("P3", 0.3), ("P5", 0.5))],
    )


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One loaded store per backend for the tests that only read it."""
    yield from _loaded(request.param, tmp_path_factory)


def _loaded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    pg = PgDatabases()
    duck = backend == "duckdb"
    url = str(tmp_path_factory.mktemp("store") / "s.duckdb") if duck else pg.create()
    try:
        with Store.open(url) as store:
            load(store)
            yield store
    finally:
        if backend == "postgres":
            pg.drop(url)


def report(store: Store, **kw) -> pd.DataFrame:
    return kpis(store, ["inferred_csat"], config=MetricsConfig(), hours="calendar", **kw)


def rows_by(df: pd.DataFrame, dim: str) -> dict:
    return {
        r[dim]: (int(r["n"]), round(float(r["value"]), 12), int(r["pending"] or 0))
        for r in df.to_dict(orient="records")
    }


def test_declared_as_a_prediction() -> None:
    kpi = get_kpi("inferred_csat")
    assert kpi.titles["fa"] == "رضایت پیش‌بینی‌شده" and kpi.titles["ar"] == "الرضا المتوقع"
    assert kpi.titles["en"] == "Inferred CSAT (predicted)"
    assert kpi.definition.startswith("PREDICTED, not measured")
    assert kpi.predicted and kpi.unit == "ratio" and kpi.time == "solved_at"


def test_value_n_and_breakdowns(loaded: Store) -> None:
    store = loaded
    overall = report(store).iloc[0]
    # (0.9 + 0.6 + 0.3) / 3; P4 solved without a prediction, P5 not solved
    assert overall.value == pytest.approx(0.6) and overall.n == 3 and overall.pending == 1
    assert overall.note == (
        "1 solved tickets without a CSAT prediction (run `sanjeh insights train`) are not "
        f"counted yet; {PREDICTED}"
    )
    assert rows_by(report(store, by="team"), "team") == {"t:a": (2, 0.75, 0), "t:b": (1, 0.3, 1)}
    by_agent = report(store, by="agent")
    assert rows_by(by_agent, "agent") == {"t:ali": (2, 0.75, 0), "t:sara": (1, 0.3, 1)}
    assert set(by_agent.note) == {
        PREDICTED,
        "1 solved tickets without a CSAT prediction (run `sanjeh insights train`) are not "
        f"counted yet; {PREDICTED}",
    }
    by_channel = rows_by(report(store, by="channel"), "channel")
    assert by_channel == {"email": (2, 0.75, 1), "chat": (1, 0.3, 0)}
    # placed by solved_at: D0 holds P1 only, D1 P2 and P3
    daily = report(store, period="day", start="2026-03-02", end="2026-03-04")
    cells = zip(daily.period, daily.n, daily.value, strict=True)
    got = {str(p): (int(n), float(v)) for p, n, v in cells}
    assert got == {"2026-03-02": (1, 0.9), "2026-03-03": (2, pytest.approx(0.45))}
    assert daily.note.str.endswith(PREDICTED).all()


def test_without_any_prediction_the_row_says_what_to_run(loaded: Store) -> None:
    store = loaded
    empty = report(store, filters={"team": "t:b"}, start="2026-03-02", end="2026-03-03")
    # team b solved nothing on D0: no row takes part, and the reason says it is predicted
    row = empty.iloc[0]
    assert row.n == 0 and math.isnan(row.value)
    assert row.note.endswith(PREDICTED)
    only_p4 = report(store, filters={"channel": "email", "team": "t:b"}).iloc[0]
    assert only_p4.n == 0 and only_p4.pending == 1 and math.isnan(only_p4.value)
    assert only_p4.note.startswith("no solved ticket here has a CSAT prediction: run")


def test_a_new_prediction_refreshes_its_ticket_only(store: Store) -> None:
    load(store)
    config = MetricsConfig()
    ensure_facts(store, config)
    assert report(store).iloc[0].value == pytest.approx(0.6)
    store.write("ticket_predictions", [prediction("P4", 0.2)])
    info = ensure_facts(store, config)
    assert not info.rebuilt  # narrowed to the ticket whose prediction changed
    overall = report(store).iloc[0]
    assert overall.value == pytest.approx((0.9 + 0.6 + 0.3 + 0.2) / 4) and overall.n == 4
    assert overall.pending == 0 and overall.note == PREDICTED
    # a newer prediction of the same ticket replaces the old one
    store.write("ticket_predictions", [prediction("P1", 0.1, at(3, 0))])
    assert not ensure_facts(store, config).rebuilt
    assert report(store).iloc[0].value == pytest.approx((0.1 + 0.6 + 0.3 + 0.2) / 4)
