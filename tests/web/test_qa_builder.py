"""The scorecard builder without a browser: only managers and admins build; every button
works as a plain form post (no script); saving writes the next version; a definition
that cannot be saved comes back as the builder with the message naming the field;
import / export round-trip; the server's preview is ``review_score``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.qa import Scorecard, review_score
from sanjeh.store import Store
from sanjeh.text import analyze_conversation, registry, score_store
from sanjeh.web import create_app
from sanjeh.web.qa.scorecard_builder import CONVERSATION_ANALYZERS, MESSAGE_ANALYZERS

from .test_qa_api import FAST, PASSWORD, Client

ROLES = {"manager": "manager", "admin": "admin", "reviewer": "reviewer", "agent": "agent"}
#: a builder form: a critical, a fail-section and a bonus category in two sections
FORM: dict[str, Any] = {
    "id": "chat-kinds",
    "name": "Chat kinds",
    "pass_threshold": "80",
    "active": "1",
    "channels": "chat",
    "s.0.id": "solution",
    "s.0.name": "Solution",
    "c.0.0.id": "correct",
    "c.0.0.name": "Correct answer",
    "c.0.0.weight": "60",
    "c.0.0.scale": "5",
    "c.0.0.kind": "critical",
    "c.0.0.causes": "knowledge gap\nwrong process\n",
    "c.0.0.example": "4",
    "c.0.1.id": "extra",
    "c.0.1.name": "Extra mile",
    "c.0.1.weight": "5",
    "c.0.1.scale": "binary",
    "c.0.1.kind": "bonus",
    "c.0.1.na": "1",
    "c.0.1.signals": ["wow"],
    "c.0.1.example": "1",
    "s.1.id": "compliance",
    "s.1.name": "Compliance",
    "c.1.0.id": "identity",
    "c.1.0.weight": "40",
    "c.1.0.scale": "binary",
    "c.1.0.kind": "fail_section",
    "c.1.0.signals": ["conversation.greeting", "greeting"],
    "c.1.0.example": "1",
    "note": "built in the builder",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("builder") / "qa.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=120, seed=5)
        score_store(store)
        accounts = Accounts(store, hasher=FAST)
        t = store.table("tickets")
        agent = t.filter(t.agent_id.like("%:a-%")).select("agent_id").limit(1).execute()
        for name, role in ROLES.items():
            agent_id = agent["agent_id"][0] if role == "agent" else None
            accounts.add_user(LOCAL_ADMIN, name, PASSWORD, role, f"{name} name", agent_id)
    application = create_app(str(path), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    yield application
    application.state.source.store.close()


@pytest.fixture(scope="module")
def users(app: Any) -> dict[str, Client]:
    return {name: Client(app).login(name) for name in ROLES}


def _rows(html: str, kind: str) -> list[str]:
    """The ids shown in the builder's section (``s``) or category (``c``) inputs."""
    pattern = r'name="s\.\d+\.id"' if kind == "s" else r'name="c\.\d+\.\d+\.id"'
    return re.findall(pattern + r'[^>]*value="([^"]*)"', html)


def test_only_managers_and_admins_build(users: dict[str, Client]) -> None:
    for name in ("reviewer", "agent"):
        assert users[name].get("/qa/scorecards/builder").status_code == 403
        assert users[name].get("/api/qa/scorecards/builder").status_code == 403
        assert users[name].form("/qa/scorecards/builder", FORM).status_code == 403
        listing = users[name].get("/qa/scorecards?lang=en").text
        assert "data-qa-builder-edit" not in listing and "data-qa-export" in listing
    assert users["agent"].get("/api/qa/scorecards/export?scorecard=default").status_code == 200
    for name in ("manager", "admin"):
        page = users[name].get("/qa/scorecards/builder?lang=fa")
        assert page.status_code == 200 and 'dir="rtl"' in page.text
        assert "سازندهٔ کارت امتیاز" in page.text and "امتیاز تشویقی" in page.text
    assert Client(users["admin"].app).get("/qa/scorecards/builder").status_code in (303, 401)


