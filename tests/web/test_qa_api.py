"""The QA pages and their JSON API: who may do what (403 / 404), CSRF and API tokens,
HTML pages showing the numbers of their JSON twins, and clear 400s for bad input.

A store of its own (300 demo conversations with AutoQA signals) and users of every role.
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
import pytest
from argon2 import PasswordHasher

import sanjeh.web
from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.text import score_store
from sanjeh.web import create_app
from sanjeh.web._i18n import LANGS, catalogue

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
USERS = {
    "admin": "admin",
    "manager": "manager",
    "reviewer": "reviewer",
    "reviewer2": "reviewer",
    "agent": "agent",
    "agent2": "agent",
}
#: a valid rating of every category of the default scorecard (score 78.43)
RATINGS = {
    "correct_solution": 5,
    "complete_answer": 4,
    "empathy": 2,
    "tone": 3,
    "greeting_closing": 1,
    "ownership": 4,
    "follow_up": None,
    "internal_process": None,
}
WEB = Path(sanjeh.web.__file__).parent


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("qa") / "qa.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=300, seed=21)
        score_store(store)
        t = store.table("tickets")
        rows = t.filter(t.agent_id.notnull()).select("ticket_id", "agent_id").to_pyarrow()
        by_agent: dict[str, list[str]] = {}
        for r in rows.to_pylist():
            if ":a-" in r["agent_id"]:
                by_agent.setdefault(r["agent_id"], []).append(r["ticket_id"])
        own, other = sorted(by_agent, key=lambda a: -len(by_agent[a]))[:2]
        accounts = Accounts(store, hasher=FAST)
        for name, role in USERS.items():
            agent_id = {"agent": own, "agent2": other}.get(name)
            accounts.add_user(LOCAL_ADMIN, name, PASSWORD, role, f"{name} name", agent_id)
    return {"path": path, "own": own, "other": other, "tickets": by_agent}


@pytest.fixture(scope="module")
def app(setup: dict[str, Any]) -> Iterator[Any]:
    application = create_app(str(setup["path"]), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    yield application
    application.state.source.store.close()


class Client:
    """Requests through httpx's ASGI transport, keeping the session cookie."""

    def __init__(self, app: Any, token: str | None = None) -> None:
        self.app = app
        self.cookies = httpx.Cookies()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.csrf = ""

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://test",
                cookies=self.cookies,
                headers=self.headers,
            ) as client:
                response = await client.request(method, path, **kwargs)
                self.cookies = httpx.Cookies(client.cookies)
                return response

        return asyncio.run(go())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def login(self, username: str) -> Client:
        form = self.get("/login")
        token = _csrf(form.text)
        data = {"username": username, "password": PASSWORD, "csrf_token": token, "next": "/qa"}
        r = self.post("/login", data=data)
        assert r.status_code == 303, r.text[:300]
        self.csrf = _csrf(self.get("/qa").text)
        return self

    def form(self, path: str, data: dict[str, Any]) -> httpx.Response:
        return self.post(path, data={"csrf_token": self.csrf, **data})

    def api(self, method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        return self.request(method, path, json=body, headers=headers)


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert found is not None, text[:500]
    return found.group(1)


@pytest.fixture(scope="module")
def users(app: Any) -> dict[str, Client]:
    return {name: Client(app).login(name) for name in USERS}


@pytest.fixture(scope="module")
def tokens(app: Any) -> dict[str, Client]:
    accounts: Accounts = app.state.accounts
    return {name: Client(app, accounts.issue_token(LOCAL_ADMIN, name, "qa")) for name in USERS}


def _ticket(setup: dict[str, Any], agent: str = "own", n: int = 0) -> str:
    ticket: str = setup["tickets"][setup[agent]][n]
    return ticket


def _form_data(ratings: dict[str, int | None], **extra: str) -> dict[str, str]:
    data = {f"rating.{k}": "na" if v is None else str(v) for k, v in ratings.items()}
    return {"scorecard_id": "default", **data, **extra}


def _review(client: Client, ticket: str, **changes: Any) -> dict[str, Any]:
    body = {"ticket_id": ticket, "ratings": RATINGS, **changes}
    r = client.api("POST", "/api/qa/reviews", body)
    assert r.status_code == 201, r.text
    review: dict[str, Any] = r.json()["review"]
    return review


# -- the core flow ------------------------------------------------------------------------------


def test_a_reviewer_grades_by_form_and_the_agent_sees_it(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    reviewer, agent = users["reviewer"], users["agent"]
    ticket = _ticket(setup, n=0)
    page = reviewer.get(f"/qa/review/{ticket}?lang=fa")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert 'name="rating.correct_solution"' in page.text and "qa-critical" in page.text
    twin = reviewer.get(f"/api/qa/review/{ticket}").json()
    assert twin["ticket"]["agent_id"] == setup["own"]
    assert [s["id"] for s in twin["scorecard"]["sections"]] == [
        "solution",
        "communication",
        "process",
    ]
    ratings = {**RATINGS, "tone": 2}  # negative: its root causes count
    extra = {"comment.empathy": "cold", "cause.tone": "rude", "cause.correct_solution": "x"}
    data = _form_data(ratings, **extra, comment="ok")
    r = reviewer.form(f"/qa/review/{ticket}?lang=en", data)
    assert r.status_code == 303, r.text[:300]
    location = r.headers["location"]
    assert location.startswith("/qa/reviews/rev-") and location.endswith("?lang=en")
    review_id = location.split("/")[-1].split("?")[0]

    shown = agent.get(f"/qa/reviews/{review_id}?lang=en")
    assert shown.status_code == 200
    api = agent.get(f"/api/qa/reviews/{review_id}?lang=en").json()
    assert round(api["review"]["score"], 2) == 74.51  # (3000+1125+375+333.3+500+1000) / 85
    assert api["review"]["reviewer"] == "reviewer name"
    assert api["actions"]["dispute"] is True and api["actions"]["resolve"] is None
    value = re.search(r'data-qa-card="score" data-value="([^"]*)"', shown.text)
    display = re.search(r"data-qa-score>([^<]*)<", shown.text)
    assert value and display
    assert float(value.group(1)) == api["review"]["score"]
    assert display.group(1) == api["review"]["score_display"] == "74.5%"
    causes = {c["id"]: c for s in api["scorecard"]["sections"] for c in s["categories"]}
    assert causes["tone"]["causes"] == ["Rude"] and causes["empathy"]["comment"] == "cold"
    assert causes["correct_solution"]["causes"] == []  # rated 5: no root cause kept

    home = agent.get("/api/qa?lang=en").json()
    assert review_id in {r["review_id"] for r in home["reviews"]}
    html = agent.get("/qa?lang=en").text
    iqs = re.search(r'data-qa-card="iqs" data-value="([^"]*)"', html)
    assert iqs and float(iqs.group(1)) == home["own"]["iqs"]
    assert home["own"]["iqs_display"] in html


def test_the_whole_dispute_round_by_api(users: dict[str, Client], setup: dict[str, Any]) -> None:
    reviewer, reviewer2, manager = users["reviewer"], users["reviewer2"], users["manager"]
    agent, agent2 = users["agent"], users["agent2"]
    review = _review(reviewer, _ticket(setup, n=1))
    rid = review["review_id"]
    # only the reviewed agent may dispute; another agent does not even see it
    assert (
        reviewer.api("POST", f"/api/qa/reviews/{rid}/dispute", {"comment": "x"}).status_code == 403
    )
    assert agent2.api("POST", f"/api/qa/reviews/{rid}/dispute", {"comment": "x"}).status_code == 404
    r = agent.api("POST", f"/api/qa/reviews/{rid}/dispute", {"comment": "  "})
    assert r.status_code == 400 and "comment" in r.json()["error"]["message"]
    r = agent.api("POST", f"/api/qa/reviews/{rid}/dispute", {"comment": "I was warm."})
    assert r.status_code == 201, r.text
    dispute = r.json()["dispute_id"]
    again = agent.api("POST", f"/api/qa/reviews/{rid}/dispute", {"comment": "again"})
    assert again.status_code == 409
    # another reviewer may not decide it; its own reviewer rejects it
    body = {"outcome": "rejected", "comment": "No."}
    assert reviewer2.api("POST", f"/api/qa/disputes/{dispute}/resolve", body).status_code == 403
    assert agent.api("POST", f"/api/qa/disputes/{dispute}/resolve", body).status_code == 403
    assert reviewer.api("POST", f"/api/qa/disputes/{dispute}/resolve", body).status_code == 200
    # escalated: only staff decide
    assert reviewer.api("POST", f"/api/qa/disputes/{dispute}/escalate", {}).status_code == 403
    r = agent.api("POST", f"/api/qa/disputes/{dispute}/escalate", {"comment": "please"})
    assert r.status_code == 200 and r.json()["status"] == "escalated"
    partly = {"outcome": "partly_accepted", "comment": "Fair.", "ratings": {"empathy": 4}}
    assert reviewer.api("POST", f"/api/qa/disputes/{dispute}/resolve", partly).status_code == 403
    r = manager.api("POST", f"/api/qa/disputes/{dispute}/resolve", partly)
    assert r.status_code == 200, r.text
    after = agent.get(f"/api/qa/reviews/{rid}").json()
    assert after["review"]["score"] > review["score"]
    assert after["review"]["status"] == "resolved"
    notes = [h["note"] for h in after["history"]]
    assert notes == [
        "submitted",
        "dispute opened",
        "opened",
        "dispute rejected",
        "rejected",
        "dispute escalated",
        "escalated",
        "dispute partly accepted (escalated)",
        "partly_accepted",
    ]
    html = agent.get(f"/qa/reviews/{rid}?lang=fa").text
    assert "اعتراض بخشی پذیرفته شد (ارجاع‌شده)" in html


def test_a_reviewer_cannot_change_another_reviewers_review(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    review = _review(users["reviewer"], _ticket(setup, n=2))
    path = f"/api/qa/reviews/{review['review_id']}"
    r = users["reviewer2"].api("PATCH", path, {"ratings": {"empathy": 5}})
    assert r.status_code == 403
    assert "reviewer" in r.json()["error"]["message"]
    assert users["agent"].api("PATCH", path, {"comment": "mine now"}).status_code == 403
    r = users["reviewer"].api("PATCH", path, {"ratings": {"empathy": 5}})
    assert r.status_code == 200 and r.json()["review"]["score"] > review["score"]
    assert users["manager"].api("PATCH", path, {"comment": "checked"}).status_code == 200


def test_agents_may_not_review_and_see_only_their_own(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    agent, agent2 = users["agent"], users["agent2"]
    ticket = _ticket(setup, "other", 0)
    r = agent.api("POST", "/api/qa/reviews", {"ticket_id": ticket, "ratings": RATINGS})
    assert r.status_code == 403
    assert agent.get(f"/qa/review/{ticket}").status_code == 403
    r = agent.form(f"/qa/review/{ticket}", _form_data(RATINGS))
    assert r.status_code == 403
    theirs = _review(users["reviewer"], ticket)["review_id"]
    # guessing another agent's review id: as if it did not exist
    assert agent.get(f"/api/qa/reviews/{theirs}").status_code == 404
    page = agent.get(f"/qa/reviews/{theirs}")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert agent2.get(f"/api/qa/reviews/{theirs}").status_code == 200
    _review(users["reviewer"], _ticket(setup, "own", 8))  # one of their own (any test order)
    listed = agent.get("/api/qa/reviews").json()["reviews"]
    assert listed and {r["agent_id"] for r in listed} == {setup["own"]}
    assert agent.get(f"/api/qa/reviews?agent={setup['other']}").json()["reviews"] == []
    # IQS of another agent: 403
    assert agent.get(f"/api/qa/scores?agent={setup['other']}").status_code == 403
    own = agent.get(f"/api/qa/scores?agent={setup['own']}").json()["rows"]
    assert [row["agent_id"] for row in own] == [setup["own"]]
    # assignments and calibration are for reviewers
    assert agent.get("/qa/assignments").status_code == 403
    assert agent.get("/api/qa/calibration").status_code == 403


def test_only_staff_create_cycles_calibrations_and_scorecards(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    reviewer_id = users["reviewer"].get("/api/qa/assignments").json()["reviewers"]
    ids = {r["name"]: r["id"] for r in reviewer_id}
    cycle = {
        "name": "weekly",
        "reviewers": [ids["reviewer name"], ids["reviewer2 name"]],
        "start": "2020-01-01",
        "end": "2030-12-31",
        "per_agent": 1,
        "strategy": "random",
    }
    assert users["agent"].api("POST", "/api/qa/cycles", cycle).status_code == 403
    assert users["reviewer"].api("POST", "/api/qa/cycles", cycle).status_code == 403
    r = users["manager"].api("POST", "/api/qa/cycles", cycle)
    assert r.status_code == 201, r.text
    assigned = r.json()["assignments"]
    assert assigned and {a["reviewer_id"] for a in assigned} <= set(cycle["reviewers"])
    mine = users["reviewer"].get("/api/qa").json()["assignments"]
    assert mine and {a["reviewer"] for a in mine} == {"reviewer name"}
    # the form too
    r = users["admin"].form(
        "/qa/cycles", {**cycle, "name": "by form", "reviewers": ids["reviewer name"]}
    )
    assert r.status_code == 303 and r.headers["location"] == "/qa/assignments"
    assert users["reviewer"].form("/qa/cycles", cycle).status_code == 403

    cal = {"name": "march", "ticket_ids": [_ticket(setup, n=5)], "reviewers": cycle["reviewers"]}
    assert users["reviewer"].api("POST", "/api/qa/calibration", cal).status_code == 403
    r = users["manager"].api("POST", "/api/qa/calibration", cal)
    assert r.status_code == 201 and r.json()["ready"] is True  # staff: always
    cid = r.json()["calibration"]["calibration_id"]
    # blind: the participant grades first, then sees the report
    assert users["reviewer"].get(f"/api/qa/calibration/{cid}").json()["ready"] is False
    _review(users["reviewer"], _ticket(setup, n=5), calibration_id=cid)
    report = users["reviewer"].get(f"/api/qa/calibration/{cid}").json()
    assert report["ready"] is True and report["categories"]
    assert users["manager"].get(f"/qa/calibration/{cid}").status_code == 200

    card = {
        "id": "vip",
        "name": "VIP",
        "conditions": {"tags": ["never-used-tag"]},  # never chosen for the other tests
        "sections": [{"id": "s", "categories": [{"id": "c"}]}],
    }
    body = {"definition": card}
    assert users["reviewer"].api("POST", "/api/qa/scorecards", body).status_code == 403
    r = users["admin"].api("POST", "/api/qa/scorecards", body)
    assert r.status_code == 201 and r.json()["version"] == 1
    card["sections"][0]["categories"][0]["weight"] = 50  # type: ignore[index]
    assert users["admin"].api("POST", "/api/qa/scorecards", body).json()["version"] == 2


def test_recurring_cycles_by_form_and_json_and_the_server_continues_them(
    app: Any, users: dict[str, Client], monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    reviewers = users["manager"].get("/api/qa/assignments").json()["reviewers"]
    ids = {r["name"]: r["id"] for r in reviewers}
    assert [r["value"] for r in users["manager"].get("/api/qa/assignments").json()["repeats"]] == [
        "",
        "7",
        "14",
        "28",
    ]
    weekly = {
        "name": "recurring weekly",
        "reviewers": [ids["reviewer2 name"]],
        "start": "2026-09-07",
        "end": "2026-09-13",  # the end day is included: [09-07, 09-14)
        "per_agent": 1,
        "repeat_days": 7,
    }
    r = users["manager"].api("POST", "/api/qa/cycles", weekly)
    assert r.status_code == 201 and r.json()["repeat_days"] == 7, r.text
    first = r.json()["cycle_id"]
    for bad in (0, 367, "weekly"):
        r = users["manager"].api("POST", "/api/qa/cycles", {**weekly, "repeat_days": bad})
        assert r.status_code == 400 and "repeat_days" in r.text, bad
    form = {**weekly, "name": "recurring by form", "start": "2026-09-01", "repeat_days": "14"}
    r = users["admin"].form("/qa/cycles", form)
    assert r.status_code == 303, r.text[:300]
    cycles = {c["name"]: c for c in users["manager"].get("/api/qa/assignments").json()["cycles"]}
    assert cycles["recurring weekly"]["repeat_days"] == 7
    assert cycles["recurring by form"]["repeat_days"] == 14
    page = users["manager"].get("/qa/assignments?lang=en").text
    assert 'name="repeat_days"' in page and "Every week" in page and "Every 2 weeks" in page

    # the server's background task: the week after is over on 09-21 (the fortnight is not)
    source = app.state.source
    ws = app.state.qa_workspace
    monkeypatch.setattr(ws, "clock", lambda: dt.datetime(2026, 9, 21, tzinfo=dt.UTC))

    def broken() -> None:
        raise RuntimeError("a broken task")

    monkeypatch.setattr(source, "periodic", [broken, *source.periodic])
    source.run_periodic()  # what the background loop calls after each refresh
    assert "a broken task" in caplog.text  # logged; the other tasks still ran
    listing = users["manager"].get("/api/qa/assignments").json()["cycles"]
    (made,) = [c for c in listing if c["follows"] == first]
    assert made["name"] == "recurring weekly" and made["repeat_days"] == 7
    assert (made["start"][:10], made["end"][:10]) == ("2026-09-14", "2026-09-21")
    assert [c["name"] for c in listing].count("recurring by form") == 1
    source.run_periodic()  # nothing more is due
    assert len(users["manager"].get("/api/qa/assignments").json()["cycles"]) == len(listing)
    page = users["manager"].get("/qa/assignments?lang=fa").text
    assert "هر هفته" in page and "ادامهٔ دورهٔ" in page


def test_coaching_and_the_wow_library(users: dict[str, Client], setup: dict[str, Any]) -> None:
    review = _review(users["reviewer"], _ticket(setup, n=6))
    body = {
        "agent_id": setup["own"],
        "coach_note": "Empathy first.",
        "review_ids": [review["review_id"]],
        "action_items": [{"text": "Read the guide", "due": "2030-01-01"}],
    }
    assert users["agent"].api("POST", "/api/qa/coaching", body).status_code == 403
    r = users["reviewer"].api("POST", "/api/qa/coaching", body)
    assert r.status_code == 201, r.text
    session = r.json()["session_id"]
    items = users["agent"].get("/api/qa").json()["action_items"]
    assert any(i["session_id"] == session for i in items)
    assert users["agent2"].api("POST", f"/api/qa/coaching/{session}/actions/0").status_code == 404
    r = users["agent"].form(f"/qa/coaching/{session}/actions/0", {"back": "/qa"})
    assert r.status_code == 303 and r.headers["location"] == "/qa"
    sessions = users["manager"].get(f"/api/qa/coaching?agent={setup['own']}").json()["sessions"]
    done = next(s for s in sessions if s["session_id"] == session)
    assert done["action_items"][0]["done"] is True
    assert done["effect"]["rows"][0]["kpi"] == "iqs"

    assert users["agent"].api("POST", "/api/qa/wow", {"ticket_id": "x"}).status_code == 403
    wow = {"ticket_id": review["ticket_id"], "review_id": review["review_id"], "note": "Great."}
    r = users["reviewer"].form("/qa/wow", wow)
    assert r.status_code == 303 and r.headers["location"] == f"/qa/reviews/{review['review_id']}"
    library = users["agent2"].get("/api/qa/wow").json()["entries"]
    assert review["ticket_id"] in {w["ticket_id"] for w in library}


# -- CSRF, tokens, caching ------------------------------------------------------------------------


def test_a_form_post_without_its_csrf_token_is_refused(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    reviewer = users["reviewer"]
    data = _form_data(RATINGS)
    r = reviewer.post(f"/qa/review/{_ticket(setup, n=3)}", data=data)
    assert r.status_code == 403 and "CSRF" in r.text
    r = reviewer.request("POST", "/api/qa/reviews", json={"ticket_id": "x", "ratings": {}})
    assert r.status_code == 403 and r.json()["error"]["type"] == "csrf_failed"
    # someone else's token does not do either
    data["csrf_token"] = users["manager"].csrf
    assert reviewer.post(f"/qa/review/{_ticket(setup, n=3)}", data=data).status_code == 403


def test_the_json_api_works_with_a_bearer_token_and_no_csrf(
    tokens: dict[str, Client], setup: dict[str, Any]
) -> None:
    body = {"ticket_id": _ticket(setup, n=4), "ratings": RATINGS}
    r = tokens["reviewer"].request("POST", "/api/qa/reviews", json=body)
    assert r.status_code == 201, r.text
    assert tokens["agent"].request("POST", "/api/qa/reviews", json=body).status_code == 403
    assert tokens["manager"].get("/api/qa/scores").status_code == 200


def test_pages_are_per_user_and_never_cached(users: dict[str, Client]) -> None:
    pages = {name: users[name].get("/qa?lang=en") for name in ("reviewer", "manager", "agent")}
    for name, r in pages.items():
        assert r.headers["cache-control"] == "no-store"
        assert f"{name} name" in r.text
        assert _csrf(r.text) == users[name].csrf
    assert 'data-qa-table="scores"' in pages["manager"].text
    assert 'data-qa-card="iqs"' in pages["agent"].text
    assert 'data-qa-table="scores"' not in pages["agent"].text


def test_the_staff_home_shows_the_iqs_of_its_twin(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    _review(users["reviewer"], _ticket(setup, "other", 1))  # (tests may run in any order)
    html = users["manager"].get("/qa?lang=fa").text
    scores = users["manager"].get("/api/qa?lang=fa").json()["scores"]
    assert scores
    for row in scores:
        found = re.search(
            rf'data-agent="{re.escape(row["agent_id"])}">.*?data-qa-iqs data-value="([^"]*)">'
            r"([^<]*)<",
            html,
            re.S,
        )
        assert found, row
        assert float(found.group(1)) == row["iqs"] and found.group(2) == row["iqs_display"]
        assert any("۰" <= ch <= "۹" for ch in row["iqs_display"])
    api = users["manager"].get("/api/qa/scores").json()["rows"]
    assert {r["agent_id"]: r["iqs"] for r in api} == {r["agent_id"]: r["iqs"] for r in scores}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", ["admin", "reviewer", "agent"])
def test_every_page_renders_in_every_language(
    users: dict[str, Client], name: str, lang: str
) -> None:
    allowed = {"/qa", "/qa/reviews", "/qa/disputes", "/qa/coaching", "/qa/wow", "/qa/scorecards"}
    reviewers_only = {"/qa/assignments", "/qa/calibration"}
    for path in sorted(allowed | reviewers_only):
        r = users[name].get(f"{path}?lang={lang}")
        expected = 403 if name == "agent" and path in reviewers_only else 200
        assert r.status_code == expected, (path, r.text[:300])
        if expected == 200:
            assert f'lang="{lang}"' in r.text and "/static/qa.css" in r.text
            assert not re.findall(r"https?://(?!www\.w3\.org)", r.text), path
            assert users[name].get(f"/api{path}?lang={lang}").status_code == 200


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"ratings": {**RATINGS, "empathy": 9}}, "outside the scale"),
        ({"ratings": {**RATINGS, "empathy": "5"}}, "ratings.empathy"),
        ({"ratings": {**RATINGS, "warmth": 3}}, "no category 'warmth'"),
        ({"ratings": {**RATINGS, "correct_solution": None}}, "cannot be N/A"),
        ({"ratings": {"empathy": 3}}, "missing: Correct solution"),
        ({"comment": "x" * 5001}, "at most 5000 characters"),
        ({"comments": {"empathy": "y" * 5001}}, "at most 5000 characters"),
        ({"root_causes": {"tone": ["sleepy"]}}, "not a root cause"),
        ({"surprise": 1}, "unknown parameter"),
    ],
)
def test_bad_reviews_get_a_clear_400(
    users: dict[str, Client], setup: dict[str, Any], change: dict[str, Any], words: str
) -> None:
    body = {"ticket_id": _ticket(setup, n=7), "ratings": RATINGS, **change}
    r = users["reviewer"].api("POST", "/api/qa/reviews", body)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_parameter" and words in error["message"], error


def test_malformed_json_and_bad_forms_get_a_clear_400(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    reviewer = users["reviewer"]
    r = reviewer.request(
        "POST",
        "/api/qa/reviews",
        content=b'{"ticket_id": ',
        headers={"X-CSRF-Token": reviewer.csrf, "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]
    ticket = _ticket(setup, n=7)
    r = reviewer.form(f"/qa/review/{ticket}", _form_data({**RATINGS, "tone": 7}))
    assert r.status_code == 400 and "outside the scale" in r.text
    assert r.headers["content-type"].startswith("text/html")  # the error page
    r = reviewer.form(f"/qa/review/{ticket}", _form_data({**RATINGS, "tone": "lots"}))
    assert r.status_code == 400
    assert reviewer.get("/api/qa/review/no-such-ticket").status_code == 404
    assert reviewer.get("/api/qa/reviews?start=yesterday").status_code == 400
    r = users["admin"].form("/qa/scorecards", {"definition": "{not json"})
    assert r.status_code == 400 and "not valid JSON" in r.text
    bad = json.dumps(
        {"id": "b", "sections": [{"id": "s", "categories": [{"id": "c", "weight": 300}]}]}
    )
    r = users["admin"].api("POST", "/api/qa/scorecards", {"definition": json.loads(bad)})
    message = r.json()["error"]["message"]
    assert r.status_code == 400 and "weight: Input should be less than or equal to 100" in message
    cycle = {
        "name": "x",
        "reviewers": ["r"],
        "start": "2026-05-01",
        "end": "2026-04-01",
        "per_agent": 1,
    }
    r = users["manager"].api("POST", "/api/qa/cycles", cycle)
    assert r.status_code == 400 and "before the start" in r.json()["error"]["message"]


# -- texts --------------------------------------------------------------------------------------


def test_every_qa_text_is_in_each_catalogue() -> None:
    """Literal keys (test_i18n checks two-part keys only) and the ones built at run time."""
    used: set[str] = set()
    for path in [*WEB.joinpath("templates", "qa").glob("*.html"), *WEB.joinpath("qa").glob("*.py")]:
        used |= set(re.findall(r"\bt\(\s*[\"']([a-z_]+(?:\.[a-z0-9_]+)+)[\"']", path.read_text()))
    dynamic = {
        "qa.page": ["home", "reviews", "disputes", "assignments", "calibration", "coaching"],
        "qa.status": ["draft", "submitted", "disputed", "resolved"],
        "qa.dispute": ["open", "escalated", "accepted", "partly_accepted", "rejected"],
        "qa.assignment": ["open", "completed"],
        "qa.strategy": ["random", "low_csat", "negative_sentiment", "long_resolution"],
        "qa.event": ["created", "message", "note", "status", "assign", "priority", "escalate"],
        "qa.kpi": ["csat", "first_reply_time", "resolution_time", "fcr_rate", "reopen_rate"],
    }
    used |= {f"{group}.{v}" for group, vs in dynamic.items() for v in vs}
    for lang in LANGS:
        missing = sorted(used - set(catalogue(lang)))
        assert not missing, (lang, missing)
    fa = catalogue("fa")
    assert fa["qa.page.disputes"] == "اعتراض‌ها" and catalogue("ar")["qa.iqs"].startswith("مؤشر")
