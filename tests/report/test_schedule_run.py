"""A scheduled run reports a closed period with the numbers `sanjeh report` gives for
it, writes the file and / or POSTs it to a real local receiver, and is remembered."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from sanjeh.cli import main
from sanjeh.metrics import MetricsConfig, get_kpi
from sanjeh.report import Period, ScheduledRun, load_schedules, run_schedule
from sanjeh.report import last_success as delivered
from sanjeh.store import Store

from ._support import Receiver

UTC = dt.UTC
TEHRAN = ZoneInfo("Asia/Tehran")
KPIS = '["first_reply_time", "csat", "tickets_created"]'
#: Tuesday 20 October 2026, 07:30 in Tehran
TUESDAY = dt.datetime(2026, 10, 20, 7, 30, tzinfo=TEHRAN)


def run_once(db: str, now: dt.datetime, name: str | None = None, **options: Any) -> ScheduledRun:
    config = MetricsConfig.from_settings()
    schedules = {s.name: s for s in load_schedules(config=config)}
    schedule = schedules[name] if name else next(iter(schedules.values()))
    with Store.open(db) as store:
        return run_schedule(store, config, schedule, now, **options)


def cli_report(db: str, out: Path, *args: str) -> bytes:
    assert main(["report", "--db", db, *args, "-o", str(out)]) == 0
    return out.read_bytes()


def test_daily_csv_is_yesterdays_report(
    configure: Callable[[str], Path], db: str, tmp_path: Path
) -> None:
    configure(f"""
[[schedules]]
name = "daily"
kpis = {KPIS}
by = "team"
every = "daily 07:00"
folder = "out"
""")
    run = run_once(db, TUESDAY)
    assert run.ok and run.error is None and run.attempts == 1 and not run.manual
    assert run.period == Period("day", dt.date(2026, 10, 19), dt.date(2026, 10, 20))
    assert run.slot == dt.datetime(2026, 10, 20, 3, 30, tzinfo=UTC)  # 07:00 Tehran
    assert run.file == tmp_path / "out" / "daily-2026-10-19.csv"
    kpis = ["-k", "first_reply_time", "-k", "csat", "-k", "tickets_created", "--by", "team"]
    expected = cli_report(
        db,
        tmp_path / "cli.csv",
        *kpis,
        *("--period", "day", "--start", "2026-10-19", "--end", "2026-10-20", "--format", "csv"),
    )
    assert run.file.read_bytes() == expected
    rows = list(csv.DictReader(io.StringIO(expected.decode())))
    assert run.rows == len(rows) and {r["period"] for r in rows} == {"2026-10-19"}
    assert {r["partial"] for r in rows} == {"False"}  # a closed day, covered by the data
    # by hand: the tickets created on that Tehran day, whatever their team
    with Store.open(db, read_only=True) as store:
        created = store.table("tickets").created_at.to_pandas()
    local = created.dt.tz_convert("Asia/Tehran").dt.date
    by_hand = int((local == dt.date(2026, 10, 19)).sum())
    reported = sum(float(r["value"] or 0) for r in rows if r["kpi"] == "tickets_created")
    assert reported == by_hand > 0


def test_weekly_json_with_saturday_weeks(
    configure: Callable[[str], Path], db: str, tmp_path: Path
) -> None:
    configure("""
[[schedules]]
name = "weekly"
kpis = ["first_reply_time", "sla_achievement"]
by = ["channel"]
every = "weekly sat 07:00"
format = "json"
folder = "out"
""")
    saturday = dt.datetime(2026, 10, 24, 9, 0, tzinfo=TEHRAN)
    run = run_once(db, saturday)
    assert run.ok and run.period == Period("week", dt.date(2026, 10, 17), dt.date(2026, 10, 24))
    assert run.file is not None and run.file.name == "weekly-2026-10-17.json"
    expected = cli_report(
        db,
        tmp_path / "cli.json",
        *("-k", "first_reply_time", "-k", "sla_achievement", "--by", "channel"),
        *("--period", "week", "--start", "2026-10-17", "--end", "2026-10-24", "--format", "json"),
    )
    assert run.file.read_bytes() == expected
    rows = json.loads(expected)
    assert {r["period"] for r in rows} == {"2026-10-17"} and {r["partial"] for r in rows} == {False}


def test_monthly_html_in_persian_and_xlsx(
    configure: Callable[[str], Path], db: str, tmp_path: Path
) -> None:
    configure(f"""
