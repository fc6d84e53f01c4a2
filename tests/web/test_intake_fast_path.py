"""The intake's fast path (#18): ``POST /api/<table>`` skips FastAPI's routing, and
answers exactly what the route answers — the same checks, statuses, error shapes and
receipts — over a real server. Each request is sent twice: through the app as built
(``IntakeFastPath``) and through the same app without that middleware (the route)."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._intake import Intake
from sanjeh.web._intake_fast import IntakeFastPath
from sanjeh.web._intake_routes import INTAKE_TABLES
from sanjeh.web._server import Server

WAIT = 30.0
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
#: the headers that must agree too (the rest: date, length)
COMPARED = ("content-type", "retry-after", "www-authenticate", "content-security-policy")


def _ticket(n: int | str, **more: Any) -> dict[str, Any]:
    at = (NOW - dt.timedelta(hours=2)).isoformat()
    return {"ticket_id": f"fp-{n}", "created_at": at, "channel": "chat", **more}


class Site:
    """A real server over a copy of the demo store (a manager, an agent, their tokens),
    whose app answers through the fast path or, with :meth:`via`, through the route."""

    def __init__(self, path: Path) -> None:
        with Store.open(str(path)) as store:
            accounts = Accounts(store, hasher=FAST)
            accounts.add_user(LOCAL_ADMIN, "boss", "correct horse battery", "manager")
            accounts.add_user(
                LOCAL_ADMIN, "ali", "correct horse battery", "agent", agent_id="demo:a-001"
            )
            self.tokens = {
                "writer": accounts.issue_token(LOCAL_ADMIN, "boss", "helpdesk", write=True),
                "reader": accounts.issue_token(LOCAL_ADMIN, "boss", "bi"),
                "agent": accounts.issue_token(LOCAL_ADMIN, "ali", "laptop"),
            }
        self.app = create_app(str(path), refresh_seconds=3600, warm=False)
        self.store: Store = self.app.state.source.store
        self.intake: Intake = self.app.state.intake
        self.fast = self.app.build_middleware_stack()
        kept = self.app.user_middleware
        self.app.user_middleware = [m for m in kept if m.cls is not IntakeFastPath]
        self.route = self.app.build_middleware_stack()
        self.app.user_middleware = kept
        assert any(m.cls is IntakeFastPath for m in kept)

    def via(self, stack: str) -> None:
        self.app.middleware_stack = self.fast if stack == "fast" else self.route

    def rows(self, prefix: str) -> list[dict[str, Any]]:
        assert self.intake.flush(WAIT)
        with self.store.lock:
            t = self.store.table("tickets")
            return t.filter(t.ticket_id.startswith(prefix)).to_pyarrow().to_pylist()


@pytest.fixture(scope="module")
def site(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("fast") / "fast.duckdb"
    shutil.copy(demo_path, path)
    found = Site(path)
    with Server(found.app) as base:
        found.base = base  # type: ignore[attr-defined]
        yield found
    found.store.close()


def _post(site: Site, stack: str, path: str, **kw: Any) -> httpx.Response:
    site.via(stack)
    try:
        with httpx.Client(base_url=site.base, timeout=WAIT) as c:  # type: ignore[attr-defined]
            return c.post(path, **kw)
    finally:
        site.via("fast")


def _same(site: Site, path: str, *, who: str = "writer", **kw: Any) -> httpx.Response:
    """POST through the route, then the fast path: the same answer (but the batch id)."""
    headers = dict(kw.pop("headers", {}))
    if who:
        headers["Authorization"] = f"Bearer {site.tokens[who]}"
    route = _post(site, "route", path, headers=headers, **kw)
    fast = _post(site, "fast", path, headers=headers, **kw)
    assert fast.status_code == route.status_code, (fast.text, route.text)
    assert [fast.headers.get(h) for h in COMPARED] == [route.headers.get(h) for h in COMPARED]
    if "json" not in (fast.headers.get("content-type") or ""):  # (a redirect)
        assert (fast.text, fast.headers.get("location")) == (
            route.text,
            route.headers.get("location"),
        )
        return fast
    mine, theirs = fast.json(), route.json()
    if "batch_id" in mine:
        assert mine.pop("batch_id").startswith("in-") and theirs.pop("batch_id")
    assert mine == theirs
    return fast


def test_accepted_records_and_a_replay(site: Site) -> None:
    body = [_ticket("ok-1"), _ticket("ok-2", subject="سلام")]
    r = _same(site, "/api/tickets", json=body)
    assert r.status_code == 202 and r.json()["accepted"] == 2 and r.json()["rejected"] == []
    stored = site.rows("api:fp-ok")
    assert sorted(t["ticket_id"] for t in stored) == ["api:fp-ok-1", "api:fp-ok-2"]
    again = _same(site, "/api/tickets", json=body)  # (three times in all: nothing changes)
    assert again.json()["accepted"] == 2
    assert sorted(map(str, site.rows("api:fp-ok"))) == sorted(map(str, stored))


def test_every_intake_table_and_json_lines(site: Site) -> None:
    lines = b'{"customer_id": "fp-c1"}\n\n{"customer_id": "fp-c2", "plan": "gold"}\n'
    r = _same(
        site,
        "/api/customers",
        content=lines,
        headers={"Content-Type": "application/x-ndjson"},
        params={"source": "shop"},
    )
    assert r.json()["accepted"] == 2
    call = {"call_id": "fp-call", "started_at": NOW.isoformat(), "outcome": "abandoned"}
    assert _same(site, "/api/calls", json=call).json()["accepted"] == 1
    for table in INTAKE_TABLES:  # (an empty array: nothing to take in, still a receipt)
        assert _same(site, f"/api/{table}", json=[]).json()["accepted"] == 0


def test_rejected_records_with_their_reasons(site: Site) -> None:
    body = [_ticket("rej-1"), _ticket("rej-2", created_at="not a time"), {"ticket_id": "x"}]
    r = _same(site, "/api/tickets", json=body)
    assert r.status_code == 202 and r.json()["accepted"] == 1
    assert [(x["row"], x["field"]) for x in r.json()["rejected"]] == [
        (2, "created_at"),
        (3, "created_at"),
    ]


@pytest.mark.parametrize(
    ("who", "status", "message"),
    [
        ("reader", 403, "issue a token with --write"),
        ("agent", 403, "only managers and admins may send data"),
        ("", 401, "not logged in"),
    ],
)
def test_who_may_send(site: Site, who: str, status: int, message: str) -> None:
    r = _same(site, "/api/events", who=who, json=[_ticket("who")])
    assert r.status_code == status and message in r.json()["error"]["message"]


def test_a_bad_token_and_a_session_without_its_csrf_token(site: Site) -> None:
    bad = _same(site, "/api/tickets", who="", headers={"Authorization": "Bearer sjh_nope"})
    assert bad.status_code == 401
    accounts: Accounts = site.app.state.accounts
    secret, csrf = accounts.start_session(accounts.user("boss").actor)
    cookie = {"Cookie": f"sanjeh_session={secret}"}
    refused = _same(site, "/api/tickets", who="", headers=cookie, json=[_ticket("s-1")])
    assert refused.status_code == 403 and refused.json()["error"]["type"] == "csrf_failed"
    sent = _same(
        site, "/api/tickets", who="", headers={**cookie, "X-CSRF-Token": csrf}, json=[_ticket("s")]
    )
    assert sent.status_code == 202


@pytest.mark.parametrize(
    ("content", "kind", "params", "status", "code"),
    [
        (b"[" + b'{"ticket_id": "x"},' * 500_000 + b"{}]", "application/json", {}, 413, ""),
        (b"{}", "text/csv", {}, 415, "unsupported_media_type"),
        (b"ticket_id=1", "application/x-www-form-urlencoded", {}, 415, ""),
        (b"ticket_id=\x01", "application/x-www-form-urlencoded", {}, 400, "invalid_parameter"),
        (b"[]", "application/json", {"source": "no spaces"}, 400, "invalid_parameter"),
        (b"[]", "application/json", {"source": ""}, 400, "invalid_parameter"),
        (b"[]", "application/json", {"source": "a\x00b"}, 400, "invalid_parameter"),
        (b"[]", "application/json", {"other": "\x1b[31m"}, 400, "invalid_parameter"),
        (b'{"ticket_id": ', "application/json", {}, 400, "invalid_parameter"),
        (b"[1]", "application/json", {}, 400, "invalid_parameter"),
        (b"\xff\xfe", "application/json", {}, 400, "invalid_parameter"),
    ],
)
def test_refusals(
    site: Site, content: bytes, kind: str, params: dict[str, str], status: int, code: str
) -> None:
    assert site.intake.flush(WAIT)  # (what earlier tests sent: merged)
    r = _same(site, "/api/tickets", content=content, headers={"Content-Type": kind}, params=params)
    assert r.status_code == status
    assert r.json()["error"]["type"] == (code or r.json()["error"]["type"])
    assert site.intake.waiting == 0  # nothing kept


def test_a_full_queue_and_a_huge_batch(site: Site) -> None:
    saved = site.app.state.intake
    site.app.state.intake = Intake(site.store, journal=None, queue_rows=3)
    try:
        auth = {"Authorization": f"Bearer {site.tokens['writer']}"}
        three = [_ticket("full-1")] * 3
        assert _post(site, "fast", "/api/tickets", json=three, headers=auth).status_code == 202
        full = _same(site, "/api/tickets", json=[_ticket("full-2")])
        assert full.status_code == 503 and full.headers["Retry-After"] == "1"
        huge = _same(site, "/api/tickets", json=[_ticket(n) for n in range(4)])
        assert huge.status_code == 413
        assert site.app.state.intake.flush(WAIT)
    finally:
        site.app.state.intake = saved


def test_the_fast_path_answers_without_the_routes_and_leaves_other_posts_alone(
    site: Site,
) -> None:
    """Without the intake's routes, only the fast path can take records in; every other
    POST (a table that is not the intake's, a trailing slash, an unknown path) is the
    router's, as before."""
    headers = {"Authorization": f"Bearer {site.tokens['writer']}"}
    routes = list(site.app.router.routes)
    site.app.router.routes[:] = [r for r in routes if getattr(r, "name", "") != "intake_events"]
    try:
        event = {"event_id": "fp-e1", "ticket_id": "fp-ok-1", "at": NOW.isoformat(),
                 "kind": "message", "actor_type": "customer"}  # fmt: skip
        fast = _post(site, "fast", "/api/events", json=event, headers=headers)
        assert fast.status_code == 202 and fast.json()["accepted"] == 1
        route = _post(site, "route", "/api/events", json=event, headers=headers)
        assert route.status_code in (404, 405)
    finally:
        site.app.router.routes[:] = routes
    for path in ("/api/import_log", "/api/tickets/", "/api/ticketsx", "/api/nowhere"):
        other = _same(site, path, json=[_ticket("other")])
        assert other.status_code in (307, 404, 405), (path, other.status_code)
    unauthenticated = _same(site, "/api/nowhere", who="", json={})
    assert unauthenticated.status_code == 401


def test_waiting_coroutines_hold_no_thread(site: Site) -> None:
    """200 submissions awaited at once in one event loop, and 4 threads submitting
    meanwhile: every one gets its own receipt, every row lands once."""
    intake = site.intake
    before = threading.active_count()
    counted: list[int] = []

    async def many() -> list[Any]:
        async def one(n: int) -> Any:
            return await intake.submit_async(
                {"tickets": [_ticket(f"co-{n}")]}, source="api", origin="test"
            )

        tasks = [asyncio.create_task(one(n)) for n in range(200)]
        await asyncio.sleep(0)
        counted.append(threading.active_count())
        return await asyncio.gather(*tasks)

    def sync(k: int) -> None:
        for n in range(5):
            intake.submit({"tickets": [_ticket(f"th-{k}-{n}")]}, source="api", origin="test")

    threads = [threading.Thread(target=sync, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    receipts = asyncio.run(many())
    for t in threads:
        t.join(WAIT)
    assert len({r.batch_id for r in receipts}) == 200
    assert all(r.accepted == 1 for r in receipts)
    assert counted[0] <= before + len(threads) + 1  # (+ the door's thread, not 200)
    assert len(site.rows("api:fp-co-")) == 200 and len(site.rows("api:fp-th-")) == 20
