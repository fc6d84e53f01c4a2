"""The HTML page and its JSON twin show the same numbers (one view model makes both)."""

from __future__ import annotations

import json

import pytest

from sanjeh.web.views import PAGES

from .conftest import Api, Page

AGENT = "demo:a-004"
FILTERS = {"channel": "chat", "lang": "fa"}


def _pairs(api: Api, every: bool) -> list[tuple[str, str]]:
    if not every:  # a sample of pages is enough to show filters and fa reach both twins
        return [
            ("/", "/api/overview"),
            ("/responsiveness", "/api/responsiveness"),
            ("/satisfaction", "/api/satisfaction"),
        ]
    customer = api.json("/api/customers")["tables"]["customers"]["rows"][0]["customer_id"]
    pages = [(p.path, f"/api/{name}") for name, p in PAGES.items()]
    return [
        *pages,
        (f"/agents/{AGENT}", f"/api/agents/{AGENT}"),
        (f"/customers/{customer}", f"/api/customers/{customer}"),
    ]


def _raw(value: object) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("params", [{}, FILTERS], ids=["default", "filtered-fa"])
def test_html_and_json_show_the_same_numbers(api: Api, params: dict[str, str]) -> None:
    for html_path, json_path in _pairs(api, every=not params):
        model = api.json(json_path, **params)
        page = Page(api.html(html_path, **params))
        assert page.root["lang"] == model["locale"]["lang"]
        # cards: the raw value and the text shown
        assert set(page.cards) == {c["kpi"] for c in model["cards"]}, html_path
        for card in model["cards"]:
            shown = page.cards[card["kpi"]]
            assert shown["value"] == _raw(card["value"]), (html_path, card["kpi"])
            assert shown["display"] == card["display"]
        # tables: every cell's raw value, row by row
        for key, table in model["tables"].items():
            if key not in page.tables:
                continue  # the timeline is drawn as a list; its table is a download
            rows = [r for r in page.tables[key] if r]
            expected = [[_raw(row[c["key"]]) for c in table["columns"]] for row in table["rows"]]
            assert rows == expected, (html_path, key)
        # charts: the figure the browser draws is the figure the API returns
        for name, chart in model["charts"].items():
            assert json.loads(page.charts[name]) == chart["figure"], (html_path, name)


def test_filters_change_the_numbers(api: Api) -> None:
    everything = {c["kpi"]: c for c in api.json("/api/overview")["cards"]}
    chat = {c["kpi"]: c for c in api.json("/api/overview", channel="chat")["cards"]}
    assert chat["tickets_created"]["value"] < everything["tickets_created"]["value"]
    assert chat["first_reply_time"]["value"] != everything["first_reply_time"]["value"]
