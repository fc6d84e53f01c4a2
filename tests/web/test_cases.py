"""Case logging (#18): the form records a ticket through the intake queue, the agents'
view lists open cases by priority with the cues behind each, and the customer follows
the case with a signed link that needs no login.

A store of its own, with users (so that "no login" means something); requests through
httpx's ASGI transport, a real intake queue writing into the real DuckDB file; the form
in Persian in Debian's chromium at the end.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server
from sanjeh.web._signing import sign, store_key
from sanjeh.web.views.cases import LINK_PURPOSE

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
AGENT = "demo:a-001"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

URGENT_FA = "سلام، از صبح اینترنت شرکت قطع شده و هیچ کاربری نمی‌تونه کار کنه. فوری رسیدگی کنید"
HIGH_EN = "I was charged twice for the same order, please refund one."
LOW_AR = "ليس أمراً عاجلاً، لكن أقترح إضافة الوضع الليلي للتطبيق"


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = tmp_path_factory.mktemp("cases") / "cases.duckdb"
    with Store.open(str(found)) as store:
        generate(store, tickets=120, seed=7)
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "admin", PASSWORD, "admin", "Admin")
        accounts.add_user(LOCAL_ADMIN, "agent", PASSWORD, "agent", "Agent", AGENT)
        accounts.add_user(LOCAL_ADMIN, "reviewer", PASSWORD, "reviewer", "Reviewer")
    return found


@pytest.fixture(scope="module")
def app(path: Path) -> Iterator[Any]:
    application = create_app(str(path), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    yield application
    application.state.intake.stop()
    application.state.source.stop()
    application.state.source.store.close()


class Browser:
    """Requests through httpx's ASGI transport, keeping cookies between them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cookies = httpx.Cookies()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://test", cookies=self.cookies
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

    def csrf(self, page: str = "/cases/new") -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get(page).text)
        assert found is not None
        return found.group(1)

    def record(self, lang: str = "en", **fields: str) -> httpx.Response:
        data = {"csrf_token": self.csrf(), "channel": "phone", "language": lang, **fields}
        return self.post(f"/cases/new?lang={lang}", data=data)


def _ticket_of(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:400]
    location = response.headers["location"]
    found = re.fullmatch(r"/cases/(cases:[2-9A-Z]{8})\?created=1(&lang=\w+)?", location)
    assert found is not None, location
    return found.group(1)


def _rows(app: Any, table: str, column: str, ids: list[str]) -> list[dict[str, Any]]:
    source = app.state.source
    with source.db_lock:
        t = source.store.table(table)
        return list(t.filter(t[column].isin(ids)).order_by(column).to_pyarrow().to_pylist())


@pytest.fixture(scope="module")
def recorded(app: Any) -> dict[str, str]:
    """Three cases through the form, as an agent: urgent (fa), high (en), low (ar)."""
    agent = Browser(app).login("agent")
    ids = {
        "urgent": _ticket_of(
            agent.record(
                "fa", message=URGENT_FA, customer_name="مریم رضایی", customer_email="m@example.ir"
            )
        ),
        "high": _ticket_of(
            agent.record("en", message=HIGH_EN, subject="Double charge", customer_name="Bob")
        ),
        "low": _ticket_of(agent.record("ar", message=LOW_AR, customer_email="s@example.sa")),
    }
    assert app.state.intake.flush(timeout=10)
    return ids


# -- recording -------------------------------------------------------------------------------------