def test_the_builder_twin_and_the_page_show_one_draft(users: dict[str, Client]) -> None:
    manager = users["manager"]
    twin = manager.get("/api/qa/scorecards/builder?scorecard=default&lang=ar").json()
    assert twin["qa_page"] == "scorecard_builder"
    draft = twin["draft"]
    assert [s["id"] for s in draft["sections"]] == ["solution", "communication", "process"]
    first = draft["sections"][0]["categories"][0]
    assert (first["id"], first["kind"], first["weight"]) == ("correct_solution", "critical", "30")
    empathy = draft["sections"][1]["categories"][0]
    assert set(empathy["signals"]) == {
        "empathy",
        "active_listening",
        "conversation.empathy_when_needed",
        "conversation.paraphrase",
    }
    page = manager.get("/qa/scorecards/builder?scorecard=default&lang=ar").text
    assert 'dir="rtl"' in page and "منشئ بطاقات التقييم" in page
    assert _rows(page, "c")[:2] == ["correct_solution", "complete_answer"]
    assert twin["current_version"] == 1 and "الإصدار" in page
    names = [a["value"] for a in twin["analyzers"]]
    assert names[: len(MESSAGE_ANALYZERS)] == list(MESSAGE_ANALYZERS)
    assert manager.get("/api/qa/scorecards/builder?scorecard=nope").status_code == 404
    assert manager.get("/api/qa/scorecards/builder?scorecard=default&version=x").status_code == 400
    assert manager.get("/api/qa/scorecards/export").status_code == 400
    assert manager.get("/api/qa/scorecards/export?scorecard=default&version=9").status_code == 404


def test_the_analyzer_list_is_what_sanjeh_text_writes() -> None:
    assert set(MESSAGE_ANALYZERS) == set(registry.names())
    found = analyze_conversation(
        [
            {"role": "customer", "text": "Hello, my order is late and I am upset."},
            {"role": "agent", "text": "Hi! I'm sorry, I will follow up tomorrow. Goodbye."},
            {"role": "customer", "text": "Thanks, great."},
        ]
    )
    names = {s.analyzer for s in found.signals if not s.analyzer.startswith("conversation.count")}
    assert names <= set(CONVERSATION_ANALYZERS)
    assert len(names) >= 6


def test_every_button_works_without_the_script(users: dict[str, Client]) -> None:
    manager = users["manager"]
    r = manager.form("/qa/scorecards/builder", {**FORM, "op": "add_category:0"})
    assert r.status_code == 200
    assert _rows(r.text, "c") == ["correct", "extra", "", "identity"]
    r = manager.form("/qa/scorecards/builder", {**FORM, "op": "down_category:0:0"})
    assert _rows(r.text, "c") == ["extra", "correct", "identity"]
    r = manager.form("/qa/scorecards/builder", {**FORM, "op": "up_section:1"})
    assert _rows(r.text, "s") == ["compliance", "solution"]
    assert _rows(r.text, "c") == ["identity", "correct", "extra"]
    r = manager.form("/qa/scorecards/builder", {**FORM, "op": "remove_category:0:1"})
    assert _rows(r.text, "c") == ["correct", "identity"]
    r = manager.form("/qa/scorecards/builder", {**FORM, "op": "add_section"})
    assert _rows(r.text, "s") == ["solution", "compliance", ""]
    r = manager.form("/qa/scorecards/builder", {**FORM, "op": "remove_section:0"})
    assert _rows(r.text, "s") == ["compliance"]
    # what was typed comes back as typed (the Persian name, the chosen signals)
    r = manager.form(
        "/qa/scorecards/builder?lang=fa", {**FORM, "c.0.0.name": "پاسخ درست", "op": "preview"}
    )
    assert 'value="پاسخ درست"' in r.text
    assert re.search(r'<option value="wow" selected>', r.text)
    assert manager.form("/qa/scorecards/builder", {**FORM, "op": "explode"}).status_code == 400
    assert (
        manager.form("/qa/scorecards/builder", {**FORM, "op": "remove_section:9"}).status_code
        == 400
    )