[[schedules]]
name = "monthly"
kpis = {KPIS}
every = "monthly 1 07:00"
format = "html"
lang = "fa"
folder = "out"

[[schedules]]
name = "sheet"
kpis = {KPIS}
by = "team"
every = "monthly 1 07:00"
format = "xlsx"
folder = "out"
""")
    october_1 = dt.datetime(2026, 10, 1, 8, 0, tzinfo=TEHRAN)
    page = run_once(db, october_1, "monthly")
    assert page.ok and page.period == Period("month", dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    assert page.file is not None and page.file.name == "monthly-2026-09.html"
    text = page.file.read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in text and "monthly: 2026-09" in text
    assert get_kpi("csat").titles["fa"] in text and "2026-09" in text
    sheet = run_once(db, october_1, "sheet")
    assert sheet.file is not None and sheet.file.name == "sheet-2026-09.xlsx"
    kpis = ["-k", "first_reply_time", "-k", "csat", "-k", "tickets_created", "--by", "team"]
    cli_report(
        db,
        tmp_path / "cli.xlsx",
        *kpis,
        *("--period", "month", "--start", "2026-09-01", "--end", "2026-10-01", "--format", "xlsx"),
    )

    def cells(path: Path) -> list[tuple[object, ...]]:
        return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))

    assert cells(sheet.file) == cells(tmp_path / "cli.xlsx") and len(cells(sheet.file)) > 2


def test_the_webhook_receives_the_file(
    configure: Callable[[str], Path], db: str, tmp_path: Path, receiver: Receiver
) -> None:
    configure(f"""
[[schedules]]
name = "گزارش-روزانه"
kpis = {KPIS}
every = "daily 07:00"
webhook = "{receiver.url}/hooks/sanjeh?token=s3cret"
""")
    run = run_once(db, TUESDAY)
    assert run.ok and run.webhook_status == 200 and run.file is None
    (got,) = receiver.received
    assert got.path == "/hooks/sanjeh?token=s3cret"
    assert got.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert got.headers["X-Sanjeh-Period"] == "2026-10-19"
    assert "filename*=UTF-8''%DA%AF" in got.headers["Content-Disposition"]  # گ…
    expected = cli_report(
        db,
        tmp_path / "cli.csv",
        *("-k", "first_reply_time", "-k", "csat", "-k", "tickets_created"),
        *("--period", "day", "--start", "2026-10-19", "--end", "2026-10-20", "--format", "csv"),
    )
    assert got.body == expected


def test_a_failed_delivery_is_tried_again_and_not_lost(
    configure: Callable[[str], Path], db: str, tmp_path: Path, receiver: Receiver
) -> None:
    configure(f"""
[[schedules]]
name = "daily"
kpis = ["tickets_created"]
every = "daily 07:00"
folder = "out"
webhook = "{receiver.url}/hook?token=s3cret"
""")
    receiver.statuses = [503]
    first = run_once(db, TUESDAY)
    assert not first.ok and first.webhook_status == 503 and first.attempts == 1
    assert first.error == f"the webhook {receiver.url}/… answered 503"  # (no token in it)
    assert first.file == tmp_path / "out" / "daily-2026-10-19.csv" and first.file.exists()
    with Store.open(db) as store:
        (schedule,) = load_schedules()
        assert delivered(store, schedule) is None  # so it is still due
    later = TUESDAY + dt.timedelta(seconds=30)  # the next check
    second = run_once(db, later)
    assert second.ok and second.attempts == 2 and second.period == first.period
    assert [r.body for r in receiver.received] == [first.file.read_bytes()] * 2
    with Store.open(db) as store:
        last = delivered(store, schedule)
        assert last is not None and last.period == first.period and last.attempts == 2


def test_a_webhook_that_redirects_or_does_not_answer(
    configure: Callable[[str], Path], db: str, receiver: Receiver
) -> None:
    configure(f"""
