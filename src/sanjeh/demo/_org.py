"""The support organisation: teams, agents and bots, who is at work on which day.

Team sizes follow the ticket volume, so a million-ticket demo has hundreds of
agents and a small one still has several per team. Presence (shifts, leave,
hires and leavers) drives both the ``agent_shifts`` table and staffing: a team
with many tickets per present agent on a day answers more slowly that day.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ._calendar import DAY, STEP, Clock, Clocks
from ._const import (
    ACCOUNT,
    APP_CRASH,
    AR,
    BILLING_ERROR,
    CANCELLATION,
    CURT,
    DELIVERY,
    EN,
    FA,
    LOGIN,
    NEUTRAL,
    ORDER_CHANGE,
    PAYMENT_FAILED,
    POLITE,
    PRODUCT,
    REFUND,
    RUDE,
)
from .phrases.names import NAMES, TO_ARABIC_SCRIPT


@dataclasses.dataclass(frozen=True)
class TeamDef:
    slug: str
    name: str
    tier: int
    calendar: str
    #: tickets one agent of this team handles on a working day (sizes the team)
    capacity: float
    min_size: int
    hourly_cost: float
    parent: str | None = None


TEAMS = (
    TeamDef("care", "پشتیبانی مشتریان", 1, "tehran-extended", 32, 4, 5.0),
    TeamDef("billing", "مالی و پرداخت", 1, "tehran", 26, 3, 5.5),
    TeamDef("technical", "پشتیبانی فنی", 1, "tehran", 22, 3, 6.0),
    TeamDef("sales", "فروش و حفظ مشتری", 1, "tehran", 28, 3, 5.5),
    TeamDef("gulf", "مكتب الخليج", 1, "riyadh", 24, 3, 19.0),
    TeamDef("specialists", "کارشناسان سطح ۲", 2, "tehran", 8, 2, 9.5, parent="technical"),
    TeamDef("automation", "Virtual assistants", 0, "24x7", 0, 0, 0.0),
)
CARE, BILLING, TECHNICAL, SALES, GULF, SPECIALISTS, AUTOMATION = range(len(TEAMS))
HUMAN_TEAMS = (CARE, BILLING, TECHNICAL, SALES, GULF, SPECIALISTS)

#: tier-1 team of each category (Arabic tickets all go to the Gulf desk instead)
CATEGORY_TEAM = np.zeros(10, dtype=np.int8)
for _cats, _team in (
    ((DELIVERY, ORDER_CHANGE, ACCOUNT), CARE),
    ((REFUND, BILLING_ERROR, PAYMENT_FAILED), BILLING),
    ((LOGIN, APP_CRASH), TECHNICAL),
    ((PRODUCT, CANCELLATION), SALES),
):
    CATEGORY_TEAM[list(_cats)] = _team

#: shift patterns (local windows) per calendar; "extended" care runs early and late shifts
_PATTERNS: dict[str, tuple[tuple[int, int], ...]] = {
    "tehran": ((8 * 60, 17 * 60),),
    "tehran-extended": ((8 * 60, 16 * 60), (14 * 60, 22 * 60)),
    "riyadh": ((9 * 60, 18 * 60),),
}
_THURSDAY, _FRIDAY = 3, 4


@dataclasses.dataclass
class Org:
    """Agents (humans first, bots last) as parallel arrays, plus presence and load."""

    team: np.ndarray  # int8 team code
    role: list[str]
    style: np.ndarray  # int8 style code (bots: neutral)
    speaks: np.ndarray  # bool (agents, 3): fa / ar / en
    is_bot: np.ndarray
    hired: np.ndarray  # int64 UTC seconds
    left: np.ndarray  # int64 UTC seconds, -1 when still employed
    cost: np.ndarray  # float, NaN for bots
    names: list[tuple[str, str, str]]  # (native full name, Latin full name, e-mail)
    first: np.ndarray  # object (agents, 3): first name to sign with in fa / ar / en
    shift: np.ndarray  # int8 index into the calendar's patterns
    presence: np.ndarray  # bool (agents, days)
    load: np.ndarray  # float (teams, days): delay multiplier from staffing
    clocks: Clocks  # one business clock per agent: their own shifts and days at work
    bot_chat: int
    bot_web: int
    eligible: dict[tuple[int, int], np.ndarray]

    @property
    def size(self) -> int:
        return len(self.team)

    def pick(
        self, team: np.ndarray, lang: np.ndarray, t: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """An agent of ``team`` who speaks ``lang`` and is on shift at ``t``, per ticket."""
        out = np.full(len(team), -1, dtype=np.int32)
        for (code, lg), pool in self.eligible.items():
            rows = np.flatnonzero((team == code) & (lang == lg))
            if not len(rows):
                continue
            choice = pool[rng.integers(0, len(pool), len(rows))]
            # rejection sampling: redraw agents off shift then (a few rounds suffice)
            for _ in range(8):
                off = ~self.clocks.is_open(choice, t[rows])
                if not off.any():
                    break
                choice[off] = pool[rng.integers(0, len(pool), int(off.sum()))]
            if off.any():  # nobody drawn is on shift: take whoever is back first
                left = np.flatnonzero(off)
                when = self.clocks.after(
                    np.repeat(pool, len(left)), np.tile(t[rows][left], len(pool)), np.ones(1)
                ).reshape(len(pool), len(left))
                choice[left] = pool[when.argmin(axis=0)]
            out[rows] = choice
        return out


def _team_sizes(daily: np.ndarray) -> list[int]:
    sizes = []
    for code, team in enumerate(TEAMS):
        if code == AUTOMATION:
            sizes.append(0)
        else:
            sizes.append(max(team.min_size, math.ceil(daily[code] / team.capacity)))
    return sizes


def _styles(rng: np.random.Generator, n: int, leads: np.ndarray) -> np.ndarray:
    """Styles by quota so even a small demo has at least one rude and one curt agent."""
    style = np.full(n, POLITE, dtype=np.int8)
    staff = rng.permutation(np.flatnonzero(~leads))
    n_rude = max(1, round(0.06 * len(staff)))
    n_curt = max(1, round(0.14 * len(staff)))
    n_neutral = round(0.38 * len(staff))
    style[staff[:n_rude]] = RUDE
    style[staff[n_rude : n_rude + n_curt]] = CURT
    style[staff[n_rude + n_curt : n_rude + n_curt + n_neutral]] = NEUTRAL
    return style


def build_org(
    rng: np.random.Generator,
    daily: np.ndarray,
    arrivals: np.ndarray,
    clocks: dict[str, Clock],
    start: int,
    days: int,
) -> Org:
    """Create the agents for the expected ``daily`` tickets per team and their presence.

    ``arrivals`` (teams, days) counts tickets by team and local day; it sets the load.
    """
    sizes = _team_sizes(daily)
    team = np.repeat(np.arange(len(TEAMS), dtype=np.int8), sizes)
    n = len(team)
    first_of_team = np.r_[True, team[1:] != team[:-1]] if n else np.zeros(0, bool)
    leads = first_of_team & (team != SPECIALISTS)
    role = [
        "lead" if lead else ("specialist" if t == SPECIALISTS else "agent")
        for lead, t in zip(leads, team, strict=True)
    ]
    style = _styles(rng, n, leads)

    speaks = np.zeros((n, 3), dtype=bool)
    gulf = team == GULF
    speaks[~gulf, FA] = True
    speaks[gulf, AR] = True
    speaks[:, EN] = gulf | (rng.random(n) < 0.45)
    speaks[team == SPECIALISTS, AR] = rng.random(int((team == SPECIALISTS).sum())) < 0.35
    # every team has at least two speakers of each language it receives
    for code in HUMAN_TEAMS:
        members = np.flatnonzero(team == code)
        for lang in (EN, AR) if code == SPECIALISTS else (EN,):
            missing = max(0, 2 - int(speaks[members, lang].sum()))
            speaks[members[~speaks[members, lang]][:missing], lang] = True

    # tenure: most agents joined long ago; a few join or leave during the period
    hired = start - (rng.lognormal(np.log(500), 0.8, n) * DAY).astype(np.int64) - 30 * DAY
    left = np.full(n, -1, dtype=np.int64)
    movable = np.flatnonzero(~leads)
    joiners = movable[rng.random(len(movable)) < 0.06]
    stayers = np.setdiff1d(movable, joiners)
    leavers = stayers[rng.random(len(stayers)) < 0.04]
    # nobody leaves or joins who would leave a language of their team uncovered
    steady = np.ones(n, dtype=bool)
    steady[joiners] = steady[leavers] = False
    for code in HUMAN_TEAMS:
        for lang in range(3):
            speakers = np.flatnonzero((team == code) & speaks[:, lang])
            if len(speakers) and steady[speakers].sum() < min(2, len(speakers)):
                steady[speakers] = True
    joiners, leavers = joiners[~steady[joiners]], leavers[~steady[leavers]]
    hired[joiners] = start + rng.integers(5, max(6, days * 2 // 3), len(joiners)) * DAY
    left[leavers] = start + rng.integers(max(2, days // 4), max(3, days - 5), len(leavers)) * DAY
    cost = np.array([TEAMS[t].hourly_cost for t in team]) * rng.uniform(0.85, 1.2, n)
    cost[leads] *= 1.3
    cost = np.round(cost, 2)

    names, first = _names(rng, team)
    shift = np.zeros(n, dtype=np.int8)
    care = np.flatnonzero(team == CARE)
    shift[care[1::2]] = 1  # every other care agent works the late shift

    presence = _presence(rng, team, hired, left, clocks, start, days)
    load = _load(arrivals, presence, team, sizes)

    # bots come last: one chat assistant, one web-form auto-responder
    bots = [
        ("دستیار هوشمند", "المساعد الذكي", "Smart assistant", "assistant"),
        ("پاسخگوی خودکار", "الرد الآلي", "Auto-reply", "autoreply"),
    ]
    n_h = n
    team = np.r_[team, np.full(len(bots), AUTOMATION, dtype=np.int8)]
    role += ["bot"] * len(bots)
    style = np.r_[style, np.full(len(bots), NEUTRAL, dtype=np.int8)]
    speaks = np.r_[speaks, np.ones((len(bots), 3), dtype=bool)]
    is_bot = np.r_[np.zeros(n_h, bool), np.ones(len(bots), bool)]
    bot_hired = start - 400 * DAY
    hired = np.r_[hired, np.full(len(bots), bot_hired, dtype=np.int64)]
    left = np.r_[left, np.full(len(bots), -1, dtype=np.int64)]
    cost = np.r_[cost, np.full(len(bots), np.nan)]
    for native, _, latin, handle in bots:
        names.append((native, latin, f"{handle}@support.example.com"))
    first = np.r_[first, np.array([b[:3] for b in bots], dtype=object)]
    shift = np.r_[shift, np.zeros(len(bots), dtype=np.int8)]
    presence = np.r_[presence, np.ones((len(bots), days), dtype=bool)]
    agent_clocks = _agent_clocks(team, shift, presence, clocks, days)

    eligible = {}
    for code in HUMAN_TEAMS:
        for lang in range(3):
            pool = np.flatnonzero((team == code) & speaks[:, lang] & ~is_bot).astype(np.int32)
            if len(pool):
                eligible[(code, lang)] = pool
    return Org(
        team=team,
        role=role,
        style=style,
        speaks=speaks,
        is_bot=is_bot,
        hired=hired,
        left=left,
        cost=cost,
        names=names,
        first=first,
        shift=shift,
        presence=presence,
        load=load,
        clocks=agent_clocks,
        bot_chat=n_h,
        bot_web=n_h + 1,
        eligible=eligible,
    )


def _names(
    rng: np.random.Generator, team: np.ndarray
) -> tuple[list[tuple[str, str, str]], np.ndarray]:
    names: list[tuple[str, str, str]] = []
    first = np.empty((len(team), 3), dtype=object)
    used: set[str] = set()
    for i, t in enumerate(team):
        lang = AR if t == GULF else FA
        firsts, lasts = NAMES[lang]
        for _ in range(20):  # prefer unique full names; large teams may repeat
            f = firsts[rng.integers(len(firsts))]
            last = lasts[rng.integers(len(lasts))]
            if f"{f[0]} {last[0]}" not in used:
                break
        full = f"{f[0]} {last[0]}"
        used.add(full)
        latin = f"{f[1]} {last[1]}"
        handle = f"{f[1]}.{last[1]}".lower().replace("-", "").replace("'", "")
        names.append((full, latin, f"{handle}.{i + 1}@support.example.com"))
        arabic = f[0] if lang == AR else f[0].translate(TO_ARABIC_SCRIPT)
        first[i] = (f[0], arabic, f[1])
    return names, first


def _presence(
    rng: np.random.Generator,
    team: np.ndarray,
    hired: np.ndarray,
    left: np.ndarray,
    clocks: dict[str, Clock],
    start: int,
    days: int,
) -> np.ndarray:
    """Which days each agent works: their team's open days minus leave and rota."""
    n = len(team)
    presence = np.zeros((n, days), dtype=bool)
    day_start = start + DAY * np.arange(days, dtype=np.int64)
    for code, spec in enumerate(TEAMS):
        rows = np.flatnonzero(team == code)
        if not len(rows) or code == AUTOMATION:
            continue
        clock = clocks[spec.calendar]
        open_day = np.zeros(days, dtype=bool)
        ok = (clock.day >= 0) & (clock.day < days)
        open_day[clock.day[ok & clock.open]] = True
        weekday = np.array([clock.weekday[clock.day == d][0] for d in range(days)])
        presence[rows] = open_day
        if spec.calendar == "tehran-extended":
            # skeleton Friday: each care agent works one Friday in three
            fridays = np.flatnonzero(open_day & (weekday == _FRIDAY))
            for k, f in enumerate(fridays):
                presence[rows, f] = (np.arange(len(rows)) % 3) == (k % 3)
    presence &= rng.random((n, days)) > 0.03  # sick days
    vacation = rng.random(n) < 0.2
    for i in np.flatnonzero(vacation):
        first = int(rng.integers(0, max(1, days - 5)))
        presence[i, first : first + 5] = False
    presence &= day_start[None, :] + DAY > hired[:, None]
    presence &= (left[:, None] < 0) | (day_start[None, :] < left[:, None])
    return presence


