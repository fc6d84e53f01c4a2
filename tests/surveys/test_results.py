"""survey_results: per question counts, means, KPI values and distributions (worked out
by hand), and anonymous groups under [surveys] min_group hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh.errors import ConfigError
from sanjeh.settings import load_settings
from sanjeh.store import Store
from sanjeh.surveys import create_survey, default_definitions, record_answer, send_invitations
from sanjeh.surveys import survey_results as results

from ._support import at, people, solved_event, ticket

BASE = "https://support.example"


def test_customer_results_per_question_and_team(duckdb_store: Store) -> None:
    store = duckdb_store
    people(store)
    customers = [f"t:x{i}" for i in range(5)]
    store.write("customers", [{"customer_id": c, "source": "t"} for c in customers])
    teams = ["t:sales", "t:sales", "t:sales", "t:care", "t:care"]
    store.write(
        "tickets",
        [ticket(i, c, at(9), team_id=teams[i]) for i, c in enumerate(customers)],
    )
    store.write("events", [solved_event(i, at(9)) for i in range(5)])
    create_survey(store, default_definitions()["csat-after-solve"])
    sent = send_invitations(store, "csat-after-solve", now=at(10), base_url=BASE).invitations
    by_ticket = {i.ticket_id: i for i in sent}
    scores = [5, 4, 2, 1]  # t:0 … t:3 answer, t:4 does not
    for n, score in enumerate(scores):
        comment = {"comment": "fine"} if n == 0 else {}
        record_answer(store, by_ticket[f"t:{n}"], {"csat": score, **comment}, now=at(10, 13))
    total = results(store, "csat-after-solve").set_index("question")
    assert total.loc["csat", "n"] == 4
    assert total.loc["csat", "mean"] == 3.0  # (5 + 4 + 2 + 1) / 4
    assert total.loc["csat", "kpi"] == 50.0  # 5 and 4 are the top two boxes: 2 of 4
    assert total.loc["csat", "kpi_name"] == "% satisfied"
    assert total.loc["csat", "distribution"] == {"1": 1, "2": 1, "4": 1, "5": 1}
    assert total.loc["comment", "n"] == 1
    teams_frame = results(store, "csat-after-solve", by="team")
    csat = teams_frame[teams_frame.question == "csat"].set_index("team")
    assert csat.loc["t:sales", "mean"] == pytest.approx(11 / 3, abs=1e-4)  # 5, 4, 2
    assert (csat.loc["t:care", "n"], csat.loc["t:care", "kpi"]) == (1, 0.0)  # only the 1
    # a window that ends before the answers has none
    assert (
        results(store, "csat-after-solve", end=at(10, 13)).set_index("question").loc["csat", "n"]
        == 0
    )


def test_anonymous_results_hide_small_groups(duckdb_store: Store, tmp_path: Path) -> None:
    store = duckdb_store
    people(store, agents=7)  # odd numbers: sales (a1 a3 a5 a7), even: care (a2 a4 a6)
    create_survey(store, default_definitions()["enps-quarterly"])
    sent = send_invitations(store, "enps-quarterly", now=at(8), base_url=BASE).invitations
    answers = {"t:a1": 10, "t:a2": 9, "t:a3": 8, "t:a4": 3, "t:a5": 10, "t:a6": 0, "t:a7": 9}
    for inv in sent:
        assert inv.agent_id is not None
        record_answer(store, inv, {"enps": answers[inv.agent_id]}, now=at(9))
    total = results(store, "enps-quarterly").set_index("question")
    # promoters 10, 9, 10, 9 (4 of 7), detractors 3, 0 (2 of 7): (4 - 2) / 7
    assert total.loc["enps", "n"] == 7
    assert total.loc["enps", "kpi"] == round(200 / 7, 2)
    by_team = results(store, "enps-quarterly", by="team")
    enps = by_team[by_team.question == "enps"].set_index("team")
    assert enps.loc["t:sales", "n"] == 4 and enps.loc["t:care", "n"] == 3
    for team in ("t:sales", "t:care"):  # both under 5 answers
        row = enps.loc[team]
        assert row["kpi"] is None and row["mean"] is None and row["distribution"] is None
        assert row["note"] == "fewer than 5 answers: hidden to keep answers anonymous"
    config = tmp_path / "sanjeh.toml"
    config.write_text("[surveys]\nmin_group = 3\n", encoding="utf-8")
    settings = load_settings(environ={"SANJEH_CONFIG": str(config)})
    relaxed = results(store, "enps-quarterly", by="team", settings=settings)
    care = relaxed[(relaxed.question == "enps") & (relaxed.team == "t:care")].iloc[0]
    assert care["kpi"] == round((1 - 2) / 3 * 100, 2)  # 9 promotes; 3 and 0 detract
    with pytest.raises(ConfigError, match="anonymous: its answers carry no agent"):
        results(store, "enps-quarterly", by="agent")
