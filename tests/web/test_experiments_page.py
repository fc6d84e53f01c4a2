"""/insights/experiments and /insights/experiments/{name} with their JSON twins (#21).

Over a demo store of its own with users and three ``[[experiments]]`` in a sanjeh.toml
of the test's own: ``greeting`` (hash assignment, CSAT, a guardrail), ``macro`` (the
assignments table, resolution time, sequential) and ``skewed`` (imported assignments
far from its weights: the sample-ratio mismatch is flagged). The figures are checked
against the library (the twin holds its results whole) and, for ``greeting``,
recomputed here with pandas from the facts and the definitions (the hash, the Wilson
interval, the pooled z-test); the SRM p-value with scipy's chi-square. Who may see:
everyone who sees the dashboard (agents too), nobody without a login; an unknown
experiment is 404 in the one error shape; the pages in fa / ar / en."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
from argon2 import PasswordHasher
from scipy import stats

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.experiments import get_experiment, results
from sanjeh.settings import load_settings
from sanjeh.store import Store
from sanjeh.web import create_app

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
START = dt.date(2026, 8, 3)
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
title = "Short macro"
variants = ["old", "new"]
metric = "resolution_time"
design = "sequential"
start = "2026-08-03"

[[experiments]]
name = "skewed"
variants = ["a", "b"]
metric = "fcr"
start = "2026-08-03"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("experiments-page")
    path = folder / "x.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=600, seed=5, transcripts=False)
        accounts = Accounts(store, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "boss", PASSWORD, "manager")
        accounts.add_user(LOCAL_ADMIN, "ali", PASSWORD, "agent", agent_id="demo:a-001")
        tokens = {
            "manager": accounts.issue_token(LOCAL_ADMIN, "boss", "bi", write=True),
            "agent": accounts.issue_token(LOCAL_ADMIN, "ali", "laptop"),
        }
        ids = [str(t) for t in store.table("tickets").order_by("ticket_id").ticket_id.to_pyarrow()]
        # "skewed": 180 tickets, 9 in 10 given "a" (weights 1:1) by the helpdesk
        store.write(
            "experiment_assignments",
            [
                {
                    "assignment_id": f"helpdesk:skewed/{t}",
                    "source": "helpdesk",
                    "experiment": "skewed",
                    "ticket_id": t,
                    "variant": "b" if i % 10 == 0 else "a",
                    "assigned_at": dt.datetime(2026, 8, 3, 8, 0),
                    "method": "imported",
                }
                for i, t in enumerate(ids[:180])
            ],
        )
    (folder / "sanjeh.toml").write_text(CONFIG, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANJEH_CONFIG", str(folder / "sanjeh.toml"))
        app = create_app(str(path), refresh_seconds=3600, warm=False)
        settings = load_settings()
    app.state.accounts.hasher = FAST
    yield {"app": app, "tokens": tokens, "tickets": ids, "settings": settings}
    app.state.intake.stop()
    app.state.source.stop()
    app.state.source.store.close()


def call(
    site: dict[str, Any], method: str, path: str, who: str = "manager", **kw: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {site['tokens'][who]}"} if who else {}

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=site["app"])
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, headers=headers, **kw)

    return asyncio.run(go())


def twin(site: dict[str, Any], path: str, **params: str) -> Any:
    r = call(site, "GET", "/api" + path, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def page(site: dict[str, Any], path: str, **params: str) -> str:
    r = call(site, "GET", path, params=params)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def test_the_list_names_each_experiment_with_its_status_and_progress(
    site: dict[str, Any],
) -> None:
    data = twin(site, "/insights/experiments")
    assert data["page"] == "experiments" and data["message"] is None
    found = {x["name"]: x for x in data["experiments"]}
    assert list(found) == ["greeting", "macro", "skewed"]  # (as declared)
    greeting = found["greeting"]
    assert greeting["variants"] == ["control", "warm"] and greeting["control"] == "control"
    assert (greeting["metric"], greeting["design"]) == ("csat", "fixed")
    assert greeting["href"] == "/insights/experiments/greeting"
    assert found["skewed"]["status"] == "srm" and found["skewed"]["srm"]
    assert found["macro"]["design"] == "sequential"
    store = site["app"].state.source.store
    for name, x in found.items():
        expected = results(store, get_experiment(name, site["settings"])).as_dict()
        assert x["status"] == expected["status"] and x["verdict"] == expected["verdict"]
        progress = expected["progress"]
        assert x["progress"]["n"] == sum(progress["n"].values())
        need = progress["required"]
        assert x["progress"]["required"] == (sum(need.values()) if need else None)
    html = page(site, "/insights/experiments")
    rows = dict(re.findall(r'<tr data-experiment="([^"]+)" data-status="([^"]+)">', html))
    assert rows == {n: x["status"] for n, x in found.items()}
    assert 'href="/insights/experiments/greeting"' in html
    assert 'data-tab="experiments" aria-current="page"' in html
    assert 'href="/api/insights/experiments' in html  # the footer links the twin


def _hashed(ticket: str) -> str:
    digest = hashlib.sha256(f"greeting\x1fgreeting\x1f{ticket}".encode()).digest()
    return "control" if int.from_bytes(digest[:8], "big") / 2**64 < 0.5 else "warm"


def _wilson(x: float, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_greeting_recomputed_from_the_facts_and_the_definitions(site: dict[str, Any]) -> None:
    data = twin(site, "/insights/experiments/greeting")
    source = site["app"].state.source
    with source.db_lock:
        tickets = source.store.con.table("facts_tickets").to_pandas()
        surveys = source.store.con.table("facts_surveys").to_pandas()
    as_of = pd.Timestamp(data["as_of"].removesuffix("Z"), tz="UTC")
    lo = (START - dt.date(1970, 1, 1)).days * 86_400
    t = tickets[
        (tickets.created_local >= lo)
        & ~tickets.is_merged.fillna(False).astype(bool)
        & (tickets.created_at < as_of)
    ].copy()
    t["variant"] = [_hashed(str(x)) for x in t.ticket_id]
    csat = surveys[(surveys.survey == "csat") & surveys.answered & surveys.ticket_id.notna()]
    last = csat.sort_values("at").groupby("ticket_id").tail(1).set_index("ticket_id")
    t["ok"] = t.ticket_id.map(last.satisfied)
    answered = t[t.ok.notna()]
    z = stats.norm.ppf(0.975)
    rows = {v["variant"]: v for v in data["primary"]["variants"]}
    shares = {}
    for variant in ("control", "warm"):
        got = answered[answered.variant == variant].ok.astype(float)
        n, x = len(got), float(got.sum())
        shares[variant] = (x, n)
        assert rows[variant]["n"] == n > 20
        assert rows[variant]["value"] == pytest.approx(x / n)
        assert rows[variant]["ci"] == pytest.approx(list(_wilson(x, n, z)))
    # the pooled two-proportion z-test of warm against control
    (x1, n1), (x2, n2) = shares["control"], shares["warm"]
    pooled = (x1 + x2) / (n1 + n2)
    zz = (x2 / n2 - x1 / n1) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    (c,) = data["primary"]["comparisons"]
    assert c["variant"] == "warm" and c["test"] == "two-proportion z-test (pooled)"
    assert c["effect"] == pytest.approx(x2 / n2 - x1 / n1)
    assert c["relative"] == pytest.approx((x2 / n2 - x1 / n1) / (x1 / n1))
    assert c["p_value"] == pytest.approx(2 * stats.norm.sf(abs(zz)))
    # the SRM check counts every ticket in the test, with a value or not
    assigned = t.variant.value_counts().to_dict()
    assert data["srm"]["counts"] == assigned
    expected = stats.chisquare([assigned["control"], assigned["warm"]]).pvalue
    assert data["srm"]["p_value"] == pytest.approx(expected)


def test_the_detail_twin_holds_the_library_results(site: dict[str, Any]) -> None:
    source = site["app"].state.source
    for name in ("greeting", "macro", "skewed"):
        data = twin(site, f"/insights/experiments/{name}")
        experiment = get_experiment(name, site["settings"])
        with source.db_lock:
            found = results(source.store, experiment, as_of=source.as_of).as_dict()
        assert data["results"] == found, name
        assert data["status"] == found["status"] and data["verdict"] == found["verdict"]
        assert [v["n"] for v in data["primary"]["variants"]] == [
            v["n"] for v in found["primary"]["variants"]
        ]
        assert [g["metric"] for g in data["guardrails"]] == list(experiment.guardrails)


def test_the_page_shows_the_twins_figures(site: dict[str, Any]) -> None:
    data = twin(site, "/insights/experiments/greeting", lang="en")
    html = page(site, "/insights/experiments/greeting", lang="en")
    assert f'data-verdict="{data["status"]}"' in html
    assert data["verdict"] in html
    body = html.split('data-table="primary_variants"', 1)[1].split("</table>", 1)[0]
    for v in data["primary"]["variants"]:
        row = body.split(f'data-variant="{v["variant"]}"', 1)[1].split("</tr>", 1)[0]
        values = re.findall(r'data-value="([^"]*)"', row)
        assert values[:2] == [str(v["n"]), str(v["value"])]
        assert v["ci_display"] in row
    comparisons = html.split('data-table="primary_comparisons"', 1)[1].split("</table>", 1)[0]
    (c,) = data["primary"]["comparisons"]
    assert f'data-value="{c["p_value"]}"' in comparisons and c["p_display"] in comparisons
    assert "two-proportion z-test (pooled)" in comparisons
    assert 'data-metric="resolution_time"' in html  # the guardrail
    assert 'data-chart-for="ci"' in html
    assert "Fixed horizon: judge once" in html
    assert 'data-srm="ok"' in html and 'data-srm="mismatch"' not in html
    # each variant's point and interval in the chart, in percent
    (trace,) = data["charts"]["ci"]["figure"]["data"]
    assert trace["x"] == ["control", "warm"]
    first = data["primary"]["variants"][0]
    assert trace["y"][0] == pytest.approx(first["value"] * 100)
    assert trace["error_y"]["arrayminus"][0] == pytest.approx(
        (first["value"] - first["ci"][0]) * 100
    )


def test_a_sample_ratio_mismatch_is_a_warning(site: dict[str, Any]) -> None:
    data = twin(site, "/insights/experiments/skewed")
    assert data["status"] == "srm" and data["srm"]["flag"]
    counts = data["srm"]["counts"]
    assert sum(counts.values()) <= 180 and counts["a"] > 5 * counts["b"]
    assert data["srm"]["p_value"] == pytest.approx(
        stats.chisquare([counts["a"], counts["b"]]).pvalue
    )
    assert data["verdict"].startswith("do not trust these results")
    html = page(site, "/insights/experiments/skewed", lang="en")
    alert = html.split('role="alert" data-srm="mismatch">', 1)[1].split("</p>", 1)[0]
    assert alert.startswith("Sample-ratio mismatch") and "Do not trust" in alert
    fa = page(site, "/insights/experiments/skewed", lang="fa")
    assert "ناهمخوانی نسبت نمونه" in fa.split('data-srm="mismatch">', 1)[1]


def test_the_sequential_design_is_said(site: dict[str, Any]) -> None:
    data = twin(site, "/insights/experiments/macro")
    assert data["summary"]["design"] == "sequential"
    assert data["design_display"].startswith("Sequential: the interval and p-value stay valid")
    assert data["primary"]["unit"] == "seconds"


def test_an_assignment_shows_at_once(site: dict[str, Any]) -> None:
    before = twin(site, "/insights/experiments/macro")
    assert sum(before["results"]["assigned"].values()) == 0
    ids = site["tickets"][200:320]
    r = call(site, "POST", "/api/experiments/macro/assign", json={"ticket_ids": ids})
    assert r.status_code == 200, r.text
    after = twin(site, "/insights/experiments/macro")
    assigned = after["results"]["assigned"]
    variants = {a["ticket_id"]: a["variant"] for a in r.json()["assignments"]}
    # (tickets created before the start or merged take no part)
    assert 0 < sum(assigned.values()) <= len(ids)
    assert set(assigned) == {"old", "new"}
    assert all(assigned[v] <= list(variants.values()).count(v) for v in ("old", "new"))
    listed = {x["name"]: x for x in twin(site, "/insights/experiments")["experiments"]}
    assert listed["macro"]["verdict"] == after["verdict"]


def test_unknown_experiment_is_404(site: dict[str, Any]) -> None:
    r = call(site, "GET", "/api/insights/experiments/nope")
    assert r.status_code == 404
    assert r.json() == {
        "error": {
            "type": "not_found",
            "message": "no experiment 'nope'; configured: greeting, macro, skewed",
        }
    }
    r = call(site, "GET", "/insights/experiments/nope")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert call(site, "GET", "/api/insights/experiments/a%00b").status_code == 400


def test_who_may_see(site: dict[str, Any]) -> None:
    for path in ("/insights/experiments", "/insights/experiments/greeting"):
        assert call(site, "GET", path, who="agent").status_code == 200
        assert call(site, "GET", "/api" + path, who="agent").status_code == 200
        r = call(site, "GET", "/api" + path, who="")
        assert r.status_code == 401 and r.json()["error"]["type"] == "not_authenticated"
        r = call(site, "GET", path, who="")  # (a browser is sent to the login form)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # an agent may look, not assign
    r = call(
        site,
        "POST",
        "/api/experiments/macro/assign",
        who="agent",
        json={"ticket_ids": site["tickets"][:1]},
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("lang", "direction", "title", "digits"),
    [
        ("fa", "rtl", "آزمایش‌ها", "۰۱۲۳۴۵۶۷۸۹"),
        ("ar", "rtl", "التجارب", "٠١٢٣٤٥٦٧٨٩"),
        ("en", "ltr", "Experiments", "0123456789"),
    ],
)
def test_the_pages_in_each_language(
    site: dict[str, Any], lang: str, direction: str, title: str, digits: str
) -> None:
    listing = page(site, "/insights/experiments", lang=lang)
    assert f'<html lang="{lang}" dir="{direction}">' in listing
    assert f"<h1>{title}</h1>" in listing
    progress = listing.split("data-progress>", 1)[1].split("</td>", 1)[0]
    assert set(progress) & set(digits)
    assert not set(progress) & (set("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹") - set(digits))
    detail = page(site, "/insights/experiments/greeting", lang=lang)
    assert f'<html lang="{lang}" dir="{direction}">' in detail
    data = twin(site, "/insights/experiments/greeting", lang=lang)
    assert data["locale"]["dir"] == direction
    first = data["primary"]["variants"][0]
    assert set(first["value_display"]) & set(digits) and first["value_display"] in detail
    # dates in the language's calendar: the start, 3 August 2026, is 12 Mordad 1405
    start = {"fa": "۱۲ مرداد ۱۴۰۵", "en": "3 August 2026"}.get(lang)
    if start:
        assert start in data["summary"]["period_display"]
