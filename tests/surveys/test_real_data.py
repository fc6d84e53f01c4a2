"""Invitations planned from a real public file (../shared/data): the Volvo IT incident log
(BPI Challenge 2013). Every person who worked on the incidents is an agent, so a pulse
survey asks each once; who is recomputed from the CSV with pandas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from sanjeh.ingest import import_file
from sanjeh.store import Store
from sanjeh.surveys import create_survey, default_definitions, plan_invitations, send_invitations

VOLVO = "itsm/volvo_bpic2013_head1000.csv"


def test_a_pulse_survey_of_the_volvo_resources(duckdb_store: Store, shared_data: Path) -> None:
    path = shared_data / VOLVO
    import_file(duckdb_store, path)
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    resources = raw["Resource"].dropna().str.strip()
    # "<country>-Siebel" is the ticketing system itself, not a person (docs/formats.md)
    people = resources[(resources != "") & ~resources.str.lower().str.endswith("-siebel")]
    expected = sorted(f"volvo:{r}" for r in people.unique())

    create_survey(duckdb_store, default_definitions()["pulse-weekly"])
    now = dt.datetime(2013, 6, 3, 9, tzinfo=dt.UTC)  # a Monday after the log
    planned = plan_invitations(duckdb_store, "pulse-weekly", now=now)
    assert sorted(i.agent_id for i in planned) == expected
    assert len(planned) == len(expected) > 50
    assert {i.period for i in planned} == {"2013-W23"}

    sent = send_invitations(duckdb_store, "pulse-weekly", now=now, base_url="https://x")
    assert sent.sent == len(expected)
    assert plan_invitations(duckdb_store, "pulse-weekly", now=now) == []
    # no customer in the log, so a CSAT survey after solved incidents asks nobody
    create_survey(duckdb_store, default_definitions()["csat-after-solve"])
    assert plan_invitations(duckdb_store, "csat-after-solve", now=now) == []
