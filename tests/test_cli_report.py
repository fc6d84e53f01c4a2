"""`sanjeh demo` and `sanjeh report` end to end, in every output format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from sanjeh.cli import main
from sanjeh.store import Store


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo_db(demo_dir: Path) -> str:
    import os

    here = os.getcwd()
    os.chdir(demo_dir)
    try:
        # --as-of: the same data on every day the tests run
        args = ["--tickets", "800", "--seed", "3", "--as-of", "2026-10-31", "--db", "d.duckdb"]
        assert main(["demo", *args]) == 0
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


# -- a small store of hand-made teams and tickets ----------------------------------------

TEAMS = "team_id,name\nbilling,Billing\ncare,Customer care\n"
#: by hand: billing 3 tickets, care 2, ghost 1 (a team no teams row names)
TICKETS = (
    "ticket_id,created_at,team_id,channel\n"
    "1,2026-03-02T09:00:00Z,billing,email\n"
    "2,2026-03-02T10:00:00Z,billing,chat\n"
    "3,2026-03-03T09:00:00Z,billing,email\n"
    "4,2026-03-03T10:00:00Z,care,email\n"
    "5,2026-03-04T09:00:00Z,care,phone\n"
    "6,2026-03-04T10:00:00Z,ghost,email\n"
)


@pytest.fixture
def small_db(tmp_path: Path, capsys) -> str:
    db = str(tmp_path / "small.duckdb")
    for name, text in (("teams", TEAMS), ("tickets", TICKETS)):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        assert run(capsys, "import", str(path), "-f", name, "--source", "s", "--db", db)[0] == 0
    return db


def _json_report(capsys, db: str, *args: str) -> list[tuple[str, float]]:
    code, out, err = run(capsys, "report", "--db", db, "--format", "json", *args)
    assert code == 0, err
    return [(r["team"], r["value"]) for r in json.loads(out)]


def test_sort_and_top(small_db: str, capsys) -> None:
    base = ("-k", "tickets_created", "--by", "team")
    assert _json_report(capsys, small_db, *base, "--sort", "value") == [
        ("s:billing", 3),
        ("s:care", 2),
        ("s:ghost", 1),
    ]
    assert _json_report(capsys, small_db, *base, "--top", "2") == [("s:billing", 3), ("s:care", 2)]
    assert _json_report(capsys, small_db, *base, "--sort", "n", "--ascending", "--top", "1") == [
        ("s:ghost", 1)
    ]
    # per period: the top team of each day (2 Mar: billing 2; 3 Mar: billing 1 and care 1,
    # kept in the engine's order; 4 Mar: care 1 and ghost 1)
    code, out, _ = run(
        capsys, "report", "--db", small_db, *base, "--period", "day", "--start", "2026-03-02",
        "--end", "2026-03-05", "--top", "1", "--format", "json",
    )  # fmt: skip
    rows = json.loads(out)
    assert code == 0 and [r["period"] for r in rows] == sorted({r["period"] for r in rows})
    assert [(r["period"], r["value"]) for r in rows][-3:] == [
        ("2026-03-02", 2),
        ("2026-03-03", 1),
        ("2026-03-04", 1),
    ]
    code, _, err = run(capsys, "report", "--db", small_db, *base, "--sort", "colour")
    assert code == 1 and "--sort 'colour': sort by one of value, n," in err


def test_filters_take_the_names_the_table_shows(small_db: str, capsys) -> None:
    base = ("-k", "tickets_created", "--by", "team")
    assert _json_report(capsys, small_db, *base, "--filter", "team=Billing") == [("s:billing", 3)]
    assert _json_report(capsys, small_db, *base, "--filter", "team=customer care,ghost") == [
        ("s:care", 2),
        ("s:ghost", 1),
    ]
    code, out, _ = run(
        capsys, "report", "--db", small_db, *base, "--filter", "team=billing", "--sort", "value"
    )
    assert code == 0 and "Billing" in out and "│ 3 " in out.replace("  ", " ")
    code, _, err = run(capsys, "report", "--db", small_db, *base, "--filter", "team=Sales")
    assert code == 1
    assert err.strip() == (
        "error: no team 'Sales': use the id or the name of one of: Billing (s:billing), "
        "Customer care (s:care), s:ghost"
    )
    code, _, err = run(capsys, "report", "--db", small_db, *base, "--filter", "channel=Email")
    assert code == 1
    assert err.strip() == (
        "error: no channel 'Email' in the data: values there are: chat, email, phone"
    )


def test_a_report_reads_while_another_program_reads(small_db: str, capsys) -> None:
    """Once the facts are built, a report opens the file read-only (several at once)."""
    assert _json_report(capsys, small_db, "-k", "tickets_created", "--by", "team")
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print('open', flush=True); time.sleep(60)",
            small_db,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        got = _json_report(capsys, small_db, "-k", "tickets_created", "--by", "team")
        assert sorted(got) == [("s:billing", 3), ("s:care", 2), ("s:ghost", 1)]
    finally:
        reader.kill()
        reader.wait()


# -- sanjeh demo ------------------------------------------------------------------------


def test_demo_ends_today_by_default(tmp_path: Path, capsys, monkeypatch) -> None:
    from sanjeh.cli._demo import today_in_tehran

    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "demo", "--tickets", "300", "--days", "30", "--db", "x.duckdb")
    assert code == 0, err
    yesterday = today_in_tehran() - dt.timedelta(days=1)
    first = yesterday - dt.timedelta(days=27)
    assert f"last four weeks ({first} – {yesterday}), against the four before:" in out
    with Store.open("x.duckdb") as store:
        t, e = store.table("tickets"), store.table("events")
        last = store.con.execute(t.created_at.max())
        latest = store.con.execute(e.at.max())
    assert last.astimezone(ZoneInfo("Asia/Tehran")).date() == yesterday
    assert last >= dt.datetime.now(dt.UTC) - dt.timedelta(days=3)  # not weeks ago
    assert latest <= dt.datetime.now(dt.UTC)  # nothing happens in the future


def test_demo_refuses_a_store_with_imported_data(small_db: str, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["--tickets", "200", "--days", "30", "--as-of", "2026-03-31", "--db", small_db]
    code, _, err = run(capsys, "demo", *args)
    assert code == 1
    assert err.strip() == (
        f"error: {small_db} holds data imported from elsewhere (2 rows of teams that are not "
        "demo data), and the demo would mix with it in every report; write the demo into a "
        "new store (--db demo.duckdb), or pass --force to add it anyway"
    )
    assert not (tmp_path / "sanjeh.toml").exists()  # nothing written
    with Store.open(small_db) as store:
        assert store.counts(["tickets"]) == {"tickets": 6}
    assert run(capsys, "demo", *args, "--force")[0] == 0
    with Store.open(small_db) as store:
        assert store.counts(["tickets"]) == {"tickets": 206}


def test_demo_into_its_own_store_again_changes_nothing(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["--tickets", "200", "--days", "30", "--as-of", "2026-03-31", "--db", "d.duckdb"]
    assert run(capsys, "demo", *args)[0] == 0
    with Store.open("d.duckdb") as store:
        before = store.counts()
    code, _, err = run(capsys, "demo", *args)
    assert code == 0, err
    with Store.open("d.duckdb") as store:
        assert store.counts() == before
    code, _, err = run(capsys, "demo", *args[:4], "--as-of", "2026-04-01", "--db", "d.duckdb")
    assert code == 1 and "already holds a different demo" in err and "--as-of" in err


def test_the_table_says_why_a_number_is_missing_or_partial(
    demo_db: str, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(Path(demo_db).parent)  # the demo's sanjeh.toml: Tehran hours
    code, out, _ = run(
        capsys,
        *("report", "--db", demo_db, "-k", "fcr_rate", "-k", "call_abandonment_rate"),
        *("--filter", "channel=chat", "--period", "week"),
        *("--start", "2026-10-06", "--end", "2026-10-30"),
    )
    assert code == 0
    lines = out.splitlines()
    text = " ".join(out.split())  # (the console may be narrower than COLUMNS asks)
    # the calls KPI is not dropped: a row without a number, and the reason under the table
    assert "—¹" in out
    assert (
        "¹ Call abandonment rate: the channel filter does not apply: calls data has no "
        "channel (possible filters: team, agent, queue, hour)"
    ) in text
    # the demo's data ends on 31 October: FCR of the last weeks waits for its window
    header = next(line for line in lines if "┃ KPI" in line)
    assert "pending" in header
    assert (
        "pending (First contact resolution): solved tickets whose 7-day recontact window "
        "has not closed; not counted in n or value yet"
    ) in text
    # the first and last weeks are cut by --start / --end (Saturday weeks: Tehran hours)
    assert "2026-10-03 ◐" in out and "2026-10-24 ◐" in out and "2026-10-10 ◐" not in out


# -- text a spreadsheet would run (issue 23) -------------------------------------------------

#: tags a ticket may carry that a spreadsheet would run as formulas
FORMULAS = ('=HYPERLINK("http://x.example","y")', "+1", "-2", "@SUM(A1)")


def test_report_files_hold_no_formula(tmp_path: Path, capsys) -> None:
    """CSV and Excel reports write text that starts a formula as text (a leading '),
    as the web's downloads do; other text is left as it is."""
    db = str(tmp_path / "f.duckdb")
    tickets = tmp_path / "tickets.csv"
    with tickets.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["ticket_id", "created_at", "channel", "tags"])
        for i, tag in enumerate([*FORMULAS, "plain"], start=1):
            writer.writerow([i, "2026-03-02T09:00:00Z", "email", tag])
    assert run(capsys, "import", str(tickets), "--source", "s", "--db", db)[0] == 0
    args = ("-k", "tickets_created", "--by", "tag", "--start", "2026-03-02", "--end", "2026-03-03")
    expected = {"'" + t for t in FORMULAS} | {"plain"}

    code, out, _ = run(capsys, "report", "--db", db, *args, "--format", "csv")
    assert code == 0
    assert {r["tag"] for r in csv.DictReader(io.StringIO(out))} == expected

    xlsx = tmp_path / "r.xlsx"
    code, _, _ = run(capsys, "report", "--db", db, *args, "--format", "xlsx", "-o", str(xlsx))
    sheet = openpyxl.load_workbook(xlsx).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert code == 0 and not [c.coordinate for c in cells if c.data_type == "f"]
    column = [c.value for c in sheet[1]].index("tag") + 1
    assert {sheet.cell(r, column).value for r in range(2, sheet.max_row + 1)} == expected