def test_the_form_records_ticket_events_and_customer(app: Any, recorded: dict[str, str]) -> None:
    ids = list(recorded.values())
    tickets = {r["ticket_id"]: r for r in _rows(app, "tickets", "ticket_id", ids)}
    assert set(tickets) == set(ids)
    urgent = tickets[recorded["urgent"]]
    assert urgent["source"] == "cases" and urgent["status"] == "new"
    assert (urgent["priority"], urgent["category"]) == ("urgent", "technical")
    assert (urgent["channel"], urgent["language"]) == ("phone", "fa")
    assert urgent["external_id"] == recorded["urgent"].removeprefix("cases:")
    assert urgent["subject"] == URGENT_FA.splitlines()[0][:79] + "…"  # the first line, cut
    high = tickets[recorded["high"]]
    assert (high["priority"], high["category"], high["subject"]) == (
        "high",
        "billing",
        "Double charge",
    )
    low = tickets[recorded["low"]]
    assert (low["priority"], low["category"], low["language"]) == ("low", "technical", "ar")
    # the customer's two events: created, and the message (the nature of the enquiry)
    events = sorted(
        _rows(app, "events", "ticket_id", [recorded["urgent"]]),
        key=lambda e: e["kind"] != "created",
    )
    assert [(e["kind"], e["actor_type"]) for e in events] == [
        ("created", "customer"),
        ("message", "customer"),
    ]
    assert events[1]["body"] == URGENT_FA and events[0]["priority"] == "urgent"
    assert {e["actor_id"] for e in events} == {urgent["customer_id"]}
    # a new customer per e-mail (or a made-up id), named as the form said
    named = {
        c["customer_id"]: (c["name"], c["email"], c["language"])
        for c in _rows(
            app, "customers", "customer_id", [t["customer_id"] for t in tickets.values()]
        )
    }
    assert named == {
        urgent["customer_id"]: ("مریم رضایی", "m@example.ir", "fa"),
        high["customer_id"]: ("Bob", None, "en"),
        low["customer_id"]: (None, "s@example.sa", "ar"),
    }
    assert urgent["customer_id"].startswith("cases:c-")
    # one import_log row per merged batch, with the form as its origin
    source = app.state.source
    with source.db_lock:
        log = source.store.table("import_log")
        formats = set(log.filter(log.source == "cases").format.to_pyarrow().to_pylist())
    assert "case_form" in formats and formats <= {"case_form", "case_api"}


def test_the_agents_view_lists_open_cases_by_priority(app: Any, recorded: dict[str, str]) -> None:
    agent = Browser(app).login("agent")
    model = agent.get("/api/cases").json()
    mine = [c for c in model["cases"] if c["ticket_id"] in recorded.values()]
    assert [c["ticket_id"] for c in mine] == [recorded[p] for p in ("urgent", "high", "low")]
    priorities = [c["priority"] for c in model["cases"]]
    order = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
    assert priorities == sorted(priorities, key=order.__getitem__)
    assert model["open"] >= 3
    urgent, high, low = mine
    assert [(r["kind"], r["text"]) for r in urgent["reasons"]] == [
        ("outage", "قطع شده"),
        ("impact", "هیچ کاربری"),
        ("urgent", "فوری"),
    ]
    assert [(r["kind"], r["text"]) for r in high["reasons"]] == [("money", "charged twice")]
    assert [r["kind"] for r in low["reasons"]] == ["low", "low"]
    assert not any(c["changed"] for c in mine)
    # the page shows the same rows in the same order, with the cues
    page = agent.get("/cases").text
    shown = re.findall(r'<tr data-case="([^"]+)" data-priority="(\w*)"', page)
    assert shown == [(c["ticket_id"], c["priority"]) for c in model["cases"]]
    assert "<bdi>فوری</bdi>" in page


def test_the_agent_may_change_the_suggestion(app: Any) -> None:
    agent = Browser(app).login("agent")
    preview = agent.record(message="The app is down, urgent!", action="suggest")
    assert preview.status_code == 200
    assert 'data-category="technical" data-priority="urgent"' in preview.text
    assert "<bdi>is down</bdi>" in preview.text and "<bdi>urgent</bdi>" in preview.text
    ticket = _ticket_of(
        agent.record(message="The app is down, urgent!", priority="high", category="account")
    )
    case = agent.get(f"/api/cases/{ticket}").json()["case"]  # (waits for the queue)
    assert (case["priority"], case["category"]) == ("high", "account")
    assert (case["suggested_priority"], case["suggested_category"]) == ("urgent", "technical")
    assert case["changed"] is True


def test_an_existing_customer_is_used_and_left_as_it_is(app: Any) -> None:
    source = app.state.source
    with source.db_lock:
        c = source.store.table("customers")
        known = (
            c.filter(c.email.notnull()).order_by("customer_id").limit(1).to_pyarrow().to_pylist()[0]
        )
    agent = Browser(app).login("agent")
    by_id = _ticket_of(agent.record(message="Where is my order?", customer_id=known["customer_id"],
                                    customer_name="Someone Else"))  # fmt: skip
    by_email = _ticket_of(
        agent.record(message="Where is my order?", customer_email=known["email"].upper())
    )
    assert app.state.intake.flush(timeout=10)
    tickets = _rows(app, "tickets", "ticket_id", [by_id, by_email])
    assert {t["customer_id"] for t in tickets} == {known["customer_id"]}
    (after,) = _rows(app, "customers", "customer_id", [known["customer_id"]])
    assert after == known  # not renamed, not blanked


