"""`sanjeh survey create | list | send | results` on a real DuckDB file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sanjeh.cli import main
from sanjeh.store import Store

from ._support import people, solved_event, ticket


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_create_list_send_results(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "cli.duckdb")
    with Store.open(db) as store:
        people(store)
        # solved a minute ago, so the send (at the real "now") finds them in its window
        now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        store.write("tickets", [ticket(1, "t:c1", now), ticket(2, "t:c2", now)])
        store.write("events", [solved_event(1, now), solved_event(2, now)])
    assert run(capsys, "survey", "create", "csat-after-solve", "--db", db)[1] == (
        "survey csat-after-solve version 1 created\n"
    )
    definition = tmp_path / "csat.json"
    code, _, _ = run(capsys, "survey", "create", "csat-after-solve", "--db", db)
    assert code == 0
    code, out, _ = run(capsys, "survey", "list", "--db", db, "--json")
    assert json.loads(out) == [
        {"survey_id": "csat-after-solve", "version": 1, "kind": "csat",
         "trigger": "ticket_solved", "anonymous": False, "questions": 2, "invited": 0,
         "answered": 0}
    ]  # fmt: skip
    code, out, err = run(capsys, "survey", "send", "csat-after-solve", "--db", db, "--dry-run")
    assert out.startswith("2 invitation(s) would be sent")
    outbox = tmp_path / "out.csv"
    code, out, err = run(
        capsys, "survey", "send", "csat-after-solve", "--db", db, "--outbox", str(outbox),
        "--base-url", "https://s.example",
    )  # fmt: skip
    assert code == 0 and "2 invitation(s) of csat-after-solve sent to" in err
    lines = outbox.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("invitation_id,to,to_kind,language,link")
    assert len(lines) == 3 and all(",https://s.example/s/" in line for line in lines[1:])
    code, out, _ = run(capsys, "survey", "results", "csat-after-solve", "--db", db, "--json")
    assert [(r["question"], r["n"]) for r in json.loads(out)] == [("csat", 0), ("comment", 0)]
    # a broken definition file: one red line naming the file and field
    definition.write_text('{"id": "x", "kind": "csat", "title": "x", "questions": 3}')
    code, _, err = run(capsys, "survey", "create", str(definition), "--db", db)
    assert code == 1 and "csat.json: questions: expected a list" in err
    code, _, err = run(capsys, "survey", "send", "nope", "--db", db)
    assert code == 1 and "no survey 'nope'; surveys: csat-after-solve" in err


def test_send_as_of_a_past_day(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Past data (the demo's): nobody is due today, and the message says how to try it;
    --now picks as of that day, while the links count their week from the real now."""
    db = str(tmp_path / "past.duckdb")
    solved = dt.datetime(2025, 3, 10, 9, tzinfo=dt.UTC)
    with Store.open(db) as store:
        people(store)
        store.write("tickets", [ticket(1, "t:c1", solved)])
        store.write("events", [solved_event(1, solved)])
    run(capsys, "survey", "create", "csat-after-solve", "--db", db)
    code, out, err = run(capsys, "survey", "send", "csat-after-solve", "--db", db)
    assert code == 0 and out == "" and "0 invitation(s)" in err
    assert "pass --now with a day the data covers" in " ".join(err.split())
    before = dt.datetime.now(dt.UTC)
    code, out, err = run(
        capsys, "survey", "send", "csat-after-solve", "--db", db, "--now", "2025-03-11"
    )
    assert code == 0 and "1 invitation(s)" in err
    (record,) = [json.loads(line) for line in out.splitlines()]
    expires = dt.datetime.fromisoformat(record["expires_at"])
    assert (
        before + dt.timedelta(days=7) <= expires <= dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    )
    code, _, err = run(
        capsys, "survey", "send", "csat-after-solve", "--db", db, "--now", "11/03/2025"
    )
    assert code == 1 and "--now '11/03/2025': give a date as YYYY-MM-DD" in err
