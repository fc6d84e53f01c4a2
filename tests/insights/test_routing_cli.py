"""`sanjeh insights route` and `sanjeh insights routing` on a hand-built store (the
tickets of test_routing.py's ``Ops``; one more ticket 30 days later puts the facts' "now"
past every FCR window, as the CLI uses the default options)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_routing import D0, Ops

from sanjeh.cli import main
from sanjeh.insights import hard_cases
from sanjeh.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "r.duckdb")
    ops = Ops()
    d, e, f, g = ops.agent("d"), ops.agent("e"), ops.agent("f"), ops.agent("g")
    chat = ("billing", "fa", "chat")
    ops.solved(d, 6, fcr=6, kind=chat)
    ops.solved(e, 6, fcr=3, kind=chat)
    ops.solved(f, 6, fcr=1, kind=chat)
    ops.solved(g, 1, fcr=0, kind=chat, day=30, minutes=500)  # (hard: escalated, slow)
    with Store.open(path) as store:
        ops.write(store)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_route_names_the_best_three_with_reasons(db: str, capsys) -> None:
    kind = ["--category", "billing", "--language", "fa", "--channel", "chat"]
    code, out = run(capsys, "insights", "route", *kind, "--db", db, "--json")
    assert code == 0
    found = json.loads(out)
    assert [a["agent_id"] for a in found["agents"]] == ["t:d", "t:e", "t:f"]
    assert found["level"] == ["category", "language", "channel"] and found["fallback"] == ""
    assert found["agents"][0]["reason"].startswith("FCR ") and "billing/fa/chat" in out
    code, out = run(capsys, "insights", "route", *kind, "--db", db)
    assert code == 0
    assert "Recommended agents" in out and "D" in out and "FCR" in out


def test_routing_is_the_library_report(db: str, capsys) -> None:
    code, out = run(capsys, "insights", "routing", "--start", "2026-03-20", "--db", db, "--json")
    assert code == 0
    found = json.loads(out)
    with Store.open(db) as store:
        start = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
        expected = hard_cases(store, start=start).as_dict()
    assert found == json.loads(json.dumps(expected))
    # G's ticket, 30 days on: hard (escalated), G not among the three experts
    assert found["hard"] == 1 and found["hard_reached"] == 0
    assert found["start"].startswith("2026-03-20") and D0.date().isoformat() < found["start"]
    swapped = ["--start", "2026-03-21", "--end", "2026-03-20", "--db", db]
    assert main(["insights", "routing", *swapped]) != 0
    assert "swap them" in capsys.readouterr().err
