"""Every parameter of every route checked, with one error shape (400 ``invalid_parameter``
naming the parameter): days in 1970-01-01 … 2075-12-31, ranges a period can show, no
control characters in any query, path or form parameter; 405s that say what is allowed;
an OpenAPI description that says all of this; a default range that never runs into the
future, however far ahead a stray ticket is dated."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pyarrow as pa
import pytest

from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._params import PageQuery, data_span, resolve

from .conftest import Api

AGENT = "demo:a-004"
#: every route that reads the dashboard's filters, HTML and JSON
ROUTES = [
    "/",
    "/api/overview",
    "/volume",
    "/api/volume",
    "/api/responsiveness",
    "/api/resolution",
    "/api/satisfaction",
    "/api/agents",
    "/customers",
    "/api/customers",
    f"/agents/{AGENT}",
    f"/api/agents/{AGENT}",
    "/download/overview/kpis.csv",
    f"/download/scorecard/kpis.xlsx?id={AGENT}",
]


def _error(r: httpx.Response, name: str) -> str:
    """The message of a 400 that names ``name``, in the one error shape."""
    assert r.status_code == 400, (r.status_code, r.text[:300])
    if r.headers["content-type"].startswith("text/html"):
        assert 'data-code="invalid_parameter"' in r.text and name in r.text
        return r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_parameter"
    assert error["message"].startswith(f"{name}: ") or f"{name}: " in error["message"]
    return str(error["message"])


def _with(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


# -- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
def test_a_day_far_out_of_range_is_a_400_on_every_route(api: Api, path: str) -> None:
    """``end=9999-12-31`` was a 500."""
    message = _error(api.get(_with(path, "end=9999-12-31")), "end")
    assert "outside 1970-01-01 … 2075-12-31" in message


@pytest.mark.parametrize(
    ("query", "name", "says"),
    [
        ("start=1969-12-31", "start", "outside"),
        ("end=2076-01-01", "end", "outside"),
        ("start=0001-01-01", "start", "outside"),
        ("start=2026-02-30", "start", "not a day"),
        ("start=2026-13-01", "start", "not a day"),
        ("start=%202026-10-01", "start", "not a day"),  # (no stray spaces)
        ("start=20261001", "start", "not a day"),
        ("start=2026-W40-1", "start", "not a day"),
        ("end=yesterday", "end", "not a day"),
        ("start=2026-10-10&end=2026-10-01", "end", "before it starts"),
        ("start=2016-01-01&end=2026-01-09", "start", "longer than 3660 days"),
        ("start=2025-10-01&end=2026-10-02&period=day", "period", "day: up to 366 days"),
        ("start=2021-10-01&end=2026-10-06&period=week", "period", "week: up to 1830"),
        ("period=fortnight", "period", "fortnight"),
        ("lang=xx", "lang", "xx"),
    ],
)
def test_bad_dates_and_ranges_name_their_parameter(
    api: Api, query: str, name: str, says: str
) -> None:
    assert says in _error(api.get(f"/api/overview?{query}"), name)


def test_the_edges_of_the_valid_days_are_valid(api: Api) -> None:
    first = api.json("/api/volume", start="1970-01-01")["filters"]
    assert (first["start"], first["end"]) == ("1970-01-01", "1970-01-28")
    last = api.json("/api/volume", end="2075-12-31")["filters"]
    assert (last["start"], last["end"]) == ("2075-12-04", "2075-12-31")
    # blank is "not given" (the filter form sends empty fields); native digits are read
    assert (
        api.json("/api/overview", start="", end="")["filters"]
        == api.json("/api/overview")["filters"]
    )
    persian = api.json("/api/overview", start="۲۰۲۶/۱۰/۰۱", end="٢٠٢٦-١٠-٠٧")["filters"]
    assert (persian["start"], persian["end"]) == ("2026-10-01", "2026-10-07")


def test_period_limits_are_checked_before_anything_is_computed(app: Any) -> None:
    source = app.state.source

    def period(start: str, end: str, asked: str) -> str:
        query = PageQuery.model_validate({"start": start, "end": end, "period": asked})
        return resolve(query, source, "en")[0].period

    assert period("2025-01-01", "2026-01-01", "day") == "day"  # 366 days
    assert period("2021-01-01", "2026-01-04", "week") == "week"  # 1830 days
    assert period("2016-01-01", "2026-01-01", "month") == "month"  # 3654 days
    assert period("2016-01-01", "2026-01-01", "auto") == "month"


# -- the default range --------------------------------------------------------------------


def test_the_default_range_ends_today_at_the_latest(app: Any) -> None:
    source = app.state.source
    last = source.dims.last_day
    plain = PageQuery.model_validate({})

    after = resolve(plain, source, "en", today=last + dt.timedelta(days=30))[0]
    assert (after.start, after.end) == (last - dt.timedelta(days=27), last)
    before = resolve(plain, source, "en", today=last - dt.timedelta(days=10))[0]
    assert before.end == last - dt.timedelta(days=10)
    assert before.start == last - dt.timedelta(days=37)
    # a start alone runs 28 days, but not past today; a start in the future runs 28 days
    today = last - dt.timedelta(days=10)
    begun = PageQuery.model_validate({"start": (today - dt.timedelta(days=5)).isoformat()})
    assert resolve(begun, source, "en", today=today)[0].end == today
    ahead = PageQuery.model_validate({"start": (today + dt.timedelta(days=5)).isoformat()})
    assert resolve(ahead, source, "en", today=today)[0].end == today + dt.timedelta(days=32)
    # the date picker offers the data's days up to the same day
    assert data_span(source, today=today) == (source.dims.first_day, today)


@pytest.fixture(scope="module")
def future_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A small store with one ticket dated in 2200 (written past the importer, which
    would reject it)."""
    path = tmp_path_factory.mktemp("future") / "future.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=200, seed=8)
        row = store.table("tickets").limit(1).to_pyarrow().to_pylist()[0]
        later = dt.datetime(2200, 1, 15, 10, tzinfo=dt.UTC)
        row.update(ticket_id="demo:t-future", created_at=later, updated_at=later)
        for key in ("solved_at", "closed_at"):
            if row.get(key) is not None:
                row[key] = later + dt.timedelta(hours=2)
        schema = store.table("tickets").schema().to_pyarrow()
        store.write("tickets", pa.Table.from_pylist([row], schema=schema))
    application = create_app(str(path), refresh_seconds=3600, warm=False)
    yield application
    application.state.source.store.close()


