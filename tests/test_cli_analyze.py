"""`sanjeh analyze`: score what is new, inspect one message, train a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sanjeh.cli import main

EVENTS = (
    "event_id,ticket_id,at,kind,actor_type,body\n"
    "e1,1,2026-03-02T09:00:00Z,message,customer,My order is late.\n"
    'e2,1,2026-03-02T09:05:00Z,message,agent,"Hello, I am sorry for the delay."\n'
    "e3,2,2026-03-02T10:00:00Z,message,customer,سلام، سفارشم نرسیده\n"
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = str(tmp_path / "cli.duckdb")
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "ticket_id,created_at\n1,2026-03-02T09:00:00Z\n2,2026-03-02T10:00:00Z\n", encoding="utf-8"
    )
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    assert run(capsys, "import", str(tickets), "-f", "tickets", "--db", url)[0] == 0
    assert run(capsys, "import", str(events), "-f", "events", "--db", url)[0] == 0
    return url


def test_analyze_scores_what_is_new(capsys, db: str) -> None:
    code, out, _ = run(capsys, "analyze", "--db", db)
    assert code == 0
    assert "scored 2 tickets (3 messages)" in out and "inserted" in out
    code, out, _ = run(capsys, "analyze", "--db", db)
    assert code == 0 and "nothing new to score" in out
    code, out, _ = run(capsys, "analyze", "--db", db, "--since", "2026-03-02", "--json")
    summary = json.loads(out)
    assert (summary["tickets"], summary["inserted"], summary["replaced"]) == (2, 0, 0)
    assert summary["unchanged"] == summary["rows"] > 0


def test_analyze_text_shows_every_signal_with_evidence(capsys) -> None:
    message = "سلام وقت بخیر، بابت تاخیر عذرخواهی می‌کنم."
    code, out, _ = run(capsys, "analyze", "text", message, "--role", "agent")
    assert code == 0
    assert "language: fa" in out and "greeting" in out and "apology" in out
    assert "عذرخواهی" in out  # the evidence, in its own script
    code, out, _ = run(capsys, "analyze", "text", message, "--json")
    found = json.loads(out)
    assert found["language"] == "fa" and found["text"] == message
    greeting = next(s for s in found["signals"] if s["analyzer"] == "greeting")
    assert greeting["label"] == "present" and greeting["evidence"][0]["text"] == "سلام"


def test_analyze_train_writes_a_model(capsys, tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    rows = ["text,label"] + [f"great service {i},positive" for i in range(4)]
    rows += [f"terrible delay {i},negative" for i in range(4)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "analyze", "train", "--data", str(data), "--output", str(tmp_path / "m")
    )
    assert code == 0 and "trained custom" in out and "8 messages" in out
    assert (tmp_path / "m" / "model.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--data", "missing.csv", "--output", "m"], "missing.csv does not exist"),
        (["text", "hello", "--language", "xx"], "--language must be one of"),
        (["text", "hello", "--role", "boss"], "--role must be one of"),
        (["--since", "someday"], "is not a date"),
    ],
)
def test_analyze_errors_are_one_line(capsys, tmp_path: Path, args, message: str) -> None:
    db = str(tmp_path / "e.duckdb")
    extra = ["--db", db] if args[0].startswith("--") else []
    if extra:  # a store that exists (analyze creates none)
        assert run(capsys, "init", "--db", db)[0] == 0
    code, _, err = run(capsys, "analyze", *extra, *args)
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1


def test_analyze_train_names_bad_columns(capsys, tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("message,category\nhi,a\n", encoding="utf-8")
    code, _, err = run(capsys, "analyze", "train", "--data", str(data), "--output", "m")
    assert code == 1 and "missing column(s) label, text" in err
