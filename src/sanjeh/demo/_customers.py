"""The customer base: who they are, how often they write, and what happened to them.

Attributes are drawn up front; per-customer tallies (tickets, the worst service
received, last activity) accumulate chunk by chunk, and churn is decided once
all tickets are known, so customers who were served badly leave more often.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._calendar import DAY
from ._const import AR, CONSUMER, EN, ENTERPRISE, FA, SMB, VIP

PLANS = ("free", "basic", "plus", "premium", "business", "enterprise")
FREE, BASIC, PLUS, PREMIUM, BUSINESS, ENTERPRISE_PLAN = range(len(PLANS))
#: median annual value of a plan (USD)
PLAN_VALUE = np.array([25.0, 60.0, 130.0, 320.0, 1500.0, 28000.0])
_PLAN_BY_SEGMENT = {
    CONSUMER: ((FREE, BASIC, PLUS), (0.45, 0.35, 0.20)),
    SMB: ((BASIC, BUSINESS), (0.3, 0.7)),
    ENTERPRISE: ((ENTERPRISE_PLAN,), (1.0,)),
    VIP: ((PLUS, PREMIUM), (0.5, 0.5)),
}
_COUNTRIES = (
    (("IR",), (1.0,)),
    (("SA", "AE", "KW", "QA", "OM", "IQ", "BH"), (0.42, 0.26, 0.09, 0.07, 0.06, 0.06, 0.04)),
    (("GB", "AE", "US", "DE", "CA", "IN"), (0.28, 0.22, 0.18, 0.12, 0.1, 0.1)),
)
TEMPERAMENTS = (0.45, 0.40, 0.15)  # calm, neutral, irritable


@dataclasses.dataclass
class Customers:
    lang: np.ndarray  # int8
    segment: np.ndarray  # int8
    plan: np.ndarray  # int8
    value: np.ndarray  # float64
    country: np.ndarray  # object
    temperament: np.ndarray  # int8 0 calm, 1 neutral, 2 irritable
    first_name: np.ndarray  # int16 index into the language's first names
    last_name: np.ndarray  # int16
    created: np.ndarray  # int64 UTC seconds
    weight: np.ndarray  # relative propensity to contact support
    # tallies filled while tickets are generated
    tickets: np.ndarray = dataclasses.field(init=False)
    first_ticket: np.ndarray = dataclasses.field(init=False)
    last_active: np.ndarray = dataclasses.field(init=False)
    last_ticket: np.ndarray = dataclasses.field(init=False)  # global ticket index
    worst: np.ndarray = dataclasses.field(init=False)  # worst (1 - quality) experienced
    worst_at: np.ndarray = dataclasses.field(init=False)  # when that ticket was opened

    def __post_init__(self) -> None:
        n = len(self.lang)
        self.tickets = np.zeros(n, dtype=np.int32)
        self.first_ticket = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        self.last_active = np.zeros(n, dtype=np.int64)
        self.last_ticket = np.full(n, -1, dtype=np.int64)
        self.worst = np.zeros(n, dtype=np.float64)
        self.worst_at = np.full(n, -1, dtype=np.int64)

    @property
    def size(self) -> int:
        return len(self.lang)

    def record(
        self, cust: np.ndarray, ticket: np.ndarray, created: np.ndarray, quality: np.ndarray
    ) -> None:
        """Tally one chunk of tickets (``ticket``: global indices, increasing in time)."""
        np.add.at(self.tickets, cust, 1)
        np.minimum.at(self.first_ticket, cust, created)
        np.maximum.at(self.last_ticket, cust, ticket)
        bad = 1.0 - quality
        np.maximum.at(self.worst, cust, bad)
        # the ticket that set a customer's worst (a later one on a tie: increasing time)
        hit = bad >= self.worst[cust]
        self.worst_at[cust[hit]] = created[hit]

    def settle_new(self, rng: np.random.Generator, start: int) -> None:
        """Some customers signed up during the period, shortly before their first ticket."""
        served = self.tickets > 0
        new = served & (rng.random(self.size) < 0.08)
        signup = self.first_ticket - rng.integers(3600, 10 * DAY, self.size)
        self.created = np.where(new & (signup > start), signup, self.created)

    def touch(self, cust: np.ndarray, at: np.ndarray) -> None:
        """Note activity (a ticket's last event, a purchase) that churn must come after."""
        np.maximum.at(self.last_active, cust, at)


def _pick(rng: np.random.Generator, options: tuple, probs: tuple, size: int) -> np.ndarray:
    return np.asarray(options)[rng.choice(len(options), size=size, p=np.asarray(probs))]


def build_customers(rng: np.random.Generator, n: int, start: int) -> Customers:
    lang = rng.choice(3, size=n, p=[0.72, 0.20, 0.08]).astype(np.int8)
    segment = rng.choice(4, size=n, p=[0.70, 0.17, 0.05, 0.08]).astype(np.int8)
    plan = np.zeros(n, dtype=np.int8)
    for seg, (plans, probs) in _PLAN_BY_SEGMENT.items():
        rows = np.flatnonzero(segment == seg)
        plan[rows] = _pick(rng, plans, probs, len(rows))
    value = np.round(PLAN_VALUE[plan] * rng.lognormal(0.0, 0.5, n), 2)
    country = np.empty(n, dtype=object)
    first_name = np.zeros(n, dtype=np.int16)
    last_name = np.zeros(n, dtype=np.int16)
    from .phrases.names import NAMES

    for code in (FA, AR, EN):
        rows = np.flatnonzero(lang == code)
        options, probs = _COUNTRIES[code]
        country[rows] = _pick(rng, options, probs, len(rows))
        firsts, lasts = NAMES[code]
        first_name[rows] = rng.integers(0, len(firsts), len(rows))
        last_name[rows] = rng.integers(0, len(lasts), len(rows))
    temperament = rng.choice(3, size=n, p=TEMPERAMENTS).astype(np.int8)
    created = start - (rng.lognormal(np.log(420), 0.9, n).clip(5, 2200) * DAY).astype(np.int64)
    seg_weight = np.array([1.0, 1.6, 3.0, 2.0])[segment]
    weight = rng.lognormal(0.0, 1.0, n) * seg_weight
    return Customers(
        lang=lang,
        segment=segment,
        plan=plan,
        value=value,
        country=country,
        temperament=temperament,
        first_name=first_name,
        last_name=last_name,
        created=created,
        weight=weight,
    )
