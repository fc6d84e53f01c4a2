"""Routing recommendations (#17, item 4): which agents resolve a kind of ticket best, and
for one open ticket the top three with the reason — a recommendation and an API, never
an automatic assignment (docs/insights.md, "Routing recommendations").

    skills = build_skills(store)                     # seconds at 1 M tickets; keep it
    recommend(skills, {"category": "refund", "language": "fa", "channel": "chat"})
    # Routing(level=("category", "language", "channel"), agents=[Recommendation(
    #     agent_id="demo:a-007", reason="FCR 82 % on refund/fa/chat (41 tickets) vs team 64 %",
    #     …), …])

The skill table (``_routing_data``: outcomes summed in the database; ``_routing_build``:
levels, references, shrinkage by ``_routing_stats``) is built once per data change; a
recommendation is a dict lookup and a sort of a few dozen agents (the web app keeps the
table in memory per data stamp).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..metrics import MetricsConfig, ensure_facts
from ..store import Store
from ..text import triage
from ._routing_build import DURATION, LEVELS, OUTCOMES, Level, build_levels, left_by
from ._routing_data import KIND_DIMS, agent_roster, outcome_cells

#: how many agents a recommendation names
TOP = 3
#: tickets of a kind an agent must have solved to be recommended for it; a level is used
#: when at least TOP eligible agents have that many (else the next, coarser one)
MIN_TICKETS = 5
#: how the outcomes' lifts weigh in the score, per ticket priority (any other: "default");
#: an urgent ticket weighs speed more, a normal one first-contact resolution and CSAT
WEIGHTS: dict[str, dict[str, float]] = {
    "default": {"fcr": 0.35, "csat": 0.30, "reopen": 0.15, "resolution": 0.20},
    "high": {"fcr": 0.30, "csat": 0.25, "reopen": 0.15, "resolution": 0.30},
    "urgent": {"fcr": 0.30, "csat": 0.20, "reopen": 0.10, "resolution": 0.40},
}
#: how reasons name the outcomes
LABELS = {"fcr": "FCR", "csat": "CSAT", "reopen": "reopened", "resolution": "resolution"}


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One agent at one kind: what a recommendation shows (precomputed per data stamp)."""

    agent_id: str
    name: str
    team_id: str
    active: bool
    tickets: int
    #: per outcome: (tickets with it, raw, shrunk estimate, reference, reference is the team's)
    figures: dict[str, tuple[int, float, float, float, bool]]


@dataclasses.dataclass(frozen=True)
class Recommendation:
    agent_id: str
    name: str
    team_id: str
    score: float
    #: the outcome the agent stands out most on, as a sentence
    reason: str
    #: that outcome: name, shrunk value, tickets it rests on, the reference and whose
    outcome: str
    value: float
    tickets: int
    reference: float
    reference_is_team: bool
    #: every outcome's shrunk estimate (rates 0-1, resolution in business seconds)
    estimates: dict[str, float | None]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Routing:
    """The answer for one ticket: the kind used, why, and the ranked agents."""

    #: the ticket's kind as asked (category possibly from the text)
    asked: dict[str, str | None]
    #: the level used: its dimensions, and the kind's values at it
    level: tuple[str, ...]
    kind: dict[str, str]
    #: "" when the finest kind was used; else why a coarser one
    fallback: str
    agents: list[Recommendation]
    #: the category's source: "given", "text" (triage) or "" (none)
    category_from: str = "given"
    #: eligible agents at the kind used (the top are chosen among them)
    pool: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "asked": self.asked,
            "category_from": self.category_from,
            "level": list(self.level),
            "kind": self.kind,
            "fallback": self.fallback,
            "pool": self.pool,
            "agents": [a.as_dict() for a in self.agents],
        }


@dataclasses.dataclass
class SkillTable:
    """Agents' shrunk outcomes per case kind at every level, and the lookups
    :func:`recommend` uses."""

    levels: dict[tuple[str, ...], Level]
    #: level → kind values → agents with at least MIN_TICKETS tickets of it
    candidates: dict[tuple[str, ...], dict[tuple[Any, ...], list[Candidate]]]
    #: level → kind values → per candidate, the outcomes' lifts (rows) in OUTCOMES order
    lifts: dict[tuple[str, ...], dict[tuple[Any, ...], np.ndarray]]
    names: dict[str, str]
    built_at: dt.datetime
    #: only tickets solved before this counted (None: all)
    before: dt.datetime | None = None
    build_seconds: float = 0.0

    def rows(self, dims: tuple[str, ...]) -> pd.DataFrame:
        return self.levels[dims].rows


