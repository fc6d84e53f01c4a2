"""/alerts and its JSON twin /api/alerts over the demo store with two rules: the rules with
their last evaluation and the fired alerts, in fa / ar / en (right to left, Persian and
Arabic digits, Jalali and Hijri dates); and the page in a real browser, in Persian."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanjeh.web import create_app
from sanjeh.web._server import Server

from .conftest import Api
from .test_browser import Tab, browser  # noqa: F401 - the browser fixture

RULES = """
[[alerts]]
name = "csat-low"
kpi = "csat"
condition = "threshold"
period = "week"
by = "team"
below = 0.8

[[alerts]]
name = "volume"
kpi = "tickets_created"
condition = "anomaly"
period = "week"
history = 200
"""


@pytest.fixture(scope="module")
def app(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("alerts-page")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_path, db)
    (folder / "sanjeh.toml").write_text(RULES, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANJEH_CONFIG", str(folder / "sanjeh.toml"))
        application = create_app(str(db), refresh_seconds=3600, warm=False)
    application.state.alerts.evaluate()  # (what the server does at startup)
    yield application
    with contextlib.suppress(Exception):  # (the browser test's server closed it)
        application.state.source.store.close()


@pytest.fixture(scope="module")
def api(app: Any) -> Api:
    return Api(app)


def test_the_twin_holds_the_rules_their_evaluation_and_the_alerts(api: Api) -> None:
    data = api.json("/api/alerts")
    assert [r["name"] for r in data["rules"]] == ["csat-low", "volume"]
    csat, volume = data["rules"]
    fired = [v for v in csat["last"] if v["status"] == "fired"]
    assert fired and all(v["value"] < 0.8 and v["bound"] == 0.8 for v in fired)
    assert {v["status"] for v in csat["last"]} <= {"fired", "ok", "not_evaluable"}
    assert csat["counts"]["fired"] == len(fired)
    # two hundred earlier weeks of demo data do not exist (the weeks before it count 0 tickets,
    # which is no history): said, not fired
    (quiet,) = volume["last"]
    assert quiet["status"] == "not_evaluable"
    assert quiet["reason"].startswith("not enough history: ") and "needs 200" in quiet["reason"]
    assert sorted(a["alert_id"] for a in data["fired"]) == sorted(v["alert_id"] for v in fired)
    assert all(a["delivery"] == "none" and a["fired_at"] for a in data["fired"])
    assert data["counts"]["alerts"] == len(fired) and data["evaluated_at"]


def test_a_second_evaluation_fires_nothing_new(app: Any, api: Api) -> None:
    before = api.json("/api/alerts")["fired"]
    results = app.state.alerts.evaluate()
    assert [r for r in results if r.new] == []
    assert api.json("/api/alerts")["fired"] == before


@pytest.mark.parametrize(
    ("lang", "direction", "title", "digit"),
    [
        ("fa", "rtl", "هشدارها", "۰۱۲۳۴۵۶۷۸۹"),
        ("ar", "rtl", "التنبيهات", "٠١٢٣٤٥٦٧٨٩"),
        ("en", "ltr", "Alerts", "0123456789"),
    ],
)
def test_the_page_in_each_language(
    api: Api, lang: str, direction: str, title: str, digit: str
) -> None:
    html = api.html("/alerts", lang=lang)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<h1>{title}</h1>" in html
    ids = re.findall(r'data-alert="([^"]+)"', html)
    assert sorted(ids) == sorted(a["alert_id"] for a in api.json("/api/alerts")["fired"])
    row = html.split('data-alert="')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert any(ch in cells[4] for ch in digit)  # the value, in the language's digits
    assert 'data-rule="volume"' in html and 'data-status="not_evaluable"' in html
    assert 'href="/api/alerts' in html  # the footer links the twin


@pytest.mark.browser
def test_the_fired_alerts_in_persian_right_to_left(app: Any, browser: Any) -> None:  # noqa: F811
    with Server(app) as url:
        expected = httpx.get(f"{url}/api/alerts", timeout=30).json()["fired"]
        view = Tab(browser, url)
        try:
            page = view.open("/alerts?lang=fa")
            assert page.get_attribute("html", "dir") == "rtl"
            rows = page.locator("[data-alerts-fired] tbody tr[data-alert]")
            assert rows.count() == len(expected) > 0
            first = rows.first
            assert first.is_visible()
            assert "پایین‌تر از" in first.locator("td").nth(5).inner_text()
            assert re.search("[۰-۹]", first.locator("td").nth(4).inner_text())
            # right to left: the table's first column sits on the right
            width = page.viewport_size["width"]
            box = page.locator("[data-alerts-fired] thead th").first.bounding_box()
            assert box is not None and box["x"] > width / 2
            assert view.errors == []
        finally:
            view.context.close()
