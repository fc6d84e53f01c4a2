"""The survey pages of the dashboard (#14): define a survey (a default or a pasted
definition), send its invitations (the outbox as a download, or JSON), read its results;
managers and admins only.

A store of its own with users; requests through httpx's ASGI transport with a session
(and its CSRF token) or an API token, as a browser and an integration would.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from argon2 import PasswordHasher
from markupsafe import escape

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
PULSE_TOML = """
id = "pulse-test"
kind = "pulse"
trigger = "every_n_weeks"
every_weeks = 2
title = { fa = "نبض تیم", ar = "نبض الفريق", en = "Team pulse" }

[[questions]]
code = "workload"
kind = "rating"
scale = [1, 5]
[questions.text]
fa = "حجم کار این هفته چطور بود؟"
ar = "كيف كان حجم العمل؟"
en = "How was the workload?"
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("survey-pages") / "pages.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=300, seed=5)
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "manager", PASSWORD, "manager", "Manager")
        accounts.add_user(LOCAL_ADMIN, "agent", PASSWORD, "agent", "Agent", "demo:a-001")
        accounts.add_user(LOCAL_ADMIN, "reviewer", PASSWORD, "reviewer", "Reviewer")
        token = accounts.issue_token(LOCAL_ADMIN, "manager", "surveys")
    return path, token