def test_form_mistakes_are_said_in_the_page_language(app: Any) -> None:
    agent = Browser(app).login("agent")
    empty = agent.record("fa", message="   ")
    assert empty.status_code == 400 and "پیام خالی است" in empty.text
    wrong = agent.record("ar", message="x", channel="fax")
    assert wrong.status_code == 400 and "اختر القناة" in wrong.text
    # no CSRF token: refused before anything is recorded
    r = agent.post("/cases/new", data={"message": "hello"})
    assert r.status_code == 403 and "csrf" in r.text.lower()


# -- the customer's status page --------------------------------------------------------------------


def _status_url(app: Any, ticket: str) -> str:
    page = Browser(app).login("agent").get(f"/cases/{ticket}?lang=fa")
    assert page.status_code == 200
    found = re.search(r'value="http://test(/cases/status/[^"]+)" aria-label', page.text)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def test_the_status_link_works_without_a_login(app: Any, recorded: dict[str, str]) -> None:
    url = _status_url(app, recorded["urgent"])
    anonymous = Browser(app)
    page = anonymous.get(url)
    assert page.status_code == 200, page.text[:300]
    assert 'lang="fa" dir="rtl"' in page.text  # the customer's language: the case's
    assert '<p class="case-state status-new" data-status>دریافت شد</p>' in page.text
    assert recorded["urgent"].removeprefix("cases:") in page.text
    assert URGENT_FA not in page.text  # the message stays with the agents
    assert page.headers["cache-control"] == "no-store"
    english = anonymous.get(url + "&lang=en")
    assert "data-status>Received</p>" in english.text
    twin = anonymous.get("/api" + url)
    assert twin.status_code == 200
    body = twin.json()
    assert (body["status"], body["reference"]) == ("new", recorded["urgent"].removeprefix("cases:"))
    # everything else still needs a login
    assert anonymous.get("/cases").status_code == 303
    assert anonymous.get("/api/cases").status_code == 401
    assert anonymous.get(f"/api/cases/{recorded['urgent']}").status_code == 401


def test_a_tampered_or_expired_link_gets_403_and_says_nothing_of_the_case(
    app: Any, recorded: dict[str, str]
) -> None:
    url = _status_url(app, recorded["urgent"])
    path, _, query = url.partition("?sig=")
    sig = query.split("&")[0]
    anonymous = Browser(app)
    flipped = sig[:-1] + ("A" if sig[-1] != "A" else "B")
    tampered = anonymous.get(f"{path}?sig={flipped}&lang=fa")
    assert tampered.status_code == 403
    assert 'data-problem="invalid"' in tampered.text and "معتبر نیست" in tampered.text
    # another case's id with this sig, and a case that does not exist: the same answer
    other = anonymous.get(f"/cases/status/{recorded['high']}?sig={sig}&lang=fa")
    missing = anonymous.get(f"/cases/status/cases:NOSUCH22?sig={sig}&lang=fa")
    assert other.status_code == missing.status_code == 403
    same = missing.text.replace("cases:NOSUCH22", "ID").replace(sig, "SIG")
    assert same == tampered.text.replace(recorded["urgent"], "ID").replace(flipped, "SIG")
    assert anonymous.get(f"{path}&lang=fa").status_code == 403  # no sig at all
    # the twin answers in the one error shape
    r = anonymous.get(f"/api{path}?sig={flipped}")
    assert r.status_code == 403 and r.json()["error"]["type"] == "invalid_link"
    r = anonymous.get(f"/api/cases/status/cases:NOSUCH22?sig={sig}")
    assert r.status_code == 403 and r.json()["error"]["type"] == "invalid_link"
    # a genuine link past its time
    key = store_key(app.state.source.store)
    old = sign(
        LINK_PURPOSE, recorded["urgent"], expires=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), key=key
    )
    expired = anonymous.get(f"{path}?sig={old}", headers={"Accept-Language": "ar-SA,ar;q=0.9"})
    assert expired.status_code == 403
    assert 'data-problem="expired"' in expired.text and 'lang="ar"' in expired.text
    r = anonymous.get(f"/api{path}?sig={old}")
    assert r.status_code == 403 and r.json()["error"]["type"] == "link_expired"