def _load(
    arrivals: np.ndarray, presence: np.ndarray, team: np.ndarray, sizes: list[int]
) -> np.ndarray:
    """Delay multiplier per team and day: tickets per present agent against the usual."""
    teams, days = arrivals.shape
    load = np.ones((teams, days))
    for code in HUMAN_TEAMS:
        present = presence[team == code].sum(axis=0).astype(float)
        if code == SPECIALISTS:
            ratio = sizes[code] / np.maximum(present, 1.0)
        else:
            ratio = arrivals[code] / np.maximum(present, 1.0)
        working = present > 0
        if working.any() and np.median(ratio[working]) > 0:
            ratio = ratio / np.median(ratio[working])
        load[code] = np.clip(ratio, 0.6, 3.0) ** 0.8
    return load


def _windows(calendar: str, shift: int, weekday: int) -> tuple[tuple[int, int], ...]:
    if calendar == "tehran-extended" and weekday == _FRIDAY:
        return ((10 * 60, 16 * 60),)
    if calendar == "tehran" and weekday == _THURSDAY:
        return ((8 * 60, 13 * 60),)
    return (_PATTERNS[calendar][shift],)


def shift_windows(org: Org, agent: int, weekday: int) -> tuple[tuple[int, int], ...]:
    """Local (start, end) minutes an agent is scheduled on a weekday."""
    return _windows(TEAMS[int(org.team[agent])].calendar, int(org.shift[agent]), weekday)