def test_a_ticket_dated_2200_does_not_empty_the_default_range(future_app: Any) -> None:
    """It used to: the default range was the 28 days before the last ticket's day. Now
    it ends on the last day of data up to today (the demo's last day)."""
    source = future_app.state.source
    assert source.dims.last_day.year == 2200  # (the stray ticket is in the facts)
    today = source.local_day(dt.datetime.now(dt.UTC))
    t = source.table("tickets")
    days = t.filter(t.ticket_id != "demo:t-future").created_at.max().to_pyarrow().as_py()
    real = source.local_day(days)
    assert real <= today
    overview = Api(future_app).json("/api/overview")
    assert overview["range"]["end"] == real.isoformat()
    created = next(c for c in overview["cards"] if c["kpi"] == "tickets_created")
    assert created["value"] and created["value"] > 0
    picker = Api(future_app).html("/")
    assert f'"last": "{real.isoformat()}"' in picker
    # with nothing up to "today", today itself
    assert resolve(PageQuery(), source, "en", today=dt.date(2000, 1, 1))[0].end == dt.date(
        2000, 1, 1
    )


# -- control characters ------------------------------------------------------------------


def test_a_nul_in_the_search_is_a_400_not_a_500(api: Api) -> None:
    """``/api/customers?q=%00`` reached the SQL compiler as a 500."""
    assert "U+0000" in _error(api.get("/api/customers?q=%00"), "q")
    _error(api.get("/customers?q=ab%00cd"), "q")  # the page: an error page, in HTML
    _error(api.get("/download/customers/customers.csv?q=%00"), "q")


@pytest.mark.parametrize(
    "name", ["start", "end", "team", "agent", "channel", "tag", "hours", "lang", "cal", "q"]
)
@pytest.mark.parametrize("char", ["%00", "%01", "%09", "%0A", "%1F", "%7F", "%C2%85"])
def test_control_characters_are_refused_in_every_query_parameter(
    api: Api, name: str, char: str
) -> None:
    code = {"%C2%85": "U+0085"}.get(char, f"U+00{char[1:]}")
    assert code in _error(api.get(f"/api/customers?{name}=x{char}y"), name)


