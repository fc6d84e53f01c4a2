"""/staffing and /api/staffing over the planning library (``sanjeh.staffing``): one view
model for the page and its twin, what-if parameters that change the plan without
reading the store again, every parameter checked, who may see it, and the page in
Persian (Jalali weeks, Persian digits, right to left) and Arabic (Hijri)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from argon2 import PasswordHasher
from markupsafe import escape

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._i18n import Locale

from .conftest import Api, Page

PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")
ARABIC_DIGITS = set("٠١٢٣٤٥٦٧٨٩")
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _required(model: dict[str, Any]) -> float:
    """Agent-intervals required over the horizon."""
    return sum(r["required"] or 0 for r in model["tables"]["intervals"]["rows"])


def _raw(value: object) -> str:
    return "" if value is None else str(value)


# -- the page and its twin -------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{}, {"lang": "fa", "aht": "600", "interval": "60"}, {"lang": "ar", "channel": "chat"}],
    ids=["default", "fa-what-if", "ar-chat"],
)
def test_html_and_json_show_the_same_numbers(api: Api, params: dict[str, str]) -> None:
    model = api.json("/api/staffing", **params)
    page = Page(api.html("/staffing", **params))
    assert page.root["lang"] == model["locale"]["lang"]
    assert set(page.cards) == {c["kpi"] for c in model["cards"]}
    for card in model["cards"]:
        assert page.cards[card["kpi"]] == {"value": _raw(card["value"]), "display": card["display"]}
    for key, table in model["tables"].items():
        rows = [r for r in page.tables[key] if r]
        expected = [[_raw(row[c["key"]]) for c in table["columns"]] for row in table["rows"]]
        assert rows == expected, key
    for name, chart in model["charts"].items():
        assert json.loads(page.charts[name]) == chart["figure"], name


def test_the_page_shows_inputs_with_their_source_notes_and_hiring(api: Api) -> None:
    model = api.json("/api/staffing")
    text = api.html("/staffing")
    inputs = {row["name"]: row for row in model["inputs"]}
    # the demo's calls measure AHT and patience, its shifts the shrinkage
    for name in ("aht", "patience", "shrinkage"):
        assert inputs[name]["basis"] == "measured", inputs[name]
        assert inputs[name]["detail"] and str(escape(inputs[name]["detail"])) in text
        assert f'data-input="{name}" data-basis="measured"' in text
    assert str(escape(model["hiring"]["answer"])) in text
    # chat tickets record no handle time: the page says so instead of a number
    chat = api.json("/api/staffing", channel="chat")
    assert {r["name"]: r for r in chat["inputs"]}["aht"]["basis"] == "none"
    assert any("handle time" in note for note in chat["notes"])
    assert all(r["required"] is None for r in chat["tables"]["intervals"]["rows"])
    assert "data-notes" in api.html("/staffing", channel="chat")


def test_an_empty_store_has_nothing_to_plan_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    Store.open(str(path)).close()
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    try:
        api = Api(app)
        model = api.json("/api/staffing", channel="phone", aht="300")
        assert model["horizon"]["start"] is None and model["tables"]["intervals"]["rows"] == []
        assert any("nothing to plan" in note for note in model["notes"])
        assert model["hiring"]["hires"] == 0 and model["hiring"]["hire_by"] is None
        assert "data-notes" in api.html("/staffing", lang="fa")
    finally:
        app.state.source.store.close()


def test_every_channel_team_and_queue_of_the_store_is_offered(api: Api, app: Any) -> None:
    model = api.json("/api/staffing")
    dims = app.state.source.dims
    assert {c["id"] for c in model["choices"]["channel"]} == set(dims.channels) | {"phone"}
    assert {t["id"] for t in model["choices"]["team"]} == set(dims.teams)
    queue = model["choices"]["queue"][0]["id"]
    team = model["choices"]["team"][0]["id"]
    for params in ({"queue": queue}, {"team": team}, {"channel": "email", "team": team}):
        assert api.json("/api/staffing", **params)["options"]["channel"] in ("phone", "email")


# -- what-if ----------------------------------------------------------------------------------


def test_a_longer_handle_time_needs_more_agents(api: Api) -> None:
    measured = api.json("/api/staffing")
    longer = api.json("/api/staffing", aht="3000")
    assert _required(longer) > _required(measured)
    assert {r["name"]: r for r in longer["inputs"]}["aht"] == {
        **{r["name"]: r for r in longer["inputs"]}["aht"],
        "value": 3000.0,
        "basis": "option",
    }
    # the week table follows: hours required grow with the handle time
    hours = [r["required_hours"] for r in longer["tables"]["weeks"]["rows"]]
    before = [r["required_hours"] for r in measured["tables"]["weeks"]["rows"]]
    assert all(a > b for a, b in zip(hours, before, strict=True))


def test_a_tighter_target_needs_more_agents_and_a_looser_one_fewer(api: Api) -> None:
    tight = api.json("/api/staffing", aht="3000", target="5")
    loose = api.json("/api/staffing", aht="3000", target="600")
    assert _required(tight) > _required(loose)
    tight_sl = {c["kpi"]: c for c in tight["cards"]}["service_level"]["value"]
    assert tight_sl >= 0.8  # the plan meets its target wherever it staffs
    assert {r["name"]: r for r in tight["inputs"]}["target"]["basis"] == "option"


def test_a_what_if_change_reads_the_store_once(api: Api, app: Any) -> None:
    """The inputs (database reads, forecast) are cached on options.inputs_key(): five
    what-if variants of one workload load them once; another interval loads anew."""
    source = app.state.source

    def loaded() -> list[Any]:
        return [k for (_, k) in list(source._memo) if k[0] == "staffing_inputs"]

    before = len(loaded())
    for aht in ("200", "250", "300"):
        api.json("/api/staffing", aht=aht, interval="15", weeks="2")
    api.json("/api/staffing", interval="15", weeks="2", shrinkage="0.5", model="erlang_c")
    api.json("/api/staffing", interval="15", weeks="2", attrition="0.2", ramp="2")
    assert len(loaded()) == before + 1
    api.json("/api/staffing", interval="60", weeks="2")
    assert len(loaded()) == before + 2


def test_weekly_hours_and_the_grid_recomputed_from_the_intervals(api: Api) -> None:
    """Independent recompute (pandas over the twin's interval rows): weekly hours are the
    intervals' agents × interval length summed per week; each heat-map cell is the
    mean gap of that weekday and hour."""
    model = api.json("/api/staffing", aht="900", interval="30")
    rows = pd.DataFrame(model["tables"]["intervals"]["rows"])
    start = pd.to_datetime(rows.start.str.slice(0, 19))  # local wall time
    first = dt.date.fromisoformat(model["tables"]["weeks"]["rows"][0]["week_start"])
    week = (start.dt.normalize() - pd.Timestamp(first)).dt.days // 7
    required = (rows.required * 0.5).groupby(week).sum()
    for i, row in enumerate(model["tables"]["weeks"]["rows"]):
        assert row["required_hours"] == pytest.approx(required[i])
    gaps = (rows.scheduled - rows.required).groupby([start.dt.weekday, start.dt.hour]).mean()
    figure = model["charts"]["gaps"]["figure"]["data"][0]
    order = [day for day, _ in Locale.of("en").weekdays()]
    for (weekday, hour), gap in gaps.items():
        assert figure["z"][order.index(weekday)][hour] == pytest.approx(gap)
    assert figure["zmid"] == 0  # shortage and surplus diverge from zero


def test_attrition_makes_a_week_short_and_says_when_to_hire(api: Api) -> None:
    model = api.json("/api/staffing", weeks="26", attrition="0.99", ramp="4", aht="900")
    hiring = model["hiring"]
    assert hiring["first_short_week"] is not None and hiring["hires"] > 0
    short = dt.date.fromisoformat(hiring["first_short_week"])
    assert dt.date.fromisoformat(hiring["hire_by"]) == short - dt.timedelta(weeks=4)
    weeks = {r["week_start"]: r for r in model["tables"]["weeks"]["rows"]}
    assert weeks[hiring["first_short_week"]]["short"] == "Short"


# -- parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "name", "says"),
    [
        ("weeks=0", "weeks", "greater than or equal to 1"),
        ("weeks=27", "weeks", "less than or equal to 26"),
        ("weeks=2.5", "weeks", "integer"),
        ("interval=20", "interval", "use 15, 30 or 60"),
        ("service_level=1", "service_level", "less than 1"),
        ("service_level=0", "service_level", "greater than 0"),
        ("target=0", "target", "greater than or equal to 0.001"),
        ("target=-5", "target", "greater than or equal to 0.001"),
        ("aht=0", "aht", "greater than or equal to 0.001"),
        ("aht=5e-324", "aht", "greater than or equal to 0.001"),  # (schemathesis)
        ("aht=nan", "aht", "finite"),
        ("aht=1e9", "aht", "less than or equal to"),
        ("shrinkage=1", "shrinkage", "less than 1"),
        ("shrinkage=-0.1", "shrinkage", "greater than or equal to 0"),
        ("attrition=1", "attrition", "less than 1"),
        ("attrition=inf", "attrition", "finite"),
        ("ramp=53", "ramp", "less than or equal to 52"),
        ("ramp=-1", "ramp", "greater than or equal to 0"),
        ("max_occupancy=0", "max_occupancy", "greater than or equal to 0.1"),
        ("max_occupancy=1e-300", "max_occupancy", "greater than or equal to 0.1"),
        ("sla_hours=0.5", "sla_hours", "greater than or equal to 1"),
        ("max_occupancy=1.5", "max_occupancy", "less than or equal to 1"),
        ("concurrency=0", "concurrency", "greater than or equal to 1"),
        ("model=erlang_b", "model", "erlang_c"),
        ("channel=fax", "channel", "unknown channel 'fax'"),
        ("team=nobody", "team", "unknown team 'nobody'"),
        ("queue=nowhere", "queue", "unknown queue 'nowhere'"),
        ("channel=chat&queue=care", "queue", "phone channel"),
        ("lang=xx", "lang", "fa"),
        ("start=2026-01-01", "start", "unknown parameter"),
        ("aht=%00", "aht", "control character"),
    ],
)
def test_bad_parameters_are_400s_naming_the_parameter(
    api: Api, query: str, name: str, says: str
) -> None:
    for path in ("/api/staffing", "/staffing"):
        r = api.get(f"{path}?{query}")
        assert r.status_code == 400, (path, query, r.text[:300])
        if path.startswith("/api"):
            error = r.json()["error"]
            assert error["type"] == "invalid_parameter"
            assert error["message"].startswith(f"{name}: "), error
            assert says in error["message"], error
        else:
            assert 'data-code="invalid_parameter"' in r.text


def test_blank_fields_of_the_form_are_not_given(api: Api) -> None:
    blank = {k: "" for k in ("aht", "patience", "shrinkage", "target", "weeks", "interval")}
    assert api.json("/api/staffing", **blank) == api.json("/api/staffing")
    # Persian digits typed into the form are numbers too
    assert api.json("/api/staffing", aht="۳۰۰۰") == api.json("/api/staffing", aht="3000")


def test_the_openapi_description_documents_the_parameters(api: Api) -> None:
    schema = api.json("/openapi.json")
    operation = schema["paths"]["/api/staffing"]["get"]
    params = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert {"weeks", "interval", "aht", "target", "service_level", "ramp"} <= set(params)
    weeks = params["weeks"]["anyOf"][0]
    assert (weeks["minimum"], weeks["maximum"]) == (1, 26)
    assert params["interval"]["anyOf"][0]["enum"] == [15, 30, 60]
    assert {"400", "401", "403"} <= set(operation["responses"])


# -- who may see it ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokens(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("staffing-users") / "users.duckdb"
    shutil.copy(demo_path, path)
    with Store.open(str(path)) as store:
        accounts = Accounts(store, hasher=FAST)
        for role in ("admin", "manager", "reviewer", "agent"):
            agent = "demo:a-004" if role == "agent" else None
            accounts.add_user(LOCAL_ADMIN, role, "correct horse battery", role, role, agent)
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    issued = {
        role: app.state.accounts.issue_token(LOCAL_ADMIN, role, "tests")
        for role in ("admin", "manager", "reviewer", "agent")
    }
    yield app, issued
    app.state.source.store.close()


def _as(app: Any, token: str, path: str) -> httpx.Response:
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, headers={"Authorization": f"Bearer {token}"})

    return asyncio.run(fetch())


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("manager", 200), ("reviewer", 200), ("agent", 403)]
)
def test_agents_may_not_see_the_staffing_plan(
    tokens: tuple[Any, dict[str, str]], role: str, status: int
) -> None:
    app, issued = tokens
    for path in ("/api/staffing", "/staffing", "/api/staffing?aht=-1"):
        r = _as(app, issued[role], path)
        expected = 400 if status == 200 and "aht" in path else status
        assert r.status_code == expected, (role, path, r.text[:200])
    if status == 403:
        error = _as(app, issued[role], "/api/staffing").json()["error"]
        assert error == {
            "type": "permission_denied",
            "message": "a user with the agent role may not see the staffing plan",
        }


def test_the_navigation_links_the_page(api: Api) -> None:
    text = api.html("/", lang="en")
    assert 'data-nav="staffing"' in text and ">Staffing</a>" in text


# -- languages, calendars, digits -------------------------------------------------------------


def _week_cells(text: str) -> list[str]:
    """The shown text of the weeks table's first column."""
    table = text.split('data-table="weeks"', 1)[1].split("</table>", 1)[0]
    cells = table.split('<td class="u-date"')[1:]
    return [c.split(">", 1)[1].split("</td>", 1)[0] for c in cells]


def test_the_persian_page_is_right_to_left_with_jalali_weeks_and_persian_digits(
    api: Api,
) -> None:
    model = api.json("/api/staffing", lang="fa")
    text = api.html("/staffing", lang="fa")
    assert '<html lang="fa" dir="rtl">' in text
    fa = Locale.of("fa")
    weeks = [dt.date.fromisoformat(r["week_start"]) for r in model["tables"]["weeks"]["rows"]]
    assert _week_cells(text) == [fa.date(w) for w in weeks]
    months = fa.month_names()
    assert all(any(m in cell for m in months) for cell in _week_cells(text))  # Jalali months
    assert all(
        set(c) & PERSIAN_DIGITS and not any(d.isascii() and d.isdigit() for d in c)
        for c in _week_cells(text)
    )
    assert (
        model["horizon"]["label"]
        == f"{fa.date(weeks[0])} – {fa.date(weeks[-1] + dt.timedelta(days=6))}"
    )
    for card in model["cards"]:
        assert not any(ch.isascii() and ch.isdigit() for ch in card["display"]), card
    # the gap heat map is mirrored: hours run right to left, the colour bar on the left
    layout = model["charts"]["gaps"]["figure"]["layout"]
    assert layout["xaxis"]["autorange"] == "reversed"
    assert model["charts"]["gaps"]["figure"]["data"][0]["colorbar"]["x"] < 0


def test_the_arabic_page_shows_hijri_weeks_in_arabic_digits(api: Api) -> None:
    model = api.json("/api/staffing", lang="ar")
    text = api.html("/staffing", lang="ar")
    assert '<html lang="ar" dir="rtl">' in text
    ar = Locale.of("ar")
    assert ar.calendar == "hijri"
    weeks = [dt.date.fromisoformat(r["week_start"]) for r in model["tables"]["weeks"]["rows"]]
    cells = _week_cells(text)
    assert cells == [ar.date(w) for w in weeks]
    assert all(set(c) & ARABIC_DIGITS for c in cells)
    assert any(m in cells[0] for m in ar.month_names())
    # and a hire-by date, when there is one, in the same calendar
    hiring = api.json("/api/staffing", lang="ar", weeks="26", attrition="0.99", aht="900")
    by = dt.date.fromisoformat(hiring["hiring"]["hire_by"])
    assert hiring["hiring"]["hire_by_display"] == ar.date(by)
    assert ar.date(by) in hiring["hiring"]["answer"] or "الآن" in hiring["hiring"]["answer"]
