"""Review cycles: pick solved conversations worth reviewing, spread over reviewers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..accounts import Actor
from ..errors import ValidationError, WorkflowError
from ..metrics import ensure_facts
from ..model.workflow import ASSIGNMENT_STATUSES, MAX_REPEAT_DAYS, STRATEGIES, Strategy
from . import _storage
from ._base import WorkspaceBase, as_utc, new_id, require_reviewer, require_staff
from ._limits import (
    INT64_MAX,
    INT64_MIN,
    MAX_CATCH_UP,
    MAX_PARTICIPANTS,
    MAX_PER_AGENT,
    check_id,
    check_instant,
    check_int,
    check_texts,
)
from ._records import Assignment, Cycle, dumps

#: long_resolution picks conversations at or above this percentile of resolution time
LONG_RESOLUTION_PERCENTILE = 75
#: outliers: resolution time or replies above this percentile
OUTLIER_PERCENTILE = 95
SENTIMENT_END = "conversation.customer_sentiment_end"


@dataclasses.dataclass(frozen=True)
class Candidate:
    ticket_id: str
    agent_id: str
    reason: str
    #: lower comes first (ties are broken by the seeded random order)
    order: float = 0.0


def candidates(
    store: Any, start: dt.datetime, end: dt.datetime, strategy: str, exclude: set[str]
) -> list[Candidate]:
    """Solved, unmerged conversations with an agent, solved in [start, end), that fit
    ``strategy`` (see docs/qa.md), without the tickets in ``exclude``."""
    ensure_facts(store)
    f = store.con.table("facts_tickets")
    f = f.filter(
        f.is_solved
        & ~f.is_merged
        & f.agent_id.notnull()
        & (f.solved_at >= start)
        & (f.solved_at < end)
    ).select(
        "ticket_id",
        "agent_id",
        "csat_score",
        "csat_scale_min",
        "csat_scale_max",
        "full_resolution_s",
        "replies",
        "reopens",
        "escalated",
    )
    rows = [r for r in f.to_pyarrow().to_pylist() if r["ticket_id"] not in exclude]
    if strategy == "random":
        return [Candidate(r["ticket_id"], r["agent_id"], "random") for r in rows]
    if strategy == "low_csat":
        out = []
        for r in rows:
            s, lo, hi = r["csat_score"], r["csat_scale_min"], r["csat_scale_max"]
            if s is None or lo is None or hi is None or hi <= lo:
                continue
            share = (s - lo) / (hi - lo)
            if share < 0.5:
                out.append(
                    Candidate(r["ticket_id"], r["agent_id"], f"csat {s:g} ({lo:g}–{hi:g})", share)
                )
        return out
    if strategy == "negative_sentiment":
        a = store.table("auto_scores")
        ids = [r["ticket_id"] for r in rows]
        a = a.filter(
            (a.analyzer == SENTIMENT_END) & (a.label == "negative") & a.ticket_id.isin(ids)
        )
        neg = {
            x["ticket_id"]: x["score"]
            for x in a.select("ticket_id", "score").to_pyarrow().to_pylist()
        }
        return [
            Candidate(
                r["ticket_id"],
                r["agent_id"],
                f"customer sentiment at the end {neg[r['ticket_id']] or 0:.2f}",
                neg[r["ticket_id"]] or 0.0,
            )
            for r in rows
            if r["ticket_id"] in neg
        ]
    if strategy in ("long_resolution", "outliers"):
        times = [r["full_resolution_s"] for r in rows if r["full_resolution_s"] is not None]
        if not times:
            return []
        if strategy == "long_resolution":
            limit = float(np.percentile(times, LONG_RESOLUTION_PERCENTILE))
            return [
                Candidate(
                    r["ticket_id"],
                    r["agent_id"],
                    f"resolution {_hours(r['full_resolution_s'])}",
                    -r["full_resolution_s"],
                )
                for r in rows
                if r["full_resolution_s"] is not None and r["full_resolution_s"] >= limit
            ]
        t95 = float(np.percentile(times, OUTLIER_PERCENTILE))
        r95 = float(np.percentile([r["replies"] for r in rows], OUTLIER_PERCENTILE))
        out = []
        for r in rows:
            long = r["full_resolution_s"] is not None and r["full_resolution_s"] > t95
            many = r["replies"] > r95
            if long or many:
                why = [f"resolution {_hours(r['full_resolution_s'])} > p95"] if long else []
                why += [f"{r['replies']} replies > p95"] if many else []
                out.append(Candidate(r["ticket_id"], r["agent_id"], ", ".join(why)))
        return out
    if strategy == "reopened":
        return [
            Candidate(r["ticket_id"], r["agent_id"], f"reopened {r['reopens']}×", -r["reopens"])
            for r in rows
            if r["reopens"] > 0
        ]
    if strategy == "escalated":
        return [
            Candidate(r["ticket_id"], r["agent_id"], "escalated") for r in rows if r["escalated"]
        ]
    raise WorkflowError(f"unknown sampling strategy {strategy!r}; use: {', '.join(STRATEGIES)}")


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def _next_id(previous: str) -> str:
    """The id of the occurrence after cycle ``previous``: the same whoever makes it, so
    two runs that race (a server and a cron job on one PostgreSQL store) write the same
    keys, which the store merges, instead of a second occurrence."""
    return "cyc-" + hashlib.sha256(f"{previous}/next".encode()).hexdigest()[:12]


def _next_seed(seed: int | None) -> int | None:
    """The seed of the next occurrence: + 1, round to the smallest int64 past the largest
    (the column holds int64)."""
    if seed is None:
        return None
    return INT64_MIN if seed >= INT64_MAX else seed + 1


def pick(found: list[Candidate], per_agent: int, seed: int | None) -> list[Candidate]:
    """Up to ``per_agent`` per agent (best first, seeded random among equals), in
    rank-major order: every agent's first pick, then every agent's second …"""
    rng = random.Random(seed)
    keyed = sorted(found, key=lambda c: c.ticket_id)
    tiebreak = {c.ticket_id: rng.random() for c in keyed}
    by_agent: dict[str, list[Candidate]] = {}
    for c in sorted(keyed, key=lambda c: (c.order, tiebreak[c.ticket_id])):
        by_agent.setdefault(c.agent_id, []).append(c)
    out = []
    for rank in range(per_agent):
        for agent in sorted(by_agent):
            if rank < len(by_agent[agent]):
                out.append(by_agent[agent][rank])
    return out


class SamplingMixin(WorkspaceBase):
    def create_cycle(
        self,
        actor: Actor,
        name: str,
        reviewers: Sequence[str],
        start: dt.date | dt.datetime,
        end: dt.date | dt.datetime,
        per_agent: int,
        strategy: Strategy = "random",
        seed: int | None = 0,
        repeat_days: int | None = None,
    ) -> tuple[Cycle, list[Assignment]]:
        """Sample conversations solved in [start, end) (UTC; dates = midnight UTC):
        ``per_agent`` per agent by ``strategy``, spread round-robin over ``reviewers``.
        Conversations already reviewed or assigned are never picked again.

        ``repeat_days`` makes the cycle recurring: :meth:`run_due_cycles` samples each
        following period of that many days (starting at ``end``) once it has ended.
        Dates lie in FIRST_DAY … LAST_DAY, ``per_agent`` in 1–MAX_PER_AGENT and ``seed`` in
        int64 (``sanjeh.qa.limits``)."""
        require_staff(actor, "create review cycles")
        if isinstance(reviewers, str) or not reviewers:
            raise WorkflowError("a cycle needs at least one reviewer")
        if len(reviewers) > MAX_PARTICIPANTS:
            raise ValidationError("reviewers", f"a cycle has at most {MAX_PARTICIPANTS}")
        reviewers = check_texts("reviewers", reviewers)
        name = check_id("name", name)
        check_int("per_agent", per_agent, 1, MAX_PER_AGENT)
        if seed is not None:
            check_int("seed", seed)
        if strategy not in STRATEGIES:
            raise WorkflowError(
                f"unknown sampling strategy {strategy!r}; use: {', '.join(STRATEGIES)}"
            )
        if repeat_days is not None and (
            isinstance(repeat_days, bool)
            or not isinstance(repeat_days, int)
            or not 1 <= repeat_days <= MAX_REPEAT_DAYS
        ):
            raise WorkflowError(
                f"repeat_days must be a whole number of days from 1 to {MAX_REPEAT_DAYS} "
                f"(or None for a one-off cycle), not {repeat_days!r}"
            )
        lo, hi = check_instant("start", as_utc(start)), check_instant("end", as_utc(end))
        if hi <= lo:
            raise WorkflowError(f"the cycle ends ({end}) before it starts ({start})")
        return self._sample_cycle(
            actor,
            cycle_id=new_id("cyc"),
            name=name,
            reviewers=list(reviewers),
            start=lo,
            end=hi,
            per_agent=per_agent,
            strategy=strategy,
            seed=seed,
            repeat_days=repeat_days,
            follows=None,
        )

    def run_due_cycles(
        self, actor: Actor, now: dt.datetime | None = None, *, limit: int | None = None
    ) -> list[tuple[Cycle, list[Assignment]]]:
        """Create the next occurrence of every recurring cycle whose next period is over.

        For each recurring cycle that no other cycle follows (the latest of its chain),
        while its next period [end, end + repeat_days) has ended by ``now`` (default: the
        workspace clock), a new cycle samples that period: the same name, strategy,
        reviewers, quota and repeat, ``follows`` = the previous cycle, seed + 1. Missed
        periods are caught up, at most the latest MAX_CATCH_UP of them (older ones are
        skipped: the first occurrence then starts later than its predecessor's end);
        running it again at the same moment creates nothing. ``limit``: make at most
        that many now (a caller that holds a lock per call makes one at a time).
        Returns the cycles made (oldest period first per chain) with their assignments."""
        require_staff(actor, "run review cycles")
        moment = as_utc(now) if now is not None else self.now()
        cycles = [Cycle.from_row(r) for r in _storage.latest(self.store, "qa_cycles", "cycle_id")]
        followed = {c.follows for c in cycles if c.follows is not None}
        made: list[tuple[Cycle, list[Assignment]]] = []
        for last in sorted(cycles, key=lambda c: (c.start, c.cycle_id)):
            if not last.repeat_days or last.repeat_days < 1 or last.cycle_id in followed:
                continue
            period = dt.timedelta(days=last.repeat_days)
            # whole periods over since the chain's end: counted, not stepped through (a
            # chain stored with an end in year 1 costs nothing; one in 9999 has none)
            over = (moment - last.end) // period
            start = last.end + max(0, over - MAX_CATCH_UP) * period
            for _ in range(min(over, MAX_CATCH_UP)):
                if limit is not None and len(made) >= limit:
                    return made
                made.append(
                    self._sample_cycle(
                        actor,
                        cycle_id=_next_id(last.cycle_id),
                        name=last.name,
                        reviewers=list(last.reviewers),
                        start=start,
                        end=start + period,
                        per_agent=last.per_agent,
                        strategy=last.strategy,
                        seed=_next_seed(last.seed),
                        repeat_days=last.repeat_days,
                        follows=last.cycle_id,
                    )
                )
                last = made[-1][0]
                start = last.end
        return made

    def _sample_cycle(
        self,
        actor: Actor,
        *,
        cycle_id: str,
        name: str,
        reviewers: list[str],
        start: dt.datetime,
        end: dt.datetime,
        per_agent: int,
        strategy: str,
        seed: int | None,
        repeat_days: int | None,
        follows: str | None,
    ) -> tuple[Cycle, list[Assignment]]:
        """Write a (checked) cycle and its sample: see :meth:`create_cycle`."""
        reviewed = {r.ticket_id for r in self._reviews_where(calibration_id=None)}
        assigned = {
            a["ticket_id"] for a in _storage.latest(self.store, "qa_assignments", "assignment_id")
        }
        chosen = pick(
            candidates(self.store, start, end, strategy, reviewed | assigned), per_agent, seed
        )
        now = self.now()
        cycle = Cycle(
            cycle_id=cycle_id,
            name=name,
            strategy=strategy,
            start=start,
            end=end,
            per_agent=per_agent,
            seed=seed,
            reviewers=reviewers,
            changed_by=actor.user_id,
            changed_at=now,
            repeat_days=repeat_days,
            follows=follows,
        )
        row = {**dataclasses.asdict(cycle), "reviewers": dumps(cycle.reviewers)}
        _storage.append(
            self.store, "qa_cycles", [{**row, "row_id": f"{cycle.cycle_id}@1", "revision": 1}]
        )
        assignments = [
            Assignment(
                assignment_id=f"{cycle.cycle_id}:{i + 1}",
                revision=1,
                cycle_id=cycle.cycle_id,
                ticket_id=c.ticket_id,
                agent_id=c.agent_id,
                reviewer_id=reviewers[i % len(reviewers)],
                reason=c.reason,
                status="open",
                review_id=None,
                changed_by=actor.user_id,
                changed_at=now,
            )
            for i, c in enumerate(chosen)
        ]
        _storage.append(self.store, "qa_assignments", [a.to_row("assigned") for a in assignments])
        return cycle, assignments

    def cycles(self, actor: Actor) -> list[Cycle]:
        require_reviewer(actor, "see review cycles")
        rows = _storage.latest(self.store, "qa_cycles", "cycle_id")
        return sorted((Cycle.from_row(r) for r in rows), key=lambda c: c.changed_at, reverse=True)

    def assignments(
        self,
        actor: Actor,
        reviewer_id: str | None = None,
        status: str | None = None,
        cycle_id: str | None = None,
    ) -> list[Assignment]:
        """Assignments: a reviewer gets their own queue, staff anyone's; ``status`` one
        of ASSIGNMENT_STATUSES."""
        require_reviewer(actor, "see review assignments")
        if status is not None and status not in ASSIGNMENT_STATUSES:
            raise ValidationError(
                "status", f"no assignment status {status!r}; use: {', '.join(ASSIGNMENT_STATUSES)}"
            )
        if actor.role == "reviewer":
            reviewer_id = actor.user_id
        where: dict[str, Any] = {}
        if reviewer_id is not None:
            where["reviewer_id"] = reviewer_id
        if cycle_id is not None:
            where["cycle_id"] = cycle_id
        found = [
            Assignment.from_row(r)
            for r in _storage.latest(self.store, "qa_assignments", "assignment_id", where)
        ]
        if status is not None:
            found = [a for a in found if a.status == status]
        return sorted(found, key=lambda a: (a.cycle_id, int(a.assignment_id.rsplit(":", 1)[1])))