def _agent_clocks(
    team: np.ndarray,
    shift: np.ndarray,
    presence: np.ndarray,
    clocks: dict[str, Clock],
    days: int,
) -> Clocks:
    """Each agent's own business clock: their shift hours on the days they are at work."""
    grid = clocks["24x7"].grid
    rows = np.zeros((len(team), grid.slots), dtype=bool)
    masks: dict[tuple[str, int], np.ndarray] = {}
    for i, (code, pattern) in enumerate(zip(team, shift, strict=True)):
        calendar = TEAMS[int(code)].calendar
        clock = clocks[calendar]
        if code == AUTOMATION:
            rows[i] = True
            continue
        key = (calendar, int(pattern))
        if key not in masks:
            mask = np.zeros(grid.slots, dtype=bool)
            for weekday in range(7):
                for lo, hi in _windows(calendar, int(pattern), weekday):
                    day = clock.weekday == weekday
                    mask |= day & (clock.minute >= lo) & (clock.minute + STEP // 60 <= hi)
            masks[key] = mask & clock.open
        at_work = np.ones(grid.slots, dtype=bool)
        inside = (clock.day >= 0) & (clock.day < days)
        at_work[inside] = presence[i, clock.day[inside]]
        rows[i] = masks[key] & at_work
    return Clocks(grid, rows)
