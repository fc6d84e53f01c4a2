"""When tickets arrive, from whom, on which channel and about what.

All tickets are planned up front (a few small arrays per ticket, ~30 bytes each)
so ticket numbers follow creation time and staffing can be sized from the
volume; the heavy part (events, text) is then generated chunk by chunk.

Arrivals follow the customer's local day: Persian customers by Tehran time with
a quiet Friday, Gulf customers by Riyadh time (Friday-Saturday weekend), English
speakers by London time. Phone calls only reach agents while the line is open.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._calendar import STEP, Clock, Grid
from ._const import (
    APP_CRASH,
    AR,
    CHAT,
    EMAIL,
    EN,
    ENTERPRISE,
    FA,
    HIGH,
    LOGIN,
    PAYMENT_FAILED,
    PHONE,
    PRODUCT,
    SOCIAL,
    URGENT,
    VIP,
)
from ._customers import Customers
from ._org import CATEGORY_TEAM, GULF, TEAMS, TECHNICAL

_TZ = ("Asia/Tehran", "Asia/Riyadh", "Europe/London")
# activity of customers by local hour (0-23)
_HOURS = {
    FA: [3, 1.5, .8, .5, .4, .6, 1.5, 4, 8, 12, 14, 14.5, 13.5, 12, 12.5, 13, 13, 12,
         11.5, 12, 12.5, 11.5, 9, 5.5],
    AR: [4, 2.5, 1.2, .7, .5, .6, 1.2, 3, 6, 10, 12, 12.5, 12, 11, 10, 10.5, 11, 11.5,
         12, 13, 13.5, 12.5, 10, 7],
    EN: [1.2, .6, .4, .3, .3, .6, 1.5, 4, 8, 11, 12, 12, 11, 11, 11.5, 11.5, 11, 10, 8,
         7, 6.5, 5.5, 4, 2.2],
}  # fmt: skip
# activity by local weekday (Monday = 0): Iran's week starts on Saturday, Friday is quiet
_WEEKDAYS = {
    FA: [1.05, 1.0, 0.95, 0.78, 0.42, 1.15, 1.1],
    AR: [1.1, 1.05, 1.0, 0.92, 0.5, 0.68, 1.15],
    EN: [1.1, 1.05, 1.0, 1.0, 0.95, 0.5, 0.45],
}
# channel mix per language: email, chat, phone, social, web
_CHANNEL_MIX = {
    FA: [0.24, 0.36, 0.15, 0.13, 0.12],
    AR: [0.24, 0.30, 0.20, 0.19, 0.07],
    EN: [0.44, 0.31, 0.08, 0.07, 0.10],
}


def _channel_hours(channel: int) -> np.ndarray:
    f = np.ones(24)
    if channel == CHAT:
        f[18:24] = 1.25
    elif channel == SOCIAL:
        f[17:24] = 1.5
        f[8:13] = 0.8
    elif channel == EMAIL:
        f[8:17] = 1.15
    elif channel == PHONE:
        f[9:13] = 1.3
    return f


# category mix: delivery, order change, refund, billing error, payment failed, login,
# app crash, account change, product question, cancellation
_CATEGORY_MIX = np.array([0.16, 0.07, 0.12, 0.09, 0.09, 0.12, 0.11, 0.07, 0.10, 0.07])
_CATEGORY_MIX_BUSINESS = np.array([0.08, 0.06, 0.08, 0.13, 0.10, 0.14, 0.14, 0.11, 0.10, 0.06])


@dataclasses.dataclass
class Arrivals:
    """Every ticket of the run, sorted by creation time; index = ticket number - 1."""

    created: np.ndarray  # int64 UTC seconds
    customer: np.ndarray  # int32
    lang: np.ndarray  # int8
    channel: np.ndarray  # int8
    category: np.ndarray  # int8
    team: np.ndarray  # int8 tier-1 team
    priority: np.ndarray  # int8

    def __len__(self) -> int:
        return len(self.created)


def _profile(grid: Grid, lang: int, channel: int, slots: int, trend: float) -> np.ndarray:
    local = grid.local(_TZ[lang])[:slots]
    hours = np.asarray(_HOURS[lang])[local.hour.to_numpy()]
    days = np.asarray(_WEEKDAYS[lang])[local.day_of_week.to_numpy()]
    growth = 1.0 + trend * np.linspace(0.0, 1.0, slots)
    return hours * days * _channel_hours(channel)[local.hour.to_numpy()] * growth


def plan_arrivals(
    rng: np.random.Generator,
    n: int,
    customers: Customers,
    grid: Grid,
    clocks: dict[str, Clock],
    days: int,
) -> Arrivals:
    slots = days * 24 * 3600 // STEP
    p = customers.weight / customers.weight.sum()
    cust = rng.choice(customers.size, size=n, p=p).astype(np.int32)
    lang = customers.lang[cust].copy()
    lang[(lang == AR) & (rng.random(n) < 0.06)] = EN  # some Gulf customers write in English
    segment = customers.segment[cust]

    channel = np.zeros(n, dtype=np.int8)
    for code, mix in _CHANNEL_MIX.items():
        rows = np.flatnonzero(lang == code)
        channel[rows] = rng.choice(5, size=len(rows), p=mix)
    business = segment == ENTERPRISE
    channel[business & (channel == SOCIAL)] = EMAIL

    category = rng.choice(10, size=n, p=_CATEGORY_MIX).astype(np.int8)
    rows = np.flatnonzero(business)
    category[rows] = rng.choice(10, size=len(rows), p=_CATEGORY_MIX_BUSINESS)
    team = CATEGORY_TEAM[category].copy()
    team[lang == AR] = GULF

    u = rng.random(n)
    urgent_p = (
        0.04
        + 0.05 * np.isin(category, (PAYMENT_FAILED, APP_CRASH))
        + 0.05 * np.isin(segment, (VIP, ENTERPRISE))
    )
    high_p = 0.18 + 0.08 * np.isin(segment, (VIP, ENTERPRISE))
    low_p = np.where(category == PRODUCT, 0.35, 0.12)
    priority = np.where(
        u < urgent_p, URGENT, np.where(u < urgent_p + high_p, HIGH, np.where(u > 1 - low_p, 0, 1))
    ).astype(np.int8)

    created = np.zeros(n, dtype=np.int64)
    cache: dict[tuple[int, int], np.ndarray] = {}
    for lg in (FA, AR, EN):
        for ch in range(5):
            for tm in np.unique(team[(lang == lg) & (channel == ch)]):
                rows = np.flatnonzero((lang == lg) & (channel == ch) & (team == tm))
                if (lg, ch) not in cache:
                    cache[(lg, ch)] = _profile(grid, lg, ch, slots, trend=0.15)
                w = cache[(lg, ch)]
                if ch == PHONE:  # a call is answered only while the team's line is open
                    w = w * clocks[TEAMS[tm].calendar].open[:slots]
                cum = np.cumsum(w)
                k = np.searchsorted(cum, rng.random(len(rows)) * cum[-1], side="right")
                k = np.minimum(k, slots - 1)
                created[rows] = grid.origin + k * STEP + rng.integers(0, STEP, len(rows))

    _outage(rng, created, category, team, priority, lang, channel, grid, clocks, days)
    order = np.argsort(created, kind="stable")
    return Arrivals(
        created=created[order],
        customer=cust[order],
        lang=lang[order],
        channel=channel[order],
        category=category[order],
        team=team[order],
        priority=priority[order],
    )


def _outage(
    rng: np.random.Generator,
    created: np.ndarray,
    category: np.ndarray,
    team: np.ndarray,
    priority: np.ndarray,
    lang: np.ndarray,
    channel: np.ndarray,
    grid: Grid,
    clocks: dict[str, Clock],
    days: int,
) -> None:
    """An app outage one busy morning: a burst of urgent technical tickets."""
    if days < 14:
        return
    clock = clocks["tehran"]
    day = int(days * 0.62)
    while clock.weekday[np.searchsorted(clock.day, day)] != 6:  # the next Sunday
        day += 1
    first_slot = int(np.searchsorted(clock.day, day))
    start = grid.origin + (first_slot + 21) * STEP  # 10:30 local
    if day >= days - 1:
        return
    rows = np.flatnonzero((lang != AR) & (channel != PHONE) & (rng.random(len(created)) < 0.012))
    created[rows] = start + np.minimum(rng.exponential(1.5 * 3600, len(rows)), 5 * 3600).astype(
        np.int64
    )
    category[rows] = np.where(rng.random(len(rows)) < 0.6, APP_CRASH, LOGIN)
    team[rows] = TECHNICAL
    priority[rows] = np.maximum(priority[rows], np.where(rng.random(len(rows)) < 0.4, URGENT, HIGH))
