"""#22 in the dashboard: the coaching agenda (and a session held from it), the
recognition board and kudos on the scorecard, self-review — pages, JSON twins and
exports, in fa / ar / en, and who sees what: agent A never sees agent B's self-review,
nor B's kudos unless agents are opted in to the board; IQS unchanged by self-reviews.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts, Actor
from sanjeh.demo import generate
from sanjeh.qa import Workspace
from sanjeh.store import Store
from sanjeh.web import create_app

from .test_qa_api import FAST, PASSWORD, RATINGS, Client

USERS = {
    "admin": "admin",
    "manager": "manager",
    "reviewer": "reviewer",
    "reviewer2": "reviewer",
    "agent": "agent",
    "agent2": "agent",
}
LOW_EMPATHY = {**RATINGS, "empathy": 1}  # empathy 0 %
HIGH = {**RATINGS, "empathy": 5, "tone": 4}  # empathy 100 %


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("teach") / "teach.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=200, seed=7)
        t = store.table("tickets")
        rows = t.filter(t.agent_id.notnull()).select("ticket_id", "agent_id").to_pyarrow()
        by_agent: dict[str, list[str]] = {}
        for r in rows.to_pylist():
            by_agent.setdefault(r["agent_id"], []).append(r["ticket_id"])
        agents = sorted(by_agent, key=lambda a: (-len(by_agent[a]), a))
        own, other = agents[:2]
        accounts = Accounts(store, hasher=FAST)
        ids = {}
        for name, role in USERS.items():
            agent_id = {"agent": own, "agent2": other}.get(name)
            user = accounts.add_user(LOCAL_ADMIN, name, PASSWORD, role, f"{name} name", agent_id)
            ids[name] = user.user_id
        ws = Workspace(store)
        reviewer = Actor(ids["reviewer"], "reviewer")
        # the agent's empathy is low; the rest of the team's high (3 reviews each)
        for agent in agents:
            for ticket in by_agent[agent][:3]:
                ws.submit_review(reviewer, ticket, LOW_EMPATHY if agent == own else HIGH)
        ws.mark_wow(reviewer, by_agent[other][0], "Warm and quick")
    return {"path": path, "own": own, "other": other, "tickets": by_agent, "ids": ids}


@pytest.fixture(scope="module")
def app(setup: dict[str, Any]) -> Iterator[Any]:
    application = create_app(str(setup["path"]), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    yield application
    application.state.source.store.close()


@pytest.fixture(scope="module")
def users(app: Any) -> dict[str, Client]:
    return {name: Client(app).login(name) for name in USERS}


# -- the coaching agenda ----------------------------------------------------------------------


def test_agenda_page_and_twin_agree_in_every_language(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    reviewer, own = users["reviewer"], setup["own"]
    twin = reviewer.get(f"/api/qa/agenda?agent={own}").json()
    items = twin["agenda"]["items"]
    assert items and items[0]["category_id"] == "empathy"
    emp = items[0]
    # the agent: 0 % three times; the team: 100 % every time → gap −100, no spread
    assert emp["agent"]["mean"] == 0.0 and emp["agent"]["n"] == 3
    assert emp["team"]["mean"] == 100.0 and emp["gap"]["value"] == -100.0
    assert [e["kind"] for e in emp["low"]] == ["low"] * 3
    assert emp["good"][0]["kind"] == "wow" and emp["good"][0]["note"] == "Warm and quick"
    assert twin["agenda"]["focus"][0] == "empathy"
    for lang in ("fa", "ar", "en"):
        page = reviewer.get(f"/qa/agenda?agent={own}&lang={lang}")
        assert page.status_code == 200
        assert ('dir="rtl"' in page.text) == (lang != "en")
        shown = reviewer.get(f"/api/qa/agenda?agent={own}&lang={lang}").json()
        display = shown["agenda"]["items"][0]["gap"]["display"]
        assert re.search(r'data-gap="-100\.0"><bdi>' + re.escape(display), page.text)
        assert 'data-qa-form="agenda"' in page.text


def test_agents_see_their_own_agenda_only(users: dict[str, Client], setup: dict[str, Any]) -> None:
    agent = users["agent"]
    mine = agent.get("/api/qa/agenda").json()
    assert mine["agent"] == setup["own"] and not mine["may_create"]
    # other agents' reviews are not offered to open
    assert all(e["kind"] != "team_best" for i in mine["agenda"]["items"] for e in i["good"])
    assert agent.get(f"/api/qa/agenda?agent={setup['other']}").status_code == 403
    assert agent.get(f"/qa/agenda?agent={setup['other']}").status_code == 403


def test_a_session_held_from_the_agenda_shows_its_focus_and_trend(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    reviewer, own = users["reviewer"], setup["own"]
    agenda = reviewer.get(f"/api/qa/agenda?agent={own}").json()["agenda"]
    data = [("csrf_token", reviewer.csrf), ("agent_id", own), ("coach_note", agenda["note"])]
    data += [("focus", c) for c in agenda["focus"]]
    data += [("review_ids", " ".join(agenda["review_ids"]))]
    data += [("action_text", "Acknowledge feelings"), ("action_due", "")]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = reviewer.post("/qa/agenda?lang=fa", content=urlencode(data), headers=form)
    assert r.status_code == 303 and r.headers["location"] == f"/qa/coaching?agent={own}&lang=fa"
    sessions = reviewer.get(f"/api/qa/coaching?agent={own}").json()["sessions"]
    s = sessions[0]
    assert [f["id"] for f in s["focus"]] == agenda["focus"]
    assert s["review_ids"] == agenda["review_ids"]
    trend = s["trend"]
    assert not trend["closed"]  # held now: the after-window is still open
    assert [r["category_id"] for r in trend["rows"]] == [None, *agenda["focus"]]
    assert all(r["after"]["n"] == 0 and r["change"]["value"] is None for r in trend["rows"])
    # the IQS / KPI effect withholds its after-window too, until it closes
    effect = s["effect"]
    assert not effect["closed"] and effect["reviews_after"] is None
    assert all(row["after"] is None for row in effect["rows"])
    page = reviewer.get(f"/qa/coaching?agent={own}&lang=ar")
    assert 'data-qa-table="trend"' in page.text and "data-focus" in page.text
    # JSON too, with the focus; an unknown field is a 400
    body = {"agent_id": own, "focus": ["tone"], "coach_note": ""}
    assert reviewer.api("POST", "/api/qa/agenda", body).status_code == 201
    bad = reviewer.api("POST", "/api/qa/agenda", {**body, "focus": "tone"})
    assert bad.status_code == 400
    assert users["agent"].api("POST", "/api/qa/agenda", body).status_code == 403


# -- recognition ------------------------------------------------------------------------------


def _kudos_agents(model: dict[str, Any]) -> set[str]:
    return {r["agent_id"] for r in model["rows"]}


def test_board_is_opt_in_and_agents_see_only_their_own(
    app: Any, users: dict[str, Client], setup: dict[str, Any]
) -> None:
    own, other = setup["own"], setup["other"]
    board = users["manager"].get("/api/qa/recognition").json()
    assert other in _kudos_agents(board) and not board["own_only"]
    wow = next(r for r in board["rows"] if r["agent_id"] == other)
    assert wow["wow"] == 1 and wow["kudos"][0]["note"] == "Warm and quick"
    for lang in ("fa", "ar", "en"):
        page = users["manager"].get(f"/qa/recognition?lang={lang}")
        assert page.status_code == 200 and f'data-agent="{other}"' in page.text
    # agents are not opted in: their own kudos only (none for `own`), never the other's
    mine = users["agent"].get("/api/qa/recognition").json()
    assert mine["own_only"] and _kudos_agents(mine) <= {own}
    page = users["agent"].get("/qa/recognition")
    assert f'data-agent="{other}"' not in page.text
    theirs = users["agent2"].get("/api/qa/recognition").json()
    assert _kudos_agents(theirs) == {other}
    # opted in: the whole board
    ws = app.state.qa_workspace
    try:
        ws.recognition_roles = ("admin", "manager", "reviewer", "agent")
        opened = users["agent"].get("/api/qa/recognition").json()
        assert not opened["own_only"] and other in _kudos_agents(opened)
        # and reviewers may be left out of it
        ws.recognition_roles = ("admin", "manager")
        assert users["reviewer"].get("/api/qa/recognition").status_code == 403
        nav = users["reviewer"].get("/qa/agenda").text
        assert 'data-qa-nav="recognition"' not in nav
    finally:
        ws.recognition_roles = ("admin", "manager", "reviewer")


def test_kudos_on_the_scorecard_page_twin_and_download(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    other = setup["other"]
    # kudos of the page's period (the wow mark was written today, like the IQS by when
    # reviews are written)
    today = dt.date.today()
    span = f"start={today - dt.timedelta(days=30)}&end={today}"
    card = users["manager"].get(f"/api/agents/{other}?{span}").json()
    rows = card["tables"]["kudos"]["rows"]
    assert any(r["note"] == "Warm and quick" for r in rows)
    page = users["manager"].get(f"/agents/{other}?lang=fa&{span}")
    assert page.status_code == 200 and "Warm and quick" in page.text
    own_card = users["agent2"].get(f"/download/scorecard/kudos.csv?id={other}&{span}")
    assert own_card.status_code == 200 and "Warm and quick" in own_card.text
    # another agent: the scorecard, its twin and its download are all closed
    agent = users["agent"]
    assert agent.get(f"/api/agents/{other}").status_code == 403
    assert agent.get(f"/agents/{other}").status_code == 403
    assert agent.get(f"/download/scorecard/kudos.csv?id={other}").status_code == 403


# -- self-review ------------------------------------------------------------------------------


def test_self_review_visibility_page_json_and_export(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    own = setup["own"]
    ticket = setup["tickets"][own][0]
    agent, agent2 = users["agent"], users["agent2"]
    before = users["manager"].get("/api/qa/scores").json()
    listing = agent.get("/qa/self-reviews?lang=fa")
    assert listing.status_code == 200 and 'dir="rtl"' in listing.text
    assert f"/qa/self-review/{ticket}" in listing.text  # pick one of one's reviewed ones
    form = agent.get(f"/qa/self-review/{ticket}?lang=fa")
    assert form.status_code == 200 and 'name="rating.empathy"' in form.text
    r = agent.api("POST", "/api/qa/self-reviews", {"ticket_id": ticket, "ratings": RATINGS})
    assert r.status_code == 201, r.text
    got = r.json()
    sid = got["self_review"]["self_review_id"]
    emp = next(c for c in got["categories"] if c["category_id"] == "empathy")
    assert (emp["own"], emp["reviewer"], emp["difference"]) == (25.0, 0.0, 25.0)
    assert got["review"]["agent_id"] == own
    # by the form too (a new revision), answered with the comparison page
    data = {f"rating.{k}": "na" if v is None else str(v) for k, v in RATINGS.items()}
    r = agent.form(f"/qa/self-review/{ticket}?lang=ar", {**data, "rating.empathy": "5"})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/qa/self-reviews/{sid}")
    assert agent.get(f"/qa/self-reviews/{sid}?lang=ar").status_code == 200
    # the agent and the staff see it; agent B, and a reviewer who never coached A, do not
    for name in ("agent", "manager", "admin"):
        assert users[name].get(f"/api/qa/self-reviews/{sid}").status_code == 200, name
        listed = users[name].get("/api/qa/self-reviews").json()["self_reviews"]
        assert sid in [s["self_review_id"] for s in listed], name
        assert sid in users[name].get("/qa/self-reviews.csv").text, name
    for name in ("agent2", "reviewer2"):
        assert users[name].get(f"/api/qa/self-reviews/{sid}").status_code == 404, name
        assert users[name].get(f"/qa/self-reviews/{sid}").status_code == 404, name
        assert users[name].get(f"/api/qa/self-reviews?agent={own}").json()["self_reviews"] == []
        export = users[name].get(f"/qa/self-reviews.csv?agent={own}")
        assert export.status_code == 200
        assert list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))[1:] == [], name
    # agent B cannot grade A's conversation; a reviewer cannot self-review
    assert agent2.get(f"/qa/self-review/{ticket}").status_code == 403
    body = {"ticket_id": ticket, "ratings": RATINGS}
    assert agent2.api("POST", "/api/qa/self-reviews", body).status_code == 403
    assert users["reviewer"].api("POST", "/api/qa/self-reviews", body).status_code == 403
    bad = agent.api("POST", "/api/qa/self-reviews", {**body, "ratings": {"empathy": 9}})
    assert bad.status_code == 400
    # IQS and the scores are unchanged
    assert users["manager"].get("/api/qa/scores").json() == before


def test_the_coach_sees_the_self_review_after_coaching(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    own = setup["own"]
    listed = users["reviewer"].get(f"/api/qa/self-reviews?agent={own}").json()
    assert listed["self_reviews"]  # the reviewer held a session with `own` above
    assert users["reviewer2"].get(f"/api/qa/self-reviews?agent={own}").json()["self_reviews"] == []
