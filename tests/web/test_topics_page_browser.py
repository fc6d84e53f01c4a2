"""/insights/topics in a real browser (Debian's chromium driven by Playwright): the
hand-built store of test_topics_page.py in Persian, right to left; the insights tabs lead
to it; a topic row with its article link and the knowledge-gap row visible.

Skipped, with the reason, when chromium or the playwright package is missing (see
test_browser.py, whose fixtures these are)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_browser import Tab, browser, tab  # noqa: F401 - fixtures
from .test_topics_page import RANGE, load

pytestmark = pytest.mark.browser
DATES = f"start={RANGE['start']}&end={RANGE['end']}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the hand-built store (``tab`` opens its pages here)."""
    path: Path = tmp_path_factory.mktemp("topics") / "t.duckdb"
    with Store.open(str(path)) as store:
        load(store)
    app = create_app(str(path), warm=False)
    with Server(app) as url:
        yield url


def test_the_tab_leads_to_the_topics_in_persian(tab: Tab, screenshots: Path) -> None:  # noqa: F811
    page = tab.open(f"/insights/priority?lang=fa&{DATES}")
    assert page.get_attribute("html", "dir") == "rtl"
    page.locator("nav.insights-tabs a[data-tab=topics]").click()
    page.wait_for_url("**/insights/topics**")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("nav.insights-tabs a[aria-current=page]").get_attribute("data-tab") == (
        "topics"
    )
    # (the tab keeps the language only: the dates come from the data's last day)
    row = page.locator("table[data-table=topics_fa] tr[data-topic=fa-00]")
    assert row.is_visible()
    assert "بازگشت وجه" in row.inner_text()
    link = row.locator("a[data-article]")
    assert link.get_attribute("href") == "https://help.example.com/fa/refunds"
    gap = page.locator("table[data-table=knowledge_gaps] tr[data-gap=en-00]")
    assert gap.is_visible() and "parcel" in gap.inner_text()
    # Persian digits in the figures; right to left: the first column on the right
    assert any(ch in row.inner_text() for ch in "۰۱۲۳۴۵۶۷۸۹")
    width = page.viewport_size["width"]
    box = page.locator("table[data-table=topics_fa] thead th").first.bounding_box()
    assert box is not None and box["x"] > width / 2
    cards = page.locator("[data-deflection] article[data-kpi]")
    assert cards.count() == 4
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "topics-fa.png"), full_page=True)


def test_the_page_in_english_left_to_right(tab: Tab) -> None:  # noqa: F811
    page = tab.open(f"/insights/topics?lang=en&{DATES}")
    assert page.get_attribute("html", "dir") == "ltr"
    rows = page.locator("table[data-table=topics_en] tbody tr")
    ids = rows.evaluate_all("rows => rows.map(r => r.dataset.topic)")
    assert ids == ["en-00", "en-01"]
    assert page.locator("tr[data-topic=en-00] [data-uncovered]").is_visible()
