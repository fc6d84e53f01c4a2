"""/insights/topics and its JSON twin on a hand-built store.

Topics (written here as ``sanjeh topics discover`` writes them):
  en-00 "parcel · courier": 45 tickets, 15 customers wrote twice — no article: a gap;
  en-01 "refund · money back": 36 tickets, 6 wrote twice — covered by kb:1 (English);
  fa-00 "بازگشت وجه": 20 tickets — covered by kb:2 (Persian).
The figures per topic are the KPI engine's (breakdown ``topic``); the page is checked
against them, and against pandas for the volume.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from argon2 import PasswordHasher

import sanjeh.web
from sanjeh import kpis
from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.store import Store
from sanjeh.web import create_app

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
T0 = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)
RANGE = {"start": "2026-08-25", "end": "2026-09-30"}
#: topic → (language, tickets' customers, of whom wrote again, label, example)
PLAN = {
    "en-00": ("en", 30, 15, "parcel · courier", "The courier lost my parcel"),
    "en-01": ("en", 30, 6, "refund · money back", "Where is my refund?"),
    "fa-00": ("fa", 20, 0, "بازگشت وجه · استرداد", "پولم برنگشته، بازگشت وجه کی انجام می‌شود؟"),
}


def load(store: Store) -> None:
    """Tickets, events, topics, assignments, articles and views (docstring above)."""
    tickets, events, assigned, views = [], [], [], []
    n = 0
    for tid, (lang, count, again, _label, _ex) in PLAN.items():
        for i in range(count):
            cust = f"t:c-{tid}-{i}"
            for k in range(2 if i < again else 1):
                n += 1
                ident = f"t:{n}"
                at = T0 + dt.timedelta(days=i % 20, hours=k * 30)
                tickets.append(
                    {
                        "ticket_id": ident,
                        "source": "t",
                        "channel": "email",
                        "created_at": at,
                        "customer_id": cust,
                        "status": "solved",
                        "language": lang,
                        "team_id": "t:team",
                        "agent_id": "t:sara" if n % 2 else "t:ali",
                    }
                )
                for j, (kind, actor, minutes) in enumerate(
                    [("created", "customer", 0), ("message", "agent", 30), ("status", "agent", 31)]
                ):
                    events.append(
                        {
                            "event_id": f"{ident}-{j}",
                            "ticket_id": ident,
                            "source": "t",
                            "at": at + dt.timedelta(minutes=minutes),
                            "kind": kind,
                            "actor_type": actor,
                            "actor_id": cust if actor == "customer" else "t:sara",
                            "public": True,
                            "status": "solved" if kind == "status" else None,
                            "body": "hello" if kind != "status" else None,
                        }
                    )
                assigned.append(
                    {
                        "ticket_id": ident,
                        "topic_id": tid,
                        "language": lang,
                        "score": 0.5,
                        "method": "cluster",
                        "model_version": "topics-test",
                        "assigned_at": T0,
                    }
                )
            if tid == "en-01" and i < 10:  # read the refund article two hours before writing
                views.append(
                    {
                        "view_id": f"kb:v-{i}",
                        "source": "kb",
                        "article_id": "kb:1",
                        "customer_id": cust,
                        "viewed_at": T0 + dt.timedelta(days=i % 20) - dt.timedelta(hours=2),
                        "channel": "help_center",
                    }
                )
    for i in range(5):  # read it and never wrote
        views.append(
            {
                "view_id": f"kb:r-{i}",
                "source": "kb",
                "article_id": "kb:1",
                "customer_id": f"t:reader-{i}",
                "viewed_at": T0 + dt.timedelta(days=i),
                "channel": "app",
            }
        )
    store.write("teams", [{"team_id": "t:team", "source": "t", "name": "Support"}])
    store.write(
        "agents",
        [
            {"agent_id": a, "source": "t", "name": name, "team_id": "t:team"}
            for a, name in (("t:sara", "Sara"), ("t:ali", "Ali"))
        ],
    )
    store.write("tickets", tickets)
    store.write("events", events)
    store.write(
        "topics",
        [
            {
                "topic_id": tid,
                "language": lang,
                "label": label,
                "key_phrases": json.dumps(label.split(" · "), ensure_ascii=False),
                "examples": json.dumps(
                    [{"ticket_id": "t:1", "text": ex}, {"ticket_id": "t:2", "text": ex + "!"}],
                    ensure_ascii=False,
                ),
                "size": count,
                "model_version": "topics-test",
                "created_at": T0,
            }
            for tid, (lang, count, _again, label, ex) in PLAN.items()
        ],
    )
    store.write("ticket_topics", assigned)
    store.write(
        "kb_articles",
        [
            {
                "article_id": "kb:1",
                "source": "kb",
                "title": "Refunds: when is my money back?",
                "body": "<p>A <b>refund</b> reaches your card in five days.</p>",
                "url": "https://help.example.com/en/refunds",
                "language": "en",
                "updated_at": T0,
            },
            {
                "article_id": "kb:2",
                "source": "kb",
                "title": "بازگشت وجه و استرداد",
                "body": "<p>بازگشت وجه تا ۷۲ ساعت به کارت شما واریز می‌شود.</p>",
                "url": "https://help.example.com/fa/refunds",
                "language": "fa",
                "updated_at": T0,
            },
        ],
    )
    store.write("article_views", views)


def html_text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


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


ROLES = ("admin", "manager", "reviewer", "agent")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str], Path]]:
    path = tmp_path_factory.mktemp("topics") / "t.duckdb"
    with Store.open(str(path)) as store:
        load(store)
        accounts = Accounts(store, hasher=FAST)
        tokens = {}
        for role in ROLES:
            extra = {"agent_id": "t:sara"} if role == "agent" else {}
            accounts.add_user(LOCAL_ADMIN, role, "correct horse battery", role, **extra)
            tokens[role] = accounts.issue_token(LOCAL_ADMIN, role, "t")
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    yield app, tokens, path
    app.state.source.store.close()


def client(served: Any, role: str | None) -> Client:
    app, tokens, _ = served
    return Client(app, tokens[role] if role else None)


def test_the_json_twin(served) -> None:
    m = client(served, "manager").json("/api/insights/topics", lang="en", **RANGE)
    assert m["page"] == "topics" and m["message"] is None
    langs = {x["language"]: x for x in m["languages"]}
    assert list(langs) == ["en", "fa"] and langs["fa"]["name"] == "Persian"
    en = {t["topic_id"]: t for t in langs["en"]["topics"]}
    assert [t["topic_id"] for t in langs["en"]["topics"]] == ["en-00", "en-01"]  # by volume
    # figures are the KPI engine's, breakdown topic, for the page's dates
    store = served[0].state.source.store
    names = ["tickets_created", "fcr_rate", "reopen_rate", "first_reply_time", "csat"]
    with served[0].state.source.db_lock:
        engine = kpis(store, names, by="topic", start=RANGE["start"], end="2026-10-01",
                      stats=False, compare=False, ensure=False)  # fmt: skip
        tickets = store.table("ticket_topics").execute()
    for tid, t in en.items():
        for k in ("tickets_created", "fcr_rate", "reopen_rate", "first_reply_time"):
            row = engine[(engine.kpi == k) & (engine.topic == tid)]
            expected = None if pd.isna(row.value.iloc[0]) else float(row.value.iloc[0])
            assert t["figures"][k]["value"] == pytest.approx(expected), (tid, k)
    # volume recomputed with pandas from the assignments
    counts = tickets.groupby("topic_id").size()
    assert en["en-00"]["tickets"] == counts["en-00"] == 45
    assert en["en-01"]["tickets"] == counts["en-01"] == 36
    # coverage: the refund topic has its article, the parcel topic none
    assert en["en-01"]["covered"] and en["en-01"]["article"]["article_id"] == "kb:1"
    assert en["en-01"]["article"]["url"] == "https://help.example.com/en/refunds"
    assert not en["en-00"]["covered"]
    fa = langs["fa"]["topics"][0]
    assert fa["covered"] and fa["article"]["article_id"] == "kb:2"
    assert fa["key_phrases"] == ["بازگشت وجه", "استرداد"] and len(fa["examples"]) == 2
    # the gap: en-00, worse FCR than all tickets, no article; ranked by impact
    assert [g["topic_id"] for g in m["gaps"]] == ["en-00"]
    g = m["gaps"][0]
    assert g["impact"] == pytest.approx(45 * (1 - en["en-00"]["figures"]["fcr_rate"]["value"]))
    assert "low_fcr" in [r["code"] for r in g["reasons"]]
    assert g["examples"] == ["The courier lost my parcel", "The courier lost my parcel!"]
    assert m["improve"] == []
    # the self-service KPIs: all four, a number or a reason
    cards = {c["kpi"]: c for c in m["cards"]}
    assert list(cards) == [
        "self_service_score", "deflection_rate", "bot_containment_rate", "ivr_containment_rate",
    ]  # fmt: skip
    for c in cards.values():
        assert c["value"] is not None or c["reason"], c
    with served[0].state.source.db_lock:
        engine = kpis(store, ["self_service_score", "deflection_rate"], start=RANGE["start"],
                      end="2026-10-01", stats=False, compare=False, ensure=False)  # fmt: skip
    for k in ("self_service_score", "deflection_rate"):
        assert cards[k]["value"] == pytest.approx(float(engine[engine.kpi == k].value.iloc[0]))
    # 15 views: the 10 followed by a ticket two hours later, 5 by readers who never wrote
    assert cards["deflection_rate"]["n"] == 15
    assert cards["deflection_rate"]["value"] == pytest.approx(5 / 15)
    assert cards["ivr_containment_rate"]["value"] is None  # no calls in this store


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_see_it(served, role: str) -> None:
    c = client(served, role)
    assert c.get("/insights/topics", **RANGE).status_code == 200
    assert c.get("/api/insights/topics", **RANGE).status_code == 200


def test_without_a_login_or_for_another_agent_it_is_refused(served) -> None:
    nobody = client(served, None)
    assert nobody.get("/api/insights/topics").status_code == 401
    assert nobody.get("/insights/topics").status_code in (302, 303, 401)
    # an agent filtering the page to another agent sees that agent: refused
    r = client(served, "agent").get("/api/insights/topics", agent="t:ali")
    assert r.status_code == 403 and set(r.json()["error"]) == {"type", "message"}
    assert client(served, "manager").get("/api/insights/topics", agent="t:ali").status_code == 200


@pytest.mark.parametrize(
    ("lang", "direction", "title", "fcr"),
    [
        ("fa", "rtl", "موضوع‌ها", "شکاف‌های دانش"),
        ("ar", "rtl", "المواضيع", "فجوات المعرفة"),
        ("en", "ltr", "Topics", "Knowledge gaps"),
    ],
)
def test_the_page_in_each_language(served, lang: str, direction: str, title: str, fcr: str) -> None:
    r = client(served, "manager").get("/insights/topics", lang=lang, **RANGE)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert f"<h1>{title}</h1>" in page
    assert fcr in html_text(page)
    assert 'data-topic="en-00"' in page and 'data-gap="en-00"' in page
    assert 'href="https://help.example.com/en/refunds"' in page
    assert 'data-tab="topics" aria-current="page"' in page
    if lang == "fa":  # Persian digits: 45 tickets
        assert "۴۵" in html_text(page)


def test_no_topics_says_what_to_run(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    with Store.open(str(path)) as store:
        store.write("tickets", [{"ticket_id": "t:1", "source": "t", "created_at": T0}])
    app = create_app(str(path), refresh_seconds=3600, warm=False)
    try:
        m = Client(app).json("/api/insights/topics")
        assert m["languages"] == [] and m["gaps"] == []
        assert "sanjeh topics discover" in m["message"]
        page = Client(app).get("/insights/topics", lang="fa").text
        assert 'data-topics="none"' in page and "sanjeh topics discover" in page
    finally:
        app.state.source.store.close()


def test_every_text_of_the_page_is_in_each_catalogue() -> None:
    from sanjeh.web._i18n import catalogue

    web = Path(sanjeh.web.__file__).parent
    texts = (web / "insights" / "topics.py").read_text("utf-8")
    texts += (web / "templates" / "insights" / "topics.html").read_text("utf-8")
    used = set(re.findall(r"[\"'](topics\.[a-z_.]+[a-z_])[\"']", texts))
    used |= {f"topics.reason.{r}" for r in ("low_fcr", "high_reopen", "slow_resolution")}
    assert len(used) > 20
    for lang in ("fa", "ar", "en"):
        assert not used - set(catalogue(lang)), lang
