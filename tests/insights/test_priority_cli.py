"""`sanjeh insights priority` on the hand-built store (tests/prioritysupport.py)."""

from __future__ import annotations

import json

import pytest

from prioritysupport import load
from sanjeh.cli import main
from sanjeh.insights import rank_open_tickets
from sanjeh.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "p.duckdb")
    with Store.open(path) as store:
        load(store)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_is_the_library_queue(db: str, capsys) -> None:
    code, out, _ = run(capsys, "insights", "priority", "--db", db, "--json", "--team", "Alpha")
    assert code == 0
    found = json.loads(out)
    with Store.open(db) as store:
        expected = rank_open_tickets(store, team="q:a").as_dict()
    assert found == json.loads(json.dumps(expected))
    # (the facts' "now" is the data's last instant here: one hour before NOW)
    assert [r["ticket_id"] for r in found["rows"]] == ["q:A", "q:C", "q:B", "q:E", "q:D"]
    assert found["rows"][0]["reasons"][0]["text"] == "customer's words: outage «is down»"
    assert found["notes"] and "churn risk is not part of the score" in found["notes"][0]


def test_text_output_shows_the_reasons(db: str, capsys, monkeypatch) -> None:
    from sanjeh.cli._console import console

    monkeypatch.setattr(console, "width", 300)  # one line per ticket
    code, out, _ = run(capsys, "insights", "priority", "--db", db, "--limit", "2")
    assert code == 0
    assert "6 open tickets" in out and "the top 2" in out
    assert "q:A" in out and "q:C" in out and "q:B" not in out
    assert "outage «is down»" in out and "churn risk is not part of the score" in out


def test_unknown_team_says_what_to_give(db: str, capsys) -> None:
    code, _, err = run(capsys, "insights", "priority", "--db", db, "--team", "Gamma")
    assert code != 0 and "no team 'Gamma'" in err
