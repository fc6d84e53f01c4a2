"""A customer answers a Persian CSAT survey on a phone, and the dashboard's CSAT changes
(#14; Debian's chromium driven by Playwright).

A real uvicorn server in this process over a copy of the demo store with a manager, so
the dashboard needs a login and the answer page must do without. The survey is sent
through the library (``send_invitations``: signed links in an outbox). A phone-sized
page (390 × 844, touch) opens a Persian link, taps a score, writes a comment and sends;
the manager's overview, open in another browser meanwhile, shows a different CSAT
without a reload (the answer writer wakes the refresh; the page follows the data).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .surveysupport import send_csat
from .test_browser import Tab, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
COMMENT = "پاسخ سریع بود ولی مشکلم حل نشد"
WAIT = 60_000  # ms for the refreshed facts to reach the page (a busy machine)


@pytest.fixture
def live(demo_path: Path, tmp_path: Path) -> Iterator[tuple[str, Any, list[dict[str, Any]]]]:
    """(url, app, the outbox's invitations): the demo store with a manager, served."""
    path = tmp_path / "survey.duckdb"
    shutil.copy(demo_path, path)
    with Store.open(str(path)) as store:
        Accounts(store, hasher=FAST).add_user(LOCAL_ADMIN, "mina", PASSWORD, "manager")
        sent, now = send_csat(store, tmp_path / "outbox.jsonl", 3, ("fa",), "http://placeholder")
    app = create_app(str(path), warm=False)
    app.state.accounts.hasher = FAST
    app.state.survey_answers.clock = lambda: now + dt.timedelta(minutes=10)
    with Server(app) as url:
        yield url, app, sent


def login(tab: Tab, path: str) -> Any:
    page = tab.page
    page.goto(f"{tab.base}/login?next={quote(path, safe='')}", wait_until="networkidle")
    page.fill("#login-username", "mina")
    page.fill("#login-password", PASSWORD)
    with page.expect_navigation(wait_until="networkidle"):
        page.click("form.login-form button[type=submit]")
    tab.wait_for_charts()
    return page


def csat(page: Any) -> str:
    value: str = page.get_attribute("article[data-kpi=csat]", "data-value")
    return value


def test_a_persian_answer_on_a_phone_moves_the_dashboards_csat(
    browser: Any,  # noqa: F811
    live: tuple[str, Any, list[dict[str, Any]]],
) -> None:
    base, app, sent = live
    source = app.state.source
    day = source.local_day(app.state.survey_answers.clock())
    first = day - dt.timedelta(days=27)
    dashboard = Tab(browser, base, lang="fa")
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="fa-IR",
    )
    errors: list[str] = []
    try:
        board = login(dashboard, f"/?start={first}&end={day}&lang=fa")
        before = csat(board)

        page = phone.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        link = urlsplit(sent[0]["link"])
        page.goto(f"{base}{link.path}?{link.query}", wait_until="networkidle")
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.get_attribute("html", "lang") == "fa"
        assert page.context.cookies() == []  # no session, no cookie
        # made for the phone: nothing wider than the screen, buttons big enough to tap
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        box = page.locator("label.sv-option").first.bounding_box()
        assert box is not None and box["height"] >= 44
        labels = page.locator("label.sv-option span").all_inner_texts()
        assert labels == list(PERSIAN[1:6])  # the scale in Persian digits
        # the scale runs right to left: ۱ on the right
        one = page.locator("label.sv-option", has_text="۱").bounding_box()
        five = page.locator("label.sv-option", has_text="۵").bounding_box()
        assert one is not None and five is not None and one["x"] > five["x"]

        page.locator("label.sv-option", has_text="۱").tap()
        page.fill("textarea[name=comment]", COMMENT)
        with page.expect_navigation(wait_until="networkidle"):
            page.locator("button.sv-send").tap()
        assert page.locator("[data-recorded]").is_visible()
        assert "سپاس" in page.inner_text("[data-recorded]")

        # the dashboard follows: CSAT is another number, without a reload
        board.evaluate("window.sanjehMarker = 'same page'")
        board.wait_for_function(
            "v => document.querySelector('article[data-kpi=csat]').dataset.value !== v",
            arg=before,
            timeout=WAIT,
        )
        after = csat(board)
        assert float(after) < float(before), (before, after)  # a score of 1: fewer satisfied
        assert board.evaluate("window.sanjehMarker") == "same page"
        shown = board.inner_text("article[data-kpi=csat] [data-display]")
        assert any(c in PERSIAN for c in shown)

        with source.db_lock:
            r = source.store.table("survey_responses")
            rows = r.filter(r.response_id.startswith(f"sanjeh:{sent[0]['invitation_id']}:"))
            found = rows.select("score", "comment", "language").to_pyarrow().to_pylist()
        assert found == [{"score": 1.0, "comment": COMMENT, "language": "fa"}]
        assert not errors, errors
    finally:
        phone.close()
        dashboard.close()
