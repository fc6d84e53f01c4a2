"""Customer KPIs: churn and retention."""

from __future__ import annotations

import pandas as pd

from .._engine import Query
from .._registry import KPI, register, titles
from ._running import running


def _churn(q: Query) -> pd.DataFrame:
    c = q.fact("customers")
    joined = q.counts(
        c.filter(c.created_at.notnull()), "customers", "created_at", history=True, key="joined"
    )
    left = q.counts(
        c.filter(c.churned_at.notnull()), "customers", "churned_at", history=True, key="left"
    )
    r = running(q, joined, left)
    # active at the start of a period = at its end, plus those who left, minus newcomers
    start = r.level - r.added + r.removed
    return r[q.keys].assign(
        n=start.astype("int64"), successes=r.removed, value=r.removed / start.where(start > 0)
    )


def _retention(q: Query) -> pd.DataFrame:
    churn = q.shared("churn", lambda: _churn(q))
    return churn.assign(successes=churn.n - churn.successes, value=1 - churn.value)


register(
    KPI(
        name="churn_rate",
        titles=titles("Customer churn rate", "نرخ ریزش مشتری", "معدل فقدان العملاء"),
        unit="ratio",
        kind="custom",
        source="customers",
        time="churned_at",
        higher_is_better=False,
        definition="Customers who left in the period over customers active at its start.",
        formula="churned in period / active at period start",
        custom=lambda q: q.shared("churn", lambda: _churn(q)),
        needs=("customers",),
    ),
    KPI(
        name="retention_rate",
        titles=titles("Customer retention rate", "نرخ حفظ مشتری", "معدل الاحتفاظ بالعملاء"),
        unit="ratio",
        kind="custom",
        source="customers",
        time="churned_at",
        higher_is_better=True,
        definition="Customers active at the start of the period who were still customers "
        "at its end (new customers left out): 1 − churn rate.",
        formula="(active at start − churned) / active at start",
        custom=_retention,
        needs=("customers",),
    ),
)
