"""Tables of the entities: teams, agents (and bots), customers, agent shifts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._calendar import CALENDARS
from ._const import CURRENCY, LANGS, SEGMENTS, SOURCE
from ._customers import PLANS, Customers
from ._org import TEAMS, Org, shift_windows
from ._tables import Ids, ts
from .phrases.names import NAMES

_DOMAINS = np.array(["example.com", "example.org", "example.net"])


def teams_table(ids: Ids) -> pa.Table:
    return pa.table(
        {
            "team_id": ids.teams,
            "source": pa.array([SOURCE] * len(TEAMS)),
            "external_id": pa.array([t.slug for t in TEAMS]),
            "name": pa.array([t.name for t in TEAMS]),
            "tier": pa.array([t.tier for t in TEAMS], pa.int64()),
            "calendar": pa.array([t.calendar for t in TEAMS]),
            "parent_id": pa.array([f"{SOURCE}:{t.parent}" if t.parent else None for t in TEAMS]),
        }
    )


def agents_table(org: Org, ids: Ids) -> pa.Table:
    n = org.size
    skills = [
        [LANGS[k] for k in range(3) if org.speaks[i, k]]
        + (["chat", "web"] if org.is_bot[i] else [TEAMS[int(org.team[i])].slug])
        for i in range(n)
    ]
    updated = np.where(org.left >= 0, org.left, org.hired)
    return pa.table(
        {
            "agent_id": ids.agents,
            "source": pa.array([SOURCE] * n),
            "external_id": pc.replace_substring(ids.agents, f"{SOURCE}:", ""),
            "name": pa.array([name for name, _, _ in org.names]),
            "email": pa.array([email for _, _, email in org.names]),
            "team_id": ids.team(org.team),
            "role": pa.array(org.role),
            "skills": pa.array(skills, pa.list_(pa.string())),
            "is_bot": pa.array(org.is_bot),
            "hired_at": ts(org.hired),
            "left_at": ts(org.left),
            "hourly_cost": pa.array(org.cost, mask=np.isnan(org.cost)),
            "currency": pa.array([None if b else CURRENCY for b in org.is_bot], pa.string()),
            "updated_at": ts(updated),
        }
    )


def customers_table(cust: Customers, ids: Ids, churned_at: np.ndarray) -> pa.Table:
    n = cust.size
    name = np.empty(n, dtype=object)
    email = np.empty(n, dtype=object)
    for code in range(3):
        rows = np.flatnonzero(cust.lang == code)
        firsts, lasts = NAMES[code]
        f, last = cust.first_name[rows], cust.last_name[rows]
        native_first = np.array([p[0] for p in firsts], dtype=object)[f]
        native_last = np.array([p[0] for p in lasts], dtype=object)[last]
        latin_first = np.array([p[1].lower() for p in firsts], dtype=object)[f]
        latin_last = np.array([p[1].lower().replace("-", "") for p in lasts], dtype=object)[last]
        name[rows] = native_first + " " + native_last
        domain = _DOMAINS[rows % 3]
        email[rows] = latin_first + "." + latin_last + (rows + 1).astype(str) + "@" + domain
    index = np.arange(n)
    updated = np.where(churned_at >= 0, churned_at, cust.created)
    return pa.table(
        {
            "customer_id": ids.customer(index),
            "source": pa.array(np.full(n, SOURCE, dtype=object), pa.string()),
            "external_id": ids.customer_external(index),
            "name": pa.array(name, pa.string()),
            "email": pa.array(email, pa.string()),
            "segment": pc.take(pa.array(SEGMENTS), pa.array(cust.segment)),
            "plan": pc.take(pa.array(PLANS), pa.array(cust.plan)),
            "value": pa.array(cust.value),
            "country": pa.array(cust.country, pa.string()),
            "language": pc.take(pa.array(LANGS), pa.array(cust.lang)),
            "created_at": ts(cust.created),
            "churned_at": ts(churned_at),
            "updated_at": ts(updated),
        }
    )


def _midnights(timezone: str, first_day: dt.date, days: int) -> np.ndarray:
    zone = ZoneInfo(timezone)
    return np.array(
        [
            int(dt.datetime.combine(first_day + dt.timedelta(d), dt.time(), zone).timestamp())
            for d in range(days)
        ],
        dtype=np.int64,
    )


def shifts_table(
    org: Org, ids: Ids, first_day: dt.date, days: int, end: int, rng: np.random.Generator
) -> pa.Table:
    """Scheduled shifts and the logged-in sessions inside them (late starts, a break)."""
    midnights = {c.timezone: _midnights(c.timezone, first_day, days) for c in CALENDARS.values()}
    weekdays = np.array([(first_day + dt.timedelta(d)).weekday() for d in range(days)])
    agent, day = np.nonzero(org.presence & ~org.is_bot[:, None])
    start = np.empty(len(agent), dtype=np.int64)
    stop = np.empty(len(agent), dtype=np.int64)
    for k, (a, d) in enumerate(zip(agent, day, strict=True)):
        (lo, hi), *_ = shift_windows(org, int(a), int(weekdays[d]))
        midnight = midnights[CALENDARS[TEAMS[int(org.team[a])].calendar].timezone][d]
        start[k], stop[k] = midnight + lo * 60, midnight + hi * 60
    keep = start < end
    agent, day, start, stop = agent[keep], day[keep], start[keep], stop[keep]
    n = len(agent)
    key = pc.binary_join_element_wise(
        pc.replace_substring(ids.agent(agent), f"{SOURCE}:", f"{SOURCE}:sh-"),
        pc.utf8_lpad(pa.array((day + 1).astype(str)), 3, "0"),
        "-",
    )
    # logged in: a few minutes late or early, a break in the middle of long shifts
    login = start + np.round(rng.normal(4, 6, n) * 60).astype(np.int64)
    logout = stop + np.round(rng.normal(-2, 8, n) * 60).astype(np.int64)
    long = (stop - start) >= 6 * 3600
    middle = (login + logout) // 2
    pause = rng.integers(20, 45, n) * 60
    first_end = np.where(long, middle - pause // 2, logout)
    second_start = middle + pause // 2
    parts = [
        ("scheduled", key, start, stop, np.ones(n, bool)),
        ("logged_in", pc.binary_join_element_wise(key, pa.scalar("1"), "-"), login, first_end,
         np.ones(n, bool)),
        ("logged_in", pc.binary_join_element_wise(key, pa.scalar("2"), "-"), second_start, logout,
         long),
    ]  # fmt: skip
    tables = []
    for kind, ids_, lo_, hi_, mask in parts:
        m = pa.array(mask)
        tables.append(
            pa.table(
                {
                    "shift_id": ids_,
                    "agent_id": ids.agent(agent),
                    "start_at": ts(lo_),
                    "end_at": ts(np.minimum(hi_, end)),
                    "kind": pa.array(np.full(n, kind, dtype=object), pa.string()),
                }
            ).filter(m)
        )
    table = pa.concat_tables(tables)
    return table.filter(pc.less(table["start_at"], table["end_at"]))
