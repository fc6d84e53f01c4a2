"""What customers did after support: purchases, upgrades, downgrades, renewals, churn.

Conversion after a ticket and churn both depend on the service received: the
better a ticket went (latent satisfaction), the likelier a purchase or upgrade;
the worst experience a customer had drives their churn risk, and they leave weeks
after it (at their renewal for a subscriber whose anniversary comes within 90 days),
unless they come back to support or buy again after that moment.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._calendar import DAY
from ._const import (
    ACCOUNT,
    BILLING_ERROR,
    CANCELLATION,
    CURRENCY,
    DELIVERY,
    ORDER_CHANGE,
    PRODUCT,
    SOURCE,
)
from ._customers import FREE, PREMIUM, Customers
from ._tables import Ids, ts
from ._world import Chunk, World

#: median value of a one-off purchase per segment (consumer, smb, enterprise, vip)
_PURCHASE = np.array([45.0, 300.0, 4000.0, 250.0])
#: yearly churn-in-the-period base rate per segment
_CHURN = np.array([0.05, 0.035, 0.012, 0.02])
YEAR = 365 * DAY
#: median days from a customer's worst experience to their leaving (no renewal due)
LAG_DAYS = 21
#: a subscriber leaves at their renewal when it falls within this many days after
#: their worst experience (else weeks after it, as everyone)
NOTICE_DAYS = 90


def _table(
    external: pa.Array,
    customer: pa.Array,
    at: np.ndarray,
    kind: np.ndarray,
    value: np.ndarray,
    ticket: pa.Array,
) -> pa.Table:
    n = len(external)
    return pa.table(
        {
            "outcome_id": pc.binary_join_element_wise(pa.scalar(f"{SOURCE}:"), external, ""),
            "source": pa.array(np.full(n, SOURCE, dtype=object), pa.string()),
            "external_id": external,
            "customer_id": customer,
            "at": ts(at),
            "kind": pa.array(np.asarray(kind, dtype=object), pa.string()),
            "value": pa.array(np.round(np.asarray(value, np.float64), 2)),
            "currency": pa.array(np.full(n, CURRENCY, dtype=object), pa.string()),
            "ticket_id": ticket,
        }
    )


def ticket_outcomes(
    chunk: Chunk,
    facts: dict[str, np.ndarray],
    latent: np.ndarray,
    ids: Ids,
    world: World,
    rng: np.random.Generator,
) -> pa.Table:
    """Purchases, upgrades and downgrades attributed to the ticket before them."""
    cust = world.customers
    n = chunk.hi - chunk.lo
    quality = np.clip((latent - 1) / 4, 0, 1)
    c = chunk.customer
    segment, plan = cust.segment[c], cust.plan[c]
    cat = chunk.category
    solved = (facts["solved_at"] >= 0) & (chunk.dup_of < 0)
    p_buy = np.where(cat == PRODUCT, 0.08 + 0.3 * quality, 0.0)
    p_buy += np.where(np.isin(cat, (DELIVERY, ORDER_CHANGE)), 0.03 + 0.05 * quality, 0.0)
    can_upgrade = plan < PREMIUM
    p_up = np.where(np.isin(cat, (ACCOUNT, BILLING_ERROR, PRODUCT)) & can_upgrade,
                    0.01 + 0.06 * quality, 0.0)  # fmt: skip
    p_down = np.where(cat == CANCELLATION, 0.15 + 0.2 * (1 - quality), 0.01 * (1 - quality))
    p_down = np.where(plan == FREE, 0.0, p_down)
    u = rng.random(n)
    kind = np.select(
        [u < p_buy, u < p_buy + p_up, u < p_buy + p_up + p_down],
        ["purchase", "upgrade", "downgrade"],
        "",
    )
    at = facts["solved_at"] + rng.lognormal(np.log(2 * DAY), 0.8, n).astype(np.int64)
    rows = np.flatnonzero(solved & (kind != "") & (at < world.end))
    value = np.where(
        kind[rows] == "purchase",
        _PURCHASE[segment[rows]] * rng.lognormal(0, 0.6, len(rows)),
        cust.value[c[rows]] * np.where(kind[rows] == "upgrade", 0.4, 0.3),
    )
    cust.touch(c[rows], at[rows])
    index = chunk.lo + rows
    external = pc.binary_join_element_wise(
        pa.scalar("o"), ids.ticket_external(index), pa.array(kind[rows].astype(str)), "-"
    )
    return _table(external, ids.customer(c[rows]), at[rows], kind[rows], value, ids.ticket(index))


def churn_and_renewals(
    cust: Customers, ids: Ids, world: World, rng: np.random.Generator
) -> tuple[np.ndarray, pa.Table]:
    """Decide churn once every ticket is known; return churned_at (-1) and outcome rows."""
    n = cust.size
    start, end = world.start, world.end
    served = cust.tickets > 0
    risk = _CHURN[cust.segment] * np.where(served, np.exp(4.5 * (cust.worst - 0.45)), 1.0)
    churns = rng.random(n) < np.clip(risk, 0, 0.7)
    # a customer leaves some weeks after their worst experience (deciding, serving
    # notice), so the cause comes before the departure and a model can see it coming
    after = cust.worst_at + (rng.lognormal(np.log(LAG_DAYS), 0.6, n) * DAY).astype(np.int64)
    when = np.where(served, after, start + rng.integers(0, max(end - start, 1), n))
    when = np.maximum(when, cust.created + DAY)

    # subscriptions renew on their anniversary; a subscriber who decided to leave and
    # whose renewal comes within a notice period after the bad experience goes then
    paying = cust.plan != FREE
    years = np.ceil((start - cust.created) / YEAR).astype(np.int64)
    anniversary = cust.created + years * YEAR
    due = paying & (anniversary >= start) & (anniversary < end)
    notice = (anniversary > cust.worst_at) & (anniversary <= cust.worst_at + NOTICE_DAYS * DAY)
    at_renewal = churns & due & served & notice
    when = np.where(at_renewal, anniversary, when)
    # a customer still writing or buying after that moment stayed after all
    churned = churns & (when < end) & (when > cust.last_active)
    churned_at = np.where(churned, when, -1)
    renews = due & ~(churned & (churned_at <= anniversary))

    ch = np.flatnonzero(churned)
    rn = np.flatnonzero(renews)
    last = cust.last_ticket[ch]
    ticket = pc.if_else(
        pa.array(last >= 0), ids.ticket(np.maximum(last, 0)), pa.scalar(None, pa.string())
    )
    churn_rows = _table(
        pc.binary_join_element_wise(pa.scalar("churn-"), ids.customer_external(ch), ""),
        ids.customer(ch),
        churned_at[ch],
        np.full(len(ch), "churn"),
        cust.value[ch],
        ticket,
    )
    renew_rows = _table(
        pc.binary_join_element_wise(pa.scalar("renewal-"), ids.customer_external(rn), ""),
        ids.customer(rn),
        anniversary[rn],
        np.full(len(rn), "renewal"),
        cust.value[rn],
        pa.nulls(len(rn), pa.string()),
    )
    return churned_at, pa.concat_tables([churn_rows, renew_rows])
