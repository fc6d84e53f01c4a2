"""Helpers for the write-safety tests: ticket exports, import processes, facts vs tables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sanjeh.ingest import ImportSummary, import_file
from sanjeh.metrics import kpis
from sanjeh.store import Store

#: a ticket-summary export: one row per ticket → tickets, events, surveys, customers,
#: agents and teams (six stages committed together)
MAPPING = """\
source = "shop"

[columns]
ticket_id = "ID"
created_at = "Created"
first_response_at = "First reply"
resolved_at = "Resolved"
agent = "Agent"
team = "Group"
customer = "Customer"
satisfaction = "CSAT"

[satisfaction]
survey = "csat"
scale_min = 1
scale_max = 5
"""
HEADER = "ID,Created,First reply,Resolved,Agent,Group,Customer,CSAT"
#: events a row of the export becomes: created, the customer's message, the agent's
#: reply, the assignment, the status change to solved
EVENTS_PER_TICKET = 5


def write_export(folder: Path, name: str, ids: range, *, version: int = 0) -> Path:
    """An export of tickets ``ids`` (and the mapping file beside it); ``version``
    changes every ticket's resolution time, so a re-import replaces rows."""
    lines = [HEADER]
    for i in ids:
        day, hour = 1 + i % 28, i % 20
        solved = f"2026-02-{day:02d}T{hour + 2:02d}:{version % 60:02d}:00Z"
        lines.append(
            f"{i},2026-02-{day:02d}T{hour:02d}:00:00Z,2026-02-{day:02d}T{hour:02d}:30:00Z,"
            f"{solved},a{i % 40},g{i % 5},c{i % 997},{1 + i % 5}"
        )
    path = folder / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    return path


def import_export(store: Store, path: Path) -> ImportSummary:
    return import_file(store, path, format="summary", mapping=path.parent / "mapping.toml")


def tickets_created(store: Store) -> int:
    """The KPI over all time, after the facts are brought up to date (as a report does)."""
    df = kpis(store, ["tickets_created"], stats=False, compare=False)
    return int(df["value"].iloc[0])


def stored_twice(store: Store, table: str) -> int:
    """Keys of ``table`` stored more than once."""
    key = {"tickets": "ticket_id", "events": "event_id"}[table]
    t = store.table(table)
    counted = t.group_by(key).aggregate(n=t.count())
    return int(store.con.execute(counted.filter(counted.n > 1).count()))


def assert_facts_agree(store: Store) -> int:
    """``tickets_created`` over all time == the rows of ``tickets``; no key twice."""
    rows = store.counts(["tickets"])["tickets"]
    assert stored_twice(store, "tickets") == 0
    assert stored_twice(store, "events") == 0
    assert tickets_created(store) == rows, "the facts disagree with the tables"
    return rows


# -- import processes ----------------------------------------------------------------


def sanjeh_command(*args: str) -> list[str]:
    """The installed ``sanjeh`` command, as a user runs it."""
    return [str(Path(sys.executable).parent / "sanjeh"), *args]


def child_env() -> dict[str, str]:
    """The test's environment without SANJEH_* settings (as tests/conftest.py does)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SANJEH_")}


#: a process running the library's import, which stops (sleeps) at a named point so
#: the test can kill it there; the store's code is unchanged, only wrapped
PAUSING_IMPORT = r"""
import sys, time
from pathlib import Path

url, export, point, marker = sys.argv[1:5]

import sanjeh.store._merge as merge_module
import sanjeh.store._store as store_module
from sanjeh.ingest import _pipeline, import_file
from sanjeh.store import Store

store_module.FLUSH_ROWS = 100  # flush after every chunk: the files are small


def pause():
    Path(marker).write_text(point)
    time.sleep(300)


def after(module, name):
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        pause()
        return result

    setattr(module, name, wrapped)


def before(owner, name, when=lambda *args, **kwargs: True):
    real = getattr(owner, name)

    def wrapped(*args, **kwargs):
        if when(*args, **kwargs):
            pause()
        return real(*args, **kwargs)

    setattr(owner, name, wrapped)


with Store.open(url) as store:
    if point == "flush":  # the first batch written (into the table, or a stage)
        after(store_module, "insert_arrow")
    elif point == "merge_inserted":  # new keys inserted, changed rows not replaced yet
        before(merge_module._Statements, "run", lambda sql, text: text.startswith("DELETE"))
    elif point == "commit":  # every table written, the transaction not committed
        before(store_module.Stage, "_end", lambda stage, ok: ok and store.writes.depth == 1)
    elif point == "log":  # committed, the import log not written yet
        before(_pipeline, "_record_log")
    import_file(store, export, format="summary", mapping=Path(export).parent / "mapping.toml",
                chunk_rows=100)
print("finished")
"""


def start_pausing_import(url: str, export: Path, point: str, folder: Path) -> tuple[Any, Path]:
    script = folder / "pausing_import.py"
    script.write_text(PAUSING_IMPORT, encoding="utf-8")
    marker = folder / f"paused-{point}"
    marker.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, str(script), url, str(export), point, str(marker)],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, marker


def wait_for(check: Any, process: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the import ended before {what}: {out}\n{err}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def kill_hard(process: Any) -> None:
    """SIGKILL: no clean-up code runs, as when the machine or the OOM killer stops it."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    process.communicate()
