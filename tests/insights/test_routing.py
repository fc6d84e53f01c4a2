"""Routing recommendations (#17, item 4) on tiny hand-built stores, DuckDB and PostgreSQL.

Every ticket below: created by its customer, answered by its agent ten minutes later and
solved by them after ``minutes`` (one per customer, so nobody comes back: FCR is broken
only by an escalation, ``fcr_escalation = "breaks"``). The facts' "now" is 60 days after
the first ticket, so every FCR / reopen window has closed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sanjeh.insights import build_skills, hard_cases, recommend
from sanjeh.insights._routing_stats import KAPPA_MAX, rate_prior_strength
from sanjeh.metrics import MetricOptions, MetricsConfig
from sanjeh.store import Store

D0 = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
CONFIG = MetricsConfig(options=MetricOptions(as_of=D0 + dt.timedelta(days=60)))
TEAM = "t:support"


class Ops:
    """Tickets, events and agents written in one go."""

    def __init__(self) -> None:
        self.tickets: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.agents: dict[str, dict[str, Any]] = {}

    def agent(self, name: str, team: str = TEAM, **extra: Any) -> str:
        agent_id = f"t:{name}"
        self.agents[agent_id] = {
            "agent_id": agent_id, "source": "t", "name": name.title(), "team_id": team, **extra
        }  # fmt: skip
        return agent_id

    def solved(
        self,
        agent: str,
        count: int,
        fcr: int,
        *,
        kind: tuple[str, str, str] = ("billing", "fa", "email"),
        day: float = 0,
        minutes: float = 60,
        team: str = TEAM,
    ) -> None:
        """``count`` tickets of ``kind`` solved by ``agent``; the first ``fcr`` of them
        at first contact, the others escalated."""
        category, language, channel = kind
        for i in range(count):
            n = len(self.tickets)
            tid, customer = f"t:{n}", f"t:c-{n}"
            created = D0 + dt.timedelta(days=day, minutes=n)
            self.tickets.append(
                {
                    "ticket_id": tid, "source": "t", "created_at": created, "status": "solved",
                    "channel": channel, "priority": "normal", "team_id": team,
                    "agent_id": agent, "customer_id": customer, "category": category,
                    "language": language,
                }
            )  # fmt: skip
            steps = [
                (0, "created", "customer", customer, {}),
                (0, "message", "customer", customer, {}),
                (10, "message", "agent", agent, {}),
            ]
            if i >= fcr:
                steps.append((20, "escalate", "agent", agent, {"tier": 2}))
            steps.append((minutes, "status", "agent", agent, {"status": "solved"}))
            for k, (after, what, who, actor, extra) in enumerate(steps):
                self.events.append(
                    {
                        "event_id": f"{tid}-{k}", "ticket_id": tid, "kind": what,
                        "at": created + dt.timedelta(minutes=after), "actor_type": who,
                        "actor_id": actor, "public": True, **extra,
                    }
                )  # fmt: skip

    def write(self, store: Store) -> None:
        store.write("teams", [{"team_id": TEAM, "source": "t", "name": "Support"}])
        store.write("agents", list(self.agents.values()))
        store.write("tickets", self.tickets)
        store.write("events", self.events)


def test_prior_strength_by_hand() -> None:
    """One team, one kind: A 2/2, B 40/50, C 25/50. m = 67/102 = 0.65686,
    m(1 − m) = 0.22539; Σ nᵢ(pᵢ − m)² / m(1 − m) = 1.0448 + 4.5450 + 5.4585 = 11.0482;
    denominator N − Σn²/N − (k − 1) = 102 − 5004/102 − 2 = 50.9412;
    ρ = (11.0482 − 2) / 50.9412 = 0.17762, κ = 1/ρ − 1 = 4.6300."""
    import pandas as pd

    n, x = pd.Series([2, 50, 50]), pd.Series([2, 40, 25])
    assert rate_prior_strength(n, x, pd.Series(["g"] * 3)) == pytest.approx(4.6300, abs=1e-3)
    # agents no more spread than chance: everyone reads the team mean
    same = rate_prior_strength(pd.Series([50, 50]), pd.Series([25, 25]), pd.Series(["g", "g"]))
    assert same == KAPPA_MAX


def test_small_samples_are_shrunk_toward_the_team_and_big_ones_barely(store: Store) -> None:
    ops = Ops()
    a, b, c = ops.agent("a"), ops.agent("b"), ops.agent("c")
    ops.solved(a, 2, fcr=2)
    ops.solved(b, 50, fcr=40)
    ops.solved(c, 50, fcr=25)
    ops.write(store)
    skills = build_skills(store, CONFIG, now=D0)
    level = skills.levels[("category", "language", "channel")]
    assert level.kappa["fcr"] == pytest.approx(4.6300, abs=1e-3)  # (the test above)
    rows = level.rows.set_index("agent_id")
    # the team's mean for billing/fa/email: 67 / 102 = 0.65686 (teammates have ≥ 10)
    assert rows.loc[a, "ref_fcr"] == pytest.approx(67 / 102)
    assert bool(rows.loc[a, "ref_team_fcr"])
    # A: (2 + 4.6300 × 0.65686) / (2 + 4.6300) = 0.7604 — from 100 % most of the way down
    assert rows.loc[a, "raw_fcr"] == 1.0
    assert rows.loc[a, "est_fcr"] == pytest.approx(0.7604, abs=1e-3)
    # B: (40 + 3.0412) / 54.630 = 0.7879 — from 80 %, barely
    assert rows.loc[b, "est_fcr"] == pytest.approx(0.7879, abs=1e-3)
    # C: (25 + 3.0412) / 54.630 = 0.5133
    assert rows.loc[c, "est_fcr"] == pytest.approx(0.5133, abs=1e-3)
    # A has fewer than MIN_TICKETS (5) tickets: never recommended, whatever their rate
    routed = recommend(skills, {"category": "billing", "language": "fa", "channel": "email"})
    assert [r.agent_id for r in routed.agents] == [b, c]
    top = routed.agents[0]
    assert top.outcome == "fcr"
    assert top.reason == "FCR 79 % on billing/fa/email (50 tickets) vs team 66 %"


def test_a_thin_kind_falls_back_to_a_coarser_one(store: Store) -> None:
    ops = Ops()
    b, c = ops.agent("b"), ops.agent("c")
    d, e, f = ops.agent("d"), ops.agent("e"), ops.agent("f")
    ops.solved(b, 10, fcr=8)
    ops.solved(c, 10, fcr=5)
    chat = ("billing", "fa", "chat")
    ops.solved(d, 6, fcr=6, kind=chat)
    ops.solved(e, 6, fcr=3, kind=chat)
    ops.solved(f, 6, fcr=1, kind=chat)
    ops.write(store)
    skills = build_skills(store, CONFIG, now=D0)
    # billing/fa/email: only B and C have 5 tickets of it → billing/fa (all five)
    routed = recommend(skills, {"category": "billing", "language": "fa", "channel": "email"})
    assert routed.level == ("category", "language")
    assert routed.kind == {"category": "billing", "language": "fa"}
    assert routed.fallback == (
        "fewer than 3 agents who are still here have solved 5 tickets of billing/fa/email; "
        "used billing/fa"
    )
    assert routed.pool == 5 and len(routed.agents) == 3
    # billing/fa/chat has three: no fallback
    routed = recommend(skills, {"category": "billing", "language": "fa", "channel": "chat"})
    assert routed.level == ("category", "language", "channel") and routed.fallback == ""
    assert [r.agent_id for r in routed.agents] == [d, e, f]
    # a kind nobody handled (and no category): language alone
    routed = recommend(skills, {"language": "fa", "channel": "phone"})
    assert routed.level == ("language",) and "fa/phone" in routed.fallback
    # the category from the customer's text (triage) when none is given
    routed = recommend(skills, {"text": "I was charged twice, refund please", "language": "fa"})
    assert routed.category_from == "text" and routed.asked["category"] == "billing"
    assert routed.level[0] == "category"


def test_bots_and_leavers_are_never_recommended(store: Store) -> None:
    ops = Ops()
    p, q, r = ops.agent("p"), ops.agent("q"), ops.agent("r")
    bot = ops.agent("bot", is_bot=True)
    gone = ops.agent("gone", left_at=D0 + dt.timedelta(days=30))
    kind = ("refund", "en", "chat")
    ops.solved(p, 10, fcr=9, kind=kind)
    ops.solved(q, 10, fcr=5, kind=kind)
    ops.solved(r, 10, fcr=4, kind=kind)
    ops.solved(bot, 10, fcr=10, kind=kind)
    ops.solved(gone, 10, fcr=10, kind=kind)
    ops.write(store)
    ticket = {"category": "refund", "language": "en", "channel": "chat"}
    now = build_skills(store, CONFIG, now=D0 + dt.timedelta(days=31))
    assert [a.agent_id for a in recommend(now, ticket).agents] == [p, q, r]
    # the bot is not in the table at all; the leaver is (their team's history), unranked
    rows = now.levels[("category", "language", "channel")].rows
    assert bot not in set(rows.agent_id) and gone in set(rows.agent_id)
    # before they left, the leaver (10/10) was the one to ask
    then = build_skills(store, CONFIG, now=D0 + dt.timedelta(days=29))
    assert recommend(then, ticket).agents[0].agent_id == gone
    # only one team: nobody of another
    other = recommend(now, {**ticket, "team": "t:elsewhere"})
    assert other.agents == [] and "team t:elsewhere" in other.fallback


def test_hard_cases_reaching_the_experts_without_circularity(store: Store) -> None:
    ops = Ops()
    x, y, z, w = ops.agent("x"), ops.agent("y"), ops.agent("z"), ops.agent("w")
    # history (day 0): X 10/10, Y 8/10, Z 6/10, W 2/10 → top three X, Y, Z
    for agent, good in ((x, 10), (y, 8), (z, 6), (w, 2)):
        ops.solved(agent, 10, fcr=good)
    # the period (from day 20): W solves ten easy tickets at first contact (1-10 min:
    # were the period's own outcomes counted, W would rise into the top three), Y one
    # (11 min); the hard ones: W's and X's escalated tickets, also the two slowest
    # (≥ the category's 90th percentile of 13 resolutions: above 11 min)
    start = D0 + dt.timedelta(days=20)
    for k in range(10):
        ops.solved(w, 1, fcr=1, day=20, minutes=k + 1)
    ops.solved(y, 1, fcr=1, day=20, minutes=11)
    ops.solved(w, 1, fcr=0, day=20, minutes=200)
    ops.solved(x, 1, fcr=0, day=20, minutes=300)
    ops.write(store)
    report = hard_cases(store, CONFIG, start=start, end=start + dt.timedelta(days=5))
    assert report.tickets == 13 and report.tickets_reached == 2  # Y's and X's
    assert report.hard == 2 and report.hard_reached == 1  # X's, not W's
    assert report.reasons["escalated"] == {"hard": 2, "reached": 1}
    assert report.reasons["slow"] == {"hard": 2, "reached": 1}
    assert report.reasons["reopened"] == {"hard": 0, "reached": 0}
    assert report.chance == pytest.approx(3 / 4)  # three of four eligible agents
    assert report.skills_before == start
    assert report.as_dict()["hard_share"] == 0.5
