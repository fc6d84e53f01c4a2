"""Every endpoint answers, in the documented shapes; bad input gets one error shape."""

from __future__ import annotations

import io

import openpyxl
import pytest

from sanjeh.web._schema import Meta, PageModel
from sanjeh.web.views import PAGES

from .conftest import Api

AGENT = "demo:a-004"


def _customer(api: Api) -> str:
    return api.json("/api/customers")["tables"]["customers"]["rows"][0]["customer_id"]


@pytest.mark.parametrize("name", list(PAGES))
def test_page_twins_answer_in_the_documented_shape(api: Api, name: str) -> None:
    model = PageModel.model_validate(api.json(f"/api/{name}"))
    assert model.page == name
    assert model.locale.lang == "en" and model.locale.dir == "ltr"
    assert model.tables, "every page has at least one downloadable table"
    html = api.html(PAGES[name].path)
    assert f'data-page="{name}"' in html


def test_overview_has_the_headline_kpis_with_targets_and_trends(api: Api) -> None:
    model = api.json("/api/overview")
    cards = {c["kpi"]: c for c in model["cards"]}
    assert {"tickets_created", "first_reply_time", "csat", "sla_achievement"} <= set(cards)
    frt = cards["first_reply_time"]
    assert frt["target"] == 86400.0 and frt["status"] in ("met", "missed")
    assert len(frt["trend"]) == 28  # one point per day of the default four weeks
    assert frt["previous"] is not None and frt["change"] == pytest.approx(
        frt["value"] - frt["previous"]
    )


def test_scorecard_compares_the_agent_with_team_and_target(api: Api) -> None:
    model = PageModel.model_validate(api.json(f"/api/agents/{AGENT}"))
    raw = api.json(f"/api/agents/{AGENT}")
    assert raw["agent"]["id"] == AGENT and raw["agent"]["team_id"]
    assert model.cards and all("team" in c for c in raw["cards"])
    assert "tickets" in model.tables and "kpis" in model.tables
    assert 'data-page="scorecard"' in api.html(f"/agents/{AGENT}")


def test_customer_timeline_is_in_time_order_across_channels(api: Api) -> None:
    customer = _customer(api)
    raw = api.json(f"/api/customers/{customer}")
    PageModel.model_validate(raw)
    rows = raw["tables"]["timeline"]["rows"]
    assert rows and raw["counts"]["ticket"] >= 1
    times = [r["at"] for r in rows]
    assert times == sorted(times)
    assert {r["kind"] for r in rows} >= {"ticket", "message"}
    assert 'class="timeline"' in api.html(f"/customers/{customer}")


def test_customer_search_finds_by_id_fragment(api: Api) -> None:
    customer = _customer(api)
    found = api.json("/api/customers", q=customer.split(":")[1])
    assert customer in [r["customer_id"] for r in found["tables"]["customers"]["rows"]]


def test_meta_lists_the_filter_values(api: Api) -> None:
    meta = Meta.model_validate(api.json("/api/meta"))
    assert AGENT in [a.id for a in meta.agents]
    assert "chat" in meta.channels and meta.languages == ["fa", "ar", "en"]
    assert meta.first_day <= meta.last_day


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("/download/overview/kpis", "kpis"),
        ("/download/agents/agents", "agents"),
        ("/download/volume/arrivals", "arrivals"),
        (f"/download/scorecard/kpis?id={AGENT}", "kpis"),
    ],
)
def test_tables_download_as_csv_and_xlsx(api: Api, path: str, table: str) -> None:
    base, _, query = path.partition("?")
    page = base.split("/")[2]
    twin = api.json(f"/api/{page}" if page != "scorecard" else f"/api/agents/{AGENT}")
    rows = twin["tables"][table]["rows"]
    keys = [c["key"] for c in twin["tables"][table]["columns"]]
    csv = api.get(f"{base}.csv" + (f"?{query}" if query else ""))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",") == keys and len(lines) == len(rows) + 1
    xlsx = api.get(f"{base}.xlsx" + (f"?{query}" if query else ""))
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == keys and sheet.max_row == len(rows) + 1