@pytest.fixture(scope="module")
def app(setup: tuple[Path, str]) -> Iterator[Any]:
    application = create_app(str(setup[0]), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    yield application
    application.state.intake.stop()
    application.state.source.stop()
    application.state.source.store.close()


class Browser:
    """Requests through httpx's ASGI transport, keeping cookies between them."""

    def __init__(self, app: Any, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.cookies = httpx.Cookies()
        self.headers = headers or {}

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://test",
                cookies=self.cookies,
                headers=self.headers,
            ) as client:
                response = await client.request(method, url, **kwargs)
                self.cookies = httpx.Cookies(client.cookies)
                return response

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def login(self, username: str) -> Browser:
        form = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
        assert self.post("/login", data=data).status_code == 303
        return self

    def csrf(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/surveys").text)
        assert found is not None
        return found.group(1)


@pytest.fixture(scope="module")
def manager(app: Any) -> Browser:
    return Browser(app).login("manager")


@pytest.fixture(scope="module")
def api(app: Any, setup: tuple[Path, str]) -> Browser:
    return Browser(app, {"Authorization": f"Bearer {setup[1]}"})


def test_only_managers_and_admins(app: Any) -> None:
    for who in ("agent", "reviewer"):
        browser = Browser(app).login(who)
        assert browser.get("/surveys").status_code == 403
        assert browser.get("/api/surveys").status_code == 403
        assert browser.post("/api/surveys", json={"default": "csat-after-solve"}).status_code == 403


def test_define_from_a_default_then_again_changes_nothing(manager: Browser, api: Browser) -> None:
    r = manager.post(
        "/surveys?lang=fa", data={"csrf_token": manager.csrf(), "default": "csat-after-solve"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/surveys/csat-after-solve?lang=fa"
    listed = api.get("/api/surveys").json()
    row = next(s for s in listed["surveys"] if s["survey_id"] == "csat-after-solve")
    assert row["version"] == 1 and row["kind"] == "csat" and row["sent"] == 0
    r = api.post("/api/surveys", json={"default": "csat-after-solve"})
    assert r.status_code == 201 and r.json()["version"] == 1  # the same: no new version
    page = manager.get("/surveys?lang=fa")
    assert page.status_code == 200 and 'data-survey="csat-after-solve"' in page.text
    assert 'data-nav="surveys"' in page.text and 'dir="rtl"' in page.text


def test_paste_a_toml_definition_and_a_changed_one_is_a_new_version(
    manager: Browser, api: Browser
) -> None:
    r = manager.post("/surveys", data={"csrf_token": manager.csrf(), "definition": PULSE_TOML})
    assert r.status_code == 303, r.text[:500]
    changed = tomllib.loads(PULSE_TOML.replace("every_weeks = 2", "every_weeks = 3"))
    r = api.post("/api/surveys", json={"survey": changed})
    assert r.status_code == 201 and r.json() == {"survey_id": "pulse-test", "version": 2}
    row = next(
        s for s in api.get("/api/surveys").json()["surveys"] if s["survey_id"] == "pulse-test"
    )
    assert row["anonymous"] is True  # (a pulse always is)


def test_a_broken_definition_says_which_field(manager: Browser, api: Browser) -> None:
    broken = PULSE_TOML.replace('kind = "rating"', 'kind = "stars"')
    r = manager.post("/surveys", data={"csrf_token": manager.csrf(), "definition": broken})
    assert r.status_code == 400
    assert "data-error" in r.text and "kind" in r.text
    assert str(escape(broken.splitlines()[1])) in r.text  # the paste is kept to fix
    r = api.post("/api/surveys", json={"survey": {**tomllib.loads(broken), "id": "x"}})
    assert r.status_code == 400
    assert "questions" in r.json()["error"]["message"]  # (names the field)
    r = api.post("/api/surveys", json={"default": "no-such"})
    assert r.status_code == 400 and "csat-after-solve" in r.json()["error"]["message"]
    assert api.post("/api/surveys", json={}).status_code == 400


def test_send_downloads_the_outbox_and_a_link_answers(
    app: Any, manager: Browser, api: Browser
) -> None:
    api.post("/api/surveys", json={"default": "csat-after-solve"})
    source = app.state.source
    with source.db_lock:
        t = source.store.table("tickets")
        last = t.filter(t.status.isin(["solved", "closed"])).updated_at.max().execute()
    app.state.survey_answers.clock = lambda: last.to_pydatetime() + dt.timedelta(hours=1)
    try:
        r = manager.post(
            "/surveys/csat-after-solve/send?lang=fa",
            data={"csrf_token": manager.csrf(), "format": "csv"},
        )
        assert r.status_code == 200, r.text[:300]
        disposition = r.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="csat-after-solve-outbox-')
        assert disposition.endswith('.csv"')
        lines = list(csv.DictReader(io.StringIO(r.text)))
        assert len(lines) >= 5 and int(r.headers["x-sanjeh-sent"]) == len(lines)
        # sent once: the same tickets are not invited again
        twin = api.post("/api/surveys/csat-after-solve/send").json()
        assert twin == {"survey_id": "csat-after-solve", "version": 1, "sent": 0, "invitations": []}
        listed = api.get("/api/surveys").json()["surveys"]
        row = next(s for s in listed if s["survey_id"] == "csat-after-solve")
        assert row["sent"] == len(lines) and row["answered"] == 0
        # a link of the outbox opens the answer page, with no login, and answers
        link = lines[0]["link"]
        assert link.startswith("http://test/s/")
        answerer = Browser(app)
        page = answerer.get(link)
        assert page.status_code == 200 and "data-question" in page.text
        sig = re.search(r'name="sig" value="([^"]+)"', page.text)
        assert sig is not None
        path = urlsplit(link).path
        r = answerer.post(path, data={"sig": sig.group(1), "csat": "5", "website": ""})
        assert r.status_code == 200, r.text[:300]
        listed = api.get("/api/surveys").json()["surveys"]
        row = next(s for s in listed if s["survey_id"] == "csat-after-solve")
        assert row["answered"] == 1
        data = api.get("/api/surveys/csat-after-solve", params={"start": "2026-01-01"}).json()
        csat = next(r for r in data["rows"] if r["question"] == "csat")
        assert csat["n"] == 1 and csat["mean"] == 5
    finally:
        app.state.survey_answers.clock = lambda: dt.datetime.now(dt.UTC)


def test_results_page_and_twin(app: Any, manager: Browser, api: Browser) -> None:
    api.post("/api/surveys", json={"default": "csat-after-solve"})
    data = api.get("/api/surveys/csat-after-solve").json()
    assert data["survey_id"] == "csat-after-solve"
    assert {"question", "n", "kpi"} <= set(data["columns"])
    assert [r["question"] for r in data["rows"]] == ["csat", "comment"]
    page = manager.get("/surveys/csat-after-solve?lang=ar&by=team")
    assert page.status_code == 200 and 'dir="rtl"' in page.text and "data-results" in page.text
    assert api.get("/api/surveys/no-such-survey").status_code == 404
    assert api.get("/api/surveys/csat-after-solve", params={"by": "shoe"}).status_code == 400
    r = api.get("/api/surveys/pulse-test", params={"by": "agent"})
    assert r.status_code == 400 and "anonymous" in r.json()["error"]["message"]
