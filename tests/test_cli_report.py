"""`sanjeh demo` and `sanjeh report` end to end, in every output format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from sanjeh.cli import main


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo_db(demo_dir: Path) -> str:
    import os

    here = os.getcwd()
    os.chdir(demo_dir)
    try:
        assert main(["demo", "--tickets", "800", "--seed", "3", "--db", "d.duckdb"]) == 0
    finally:
        os.chdir(here)
    assert (demo_dir / "sanjeh.toml").exists()  # the demo teams' calendars
    return str(demo_dir / "d.duckdb")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_prints_headline_kpis(demo_db: str, capsys) -> None:
    code, out, _ = run(capsys, "status", "--db", demo_db, "--json")
    tables = json.loads(out)["tables"]
    assert code == 0 and tables["tickets"] == 800 and tables["events"] > 5000


def test_report_json_matches_the_library(demo_db: str, capsys) -> None:
    from sanjeh.metrics import MetricsConfig, kpis
    from sanjeh.store import Store

    code, out, _ = run(
        capsys,
        "report",
        "--db",
        demo_db,
        "-k",
        "first_reply_time",
        "-k",
        "tickets_created",
        "--by",
        "channel",
        "--format",
        "json",
        "--hours",
        "calendar",
    )
    assert code == 0
    rows = json.loads(out)
    with Store.open(demo_db) as store:
        df = kpis(
            store,
            ["first_reply_time", "tickets_created"],
            by="channel",
            hours="calendar",
            config=MetricsConfig(),
        )
    expected = {(r.kpi, r.channel): r.value for r in df.itertuples()}
    got = {(r["kpi"], r["channel"]): r["value"] for r in rows}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value)


def test_report_csv_xlsx_html(demo_db: str, capsys, tmp_path: Path) -> None:
    code, out, _ = run(
        capsys, "report", "--db", demo_db, "-k", "csat", "--period", "week", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {"kpi", "period", "value", "ci_low", "previous"} <= set(rows[0])
    xlsx = tmp_path / "r.xlsx"
    code, _, _ = run(
        capsys, "report", "--db", demo_db, "-k", "csat", "--format", "xlsx", "-o", str(xlsx)
    )
    sheet = openpyxl.load_workbook(xlsx).active
    assert code == 0 and sheet.cell(1, 1).value == "kpi" and sheet.cell(2, 1).value == "csat"
    code, out, _ = run(capsys, "report", "--db", demo_db, "-k", "nps", "--format", "html")
    assert code == 0 and out.startswith("<!doctype html>") and "Net promoter" in out
    assert "http" not in out  # nothing loaded from the internet


def test_report_table_and_errors(demo_db: str, capsys) -> None:
    code, out, _ = run(capsys, "report", "--db", demo_db, "-k", "fcr_rate", "--by", "team")
    assert code == 0 and "First contact resolution" in out
    code, _, err = run(capsys, "report", "--db", demo_db, "--by", "planet")
    assert code == 1 and err.startswith("error: unknown breakdown 'planet'")
    code, _, err = run(capsys, "report", "--db", demo_db, "--format", "xlsx")
    assert code == 1 and "--output" in err
    code, _, err = run(capsys, "report", "--db", demo_db, "--filter", "team")
    assert code == 1 and "dimension=value" in err


def test_kpis_lists_the_registry(capsys) -> None:
    code, out, _ = run(capsys, "kpis", "--json")
    listed = json.loads(out)
    assert code == 0 and "first_reply_time" in listed
    assert listed["csat"]["title"]["fa"]
