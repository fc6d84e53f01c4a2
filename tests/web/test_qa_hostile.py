"""The QA routes against hostile and careless input: far dates, huge integers, NUL, unknown
reviewers and agents, garbage filters, oversized scorecards (400s, never a 500, nothing
written); a recurring cycle from the year 2000 that neither floods the store nor holds its
lock while requests wait; what can be saved can be submitted.

A store of its own (200 demo conversations), users of every role, API tokens.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as Timeout
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.qa import CoachingSession, limits
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web.qa import run_due_cycles

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ROLES = {"manager": "manager", "reviewer": "reviewer", "agent": "agent"}
#: the app's clock in the catch-up test (a Sunday)
NOW = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("qa-hostile") / "qa.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=200, seed=5)
        t = store.table("tickets")
        rows = t.filter(t.agent_id.like("%:a-%")).select("ticket_id", "agent_id").to_pyarrow()
        tickets = rows.to_pylist()
        accounts = Accounts(store, hasher=FAST)
        agent = tickets[0]["agent_id"]
        for name, role in ROLES.items():
            accounts.add_user(
                LOCAL_ADMIN,
                name,
                "correct horse battery",
                role,
                name,
                agent if name == "agent" else None,
            )
    other = next(r["ticket_id"] for r in tickets if r["agent_id"] != agent)
    return {"path": path, "agent": agent, "ticket": other}


@pytest.fixture(scope="module")
def app(setup: dict[str, Any]) -> Iterator[Any]:
    application = create_app(str(setup["path"]), refresh_seconds=3600, warm=False)
    yield application
    application.state.source.store.close()


class Client:
    """Requests with a user's API token through httpx's ASGI transport."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.headers = {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://test", headers=self.headers
            ) as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(go())

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.request("POST", path, json=body)


@pytest.fixture(scope="module")
def users(app: Any) -> dict[str, Client]:
    accounts: Accounts = app.state.accounts
    accounts.hasher = FAST
    return {name: Client(app, accounts.issue_token(LOCAL_ADMIN, name, "t")) for name in ROLES}


@pytest.fixture(scope="module")
def reviewer_id(users: dict[str, Client]) -> str:
    found = users["manager"].get("/api/qa/assignments").json()["reviewers"]
    return str(next(r["id"] for r in found if r["name"] == "reviewer"))


def _bad(r: httpx.Response, *words: str) -> None:
    """A 400 in the one error shape whose message holds ``words``."""
    assert r.status_code == 400, (r.status_code, r.text[:300])
    message = r.json()["error"]["message"]
    assert r.json()["error"]["type"] == "invalid_parameter"
    assert all(w in message for w in words), message


def _cycle(reviewer_id: str, **change: Any) -> dict[str, Any]:
    return {
        "name": "c",
        "reviewers": [reviewer_id],
        "start": "2026-09-07",
        "end": "2026-09-13",
        "per_agent": 1,
        **change,
    }


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/qa/reviews?end=9999-12-31",
        "/api/qa/reviews?start=0001-01-01",
        "/api/qa/scores?end=9999-12-31",
        "/api/qa/scores?start=1969-12-31",
        "/api/qa/reviews?end=2076-01-01",
    ],
)
def test_a_far_date_in_a_filter_is_a_400(users: dict[str, Client], path: str) -> None:
    _bad(users["manager"].get(path), "is outside 1970-01-01 … 2075-12-31")


def test_the_edges_of_the_date_range_are_answered(users: dict[str, Client]) -> None:
    for path in (
        "/api/qa/reviews?start=1970-01-01&end=2075-12-31",
        "/api/qa/scores?start=1970-01-01&end=2075-12-31&by=all",
        "/api/qa/reviews?start=&end=",
    ):
        assert users["manager"].get(path).status_code == 200, path
    _bad(users["manager"].get("/api/qa/reviews?start=1700000000"), "not a date")


def test_far_dates_in_cycles_and_coaching_are_a_400_and_write_nothing(
    users: dict[str, Client], setup: dict[str, Any], reviewer_id: str
) -> None:
    manager = users["manager"]
    before = len(manager.get("/api/qa/assignments").json()["cycles"])
    _bad(manager.post("/api/qa/cycles", _cycle(reviewer_id, end="9999-12-31")), "body.end")
    _bad(manager.post("/api/qa/cycles", _cycle(reviewer_id, start="0001-01-01")), "body.start")
    _bad(manager.post("/api/qa/cycles", _cycle(reviewer_id, start=0)), "not a date")
    assert len(manager.get("/api/qa/assignments").json()["cycles"]) == before
    coaching = {"agent_id": setup["agent"], "coach_note": "x", "held_on": "9999-12-31"}
    _bad(users["reviewer"].post("/api/qa/coaching", coaching), "body.held_on", "outside")
    late = {**coaching, "held_on": None, "action_items": [{"text": "t", "due": "9999-12-31"}]}
    _bad(users["reviewer"].post("/api/qa/coaching", late), "action_items.0.due", "outside")
    assert users["manager"].get("/api/qa/coaching").json()["sessions"] == []


