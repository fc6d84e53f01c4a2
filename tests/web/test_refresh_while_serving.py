"""A running dashboard keeps answering from the previous facts while new ones are built
(#23: on PostgreSQL a request waited 94 s for a refresh after an import).

A real uvicorn server over a real store; rows are imported through a store of their
own (another connection, as another process would); the requests ask for ranges no
request asked for before, so they compute. During the rebuild they answer with the
previous facts, without waiting for it; afterwards the new facts are served.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pgsupport import PgDatabases
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

WAIT = 60  # seconds: far more than any step here needs


class Dashboard:
    """The app over ``url`` in a real server, and ``created(days)``: the overview's
    tickets created over the ``days`` days up to the data's last day."""

    def __init__(self, base: str, app: Any) -> None:
        self.client = httpx.Client(base_url=base, timeout=WAIT)
        self.source = app.state.source
        self.last = self.source.dims.last_day

    def created(self, days: int) -> float:
        start = self.last - dt.timedelta(days=days - 1)
        r = self.client.get("/api/overview", params={"start": start, "end": self.last})
        assert r.status_code == 200, r.text[:300]
        return float(next(c["value"] for c in r.json()["cards"] if c["kpi"] == "tickets_created"))


def import_rows(url: str, last: dt.date) -> None:
    """One new ticket on the last day (a number that changes) and a renamed team (the
    facts are rebuilt whole), merged through a store of their own."""
    with Store.open(url) as writer:
        tickets = writer.table("tickets")
        ticket = tickets.order_by(tickets.ticket_id).limit(1).to_pyarrow().to_pylist()[0]
        team = writer.table("teams").order_by("team_id").limit(1).to_pyarrow().to_pylist()[0]
        at = dt.datetime.combine(last, dt.time(9), dt.UTC)
        new = {"ticket_id": "demo:while-serving", "created_at": at, "updated_at": at}
        writer.write("tickets", [{**ticket, **new, "status": "open", "solved_at": None}])
        writer.write("teams", [{**team, "name": f"{team['name']} (renamed)"}])


@pytest.fixture
def pg_url() -> Iterator[str]:
    pg = PgDatabases()
    url = pg.create()
    try:
        with Store.open(url) as store:
            generate(store, tickets=200, seed=11)
        yield url
    finally:
        pg.drop(url)


@pytest.mark.postgres
def test_postgres_requests_answer_while_the_rebuild_waits(pg_url: str) -> None:
    """The rebuild is held up deterministically: another connection locks ``calls``,
    which the build reads and the overview does not. Before the change, the refresh
    held the one connection every request needs, for as long as it took."""
    import psycopg

    app = create_app(pg_url, refresh_seconds=0.2, warm=False)  # the background loop
    with Server(app) as base:
        dash = Dashboard(base, app)
        dash.created(60)  # (the first request compiles the page's shapes)
        with psycopg.connect(pg_url.replace("postgresql", "postgres", 1)) as locker:
            locker.execute("LOCK TABLE calls IN ACCESS EXCLUSIVE MODE")  # until rollback
            import_rows(pg_url, dash.last)

            def builders_waiting() -> int:
                with psycopg.connect(pg_url.replace("postgresql", "postgres", 1)) as probe:
                    row = probe.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND wait_event_type = 'Lock'"
                    ).fetchone()
                return int(row[0]) if row else 0

            deadline = time.monotonic() + WAIT
            while not builders_waiting():  # the loop saw the import and is building
                assert time.monotonic() < deadline, "the refresh never started"
                time.sleep(0.05)
            started = time.monotonic()
            during = {days: dash.created(days) for days in (7, 14, 21)}
            answered = time.monotonic() - started
            assert builders_waiting() == 1  # the build is still where it was
            locker.rollback()
        after = _new_numbers(dash, during)
    assert after == {days: value + 1 for days, value in during.items()}
    assert answered < WAIT / 2


def test_duckdb_requests_answer_during_a_rebuild(demo_path: Path, tmp_path: Path) -> None:
    """DuckDB: the rebuild (a few seconds over the 3,000 demo tickets) runs in a thread;
    requests that start and end while it runs count the previous facts."""
    path = tmp_path / "serving.duckdb"
    shutil.copy(demo_path, path)
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    with Server(app) as base:
        dash = Dashboard(base, app)
        dash.created(60)
        import_rows(str(path), dash.last)
        refresh = threading.Thread(target=dash.source.refresh)
        refresh.start()
        during: dict[int, float] = {}
        waits: list[float] = []
        days = 6
        while refresh.is_alive() and days < 90:
            days += 1
            sent = time.monotonic()
            value = dash.created(days)
            if refresh.is_alive():  # asked and answered while the rebuild ran
                during[days] = value
                waits.append(time.monotonic() - sent)
        refresh.join(WAIT)
        assert during, "no request was answered while the facts were rebuilt"
        after = _new_numbers(dash, during)
    assert after == {days: value + 1 for days, value in during.items()}
    assert max(waits) < WAIT / 4


def _new_numbers(dash: Dashboard, during: dict[int, float]) -> dict[int, float]:
    """The same ranges once the new facts are served (polls: the swap comes when the
    build is done; on a machine busy with other tests a PostgreSQL build of the whole
    facts can take over a minute: this checks that they come, not how fast)."""
    deadline = time.monotonic() + 3 * WAIT
    first = min(during)
    while dash.created(first) == during[first]:
        assert time.monotonic() < deadline, "the new facts were never served"
        time.sleep(0.2)
    return {days: dash.created(days) for days in during}
