"""Survey KPIs on a store worked out by hand (survey_store.py): eNPS and pulse kept
anonymous, pulse participation from Sanjeh's invitations, the response rate per channel /
team / agent, and the warnings a CSAT figure carries.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from sanjeh.errors import ConfigError
from sanjeh.metrics import MetricsConfig, ensure_facts, kpis
from sanjeh.settings import SurveySettings, load_settings, survey_settings
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store
from .survey_store import WEEK, day, load

#: name: (value, n) over the first week, no breakdown (see survey_store.py)
EXPECTED = {
    "enps": (100 * (5 - 3) / 9, 9),
    "pulse_score": ((32.5 + 45) / 11, 11),
    "pulse_participation": (8 / 11, 11),
}
HIDDEN = "fewer than 5 answers: hidden to keep answers anonymous ([surveys] min_group)"


@pytest.fixture(scope="module", params=BACKENDS)
def surveyed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, load) as store:
        yield store


def report(store: Store, names: list[str], config: MetricsConfig | None = None, **kw):
    return kpis(store, names, config=config or MetricsConfig(), **{**WEEK, **kw})


def by(df: pd.DataFrame, kpi: str, dim: str) -> dict[object, tuple[int, float, object]]:
    rows = df[df.kpi == kpi]
    return {r[dim]: (r.n, r.value, r.note) for _, r in rows.iterrows()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_overall_values(surveyed: Store, name: str) -> None:
    value, n = EXPECTED[name]
    row = report(surveyed, [name]).iloc[0]
    assert row.value == pytest.approx(value, rel=1e-12) and row.n == n and row.note is None


def test_enps_per_team_hides_the_small_team(surveyed: Store) -> None:
    df = report(surveyed, ["enps"], by="team")
    got = by(df, "enps", "team")
    assert got["t:care"][:2] == (6, pytest.approx(100 / 6))  # 3 promoters − 2 detractors
    n, value, note = got["t:sales"]  # 10, 10, 3 would be +33.3: three people
    assert n == 3 and math.isnan(value) and note == HIDDEN
    sales = df[df.team == "t:sales"].iloc[0]
    for column in ("mean", "ci_low", "ci_high", "previous", "change"):
        assert pd.isna(sales[column]), column


def test_a_hidden_group_is_not_the_previous_value_either(surveyed: Store) -> None:
    df = kpis(
        surveyed,
        ["enps"],
        by="team",
        period="week",
        start="2026-03-02",
        end="2026-03-16",
        config=MetricsConfig(),
    )
    rows = {(r.team, r.period): r for r in df.itertuples()}
    later = rows[("t:sales", "2026-03-09")]  # five answers of 0: shown
    assert later.n == 5 and later.value == -100.0
    assert pd.isna(later.previous) and pd.isna(later.change)  # the week before had 3
    care = rows[("t:care", "2026-03-09")]
    assert care.value == 100.0 and care.previous == pytest.approx(100 / 6)


def test_min_group_is_a_setting(surveyed: Store) -> None:
    config = MetricsConfig(surveys=SurveySettings(min_group=3))
    got = by(report(surveyed, ["enps"], config, by="team"), "enps", "team")
    assert got["t:sales"][:2] == (3, pytest.approx(100 / 3)) and got["t:sales"][2] is None
    config = MetricsConfig(surveys=SurveySettings(min_group=10))
    row = report(surveyed, ["enps"], config).iloc[0]  # the total of 9 hides too
    assert row.n == 9 and math.isnan(row.value)
    assert row.note == HIDDEN.replace("fewer than 5", "fewer than 10")


def test_pulse_score_per_team_and_question(surveyed: Store) -> None:
    got = by(report(surveyed, ["pulse_score"], by="question"), "pulse_score", "question")
    assert got["workload"][:2] == (5, 6.5)  # 10, 7.5, 7.5, 5, 2.5
    assert got["morale"][:2] == (6, 7.5)  # 8, 7, 9, 10, 5, 6
    df = report(surveyed, ["pulse_score"], by=["team", "question"])
    cells = {(r.team, r.question): (r.n, r.value, r.note) for r in df.itertuples() if r.n}
    assert cells[("t:care", "workload")][:2] == (5, 6.5)
    for cell in (("t:care", "morale"), ("t:sales", "morale")):
        assert math.isnan(cells[cell][1]) and cells[cell][2] == HIDDEN
    teams = by(report(surveyed, ["pulse_score"], by="team"), "pulse_score", "team")
    assert teams["t:care"][:2] == (9, pytest.approx((32.5 + 34) / 9))
    assert math.isnan(teams["t:sales"][1])


def test_pulse_participation_counts_delivered_pulse_invitations(surveyed: Store) -> None:
    got = by(report(surveyed, ["pulse_participation"], by="team"), "pulse_participation", "team")
    assert got["t:care"][:2] == (8, 6 / 8)  # queued and failed were never delivered
    n, value, note = got["t:sales"]
    assert n == 3 and math.isnan(value)
    assert note == HIDDEN.replace("answers:", "invitations:")


def test_anonymous_kpis_refuse_agents(surveyed: Store) -> None:
    with pytest.raises(ConfigError, match="anonymous, shown per team only") as caught:
        report(surveyed, ["enps"], by="agent")
    assert "break it down by team instead" in str(caught.value)
    with pytest.raises(ConfigError, match="not filtered by agent"):
        report(surveyed, ["enps", "pulse_score"], filters={"agent": "t:a1"})
    with pytest.raises(ConfigError, match="not broken down by channel"):
        report(surveyed, ["pulse_participation"], by="channel")
    # among other KPIs: a row without a value, and why
    df = report(surveyed, ["csat", "enps"], by="agent")
    enps = df[df.kpi == "enps"]
    assert len(enps) == 1 and math.isnan(enps.value.iloc[0])
    assert enps.note.iloc[0].startswith("not broken down by agent: Employee NPS (eNPS) answers")
    assert by(df, "csat", "agent")["t:a1"][:2] == (1, 1.0)


def test_response_rate_per_channel_team_and_agent(surveyed: Store) -> None:
    def rates(dim: str) -> dict[object, tuple[int, float]]:
        got = by(report(surveyed, ["survey_response_rate"], by=dim), "survey_response_rate", dim)
        return {k: (n, v) for k, (n, v, _) in got.items() if n}

    # email: t:1 (1 answer + 30 unanswered), t:2 (2 answers); chat: t:3 (1 + 25), t:4 (1)
    assert rates("channel") == {"email": (33, 3 / 33), "chat": (27, 2 / 27)}
    assert rates("team") == {"t:care": (33, 3 / 33), "t:sales": (27, 2 / 27)}
    assert rates("agent") == {
        "t:a1": (31, 1 / 31),
        "t:a2": (2, 1.0),
        "t:a7": (26, 1 / 26),
        "t:a8": (1, 1.0),
    }


def test_csat_warns_of_few_answers_and_a_low_response_rate(surveyed: Store) -> None:
    row = report(surveyed, ["csat"]).iloc[0]
    assert row.value == pytest.approx(3 / 5) and row.n == 5  # 5, 4, 5 of 5, 4, 1, 5, 3
    assert row.note == (
        "rests on 5 answers, fewer than 30 ([surveys] min_answers): read it with care; "
        "response rate 8.3% (5 of 60 invitations), under 10% ([surveys] "
        "min_response_rate): those who answered may not speak for the others"
    )
    lenient = MetricsConfig(surveys=SurveySettings(min_answers=3, min_response_rate=0.08))
    assert report(surveyed, ["csat"], lenient).iloc[0].note is None
    got = by(report(surveyed, ["csat"], lenient, by="team"), "csat", "team")
    assert got["t:care"][2] is None  # 3 answers of 33 invitations: 9.1 %
    assert got["t:sales"][2] == (  # 2 answers of 27 invitations
        "rests on 2 answers, fewer than 3 ([surveys] min_answers): read it with care; "
        "response rate 7.4% (2 of 27 invitations), under 8% ([surveys] "
        "min_response_rate): those who answered may not speak for the others"
    )


def test_facts_take_team_and_language_from_the_answer(surveyed: Store) -> None:
    ensure_facts(surveyed, MetricsConfig())
    f = surveyed.con.table("facts_surveys").to_pandas()
    staff = f[f.survey.isin(["enps", "pulse"])]
    assert set(staff.team_id) == {"t:care", "t:sales"} and set(staff.language) == {"fa"}
    assert staff.agent_id.isna().all() and staff.ticket_id.isna().all()
    csat = f[f.survey == "csat"].set_index("response_id")
    assert csat.loc["t:c2", "team_id"] == "t:sales" and csat.loc["t:c2", "language"] == "ar"


def test_new_answers_and_invitations_count_after_a_refresh(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "s.duckdb")) as store:
        load(store)
        config = MetricsConfig()
        assert report(store, ["pulse_score"], config).iloc[0].n == 11
        # an answer about no ticket, in its own language and team: refreshed, not rebuilt
        store.write(
            "survey_responses",
            [
                {
                    "response_id": "sanjeh:x:morale",
                    "source": "sanjeh",
                    "survey": "pulse",
                    "question": "morale",
                    "scale_min": 0,
                    "scale_max": 10,
                    "score": 10.0,
                    "team_id": "t:sales",
                    "language": "ar",
                    "sent_at": day(2, 0),
                    "submitted_at": day(2, 0),
                }
            ],
        )
        assert ensure_facts(store, config).rebuilt is False
        got = by(report(store, ["pulse_score"], config, by="team"), "pulse_score", "team")
        assert got["t:sales"][0] == 3
        # an invitation answered counts at once (a view, no refresh)
        inv = store.table("survey_invitations").to_pandas()
        assert len(inv) == 17
        store.write(
            "survey_invitations",
            [
                {
                    **{k: v for k, v in inv.iloc[0].to_dict().items() if pd.notna(v)},
                    "invitation_id": "p-new",
                    "team_id": "t:sales",
                    "status": "answered",
                }
            ],
        )
        got = by(
            report(store, ["pulse_participation"], config, by="team"),
            "pulse_participation",
            "team",
        )
        assert got["t:sales"][0] == 4 and math.isnan(got["t:sales"][1])  # 4 < 5: hidden
        config3 = MetricsConfig(surveys=SurveySettings(min_group=3))
        got = by(
            report(store, ["pulse_participation"], config3, by="team"),
            "pulse_participation",
            "team",
        )
        assert got["t:sales"][:2] == (4, 3 / 4)


def test_survey_settings_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "sanjeh.toml"
    path.write_text("[surveys]\nmin_group = 7\nmin_answers = 50\nmin_response_rate = 0.2\n")
    settings = load_settings({"SANJEH_CONFIG": str(path)})
    assert survey_settings(settings) == SurveySettings(7, 50, 0.2)
    assert MetricsConfig.from_settings(settings).surveys.min_group == 7
    for bad, message in (
        ("min_group = 0", "min_group must be a whole number ≥ 1, not 0"),
        ("min_grup = 5", "unknown key 'min_grup'"),
        ("min_response_rate = 10", "min_response_rate must be a share from 0 to 1"),
        ("min_answers = 2.5", "min_answers must be a whole number ≥ 0"),
    ):
        path.write_text(f"[surveys]\n{bad}\n")
        with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
            survey_settings(load_settings({"SANJEH_CONFIG": str(path)}))
    assert survey_settings(load_settings({})) == SurveySettings(5, 30, 0.1)


def test_enps_of_the_scenario_with_a_small_group_allowed(scenario: Store) -> None:
    """The ticket scenario's two eNPS answers (9 promoter, 7 passive): +50 when groups
    of one may show, hidden by default."""
    as_of = MetricsConfig(surveys=SurveySettings(min_group=1))
    row = kpis(scenario, ["enps"], config=as_of).iloc[0]
    assert (row.value, row.n) == (50.0, 2)
    row = kpis(scenario, ["enps"], config=MetricsConfig()).iloc[0]
    assert row.n == 2 and math.isnan(row.value) and row.note == HIDDEN


def test_a_store_without_invitations_says_so(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "s.duckdb")) as store:
        store.write(
            "tickets",
            [
                {
                    "ticket_id": "t:1",
                    "source": "t",
                    "created_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                }
            ],
        )
        row = kpis(store, ["pulse_participation"], config=MetricsConfig()).iloc[0]
        assert row.n == 0 and math.isnan(row.value)
        assert row.note == "no survey invitations sent by Sanjeh"