def _server_preview(html: str) -> float | None:
    found = re.search(r'data-server-preview data-value="([^"]*)"', html)
    assert found is not None
    return float(found.group(1)) if found.group(1) else None


@pytest.mark.parametrize(
    ("examples", "expected"),
    [
        # correct 4 of 5 = 75 %, identity yes: (75×60 + 100×40) / 100 = 85, + 5 bonus = 90
        ({}, 90.0),
        # identity no: its section scores 0 → 75×60 / 100 = 45, + 5 = 50
        ({"c.1.0.example": "0"}, 50.0),
        # correct 2 of 5 = 25 % < 50 %: critical, the bonus does not rescue it
        ({"c.0.0.example": "2"}, 0.0),
        # everything at the top: 100 + 5, at most 100
        ({"c.0.0.example": "5"}, 100.0),
        # the bonus N/A, correct unrated: identity only → 100
        ({"c.0.0.example": "", "c.0.1.example": "na"}, 100.0),
    ],
)
def test_the_server_preview_is_review_score(
    users: dict[str, Client], examples: dict[str, str], expected: float
) -> None:
    r = users["manager"].form("/qa/scorecards/builder", {**FORM, **examples, "op": "preview"})
    assert r.status_code == 200
    assert _server_preview(r.text) == pytest.approx(expected)


def test_saving_writes_versions_and_errors_keep_the_draft(users: dict[str, Client]) -> None:
    manager = users["manager"]
    r = manager.form("/qa/scorecards/builder?lang=en", {**FORM, "op": "save"})
    assert r.status_code == 303
    assert r.headers["location"] == "/qa/scorecards?scorecard=chat-kinds&lang=en"
    exported = manager.get("/api/qa/scorecards/export?scorecard=chat-kinds").json()
    assert exported["version"] == 1 and exported["conditions"]["channels"] == ["chat"]
    cats = {c["id"]: c for s in exported["sections"] for c in s["categories"]}
    assert cats["correct"]["critical"] and cats["correct"]["root_causes"] == [
        "knowledge gap",
        "wrong process",
    ]
    assert cats["extra"]["bonus"] and cats["extra"]["na_allowed"]
    assert cats["identity"]["fail_section"]
    assert cats["identity"]["signals"] == ["conversation.greeting", "greeting"]
    listing = manager.get("/qa/scorecards?scorecard=chat-kinds&lang=en").text
    assert re.search(r'data-scorecard="chat-kinds" open', listing)
    assert 'data-kind="bonus"' in listing and "Fail-section" in listing
    # saving it unchanged keeps version 1; a change writes version 2
    assert manager.form("/qa/scorecards/builder", {**FORM, "op": "save"}).status_code == 303
    assert manager.get("/api/qa/scorecards/export?scorecard=chat-kinds").json()["version"] == 1
    r = manager.form("/qa/scorecards/builder", {**FORM, "c.0.0.weight": "70", "op": "save"})
    assert r.status_code == 303
    assert manager.get("/api/qa/scorecards/export?scorecard=chat-kinds").json()["version"] == 2
    old = manager.get("/api/qa/scorecards/export?scorecard=chat-kinds&version=1").json()
    assert old == exported
    # mistakes: 400, the builder back with the message naming the field, nothing lost
    bad = {**FORM, "c.1.0.weight": "lots", "c.0.0.name": "پاسخ درست", "op": "save"}
    r = manager.form("/qa/scorecards/builder?lang=fa", bad)
    assert r.status_code == 400 and "data-builder-error" in r.text
    assert "definition.sections.1.categories.0.weight" in r.text
    assert 'value="پاسخ درست"' in r.text and 'aria-invalid="true"' in r.text
    r = manager.form(
        "/qa/scorecards/builder",
        {**FORM, "c.0.1.kind": "bonus", "c.0.0.kind": "bonus", "c.1.0.kind": "bonus", "op": "save"},
    )
    assert r.status_code == 400 and "only bonus categories" in r.text
    r = manager.form(
        "/qa/scorecards/builder", {**FORM, "c.0.1.signals": ["conversation.greeting"], "op": "save"}
    )
    assert r.status_code == 400 and "linked to both" in r.text
    r = manager.form("/qa/scorecards/builder", {**FORM, "c.0.0.id": "", "op": "save"})
    assert r.status_code == 400 and "categories.0.id" in r.text
    assert manager.get("/api/qa/scorecards/export?scorecard=chat-kinds").json()["version"] == 2