def test_text_that_is_not_a_control_character_passes(api: Api) -> None:
    # a zero-width non-joiner (U+200C) is part of Persian words; RTL marks are text too
    found = api.json("/api/customers", q="می\u200cخواهم\u200f")
    assert found["q"] == "می\u200cخواهم\u200f"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/agents/demo:a-004%00", "agent_id"),
        ("/agents/demo%0Aa-004", "agent_id"),
        ("/api/customers/demo:c-000001%1B", "customer_id"),
        ("/download/over%00view/kpis.csv", "page"),
        ("/download/overview/kpis%7F.csv", "filename"),
        ("/api/qa/reviews/r%00", "review_id"),  # every route, the QA workflow's too
    ],
)
def test_control_characters_are_refused_in_every_path_parameter(
    api: Api, path: str, name: str
) -> None:
    _error(api.get(path), name)


def test_a_control_character_in_a_parameter_name_is_refused(api: Api) -> None:
    _error(api.get("/api/overview?ag%00ent=x"), "a query parameter's name")


def test_a_route_without_parameters_refuses_any(api: Api) -> None:
    """``/api/meta?lang=xx`` was a 200: an unknown parameter is a 400 on every route."""
    assert "unknown parameter" in _error(api.get("/api/meta?lang=xx"), "lang")
    assert api.get("/api/meta").status_code == 200


def _post(app: Any, path: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            sent = {"Accept": "application/json", **(headers or {})}
            return await client.post(path, headers=sent, **kw)

    return asyncio.run(go())


def test_control_characters_are_refused_in_form_fields(app: Any) -> None:
    """/login takes a form on every store (without users it only redirects)."""
    r = _post(app, "/login", data={"username": "a\x00b", "password": "x"})
    assert "U+0000" in _error(r, "username")
    r = _post(app, "/login", data={"username": "ab", "password": "x", "next": "/\x1b"})
    _error(r, "next")
    r = _post(app, "/login", files={"username": (None, "a\x07b"), "password": (None, "x")})
    assert "U+0007" in _error(r, "username")  # multipart too
    # tabs and line breaks are text in a form (comments and notes have them)
    r = _post(app, "/login", data={"username": "a\tb\r\nc", "password": "x"})
    assert r.status_code == 303
    # a file's bytes are the file's business
    r = _post(app, "/login", files={"f": ("a.txt", b"\x00\x01"), "username": (None, "ab")})
    assert r.status_code == 303
    # a body that claims to be a form and is not: the route's 400, never a 500
    r = _post(app, "/login", content=b"\x00", headers={"Content-Type": "multipart/form-data"})
    assert r.status_code == 400


# -- methods and the description ---------------------------------------------------------


def test_a_405_says_which_methods_the_path_answers(api: Api) -> None:
    async def ask(method: str, path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path)

    for method, path, allowed in [
        ("OPTIONS", "/api/meta", "GET"),
        ("TRACE", "/api/overview", "GET"),
        ("TRACE", "/api/qa/coaching", "GET, POST"),  # a page and an action, two routes
    ]:
        r = asyncio.run(ask(method, path))
        assert r.status_code == 405 and r.headers["allow"] == allowed, (path, r.headers)
        assert r.json()["error"]["type"] == "method_not_allowed"
        assert allowed in r.json()["error"]["message"]


def test_the_openapi_description_says_what_is_checked(api: Api) -> None:
    schema = api.json("/openapi.json")
    overview = schema["paths"]["/api/overview"]["get"]
    params = {p["name"]: p for p in overview["parameters"]}
    assert params["start"]["schema"]["anyOf"] == [
        {"type": "string", "format": "date"},
        {"type": "string", "maxLength": 0},
    ]
    assert "1970-01-01 … 2075-12-31" in params["end"]["description"]
    pattern = params["team"]["schema"]["items"]["pattern"]
    assert pattern == "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"400", "401"} <= set(operation["responses"]), (method, path)
            for p in operation.get("parameters", []):
                for s in [p["schema"], p["schema"].get("items", {}), *p["schema"].get("anyOf", [])]:
                    if s.get("type") == "string" and s.get("maxLength") != 0:
                        assert "pattern" in s or "format" in s or "enum" in s, (path, p)
    assert "503" in overview["responses"]
