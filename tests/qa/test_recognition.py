"""Kudos rules (wow moments, top-quartile category scores, computed by hand) and who
sees them: the agent their own, reviewers and staff anyone's, the team board only the
roles opted in (``[qa] recognition_board``)."""

from __future__ import annotations

import datetime as dt

import pytest

from sanjeh.errors import ConfigError, PermissionDenied
from sanjeh.qa import (
    DEFAULT_RECOGNITION_ROLES,
    Category,
    Scale,
    Scorecard,
    Section,
    Workspace,
    kudos_of,
    recognition_roles,
    top_quartile,
)
from sanjeh.settings import Settings
from sanjeh.store import Store

from .conftest import ADMIN, AGENT1, AGENT2, MANAGER, REVIEWER, SteppingClock

NOW = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
WINDOW = {"start": NOW, "end": NOW + dt.timedelta(days=1)}
CARD = Scorecard(
    "rec",
    "Rec",
    (Section("s", "S", (Category("emp", "Empathy", weight=100, scale=Scale("5")),)),),
)


def test_top_quartile_by_hand() -> None:
    three = [70.0, 80.0, 90.0]
    # four agents with 3 scores each: means 90, 80, 70, 60 → rank 1 ≤ 4 / 4 only
    four = {"a": three, "b": [60.0, 80.0, 100.0], "c": [70.0] * 3, "d": [60.0] * 3}
    four["a"] = [90.0] * 3
    got = top_quartile(four)
    assert [(a, m.mean, rank, n) for a, m, rank, n in got] == [("a", 90.0, 1, 4)]
    # eight agents: ranks 1 and 2 (≤ 8 / 4); a tie at the top shares rank 1
    eight = {f"g{i}": [float(10 * i)] * 3 for i in range(8)}
    eight["g6"] = [70.0] * 3  # ties g7
    got = top_quartile(eight)
    assert [(a, rank) for a, _, rank, _ in got] == [("g6", 1), ("g7", 1)]
    # seven agents: 7 / 4 = 1.75 → rank 1 only
    seven = {f"g{i}": [float(10 * i)] * 3 for i in range(7)}
    assert [a for a, *_ in top_quartile(seven)] == ["g6"]
    # fewer than 4 agents with enough reviews: nobody (a quartile of 3 means nothing)
    few = {"a": [100.0] * 3, "b": [50.0] * 3, "c": [0.0] * 3, "d": [100.0, 100.0]}
    assert top_quartile(few) == []
    # all equal: nobody stands out
    assert top_quartile({k: [80.0] * 3 for k in "abcd"}) == []


def _load(store: Store) -> Workspace:
    """Agents x:a1 … x:a4, three reviews each; empathy means 100, 75, 50, 25."""
    tickets, plan = [], []
    for i, rating in enumerate((5, 4, 3, 2), start=1):
        for j in range(3):
            tickets.append(
                {
                    "ticket_id": f"x:r{i}{j}",
                    "source": "x",
                    "agent_id": f"x:a{i}",
                    "created_at": dt.datetime(2026, 4, i, j, tzinfo=dt.UTC),
                }
            )
            plan.append((f"x:r{i}{j}", rating))
    store.write("tickets", tickets)
    ws = Workspace(store, clock=SteppingClock(NOW))
    ws.save_scorecard(ADMIN, CARD)
    for ticket, rating in plan:
        ws.submit_review(REVIEWER, ticket, {"emp": rating}, scorecard_id="rec")
    ws.mark_wow(REVIEWER, "x:r20", "Calm with an angry customer")
    return ws


@pytest.fixture
def rec(store: Store) -> Workspace:
    return _load(store)


def test_kudos_rules(rec: Workspace) -> None:
    one = rec.kudos(AGENT1, "x:a1", **WINDOW)
    assert [(k.kind, k.category_id, k.rank, k.of) for k in one] == [("top_quartile", "emp", 1, 4)]
    assert one[0].score is not None and one[0].score.mean == 100.0 and one[0].score.n == 3
    two = rec.kudos(AGENT2, "x:a2", **WINDOW)
    assert [(k.kind, k.ticket_id, k.note) for k in two] == [
        ("wow", "x:r20", "Calm with an angry customer")
    ]
    assert two[0].by == REVIEWER.user_id
    # outside the window: nothing
    before = {"start": NOW - dt.timedelta(days=2), "end": NOW}
    assert rec.kudos(AGENT1, "x:a1", **before) == []
    # the scorecard's helper (the page has checked who may see the agent) agrees
    assert kudos_of(rec.store, "x:a2", **WINDOW) == two


def test_board_is_opt_in_by_role(rec: Workspace) -> None:
    assert rec.recognition_roles == DEFAULT_RECOGNITION_ROLES
    rows = rec.recognition_board(MANAGER, **WINDOW)
    assert [(r.agent_id, r.wow, r.top_quartile) for r in rows] == [
        ("x:a2", 1, 0),
        ("x:a1", 0, 1),
    ]
    assert rec.recognition_board(REVIEWER, **WINDOW)
    # agents are not opted in: no board, nobody else's kudos, their own still
    with pytest.raises(PermissionDenied, match="recognition_board"):
        rec.recognition_board(AGENT1, **WINDOW)
    with pytest.raises(PermissionDenied):
        rec.kudos(AGENT1, "x:a2", **WINDOW)
    assert rec.kudos(AGENT1, "x:a1", **WINDOW)
    # reviewers see every scorecard, so every agent's kudos
    assert rec.kudos(REVIEWER, "x:a2", **WINDOW)
    # opted in: agents see the board and each other's kudos
    rec.recognition_roles = ("admin", "manager", "reviewer", "agent")
    assert len(rec.recognition_board(AGENT1, **WINDOW)) == 2
    assert rec.kudos(AGENT1, "x:a2", **WINDOW)
    # and reviewers can be left out of the board
    rec.recognition_roles = ("admin", "manager")
    with pytest.raises(PermissionDenied):
        rec.recognition_board(REVIEWER, **WINDOW)


def test_recognition_roles_from_the_config() -> None:
    assert recognition_roles(Settings()) == ("admin", "manager", "reviewer")
    s = Settings(sections={"qa": {"recognition_board": ["agent", "admin"]}})
    assert recognition_roles(s) == ("admin", "agent")
    assert recognition_roles(Settings(sections={"qa": {"recognition_board": []}})) == ()
    for bad in ("agent", ["agents"], [1]):
        with pytest.raises(ConfigError, match="recognition_board"):
            recognition_roles(Settings(sections={"qa": {"recognition_board": bad}}))


def test_bots_get_no_kudos(rec: Workspace) -> None:
    rec.store.write(
        "agents",
        [{"agent_id": "x:a2", "source": "x", "name": "Helper bot", "is_bot": True}],
    )
    rows = rec.recognition_board(MANAGER, **WINDOW)
    # x:a2's wow is left out, and 3 people are too few for a quartile
    assert rows == []
