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
    assert done.stderr.startswith("error: no store at --db ")
    done = subprocess.run(
        [str(exe), "init", "--db", str(tmp_path / "no" / "x.duckdb")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: cannot create")


def _one_error_line(err: str) -> str:
    """The CLI's error output: exactly one line, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_config_errors_are_one_line_naming_file_and_key(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: str
) -> None:
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "tickets.csv"
    src.write_text(GOOD, encoding="utf-8")
    (tmp_path / "sanjeh.toml").write_text('timezone = "Tehran"\n', encoding="utf-8")
    code, _, err = run(capsys, "import", str(src), "--db", db)
    assert code == 1
    assert _one_error_line(err) == (
        "error: sanjeh.toml: timezone 'Tehran' is not a time zone; use an IANA name such as "
        '"Asia/Tehran", "Asia/Riyadh", "Europe/Berlin" or "UTC"'
    )
    (tmp_path / "sanjeh.toml").unlink()
    for args in (["--timezone", "Tehran"], ["-f", "tickets", "--option", "timezone=Tehran"]):
        code, _, err = run(capsys, "import", str(src), "--db", db, *args)
        assert code == 1 and "timezone 'Tehran' is not a time zone" in _one_error_line(err)


def test_bracketed_names_are_printed_not_read_as_markup(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sanjeh.toml").write_text('[metrics]\ncalendar = "nowhere"\n', encoding="utf-8")
    code, _, err = run(capsys, "report")
    assert code == 1
    assert _one_error_line(err) == (
        "error: sanjeh.toml: [metrics] calendar = 'nowhere' but there is no "
        "[calendars.nowhere] table"
    )
    (tmp_path / "sanjeh.toml").write_text(
        '[[sla.policies]]\nname = "x"\nfirst_reply = "soon"\n', encoding="utf-8"
    )
    code, _, err = run(capsys, "report")
    assert "sanjeh.toml: [[sla.policies]] #1: 'soon' is not a duration" in _one_error_line(err)


def test_data_with_brackets_prints_as_it_is(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: str
) -> None:
    """File names, rejected values and reasons come from the user's data."""
    monkeypatch.chdir(tmp_path)
    Path("[export].csv").write_text(GOOD + "3,[bold]soon[/bold],email\n", encoding="utf-8")
    code, out, err = run(capsys, "import", "[export].csv", "--db", db)
    assert code == 0 and out.startswith("[export].csv (tickets, source local)")
    assert "e.g. [export].csv, row 4, field 'created_at'" in err  # the rejected row's example
    code, out, _ = run(capsys, "rejects", "--db", db)
    assert "[export].csv" in out and "[bold]soon[/bold]" in out


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["rejects"],
        ["export", "tickets", "out.csv"],
        ["report"],
        ["analyze"],
        ["qa", "run-cycles"],
        ["user", "list"],
        ["serve"],
    ],
)
def test_a_store_that_does_not_exist_is_not_created(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "sanjeh.ducdb"
    code, _, err = run(capsys, *command, "--db", str(typo))
    assert code == 1
    assert _one_error_line(err) == (
        f"error: no store at --db {typo}: the file {typo} does not exist. Check the path, "
        f"or create the store: `sanjeh import FILE --db {typo}`, `sanjeh demo --db {typo}` "
        f"or, empty, `sanjeh init --db {typo}`"
    )
    assert not typo.exists()
    # without --db: the configured default, ./sanjeh.duckdb here
    code, _, err = run(capsys, *command)
    assert code == 1 and "error: no store at the configured store sanjeh.duckdb" in err
    assert not (tmp_path / "sanjeh.duckdb").exists()


def test_commands_that_make_a_store_may_create_it(capsys, tmp_path: Path) -> None:
    created = tmp_path / "new.duckdb"
    code, out, _ = run(capsys, "init", "--db", str(created))
    assert code == 0 and created.exists() and "store ready" in out
    code, out, _ = run(capsys, "status", "--db", str(created), "--json")
    assert code == 0 and json.loads(out)["tables"]["tickets"] == 0


def test_read_commands_share_the_file_with_other_readers(capsys, tmp_path: Path, db: str) -> None:
    """status / rejects / export / report open a DuckDB file read-only: they run while
    another program reads it; a command that writes says who holds the file."""
    src = tmp_path / "tickets.csv"
    src.write_text(GOOD, encoding="utf-8")
    assert run(capsys, "import", str(src), "--db", db)[0] == 0
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print('open', flush=True); time.sleep(60)",
            db,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        code, out, err = run(capsys, "status", "--db", db, "--json")
        assert code == 0, err
        assert json.loads(out)["tables"]["tickets"] == 2
        code, out, err = run(capsys, "export", "tickets", str(tmp_path / "t.csv"), "--db", db)
        assert code == 0 and "wrote 2 rows" in out, err
        code, _, err = run(capsys, "import", str(src), "--db", db)
        assert code == 1
        line = _one_error_line(err)
        assert f"error: {db} is in use by another program (PID {reader.pid}: " in line
        assert "stop that program (Ctrl+C where it runs, or kill" in line
    finally:
        reader.kill()
        reader.wait()


def test_help_keeps_its_bracketed_defaults(capsys) -> None:
    def words(*args: str) -> str:  # the help's text, without the box and the line breaks
        code, out, _ = run(capsys, *args, "--help")
        assert code == 0
        return " ".join(out.replace("│", " ").split())

    assert "[default: $SANJEH_DB, sanjeh.toml, ./sanjeh.duckdb]" in words("status")
    assert "Last day of the demo (YYYY-MM-DD, Tehran) [default: yesterday," in words("demo")
