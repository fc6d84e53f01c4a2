"""The demo's A/B test: its last 60 days' tickets hash-assigned, every other demo table
the same without them, and the experiment its sanjeh.toml declares readable and
honest (no effect simulated)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from sanjeh.cli._demo import write_demo_config
from sanjeh.demo import DEMO_TABLES, generate
from sanjeh.demo._knowledge import KNOWLEDGE_TABLES
from sanjeh.experiments import load_experiments, results
from sanjeh.settings import load_settings
from sanjeh.store import Store

TICKETS = 1500
LAST = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("demo_experiments") / "d.duckdb"
    with Store.open(str(path)) as s:
        generate(s, tickets=TICKETS, seed=7, as_of=LAST, transcripts=False)
        yield s


def test_the_last_60_days_are_assigned_by_the_hash(store: Store) -> None:
    a = store.table("experiment_assignments").to_pandas()
    t = store.table("tickets").to_pandas()
    local = t.created_at.dt.tz_convert(ZoneInfo("Asia/Tehran")).dt.date
    first = LAST - dt.timedelta(days=59)
    inside = t[local >= first]
    assert 0 < len(inside) < len(t)
    assert set(a.ticket_id) == set(inside.ticket_id)
    assert (a.experiment == "greeting").all() and (a.method == "hash").all()
    assert (a.assignment_id == "greeting/" + a.ticket_id).all() and (a.source == "demo").all()

    def by_definition(ticket: str) -> str:
        digest = hashlib.sha256(f"greeting\x1fgreeting\x1f{ticket}".encode()).digest()
        return "control" if int.from_bytes(digest[:8], "big") / 2**64 < 0.5 else "warm"

    assert list(a.variant) == [by_definition(x) for x in a.ticket_id]
    when = a.merge(inside[["ticket_id", "created_at"]], on="ticket_id")
    assert (when.assigned_at == when.created_at).all()
    share = (a.variant == "warm").mean()
    assert 0.45 < share < 0.55


def test_the_other_tables_are_the_same_without_them(store: Store, tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "plain.duckdb")) as plain:
        summary = generate(
            plain, tickets=TICKETS, seed=7, as_of=LAST, transcripts=False, experiments=False
        )
        assert "experiment_assignments" not in summary.rows
        assert plain.counts(["experiment_assignments"]) == {"experiment_assignments": 0}
        for name in (*DEMO_TABLES, *KNOWLEDGE_TABLES):
            key = plain.table(name).columns[0]
            ours = plain.table(name).to_pandas().sort_values(key, ignore_index=True)
            theirs = store.table(name).to_pandas().sort_values(key, ignore_index=True)
            pd.testing.assert_frame_equal(ours, theirs, obj=name)


def test_the_demo_config_declares_it_and_it_shows_no_effect(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sanjeh.toml"
    assert write_demo_config(path, LAST)
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    (e,) = load_experiments(settings)
    assert (e.name, e.variants, e.assignment, e.metric) == (
        "greeting",
        ("control", "warm"),
        "table",
        "csat",
    )
    assert e.guardrails == ("resolution_time", "reopen")
    assert e.start == LAST - dt.timedelta(days=59)
    found = results(store, e).as_dict()
    assert sum(found["assigned"].values()) == store.counts(["experiment_assignments"])[
        "experiment_assignments"
    ] - sum(int(n.split()[0]) for n in found["notes"] if "merged" in n)
    assert found["status"] in ("collecting", "no detectable difference")
    assert not found["srm"]["flag"]
    # without the demo's last day the file is the calendars alone, as before
    other = tmp_path / "plain.toml"
    assert write_demo_config(other)
    assert "[[experiments]]" not in other.read_text(encoding="utf-8")
