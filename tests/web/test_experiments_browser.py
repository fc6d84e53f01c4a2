"""The experiments pages in a real browser (Debian's chromium driven by Playwright), in
Persian: right to left, the insights tabs lead to the list, a row to the experiment's
page with its verdict, the variants' table in Persian digits and the interval chart drawn
by the dashboard's own Plotly (served locally; no other host asked).

Skipped, with the reason, when chromium or the playwright package is missing (see
test_browser.py, whose fixtures these are)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._server import Server

from .test_browser import Tab, browser, tab  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
CONFIG = """
[[experiments]]
name = "greeting"
title = "Warm greeting"
variants = ["control", "warm"]
assignment = "hash"
metric = "csat"
guardrails = ["resolution_time"]
start = "2026-08-03"

[[experiments]]
name = "macro"
variants = ["old", "new"]
metric = "resolution_time"
design = "sequential"
start = "2026-08-03"
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over 500 demo tickets and two experiments (the local setup: no users)."""
    folder: Path = tmp_path_factory.mktemp("experiments-browser")
    path = folder / "x.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=500, seed=5, transcripts=False)
    (folder / "sanjeh.toml").write_text(CONFIG, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANJEH_CONFIG", str(folder / "sanjeh.toml"))
        app = create_app(str(path), warm=False)
    with Server(app) as url:
        yield url


def test_from_the_tabs_to_an_experiments_verdict_in_persian(
    tab: Tab,  # noqa: F811
    screenshots: Path,
) -> None:
    page = tab.open("/insights?lang=fa")
    page.locator("a[data-tab=experiments]").click()
    page.wait_for_load_state("networkidle")
    assert "/insights/experiments?lang=fa" in page.url
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "آزمایش‌ها"
    assert page.locator("a[data-tab=experiments]").get_attribute("aria-current") == "page"
    rows = page.locator("tr[data-experiment]")
    assert rows.count() == 2
    progress = page.locator("tr[data-experiment=greeting] [data-progress]").inner_text()
    assert re.search("[۰-۹]", progress) and not re.search("[0-9]", progress)
    # right to left: the table's first column sits on the right
    width = page.viewport_size["width"]
    box = page.locator("table[data-table=experiments] thead th").first.bounding_box()
    assert box is not None and box["x"] > width / 2

    page.locator("a[data-experiment-link=greeting]").click()
    page.wait_for_load_state("networkidle")
    tab.wait_for_charts()
    assert "/insights/experiments/greeting?lang=fa" in page.url
    assert page.locator("h1").inner_text() == "Warm greeting"
    verdict = page.locator("[data-verdict]")
    assert verdict.is_visible() and verdict.inner_text().strip()
    status = page.locator("[data-figure=status] .badge").inner_text()
    assert status in ("در حال گردآوری", "معنادار", "تفاوت قابل‌تشخیصی نیست")
    cells = page.locator("table[data-table=primary_variants] tbody tr").first.locator("td")
    assert re.search("[۰-۹]", cells.nth(1).inner_text())  # the value, in Persian digits
    chart = page.locator(".chart[data-chart=ci]")
    assert chart.get_attribute("data-drawn")
    assert chart.locator(".scatterlayer .trace").count() == 1
    assert page.locator("[data-design=fixed]").inner_text().startswith("افق ثابت")
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "experiment-fa.png"), full_page=True)
    assert tab.errors == []  # (and the tab fixture: no request to another host)