def build_skills(
    store: Store,
    config: MetricsConfig | None = None,
    *,
    before: dt.datetime | None = None,
    now: dt.datetime | None = None,
    ensure: bool = True,
) -> SkillTable:
    """The skill table from the store's ticket facts (``ensure``: build them first).

    ``before``: only tickets solved (and outcomes known) before it; ``now``: who has left
    (``agents.left_at`` at or before it; default: ``before``, else the wall clock).
    """
    began = dt.datetime.now(dt.UTC)
    config = config or MetricsConfig.from_settings()
    if ensure:
        ensure_facts(store, config)
    cells = outcome_cells(store, config, before=before)
    roster = agent_roster(store)
    return skills_from(cells, roster, before=before, now=now, began=began)


def skills_from(
    cells: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    before: dt.datetime | None = None,
    now: dt.datetime | None = None,
    began: dt.datetime | None = None,
) -> SkillTable:
    """The skill table from what :func:`build_skills` reads (``outcome_cells``,
    ``agent_roster``): pandas / NumPy only, no database (a server reads under its lock,
    then builds without it)."""
    began = began or dt.datetime.now(dt.UTC)
    levels = build_levels(cells, roster)
    gone = left_by(roster, now or before or dt.datetime.now(dt.UTC))
    names = {str(a): str(n) if isinstance(n, str) and n else str(a) for a, n in
             zip(roster.agent_id, roster.name, strict=True)}  # fmt: skip
    candidates: dict[tuple[str, ...], dict[tuple[Any, ...], list[Candidate]]] = {}
    lifts: dict[tuple[str, ...], dict[tuple[Any, ...], np.ndarray]] = {}
    for dims, level in levels.items():
        candidates[dims], lifts[dims] = _index(level, names, gone)
    took = (dt.datetime.now(dt.UTC) - began).total_seconds()
    return SkillTable(levels, candidates, lifts, names, began, before, took)


def _index(
    level: Level, names: dict[str, str], gone: set[str]
) -> tuple[dict[tuple[Any, ...], list[Candidate]], dict[tuple[Any, ...], np.ndarray]]:
    rows = level.rows[level.rows.tickets >= MIN_TICKETS]
    found: dict[tuple[Any, ...], list[Candidate]] = {}
    lifted: dict[tuple[Any, ...], list[np.ndarray]] = {}
    parts = ("n", "raw", "est", "ref")
    arrays = {o: [rows[f"{p}_{o}"].to_numpy(float) for p in parts] for o in OUTCOMES}
    own = {o: rows[f"ref_team_{o}"].to_numpy(bool) for o in OUTCOMES}
    lifts = rows[[f"lift_{o}" for o in OUTCOMES]].to_numpy(float)
    keys = list(zip(*(rows[d].tolist() for d in level.dims), strict=True))
    teams, tickets = rows.team_id.tolist(), rows.tickets.to_numpy(int)
    for i, agent in enumerate(rows.agent_id.tolist()):
        key = keys[i] if level.dims else ()
        figures = {
            o: (int(n[i]), float(raw[i]), float(est[i]), float(ref[i]), bool(own[o][i]))
            for o, (n, raw, est, ref) in arrays.items()
        }
        found.setdefault(key, []).append(
            Candidate(
                agent_id=agent,
                name=names.get(agent, agent),
                team_id=str(teams[i]),
                active=agent not in gone,
                tickets=int(tickets[i]),
                figures=figures,
            )
        )
        lifted.setdefault(key, []).append(lifts[i])
    return found, {k: np.vstack(v) for k, v in lifted.items()}


# -- recommending -------------------------------------------------------------------------


def _weights(priority: str | None) -> np.ndarray:
    chosen = WEIGHTS.get(priority or "default", WEIGHTS["default"])
    return np.array([chosen[o] for o in OUTCOMES], dtype=float)


