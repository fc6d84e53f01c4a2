"""Insights across reviews, every figure recomputed by hand on a small constructed set.

Scorecard ``mini``: accuracy (5-point, weight 50, critical), tone (4-point, 30),
greeting_closing (binary, 20, N/A allowed). Window 2026-03-09 … 2026-03-23 (two
Monday weeks), the previous window 2026-02-23 … 03-09.

| review | ticket / agent | reviewer | accuracy | tone | g&c | score |
|---|---|---|---|---|---|---|
| R1 | t1 / a1 | rev1 | 5 (100) | 4 (100) | 1 (100) | 100 |
| R2 | t2 / a2 | rev1 | 4 (75) | 2 (33.3) after a dispute (was 1) | 0 (0) | 47.5 |
| R3 | t3 / a1 | rev1 | 2 (25, critical) | 3 (66.7) | 1 | 0 (52.5 before) |
| R4 | t4 / a2 | rev2 | 3 (50) | 4 | N/A | 68.75 |
| R5 | t5 / a1 | rev2 | 5 | 1 (0) | 1 | 70 |
| R6 | t6 / a2 | rev2 | 1 (0, critical) | 4 | 0 | 0 (30 before) |
| P1, P2 (previous window) | t1 / a1, t2 / a2 | rev1, rev2 | 3, 4 | 3, 4 | 1, 1 | 65, 87.5 |

plus a draft and calibration reviews (neither counted).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from sanjeh.cli import main
from sanjeh.errors import PermissionDenied
from sanjeh.qa import Scorecard, Workspace, cohen_kappa, insights
from sanjeh.store import Store

from .conftest import AGENT1, AGENT2, MANAGER, REVIEWER, REVIEWER2, SteppingClock

UTC = dt.UTC
MINI = {
    "id": "mini",
    "name": "Mini",
    "sections": [
        {
            "id": "s",
            "name": "S",
            "categories": [
                {"id": "accuracy", "name": "Accuracy", "weight": 50, "scale": "5",
                 "critical": True, "root_causes": ["knowledge gap", "wrong process"]},
                {"id": "tone", "name": "Tone", "weight": 30, "scale": "4",
                 "root_causes": ["rude"]},
                {"id": "greeting_closing", "name": "G&C", "weight": 20, "scale": "binary",
                 "na_allowed": True},
            ],
        }
    ],
}  # fmt: skip
START, END = dt.date(2026, 3, 9), dt.date(2026, 3, 23)
T_975 = {1: 12.7062, 2: 4.3027, 5: 2.5706}  # Student-t 0.975 quantiles (printed tables)


def _at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def _tickets(store: Store) -> None:
    rows = []
    for i in range(1, 7):
        rows.append(
            {
                "ticket_id": f"x:t{i}",
                "source": "x",
                "channel": "email" if i <= 3 else "chat",
                "created_at": _at(1, month=3),
                "status": "solved",
                "agent_id": "x:a1" if i % 2 else "x:a2",
                "team_id": "x:billing" if i <= 4 else None,
                "language": "fa" if i % 3 else "en",
                "category": "refund" if i <= 2 else "delivery",
            }
        )
    store.write("tickets", rows)
    store.write("agents", [{"agent_id": "x:a1", "source": "x", "name": "A1"},
                           {"agent_id": "x:a2", "source": "x", "name": "A2"}])  # fmt: skip


def _signals(store: Store) -> None:
    """greeting / closing per conversation, and one rude message in t5."""
    found = {"t1": ("present", "present"), "t2": ("present", "absent"),
             "t3": ("present", "present"), "t4": ("absent", "absent"),
             "t5": ("absent", "present"), "t6": ("present", "present")}  # fmt: skip
    rows = []
    for t, (greeting, closing) in found.items():
        for name, label in (("greeting", greeting), ("closing", closing)):
            rows.append(_auto(t, None, f"conversation.{name}", label))
    rows.append(_auto("t5", "x:t5-2", "rude", "present"))
    rows.append(_auto("t5", "x:t5-3", "rude", "absent"))
    store.write("auto_scores", rows)


def _auto(ticket: str, event: str | None, analyzer: str, label: str) -> dict[str, object]:
    return {
        "score_id": f"{event or 'x:' + ticket}#{analyzer}",
        "ticket_id": f"x:{ticket}",
        "event_id": event,
        "analyzer": analyzer,
        "label": label,
        "score": 1.0,
        "version": "rules-test",
    }


def _review(ws: Workspace, when: dt.datetime, who, ticket, acc, tone, gc, causes=None):  # type: ignore[no-untyped-def]
    ws.clock.now = when  # type: ignore[attr-defined]
    ratings = {"accuracy": acc, "tone": tone, "greeting_closing": gc}
    return ws.submit_review(who, f"x:{ticket}", ratings, scorecard_id="mini", root_causes=causes)


@pytest.fixture
def built(store: Store) -> Iterator[Workspace]:
    yield _build(store)


def _build(store: Store) -> Workspace:
    _tickets(store)
    _signals(store)
    ws = Workspace(store, clock=SteppingClock(_at(1, month=2)))
    ws.save_scorecard(MANAGER, Scorecard.from_dict(MINI))
    _review(ws, _at(4), REVIEWER, "t1", 3, 3, 1)  # P1
    _review(ws, _at(5), REVIEWER2, "t2", 4, 4, 1)  # P2
    _review(ws, _at(10), REVIEWER, "t1", 5, 4, 1)  # R1
    r2 = _review(ws, _at(11), REVIEWER, "t2", 4, 1, 0, {"tone": ["rude"]})
    _review(ws, _at(12), REVIEWER, "t3", 2, 3, 1, {"accuracy": ["knowledge gap"]})
    _review(ws, _at(13), REVIEWER2, "t4", 3, 4, None)
    _review(ws, _at(16), REVIEWER2, "t5", 5, 1, 1, {"tone": ["rude"]})
    _review(ws, _at(16, 11), REVIEWER2, "t6", 1, 4, 0,
            {"accuracy": ["knowledge gap", "wrong process"]})  # fmt: skip
    ws.clock.now = _at(17)  # type: ignore[attr-defined]
    dispute = ws.open_dispute(AGENT2, r2.review_id, "I was not rude")
    ws.resolve_dispute(REVIEWER, dispute.dispute_id, "partly_accepted", "fair", {"tone": 2})
    ws.clock.now = _at(18)  # type: ignore[attr-defined]
    ws.submit_review(MANAGER, "x:t3", {"accuracy": 1, "tone": 1}, scorecard_id="mini", draft=True)
    _calibrate(ws)
    ws.clock.now = _at(1, month=4)  # type: ignore[attr-defined]
    return ws


def _calibrate(ws: Workspace) -> None:
    """rev1 grades below the benchmark (the manager) on 4 of 6 items, rev2 as it does."""
    who = [REVIEWER.user_id, REVIEWER2.user_id, MANAGER.user_id]
    cal = ws.create_calibration(
        MANAGER,
        "c1",
        ["x:t1", "x:t2"],
        who,
        benchmark_reviewer=MANAGER.user_id,
        scorecard_id="mini",
    )
    grades = {
        MANAGER: {"x:t1": (5, 4, 1), "x:t2": (4, 3, 1)},
        REVIEWER: {"x:t1": (3, 3, 1), "x:t2": (4, 2, 0)},
        REVIEWER2: {"x:t1": (5, 4, 1), "x:t2": (4, 3, 1)},
    }
    for who, tickets in grades.items():
        for ticket, (acc, tone, gc) in tickets.items():
            ratings = {"accuracy": acc, "tone": tone, "greeting_closing": gc}
            ws.submit_review(who, ticket, ratings, calibration_id=cal.calibration_id)


def _run(ws: Workspace, actor=MANAGER, **kw):  # type: ignore[no-untyped-def]
    return insights(ws, actor, start=START, end=END, **kw)


def _one(figures, category, group=None):  # type: ignore[no-untyped-def]
    (found,) = [f for f in figures if f.category_id == category and f.group == group]
    return found


def test_means_failure_rates_and_intervals(built: Workspace) -> None:
    got = _run(built)
    assert (got.scorecard_id, got.reviews, got.previous_reviews) == ("mini", 6, 2)
    assert got.iqs == pytest.approx((100 + 47.5 + 0 + 68.75 + 70 + 0) / 6)
    acc = _one(got.overall, "accuracy")
    scores = [100, 75, 25, 50, 100, 0]
    assert acc.reviews == 6 and acc.mean == pytest.approx(350 / 6)
    assert (acc.failed, acc.failure_rate) == (2, pytest.approx(2 / 6))  # 25 and 0 < 50
    # sd² = Σ(x − 58.33)² / 5 = 8333.33 / 5; half width t(5) · sd / √6
    half = T_975[5] * math.sqrt(8333.333 / 5) / math.sqrt(6)
    assert acc.mean_low == pytest.approx(350 / 6 - half, abs=1e-3)
    assert 350 / 6 + half > 100 and acc.mean_high == 100.0  # kept within the 0–100 scores
    assert np.std(scores, ddof=1) ** 2 == pytest.approx(8333.333 / 5)
    # Wilson, 2 of 6: centre (1/3 + z²/12) / (1 + z²/6), half z √(2/9/6 + z²/144) / (1 + z²/6)
    z = 1.96
    denom = 1 + z * z / 6
    centre = (1 / 3 + z * z / 12) / denom
    w = z * math.sqrt((1 / 3) * (2 / 3) / 6 + z * z / 144) / denom
    assert acc.failure_low == pytest.approx(centre - w, abs=1e-4)  # 0.0968
    assert acc.failure_high == pytest.approx(centre + w, abs=1e-4)  # 0.7000
    assert acc.small  # 6 < 10 reviews
    # the previous window: P1 50, P2 75 → mean 62.5, nothing failed
    assert (acc.previous_reviews, acc.previous_mean, acc.previous_failure_rate) == (2, 62.5, 0)
    assert acc.mean_change == pytest.approx(350 / 6 - 62.5)
    assert acc.failure_change == pytest.approx(1 / 3)
    tone = _one(got.overall, "tone")  # R2's tone counts as corrected by the dispute (2 → 33.3)
    assert tone.mean == pytest.approx((100 + 100 / 3 + 200 / 3 + 100 + 0 + 100) / 6)
    assert tone.failed == 2
    gc = _one(got.overall, "greeting_closing")  # R4 N/A: 5 rated
    assert (gc.reviews, gc.mean, gc.failed) == (5, 60.0, 2)


def test_welch_and_newcombe_changes(built: Workspace) -> None:
    tone = _one(_run(built).overall, "tone")
    now = [100, 100 / 3, 200 / 3, 100, 0, 100]
    before = [200 / 3, 100]
    a, b = np.var(now, ddof=1) / 6, np.var(before, ddof=1) / 2
    df = (a + b) ** 2 / (a * a / 5 + b * b / 1)
    from scipy import stats

    q = stats.t.ppf(0.975, df)
    d = np.mean(now) - np.mean(before)
    assert tone.mean_change == pytest.approx(d)
    assert tone.mean_change_low == pytest.approx(d - q * math.sqrt(a + b))
    assert tone.mean_change_high == pytest.approx(d + q * math.sqrt(a + b))
    # Newcombe method 10, 2/6 − 0/2: Wilson of 0/2 is [0, z²/(2 + z²)]
    z = 1.959963984540054
    l1 = _wilson(2, 6)[0]
    u2 = z * z / (2 + z * z)
    assert tone.failure_change_low == pytest.approx(1 / 3 - math.sqrt((1 / 3 - l1) ** 2 + u2**2))


def _wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def test_breakdowns_by_agent_team_channel_language_topic(built: Workspace) -> None:
    by_agent = _run(built, by="agent").breakdown
    a1 = _one(by_agent, "accuracy", "x:a1")  # R1 100, R3 25, R5 100; P1 50
    assert (a1.reviews, a1.mean, a1.failed) == (3, 75.0, 1)
    assert (a1.previous_mean, a1.mean_change) == (50.0, 25.0)
    assert a1.mean_change_low is None  # one previous review: no Welch interval
    a2 = _one(by_agent, "accuracy", "x:a2")  # R2 75, R4 50, R6 0
    assert (a2.mean, a2.failed) == (pytest.approx(125 / 3), 1)
    team = _run(built, by="team").breakdown  # t5, t6 have no team: a group "" of its own
    assert _one(team, "accuracy", "x:billing").reviews == 4
    assert _one(team, "accuracy", "").mean == 50.0
    channel = _run(built, by="channel").breakdown
    assert _one(channel, "accuracy", "email").mean == pytest.approx(200 / 3)
    lang = _run(built, by="language").breakdown  # t3 and t6 are en
    assert _one(lang, "accuracy", "en").mean == 12.5
    topic = _run(built, by="topic").breakdown
    assert _one(topic, "tone", "refund").mean == pytest.approx((100 + 100 / 3) / 2)


def test_weeks_and_jalali_months(built: Workspace) -> None:
    weeks = _run(built, by="week").breakdown
    first = _one(weeks, "accuracy", "2026-03-09")  # R1–R4 against P1, P2 (week of 03-02)
    assert (first.mean, first.previous_mean, first.mean_change) == (62.5, 62.5, 0.0)
    assert not first.partial and first.period_end == dt.date(2026, 3, 16)
    second = _one(weeks, "accuracy", "2026-03-16")  # R5, R6 against the week before
    assert (second.mean, second.mean_change) == (50.0, -12.5)
    assert {f.group for f in weeks} == {"2026-03-09", "2026-03-16"}  # 03-02 is outside
    import jdatetime

    months = _run(built, by="jalali_month").breakdown
    keys = {f.group for f in months}
    expected = {
        f"{j.year:04d}-{j.month:02d}"
        for d in (10, 11, 12, 13, 16)
        for j in [jdatetime.date.fromgregorian(date=dt.date(2026, 3, d))]
    }
    assert keys == expected
    assert all(f.partial and f.mean_change is None for f in months)  # the window cuts them


def test_points_lost_where_the_iqs_goes(built: Workspace) -> None:
    got = _run(built)
    lost = {p.category_id: p for p in got.lost}
    # R2 12.5 + R3 (37.5 + the critical fail's 52.5) + R4 50·50/80 + R6 (50 + 30)
    assert lost["accuracy"].points == pytest.approx(12.5 + 90 + 31.25 + 80)
    assert lost["tone"].points == pytest.approx(20 + 10 + 30)
    assert lost["greeting_closing"].points == pytest.approx(20 + 20)
    assert [p.category_id for p in got.lost] == ["accuracy", "tone", "greeting_closing"]
    total = 213.75 + 60 + 40
    assert lost["accuracy"].share == pytest.approx(213.75 / total)
    assert sum(p.per_review for p in got.lost) == pytest.approx(100 - got.iqs)
    assert None not in lost  # every point is a category's


def test_root_causes_ranked(built: Workspace) -> None:
    got = [(c.category_id, c.cause, c.count, c.share) for c in _run(built).root_causes]
    assert got == [
        ("accuracy", "knowledge gap", 2, 0.4),
        ("tone", "rude", 2, 0.4),
        ("accuracy", "wrong process", 1, 0.2),
    ]


def test_strict_reviewer_flags_their_agents(built: Workspace) -> None:
    got = _run(built)
    rev = {r.reviewer_id: r for r in got.reviewers}
    # rev1 against the manager: −50, −33.3, 0, 0, −33.3, −100 points → mean −36.1
    assert rev["u-rev1"].bias == pytest.approx(-216.6667 / 6, abs=1e-3)
    assert rev["u-rev1"].tendency == "strict" and rev["u-rev1"].sessions == 1
    assert rev["u-rev2"].bias == 0 and rev["u-rev2"].tendency == "aligned"
    assert rev["u-rev1"].reviews == 3 and rev["u-rev1"].iqs == pytest.approx(147.5 / 3)
    agents = {a.agent_id: a for a in got.agents}
    assert (agents["x:a1"].by_strict, agents["x:a1"].flagged) == (2, True)  # R1, R3 of 3
    assert (agents["x:a2"].by_strict, agents["x:a2"].flagged) == (1, False)


def test_autoqa_against_manual_grades(built: Workspace) -> None:
    got = {a.category_id: a for a in _run(built).agreement}
    gc = got["greeting_closing"]
    # t1 pass/pass, t2 fail/fail, t3 pass/pass, t5 auto fail (no greeting) / manual pass,
    # t6 auto pass / manual fail; t4 is N/A
    assert (gc.n, gc.both_fail, gc.both_pass, gc.auto_fail_only, gc.manual_fail_only) == (
        5, 1, 2, 1, 1,
    )  # fmt: skip
    assert gc.observed == pytest.approx(0.6)
    assert gc.kappa == pytest.approx((0.6 - 0.52) / 0.48)  # p_e = .4·.4 + .6·.6
    assert gc.verdict == "few"
    assert got["tone"].n == 1 and got["tone"].both_fail == 1  # t5: rude, tone 1
    assert got["accuracy"].verdict == "none" and got["accuracy"].analyzers == ()


def test_agents_see_only_their_own(built: Workspace) -> None:
    mine = _run(built, AGENT1)
    assert mine.agent == "x:a1" and mine.reviews == 3
    assert mine.reviewers == [] and mine.agents == []  # no strictness for agents
    assert _one(mine.overall, "accuracy").mean == 75.0
    with pytest.raises(PermissionDenied):
        _run(built, AGENT1, agent="x:a2")
    assert _run(built, REVIEWER, agent="x:a2").reviews == 3


def test_open_window_is_not_compared(built: Workspace) -> None:
    built.clock.now = _at(20)  # type: ignore[attr-defined]
    got = _run(built)
    assert not got.complete and "window_open" in got.notes
    assert all(f.mean_change is None for f in got.overall)


def test_cli_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.duckdb"
    with Store.open(str(path)) as store:
        _build(store)
    args = ["qa", "insights", "--db", str(path), "--start", "2026-03-09", "--end", "2026-03-22"]
    assert main([*args, "--json", "--by", "agent"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["reviews"] == 6 and got["by"] == "agent"
    acc = next(f for f in got["overall"] if f["category_id"] == "accuracy")
    assert acc["mean"] == pytest.approx(350 / 6)
    assert [p["category_id"] for p in got["lost"]] == ["accuracy", "tone", "greeting_closing"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "where the IQS is lost" in out and "knowledge gap" in out and "58.3" in out
    assert main([*args, "--by", "fortnight"]) != 0


# -- Cohen's kappa -------------------------------------------------------------------------


def test_kappa_published_example() -> None:
    """Wikipedia, "Cohen's kappa", worked example (also howcodex.com): 50 grant proposals,
    both readers yes 20, A yes / B no 5, A no / B yes 10, both no 15: p_o = 0.70,
    p_e = 0.5 · 0.6 + 0.5 · 0.4 = 0.50, κ = 0.40."""
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    k = cohen_kappa(a, b)
    assert (k.observed, k.expected, k.n) == (pytest.approx(0.7), pytest.approx(0.5), 50)
    assert k.kappa == pytest.approx(0.4)
    # Cohen (1960) eq. 9: σ = √(.7 · .3 / (50 · .5²)) = 0.1296
    assert k.high - k.kappa == pytest.approx(1.959964 * math.sqrt(0.21 / 12.5), abs=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_kappa_matches_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 300)), int(rng.integers(2, 5))
    a = rng.integers(0, k, n)
    b = np.where(rng.random(n) < 0.6, a, rng.integers(0, k, n))
    expected = cohen_kappa_score(a, b)
    got = cohen_kappa(list(a), list(b)).kappa
    if math.isnan(expected):
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_kappa_edges() -> None:
    assert cohen_kappa([], []).kappa is None
    assert cohen_kappa([1, 1], [1, 1]).kappa is None  # p_e = 1: not defined
    assert cohen_kappa([0, 1], [0, 1]).kappa == 1.0
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 2])


def test_points_lost_follow_fail_sections_and_bonuses(duck_ws: Workspace) -> None:
    """Q2's kinds: a failed fail-section question takes its section's points, a bonus
    loses none and the points it adds show as a negative scorecard-rules row."""
    store = duck_ws.store
    _tickets(store)
    ws = Workspace(store, clock=SteppingClock(_at(10)))
    card = {
        "id": "kinds",
        "name": "Kinds",
        "sections": [
            {"id": "a", "name": "A", "categories": [
                {"id": "identity", "name": "Identity", "weight": 10, "scale": "binary",
                 "fail_section": True},
                {"id": "answer", "name": "Answer", "weight": 30, "scale": "5"}]},
            {"id": "b", "name": "B", "categories": [
                {"id": "tone", "name": "Tone", "weight": 20, "scale": "4"},
                {"id": "extra", "name": "Extra", "weight": 5, "scale": "binary",
                 "na_allowed": True, "bonus": True}]},
        ],
    }  # fmt: skip
    ws.save_scorecard(MANAGER, Scorecard.from_dict(card))
    given = [(0, 5, 4, 1), (1, 3, 2, None), (1, 4, 4, 1)]
    scores = []
    for i, (identity, answer, tone, extra) in enumerate(given, start=1):
        ratings = {"identity": identity, "answer": answer, "tone": tone, "extra": extra}
        scores.append(ws.submit_review(REVIEWER, f"x:t{i}", ratings, scorecard_id="kinds").score)
    # (0·10 + 0·30 + 100·20) / 60 + 5 bonus; (1000 + 1500 + 666.7) / 60; 87.5 + 5
    assert scores == pytest.approx([2000 / 60 + 5, 3166.667 / 60, 92.5], abs=1e-3)
    ws.clock.now = _at(1, month=4)  # type: ignore[attr-defined]
    got = insights(ws, MANAGER, start=START, end=END, scorecard="kinds")
    lost = {p.category_id: p.points for p in got.lost}
    # identity: 10·100/60 + the rest of its failed section (100 − 38.33 − 16.67)
    assert lost["identity"] == pytest.approx(100 - scores[0])
    assert lost["answer"] == pytest.approx(30 * 50 / 60 + 30 * 25 / 60)
    assert lost["tone"] == pytest.approx(20 * (100 - 100 / 3) / 60)
    assert lost["extra"] == 0 and lost[None] == pytest.approx(-5)  # the bonus gained
    assert sum(lost.values()) == pytest.approx(300 - sum(scores))


def test_no_reviews_yet(store: Store) -> None:
    """An empty store: every category of the default scorecard listed without figures."""
    got = insights(Workspace(store), MANAGER, by="week")
    assert (got.reviews, got.iqs, got.breakdown, got.lost, got.root_causes) == (0, None, [], [], [])
    assert got.scorecard_id == "default" and all(f.reviews == 0 for f in got.overall)
    assert [f.category_id for f in got.overall][:2] == ["correct_solution", "complete_answer"]
    assert {a.verdict for a in got.agreement} <= {"none", "few"}
