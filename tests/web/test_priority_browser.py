"""/insights/priority in a real browser (Debian's chromium driven by Playwright): the
queue of the hand-built store (tests/prioritysupport.py) in Persian, right to left, and
in English; the breached ticket marked, the reasons shown.

Skipped, with the reason, when chromium or the playwright package is missing (see
test_browser.py, whose fixtures these are)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from prioritysupport import load
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_browser import Tab, browser, tab  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
ORDER = ["q:A", "q:C", "q:B", "q:E", "q:D", "q:H"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the hand-built store (``tab`` opens its pages here)."""
    path: Path = tmp_path_factory.mktemp("priority") / "p.duckdb"
    with Store.open(str(path)) as store:
        load(store)
    app = create_app(str(path), warm=False)
    with Server(app) as url:
        yield url


def test_the_queue_in_persian_right_to_left(tab: Tab, screenshots: Path) -> None:  # noqa: F811
    page = tab.open("/insights/priority?lang=fa")
    assert page.get_attribute("html", "dir") == "rtl"
    queue = page.locator("table[data-table=priority_queue]")
    assert queue.is_visible()
    ids = queue.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.ticket)")
    assert ids == ORDER
    first = queue.locator("tbody tr").first
    assert first.locator("td").first.inner_text() == "۱"
    assert "قطعی «is down»" in first.locator("[data-reasons]").inner_text()
    assert queue.locator("tr[data-breached]").get_attribute("data-ticket") == "q:B"
    # the accuracy KPIs at the top, above the queue
    cards = page.locator("[data-accuracy] article[data-kpi]")
    assert cards.evaluate_all("cs => cs.map(c => c.dataset.kpi)") == [
        "urgent_precision",
        "urgent_missed_rate",
    ]
    top = cards.first.bounding_box()
    table_box = queue.bounding_box()
    assert top is not None and table_box is not None and top["y"] < table_box["y"]
    # right to left: the rank column sits on the right
    width = page.viewport_size["width"]
    box = queue.locator("thead th").first.bounding_box()
    assert box is not None and box["x"] > width / 2
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "priority-fa.png"), full_page=True)


def test_the_queue_in_english_links_to_the_timeline(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/insights/priority?lang=en")
    assert page.get_attribute("html", "dir") == "ltr"
    link = page.locator("table[data-table=priority_queue] tbody tr").first.locator("a")
    assert link.inner_text() == "q:A"
    link.click()
    page.wait_for_url("**/customers/q:c4**")
    assert "q:A" in page.content()
