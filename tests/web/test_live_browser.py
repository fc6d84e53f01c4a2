"""The dashboard follows new data without a reload (Debian's chromium, Playwright).

A real uvicorn server in this process, with logins: a manager watches the overview in
the browser while an integration sends a ticket through the intake API
(``POST /api/tickets`` with a write token); the test touches nothing else. The intake
wakes the server's refresh (its own loop would wait 10 s). Within 2 s of the facts
being refreshed the open page shows the new count and the new "as of", and it is the
same page: a marker set on ``window`` survives, so do the scroll position and a filter
chosen but not applied.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_browser import Tab, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
WAIT = 60  # seconds for the facts to be refreshed at all (a rebuild on a busy machine)
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"


@pytest.fixture
def live(demo_path: Path, tmp_path: Path) -> Iterator[tuple[str, Any, str]]:
    """(url, app, a write token): the demo store with a manager, served."""
    path = tmp_path / "live.duckdb"
    shutil.copy(demo_path, path)
    with Store.open(str(path)) as store:
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "mina", PASSWORD, "manager")
        token = accounts.issue_token(LOCAL_ADMIN, "mina", "helpdesk", write=True)
    app = create_app(str(path), warm=False)  # refresh_seconds: the default 10 s
    app.state.accounts.hasher = FAST
    with Server(app) as url:
        yield url, app, token


def login(tab: Tab, path: str) -> Any:
    page = tab.page
    page.goto(f"{tab.base}/login?next={quote(path, safe='')}", wait_until="networkidle")
    page.fill("#login-username", "mina")
    page.fill("#login-password", PASSWORD)
    with page.expect_navigation(wait_until="networkidle"):
        page.click("form.login-form button[type=submit]")
    tab.wait_for_charts()
    return page


def send_ticket(base: str, token: str, at: dt.datetime) -> None:
    """One new open chat ticket through the intake API, as a helpdesk integration would."""
    record = {
        "ticket_id": "demo:live-1",
        "created_at": at.isoformat(),
        "status": "open",
        "channel": "chat",
        "priority": "normal",
    }
    r = httpx.post(
        f"{base}/api/tickets",
        params={"source": "demo"},
        json=record,
        headers={"Authorization": f"Bearer {token}"},
        timeout=WAIT,
    )
    assert r.status_code == 202 and r.json()["accepted"] == 1, r.text


def created(page: Any) -> str:
    value: str = page.get_attribute("article[data-kpi=tickets_created]", "data-value")
    return value


def test_overview_shows_new_tickets_without_a_reload(browser: Any, live: Any) -> None:  # noqa: F811
    base, app, token = live
    source = app.state.source
    assert source.as_of is not None
    new_at = source.as_of + dt.timedelta(seconds=61)  # the data's new last instant
    last = source.local_day(new_at)
    first = last - dt.timedelta(days=27)
    tab = Tab(browser, base, lang="fa")
    try:
        page = login(tab, f"/?start={first}&end={last}&lang=fa")
        before = float(created(page))
        as_of_before = page.inner_text("[data-as-of]")
        assert as_of_before.startswith("به‌روز تا") and any(c in PERSIAN for c in as_of_before)
        page.evaluate("window.sanjehMarker = 'same page'")
        page.select_option("#f-channel", "chat")  # chosen, not applied
        page.evaluate("window.scrollTo(0, 300)")
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 0

        stamp = source.stamp
        send_ticket(base, token, new_at)
        deadline = time.monotonic() + WAIT
        while source.stamp == stamp:  # the server's loop sees the write and refreshes
            assert time.monotonic() < deadline, "the facts were never refreshed"
            time.sleep(0.01)
        refreshed = time.monotonic()

        expected = before + 1
        page.wait_for_function(
            "v => document.querySelector('article[data-kpi=tickets_created]').dataset.value === v",
            arg=str(expected),
            timeout=2000,
        )
        shown = time.monotonic() - refreshed
        assert shown < 2.0, f"the new number took {shown:.2f} s after the refresh"
        page.wait_for_function(
            "t => document.querySelector('[data-as-of]').textContent !== t", arg=as_of_before
        )
        assert page.evaluate("window.sanjehMarker") == "same page"  # no reload
        assert page.input_value("#f-channel") == "chat"
        assert page.evaluate("window.scrollY") == scrolled
        as_of_after = page.inner_text("[data-as-of]")
        assert any(c in PERSIAN for c in as_of_after) and not any(
            c.isascii() and c.isdigit() for c in as_of_after
        )
        # the card says it in Persian digits, and the chart was drawn again, not dropped
        assert page.inner_text("article[data-kpi=tickets_created] [data-display]") == (
            f"{int(expected):,}".translate(str.maketrans("0123456789,", PERSIAN + "٬"))
        )
        tab.wait_for_charts()
        assert page.locator("#chart-flow .main-svg").count() > 0
    finally:
        errors = list(tab.errors)
        tab.close()
    assert not errors, f"console errors: {errors}"


def test_wallboard_follows_the_data_too(browser: Any, live: Any) -> None:  # noqa: F811
    """A new ticket waiting now shows on the team screen without a reload."""
    base, _, token = live
    tab = Tab(browser, base, lang="en")
    try:
        page = login(tab, "/wallboard?lang=en")
        assert page.inner_text("[data-partial]") == "Today so far — not a closed period"
        waiting = int(page.get_attribute("[data-tile=waiting]", "data-value"))
        page.evaluate("window.sanjehMarker = 'same page'")
        send_ticket(base, token, dt.datetime.now(dt.UTC))
        page.wait_for_function(
            "v => document.querySelector('[data-tile=waiting]').dataset.value === v",
            arg=str(waiting + 1),
            timeout=WAIT * 1000,
        )
        assert page.evaluate("window.sanjehMarker") == "same page"
        big = page.locator("[data-tile=waiting] .big")
        assert float(big.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 56
    finally:
        errors = list(tab.errors)
        tab.close()
    assert not errors, f"console errors: {errors}"