def test_a_session_stored_with_a_far_date_does_not_break_the_coaching_page(
    app: Any, users: dict[str, Client], setup: dict[str, Any]
) -> None:
    """Written before dates were checked (or by an older version): the page is served,
    in the Hijri calendar too, without the before / after effect of that session."""
    good = {"agent_id": setup["agent"], "coach_note": "fine", "held_on": "2026-09-01"}
    r = users["reviewer"].post("/api/qa/coaching", good)
    assert r.status_code == 201, r.text
    ws = app.state.qa_workspace
    source = app.state.source
    with source.db_lock:
        session = ws.coaching(LOCAL_ADMIN)[0]
        far: CoachingSession = dataclasses.replace(
            session, session_id="coa-far", held_on=dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
        )
        source.store.write("qa_coaching", [far.to_row("stored long ago")])
    try:
        sessions = users["manager"].get("/api/qa/coaching").json()["sessions"]
        assert [s["session_id"] for s in sessions] == ["coa-far", session.session_id]
        assert "effect" not in sessions[0] and "effect" in sessions[1]
        assert sessions[0]["held_display"] == "31 December 9999"
        for query in ("", "?lang=ar&cal=hijri", "?lang=fa"):
            page = users["manager"].get(f"/qa/coaching{query}")
            assert page.status_code == 200, (query, page.text[:300])
        hijri = users["manager"].get("/api/qa/coaching?lang=ar&cal=hijri").json()["sessions"]
        assert hijri[0]["held_display"] == "9999-12-31"  # past the Umm al-Qura table
        assert users["agent"].get("/qa?lang=ar&cal=hijri").status_code == 200
    finally:
        with source.db_lock:
            source.con.raw_sql("DELETE FROM qa_coaching")


# -- integers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"seed": 2**70}, "body.seed: Input should be less than or equal to 9007199254740992"),
        ({"seed": -(2**53) - 1}, "body.seed"),
        ({"per_agent": 2**64}, "body.per_agent"),
        ({"per_agent": "3"}, "body.per_agent: Input should be a valid integer"),
        ({"repeat_days": True}, "body.repeat_days"),
        ({"seed": 1.5}, "body.seed"),
    ],
)
def test_integers_must_fit_their_columns(
    users: dict[str, Client], reviewer_id: str, change: dict[str, Any], words: str
) -> None:
    _bad(users["manager"].post("/api/qa/cycles", _cycle(reviewer_id, **change)), words)


def test_the_largest_seed_is_accepted(users: dict[str, Client], reviewer_id: str) -> None:
    r = users["manager"].post("/api/qa/cycles", _cycle(reviewer_id, seed=2**53, name="max"))
    assert r.status_code == 201, r.text


# -- NUL ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/qa/reviews/%00", None),
        ("GET", "/qa/reviews/%00", None),
        ("GET", "/api/qa/review/x%00y", None),
        ("GET", "/api/qa/calibration/%00", None),
        ("GET", "/api/qa/reviews?agent=%00", None),
        ("GET", "/api/qa/reviews?reviewer=a%00", None),
        ("GET", "/api/qa/assignments?cycle=%00", None),
        ("GET", "/api/qa/review/x?scorecard=%00", None),
        ("POST", "/api/qa/coaching/%00/actions/0", None),
        ("POST", "/api/qa/disputes/%00/resolve", {"outcome": "rejected"}),
        ("POST", "/api/qa/wow", {"ticket_id": "a\x00b"}),
        ("POST", "/api/qa/wow", {"ticket_id": "x", "note": "\x00"}),
        ("POST", "/api/qa/reviews", {"ticket_id": "x", "ratings": {"a\x00": 1}}),
    ],
)
def test_a_nul_anywhere_is_a_400(
    users: dict[str, Client], method: str, path: str, body: Any
) -> None:
    r = users["manager"].request(method, path, json=body)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert any(w in r.text for w in ("NUL", "\\x00", "U+0000")), r.text[:300]