def _scores(lifts: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of the lifts an agent has (an outcome nobody at the kind has: left
    out, the others' weights renormalised); and each weighted lift (for the reason)."""
    known = ~np.isnan(lifts)
    weighted = np.where(known, lifts, 0.0) * weights
    total = (known * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(total > 0, weighted.sum(axis=1) / total, 0.0)
    return scores, np.where(known, weighted, -np.inf)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _ask(fields: Mapping[str, Any]) -> tuple[dict[str, str | None], str]:
    """The ticket's kind: its fields, the category (and language) from ``text`` when
    missing (``sanjeh.text.triage``)."""
    asked = {d: _text(fields.get(d)) for d in KIND_DIMS}
    source = "given" if asked["category"] else ""
    text = _text(fields.get("text"))
    if text and (not asked["category"] or not asked["language"]):
        found = triage(text, asked["language"])
        if not asked["category"]:
            asked["category"], source = found.category, "text"
        asked["language"] = asked["language"] or found.language or None
    return asked, source


def recommend(skills: SkillTable, ticket: Mapping[str, Any], *, top: int = TOP) -> Routing:
    """The ``top`` agents for a ticket (fields: category, language, channel, team,
    priority, text) with a reason each: not bots, not left, of ``team`` when given; at
    the finest kind where ``top`` such agents have solved MIN_TICKETS of it, else a
    coarser one (``Routing.fallback`` says which and why)."""
    asked, category_from = _ask(ticket)
    team = _text(ticket.get("team"))
    weights = _weights(_text(ticket.get("priority")))
    applicable = [dims for dims in LEVELS if all(asked[d] is not None for d in dims)]
    best: tuple[tuple[str, ...], tuple[Any, ...], list[int]] | None = None
    for dims in applicable:
        key = tuple(asked[d] for d in dims)
        found = skills.candidates[dims].get(key, [])
        eligible = [
            i for i, c in enumerate(found) if c.active and (team is None or c.team_id == team)
        ]
        if len(eligible) >= top:
            best = (dims, key, eligible)
            break
        if best is None and eligible:
            best = (dims, key, eligible)  # the finest with anyone, if no level has enough
    if best is None:
        return Routing(asked, (), {}, _nobody(asked, team), [], category_from)
    dims, key, eligible = best
    label = _kind_label(dims, key)
    fallback = ""
    if dims != applicable[0]:
        finest = _kind_label(applicable[0], tuple(asked[d] for d in applicable[0]))
        fallback = (
            f"fewer than {top} agents{_of_team(team)} who are still here have solved "
            f"{MIN_TICKETS} tickets of {finest}; used {label or 'all their tickets'}"
        )
    found = skills.candidates[dims][key]
    scores, weighted = _scores(skills.lifts[dims][key][eligible], weights)
    order = np.argsort(-scores, kind="stable")[:top]
    agents = [
        _recommendation(found[eligible[i]], float(scores[i]), weighted[i], label) for i in order
    ]
    kind = {d: str(v) for d, v in zip(dims, key, strict=True)}
    return Routing(asked, dims, kind, fallback, agents, category_from, len(eligible))


def _of_team(team: str | None) -> str:
    return f" of team {team}" if team else ""


def _nobody(asked: dict[str, str | None], team: str | None) -> str:
    return (
        f"no agent{_of_team(team)} who is still here has solved {MIN_TICKETS} tickets of "
        f"any kind matching {_kind_label(tuple(asked), tuple(asked.values()))}"
    )


def _kind_label(dims: tuple[str, ...], key: tuple[Any, ...]) -> str:
    return "/".join(str(v) for v in key if v is not None)


def _recommendation(c: Candidate, score: float, weighted: np.ndarray, label: str) -> Recommendation:
    # the reason rests on an outcome with MIN_TICKETS tickets when the agent has one
    enough = np.array([c.figures[o][0] >= MIN_TICKETS for o in OUTCOMES])
    if (enough & np.isfinite(weighted)).any():
        weighted = np.where(enough, weighted, -np.inf)
    outcome = OUTCOMES[int(np.argmax(weighted))] if np.isfinite(weighted).any() else "fcr"
    n, _raw, est, ref, own = c.figures[outcome]
    return Recommendation(
        agent_id=c.agent_id,
        name=c.name,
        team_id=c.team_id,
        score=round(score, 4),
        reason=reason(outcome, est, n, ref, own, label),
        outcome=outcome,
        value=est,
        tickets=n,
        reference=ref,
        reference_is_team=own,
        estimates={o: (None if math.isnan(v[2]) else v[2]) for o, v in c.figures.items()},
    )


def reason(outcome: str, value: float, n: int, ref: float, own: bool, label: str) -> str:
    """ "FCR 82 % on billing/fa (41 tickets) vs team 64 %" (the shrunk estimate)."""
    where = f" on {label}" if label else ""
    whom = "team" if own else "all agents"
    what = "answers" if outcome == "csat" else "tickets"
    if outcome == DURATION:
        return f"{LABELS[outcome]} {_hours(value)}{where} ({n} {what}) vs {whom} {_hours(ref)}"
    return f"{LABELS[outcome]} {_pct(value)}{where} ({n} {what}) vs {whom} {_pct(ref)}"


def _pct(value: float) -> str:
    return "—" if math.isnan(value) else f"{value * 100:.0f} %"


def _hours(seconds: float) -> str:
    if math.isnan(seconds):
        return "—"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
