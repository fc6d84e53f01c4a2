"""How often hard cases already reached the agents routing would recommend.

A **hard** ticket (solved, not merged, in the period by creation) is one that was

- ``escalated``: escalated to a higher tier or a specialist team (an ``escalate`` event);
- ``reopened``: reopened within the reopen window;
- ``slow``: its full resolution (business time) is at or above the 90th percentile of
  the period's solved tickets of the same category;
- ``low_csat``: its CSAT answer is below the scale's midpoint (1 or 2 of 1-5).

For each, the top three for its kind (category, language, channel) and team, as
:func:`recommend` answers, from a skill table built **only from tickets solved before
the period** (and outcomes whose windows had closed by then; who had left by then): the
period's own outcomes never decide who counts as an expert for them, so the share is not
circular. ``reached``: the ticket's agent was one of them. Beside it the same share over
all the period's solved tickets, and what chance would give (TOP / eligible agents at the
kind, averaged over the hard tickets).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

import ibis
import pandas as pd

from ..errors import ConfigError
from ..metrics import MetricsConfig, ensure_facts
from ..store import Store
from ._routing import TOP, SkillTable, build_skills, recommend
from ._routing_data import KIND_DIMS, count_true

#: the reasons a ticket is hard, in the order the report lists them
HARD_REASONS = ("escalated", "reopened", "slow", "low_csat")
#: a resolution at or above this quantile of its category's (in the period) is slow
SLOW_QUANTILE = 0.9
#: the period when none is given: the last four weeks of data
DEFAULT_DAYS = 28


@dataclasses.dataclass(frozen=True)
class HardCases:
    start: dt.datetime
    end: dt.datetime
    #: the period's solved tickets (with an agent), and how many reached a top-3 agent
    tickets: int
    tickets_reached: int
    hard: int
    hard_reached: int
    #: what chance would give: mean of TOP / eligible agents over the hard tickets
    chance: float | None
    #: per reason: hard tickets with it, and how many reached a top-3 agent
    reasons: dict[str, dict[str, int]]
    #: per level of kind used for the recommendation ("category/language/channel" …)
    levels: dict[str, dict[str, int]]
    #: the skill table's cut-off (= start) and how many tickets it rests on
    skills_before: dt.datetime

    def share(self, reached: int, of: int) -> float | None:
        return reached / of if of else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "skills_before": self.skills_before.isoformat(),
            "tickets": self.tickets,
            "tickets_reached": self.tickets_reached,
            "tickets_share": self.share(self.tickets_reached, self.tickets),
            "hard": self.hard,
            "hard_reached": self.hard_reached,
            "hard_share": self.share(self.hard_reached, self.hard),
            "chance": self.chance,
            "reasons": {
                k: {**v, "share": self.share(v["reached"], v["hard"])}
                for k, v in self.reasons.items()
            },
            "levels": self.levels,
        }


def _period(store: Store, start: dt.datetime | None, end: dt.datetime | None) -> tuple[
    dt.datetime, dt.datetime
]:  # fmt: skip
    if end is None:
        f = store.con.table("facts_tickets")
        last = f.created_at.max().to_pyarrow().as_py()
        if last is None:
            raise ConfigError("the store has no tickets: import some (`sanjeh import`) first")
        end = last + dt.timedelta(seconds=1)
    assert end is not None
    end = end if end.tzinfo else end.replace(tzinfo=dt.UTC)
    start = start or end - dt.timedelta(days=DEFAULT_DAYS)
    start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
    return start, end


def _groups(
    store: Store, config: MetricsConfig, start: dt.datetime, end: dt.datetime
) -> pd.DataFrame:
    """The period's solved tickets counted per agent, team, kind and priority, with the
    hard ones per reason (one query; the 90th percentiles per category in another)."""
    f = store.con.table("facts_tickets")
    lo = ibis.literal(start.astimezone(dt.UTC), type="timestamp('UTC')")
    hi = ibis.literal(end.astimezone(dt.UTC), type="timestamp('UTC')")
    f = f.filter(
        f.is_solved & ~f.is_merged & f.agent_id.notnull() & (f.created_at >= lo)
        & (f.created_at < hi)
    )  # fmt: skip
    seconds = f.full_resolution_bs.cast("float64")
    p90 = f.group_by("category").agg(_p90=seconds.quantile(SLOW_QUANTILE))
    j = f.left_join(p90, f.category.identical_to(p90.category))
    score = j.csat_score.cast("float64")
    mid = (j.csat_scale_min.cast("float64") + j.csat_scale_max.cast("float64")) / 2
    flags = {
        "escalated": j.escalated.fill_null(False),
        "reopened": j.reopened.fill_null(False),
        "slow": (j.full_resolution_bs.cast("float64") >= j._p90).fill_null(False),
        "low_csat": (score < mid).fill_null(False),
    }
    hard = flags["escalated"] | flags["reopened"] | flags["slow"] | flags["low_csat"]
    keys = ["agent_id", "team_id", *KIND_DIMS, "priority"]
    counts = j.group_by([j[k] for k in keys]).agg(
        tickets=j.count(),
        hard=count_true(hard),
        **{name: count_true(flag) for name, flag in flags.items()},
    )
    frame = counts.to_pandas()
    for col in ("tickets", "hard", *HARD_REASONS):
        frame[col] = pd.to_numeric(frame[col]).fillna(0).astype(int)
    return frame


def hard_cases(
    store: Store,
    config: MetricsConfig | None = None,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    skills: SkillTable | None = None,
    ensure: bool = True,
) -> HardCases:
    """The report for tickets created in [start, end) (default: the last four weeks of
    data); ``skills``: a table built with ``before=start`` (built here when omitted)."""
    config = config or MetricsConfig.from_settings()
    if ensure:
        ensure_facts(store, config)
    start, end = _period(store, start, end)
    if skills is None or skills.before != start:
        skills = build_skills(store, config, before=start, now=start, ensure=False)
    frame = _groups(store, config, start, end)
    totals = {"tickets": 0, "tickets_reached": 0, "hard": 0, "hard_reached": 0}
    reasons = {r: {"hard": 0, "reached": 0} for r in HARD_REASONS}
    levels: dict[str, dict[str, int]] = {}
    chance_sum = 0.0
    cache: dict[tuple[Any, ...], tuple[set[str], str, int]] = {}
    for row in frame.to_dict("records"):
        ticket = {d: _plain(row[d]) for d in (*KIND_DIMS, "priority")}
        ticket["team"] = _plain(row["team_id"])
        key = tuple(ticket.values())
        if key not in cache:
            routed = recommend(skills, ticket)
            level = "/".join(routed.level) or "all"
            cache[key] = ({a.agent_id for a in routed.agents}, level, routed.pool)
        top, level, pool = cache[key]
        reached = str(row["agent_id"]) in top
        count, hard = int(row["tickets"]), int(row["hard"])
        totals["tickets"] += count
        totals["tickets_reached"] += count * reached
        if not hard:
            continue
        totals["hard"] += hard
        totals["hard_reached"] += hard * reached
        chance_sum += hard * (min(TOP, pool) / pool if pool else 0.0)
        used = levels.setdefault(level, {"hard": 0, "reached": 0})
        used["hard"] += hard
        used["reached"] += hard * reached
        for r in HARD_REASONS:
            flagged = int(row[r])
            reasons[r]["hard"] += flagged
            reasons[r]["reached"] += flagged * reached
    return HardCases(
        start=start,
        end=end,
        chance=chance_sum / totals["hard"] if totals["hard"] else None,
        reasons=reasons,
        levels=levels,
        skills_before=start,
        **totals,
    )


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value
