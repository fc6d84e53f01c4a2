"""The QA workflow in a real browser (Debian's chromium driven by Playwright), against a
real uvicorn server: a reviewer grades a conversation, the agent disputes the review,
the reviewer partly accepts the dispute, and the history shows all of it.

Skipped, with the reason, when chromium or the playwright package is missing (see
DEVELOPERS.md). Takes screenshots of the review pages in fa and en: into docs/screenshots/
with ``pytest --screenshots``, else into a temporary folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.text import score_store
from sanjeh.web import create_app
from sanjeh.web._server import Server

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
#: the reviewer's grades: empathy 2 of 5 is what the agent disputes
GRADES = {
    "correct_solution": "5",
    "complete_answer": "4",
    "empathy": "2",
    "tone": "3",
    "greeting_closing": "1",
    "ownership": "4",
    "follow_up": "na",
    "internal_process": "na",
}


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


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    path = tmp_path_factory.mktemp("qa-browser") / "qa.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=200, seed=4)
        score_store(store)
        t = store.table("tickets")
        rows = t.filter(t.agent_id.like("%:a-%")).select("ticket_id", "agent_id")
        first = rows.order_by("ticket_id").limit(1).to_pyarrow().to_pylist()[0]
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer", "Sara Reviewer")
        accounts.add_user(LOCAL_ADMIN, "omid", PASSWORD, "agent", "Omid Agent", first["agent_id"])
    app = create_app(str(path), warm=False)
    app.state.accounts.hasher = FAST
    with Server(app) as url:
        yield {"url": url, "ticket": first["ticket_id"]}
    app.state.source.store.close()


class Tab:
    """A browser tab that records console errors and every request it makes."""

    def __init__(self, browser: Any, base: str, shots: Path) -> None:
        self.base, self.shots = base, shots
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path, wait_until="networkidle")
        return self.page

    def login(self, username: str, next_path: str) -> Any:
        page = self.open(f"/login?next={next_path}")
        page.fill("#login-username", username)
        page.fill("#login-password", PASSWORD)
        with page.expect_navigation(wait_until="networkidle"):
            page.click("form.login-form button[type=submit]")
        assert page.locator(".user-name").inner_text() != ""
        return page

    def logout(self) -> None:
        with self.page.expect_navigation(wait_until="networkidle"):
            self.page.click("form.user .logout")
        assert "/login" in self.page.url

    def shot(self, name: str) -> None:
        self.shots.mkdir(parents=True, exist_ok=True)
        height = min(self.page.evaluate("document.body.scrollHeight"), 2200)
        target = self.shots / f"{name}.png"
        self.page.screenshot(
            path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height}
        )
        assert target.stat().st_size > 10_000


@pytest.fixture
def tab(browser: Any, site: dict[str, str], screenshots: Path) -> Iterator[Tab]:
    t = Tab(browser, site["url"], screenshots)
    yield t
    local = {urlparse(site["url"]).netloc}
    outside = [
        u
        for u in t.requests
        if urlparse(u).netloc not in local and not u.startswith(("data:", "blob:"))
    ]
    t.context.close()
    assert not outside, f"requests left the server: {outside}"
    assert not t.errors, f"console errors: {t.errors}"


def _score(page: Any) -> float:
    return float(page.locator("[data-qa-card=score]").get_attribute("data-value"))


def test_grade_dispute_and_resolve_in_a_real_browser(tab: Tab, site: dict[str, str]) -> None:
    ticket = site["ticket"]
    form_path = f"/qa/review/{ticket}"

    # the reviewer grades the conversation
    page = tab.login("sara", f"{form_path}?lang=fa")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator(".qa-timeline .entry").count() > 2
    assert page.locator(".qa-category[data-category=correct_solution] .qa-critical").count() == 1
    tab.shot("qa-review-form-fa")
    page = tab.open(f"{form_path}?lang=en")
    causes = page.locator(".qa-category[data-category=tone] [data-causes]")
    for category, value in GRADES.items():
        box = page.locator(f".qa-category[data-category={category}]")
        box.locator(f"label.qa-rating:has(input[value='{value}'])").click()
    assert causes.is_hidden()  # tone 3 of 4 is not negative: no root causes asked
    page.locator(".qa-category[data-category=tone] label.qa-rating:has(input[value='2'])").click()
    assert causes.is_visible()
    causes.locator("input[value=rude]").check()
    assert page.locator("[data-preview]").inner_text() == "74.5%"  # the live preview
    page.fill("textarea[name='comment.empathy']", "No acknowledgement of the delay.")
    page.fill("#qa-comment", "Solid answer, but a cold tone.")
    tab.shot("qa-review-form-en")
    with page.expect_navigation(wait_until="networkidle"):
        page.click("[data-submit]")
    assert re.search(r"/qa/reviews/rev-[0-9a-f]+\?lang=en$", page.url)
    review_path = urlparse(page.url).path
    assert page.locator("[data-qa-score]").inner_text() == "74.5%"
    before = _score(page)
    tab.logout()

    # the agent sees the review on the QA home and disputes it
    page = tab.login("omid", "/qa?lang=en")
    link = page.locator(f"table[data-qa-table=own_reviews] a[href^='{review_path}']")
    assert link.count() == 1
    with page.expect_navigation(wait_until="networkidle"):
        link.click()
    assert (
        page.locator("tr[data-category=empathy] td[data-rating]").get_attribute("data-rating")
        == "2"
    )
    page.fill("#dispute-comment", "I did apologise for the delay in my second reply.")
    with page.expect_navigation(wait_until="networkidle"):
        page.click("form[data-qa-form=dispute] button[type=submit]")
    assert page.locator("[data-qa-status]").get_attribute("data-qa-status") == "disputed"
    assert page.locator("form[data-qa-form=dispute]").count() == 0
    tab.logout()

    # the reviewer partly accepts it: empathy 2 → 4
    page = tab.login("sara", "/qa/disputes?lang=en")
    with page.expect_navigation(wait_until="networkidle"):
        page.locator("table[data-qa-table=disputes] a").first.click()
    form = page.locator("form[data-qa-form=resolve]")
    assert "second reply" in form.inner_text()
    form.locator("input[value=rejected]").check()
    assert form.locator("[data-new-ratings]").is_hidden()
    form.locator("input[value=partly_accepted]").check()
    form.locator("select[name='new.empathy']").select_option("4")
    form.locator("#resolve-comment").fill("Right, the apology is there.")
    with page.expect_navigation(wait_until="networkidle"):
        form.locator("button[type=submit]").click()

    after = _score(page)
    assert after > before
    assert page.locator("[data-qa-status]").get_attribute("data-qa-status") == "resolved"
    notes = page.locator("[data-qa-list=history] li").evaluate_all(
        "els => els.map(e => e.dataset.note)"
    )
    assert notes == [
        "submitted",
        "dispute opened",
        "opened",
        "dispute partly accepted",
        "partly_accepted",
    ]
    history = page.locator("[data-qa-list=history]").inner_text()
    assert "Sara Reviewer" in history and "Omid Agent" in history
    assert "second reply" in history and "apology is there" in history
    tab.shot("qa-review-en")
    page = tab.open(f"{review_path}?lang=fa")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "اعتراض بخشی پذیرفته شد" in page.locator("[data-qa-list=history]").inner_text()
    tab.shot("qa-review-fa")
