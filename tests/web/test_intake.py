"""The intake API (#18): POST /api/tickets, /api/events … validated like an import,
acknowledged once on disk, merged within a moment, idempotent, durable across a kill, and
only for managers and admins with a write token (or a login)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._intake import Intake, journal_folder
from sanjeh.web._server import Server
from sanjeh.web._source import Source

WAIT = 30.0  # seconds: far more than any step here needs
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _at(minutes: int = 0) -> str:
    return (NOW - dt.timedelta(hours=2) + dt.timedelta(minutes=minutes)).isoformat()


def _ticket(n: int | str, **more: Any) -> dict[str, Any]:
    return {"ticket_id": f"it-{n}", "created_at": _at(), "channel": "chat", **more}


class Site:
    """The app over a copy of the demo store, with a manager, an agent and their tokens."""

    def __init__(self, path: Path) -> None:
        with Store.open(str(path)) as store:
            accounts = Accounts(store, hasher=FAST)
            accounts.add_user(LOCAL_ADMIN, "boss", PASSWORD, "manager")
            accounts.add_user(LOCAL_ADMIN, "ali", PASSWORD, "agent", agent_id="demo:a-001")
            self.tokens = {
                "writer": accounts.issue_token(LOCAL_ADMIN, "boss", "helpdesk", write=True),
                "reader": accounts.issue_token(LOCAL_ADMIN, "boss", "bi"),
                "agent": accounts.issue_token(LOCAL_ADMIN, "ali", "laptop"),
            }
        self.path = path
        self.app = create_app(str(path), refresh_seconds=3600, warm=False)
        self.store: Store = self.app.state.source.store
        self.intake: Intake = self.app.state.intake

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        who: str = "writer",
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        **params: str,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if who:
            sent["Authorization"] = f"Bearer {self.tokens[who]}"

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                if content is not None:
                    return await c.post(path, content=content, headers=sent, params=params)
                return await c.post(path, json=body, headers=sent, params=params)

        return asyncio.run(go())

    def rows(self, table: str, column: str, prefix: str) -> list[dict[str, Any]]:
        assert self.intake.flush(WAIT)
        with self.store.lock:
            t = self.store.table(table)
            found = t.filter(t[column].startswith(prefix)).to_pyarrow().to_pylist()
        return sorted(found, key=lambda r: str(r[column]))

    def bookkeeping(self, table: str, batch_id: str) -> list[dict[str, Any]]:
        with self.store.lock:
            t = self.store.table(table)
            return t.filter(t.path.contains(batch_id)).to_pyarrow().to_pylist()


@pytest.fixture(scope="module")
def site(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("intake") / "intake.duckdb"
    shutil.copy(demo_path, path)
    found = Site(path)
    yield found
    found.intake.stop()
    found.app.state.source.stop()
    found.store.close()


def test_a_write_token_sends_and_others_are_refused(site: Site) -> None:
    body = [_ticket("auth-1")]
    reader = site.post("/api/tickets", body, who="reader")
    assert reader.status_code == 403
    assert "issue a token with --write" in reader.json()["error"]["message"]
    agent = site.post("/api/tickets", body, who="agent")
    assert agent.status_code == 403
    assert "only managers and admins may send data" in agent.json()["error"]["message"]
    nobody = site.post("/api/tickets", body, who="")
    assert nobody.status_code == 401
    assert site.rows("tickets", "ticket_id", "api:it-auth") == []
    writer = site.post("/api/tickets", body)
    assert writer.status_code == 202, writer.text
    assert writer.json()["accepted"] == 1 and writer.json()["rejected"] == []
    (row,) = site.rows("tickets", "ticket_id", "api:it-auth")
    assert (row["ticket_id"], row["source"], row["channel"]) == ("api:it-auth-1", "api", "chat")


def test_a_login_posts_with_its_csrf_token(site: Site) -> None:
    accounts: Accounts = site.app.state.accounts
    boss = accounts.user("boss").actor
    secret, csrf = accounts.start_session(boss)
    cookie = {"Cookie": f"sanjeh_session={secret}"}
    body = [_ticket("session-1")]
    refused = site.post("/api/tickets", body, who="", headers=cookie)
    assert refused.status_code == 403 and refused.json()["error"]["type"] == "csrf_failed"
    sent = site.post("/api/tickets", body, who="", headers={**cookie, "X-CSRF-Token": csrf})
    assert sent.status_code == 202, sent.text
    assert [r["ticket_id"] for r in site.rows("tickets", "ticket_id", "api:it-session")] == [
        "api:it-session-1"
    ]


def test_an_object_an_array_or_json_lines(site: Site) -> None:
    one = site.post("/api/customers", {"customer_id": "shape-1", "name": "مریم"}, source="shop")
    assert one.status_code == 202 and one.json()["accepted"] == 1
    many = site.post("/api/customers", [{"customer_id": f"shape-{n}"} for n in (2, 3)])
    assert many.json()["accepted"] == 2
    lines = b'{"customer_id": "shape-4"}\n\n{"customer_id": "shape-5", "plan": "gold"}\n'
    ndjson = site.post(
        "/api/customers", content=lines, headers={"Content-Type": "application/x-ndjson"}
    )
    assert ndjson.status_code == 202 and ndjson.json()["accepted"] == 2
    stored = site.rows("customers", "customer_id", "shop:shape") + site.rows(
        "customers", "customer_id", "api:shape"
    )
    assert [(r["customer_id"], r["name"]) for r in stored] == [
        ("shop:shape-1", "مریم"),
        ("api:shape-2", None),
        ("api:shape-3", None),
        ("api:shape-4", None),
        ("api:shape-5", None),
    ]


@pytest.mark.parametrize(
    ("content", "kind", "status", "message"),
    [
        (b'{"ticket_id": ', "application/json", 400, "the body is not valid JSON"),
        (b"[1, 2]", "application/json", 400, "record 1 is int, not a JSON object"),
        (b'"text"', "application/json", 400, "record 1 is str"),
        (b'{"a": 1}\n{"b": ', "application/x-ndjson", 400, "line 2 is not valid JSON"),
        (b"\xff\xfe", "application/json", 400, "not UTF-8"),
        (b"ticket_id=1", "application/x-www-form-urlencoded", 415, "send application/json"),
        (b"{}", "text/csv", 415, "the body is text/csv"),
        (b"[" * 100_000, "application/json", 400, "the body is"),
    ],
)
def test_bodies_that_are_refused_whole(
    site: Site, content: bytes, kind: str, status: int, message: str
) -> None:
    before = site.intake.waiting
    r = site.post("/api/tickets", content=content, headers={"Content-Type": kind})
    assert r.status_code == status, r.text
    assert message in r.json()["error"]["message"]
    assert site.intake.waiting == before


def test_a_body_over_the_limit_is_413_and_a_bad_source_400(site: Site) -> None:
    big = b"[" + b",".join([b'{"ticket_id": "x"}'] * 500_000) + b"]"  # 9.5 MB > 8 MB
    r = site.post("/api/tickets", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "too_large"
    bad = site.post("/api/tickets", [_ticket("src")], source="no spaces")
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_parameter"


def test_rejects_are_returned_and_kept_with_the_batch(site: Site) -> None:
    body = [
        _ticket("rej-1"),
        _ticket("rej-2", created_at="not a time"),
        {"ticket_id": "it-rej-3"},
        _ticket("rej-4", priority="whenever"),
        _ticket("rej-5", created_at="2199-01-01T00:00:00Z"),
    ]
    r = site.post("/api/tickets", body)
    assert r.status_code == 202
    receipt = r.json()
    assert receipt["accepted"] == 1
    rejected = [(x["row"], x["table"], x["field"]) for x in receipt["rejected"]]
    assert rejected == [
        (2, "tickets", "created_at"),
        (3, "tickets", "created_at"),
        (4, "tickets", "priority"),
        (5, "tickets", "created_at"),
    ]
    assert receipt["rejected"][1]["reason"] == "a value is required"
    assert receipt["rejected"][3]["reason"].startswith("is in the future")
    assert receipt["accepted"] + len(receipt["rejected"]) == len(body)
    assert [t["ticket_id"] for t in site.rows("tickets", "ticket_id", "api:it-rej")] == [
        "api:it-rej-1"
    ]
    batch = receipt["batch_id"]
    kept = site.bookkeeping("import_rejects", batch)
    assert sorted((k["row"], k["field"], k["path"]) for k in kept) == [
        (2, "created_at", f"intake:{batch}"),
        (3, "created_at", f"intake:{batch}"),
        (4, "priority", f"intake:{batch}"),
        (5, "created_at", f"intake:{batch}"),
    ]
    assert json.loads(next(k for k in kept if k["row"] == 4)["raw"])["priority"] == "whenever"
    (log,) = site.bookkeeping("import_log", batch)
    assert (log["format"], log["source"], log["rows_read"]) == ("api", "api", 5)
    assert (log["inserted"], log["rejected"]) == (1, 4)


def test_the_same_batch_twice_changes_nothing(site: Site) -> None:
    body = [
        _ticket("twice-1", subject="first"),
        _ticket("twice-2"),
        _ticket("twice-1", subject="second"),  # the last of a key wins, as in a file
    ]
    first = site.post("/api/tickets", body).json()
    stored = site.rows("tickets", "ticket_id", "api:it-twice")
    assert [(r["ticket_id"], r["subject"]) for r in stored] == [
        ("api:it-twice-1", "second"),
        ("api:it-twice-2", None),
    ]
    again = site.post("/api/tickets", body).json()
    assert again["accepted"] == first["accepted"] == 3
    assert site.rows("tickets", "ticket_id", "api:it-twice") == stored
    (log,) = site.bookkeeping("import_log", again["batch_id"])
    assert (log["inserted"], log["replaced"], log["unchanged"]) == (0, 0, 2)


def test_events_calls_and_surveys_go_to_their_tables(site: Site) -> None:
    site.post("/api/tickets", [_ticket("kinds")])
    event = {
        "event_id": "it-kinds-e1",
        "ticket_id": "it-kinds",
        "at": _at(5),
        "kind": "message",
        "actor_type": "customer",
        "body": "سلام، سفارشم نرسیده",
    }
    call = {"call_id": "it-kinds-c1", "started_at": _at(1), "outcome": "abandoned"}
    survey = {"response_id": "it-kinds-s1", "survey": "csat", "scale_min": 1, "scale_max": 5,
              "score": 5, "ticket_id": "it-kinds", "submitted_at": _at(30)}  # fmt: skip
    for path, body in (("events", event), ("calls", call), ("survey_responses", survey)):
        r = site.post(f"/api/{path}", body)
        assert r.status_code == 202 and r.json()["accepted"] == 1, r.text
    (stored,) = site.rows("events", "event_id", "api:it-kinds")
    assert (stored["ticket_id"], stored["body"]) == ("api:it-kinds", "سلام، سفارشم نرسیده")
    assert len(site.rows("calls", "call_id", "api:it-kinds")) == 1
    (answer,) = site.rows("survey_responses", "response_id", "api:it-kinds")
    assert answer["score"] == 5.0 and answer["ticket_id"] == "api:it-kinds"


def test_a_full_queue_answers_503_and_a_huge_batch_413(site: Site) -> None:
    saved = site.app.state.intake
    # nothing merges (never started): the queue fills
    site.app.state.intake = Intake(site.store, journal=None, queue_rows=3)
    try:
        assert (
            site.post("/api/tickets", [_ticket(f"full-{n}") for n in range(3)]).status_code == 202
        )
        full = site.post("/api/tickets", [_ticket("full-3")])
        assert full.status_code == 503 and full.headers["Retry-After"] == "1"
        assert "the intake queue is full (3 rows wait" in full.json()["error"]["message"]
        huge = site.post("/api/tickets", [_ticket(f"huge-{n}") for n in range(4)])
        assert huge.status_code == 413 and "at most 3 at a time" in huge.json()["error"]["message"]
        assert site.app.state.intake.flush(WAIT)  # (no writer: flush merges)
        again = site.post("/api/tickets", [_ticket("full-3")])
        assert again.status_code == 202
        assert site.app.state.intake.flush(WAIT)
    finally:
        site.app.state.intake = saved
    assert len(site.rows("tickets", "ticket_id", "api:it-full")) == 4


def test_many_at_once_are_taken_in_together_and_none_lost(site: Site) -> None:
    """Submissions from 12 threads at once: each gets its receipt, rows land once."""
    receipts: list[Any] = []
    errors: list[BaseException] = []

    def send(k: int) -> None:
        try:
            for n in range(10):
                records = {"tickets": [_ticket(f"many-{k}-{n}")]}
                receipts.append(site.intake.submit(records, source="api", origin="test"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r.batch_id for r in receipts}) == 120
    assert all(r.accepted == 1 and r.rejected == [] for r in receipts)
    assert len(site.rows("tickets", "ticket_id", "api:it-many")) == 120
    folder = journal_folder(site.store)
    assert folder is not None and list(folder.glob("*.jsonl")) == []  # all merged


def test_the_schema_documents_bodies_and_answers(site: Site) -> None:
    spec = site.app.openapi()
    for table in ("tickets", "events", "calls", "survey_responses", "customers"):
        post = spec["paths"][f"/api/{table}"]["post"]
        kinds = post["requestBody"]["content"]
        assert set(kinds) == {"application/json", "application/x-ndjson"}
        record = kinds["application/json"]["schema"]["anyOf"][0]
        assert "ticket_id" in record["properties"] or table != "tickets"
        assert {"202", "400", "401", "403", "413", "415", "503"} <= set(post["responses"])


# -- durability ------------------------------------------------------------------------------


def _count(path: Path, prefix: str) -> int:
    with Store.open(str(path)) as store:
        t = store.table("tickets")
        return int(t.filter(t.ticket_id.startswith(prefix)).count().execute())


def test_what_was_acknowledged_survives_a_stop_before_the_merge(tmp_path: Path) -> None:
    path = tmp_path / "stop.duckdb"
    folder = tmp_path / "stop.duckdb.intake"
    with Store.open(str(path)) as store:
        intake = Intake(store, journal=journal_folder(store))  # no writer: nothing merges
        receipt = intake.submit({"tickets": [_ticket("stop-1"), _ticket("stop-2")]},
                                source="api", origin="api")  # fmt: skip
        assert receipt.accepted == 2
        assert len(list(folder.glob("*.jsonl"))) == 1
        assert store.counts(["tickets"]) == {"tickets": 0}
    assert _count(path, "api:it-stop") == 0
    with Store.open(str(path)) as store:
        restarted = Intake(store, journal=journal_folder(store))
        restarted.start()  # the journal first
        try:
            assert store.counts(["tickets"]) == {"tickets": 2}
            assert list(folder.glob("*.jsonl")) == []
            (log,) = store.table("import_log").to_pyarrow().to_pylist()
            assert log["path"] == f"intake:{receipt.batch_id}" and log["inserted"] == 2
        finally:
            restarted.stop()


_KILLED = """
import os, sys
from sanjeh.store import Store
from sanjeh.web._intake import Intake, journal_folder
store = Store.open(sys.argv[1])
intake = Intake(store, journal=journal_folder(store))  # no writer
records = {"tickets": [{"ticket_id": "kill-1", "created_at": sys.argv[2]}],
           "events": [{"event_id": "kill-e1", "ticket_id": "kill-1", "at": sys.argv[2],
                       "kind": "created", "actor_type": "customer"}]}