def test_a_nul_in_a_review_form_field_is_a_400(
    app: Any, setup: dict[str, Any], users: dict[str, Client]
) -> None:
    """Forms are read before any model (the scorecard is looked up first)."""
    r = users["reviewer"].request(
        "POST",
        f"/qa/review/{setup['ticket']}",
        data={"scorecard_id": "default\x00", "rating.tone": "3"},
    )
    # token clients send no CSRF token: the check comes from the guard before that
    assert r.status_code == 400 and ("NUL" in r.text or "U+0000" in r.text), r.text[:300]


# -- unknown ids and garbage filters ------------------------------------------------------------


def test_unknown_reviewers_and_agents_are_a_400_and_write_nothing(
    users: dict[str, Client], setup: dict[str, Any], reviewer_id: str
) -> None:
    manager = users["manager"]
    cycles = len(manager.get("/api/qa/assignments").json()["cycles"])
    _bad(manager.post("/api/qa/cycles", _cycle("nobody")), "reviewers: 'nobody' is not a user")
    both = _cycle(reviewer_id, reviewers=[reviewer_id, "ghost"])
    _bad(manager.post("/api/qa/cycles", both), "'ghost'", reviewer_id)
    assert len(manager.get("/api/qa/assignments").json()["cycles"]) == cycles
    cal = {"name": "c", "ticket_ids": [setup["ticket"]], "reviewers": ["nobody"]}
    _bad(manager.post("/api/qa/calibration", cal), "reviewers: 'nobody'")
    cal = {**cal, "reviewers": [reviewer_id], "benchmark_reviewer": "ghost"}
    _bad(manager.post("/api/qa/calibration", cal), "benchmark_reviewer: 'ghost'")
    assert manager.get("/api/qa/calibration").json()["calibrations"] == []
    coaching = {"agent_id": "demo:a-999", "coach_note": "x"}
    _bad(users["reviewer"].post("/api/qa/coaching", coaching), "agent_id: unknown agent")
    assert manager.get("/api/qa/coaching").json()["sessions"] == []


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/api/qa/disputes?status=garbage", "status: Input should be 'open'"),
        ("/qa/disputes?status=garbage", "status"),
        ("/api/qa/assignments?status=done", "status: Input should be 'open' or 'completed'"),
        ("/api/qa/coaching?agent=nobody", "agent: unknown agent 'nobody'"),
        ("/api/qa/reviews?agent=nobody", "agent: unknown agent"),
        ("/api/qa/scores?agent=nobody", "agent: unknown agent"),
        ("/api/qa/scores?start=2026-02-01&end=2026-01-01", "end: 2026-01-01 is before"),
    ],
)
def test_garbage_filters_are_a_400(users: dict[str, Client], path: str, words: str) -> None:
    r = users["manager"].get(path)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    if path.startswith("/api"):
        _bad(r, words)


def test_known_filters_still_answer(users: dict[str, Client], setup: dict[str, Any]) -> None:
    for path in (
        "/api/qa/disputes?status=open",
        "/api/qa/disputes?status=",
        "/api/qa/assignments?status=completed",
        f"/api/qa/coaching?agent={setup['agent']}",
        f"/api/qa/reviews?agent={setup['agent']}",
    ):
        assert users["manager"].get(path).status_code == 200, path


# -- scorecards -----------------------------------------------------------------------------------


def _definition(sections: int, per: int, causes: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "id": "s" * limits.MAX_ID,
        "name": "Big",
        "sections": [
            {
                "id": f"sec{s}",
                "categories": [
                    {
                        "id": f"{s:02d}-{c:02d}".ljust(limits.MAX_ID, "x"),
                        "weight": 1,
                        "root_causes": [f"{k}" * limits.MAX_NAME for k in range(causes)],
                    }
                    for c in range(per)
                ],
            }
            for s in range(sections)
        ],
        **extra,
    }


def test_an_oversized_scorecard_is_a_400(users: dict[str, Client]) -> None:
    admin = users["manager"]
    _bad(admin.post("/api/qa/scorecards", {"definition": _definition(1, 10_000)}), "at most 100")
    _bad(
        admin.post("/api/qa/scorecards", {"definition": _definition(2, 51)}),
        "categories: 102 categories; a scorecard has at most 100",
    )
    _bad(admin.post("/api/qa/scorecards", {"definition": _definition(21, 1)}), "sections")
    _bad(admin.post("/api/qa/scorecards", {"definition": _definition(1, 1, 11)}), "root_causes")
    flag = _definition(1, 1)
    flag["sections"][0]["categories"][0]["na_allowed"] = "false"
    _bad(admin.post("/api/qa/scorecards", {"definition": flag}), "na_allowed")
    _bad(admin.post("/api/qa/scorecards", {"definition": {**flag, "id": " x"}}), "definition.id")
    cards = admin.get("/api/qa/scorecards").json()["scorecards"]
    assert [c["id"] for c in cards] == ["default"]


