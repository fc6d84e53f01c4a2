"""The server runs due scheduled reports from its background loop: once per closed
period across restarts, one catch-up run after a pause, never holding up the loop."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from report._support import Receiver, make_demo, receiving, write_config
from sanjeh.errors import ConfigError
from sanjeh.metrics import MetricsConfig
from sanjeh.report import Period, load_schedules
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._scheduler import Scheduler
from sanjeh.web._server import Server
from sanjeh.web._source import Source

TEHRAN = ZoneInfo("Asia/Tehran")
#: Tuesday 20 October 2026, 07:30 in Tehran: the daily 07:00 run reports Monday the 19th
TUESDAY = dt.datetime(2026, 10, 20, 7, 30, tzinfo=TEHRAN)
WAIT = 60.0


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("scheduler-demo"), tickets=400)


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db, copy)
    return str(copy)


@pytest.fixture
def configure(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Path]:
    def write(schedules: str) -> Path:
        config = write_config(demo_db, tmp_path / "sanjeh.toml", schedules)
        monkeypatch.setenv("SANJEH_CONFIG", str(config))
        return config

    return write


DAILY = """
[[schedules]]
name = "daily"
kpis = ["tickets_created", "first_reply_time"]
every = "daily 07:00"
folder = "out"
"""


def scheduler_over(db: str) -> tuple[Store, Scheduler]:
    store = Store.open(db)
    source = Source(store, MetricsConfig.from_settings())
    return store, Scheduler(source, load_schedules(config=source.config))


def test_no_double_run_after_a_restart_and_one_catch_up(
    configure: Callable[[str], Path], db: str, tmp_path: Path
) -> None:
    configure(DAILY)
    store, scheduler = scheduler_over(db)
    with store:
        (run,) = scheduler.tick(TUESDAY)
        assert run.ok and run.period == Period("day", dt.date(2026, 10, 19), dt.date(2026, 10, 20))
        assert scheduler.tick(TUESDAY + dt.timedelta(hours=1)) == []
    # a restart: a new store connection, source and scheduler over the same file
    store, scheduler = scheduler_over(db)
    with store:
        assert scheduler.due_now(TUESDAY + dt.timedelta(hours=2)) == []
        assert scheduler.tick(TUESDAY + dt.timedelta(hours=2)) == []
        # down from Tuesday to Sunday morning: one run, for Saturday, not five
        sunday = dt.datetime(2026, 10, 25, 9, 0, tzinfo=TEHRAN)
        (late,) = scheduler.tick(sunday)
        assert late.ok and late.period.start == dt.date(2026, 10, 24)
        assert scheduler.tick(sunday) == []
        rows = store.table("report_runs").to_pyarrow().to_pylist()
    assert sorted(r["period"] for r in rows) == ["2026-10-19", "2026-10-24"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "daily-2026-10-19.csv",
        "daily-2026-10-24.csv",
    ]


def test_the_running_server_delivers_a_due_report(
    configure: Callable[[str], Path], db: str, tmp_path: Path
) -> None:
    """A real server (uvicorn) and its background loop: the report arrives in the
    folder and at a real local receiver, once, without anyone asking."""
    with receiving() as receiver:
        configure(DAILY + f'webhook = "{receiver.url}/in"\n')
        app = create_app(db, refresh_seconds=0.2, warm=False)
        scheduler: Scheduler = app.state.scheduler
        assert scheduler.check in app.state.source.periodic
        scheduler.clock = lambda: TUESDAY
        scheduler.check_seconds = 0.0
        file = tmp_path / "out" / "daily-2026-10-19.csv"
        with Server(app):
            deadline = time.monotonic() + WAIT
            while not receiver.received and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)  # a few more rounds of the loop: nothing runs twice
        assert len(receiver.received) == 1 and file.exists()
        assert receiver.received[0].body == file.read_bytes()
    with Store.open(db) as store:
        rows = store.table("report_runs").to_pyarrow().to_pylist()
    assert [(r["period"], r["status"], r["attempts"]) for r in rows] == [("2026-10-19", "ok", 1)]


def test_a_slow_webhook_does_not_hold_up_the_loop(
    configure: Callable[[str], Path], db: str
) -> None:
    with receiving() as receiver:
        receiver.delay = 2.0
        configure(DAILY + f'webhook = "{receiver.url}/in"\n')
        store, scheduler = scheduler_over(db)
        with store:
            scheduler.clock = lambda: TUESDAY
            scheduler.check_seconds = 0.0
            began = time.monotonic()
            scheduler.check()  # (what the refresh loop calls)
            assert time.monotonic() - began < 1.0  # the run goes on in its own thread
            scheduler.check()  # a round is still going: no second one
            scheduler.stop()
        assert len(receiver.received) == 1


def test_a_failed_run_is_tried_at_the_next_check(configure: Callable[[str], Path], db: str) -> None:
    receiver: Receiver
    with receiving() as receiver:
        receiver.statuses = [500]
        configure(DAILY + f'webhook = "{receiver.url}/in"\n')
        store, scheduler = scheduler_over(db)
        with store:
            (failed,) = scheduler.tick(TUESDAY)
            assert not failed.ok and failed.webhook_status == 500
            (retried,) = scheduler.tick(TUESDAY + dt.timedelta(seconds=30))
            assert retried.ok and retried.period == failed.period and retried.attempts == 2
            assert scheduler.tick(TUESDAY + dt.timedelta(seconds=60)) == []
        assert len(receiver.received) == 2


def test_a_mistake_in_the_schedules_stops_the_server_starting(
    configure: Callable[[str], Path], db: str
) -> None:
    configure('[[schedules]]\nname = "x"\nevery = "hourly"\nfolder = "out"\n')
    with pytest.raises(ConfigError, match=r"sanjeh.toml: \[\[schedules\]\] 'x': every must look"):
        create_app(db, warm=False)
