"""The alert worker beside page requests, on a real server (docs/scaling.md: at 10 M
tickets the server once logged "alert csat-below-target could not be evaluated", DuckDB
"Attempting to execute an unsuccessful or closed pending query result").

The worker reads the store's shared connection under its lock while requests compute
their pages; a page that queried that connection without the lock (the staffing
inputs: ``Store.table`` asks the catalog for the table's columns) closed the worker's
pending query, or the worker closed the page's. Here the worker evaluates the demo's
rule over and over while clients ask for staffing plans nobody asked for before (each
reads the store) and KPI pages: every evaluation must judge the rule as the first one,
made alone, did, and every page must answer.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanjeh.metrics import _compiled
from sanjeh.web import create_app
from sanjeh.web._server import Server

#: the demo's rule (sanjeh demo writes it to sanjeh.toml) with min_n 3, not 20: the test
#: store's teams get 4 to 10 answers a week
RULE = """
[[alerts]]
name = "csat-below-target"
kpi = "csat"
condition = "threshold"
below = 0.8
period = "week"
by = "team"
min_n = 3
"""
#: seconds the worker and the clients run side by side
SECONDS = 8.0
CLIENTS = 2


@pytest.fixture
def app(demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_path, db)
    (tmp_path / "sanjeh.toml").write_text(RULE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SANJEH_CONFIG", str(tmp_path / "sanjeh.toml"))
    yield create_app(str(db), refresh_seconds=3600, warm=False)


def verdicts(results: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.group, r.status, r.period_start, r.value, r.n, r.reason) for r in results]


def test_the_alert_worker_evaluates_beside_page_requests(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    watch, source = app.state.alerts, app.state.source
    with Server(app) as url:
        watch.stop()  # (the evaluation at startup first: alone, the reference)
        expected = verdicts(watch.evaluate())
        assert {s for _, s, *_ in expected} == {"fired", "ok"}  # (judged, not skipped)
        channels, teams = source.dims.channels, [None, *source.dims.teams]
        # staffing plans nobody asked for before: each reads the store for its workload
        workloads = itertools.cycle(
            {"channel": c, "interval": m, "weeks": w, **({"team": t} if t else {})}
            for w in (1, 2)
            for m in (15, 30, 60)
            for t in teams
            for c in channels
        )
        pages = ["/api/overview", "/api/agents"]
        answers: list[tuple[str, int]] = []
        stop = threading.Event()
        taking = threading.Lock()

        def client() -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                for i in itertools.count():
                    if stop.is_set():
                        return
                    with taking:
                        params = next(workloads)
                    if i % 4:
                        r = http.get("/api/staffing", params=params)
                    else:
                        r = http.get(pages[i // 4 % len(pages)])
                    answers.append((str(r.url), r.status_code))

        threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        rounds: list[list[tuple[Any, ...]]] = []
        deadline = time.monotonic() + SECONDS
        try:
            while time.monotonic() < deadline:
                # as after a rebuild of the facts: the queries compiled again, on the
                # shared connection, and the facts' as-of read again
                _compiled.forget(source.store)
                rounds.append(verdicts(watch.evaluate()))  # (what the worker thread runs)
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
        assert not any(t.is_alive() for t in threads), "a client hung"
    failed = [
        f"{r.getMessage()}: {r.exc_info[1] if r.exc_info else ''}"
        for r in caplog.records
        if "could not be evaluated" in r.getMessage()
    ]
    assert failed == [], f"{len(failed)} of {len(rounds)} evaluations failed: {failed[:1]}"
    assert len(rounds) >= 3 and all(found == expected for found in rounds)
    wrong = [a for a in answers if a[1] != 200]
    assert len(answers) >= 4 and wrong == [], wrong[:3]  # (the pages ran beside it)