def test_openapi_documents_every_json_endpoint(api: Api) -> None:
    spec = api.json("/openapi.json")
    paths = set(spec["paths"])
    assert {f"/api/{name}" for name in PAGES} <= paths
    assert {"/api/agents/{agent_id}", "/api/customers/{customer_id}", "/api/meta"} <= paths
    overview = spec["paths"]["/api/overview"]["get"]
    names = {p["name"] for p in overview["parameters"]}
    assert {
        "start",
        "end",
        "team",
        "agent",
        "channel",
        "priority",
        "tag",
        "language",
        "lang",
        "cal",
        "digits",
    } <= names
    assert "400" in overview["responses"]


def test_assets_are_served_from_the_package(api: Api) -> None:
    plotly = api.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and plotly.content.startswith(b"/**\n* plotly.js")
    for asset in ("/static/app.js", "/static/app.css", "/static/favicon.svg"):
        assert api.get(asset).status_code == 200


BAD = [
    ("/api/overview?agent=nobody", 400, "agent"),
    ("/api/overview?team=demo:nope", 400, "team"),
    ("/api/overview?channel=pigeon", 400, "channel"),
    ("/api/overview?language=xx", 400, "language"),
    ("/api/overview?start=2026-10-10&end=2026-10-01", 400, "before it starts"),
    ("/api/overview?start=2026-13-01", 400, "start"),
    ("/api/overview?end=yesterday", 400, "end"),
    ("/api/overview?start=1800-01-01", 400, "outside"),
    ("/api/overview?lang=xx", 400, "lang"),
    ("/api/overview?cal=mayan", 400, "cal"),
    ("/api/overview?agnet=demo:a-004", 400, "unknown parameter"),
    ("/api/agents?period=fortnight", 400, "period"),
    ("/api/agents/nobody", 404, "nobody"),
    ("/api/customers/nobody", 404, "nobody"),
    ("/api/nothing-here", 404, "no page"),
    ("/download/overview/kpis.pdf", 404, "csv"),
    ("/download/overview/nope.csv", 404, "no table"),
    ("/download/nope/kpis.csv", 404, "no page"),
    ("/download/scorecard/kpis.csv", 400, "id"),
]


@pytest.mark.parametrize(("path", "status", "says"), BAD)
def test_bad_requests_get_one_error_shape(api: Api, path: str, status: int, says: str) -> None:
    r = api.get(path)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    assert body["error"]["type"] == ("not_found" if status == 404 else "invalid_parameter")
    assert says in body["error"]["message"]


def test_html_pages_answer_errors_as_a_page_in_the_users_language(api: Api) -> None:
    r = api.get("/", lang="fa", agent="nobody")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert 'dir="rtl"' in r.text and "nobody" in r.text
    missing = api.get("/agents/nobody")
    assert missing.status_code == 404 and 'data-code="not_found"' in missing.text


def test_concurrent_requests_share_the_connection_safely(api: Api) -> None:
    """Cold views in parallel threads: one DuckDB connection, queries taken in turn."""
    from concurrent.futures import ThreadPoolExecutor

    from sanjeh.web._limits import Limits

    # several turns and room for every request: this is about the connection, not the
    # busy-server limits (tests/web/test_load_limits.py)
    source = api.app.state.source
    saved, source.limits = source.limits, Limits(computations=4, queue=32, computations_per_user=32)
    paths = [
        f"/api/{page}?priority={p}&hours=calendar"
        for page in ("overview", "volume", "customers")
        for p in ("low", "normal", "high", "urgent")
    ]
    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda path: api.get(path).status_code, paths))
    finally:
        source.limits = saved
    assert statuses == [200] * len(paths)
