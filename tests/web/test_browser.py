"""The dashboard in a real browser (Debian's chromium driven by Playwright).

Skipped, with the reason, when chromium or the playwright package is missing; see
DEVELOPERS.md. Takes screenshots of every page in fa and en: into docs/screenshots/ with
``pytest --screenshots``, else into a temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from sanjeh.web import create_app
from sanjeh.web._server import Server

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AGENT = "demo:a-004"


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
def server(demo_path: Path) -> Iterator[str]:
    app = create_app(str(demo_path), warm=False)
    with Server(app) as url:
        yield url


class Tab:
    """A page that records console errors and every request it makes."""

    def __init__(self, browser: Any, base: str, lang: str = "fa") -> None:
        self.base = base
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="fa-IR" if lang == "fa" else "en-US"
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path, wait_until="networkidle")
        self.wait_for_charts()
        return self.page

    def wait_for_charts(self) -> None:
        self.page.wait_for_function(
            "Array.from(document.querySelectorAll('.chart')).every(c => c.dataset.drawn)"
        )

    def cards(self) -> dict[str, tuple[str, str]]:
        found = self.page.eval_on_selector_all(
            "article[data-kpi]",
            "els => els.map(e => [e.dataset.kpi, e.dataset.value,"
            " e.querySelector('[data-display]').textContent.trim()])",
        )
        return {k: (v, d) for k, v, d in found}

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any, server: str) -> Iterator[Tab]:
    t = Tab(browser, server)
    yield t
    local = {urlparse(server).netloc}
    outside = [
        u
        for u in t.requests
        if urlparse(u).netloc not in local and not u.startswith(("data:", "blob:"))
    ]
    t.close()
    assert not outside, f"requests left the server: {outside}"
    assert not t.errors, f"console errors: {t.errors}"


def test_overview_loads_in_persian_right_to_left(tab: Tab) -> None:
    page = tab.open("/?lang=fa")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "fa"
    assert page.locator("h1").inner_text() == "نمای کلی"
    assert len(tab.cards()) >= 8
    # Persian digits on the cards and inside the Plotly chart
    assert any(ch in "۰۱۲۳۴۵۶۷۸۹" for ch in page.locator(".card .value").first.inner_text())
    ticks = page.locator("#chart-flow .ytick text").all_text_contents()
    assert ticks and all(not any(c.isascii() and c.isdigit() for c in t) for t in ticks)


def test_switching_to_english_flips_the_layout(tab: Tab) -> None:
    page = tab.open("/?lang=fa")
    width = page.viewport_size["width"]
    brand_fa = page.locator(".brand").bounding_box()
    assert brand_fa["x"] > width / 2  # right-to-left: the brand sits on the right
    page.click("[data-lang-link=en]")
    page.wait_for_load_state("networkidle")
    tab.wait_for_charts()
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator(".brand").bounding_box()["x"] < width / 2
    assert page.locator("h1").inner_text() == "Overview"


def test_applying_a_filter_shows_the_apis_numbers(tab: Tab, server: str) -> None:
    page = tab.open("/?lang=en")
    before = tab.cards()
    page.select_option("#f-channel", "chat")
    page.select_option("#f-priority", "high")
    page.click("[data-apply]")
    page.wait_for_url("**channel=chat**")
    tab.wait_for_charts()
    query = urlparse(page.url).query
    assert "start=" not in query  # empty fields stay out of the shared URL
    after = tab.cards()
    api = httpx.get(f"{server}/api/overview?{query}").json()
    assert after == {
        c["kpi"]: ("" if c["value"] is None else str(c["value"]), c["display"])
        for c in api["cards"]
    }
    assert after["tickets_created"] != before["tickets_created"]


def test_date_picker_works_in_the_jalali_calendar(tab: Tab) -> None:
    page = tab.open("/?lang=fa")
    page.click("#start-shown")
    title = page.locator(".picker-title").inner_text()
    assert any(month in title for month in ("مهر", "آبان", "شهریور"))
    page.locator(".picker-grid button", has_text="۱۵").first.click()
    shown = page.input_value("#start-shown")
    assert shown.startswith("۱۵ ")
    page.click("[data-apply]")
    page.wait_for_url("**start=**")
    tab.wait_for_charts()
    start = page.locator(".range").get_attribute("data-start")
    assert page.input_value("#start-shown") == shown and start in page.url


def test_an_agents_scorecard_opens_from_the_leaderboard(tab: Tab) -> None:
    page = tab.open("/agents?lang=en")
    link = page.locator("table[data-table=agents] a").first
    name = link.inner_text()
    link.click()
    page.wait_for_url("**/agents/demo*")
    tab.wait_for_charts()
    assert page.locator("h1").inner_text() == name
    assert page.locator("body").get_attribute("data-page") == "scorecard"
    assert len(tab.cards()) >= 4 and page.locator(".card .team").count() >= 4


def test_screenshots_of_every_page_in_persian_and_english(
    tab: Tab, server: str, screenshots: Path
) -> None:
    customers = httpx.get(f"{server}/api/customers").json()["tables"]["customers"]["rows"]
    quiet = min(customers, key=lambda r: r["tickets"])["customer_id"]  # a short history
    pages = {
        "overview": "/",
        "responsiveness": "/responsiveness",
        "resolution": "/resolution",
        "volume": "/volume",
        "satisfaction": "/satisfaction",
        "agents": "/agents",
        "scorecard": f"/agents/{AGENT}",
        "customers": "/customers",
        "timeline": f"/customers/{quiet}",
    }
    screenshots.mkdir(parents=True, exist_ok=True)
    for lang in ("fa", "en"):
        for name, path in pages.items():
            page = tab.open(f"{path}?lang={lang}")
            assert page.get_attribute("html", "dir") == ("rtl" if lang == "fa" else "ltr")
            height = min(page.evaluate("document.body.scrollHeight"), 2200)
            target = screenshots / f"{name}-{lang}.png"
            page.screenshot(
                path=str(target),
                full_page=True,
                clip={"x": 0, "y": 0, "width": 1280, "height": height},
            )
            assert target.stat().st_size > 10_000
