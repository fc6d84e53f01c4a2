"""Commands while `sanjeh serve` runs on the same DuckDB file (a real server process).

DuckDB lets no other process open a file -- not even read-only -- while one process
holds it open for writing, as the server does for as long as it runs. Every command
then says who holds the file, where its dashboard is, and what to do; but ``sanjeh
import`` sends its files through the server (tests/web/test_server_import.py has more).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from serversupport import serving

SANJEH = str(Path(sys.executable).parent / "sanjeh")
TICKETS = (
    "ticket_id,created_at,channel\n1,2026-03-01T08:00:00Z,email\n2,2026-03-02T09:30:00Z,chat\n"
)


def sanjeh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SANJEH, *args], capture_output=True, text=True, check=False, timeout=300)


def _store(folder: Path) -> str:
    src = folder / "tickets.csv"
    src.write_text(TICKETS, encoding="utf-8")
    db = str(folder / "served.duckdb")
    done = sanjeh("import", str(src), "--db", db)
    assert done.returncode == 0, done.stderr
    return db


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, subprocess.Popen[str], int]]:
    db = _store(tmp_path_factory.mktemp("served"))
    with serving(db) as (proc, port):
        yield db, proc, port


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["rejects"],
        ["report", "-k", "tickets_created"],
        ["export", "tickets", "out.csv"],
    ],
)
def test_commands_say_who_holds_the_file_and_what_to_do(
    served: tuple[str, subprocess.Popen[str], int], command: list[str]
) -> None:
    store_file, proc, port = served
    folder = Path(store_file).parent
    args = [str(folder / a) if a.endswith(".csv") else a for a in command]
    done = sanjeh(*args, "--db", store_file)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one line, no traceback
    assert lines[0] == (
        f"error: {store_file} is in use by another program (PID {proc.pid}: {SANJEH} serve "
        f"--db {store_file} --port {port}); DuckDB lets no other program open the file, not "
        "even to read it, while that one has it open. The dashboard it serves shows the same "
        f"data: http://127.0.0.1:{port}/ (JSON under http://127.0.0.1:{port}/api/). To run "
        f"this command, stop that program (Ctrl+C where it runs, or kill {proc.pid}) and run "
        "it again, then start the server again; a PostgreSQL store has no such limit"
    )
    assert "check the URL" not in done.stderr and "server is running" not in done.stderr


def test_import_goes_through_the_running_server(
    served: tuple[str, subprocess.Popen[str], int],
) -> None:
    store_file, _, port = served
    folder = Path(store_file).parent
    more = folder / "more.csv"
    more.write_text("ticket_id,created_at,channel\n3,2026-03-03T10:00:00Z,phone\n", "utf-8")
    done = sanjeh("import", str(more), str(folder / "tickets.csv"), "--db", store_file)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"(through the running server at http://127.0.0.1:{port})\n")
    shown = " ".join(done.stdout.split())  # (lines wrap at 80 columns)
    assert f"{more} (tickets, source local): 1 rows read in" in shown
    assert f"{folder / 'tickets.csv'} (tickets, source local): 2 rows read in" in shown
    deadline = time.monotonic() + 60  # the server refreshes its facts at once
    while True:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/meta", timeout=30) as r:
            meta = json.loads(r.read())
        if meta["last_day"] == "2026-03-03" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert (meta["first_day"], meta["last_day"]) == ("2026-03-01", "2026-03-03")


def test_the_commands_work_once_the_server_stopped(tmp_path: Path) -> None:
    store_file = _store(tmp_path)
    with serving(store_file):
        assert sanjeh("status", "--db", store_file).returncode == 1
    done = sanjeh("status", "--db", store_file, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tables"]["tickets"] == 2


def test_the_dashboard_address_comes_from_the_servers_command_line() -> None:
    from sanjeh.store._url import _dashboard

    serve = ["/venv/bin/sanjeh", "serve"]
    assert _dashboard([*serve, "--db", "x.duckdb"]) == "http://127.0.0.1:8000/"  # defaults
    assert _dashboard([*serve, "--host=0.0.0.0", "--port=9001"]) == "http://127.0.0.1:9001/"
    assert _dashboard([*serve, "--host", "10.0.0.5", "--port", "81"]) == "http://10.0.0.5:81/"
    assert _dashboard([*serve, "--host", "::1"]) == "http://[::1]:8000/"
    assert _dashboard(["/venv/bin/sanjeh", "import", "serve.csv"]) is None
    assert _dashboard(["/usr/bin/other", "serve"]) is None
