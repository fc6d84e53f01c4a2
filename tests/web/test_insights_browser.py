"""/insights in a real browser (Debian's chromium driven by Playwright), in Persian: right
to left, the model cards with their calibration plots drawn by the dashboard's own
Plotly (served locally), inferred against answered CSAT and the churn list. The store is
test_insights_page.py's, without users (the local single-user setup).

Skipped, with the reason, when chromium or the playwright package is missing (see
test_browser.py, whose fixtures these are)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_browser import Tab, browser, tab  # noqa: F401 - fixtures
from .test_insights_page import _prepare

pytestmark = pytest.mark.browser
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    path = tmp_path_factory.mktemp("insights") / "predicted.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=300, seed=3)
    return path, _prepare(path, users=False)


@pytest.fixture(scope="module")
def server(written: tuple[Path, dict[str, Any]]) -> Iterator[str]:
    """The app over the store with predictions (``tab`` opens its pages here)."""
    app = create_app(str(written[0]), warm=False)
    with Server(app) as url:
        yield url


def test_the_predictions_page_in_persian(
    tab: Tab,  # noqa: F811
    written: tuple[Path, dict[str, Any]],
    screenshots: Path,
) -> None:
    span = written[1]["span"]
    page = tab.open(f"/insights?lang=fa&start={span['start']}&end={span['end']}")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "پیش‌بینی‌ها"
    # both calibration plots drawn by plotly.js (the page waits for every chart)
    for model in ("csat", "churn"):
        chart = page.locator(f".chart[data-chart=calibration_{model}]")
        assert chart.get_attribute("data-drawn")
        assert chart.locator("svg.main-svg").count() >= 1
        assert chart.locator(".scatterlayer .trace").count() == 2  # diagonal and model
    # the model's figures in Persian digits; the verdict against the baseline
    csat = page.locator("article[data-model=csat]")
    assert csat.locator("table[data-table=figures_csat] td").first.inner_text() == "۰٫۸۱۲"
    assert csat.get_attribute("data-beats") == "yes"
    # inferred CSAT flagged as predicted, beside answered CSAT
    assert page.locator("[data-insights=predicted]").is_visible()
    assert page.locator("[data-insights=unpredicted]").is_visible()
    value = page.locator("article[data-kpi=inferred_csat] [data-display]").inner_text()
    assert any(ch in PERSIAN_DIGITS for ch in value)
    # right to left: a table's first column sits on the right
    width = page.viewport_size["width"]
    box = page.locator("table[data-table=churn_risk] thead th").first.bounding_box()
    assert box is not None and box["x"] > width / 2
    first = page.locator("table[data-table=churn_risk] tbody tr").first
    assert first.locator("td").nth(3).inner_text() == "۹۸٫۰٪"
    assert first.locator("a").get_attribute("href").startswith("/customers/")
    screenshots.mkdir(parents=True, exist_ok=True)
    target = screenshots / "insights-fa.png"
    height = min(page.evaluate("document.body.scrollHeight"), 2600)
    page.screenshot(
        path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height}
    )
    assert target.stat().st_size > 10_000