[[schedules]]
name = "slow"
kpis = ["tickets_created"]
every = "daily 07:00"
webhook = "{receiver.url}/hook"
timeout = 0.5

[[schedules]]
name = "gone"
kpis = ["tickets_created"]
every = "daily 07:00"
webhook = "http://127.0.0.1:9/hook"
""")
    receiver.statuses = [302]
    moved = run_once(db, TUESDAY, "slow")
    assert not moved.ok and moved.error == f"the webhook {receiver.url}/… answered 302"
    assert [r.path for r in receiver.received] == ["/hook"]  # not followed with a GET
    receiver.delay = 2.0
    slow = run_once(db, TUESDAY, "slow")
    assert not slow.ok and slow.error == f"the webhook {receiver.url}/… did not answer within 0.5 s"
    gone = run_once(db, TUESDAY, "gone")
    assert not gone.ok and gone.error is not None
    assert gone.error.startswith("the webhook http://127.0.0.1:9/… could not be reached")


def test_sanjeh_report_schedule_runs_one_now(
    configure: Callable[[str], Path],
    db: str,
    tmp_path: Path,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure(f"""
[[schedules]]
name = "daily"
kpis = ["tickets_created"]
every = "daily 07:00"
folder = "out"

[[schedules]]
name = "refused"
kpis = ["tickets_created"]
every = "weekly sat 07:00"
webhook = "{receiver.url}/hook"
""")
    yesterday = dt.datetime.now(TEHRAN).date() - dt.timedelta(days=1)
    assert main(["report", "--schedule", "daily", "--db", db]) == 0
    assert (tmp_path / "out" / f"daily-{yesterday}.csv").exists()
    assert f"daily: 1 row for {yesterday} → {tmp_path / 'out'}" in capsys.readouterr().err
    receiver.statuses = [500]
    assert main(["report", "--schedule", "refused", "--db", db]) == 1
    assert f"the webhook {receiver.url}/… answered 500" in capsys.readouterr().err
    assert main(["report", "--schedules", "--format", "json", "--db", db]) == 0
    listed = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed["daily"]["last_delivered"] == str(yesterday)
    assert listed["daily"]["next_run"] != "now (due)"  # yesterday is delivered
    assert listed["refused"]["last_delivered"] is None
    assert listed["refused"]["last_failed"] == f"the webhook {receiver.url}/… answered 500"
    assert listed["refused"]["next_run"] == "now (due)"
    assert main(["report", "--schedule", "nightly", "--db", db]) == 1
    err = capsys.readouterr().err
    assert "no schedule 'nightly' in [[schedules]] (schedules: daily, refused)" in err


def test_a_folder_that_cannot_be_written(
    configure: Callable[[str], Path], db: str, tmp_path: Path
) -> None:
    configure("""
[[schedules]]
name = "daily"
kpis = ["tickets_created"]
every = "daily 07:00"
folder = "blocked"
""")
    (tmp_path / "blocked").write_text("a file where the folder should be", encoding="utf-8")
    run = run_once(db, TUESDAY)
    assert not run.ok and run.file is None and run.error is not None
    assert run.error.startswith("FileExistsError")
    (tmp_path / "blocked").unlink()  # fixed: the next check delivers
    again = run_once(db, TUESDAY + dt.timedelta(seconds=30))
    assert (
        again.ok
        and again.attempts == 2
        and again.file == tmp_path / "blocked" / "daily-2026-10-19.csv"
    )
