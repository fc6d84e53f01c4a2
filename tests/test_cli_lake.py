"""`sanjeh export --lake` and `sanjeh serve --db lake:///…` as a user runs them: real
processes, a real server, its JSON compared with the same page served from the
original DuckDB file."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

from sanjeh.demo import generate
from sanjeh.model import TABLES
from sanjeh.store import Store
from serversupport import serving

SANJEH = str(Path(sys.executable).parent / "sanjeh")


def sanjeh(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANJEH_")}
    env["COLUMNS"] = "200"  # one summary line per table row, however narrow the runner
    return subprocess.run(
        [SANJEH, *args], capture_output=True, text=True, check=False, timeout=300, cwd=cwd, env=env
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("cli_lake")
    with Store.open(str(folder / "demo.duckdb")) as store:
        generate(store, tickets=2000, seed=7, as_of=dt.date(2026, 10, 31))
        counts = store.counts(list(TABLES))
    return folder, counts


@pytest.fixture(scope="module")
def lake(demo: tuple[Path, dict[str, int]]) -> Path:
    folder, counts = demo
    done = sanjeh("export", "--lake", "lake", "--db", "demo.duckdb", cwd=folder)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # the summary: one row per table with its count, then the command to serve it
    for table, rows in counts.items():
        assert any(line.split() == ["│", table, "│", f"{rows:,}", "│"] for line in lines), table
    assert f"wrote {sum(counts.values()):,} rows of {len(counts)} tables" in done.stdout
    assert f"sanjeh serve --db lake://{folder / 'lake'}" in done.stdout
    return folder / "lake"


def test_export_lake_writes_every_table(lake: Path, demo: tuple[Path, dict[str, int]]) -> None:
    _, counts = demo
    for table, rows in counts.items():
        found = ds.dataset(lake / table, format="parquet", partitioning="hive").count_rows()
        assert found == rows, table


def test_export_one_table_to_a_lake(demo: tuple[Path, dict[str, int]]) -> None:
    folder, counts = demo
    done = sanjeh("export", "teams", "--lake", "one", "--db", "demo.duckdb", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (folder / "one").iterdir()) == ["_sanjeh_lake.json", "teams"]
    assert ds.dataset(folder / "one" / "teams").count_rows() == counts["teams"] == 7


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["export"],
            "error: say what to export: `sanjeh export TABLE PATH` (one table to a .csv or "
            ".parquet file) or `sanjeh export --lake DIR` (every table, as a Parquet lake)",
        ),
        (
            ["export", "tickets", "out.csv", "--lake", "x"],
            "error: with --lake, give no PATH nor --format: the lake's folder is its place and "
            "Parquet its format (`sanjeh export --lake DIR`, or `sanjeh export TABLE --lake DIR`)",
        ),
        (
            ["export", "nosuch", "--lake", "x"],
            "error: no table 'nosuch'; tables are: " + ", ".join(TABLES),
        ),
    ],
)
def test_export_says_what_is_wrong(
    demo: tuple[Path, dict[str, int]], args: list[str], error: str
) -> None:
    folder, _ = demo
    done = sanjeh(*args, "--db", "demo.duckdb", cwd=folder)
    assert done.returncode == 1
    assert done.stderr.strip() == error


def test_import_into_a_lake_is_refused(lake: Path) -> None:
    source = lake.parent / "more.csv"
    source.write_text("ticket_id,created_at,channel\n9,2026-03-01T08:00:00Z,email\n", "utf-8")
    done = sanjeh("import", str(source), "--db", f"lake://{lake}", cwd=lake.parent)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "error: cannot write tickets: a lake is read-only here: write with the pipeline that "
        "owns it, or import into a DuckDB/PostgreSQL store and `sanjeh export --lake`"
    )


def test_serve_refuses_a_folder_that_is_no_lake(tmp_path: Path) -> None:
    done = sanjeh("serve", "--db", f"lake://{tmp_path}", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: {tmp_path} is not a Sanjeh lake (no _sanjeh_lake.json); make one with "
        f"`sanjeh export --lake {tmp_path}`, or write it with Sanjeh's Spark store"
    )


def _get(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
        return json.loads(answer.read())


def _close(a: Any, b: Any) -> bool:
    """Equal, numbers within 1e-6 (a trend is a list of numbers or None)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)
    return bool(a == b)


PAGES = ("/api/overview?lang=en", "/api/overview?lang=en&start=2026-08-01&end=2026-10-31")


def test_a_server_over_the_lake_shows_the_originals_figures(lake: Path) -> None:
    folder = lake.parent
    with serving(f"lake://{lake}", cwd=folder) as (_, port):
        on_lake = [_get(port, page) for page in PAGES]
    with serving("demo.duckdb", cwd=folder) as (_, port):
        original = [_get(port, page) for page in PAGES]
    for got, want in zip(on_lake, original, strict=True):
        cards = {c["kpi"]: c for c in want["cards"]}
        assert len(cards) >= 6 and cards["tickets_created"]["n"] > 500
        assert [c["kpi"] for c in got["cards"]] == list(cards)
        for card in got["cards"]:
            expected = cards[card["kpi"]]
            for field in ("n", "value", "previous", "trend"):
                assert _close(card[field], expected[field]), (card["kpi"], field)
            assert card["display"] == expected["display"]
        assert got == want  # the whole page, charts and tables too


def test_a_running_server_sees_files_a_pipeline_adds(lake: Path, tmp_path: Path) -> None:
    import shutil
    import uuid

    import pyarrow as pa
    import pyarrow.parquet as pq

    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    page = "/api/overview?lang=en&start=2026-11-01&end=2026-12-01"

    def created(port: int) -> object:
        cards = {c["kpi"]: c for c in _get(port, page)["cards"]}
        return cards["tickets_created"]["n"]

    with serving(f"lake://{copy}", cwd=tmp_path) as (_, port):
        assert created(port) in (0, None)  # no November yet
        november = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
        rows = [
            {"ticket_id": f"pipe:{i}", "source": "pipe", "channel": "chat", "created_at": november}
            for i in range(4)
        ]
        month = copy / "tickets" / "month=2026-11"
        month.mkdir()
        # written under a hidden name, then renamed: a reader never sees half a file
        hidden = month / f".part-{uuid.uuid4()}.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=TABLES["tickets"].arrow_schema()), hidden)
        hidden.rename(month / hidden.name[1:])
        deadline = time.monotonic() + 90
        while (found := created(port)) != 4 and time.monotonic() < deadline:
            time.sleep(1)
        assert found == 4
