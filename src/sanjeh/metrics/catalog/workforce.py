"""Workforce KPIs: backlog, tickets per agent-hour, cost per ticket."""

from __future__ import annotations

import pandas as pd

from .._engine import Query
from .._registry import KPI, register, titles
from .tickets import live


def _solved_and_hours(q: Query) -> pd.DataFrame:
    t = q.fact("tickets")
    t = t.filter(live(q.ctx, t))
    solved = q.counts(t.filter(t.solved_at.notnull()), "tickets", "solved_at", key="live.solved")
    shifts = q.fact("shifts")
    logged_in = shifts.filter(shifts.kind == "logged_in")
    s = q.keyed(logged_in, "shifts", q.local("start_at"))
    with q.store.lock:  # (the shared Ibis connection)
        hours = s.group_by(q.keys).agg(hours=s.hours.sum(), cost=s.cost.sum()).to_pandas()
    return solved.merge(hours, on=q.keys, how="outer").fillna({"n": 0})


def _per_agent_hour(q: Query, numerator: str) -> pd.DataFrame:
    both = q.shared("solved_and_hours", lambda: _solved_and_hours(q))
    if numerator == "tickets":
        value = both.n / both.hours.where(both.hours > 0)
    else:
        value = both.cost / both.n.where(both.n > 0)
    return both[q.keys].assign(n=both.n.astype("int64"), value=value)


register(
    KPI(
        name="backlog",
        titles=titles("Backlog at period end", "تیکت‌های باز در پایان دوره", "التذاكر المتراكمة"),
        unit="count",
        kind="level",
        source="tickets",
        time="created_at",
        until="solved_at",
        where=live,
        higher_is_better=False,
        definition="Tickets open at the end of the period: created by then and not (yet) "
        "in their final solved state. A ticket counts from creation until its last "
        "resolution.",
        formula="created up to period end − solved up to period end",
    ),
    KPI(
        name="tickets_per_agent_hour",
        titles=titles(
            "Tickets solved per agent-hour",
            "تیکت حل‌شده در هر ساعت کاری",
            "التذاكر المحلولة لكل ساعة عمل",
        ),
        unit="per_hour",
        kind="custom",
        source="shifts",
        time="start_at",
        higher_is_better=True,
        definition="Tickets solved in the period over the hours agents were logged in "
        "(shifts count in the period they start in).",
        formula="tickets solved / logged-in hours",
        custom=lambda q: _per_agent_hour(q, "tickets"),
        needs=("agent_shifts", "tickets"),
    ),
    KPI(
        name="cost_per_ticket",
        titles=titles("Cost per ticket", "هزینه هر تیکت", "تكلفة التذكرة"),
        unit="money",
        kind="custom",
        source="shifts",
        time="start_at",
        higher_is_better=False,
        definition="Agent cost (logged-in hours × hourly cost) over tickets solved in the period.",
        formula="Σ(hours × hourly cost) / tickets solved",
        custom=lambda q: _per_agent_hour(q, "cost"),
        needs=("agent_shifts", "agents"),
    ),
)
