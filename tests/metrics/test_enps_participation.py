"""eNPS participation: answered / delivered eNPS invitations, anonymous like pulse's.

The store: survey_store.py (whose four eNPS invitations, care, "sent" on 2 March, are
delivered and unanswered, and whose pulse invitations must not count) plus these eNPS
invitations (statuses per team and week):

- week of 2 March: care 6 answered, 1 queued, 1 failed → with the four: 6 of 10
  delivered; sales 2 answered, 1 expired, 2 failed → 2 of 3 (fewer than 5: hidden; were
  the failed counted it would be 5 and shown).
- week of 9 March: care 3 answered, 2 sent, 1 queued → 3 of 5 (exactly min_group:
  shown); sales 4 answered → 4 of 4 (hidden).

Totals: week 1 8 of 13, week 2 7 of 9; both weeks 15 of 22 (care 9 of 15, sales 6 of 7).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from sanjeh.errors import ConfigError
from sanjeh.metrics import MetricsConfig, kpis
from sanjeh.settings import SurveySettings
from sanjeh.store import Store
from sanjeh.web import create_app

from . import survey_store
from .conftest import BACKENDS, loaded_store
from .survey_store import day
from .test_survey_anonymity import Client

KPI = "enps_participation"
HIDDEN = "fewer than 5 invitations: hidden to keep answers anonymous ([surveys] min_group)"
#: (team, week's Monday) → statuses of the added eNPS invitations
INVITED = {
    ("t:care", 2): ["answered"] * 6 + ["queued", "failed"],
    ("t:sales", 2): ["answered", "answered", "expired", "failed", "failed"],
    ("t:care", 9): ["answered"] * 3 + ["sent", "sent", "queued"],
    ("t:sales", 9): ["answered"] * 4,
}
BOTH_WEEKS = {"start": "2026-03-02", "end": "2026-03-16"}
FIRST_WEEK = {"start": "2026-03-02", "end": "2026-03-09"}


def load(store: Store) -> None:
    survey_store.load(store)
    rows: list[dict[str, Any]] = []
    for (team, monday), statuses in INVITED.items():
        for j, status in enumerate(statuses):
            row = survey_store._invitation(f"x-{team}-{monday}-{j}", "enps-monthly", team, status)
            sent = day(monday, 8)
            answered = day(monday, 9) if status == "answered" else None
            period = f"2026-W{10 if monday == 2 else 11}"
            rows.append({**row, "sent_at": sent, "answered_at": answered, "period": period})
    store.write("survey_invitations", rows)


@pytest.fixture(scope="module", params=BACKENDS)
def invited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, load) as store:
        yield store


def report(store: Store, bounds: dict[str, str], **kw: Any) -> pd.DataFrame:
    config = kw.pop("config", MetricsConfig())
    return kpis(store, [KPI], config=config, **bounds, **kw)


def cells(df: pd.DataFrame, *dims: str) -> dict[Any, tuple[int, float, Any]]:
    return {
        tuple(getattr(r, d) for d in dims): (r.n, r.value, r.note) for r in df.itertuples() if r.n
    }


def test_overall_counts_delivered_enps_invitations_only(invited: Store) -> None:
    row = report(invited, BOTH_WEEKS).iloc[0]
    assert (row.n, row.value, row.note) == (22, pytest.approx(15 / 22, rel=1e-12), None)
    first = report(invited, FIRST_WEEK).iloc[0]  # not the pulse ones (8 of 11)
    assert (first.n, first.value) == (13, pytest.approx(8 / 13, rel=1e-12))


def test_per_team_hides_the_small_team_with_the_engines_note(invited: Store) -> None:
    got = cells(report(invited, FIRST_WEEK, by="team"), "team")
    assert got[("t:care",)] == (10, pytest.approx(0.6), None)
    n, value, note = got[("t:sales",)]
    assert n == 3 and math.isnan(value) and note == HIDDEN
    sales = report(invited, FIRST_WEEK, by="team").set_index("team").loc["t:sales"]
    for column in ("ci_low", "ci_high", "previous", "change"):
        assert pd.isna(sales[column]), column
    # over both weeks sales has 7 delivered invitations: shown
    both = cells(report(invited, BOTH_WEEKS, by="team"), "team")
    assert both[("t:care",)][:2] == (15, pytest.approx(9 / 15))
    assert both[("t:sales",)] == (7, pytest.approx(6 / 7), None)


def test_min_group_is_the_surveys_setting(invited: Store) -> None:
    config = MetricsConfig(surveys=SurveySettings(min_group=3))
    got = cells(report(invited, FIRST_WEEK, by="team", config=config), "team")
    assert got[("t:sales",)] == (3, pytest.approx(2 / 3), None)


def test_breakdown_by_period_and_by_team_and_period(invited: Store) -> None:
    got = cells(report(invited, BOTH_WEEKS, period="week"), "period")
    assert got == {
        ("2026-03-02",): (13, pytest.approx(8 / 13), None),
        ("2026-03-09",): (9, pytest.approx(7 / 9), None),
    }
    df = report(invited, BOTH_WEEKS, by="team", period="week")
    got = cells(df, "team", "period")
    assert got[("t:care", "2026-03-02")] == (10, pytest.approx(0.6), None)
    assert got[("t:care", "2026-03-09")] == (5, pytest.approx(0.6), None)  # 3 of 5
    for week, n in (("2026-03-02", 3), ("2026-03-09", 4)):
        count, value, note = got[("t:sales", week)]
        assert count == n and math.isnan(value) and note == HIDDEN


def test_never_per_agent_nor_by_channel(invited: Store) -> None:
    with pytest.raises(ConfigError, match="anonymous, shown per team only"):
        report(invited, FIRST_WEEK, by="agent")
    with pytest.raises(ConfigError, match="not broken down by channel"):
        report(invited, FIRST_WEEK, by="channel")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    path = str(tmp_path_factory.mktemp("enps_participation") / "s.duckdb")
    with Store.open(path) as store:
        load(store)
    app = create_app(path, refresh_seconds=3600, warm=False, config=MetricsConfig())
    yield Client(app)
    app.state.source.store.close()


def test_satisfaction_json_twin_shows_it_beside_enps(web: Client) -> None:
    r = web.get("/api/satisfaction", start="2026-03-02", end="2026-03-08")
    assert r.status_code == 200
    rows = r.json()["tables"]["employee"]["rows"]
    mine = {r["team"]: r for r in rows if r["code"] == KPI}
    assert mine["All teams"]["n"] == 13 and mine["All teams"]["value"] == pytest.approx(8 / 13)
    assert mine["All teams"]["kpi"] == "eNPS participation"
    assert mine["Care"]["n"] == 10 and mine["Care"]["value"] == pytest.approx(0.6)
    sales = mine["Sales"]
    assert sales["n"] == 3 and sales["value"] is None and sales["note"] == HIDDEN
    care = [r["code"] for r in rows if r["team"] == "Care"]
    assert care.index(KPI) == care.index("enps") + 1  # beside eNPS
