"""A real server (uvicorn) evaluates the ``[[alerts]]`` rules at startup and after each
data refresh: tickets sent to its intake API make a rule fire, and a real local HTTP
receiver gets the webhook POST once — across further refreshes and a restart — and
again after it failed (retried at the next evaluation)."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from report._support import Receiver, make_demo, receiving, write_config
from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.insights import alert_events
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

WAIT = 60.0
RULE = """
[[alerts]]
name = "outage"
kpi = "tickets_created"
condition = "threshold"
period = "day"
filters = {{ tag = "outage" }}
above = 2
lang = "fa"
webhook = "{url}/hook"
"""


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo up to 31 October 2026 (Tehran), with a manager's write token."""
    db = make_demo(tmp_path_factory.mktemp("alerts-demo"), tickets=300)
    with Store.open(str(db)) as store:
        fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        accounts = Accounts(store, hasher=fast)
        accounts.add_user(LOCAL_ADMIN, "boss", "correct horse battery", "manager")
        token = accounts.issue_token(LOCAL_ADMIN, "boss", "helpdesk", write=True)
    (db.parent / "token").write_text(token)
    return db


@pytest.fixture
def served(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Receiver], tuple[str, dict[str, str]]]]:
    copy = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db, copy)
    headers = {"Authorization": f"Bearer {(demo_db.parent / 'token').read_text()}"}

    def configure(receiver: Receiver) -> tuple[str, dict[str, str]]:
        config = write_config(demo_db, tmp_path / "sanjeh.toml", RULE.format(url=receiver.url))
        monkeypatch.setenv("SANJEH_CONFIG", str(config))
        return str(copy), headers

    yield configure


def tickets(*rows: tuple[str, str, bool]) -> list[dict[str, Any]]:
    return [
        {"ticket_id": tid, "created_at": at, "channel": "chat", "tags": ["outage"] if tag else []}
        for tid, at, tag in rows
    ]


#: three outage tickets on 1 November (Tehran), and one on the 2nd that closes the 1st
OUTAGE = tickets(
    ("o-1", "2026-11-01T07:00:00Z", True),
    ("o-2", "2026-11-01T08:00:00Z", True),
    ("o-3", "2026-11-01T09:00:00Z", True),
    ("n-1", "2026-11-02T06:00:00Z", False),
)


def wait_for(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT:g} s for {what}")
        time.sleep(0.1)


def evaluations(app: Any) -> Callable[[int], bool]:
    """``after(n)``: the server has evaluated the rules n times since this call."""
    watch = app.state.alerts
    seen: list[object] = []
    original = watch.evaluate

    def counting() -> Any:
        found = original()
        seen.append(watch.evaluated_at)
        return found

    watch.evaluate = counting
    return lambda n: len(seen) >= n


def test_the_server_fires_an_alert_after_an_import_once(served: Any) -> None:
    with receiving() as receiver:
        db, headers = served(receiver)
        app = create_app(db, refresh_seconds=0.2, warm=False)
        after = evaluations(app)
        with Server(app) as url:
            wait_for(lambda: after(1), "the evaluation at startup")
            (first,) = app.state.alerts.results
            assert not first.fired and receiver.received == []  # no outage tags yet
            sent = httpx.post(f"{url}/api/tickets", json=OUTAGE, headers=headers, timeout=30)
            assert sent.status_code == 202, sent.text
            wait_for(lambda: bool(receiver.received), "the webhook POST")
            # another refresh (new data) and its evaluation: the alert does not fire again
            more = tickets(("n-2", "2026-11-02T07:00:00Z", False))
            assert httpx.post(f"{url}/api/tickets", json=more, headers=headers).status_code == 202
            wait_for(lambda: after(3), "the evaluation after the second import")
            page = httpx.get(f"{url}/api/alerts", headers=headers).json()
        (post,) = receiver.received
        body = json.loads(post.body)
        assert post.path == "/hook" and post.headers["Content-Type"] == "application/json"
        assert {k: body[k] for k in ("rule", "kpi", "period", "group", "value", "bound")} == {
            "rule": "outage",
            "kpi": "tickets_created",
            "period": "2026-11-01",
            "group": "all",
            "value": 3.0,
            "bound": 2.0,
        }
        assert body["condition"] == "threshold" and body["direction"] == "above"
        assert (
            body["message"] == "تیکت‌های ایجادشده (همه)، روز ۱۰ آبان ۱۴۰۵: ۳ — بالاتر از آستانهٔ ۲."
        )
        (fired,) = page["fired"]
        assert fired["alert_id"] == "outage/day:2026-11-01/all" and fired["delivery"] == "delivered"
        # a restart evaluates at startup again: the alert is already delivered
        app = create_app(db, refresh_seconds=0.2, warm=False)
        after = evaluations(app)
        with Server(app):
            wait_for(lambda: after(1), "the evaluation at the restart")
            (again,) = app.state.alerts.results
        assert again.fired and not again.new and len(receiver.received) == 1


def test_a_failing_receiver_gets_the_alert_at_the_next_evaluation(served: Any) -> None:
    with receiving() as receiver:
        receiver.statuses = [500]
        db, headers = served(receiver)
        app = create_app(db, refresh_seconds=0.2, warm=False)
        after = evaluations(app)
        with Server(app) as url:
            wait_for(lambda: after(1), "the evaluation at startup")
            assert httpx.post(f"{url}/api/tickets", json=OUTAGE, headers=headers).status_code == 202
            wait_for(lambda: bool(receiver.received), "the first webhook POST")
            wait_for(lambda: after(2), "the evaluation after the import")
            (failed,) = app.state.alerts.results
            assert failed.event is not None and failed.event.delivery == "failed"
            assert failed.event.webhook_status == 500
            more = tickets(("n-2", "2026-11-02T07:00:00Z", False))
            assert httpx.post(f"{url}/api/tickets", json=more, headers=headers).status_code == 202
            wait_for(lambda: len(receiver.received) == 2, "the retried POST")
            wait_for(lambda: after(3), "the evaluation that retried")
        first, second = (json.loads(r.body) for r in receiver.received)
        assert first == second and first["alert_id"] == "outage/day:2026-11-01/all"
    with Store.open(db) as store:
        (event,) = alert_events(store)
    assert (event.delivery, event.attempts, event.webhook_status) == ("delivered", 2, 200)
