"""A call's transcript on the review page in a real browser (Debian's chromium through
Playwright), in Persian: right to left, speakers apart, the silence and the overtalk
marked, and the jump links landing on their place in the timeline.

Skipped, with the reason, when chromium or the playwright package is missing (see
test_browser.py, whose fixtures these are)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_browser import Tab, browser, tab  # noqa: F401 - fixtures
from .test_qa_review_calls import make_store

pytestmark = pytest.mark.browser
IDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path: Path = tmp_path_factory.mktemp("review-calls") / "demo.duckdb"
    IDS["call"], IDS["ticket"] = make_store(path)
    app = create_app(str(path), warm=False)
    with Server(app) as url:
        yield url


def test_the_transcript_timeline_right_to_left(tab: Tab) -> None:  # noqa: F811
    page = tab.open(f"/qa/review/{IDS['ticket']}?lang=fa")
    assert page.get_attribute("html", "dir") == "rtl"
    call = page.locator(f"section.qa-call[data-call='{IDS['call']}']")
    assert call.is_visible()
    rows = call.locator("ol.qa-call-timeline > li")
    assert rows.count() == 5  # four segments and the 5 s silence between them
    silence = rows.nth(2)
    assert "سکوت" in silence.inner_text() and "۵٫۰ ثانیه" in silence.inner_text()
    # the figures in Persian words too: the longest silence is "۵٫۰ ثانیه", not "5.0 s"
    figure = call.locator("[data-figure=longest_silence_s] dd")
    assert figure.inner_text() == "۵٫۰ ثانیه"
    # both sides of the 2 s overtalk are marked
    assert call.locator("li.overtalk").count() == 2
    # agent and customer turns are told apart by class (colour)
    assert call.locator("li.speaker-agent").count() == 2
    assert call.locator("li.speaker-customer").count() == 2
    # the apology in the agent's transcript is highlighted as AutoQA evidence
    assert call.locator("mark[data-analyzer=apology]").count() >= 1
    # right to left: a turn's offset link sits on the right of its row
    row_box = rows.first.bounding_box()
    when_box = rows.first.locator("a.when").bounding_box()
    assert row_box is not None and when_box is not None
    assert when_box["x"] > row_box["x"] + row_box["width"] / 2
    # "longest silence" jumps to the silence row
    call.locator(".qa-call-jumps a").first.click()
    assert page.evaluate("location.hash") == f"#{IDS['call']}-t2"
    assert page.evaluate("document.querySelector(':target').classList.contains('silence')")
