"""Anonymity through every output path: the library, the JSON API, the dashboard's HTML,
its CSV / XLSX downloads, `sanjeh report` (table, CSV, JSON, XLSX) and a scheduled
report's file. The store (tests/metrics/survey_store.py): the sales team's three eNPS
answers (10, 10, 3) would be +33.3; with groups of fewer than 5 hidden, no path may show
it, and each says why.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from sanjeh.cli import main
from sanjeh.metrics import MetricsConfig, kpis
from sanjeh.report import load_schedules, run_schedule
from sanjeh.settings import load_settings
from sanjeh.store import Store
from sanjeh.web import create_app

from .survey_store import load

HIDDEN = "fewer than 5 answers: hidden to keep answers anonymous ([surveys] min_group)"
#: the sales team's eNPS, were it shown (as the report formats write it)
LEAK = ("33.3", "33٫3", "۳۳٫۳", "٣٣٫٣")
RANGE = {"start": "2026-03-02", "end": "2026-03-08"}  # the web's end day is included
CONFIG = """
[[schedules]]
name = "employees"
kpis = ["enps", "pulse_score", "csat"]
by = "team"
every = "weekly mon 07:00"
period = "week"
format = "{format}"
folder = "{folder}"
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("anonymity") / "s.duckdb"
    with Store.open(str(path)) as store:
        load(store)
    return str(path)


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user's sanjeh.toml or SANJEH_* variables: an empty config in tmp_path."""
    for name in [k for k in os.environ if k.startswith("SANJEH_")]:
        monkeypatch.delenv(name)
    (tmp_path / "sanjeh.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_library(db: str) -> None:
    with Store.open(db) as store:
        df = kpis(store, ["enps"], by="team", start="2026-03-02", end="2026-03-09")
    sales = df[df.team == "t:sales"].iloc[0]
    assert sales.n == 3 and math.isnan(sales.value) and sales.note == HIDDEN


class Client:
    def __init__(self, app: Any) -> None:
        self.app = app

    def get(self, path: str, **params: Any) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.get(path, params=params or None)

        return asyncio.run(fetch())


@pytest.fixture(scope="module")
def web(db: str) -> Iterator[Client]:
    copy = Path(db).with_name("web.duckdb")  # (the CLI opens the other one meanwhile)
    shutil.copyfile(db, copy)
    app = create_app(str(copy), refresh_seconds=3600, warm=False, config=MetricsConfig())
    yield Client(app)
    app.state.source.store.close()


def _card(model: dict[str, Any], kpi: str) -> dict[str, Any]:
    return next(c for c in model["cards"] if c["kpi"] == kpi)


@pytest.mark.parametrize("page", ["satisfaction", "overview"])
def test_json_api(web: Client, page: str) -> None:
    r = web.get(f"/api/{page}", team="t:sales", **RANGE)
    assert r.status_code == 200
    enps = _card(r.json(), "enps")
    assert enps["value"] is None and enps["n"] == 3 and enps["note"] == HIDDEN
    care = _card(web.get(f"/api/{page}", team="t:care", **RANGE).json(), "enps")
    assert care["value"] == pytest.approx(100 / 6) and care["note"] is None
    assert not any(s in r.text for s in LEAK)


def test_json_api_employee_tables(web: Client) -> None:
    model = web.get("/api/satisfaction", **RANGE).json()
    rows = model["tables"]["employee"]["rows"]
    sales = {r["code"]: r for r in rows if r["team"] == "Sales"}
    assert sales["enps"]["value"] is None and sales["enps"]["note"] == HIDDEN
    assert sales["pulse_score"]["value"] is None
    assert sales["pulse_participation"]["value"] is None
    care = {r["code"]: r for r in rows if r["team"] == "Care"}
    assert care["pulse_participation"]["value"] == 6 / 8
    assert care["pulse_score"]["value"] == pytest.approx((32.5 + 34) / 9)
    everyone = {r["code"]: r for r in rows if r["team"] == "All teams"}
    assert everyone["enps"]["value"] == pytest.approx(100 * 2 / 9)
    questions = {r["question"]: r for r in model["tables"]["pulse_questions"]["rows"]}
    assert questions["workload"]["value"] == 6.5 and questions["morale"]["value"] == 7.5
    # filtered by agent: the employees' voice is refused, the customers' is shown
    by_agent = web.get("/api/satisfaction", agent="t:a7", **RANGE).json()
    assert "employee" not in by_agent["tables"]
    assert by_agent["employee_refused"].startswith("enps: not filtered by agent")
    assert _card(by_agent, "enps")["value"] is None
    assert _card(by_agent, "csat")["value"] == 0.0  # t:3's answer of 1


@pytest.mark.parametrize("lang", ["en", "fa", "ar"])
def test_dashboard_html(web: Client, lang: str) -> None:
    r = web.get("/satisfaction", team="t:sales", lang=lang, **RANGE)
    assert r.status_code == 200
    text = r.text
    assert 'data-kpi="enps" data-value=""' in text
    assert HIDDEN in text  # (the card's title, the table's note column)
    assert not any(s in text for s in LEAK)
    overview = web.get("/", team="t:sales", lang=lang, **RANGE).text
    assert 'data-kpi="enps" data-value=""' in overview
    assert not any(s in overview for s in LEAK)


def test_downloads(web: Client) -> None:
    r = web.get("/download/satisfaction/employee.csv", **RANGE)
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    sales = {row["kpi"]: row for row in rows if row["team"] == "Sales"}
    assert len(sales) == 3 and all(row["value"] == "" for row in sales.values())
    assert {row["note"] for row in sales.values()} == {
        HIDDEN,
        HIDDEN.replace("answers:", "invitations:"),
    }
    r = web.get("/download/satisfaction/employee.xlsx", **RANGE)
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = cells[0]
    for row in cells[1:]:
        record = dict(zip(header, row, strict=True))
        if record["team"] == "Sales":
            assert record["value"] is None and "hidden" in str(record["note"])
    r = web.get("/download/overview/kpis.csv", team="t:sales", **RANGE)
    found = csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))
    enps = next(row for row in found if row["kpi"] == "enps")
    assert enps["value"] == "" and enps["previous"] == ""


