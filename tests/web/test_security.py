"""Untrusted input stays data: escaped in pages, bound in queries, inert in spreadsheets."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._render import table_frame

from .conftest import Api

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

SCRIPT = '<script>alert("x")</script>'


def test_search_text_is_escaped_in_the_page(api: Api) -> None:
    html = api.html("/customers", q=SCRIPT)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_error_messages_are_escaped(api: Api) -> None:
    r = api.get("/", agent='"><img src=x onerror=alert(1)>')
    assert r.status_code == 400
    assert "<img" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_search_text_never_becomes_sql(api: Api) -> None:
    everyone = api.json("/api/customers")["tables"]["customers"]["rows"]
    injected = api.json("/api/customers", q="' OR 1=1 --")["tables"]["customers"]["rows"]
    assert everyone and injected == []


def test_chart_data_cannot_close_its_script_element(api: Api) -> None:
    html = api.html("/agents")
    body = html.split('<script type="application/json" data-chart-for="solved">', 1)[1]
    data = body.split("</script>", 1)[0]
    assert "<" not in data  # Jinja's tojson writes < as \\u003c


def test_every_response_carries_a_strict_content_policy(api: Api) -> None:
    for path in ("/", "/api/overview", "/static/app.js", "/api/agents/nobody"):
        headers = api.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "script-src 'self';" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


def test_spreadsheet_cells_never_start_a_formula() -> None:
    table: dict[str, Any] = {
        "columns": [
            {"key": "comment", "label": "c", "unit": "verbatim", "href": None},
            {"key": "n", "label": "n", "unit": "count", "href": None},
        ],
        "rows": [{"comment": '=HYPERLINK("http://x")', "n": -1}, {"comment": "ok\x07", "n": 2}],
    }
    frame = table_frame(table)
    assert list(frame.comment) == ['\'=HYPERLINK("http://x")', "ok"]
    assert list(frame.n) == [-1, 2]  # numbers stay numbers


def test_the_server_binds_to_this_machine_by_default() -> None:
    import inspect

    from sanjeh.web import serve

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


# -- an agent sees no other agent's name (#23, item 12) -------------------------------------
# The resolution page's breach list and the satisfaction page's comments named each row's
# agent, so an agent could rebuild the leaderboard they may not see. For the agent role every
# page, JSON twin, download and the filter values name no other agent (bots excepted).

OWN = "demo:a-001"
#: pages and downloads an agent may open (each twin is checked beside its page)
AGENT_VIEWS = [
    "/",
    "/responsiveness",
    "/resolution",
    "/volume",
    "/satisfaction",
    f"/agents/{OWN}",
    "/customers",
]


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A store with a manager and an agent (``OWN``), and the range of all its data."""
    path = tmp_path_factory.mktemp("names") / "names.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=400, seed=12)
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "boss", "correct horse battery", "manager", "Boss")
        accounts.add_user(LOCAL_ADMIN, "ali", "correct horse battery", "agent", "Ali", OWN)
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    accounts = app.state.accounts
    dims = app.state.source.dims
    others = [a for a in dims.agents.values() if a.id != OWN and not a.is_bot]
    span = {"start": max(dims.first_day, dims.last_day - dt.timedelta(days=365)).isoformat()}
    yield {
        "app": app,
        "manager": accounts.issue_token(LOCAL_ADMIN, "boss", "t"),
        "agent": accounts.issue_token(LOCAL_ADMIN, "ali", "t"),
        "names": {a.name for a in others},
        "ids": {a.id for a in others},
        "own": dims.agents[OWN].name,
        "query": {**span, "end": dims.last_day.isoformat()},
    }
    app.state.source.store.close()


def _as(named: dict[str, Any], role: str, path: str, *, dated: bool = True) -> httpx.Response:
    """GET ``path`` as ``role`` (with the range of all the data, when ``dated``)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=named["app"])
        headers = {"Authorization": f"Bearer {named[role]}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=headers
        ) as client:
            return await client.get(path, params=named["query"] if dated else None)

    r = asyncio.run(go())
    assert r.status_code == 200, (role, path, r.text[:300])
    return r


def _agents_named(rows: list[dict[str, Any]], key: str, names: set[str]) -> set[str]:
    return {str(r[key]) for r in rows} & names


def test_the_breach_list_and_comments_name_only_the_agents_own_tickets(
    named: dict[str, Any],
) -> None:
    names, own = named["names"], named["own"]
    for page, table in (("resolution", "breaches"), ("satisfaction", "comments")):
        boss = _as(named, "manager", f"/api/{page}").json()["tables"][table]["rows"]
        assert _agents_named(boss, "agent", names), page  # (the leak this guards against)
        rows = _as(named, "agent", f"/api/{page}").json()["tables"][table]["rows"]
        assert len(rows) == len(boss)  # the same rows, without the others' names
        assert not _agents_named(rows, "agent", names), page
        assert {r["agent"] for r in rows} <= {own, "Agent", "—"} | _bots(named)
        hrefs = {r.get("agent_href") for r in rows} - {None}
        assert hrefs <= {f"/agents/{OWN}"}, hrefs
        csv = _as(named, "agent", f"/download/{page}/{table}.csv").text
        assert not {n for n in names if n in csv}, page


def _bots(named: dict[str, Any]) -> set[str]:
    return {a.name for a in named["app"].state.source.dims.agents.values() if a.is_bot}


@pytest.mark.parametrize("path", AGENT_VIEWS)
def test_no_page_or_twin_shows_an_agent_another_agents_name(
    named: dict[str, Any], path: str
) -> None:
    twin = "/api" + ("/overview" if path == "/" else path)
    for shown in (_as(named, "agent", path).text, _as(named, "agent", twin).text):
        assert not {i for i in named["ids"] if i in shown}, path  # ids nowhere
        if path != "/customers":  # (customers' own names may be anyone's)
            assert not {n for n in named["names"] if n in shown}, path
    page = _as(named, "agent", path).text
    options = page.split('id="f-agent"', 1)[1].split("</select>", 1)[0]
    assert named["own"] in options and not {n for n in named["names"] if n in options}


def test_a_customer_timeline_names_no_other_agent(named: dict[str, Any]) -> None:
    boss = _as(named, "manager", "/api/resolution").json()["tables"]["breaches"]["rows"]
    theirs = next(r for r in boss if r["agent"] in named["names"])
    path = theirs["customer_href"]
    full = _as(named, "manager", "/api" + path).json()["tables"]["timeline"]["rows"]
    assert _agents_named(full, "actor_label", named["names"])
    rows = _as(named, "agent", "/api" + path).json()["tables"]["timeline"]["rows"]
    assert len(rows) == len(full)
    assert not _agents_named(rows, "actor_label", named["names"])
    assert not {r["actor_id"] for r in rows} & named["ids"]


def test_meta_lists_only_the_agents_own_name(named: dict[str, Any]) -> None:
    boss = _as(named, "manager", "/api/meta", dated=False).json()["agents"]
    assert {a["name"] for a in boss} >= named["names"]
    mine = _as(named, "agent", "/api/meta", dated=False).json()["agents"]
    assert mine == [{"id": OWN, "name": named["own"]}]
