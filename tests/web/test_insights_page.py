"""/insights and its JSON twin /api/insights: the model cards, inferred against answered
CSAT, the churn list, the page without a model, in fa / ar / en, and who sees what.

A small demo store of its own, given predictions written straight into the tables
``sanjeh insights train`` writes (the page reads them as data):

- every solved ticket of agent number i (sorted ids) gets P(satisfied) = 0.20 + 0.05 i,
  so inferred CSAT by agent is that number exactly;
- a CSAT card (AUC 0.812 against 0.701, Brier 0.161 against 0.189: beats its baseline)
  and a churn card (AUC 0.75 against 0.78: does not);
- 25 customers still here at churn risk 0.50 … 0.98, and one who left already at 0.99
  (not shown: no risk any more).

A copy made before the predictions has no model: the page says what to run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

import sanjeh.web
from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._i18n import LANGS, catalogue
from sanjeh.web._schema import PageModel

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
OWN = "demo:a-001"
PREDICTED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CSAT_CARD = {
    "model": "csat",
    "model_version": "csat-20260101T000000Z",
    "algorithm": "gradient_boosting",
    "horizon_days": None,
    "train": {"rows": 400, "positives": 300, "from": "2025-01-01T00:00:00+00:00"}
    | {"until": "2025-06-30T00:00:00+00:00"},
    "test": {"rows": 120, "positives": 85, "from": "2025-07-01T00:00:00+00:00"}
    | {"until": "2025-08-31T00:00:00+00:00"},
    "metrics": {"auc": 0.812, "brier": 0.161},
    "baseline": {"name": "agent historical mean", "auc": 0.701, "brier": 0.189},
    "calibration": [
        {"predicted": 0.15, "observed": 0.2, "n": 10},
        {"predicted": 0.45, "observed": 0.4, "n": 30},
        {"predicted": 0.75, "observed": 0.78, "n": 50},
        {"predicted": 0.92, "observed": 0.9, "n": 30},
    ],
    "importance": [{"feature": f"feature_{i}", "drop_auc": 0.1 / (i + 1)} for i in range(10)],
    "features": [f"feature_{i}" for i in range(10)],
}
CHURN_CARD = CSAT_CARD | {
    "model": "churn",
    "model_version": "churn-20260101T000000Z",
    "algorithm": "logistic",
    "horizon_days": 90,
    "metrics": {"auc": 0.75, "brier": 0.2},
    "baseline": {"name": "recency-frequency", "auc": 0.78, "brier": 0.19},
}


def _prepare(path: Path, users: bool = True) -> dict[str, Any]:
    """Predictions, cards (and ``users``) in the store at ``path``; what was written."""
    with Store.open(str(path)) as store:
        tickets = store.table("tickets").select("ticket_id", "agent_id", "created_at").to_pandas()
        first, last = tickets.created_at.min().date(), tickets.created_at.max().date()
        # every day of the data (and the solves after its last ticket)
        span = {"start": first.isoformat(), "end": (last + dt.timedelta(days=60)).isoformat()}
        agents = sorted(a for a in tickets.agent_id.dropna().unique())
        p_agent = {a: round(0.20 + 0.05 * i, 2) for i, a in enumerate(agents[:15])}
        rows = [
            {
                "prediction_id": f"csat/{t}",
                "ticket_id": t,
                "model": "csat",
                "probability": p_agent[a],
                "cutoff_at": PREDICTED_AT,
                "model_version": CSAT_CARD["model_version"],
                "predicted_at": PREDICTED_AT,
                "reasons": json.dumps(["replies"]),
            }
            for t, a in zip(tickets.ticket_id, tickets.agent_id, strict=True)
            if a in p_agent
        ]
        store.write("ticket_predictions", rows)
        customers = store.table("customers").to_pandas()
        here = sorted(customers[customers.churned_at.isna()].customer_id)[:25]
        gone = sorted(customers[customers.churned_at.notna()].customer_id)[0]
        risks = {c: round(0.50 + 0.02 * i, 2) for i, c in enumerate(here)} | {gone: 0.99}
        store.write(
            "customer_predictions",
            [
                {
                    "prediction_id": f"churn/{c}",
                    "customer_id": c,
                    "model": "churn",
                    "probability": p,
                    "horizon_days": 90,
                    "cutoff_at": PREDICTED_AT,
                    "model_version": CHURN_CARD["model_version"],
                    "predicted_at": PREDICTED_AT,
                    "reasons": json.dumps([{"feature": "days_since_last_ticket", "value": 40}]),
                }
                for c, p in risks.items()
            ],
        )
        store.write(
            "prediction_models",
            [
                {
                    "model_version": card["model_version"],
                    "model": card["model"],
                    "trained_at": PREDICTED_AT,
                    "card": json.dumps(card),
                }
                for card in (CSAT_CARD, CHURN_CARD)
            ],
        )
        tokens: dict[str, str] = {}
        if users:
            accounts = Accounts(store, hasher=FAST)
            accounts.add_user(LOCAL_ADMIN, "manager", PASSWORD, "manager", "Manager")
            accounts.add_user(LOCAL_ADMIN, "agent", PASSWORD, "agent", "Agent", OWN)
            tokens = {
                u: accounts.issue_token(LOCAL_ADMIN, u, "tests") for u in ("manager", "agent")
            }
    return {
        "span": span,
        "p_agent": p_agent,
        "here": here,
        "gone": gone,
        "risks": risks,
        "tokens": tokens,
    }


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("insights")
    path, bare = folder / "predicted.duckdb", folder / "bare.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=300, seed=3)
    shutil.copy(path, bare)  # the same data, no model
    return path, bare


@pytest.fixture(scope="module")
def written(paths: tuple[Path, Path]) -> dict[str, Any]:
    return _prepare(paths[0])


class Client:
    def __init__(self, app: Any, token: str | None = None) -> None:
        self.app = app
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> httpx.Response:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.get(path, params=params or None, headers=self.headers)

        return asyncio.run(fetch())

    def json(self, path: str, **params: Any) -> Any:
        r = self.get(path, **params)
        assert r.status_code == 200, r.text[:500]
        return r.json()


@pytest.fixture(scope="module")
def app(paths: tuple[Path, Path], written: dict[str, Any]) -> Iterator[Any]:
    application = create_app(str(paths[0]), refresh_seconds=3600, warm=False)
    yield application
    application.state.source.store.close()


@pytest.fixture(scope="module")
def manager(app: Any, written: dict[str, Any]) -> Client:
    return Client(app, written["tokens"]["manager"])


@pytest.fixture(scope="module")
def agent(app: Any, written: dict[str, Any]) -> Client:
    return Client(app, written["tokens"]["agent"])


@pytest.fixture(scope="module")
def bare(paths: tuple[Path, Path]) -> Iterator[Client]:
    application = create_app(str(paths[1]), refresh_seconds=3600, warm=False)
    yield Client(application)
    application.state.source.store.close()


@pytest.fixture(scope="module")
def everything(written: dict[str, Any]) -> dict[str, str]:
    """The whole demo range, so every solved ticket counts."""
    return written["span"]


def test_the_json_twin_shows_each_model_card(manager: Client, everything: dict) -> None:
    m = manager.json("/api/insights", **everything)
    assert m["page"] == "insights" and m["title"] == "Predictions" and m["message"] is None
    PageModel.model_validate(m)  # the shape /openapi.json declares for pages
    cards = {c["model"]: c for c in m["models"]}
    assert list(cards) == ["csat", "churn"]
    csat, churn = cards["csat"], cards["churn"]
    assert csat["model_version"] == CSAT_CARD["model_version"]
    figures = {f["key"]: (f["value"], f["baseline"], f["better"]) for f in csat["figures"]}
    assert figures == {"auc": (0.812, 0.701, True), "brier": (0.161, 0.189, True)}
    assert csat["beats_baseline"] is True and churn["beats_baseline"] is False
    assert [w["rows"] for w in csat["windows"]] == [400, 120]
    assert csat["windows"][1]["display"] == "1 July 2025 – 31 August 2025: 120 rows, 85 positive"
    # the top 8 of 10 features, most important first
    rows = m["tables"]["importance_csat"]["rows"]
    assert [r["feature"] for r in rows] == [f"feature_{i}" for i in range(8)]
    assert rows[1]["drop_auc"] == pytest.approx(0.05)
    chart = m["charts"]["calibration_csat"]["figure"]
    assert chart["data"][1]["x"] == [0.15, 0.45, 0.75, 0.92]
    assert chart["data"][1]["y"] == [0.2, 0.4, 0.78, 0.9]
    assert chart["data"][0]["x"] == [0, 1]  # the diagonal of perfect calibration
    assert churn["horizon_days"] == 90


def test_inferred_against_answered_csat(
    manager: Client, written: dict[str, Any], everything: dict
) -> None:
    m = manager.json("/api/insights", **everything)
    cards = {c["kpi"]: c for c in m["cards"]}
    assert set(cards) == {"inferred_csat", "csat"}
    assert cards["inferred_csat"]["note"].endswith("not survey answers")
    # the tickets of agents 16 … and of no agent have no prediction: counted apart, and
    # not called "pending" (no window is open for them)
    assert cards["inferred_csat"]["unpredicted"] > 0 and cards["inferred_csat"]["pending"] is None
    by_agent = {r["id"]: r for r in m["tables"]["csat_by_agent"]["rows"]}
    for agent_id, p in written["p_agent"].items():
        if agent_id in by_agent and by_agent[agent_id]["inferred_csat_n"]:
            assert by_agent[agent_id]["inferred_csat"] == pytest.approx(p), agent_id
    predicted = [a for a, r in by_agent.items() if r["inferred_csat_n"]]
    assert predicted and set(predicted) <= set(written["p_agent"])
    row = next(r for r in by_agent.values() if r["inferred_csat"] is not None and r["csat"])
    assert row["gap"] == pytest.approx(row["inferred_csat"] - row["csat"])
    # by team: the mean of its agents' tickets, between the lowest and highest agent value
    teams = m["tables"]["csat_by_team"]["rows"]
    assert teams and sum(r["inferred_csat_n"] for r in teams) == cards["inferred_csat"]["n"]
    for r in teams:
        if r["inferred_csat"] is not None:
            assert 0.2 - 1e-9 <= r["inferred_csat"] <= 0.2 + 0.05 * 14 + 1e-9


def test_the_churn_list(manager: Client, written: dict[str, Any], everything: dict) -> None:
    m = manager.json("/api/insights", **everything)
    rows = m["tables"]["churn_risk"]["rows"]
    expected = sorted(written["here"], key=lambda c: -written["risks"][c])[:20]
    assert [r["customer_id"] for r in rows] == expected  # the one who left is not there
    assert written["gone"] not in {r["customer_id"] for r in rows}
    assert rows[0]["probability"] == pytest.approx(0.98)
    assert rows[0]["reasons"] == "days_since_last_ticket = 40"
    assert rows[0]["href"].startswith("/customers/")
    assert m["tables"]["churn_risk"]["title"].endswith("(next 90 days)")
    # the customer's timeline page exists for that link
    assert manager.get(rows[0]["href"]).status_code == 200


def test_without_a_model_the_page_says_what_to_run(bare: Client) -> None:
    m = bare.json("/api/insights")
    assert m["models"] == [] and m["tables"] == {} and m["cards"] == []
    PageModel.model_validate(m)
    assert "`sanjeh insights train`" in m["message"]
    html = bare.get("/insights", lang="fa").text
    assert 'data-insights="no-model"' in html and "sanjeh insights train" in html
    assert "<table" not in html  # never an empty table without a reason


@pytest.mark.parametrize(
    ("lang", "direction", "title", "auc"),
    [
        ("fa", "rtl", "پیش‌بینی‌ها", "۰٫۸۱۲"),
        ("ar", "rtl", "التنبؤات", "٠٫٨١٢"),
        ("en", "ltr", "Predictions", "0.812"),
    ],
)
def test_the_page_in_each_language(
    manager: Client, everything: dict, lang: str, direction: str, title: str, auc: str
) -> None:
    r = manager.get("/insights", lang=lang, **everything)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<h1>{title}</h1>" in html
    assert re.search(rf'data-value="0.812"[^>]*>{auc}</td>', html)
    assert 'data-chart="calibration_csat"' in html and 'data-table="churn_risk"' in html
    assert 'data-model="churn" data-beats="no"' in html
    if lang == "fa":  # the train window in the Jalali calendar with Persian digits
        assert "۱۰ تیر ۱۴۰۴" in html


def test_an_agent_sees_only_their_own_row(agent: Client, manager: Client, everything: dict) -> None:
    everyone = manager.json("/api/insights", **everything)["tables"]["csat_by_agent"]["rows"]
    mine = agent.json("/api/insights", **everything)["tables"]["csat_by_agent"]["rows"]
    # (a bot is no one's ranking: named for everyone, as on every page)
    humans = {r["id"] for r in everyone if not r["id"].startswith("demo:bot")}
    shown = {r["id"] for r in mine if not r["id"].startswith("demo:bot")}
    assert shown == {OWN} and len(humans) > 1 and OWN in humans
    # filtering to another agent is seeing that agent: refused
    other = next(r["id"] for r in everyone if r["id"] != OWN)
    r = agent.get("/api/insights", agent=other)
    assert r.status_code == 403 and set(r.json()["error"]) == {"type", "message"}
    assert Client(agent.app).get("/api/insights").status_code == 401
    bad = manager.get("/api/insights", team="demo:nope")
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_parameter"


def test_every_text_of_the_page_is_in_each_catalogue() -> None:
    web = Path(sanjeh.web.__file__).parent
    texts = (web / "insights" / "predictions.py").read_text("utf-8")
    texts += (web / "templates" / "insights" / "predictions.html").read_text("utf-8")
    used = set(re.findall(r"[\"'](insights\.[a-z_.]+[a-z_])[\"']", texts))
    used |= {f"insights.model.{m}" for m in ("csat", "churn")}
    used |= {f"insights.metric.{k}" for k in ("auc", "brier")}
    used |= {f"insights.window.{k}" for k in ("train", "test")}
    used |= {f"insights.compare.by_{k}" for k in ("team", "agent")}
    assert len(used) > 30
    for lang in LANGS:
        assert not used - set(catalogue(lang)), lang