def test_the_largest_scorecard_is_saved_and_a_review_of_it_submitted(
    users: dict[str, Client], setup: dict[str, Any]
) -> None:
    definition = _definition(limits.MAX_SECTIONS, 5, limits.MAX_ROOT_CAUSES)
    r = users["manager"].post("/api/qa/scorecards", {"definition": definition})
    assert r.status_code == 201, r.text[:300]
    card = r.json()
    ids = [c["id"] for s in card["sections"] for c in s["categories"]]
    assert len(ids) == limits.MAX_CATEGORIES == 100
    causes = definition["sections"][0]["categories"][0]["root_causes"]
    body = {
        "ticket_id": setup["ticket"],
        "scorecard_id": card["id"],
        "ratings": {i: 1 for i in ids},
        "comments": {i: "c" * limits.MAX_TEXT for i in ids},
        "root_causes": {i: causes for i in ids},
        "comment": "x" * limits.MAX_TEXT,
    }
    r = users["reviewer"].post("/api/qa/reviews", body)
    assert r.status_code == 201, r.text[:300]
    assert r.json()["review"]["score"] == 0.0
    deactivate = {**definition, "active": False}  # (the next tests see the default only)
    assert (
        users["manager"].post("/api/qa/scorecards", {"definition": deactivate}).status_code == 201
    )


# -- a recurring cycle from 2000 ----------------------------------------------------------------


def test_a_daily_cycle_from_2000_catches_up_a_week_without_holding_the_store(
    app: Any, users: dict[str, Client], reviewer_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two daily cycles that began on 2000-01-01: the server's background task makes the
    last seven days of each (not 9,800 each), one per hold of the store's lock, while
    other requests are answered."""
    manager = users["manager"]
    chains = 2
    firsts = []
    for i in range(chains):
        body = _cycle(
            reviewer_id, name=f"daily {i}", start="2000-01-01", end="2000-01-01", repeat_days=1
        )
        r = manager.post("/api/qa/cycles", body)
        assert r.status_code == 201, r.text
        firsts.append(r.json()["cycle_id"])
    stop = threading.Event()

    def clock() -> dt.datetime:
        if stop.is_set():  # ends a run that would go on for hours (before the fix)
            raise RuntimeError("stopped by the test")
        return NOW

    monkeypatch.setattr(app.state.qa_workspace, "clock", clock)
    result: dict[str, Any] = {}

    def background() -> None:
        try:
            result["made"] = run_due_cycles(app, budget=600)
        except Exception as exc:
            result["error"] = exc

    runner = threading.Thread(target=background, daemon=True)
    pool = ThreadPoolExecutor(1)
    waits: list[tuple[float, bool]] = []
    runner.start()
    try:
        while runner.is_alive():
            began = time.monotonic()
            try:
                answer = pool.submit(manager.get, "/api/qa/disputes").result(timeout=20)
            except Timeout:
                pytest.fail("a request waited 20 s for the store while cycles were made")
            waits.append((time.monotonic() - began, runner.is_alive()))
            assert answer.status_code == 200
    finally:
        stop.set()  # (the runner stops at its next cycle, before the clock is put back)
        runner.join(60)
        pool.shutdown(wait=False)
    assert result == {"made": chains * limits.MAX_CATCH_UP}, result
    during = [wait for wait, alive in waits if alive]
    assert during, "no request was answered while the cycles were made"
    assert max(during) < 5.0, during

    listing = manager.get("/api/qa/assignments").json()["cycles"]
    midnight = NOW.replace(hour=0, minute=0)
    for first in firsts:
        chain, previous = [], first
        while nxt := [c for c in listing if c["follows"] == previous]:
            chain.append(nxt[0])
            previous = nxt[0]["cycle_id"]
        assert len(chain) == limits.MAX_CATCH_UP == 7
        assert chain[0]["start"] == (midnight - 7 * DAY).isoformat()
        assert chain[-1]["end"] == midnight.isoformat()
    stop.clear()
    assert run_due_cycles(app) == 0  # nothing more is due