def test_import_and_export_round_trip(users: dict[str, Client]) -> None:
    manager = users["manager"]
    exported = manager.get("/api/qa/scorecards/export?scorecard=default").json()
    assert Scorecard.from_dict(exported).to_dict() == exported
    r = manager.form("/qa/scorecards/builder", {"op": "import", "json": json.dumps(exported)})
    assert r.status_code == 200 and _rows(r.text, "c")[0] == "correct_solution"
    # the imported draft saved unchanged is the same version (the links made explicit
    # are a change: the default's built-in links become its own)
    bad = manager.form("/qa/scorecards/builder", {"op": "import", "json": "{nope"})
    assert bad.status_code == 400 and "not valid JSON" in bad.text
    wrong = {**exported, "sections": [{"id": "s", "categories": [{"id": "a", "bonus": "no"}]}]}
    bad = manager.form("/qa/scorecards/builder", {"op": "import", "json": json.dumps(wrong)})
    assert bad.status_code == 400 and "sections[0].categories[0].bonus" in bad.text
    # the API takes the exported form back: unchanged, no new version
    r = manager.api("POST", "/api/qa/scorecards", {"definition": exported})
    assert r.status_code == 201 and r.json()["version"] == exported["version"]
    both = {**exported, "id": "both"}
    both["sections"][0]["categories"][0]["bonus"] = True  # critical too
    r = manager.api("POST", "/api/qa/scorecards", {"definition": both})
    assert r.status_code == 400
    assert (
        "sections[0].categories[0]: category 'correct_solution' is both critical and bonus"
        in (r.json()["error"]["message"])
    )


def test_a_review_with_the_built_scorecard(users: dict[str, Client], app: Any) -> None:
    manager, reviewer = users["manager"], users["reviewer"]
    form = {**FORM, "id": "graded", "channels": "", "op": "save"}
    assert manager.form("/qa/scorecards/builder", form).status_code == 303
    with app.state.source.db_lock:
        t = app.state.source.store.table("tickets")
        ticket = t.filter(t.agent_id.like("%:a-%")).select("ticket_id").limit(1).execute()
    ticket_id = ticket["ticket_id"][0]
    page = reviewer.get(f"/qa/review/{ticket_id}?scorecard=graded&lang=fa").text
    assert 'data-kind="bonus"' in page and 'data-kind="fail_section"' in page
    body = {
        "ticket_id": ticket_id,
        "scorecard_id": "graded",
        "ratings": {"correct": 4, "extra": 1, "identity": 0},
    }
    r = reviewer.api("POST", "/api/qa/reviews", body)
    assert r.status_code == 201, r.text
    review = r.json()["review"]
    card = Scorecard.from_dict(manager.get("/api/qa/scorecards/export?scorecard=graded").json())
    assert review["score"] == review_score(card, body["ratings"]).score == pytest.approx(50.0)
    shown = reviewer.get(f"/api/qa/reviews/{review['review_id']}").json()
    compliance = next(s for s in shown["scorecard"]["sections"] if s["id"] == "compliance")
    assert compliance["failed"] and compliance["score"] == 0.0
    assert shown["scorecard"]["bonus"] == 5.0  # shown on the review page
