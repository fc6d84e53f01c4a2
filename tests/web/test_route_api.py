"""``POST /api/route`` and the routing page (#17, item 4): a valid ticket gets up to three
agents who are neither bots nor gone, with reasons; bad fields, a body that is not a
JSON object, an oversize body get a 4xx in the one error shape; only admins, managers
and reviewers may ask (401 without a login, 403 for an agent); the page and its twin in
fa / ar / en.

A demo store of its own with users; requests through httpx's ASGI transport with an API
token (or a session and its CSRF token), as an integration and a browser would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web.insights.routing import MAX_BODY

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
ROLES = ("admin", "manager", "reviewer", "agent")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("route") / "route.duckdb"
    tokens = {}
    with Store.open(str(path)) as store:
        generate(store, tickets=1500, seed=5, transcripts=False)
        accounts = Accounts(store, hasher=FAST)
        for role in ROLES:
            agent = "demo:a-001" if role == "agent" else None
            accounts.add_user(LOCAL_ADMIN, role, PASSWORD, role, role.title(), agent)
            tokens[role] = accounts.issue_token(LOCAL_ADMIN, role, "routing")
    return path, tokens


@pytest.fixture(scope="module")
def app(setup: tuple[Path, dict[str, str]]) -> Iterator[Any]:
    application = create_app(str(setup[0]), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    yield application
    application.state.intake.stop()
    application.state.source.stop()
    application.state.source.store.close()


def call(app: Any, method: str, url: str, headers: dict[str, str] | None = None, **kw: Any):
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, url, headers=headers or {}, **kw)

    return asyncio.run(go())


def as_role(app: Any, setup: tuple[Path, dict[str, str]], role: str):
    auth = {"Authorization": f"Bearer {setup[1][role]}"}

    def send(method: str, url: str, headers: dict[str, str] | None = None, **kw: Any):
        return call(app, method, url, {**auth, **(headers or {})}, **kw)

    return send


def agents_table(app: Any) -> dict[str, dict[str, Any]]:
    source = app.state.source
    with source.db_lock:
        frame = source.store.table("agents").to_pandas()
    return {str(r.agent_id): r._asdict() for r in frame.itertuples()}


def assert_error(r: httpx.Response, status: int, kind: str, *words: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    assert body["error"]["type"] == kind
    for word in words:
        assert word in body["error"]["message"], body


def test_a_ticket_gets_three_agents_who_are_here_with_reasons(app: Any, setup: Any) -> None:
    manager = as_role(app, setup, "manager")
    ticket = {"category": "refund", "language": "fa", "channel": "chat", "priority": "high"}
    r = manager("POST", "/api/route", json=ticket)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["asked"] == {"category": "refund", "language": "fa", "channel": "chat"}
    assert body["category_from"] == "given"
    assert 1 <= len(body["agents"]) <= 3
    scores = [a["score"] for a in body["agents"]]
    assert scores == sorted(scores, reverse=True)
    agents = agents_table(app)
    for a in body["agents"]:
        row = agents[a["agent_id"]]
        assert not row["is_bot"]
        assert row["left_at"] is None or row["left_at"] != row["left_at"]  # (NaT)
        assert a["reason"] and a["outcome"] in ("fcr", "csat", "reopen", "resolution")
        assert "vs team" in a["reason"] or "vs all agents" in a["reason"]
    # the kind used is one the ticket matches, and a coarser one says why
    for dim, value in body["kind"].items():
        assert ticket[dim] == value
    if body["level"] != ["category", "language", "channel"]:
        assert body["fallback"].startswith("fewer than 3 agents")


def test_only_a_team_and_the_category_from_the_text(app: Any, setup: Any) -> None:
    api = as_role(app, setup, "reviewer")
    agents = agents_table(app)
    team = next(row["team_id"] for row in agents.values() if not row["is_bot"])
    r = api("POST", "/api/route", json={"language": "en", "channel": "email", "team": team})
    assert r.status_code == 200, r.text
    assert {agents[a["agent_id"]]["team_id"] for a in r.json()["agents"]} <= {team}
    r = api("POST", "/api/route", json={"text": "I was charged twice, please refund me"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["category_from"] == "text" and body["asked"]["category"] == "billing"
    assert body["asked"]["language"] == "en"
    # a team nobody is in: no agents, and the answer says so (not an error)
    r = api("POST", "/api/route", json={"category": "refund", "team": "demo:nobody"})
    assert r.status_code == 200 and r.json()["agents"] == []
    assert "team demo:nobody" in r.json()["fallback"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "refund", "colour": "red"}, "colour"),  # extra="forbid"
        ({"channel": "pigeon"}, "channel"),
        ({"priority": "whenever"}, "priority"),
        ({"language": "Persian!"}, "language"),
        ({"category": ""}, "category"),
        ({"category": "a\u0000b"}, "category"),
        ({"top": 50}, "top"),
        ({"text": "x" * 10_001}, "text"),
        ({"top": True}, "top"),  # (strict: a boolean is no number)
    ],
)
def test_bad_fields_are_400_naming_the_field(app: Any, setup: Any, body: Any, field: str) -> None:
    r = as_role(app, setup, "admin")("POST", "/api/route", json=body)
    assert_error(r, 400, "invalid_parameter", field)


def test_bodies_that_are_not_one_json_object(app: Any, setup: Any) -> None:
    api = as_role(app, setup, "admin")
    assert_error(api("POST", "/api/route", content=b"{not json"), 400, "invalid_parameter", "JSON")
    assert_error(api("POST", "/api/route", json=[{"category": "refund"}]), 400, "invalid_parameter")
    r = api(
        "POST", "/api/route", content=b"category=refund", headers={"Content-Type": "text/plain"}
    )
    assert_error(r, 415, "unsupported_media_type")
    huge = b'{"text": "' + b"a" * MAX_BODY + b'"}'
    assert_error(api("POST", "/api/route", content=huge), 413, "too_large", str(MAX_BODY))


def test_who_may_ask(app: Any, setup: Any) -> None:
    ticket = {"category": "refund"}
    for path in ("/api/insights/routing",):
        assert_error(call(app, "GET", path), 401, "not_authenticated")
    assert_error(call(app, "POST", "/api/route", json=ticket), 401, "not_authenticated")
    agent = as_role(app, setup, "agent")
    assert_error(agent("POST", "/api/route", json=ticket), 403, "permission_denied")
    assert_error(agent("GET", "/api/insights/routing"), 403, "permission_denied")
    assert agent("GET", "/insights/routing").status_code == 403
    for role in ("admin", "manager", "reviewer"):  # a read-only token is enough
        assert as_role(app, setup, role)("POST", "/api/route", json=ticket).status_code == 200


def test_a_session_posts_with_its_csrf_token(app: Any) -> None:
    async def go() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            form = (await client.get("/login")).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token is not None
            data = {"username": "manager", "password": PASSWORD, "csrf_token": token.group(1)}
            assert (await client.post("/login", data=data)).status_code == 303
            page = (await client.get("/insights/routing")).text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert csrf is not None
            without = await client.post("/api/route", json={"category": "refund"})
            headers = {"X-CSRF-Token": csrf.group(1)}
            with_token = await client.post(
                "/api/route", json={"category": "refund"}, headers=headers
            )
            return without.status_code, with_token.status_code

    assert asyncio.run(go()) == (403, 200)


@pytest.mark.parametrize(("lang", "rtl", "title"), [
    ("fa", True, "پیشنهاد مسیردهی"),
    ("ar", True, "توصيات التوجيه"),
    ("en", False, "Routing recommendations"),
])  # fmt: skip
def test_the_page_and_its_twin(app: Any, setup: Any, lang: str, rtl: bool, title: str) -> None:
    api = as_role(app, setup, "manager")
    twin = api("GET", "/api/insights/routing", params={"by": "category", "lang": lang})
    assert twin.status_code == 200, twin.text
    model = twin.json()
    assert model["title"] == title
    hard = model["hard"]
    assert 0 <= hard["hard_reached"] <= hard["hard"] <= hard["tickets"]
    assert set(hard["reasons"]) == {"escalated", "reopened", "slow", "low_csat"}
    page = api("GET", "/insights/routing", params={"lang": lang})
    assert page.status_code == 200, page.text[:300]
    html = page.text
    assert f'dir="{"rtl" if rtl else "ltr"}"' in html and f"<h1>{title}</h1>" in html
    assert 'href="/api/insights/routing?lang=' in html  # the footer's twin link
    for kind in model["kinds"]:
        for agent in kind["agents"]:
            assert f'data-agent="{agent["agent_id"]}"' in html
    digits = {"fa": "۰۱۲۳۴۵۶۷۸۹", "ar": "٠١٢٣٤٥٦٧٨٩", "en": "0123456789"}[lang]
    shown = re.search(r'data-figure="hard_share"[^>]*>.*?<p class="value">([^<]+)<', html, re.S)
    assert shown is not None and any(d in shown.group(1) for d in digits)


def test_an_unknown_level_is_400(app: Any, setup: Any) -> None:
    r = as_role(app, setup, "manager")("GET", "/api/insights/routing", params={"by": "moon"})
    assert_error(r, 400, "invalid_parameter", "by")


def test_the_table_is_rebuilt_in_the_background_after_a_data_change(app: Any) -> None:
    """(Last: it adds data.) Six tickets of a new kind, solved by one agent: the source's
    stamp moves; the next ask answers from the table it has and starts a rebuild; once
    that is done, the new kind is there."""
    cache, source = app.state.routing, app.state.source
    old, stamp = cache.get()
    assert stamp == source.stamp
    agent = next(a for a, row in agents_table(app).items() if not row["is_bot"])
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    tickets, events = [], []
    for n in range(6):
        tid, created = f"demo:rt-{n}", start + dt.timedelta(hours=n)
        tickets.append(
            {"ticket_id": tid, "source": "demo", "created_at": created, "status": "solved",
             "channel": "email", "agent_id": agent, "customer_id": f"demo:rt-c{n}",
             "category": "routing_test", "language": "en"}
        )  # fmt: skip
        for k, (minutes, kind, who, extra) in enumerate(
            [(0, "created", "customer", {}), (5, "message", "agent", {}),
             (30, "status", "agent", {"status": "solved"})]
        ):  # fmt: skip
            events.append(
                {"event_id": f"{tid}-{k}", "ticket_id": tid, "kind": kind, "actor_type": who,
                 "at": created + dt.timedelta(minutes=minutes), "public": True,
                 "actor_id": agent if who == "agent" else f"demo:rt-c{n}", **extra}
            )  # fmt: skip
    with source.db_lock:
        source.store.write("tickets", tickets)
        source.store.write("events", events)
    assert source.refresh() and source.stamp != stamp
    assert cache.get()[0] is old  # (the previous table while the new one is built)
    assert cache._thread is not None
    cache._thread.join(timeout=120)
    new, new_stamp = cache.get()
    assert new is not old and new_stamp == source.stamp
    assert ("routing_test",) in new.candidates[("category",)]
    assert ("routing_test",) not in old.candidates[("category",)]
