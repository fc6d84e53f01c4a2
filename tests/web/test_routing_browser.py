"""/insights/routing in a real browser (Debian's chromium driven by Playwright), in
Persian and English: right to left, Persian digits, the level switch, and
``POST /api/route`` called from the page's own session with its CSRF token (the page's
``csrf-token`` meta; without it the POST is refused: tests/web/test_route_api.py).

Skipped, with the reason, when chromium or the playwright package is missing (see
test_browser.py, whose fixtures these are)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_browser import Tab, browser, tab  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over 1,500 demo tickets (``tab`` opens its pages here)."""
    path: Path = tmp_path_factory.mktemp("routing") / "routing.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=1500, seed=5, transcripts=False)
    app = create_app(str(path), warm=False)
    with Server(app) as url:
        yield url


def test_routing_in_persian_right_to_left(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/insights/routing?lang=fa")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "پیشنهاد مسیردهی"
    skills = page.locator("table[data-table=skills]")
    assert skills.is_visible()
    assert skills.locator("tbody tr[data-agent]").count() >= 3
    # right to left: the table's first column sits on the right
    width = page.viewport_size["width"]
    box = skills.locator("thead th").first.bounding_box()
    assert box is not None and box["x"] > width / 2
    # figures in Persian digits
    share = page.locator("[data-figure=hard_share] .value").inner_text()
    assert set(share) & PERSIAN_DIGITS and not set(share) & set("0123456789")
    # the level switch: by language, the kinds are the languages
    page.locator("a[data-by=language]").click()
    page.wait_for_load_state("networkidle")
    assert "by=language" in page.url and "lang=fa" in page.url
    kinds = set(page.eval_on_selector_all("tr[data-kind]", "els => els.map(e => e.dataset.kind)"))
    assert kinds and kinds <= {"fa", "ar", "en"}


def test_the_page_session_asks_the_api(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/insights/routing?lang=en")
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator("a[data-by=category]").get_attribute("aria-current") == "true"
    # the agent in the first row of the first kind, asked for through the API
    first = page.locator("table[data-table=skills] tbody tr[data-agent]").first
    kind = first.get_attribute("data-kind")
    agent = first.get_attribute("data-agent")
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    assert token
    answer = page.evaluate(
        """async ([category, token]) => {
            const r = await fetch('/api/route', {method: 'POST',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token},
                body: JSON.stringify({category})});
            return [r.status, await r.json()];
        }""",
        [kind, token],
    )
    status, body = answer
    assert status == 200, body
    assert body["kind"] == {"category": kind}
    assert agent in [a["agent_id"] for a in body["agents"]]