def _cli(*args: str) -> int:
    return main(["report", *args, "--start", "2026-03-02", "--end", "2026-03-09"])


def test_cli_report_table(db: str, isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli("--db", db, "-k", "enps", "--by", "team") == 0
    out = capsys.readouterr().out
    assert "hidden to keep answers anonymous" in " ".join(out.split())
    assert not any(s in out for s in LEAK) and "16.67" in out  # care's is shown


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_cli_report_files(db: str, isolated: Path, fmt: str) -> None:
    out = isolated / f"r.{fmt}"
    assert _cli("--db", db, "-k", "enps", "--by", "team", "--format", fmt, "-o", str(out)) == 0
    sales = _rows(out, fmt)["t:sales"]
    assert sales["value"] in ("", None) and sales["note"] == HIDDEN


def _rows(path: Path, fmt: str) -> dict[str, dict[str, Any]]:
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    elif fmt == "json":
        rows = json.loads(path.read_text(encoding="utf-8"))
    else:
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        cells = [[c.value for c in row] for row in sheet.iter_rows()]
        rows = [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]
    return {r["team"]: r for r in rows if r["kpi"] == "enps"}


def test_cli_refuses_an_agent_breakdown(
    db: str, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli("--db", db, "-k", "enps", "--by", "agent") != 0
    err = " ".join(capsys.readouterr().err.split())
    assert "enps: not broken down by agent: Employee NPS (eNPS) answers are anonymous" in err
    assert "break it down by team instead" in err


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_scheduled_report(db: str, isolated: Path, fmt: str) -> None:
    config = isolated / "sanjeh.toml"
    config.write_text(CONFIG.format(format=fmt, folder=str(isolated / "out")), encoding="utf-8")
    settings = load_settings({"SANJEH_CONFIG": str(config)})
    metrics_config = MetricsConfig.from_settings(settings)
    (schedule,) = load_schedules(settings, metrics_config)
    monday = dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC)
    with Store.open(db) as store:
        run = run_schedule(store, metrics_config, schedule, monday)
    assert run.ok and run.file is not None and run.file.name == f"employees-2026-03-02.{fmt}"
    sales = _rows(run.file, fmt)["t:sales"]
    assert sales["value"] in ("", None) and sales["note"] == HIDDEN
    assert not any(s in run.file.read_text(encoding="utf-8-sig") for s in LEAK)


def test_comments_ranked_by_sentiment_and_filtered_by_language(web: Client) -> None:
    """Not anonymity: the customers' comments, read by the text analyzers (their
    sentiment), worst and best first, for each language of the answers; employees'
    answers are never listed."""
    model = web.get("/api/satisfaction", **RANGE).json()
    worst = [r["comment"] for r in model["tables"]["comments_worst"]["rows"]]
    best = [r["comment"] for r in model["tables"]["comments_best"]["rows"]]
    # «سيئة جدا»: the Arabic intensifier follows its word, so it reads stronger than the
    # English one (-1.0 against -0.94)
    assert worst == ["خدمة سيئة جدا ولم يتم حل المشكلة", "terrible service, slow and rude"]
    assert best == ["خیلی ممنونم، مشکلم حل شد", "great help, thanks a lot"]
    rows = model["tables"]["comments_worst"]["rows"]
    assert rows[0]["sentiment"] < rows[1]["sentiment"] < 0 and rows[0]["score"] == 1.0
    for lang, expected in (("ar", {"ar"}), ("fa", {"fa"}), ("en", {"en"})):
        found = web.get("/api/satisfaction", language=lang, **RANGE).json()["tables"]
        shown = [r for k in ("comments_worst", "comments_best") for r in found[k]["rows"]]
        assert shown and {r["language"] for r in shown} == expected
    html = web.get("/satisfaction", language="ar", **RANGE).text
    assert "خدمة سيئة جدا" in html and "terrible service" not in html


def test_csat_warning_on_the_page_in_json_and_in_the_cli(
    web: Client, db: str, isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not anonymity: CSAT on 5 answers of 60 invitations warns everywhere."""
    warning = (
        "rests on 5 answers, fewer than 30 ([surveys] min_answers): read it with care; "
        "response rate 8.3% (5 of 60 invitations), under 10% ([surveys] min_response_rate)"
    )
    model = web.get("/api/satisfaction", **RANGE).json()
    assert [w["kpi"] for w in model["warnings"]] == ["csat"]
    assert model["warnings"][0]["note"].startswith(warning)
    html = web.get("/satisfaction", **RANGE).text
    assert 'data-warning="csat"' in html and warning in html
    assert _cli("--db", db, "-k", "csat") == 0
    assert warning in " ".join(capsys.readouterr().out.split())