receipt = intake.submit(records, source="api", origin="api")
print(receipt.batch_id, receipt.accepted, flush=True)
os._exit(9)  # killed: no merge, no clean-up, the store not closed
"""


def test_what_was_acknowledged_survives_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "killed.duckdb"
    Store.open(str(path)).close()
    done = subprocess.run(
        [sys.executable, "-c", _KILLED, str(path), _at()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 9, done.stderr
    batch_id, accepted = done.stdout.split()
    assert accepted == "2"
    with Store.open(str(path)) as store:
        assert store.counts(["tickets", "events"]) == {"tickets": 0, "events": 0}
        intake = Intake(store, journal=journal_folder(store))
        intake.start()
        intake.stop()
        assert store.counts(["tickets", "events"]) == {"tickets": 1, "events": 1}
        (log,) = store.table("import_log").to_pyarrow().to_pylist()
        assert log["path"] == f"intake:{batch_id}" and log["rows_read"] == 2


def test_the_intake_on_every_backend(store: Store, tmp_path: Path) -> None:
    """The library on DuckDB and PostgreSQL: merged, idempotent, journal emptied."""
    intake = Intake(store, journal=tmp_path / "journal")
    intake.start()
    try:
        records = {
            "customers": [{"customer_id": "c1"}],
            "tickets": [_ticket("pg", customer_id="c1")],
        }
        first = intake.submit(records, source="api", origin="api")
        assert first.accepted == 2 and intake.flush(WAIT)
        second = intake.submit(records, source="api", origin="api")
        assert second.accepted == 2 and intake.flush(WAIT)
    finally:
        intake.stop()
    assert store.counts(["customers", "tickets"]) == {"customers": 1, "tickets": 1}
    logs = {r["path"]: r for r in store.table("import_log").to_pyarrow().to_pylist()}
    assert logs[f"intake:{first.batch_id}"]["inserted"] == 2
    again = logs[f"intake:{second.batch_id}"]
    assert (again["inserted"], again["unchanged"]) == (0, 2)
    assert list((tmp_path / "journal").glob("*.jsonl")) == []


# -- a real server ----------------------------------------------------------------------------


def _created_today(client: httpx.Client, day: dt.date) -> float:
    r = client.get("/api/overview", params={"start": day, "end": day})
    assert r.status_code == 200, r.text[:300]
    return float(next(c["value"] or 0 for c in r.json()["cards"] if c["kpi"] == "tickets_created"))


def test_a_real_server_takes_events_and_the_dashboard_follows(
    demo_path: Path, tmp_path: Path
) -> None:
    """uvicorn over a copy of the demo store, facts refreshed only when woken (no timer):
    a ticket POSTed is in the store and counted on the overview within seconds."""
    path = tmp_path / "served.duckdb"
    shutil.copy(demo_path, path)
    with Store.open(str(path)) as store:
        token = Accounts(store, hasher=FAST)
        token.add_user(LOCAL_ADMIN, "boss", PASSWORD, "admin")
        secret = token.issue_token(LOCAL_ADMIN, "boss", "helpdesk", write=True)
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    source: Source = app.state.source
    day = source.dims.last_day
    headers = {"Authorization": f"Bearer {secret}"}
    with Server(app) as base, httpx.Client(base_url=base, headers=headers, timeout=WAIT) as c:
        before = _created_today(c, day)
        stamp = source.stamp
        at = dt.datetime.combine(day, dt.time(10), dt.UTC).isoformat()
        started = time.monotonic()
        r = c.post("/api/tickets", json={"ticket_id": "served-1", "created_at": at})
        acknowledged = time.monotonic() - started
        assert r.status_code == 202 and r.json()["accepted"] == 1, r.text
        deadline = time.monotonic() + WAIT
        while source.stamp == stamp:  # merged, then the facts refreshed on the wake
            assert time.monotonic() < deadline, "the dashboard never refreshed"
            time.sleep(0.05)
        assert _created_today(c, day) == before + 1
    assert acknowledged < 5  # (ack latency is measured in bench/, not asserted here)
    assert _count(path, "api:served-1") == 1


def test_a_batch_the_store_keeps_refusing_is_set_aside(tmp_path: Path) -> None:
    """The tickets table gone (as a broken store would have it): the batch of tickets
    fails, is tried alone three times and set aside in the journal's folder; the batch of
    customers after it goes in all the same."""
    path = tmp_path / "refusing.duckdb"
    with Store.open(str(path)) as store:
        intake = Intake(store, journal=journal_folder(store))  # no writer: flush merges
        tickets = intake.submit({"tickets": [_ticket("aside-1")]}, source="api", origin="api")
        customers = intake.submit({"customers": [{"customer_id": "aside-c"}]},
                                  source="api", origin="api")  # fmt: skip
        store.con.raw_sql('ALTER TABLE "tickets" RENAME TO "tickets_away"')
        try:
            assert intake.flush(WAIT)
        finally:
            store.con.raw_sql('ALTER TABLE "tickets_away" RENAME TO "tickets"')
        assert store.counts(["tickets", "customers"]) == {"tickets": 0, "customers": 1}
        folder = tmp_path / "refusing.duckdb.intake"
        assert list(folder.glob("*.jsonl")) == []
        (aside,) = folder.glob("*.failed")
        assert tickets.batch_id in aside.name and customers.batch_id not in aside.read_text()
        rows = [json.loads(line) for line in aside.read_text().splitlines()]
        assert rows[0]["batch_id"] == tickets.batch_id
        assert rows[1]["r"]["ticket_id"] == "api:it-aside-1"
