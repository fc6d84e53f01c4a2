"""/calls in a real browser (Debian's chromium driven by Playwright), in Persian: right to
left, with the worst-calls table of the five hand-computed calls (see
test_calls_page.py).

Skipped, with the reason, when chromium or the playwright package is missing (see
test_browser.py, whose fixtures these are)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics.test_speech_kpis import load
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_browser import Tab, browser, tab  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the five calls (``tab`` opens its pages here)."""
    path: Path = tmp_path_factory.mktemp("calls") / "calls.duckdb"
    with Store.open(str(path)) as store:
        load(store)
    app = create_app(str(path), warm=False)
    with Server(app) as url:
        yield url


def test_the_worst_calls_in_persian_right_to_left(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/calls?lang=fa&start=2026-03-01&end=2026-03-03")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("a[data-nav=calls]").get_attribute("aria-current") == "page"
    worst = page.locator("table[data-table=worst_silence]")
    assert worst.is_visible()
    ids = worst.locator("tbody tr td:first-child").all_text_contents()
    assert ids == ["t:c3", "t:c1", "t:c2"]  # silence 20 %, 16.7 %, 10 %
    # the figure in Persian digits, the start date in the Jalali calendar
    first = worst.locator("tbody tr").first
    assert first.locator("td").last.inner_text() == "۲۰٫۰٪"
    assert "۱۱ اسفند ۱۴۰۴" in first.locator("td").nth(2).inner_text()
    # right to left: the table's first column sits on the right
    width = page.viewport_size["width"]
    box = worst.locator("thead th").first.bounding_box()
    assert box is not None and box["x"] > width / 2
    assert not page.locator("[data-speech=none]").count()
