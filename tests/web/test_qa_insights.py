"""/qa/insights: the page, its JSON twin and its CSV / XLSX downloads show the same
figures; staff and reviewers see everyone, an agent only their own (page, JSON and
download alike; another agent is a 403); Persian pages are right-to-left with Jalali
month labels. A store of its own: 300 demo conversations with AutoQA signals, users of
every role and 60 reviews written 10 days ago."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts, Actor
from sanjeh.demo import generate
from sanjeh.qa import Workspace
from sanjeh.store import Store
from sanjeh.text import score_store
from sanjeh.web import create_app

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
USERS = {"manager": "manager", "reviewer": "reviewer", "agent": "agent", "agent2": "agent"}
WRITTEN = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("insights") / "qa.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=300, seed=21)
        score_store(store)
        t = store.table("tickets")
        rows = t.filter(t.agent_id.notnull()).select("ticket_id", "agent_id").to_pyarrow()
        by_agent: dict[str, list[str]] = {}
        for r in rows.to_pylist():
            if ":a-" in r["agent_id"]:
                by_agent.setdefault(r["agent_id"], []).append(r["ticket_id"])
        agents = sorted(by_agent, key=lambda a: -len(by_agent[a]))[:3]
        accounts = Accounts(store, hasher=FAST)
        for name, role in USERS.items():
            agent_id = {"agent": agents[0], "agent2": agents[1]}.get(name)
            accounts.add_user(LOCAL_ADMIN, name, PASSWORD, role, f"{name} name", agent_id)
        ws = Workspace(store, clock=lambda: WRITTEN)
        reviewer = Actor("u-someone", "reviewer")
        for i, agent in enumerate(agents):
            for j, ticket in enumerate(by_agent[agent][:20]):
                low = (i + j) % 3 == 0
                ws.submit_review(
                    reviewer,
                    ticket,
                    _ratings(low),
                    scorecard_id="default",
                    root_causes={"tone": ["rude"]} if low else None,
                )
    return {"path": path, "own": agents[0], "other": agents[1]}


def _ratings(low: bool) -> dict[str, int | None]:
    return {
        "correct_solution": 3 if low else 5,
        "complete_answer": 2 if low else 4,
        "empathy": 2 if low else 5,
        "tone": 1 if low else 4,
        "greeting_closing": 0 if low else 1,
        "ownership": 2 if low else 4,
        "follow_up": None,
        "internal_process": None,
    }


@pytest.fixture(scope="module")
def app(setup: dict[str, Any]) -> Iterator[Any]:
    application = create_app(str(setup["path"]), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    yield application
    application.state.source.store.close()


class Client:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.cookies = httpx.Cookies()

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self._go("GET", path, params=params or None)

    def _go(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://test", cookies=self.cookies
            ) as client:
                response = await client.request(method, path, **kwargs)
                self.cookies = httpx.Cookies(client.cookies)
                return response

        return asyncio.run(go())

    def login(self, username: str) -> Client:
        form = self.get("/login")
        found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert found
        data = {"username": username, "password": PASSWORD, "csrf_token": found.group(1)}
        assert self._go("POST", "/login", data={**data, "next": "/qa"}).status_code == 303
        return self


@pytest.fixture(scope="module")
def users(app: Any) -> dict[str, Client]:
    return {name: Client(app).login(name) for name in USERS}


def _json(client: Client, **params: Any) -> dict[str, Any]:
    r = client.get("/api/qa/insights", **params)
    assert r.status_code == 200, r.text[:500]
    return r.json()


def _csv(client: Client, table: str, **params: Any) -> list[dict[str, str]]:
    r = client.get(f"/download/qa/insights/{table}.csv", **params)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_manager_sees_every_agent_in_page_json_and_download(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    m = _json(users["manager"], lang="en")
    assert m["qa_page"] == "insights" and m["summary"]["reviews"] == 60
    groups = {r["group"] for r in m["tables"]["breakdown"]["rows"]}
    assert {setup["own"], setup["other"]} <= groups and len(groups) == 3
    # the page shows the JSON's figures
    html = users["manager"].get("/qa/insights", lang="en").text
    for row in m["tables"]["categories"]["rows"]:
        if row["mean"] is not None:
            assert f'data-value="{row["mean"]}"' in html
    rows = _csv(users["manager"], "breakdown")
    assert {r["group"] for r in rows} == groups
    first = next(r for r in m["tables"]["breakdown"]["rows"] if r["reviews"])
    match = next(
        r for r in rows if r["group"] == first["group"] and r["category_id"] == first["category_id"]
    )
    assert float(match["mean"]) == pytest.approx(first["mean"])
    assert {r["agent_id"] for r in _csv(users["manager"], "agents")} == groups
    assert _csv(users["manager"], "lost")[0]["category_id"]  # ranked, the largest first


def test_reviewer_sees_everyone(users: dict[str, Client]) -> None:
    m = _json(users["reviewer"])
    assert m["summary"]["reviews"] == 60 and "reviewers" in m["tables"]


def test_agent_sees_only_their_own_everywhere(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    agent, own, other = users["agent"], setup["own"], setup["other"]
    m = _json(agent, by="agent")
    assert m["summary"]["reviews"] == 20
    assert {r["group"] for r in m["tables"]["breakdown"]["rows"]} == {own}
    assert "reviewers" not in m["tables"] and "agents" not in m["tables"]
    assert {r["group"] for r in _csv(agent, "breakdown", by="agent")} == {own}
    missing = agent.get("/download/qa/insights/reviewers.csv")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(
        "application/json"
    )
    html = agent.get("/qa/insights", by="agent", lang="en").text
    assert f'data-group="{own}"' in html and f'data-group="{other}"' not in html
    for path in ("/qa/insights", "/api/qa/insights", "/download/qa/insights/breakdown.csv"):
        assert agent.get(path, agent=other).status_code == 403, path
    assert _json(agent, agent=own)["summary"]["reviews"] == 20


def test_persian_page_is_rtl_with_jalali_months(users: dict[str, Client]) -> None:
    import jdatetime

    r = users["manager"].get("/qa/insights", lang="fa", by="jalali_month")
    assert r.status_code == 200 and 'dir="rtl"' in r.text
    j = jdatetime.date.fromgregorian(date=WRITTEN.date())
    m = _json(users["manager"], lang="fa", by="jalali_month")
    names = {row["group_name"] for row in m["tables"]["breakdown"]["rows"]}
    assert any(n.startswith(jdatetime.date.j_months_fa[j.month - 1]) for n in names), names
    assert "بینش‌ها" in r.text
    assert _json(users["manager"], lang="ar", by="hijri_month")["tables"]["breakdown"]["rows"]


def test_xlsx_and_bad_input(users: dict[str, Client]) -> None:
    manager = users["manager"]
    r = manager.get("/download/qa/insights/categories.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert manager.get("/api/qa/insights", by="nonsense").status_code == 400
    assert manager.get("/api/qa/insights", start="2026-03-10", end="2026-03-01").status_code == 400
    assert manager.get("/download/qa/insights/nothing.csv").status_code == 400
    assert manager.get("/download/qa/insights/lost.exe").status_code == 400
    assert manager.get("/download/qa/insights/lost.csv", by="x").status_code == 400


def test_nav_links_to_insights(users: dict[str, Client]) -> None:
    assert 'data-qa-nav="insights"' in users["agent"].get("/qa", lang="en").text
