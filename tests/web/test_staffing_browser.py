"""/staffing in a real browser (Debian's chromium driven by Playwright): the what-if form
is a GET form, so changing the handle time changes the URL and the plan.

Skipped, with the reason, when chromium or the playwright package is missing (see
test_browser.py, whose fixtures these are)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from .test_browser import Tab, browser, server, tab  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _required(t: Tab) -> float:
    value = t.page.get_attribute("article[data-kpi=peak_required]", "data-value")
    return float(value or 0)


def _agent_intervals(t: Tab) -> float:
    """Agent-intervals required over the horizon, from the chart the browser drew."""
    return float(
        t.page.evaluate(
            "() => document.querySelector('.chart[data-chart=agents]').data[0].y"
            ".reduce((a, b) => a + (b || 0), 0)"
        )
    )


def test_changing_the_handle_time_changes_the_url_and_the_agents_required(tab: Tab) -> None:  # noqa: F811
    page = tab.open("/staffing?lang=fa")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("a[data-nav=staffing]").get_attribute("aria-current") == "page"
    peak, total = _required(tab), _agent_intervals(tab)
    assert total > 0
    # the gap heat map and the agents chart are drawn, numbers in Persian digits
    ticks = page.locator("#chart-gaps .xtick text").all_text_contents()
    assert ticks and all(not any(c.isascii() and c.isdigit() for c in t) for t in ticks)
    page.fill("#s-aht", "3000")
    with page.expect_navigation(wait_until="networkidle"):
        page.click("[data-apply]")
    tab.wait_for_charts()
    query = parse_qs(urlparse(page.url).query)
    assert query["aht"] == ["3000"] and query["lang"] == ["fa"]
    assert "weeks" not in query  # blank fields stay out of the URL
    assert page.input_value("#s-aht") == "3000"
    assert _required(tab) >= peak and _agent_intervals(tab) > total
    basis = page.get_attribute("tr[data-input=aht]", "data-basis")
    assert basis == "option"