# -- the API ---------------------------------------------------------------------------------------


def test_the_api_records_with_a_write_token_only(app: Any) -> None:
    accounts: Accounts = app.state.accounts
    reader = accounts.issue_token(LOCAL_ADMIN, "admin", "reader")
    writer = accounts.issue_token(LOCAL_ADMIN, "admin", "writer", write=True)
    body = {"message": "My parcel never arrived and the tracking is stuck", "channel": "email"}
    client = Browser(app)
    refused = client.post("/api/cases", json=body, headers={"Authorization": f"Bearer {reader}"})
    assert refused.status_code == 403 and "--write" in refused.json()["error"]["message"]
    assert (
        client.get("/api/cases", headers={"Authorization": f"Bearer {reader}"}).status_code == 200
    )
    made = client.post("/api/cases", json=body, headers={"Authorization": f"Bearer {writer}"})
    assert made.status_code == 201, made.text
    answer = made.json()
    assert answer["triage"]["category"] == "delivery"
    assert answer["status_url"].startswith("http://test/cases/status/cases:")
    one = client.get(
        f"/api/cases/{answer['ticket_id']}", headers={"Authorization": f"Bearer {reader}"}
    )
    assert one.status_code == 200 and one.json()["case"]["channel"] == "email"
    # the link the API gave is the one the case page gives
    assert one.json()["status_path"] == answer["status_url"].removeprefix("http://test")
    assert (
        Browser(app)
        .get(urlparse(answer["status_url"]).path + "?" + urlparse(answer["status_url"]).query)
        .status_code
        == 200
    )
    bad = client.post(
        "/api/cases", json={"message": "  "}, headers={"Authorization": f"Bearer {writer}"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_parameter"
    unknown = client.get("/api/cases/cases:NOSUCH22", headers={"Authorization": f"Bearer {reader}"})
    assert unknown.status_code == 404


def test_every_role_may_log_cases(app: Any) -> None:
    for role in ("admin", "reviewer", "agent"):
        browser = Browser(app).login(role)
        assert browser.get("/cases/new").status_code == 200
        assert browser.get("/api/cases/new").json()["create"] == "POST /api/cases"
    page = Browser(app).login("agent").get("/cases/new?lang=fa").text
    assert 'data-nav="cases" aria-current="page"' in page


# -- in a browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: pip install playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.browser
def test_the_persian_form_in_a_browser(app: Any, browser: Any) -> None:
    with Server(app) as base:
        context = browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{base}/cases/new?lang=fa")  # → the login, then back to the form
        page.fill("input[name=username]", "agent")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/cases/new?lang=fa")
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.locator("h1").inner_text() == "پرونده‌ی جدید"
        # right to left: the form's first field starts at the right
        name = page.locator("#case-name").bounding_box()
        assert name["x"] + name["width"] > 1280 / 2
        page.fill("#case-name", "سارا احمدی")
        page.fill("#case-email", "sara@example.ir")
        page.select_option("#case-channel", "chat")
        page.fill("#case-subject", "قطعی سرویس")
        # typing shows the suggestion, with the words behind it (static/cases.js)
        page.type("#case-message", "سرور کلا قطعه، فوری!", delay=5)
        page.wait_for_selector("[data-suggestion][data-priority=urgent]")
        assert page.locator("[data-suggestion]").get_attribute("data-category") == "technical"
        cues = page.locator("[data-suggestion] [data-cue]").all_inner_texts()
        assert "فوری" in cues and "قطعه" in cues
        page.click("[data-action=record]")
        page.wait_for_selector("[data-created]")
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.locator("[data-priority]").first.get_attribute("data-priority") == "urgent"
        link = page.locator("[data-status-url]").input_value()
        # the customer opens the link in a browser of their own, without logging in
        customer = browser.new_context(locale="fa-IR").new_page()
        customer.goto(link)
        assert customer.get_attribute("html", "dir") == "rtl"
        assert customer.locator("[data-status]").inner_text() == "دریافت شد"
        customer.goto(link.replace("sig=", "sig=0"))
        assert customer.locator("[data-problem=invalid]").count() == 1
        customer.context.close()
        context.close()
    local = urlparse(base).netloc
    outside = [u for u in requests if urlparse(u).netloc != local and not u.startswith("data:")]
    assert not outside, outside
    assert not errors, errors
