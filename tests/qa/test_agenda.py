"""The coaching agenda on a constructed set of reviews, every figure computed by hand:
the gap of each category to the team (Welch standard error, 95 % interval), categories
left out for too few reviews, the conversations that show each gap, a session created
from the proposal, and the focus categories' trend before / after it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from sanjeh.errors import PermissionDenied
from sanjeh.qa import Category, Difference, Mean, Scale, Scorecard, Section, Workspace
from sanjeh.store import Store

from .conftest import ADMIN, AGENT1, AGENT2, REVIEWER, T0, SteppingClock

NOW = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
HELD = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
CARD = Scorecard(
    "teach",
    "Teach",
    (
        Section(
            "s",
            "S",
            (
                Category("sol", "Solution", weight=50, scale=Scale("5")),
                Category("emp", "Empathy", weight=40, scale=Scale("5")),
                Category("tone", "Tone", weight=10, scale=Scale("binary"), na_allowed=True),
            ),
        ),
    ),
)
#: (ticket, agent, created, sol, emp, tone); 5-point: 1 → 0 %, 2 → 25 %, … 5 → 100 %
REVIEWS = [
    ("x:b1", "x:a1", dt.datetime(2026, 3, 1), 5, 2, 1),  # sol 100, emp 25
    ("x:b2", "x:a1", dt.datetime(2026, 3, 2), 5, 3, 0),  # sol 100, emp 50
    ("x:b3", "x:a1", dt.datetime(2026, 3, 3), 4, 2, None),  # sol 75, emp 25
    ("x:c1", "x:a2", dt.datetime(2026, 3, 1), 4, 4, 1),  # emp 75
    ("x:c2", "x:a2", dt.datetime(2026, 3, 2), 4, 5, 1),  # emp 100 (a wow conversation)
    ("x:c3", "x:a3", dt.datetime(2026, 3, 3), 5, 4, 1),  # emp 75
    ("x:c4", "x:a3", dt.datetime(2026, 3, 4), 5, 3, 1),  # emp 50
    # after the session of 2026-03-10 (28 days: until 04-07)
    ("x:b4", "x:a1", dt.datetime(2026, 3, 12), 5, 4, 1),  # emp 75
    ("x:b5", "x:a1", dt.datetime(2026, 3, 14), 5, 5, 1),  # emp 100
]


def _load(store: Store) -> Workspace:
    store.write(
        "tickets",
        [
            {
                "ticket_id": t,
                "source": "x",
                "agent_id": a,
                "created_at": when.replace(tzinfo=dt.UTC),
                "status": "solved",
            }
            for t, a, when, *_ in REVIEWS
        ],
    )
    ws = Workspace(store, clock=SteppingClock(NOW))
    ws.save_scorecard(ADMIN, CARD)
    for t, _, _, sol, emp, tone in REVIEWS:
        ratings = {"sol": sol, "emp": emp, "tone": tone}
        ws.submit_review(REVIEWER, t, ratings, scorecard_id="teach")
    ws.mark_wow(REVIEWER, "x:c2", "Lovely empathy")
    return ws


@pytest.fixture
def teach(store: Store) -> Workspace:
    return _load(store)


WINDOW = {"start": NOW, "end": NOW + dt.timedelta(days=1)}


def test_gaps_computed_by_hand(teach: Workspace) -> None:
    # the agenda's window is when reviews were *written*: all 9 were written at NOW + s
    agenda = teach.agenda(REVIEWER, "x:a1", **WINDOW)
    # agent a1: emp 25, 50, 25, 75, 100 → 55; team (a2, a3): 75, 100, 75, 50 → 75
    by = {i.category_id: i for i in agenda.compared}
    emp = by["emp"]
    assert emp.agent.mean == pytest.approx(55.0) and emp.agent.n == 5
    assert emp.team.mean == pytest.approx(75.0) and emp.team.n == 4
    assert emp.gap.value == pytest.approx(-20.0)
    # sol: a1 100, 100, 75, 100, 100 → 95; team 75, 75, 100, 100 → 87.5: above the team
    assert by["sol"].gap.value == pytest.approx(7.5)
    # tone: a1 rated 1, 0, 1, 1 (4 reviews), team 1, 1, 1, 1 → 75 vs 100
    assert by["tone"].gap.value == pytest.approx(-25.0)
    # the agenda: gaps below the team, largest first; sol is not proposed
    assert [i.category_id for i in agenda.items] == ["tone", "emp"]
    assert agenda.focus == ["tone", "emp"]
    assert agenda.left_out == ()
    # Welch: emp a1 sd² = (30² + 5² + 30² + 20² + 45²) / 4 = 1062.5 → /5 = 212.5;
    # team sd² = (0 + 25² + 0 + 25²) / 3 = 416.67 → /4 = 104.17
    va, vb = 1062.5 / 5, 1250 / 3 / 4
    assert emp.gap.se == pytest.approx(math.sqrt(va + vb))
    df = (va + vb) ** 2 / (va**2 / 4 + vb**2 / 3)
    assert df == pytest.approx(6.727, abs=0.001)
    # t(0.975, 6.727) = 2.384 (tables: 2.447 at 6, 2.365 at 7)
    half = emp.gap.high - emp.gap.value
    assert half / emp.gap.se == pytest.approx(2.384, abs=0.001)
    assert emp.gap.low == pytest.approx(emp.gap.value - half)
    # tone: team all 100 (sd 0); a1 100, 0, 100, 100: sd² = (25² × 3 + 75²) / 3 = 2500
    tone = by["tone"]
    assert tone.gap.se == pytest.approx(math.sqrt(2500 / 4))  # = 25


def test_too_few_reviews_are_left_out_and_said(teach: Workspace) -> None:
    agenda = teach.agenda(REVIEWER, "x:a1", **WINDOW, min_reviews=5)
    # emp: a1 has 5, the team 4 → left out; tone: a1 4; sol: the team 4
    left = {x.category_id: (x.agent_n, x.team_n) for x in agenda.left_out}
    assert left == {"emp": (5, 4), "sol": (5, 4), "tone": (4, 4)}
    assert agenda.items == () and agenda.compared == ()


def test_evidence_lowest_own_and_good_examples(teach: Workspace) -> None:
    agenda = teach.agenda(REVIEWER, "x:a1", **WINDOW)
    emp = next(i for i in agenda.items if i.category_id == "emp")
    # the agent's lowest: 25 (x:b3, newer first), 25 (x:b1), 50 (x:b2)
    assert [(e.ticket_id, e.score) for e in emp.low] == [
        ("x:b3", 25.0),
        ("x:b1", 25.0),
        ("x:b2", 50.0),
    ]
    assert all(e.kind == "low" and e.review_id for e in emp.low)
    # good: the wow conversation (emp 100), then the team's best: 75 (x:c3 newer), 75 (x:c1)
    assert [(e.kind, e.ticket_id, e.score) for e in emp.good] == [
        ("wow", "x:c2", 100.0),
        ("team_best", "x:c3", 75.0),
        ("team_best", "x:c1", 75.0),
    ]
    assert emp.good[0].note == "Lovely empathy"
    # the agenda cites the agent's reviews of its categories (for the session)
    assert set(agenda.review_ids) <= {e.review_id for i in agenda.items for e in i.low}


def test_agents_see_only_their_own_agenda_without_others_reviews(teach: Workspace) -> None:
    mine = teach.agenda(AGENT1, "x:a1", **WINDOW)
    emp = next(i for i in mine.items if i.category_id == "emp")
    assert [e.kind for e in emp.good] == ["wow"]  # the wow library is everyone's
    with pytest.raises(PermissionDenied):
        teach.agenda(AGENT2, "x:a1", **WINDOW)


def test_session_from_the_proposal_and_its_trend(teach: Workspace) -> None:
    agenda = teach.agenda(REVIEWER, "x:a1", **WINDOW)
    session = teach.create_coaching(
        REVIEWER,
        "x:a1",
        "From the agenda",
        review_ids=agenda.review_ids,
        focus=agenda.focus,
        held_on=HELD,
    )
    assert teach.coaching(AGENT1)[0].focus == ["tone", "emp"]
    trend = teach.coaching_trend(AGENT1, session.session_id)
    assert trend.closed
    emp = next(c for c in trend.categories if c.category_id == "emp")
    # before (conversations created 02-10 … 03-10): 25, 50, 25; after: 75, 100
    assert (emp.before.mean, emp.before.n) == (pytest.approx(100 / 3), 3)
    assert (emp.after.mean, emp.after.n) == (pytest.approx(87.5), 2)
    assert emp.change.value == pytest.approx(87.5 - 100 / 3)
    va, vb = 312.5 / 2, (625 / 3) / 3  # after sd² 312.5, before sd² 208.33
    assert emp.change.se == pytest.approx(math.sqrt(va + vb))
    assert emp.change.low < emp.change.value < emp.change.high
    # IQS: the same windows as coaching_effect
    assert trend.effect is not None
    assert trend.iqs_before.n == trend.effect.before.reviews == 3
    assert trend.iqs_after.mean == pytest.approx(trend.effect.after.iqs)


def test_trend_of_a_window_not_yet_closed_shows_no_after_figures(teach: Workspace) -> None:
    session = teach.create_coaching(
        REVIEWER, "x:a1", "", focus=["emp"], held_on=NOW - dt.timedelta(days=3)
    )
    trend = teach.coaching_trend(REVIEWER, session.session_id)
    assert not trend.closed and trend.effect is None
    assert trend.categories[0].after.n == 0 and trend.categories[0].change.value is None


def test_difference_edge_cases() -> None:
    one = Mean.of([50.0])
    assert one.sd is None and Difference.of(one, Mean.of([10.0, 20.0])).se is None
    flat = Difference.of(Mean.of([50.0, 50.0]), Mean.of([25.0, 25.0]))
    assert (flat.value, flat.se, flat.low, flat.high) == (25.0, 0.0, 25.0, 25.0)
    assert Difference.of(Mean.of([]), one).value is None


def test_focus_is_checked(teach: Workspace) -> None:
    from sanjeh.errors import ValidationError

    with pytest.raises(ValidationError):
        teach.create_coaching(REVIEWER, "x:a1", "", focus=[" emp"])
    s = teach.create_coaching(REVIEWER, "x:a1", "", focus=["emp", "emp"])
    assert dataclasses.replace(s).focus == ["emp"]


def test_gaps_recomputed_with_pandas_and_scipy(duckdb_store: Store) -> None:
    """An independent recompute: 6 agents in 2 teams, random ratings of the default
    scorecard; category scores from the published formula in pandas, the interval from
    scipy's Welch t-test — nothing of sanjeh's maths."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    scales = {  # the default scorecard (docs/qa.md): (min, max, N/A allowed)
        "correct_solution": (1, 5, False),
        "complete_answer": (1, 5, False),
        "empathy": (1, 5, False),
        "tone": (1, 4, False),
        "greeting_closing": (0, 1, True),
        "ownership": (1, 4, False),
        "follow_up": (1, 3, True),
        "internal_process": (0, 1, True),
    }
    rng = np.random.default_rng(22)
    agents = [f"x:a{i}" for i in range(1, 7)]
    duckdb_store.write(
        "agents",
        [
            {"agent_id": a, "source": "x", "name": a, "team_id": "x:t1" if i < 3 else "x:t2"}
            for i, a in enumerate(agents)
        ],
    )
    tickets, plan = [], []
    for a in agents:
        for j in range(6):
            ticket = f"x:{a[2:]}-{j}"
            tickets.append({"ticket_id": ticket, "source": "x", "agent_id": a, "created_at": T0})
            ratings = {}
            for cat, (lo, hi, na) in scales.items():
                ratings[cat] = None if na and rng.random() < 0.3 else int(rng.integers(lo, hi + 1))
            plan.append((ticket, a, ratings))
    duckdb_store.write("tickets", tickets)
    ws = Workspace(duckdb_store, clock=SteppingClock(NOW))
    for ticket, _, ratings in plan:
        ws.submit_review(REVIEWER, ticket, ratings)
    agenda = ws.agenda(REVIEWER, "x:a1", **WINDOW, top=3)

    rows = [
        {"agent": a, "category": c, "score": (r - scales[c][0]) / (scales[c][1] - scales[c][0])}
        for _, a, ratings in plan
        for c, r in ratings.items()
        if r is not None
    ]
    df = pd.DataFrame(rows)
    df["score"] *= 100
    mine = df[df.agent == "x:a1"]
    team = df[df.agent.isin(["x:a2", "x:a3"])]  # the rest of team x:t1
    expected = {}
    for cat in sorted(mine.category.unique()):
        a, b = mine[mine.category == cat].score, team[team.category == cat].score
        if len(a) < 3 or len(b) < 3:
            continue
        ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
        expected[cat] = (a.mean() - b.mean(), ci.low, ci.high)
    got = {i.category_id: (i.gap.value, i.gap.low, i.gap.high) for i in agenda.compared}
    assert got.keys() == expected.keys() and len(got) >= 6
    for cat, values in expected.items():
        assert got[cat] == pytest.approx(values), cat
    below = sorted((v[0], c) for c, v in expected.items() if v[0] < 0)[:3]
    assert agenda.focus == [c for _, c in below]
    left = {x.category_id for x in agenda.left_out}
    assert left == set(mine.category.unique()) - expected.keys()
