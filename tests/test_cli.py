"""The CLI is a thin shell: results on stdout, one red line and exit 1 on errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sanjeh.cli import main

GOOD = "ticket_id,created_at,channel\n1,2026-03-01T08:00:00Z,email\n2,2026-03-02T09:30:00Z,chat\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.duckdb")


def test_import_status_export_round_trip(capsys, tmp_path: Path, db: str) -> None:
    src = tmp_path / "tickets.csv"
    src.write_text(GOOD + "3,someday,email\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(src), "--db", db)
    assert code == 0
    assert "tickets" in out and "2" in out
    assert "1 rows rejected" in err and "row 4" in err

    code, out, _ = run(capsys, "status", "--db", db, "--json")
    assert code == 0
    tables = json.loads(out)["tables"]
    assert tables["tickets"] == 2 and tables["import_rejects"] == 1

    code, out, _ = run(capsys, "rejects", "--db", db, "--json")
    assert json.loads(out)[0]["field"] == "created_at"

    dest = tmp_path / "out.parquet"
    code, out, _ = run(capsys, "export", "tickets", str(dest), "--db", db)
    assert code == 0 and "wrote 2 rows" in out
    code, out, _ = run(capsys, "import", str(dest), "--db", db, "--json", "-f", "tickets")
    assert json.loads(out)[0]["tables"]["tickets"]["unchanged"] == 2


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "no such file"),
        ("", [], "the file is empty"),
        ("a,b\n1,2\n", [], "cannot tell what this csv file holds"),
        (GOOD, ["-f", "nonsense"], "unknown format 'nonsense'"),
        (
            "ticket_id,channel\n1,email\n",
            ["-f", "tickets"],
            "missing required column(s) created_at",
        ),
        (GOOD + "9,bad,email\n", ["--strict"], "row 4, field 'created_at'"),
        (GOOD, ["--option", "novalue"], "must look like key=value"),
    ],
)
def test_errors_are_one_clear_line(capsys, tmp_path: Path, db: str, content, args, message) -> None:
    path = tmp_path / "tickets.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "import", str(path), "--db", db, *args)
    assert code == 1
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert lines[0].startswith("error: "), err
    assert message in " ".join(lines)


def test_strict_failure_writes_nothing(capsys, tmp_path: Path, db: str) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(GOOD + "9,bad,email\n", encoding="utf-8")
    assert run(capsys, "import", str(path), "--db", db, "--strict")[0] == 1
    _, out, _ = run(capsys, "status", "--db", db, "--json")
    assert json.loads(out)["tables"]["tickets"] == 0


def test_formats_lists_every_table_format(capsys) -> None:
    code, out, _ = run(capsys, "formats", "--json")
    assert code == 0
    assert {"tickets", "events", "calls", "survey_responses"} <= set(json.loads(out))


def test_installed_command_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "sanjeh"
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("sanjeh ")
    done = subprocess.run(
        [str(exe), "status", "--db", str(tmp_path / "no" / "x.duckdb")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot create")
