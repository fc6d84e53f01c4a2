"""Demo QA workflow data: reviews, disputes, calibration, a review cycle, coaching, wow.

Written over a generated demo operation (``generate`` first), so the ``/qa`` pages and
the IQS KPIs have something to show. Every record is built with the ``sanjeh.qa``
dataclasses and scored with its formulas (``review_score``), then each table is written
with one ``store.write``. Deterministic for a seed (as long as the demo period is in
the past: review dates never pass the present). When the store already holds QA reviews
nothing is written (``QaSummary.skipped``), so running it twice duplicates nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..accounts import Actor
from ..errors import ConfigError
from ..qa import (
    DEFAULT_SCORECARD_ID,
    Review,
    Scorecard,
    Workspace,
    default_scorecard,
)
from ._const import SOURCE
from ._qa_stages import (
    QA_LEAD,
    REVIEWERS,
    Conv,
    Run,
    Sample,
    agent_skill,
    calibration_session,
    coaching_sessions,
    cycle_row,
    dispute_low_scores,
    office_time,
    own_reviews,
    review_cycle,
    spread,
    wow_library,
)

if TYPE_CHECKING:
    from ..store import Store

ProgressCallback = Callable[[int, int], None]
REVIEW_SHARE = 0.02
MIN_REVIEWS = 40
MAX_REVIEWS = 600
WINDOW_DAYS = 56
QA_TABLES = (
    "qa_scorecards",
    "qa_reviews",
    "qa_disputes",
    "qa_cycles",
    "qa_assignments",
    "qa_calibrations",
    "qa_coaching",
    "qa_wow",
)
_D = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class QaSummary:
    """What :func:`generate_qa` wrote (all zero and ``skipped`` when QA data existed)."""

    #: rows written per ``qa_*`` table (a record's revisions count separately)
    rows: dict[str, int]
    #: reviews counted in IQS (not calibration reviews)
    reviews: int
    calibration_reviews: int
    disputes: int
    calibrations: int
    cycles: int
    assignments: int
    completed_assignments: int
    coaching_sessions: int
    wow: int
    seconds: float
    skipped: bool = False
    reason: str = ""

    def describe(self) -> str:
        """One line for the CLI."""
        if self.skipped:
            return f"QA demo data: skipped ({self.reason})"
        return (
            f"QA demo data ({self.seconds:.1f}s): {self.reviews:,} reviews by "
            f"{len(REVIEWERS)} reviewers, {self.disputes} disputes, {self.calibrations} "
            f"calibration ({self.calibration_reviews} reviews), {self.cycles} review cycle "
            f"({self.assignments} assignments, {self.completed_assignments} done), "
            f"{self.coaching_sessions} coaching sessions, {self.wow} wow conversations"
        )


# -- reading the demo --------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _data_end(store: Store) -> dt.datetime | None:
    """The demo's present: its last ticket update."""
    t = store.table("tickets")
    value = t.filter(t.source == SOURCE).updated_at.max().to_pyarrow().as_py()
    return None if value is None else _utc(value)


def _conversations(store: Store, lo: dt.datetime, hi: dt.datetime) -> list[Conv]:
    """Demo conversations solved in [lo, hi), not merged, with a human agent."""
    t = store.table("tickets")
    a = store.table("agents")
    e = store.table("events")
    s = store.table("survey_responses")
    bots = a.filter(a.is_bot).select(bot_id=a.agent_id)
    t = t.filter(
        (t.source == SOURCE)
        & t.merged_into.isnull()
        & t.agent_id.notnull()
        & t.status.isin(["solved", "closed"])
    )
    t = t.anti_join(bots, t.agent_id == bots.bot_id).select(
        "ticket_id", "agent_id", "channel", "created_at"
    )
    sv = e.filter((e.kind == "status") & (e.status == "solved"))
    solved = sv.group_by("ticket_id").aggregate(solved_at=sv.at.max(), solves=sv.count())
    solved = solved.filter((solved.solved_at >= lo) & (solved.solved_at < hi))
    j = t.inner_join(solved, "ticket_id")
    ev = e.semi_join(j, e.ticket_id == j.ticket_id)
    stats = ev.group_by("ticket_id").aggregate(
        escalations=(ev.kind == "escalate").sum(),
        replies=((ev.kind == "message") & (ev.actor_type == "agent") & ev.public).sum(),
    )
    csat = s.filter((s.survey == "csat") & s.score.notnull() & s.ticket_id.notnull())
    csat = csat.group_by("ticket_id").aggregate(
        csat=csat.score.mean(), lo=csat.scale_min.min(), hi=csat.scale_max.max()
    )
    csat = csat.rename(csat_ticket="ticket_id")
    j = j.inner_join(stats, "ticket_id")
    j = j.left_join(csat, j.ticket_id == csat.csat_ticket)
    rows = j.select(
        j.ticket_id,
        j.agent_id,
        j.channel,
        j.created_at,
        j.solved_at,
        j.solves,
        j.escalations,
        j.replies,
        j.csat,
        j.lo,
        j.hi,
    ).to_pyarrow()
    out = []
    for r in sorted(rows.to_pylist(), key=lambda r: r["ticket_id"]):
        share = None
        if r["csat"] is not None and r["lo"] is not None and r["hi"] and r["hi"] > r["lo"]:
            share = (r["csat"] - r["lo"]) / (r["hi"] - r["lo"])
        solved_at, created = _utc(r["solved_at"]), _utc(r["created_at"])
        out.append(
            Conv(
                ticket_id=r["ticket_id"],
                agent_id=r["agent_id"],
                channel=r["channel"],
                solved_at=solved_at,
                csat=share,
                reopened=(r["solves"] or 0) > 1,
                escalated=(r["escalations"] or 0) > 0,
                replies=int(r["replies"] or 0),
                resolution_h=(solved_at - created).total_seconds() / 3600,
            )
        )
    return out


def _with_signals(store: Store, convs: list[Conv]) -> list[Conv]:
    """Add the AutoQA signals (``auto_scores``) of these conversations, if any."""
    if not convs:
        return convs
    a = store.table("auto_scores")
    wanted = [
        "rude",
        "language_framing",
        "conversation.empathy_when_needed",
        "conversation.customer_sentiment_end",
        "conversation.quality",
    ]
    rows = (
        a.filter(a.ticket_id.isin([c.ticket_id for c in convs]) & a.analyzer.isin(wanted))
        .select("ticket_id", "event_id", "analyzer", "label", "score")
        .to_pyarrow()
        .to_pylist()
    )
    if not rows:
        return convs
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        f = found.setdefault(r["ticket_id"], {})
        name, label, score = r["analyzer"], r["label"], r["score"]
        rude = name == "rude" and label == "present"
        if rude or (name == "language_framing" and (score or 0.0) < 0):
            f["negative_language"] = True
        elif name == "conversation.empathy_when_needed" and label == "absent":
            f["no_empathy"] = True
        elif name == "conversation.customer_sentiment_end" and label == "negative":
            f["negative_end"] = True
        elif name == "conversation.quality" and score is not None:
            f["quality"] = float(score)
    return [dataclasses.replace(c, **found.get(c.ticket_id, {})) for c in convs]


# -- who gets reviewed -------------------------------------------------------------------


def _choose(run: Run, convs: list[Conv], reviews: int | None) -> Sample:
    """Split the conversations among the cycle, the calibration and the own picks."""
    rng, horizon = run.rng, run.horizon
    cycle_lo, cycle_hi = horizon - 21 * _D, horizon - 7 * _D
    cycle_at = office_time(cycle_hi, rng)
    if cycle_at >= horizon:
        cycle_at = cycle_hi
    in_cycle = [c for c in convs if cycle_lo <= c.solved_at < cycle_hi]
    wanted = reviews or min(MAX_REVIEWS, max(MIN_REVIEWS, round(REVIEW_SHARE * len(convs))))
    per_agent = 2 if wanted >= 100 else 1
    cycle_convs = spread(in_cycle, 10_000, rng, per_agent=per_agent)
    taken = {c.ticket_id for c in cycle_convs}
    cal_at = office_time(horizon - 14 * _D, rng)
    cal_pool = [c for c in convs if c.solved_at < cal_at and c.ticket_id not in taken]
    size = min(5, len(cal_pool))
    cal_convs = [cal_pool[int(i)] for i in sorted(rng.choice(len(cal_pool), size, replace=False))]
    taken |= {c.ticket_id for c in cal_convs}
    pool = [c for c in convs if c.ticket_id not in taken]
    done_n = min(round(len(cycle_convs) * 0.6), wanted // 4)
    picked = spread(pool, max(0, wanted - done_n), rng)
    graded = _with_signals(run.store, picked + cycle_convs[:done_n] + cal_convs)
    return Sample(
        cycle_lo=cycle_lo,
        cycle_hi=cycle_hi,
        cycle_at=cycle_at,
        per_agent=per_agent,
        cycle=cycle_convs,
        completed=graded[len(picked) : len(picked) + done_n],
        cal_at=cal_at,
        calibration=graded[len(picked) + done_n :],
        picked=graded[: len(picked)],
    )


# -- the generator -----------------------------------------------------------------------


def _scorecard(store: Store, at: dt.datetime) -> tuple[Scorecard, bool]:
    """The default scorecard: the stored one if there is one (True: newly written),
    else the built-in one, saved."""
    ws = Workspace(store, clock=lambda: at)
    t = store.table("qa_scorecards")
    if int(store.con.execute(t.filter(t.scorecard_id == DEFAULT_SCORECARD_ID).count())):
        return ws.scorecard(DEFAULT_SCORECARD_ID), False
    lead = Actor(QA_LEAD, "manager")
    return ws.save_scorecard(lead, default_scorecard(), note="demo QA scorecard"), True


def _skipped(began: float, reason: str) -> QaSummary:
    return QaSummary(
        rows=dict.fromkeys(QA_TABLES, 0),
        reviews=0,
        calibration_reviews=0,
        disputes=0,
        calibrations=0,
        cycles=0,
        assignments=0,
        completed_assignments=0,
        coaching_sessions=0,
        wow=0,
        seconds=time.perf_counter() - began,
        skipped=True,
        reason=reason,
    )


def generate_qa(
    store: Store,
    *,
    seed: int = 42,
    reviews: int | None = None,
    progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
) -> QaSummary:
    """Write a realistic QA workflow over the demo operation in ``store``.

    ``reviews``: how many reviews (default about 2 % of the demo conversations solved in
    the last eight weeks, 40–600), by three reviewers, spread over the agents. Also
    disputes in every state, a blind calibration session, a review cycle with
    assignments, coaching sessions for the two agents with the lowest IQS and a wow
    library. Nothing is dated after the demo's last event or ``now`` (default: the
    clock). Skipped (``QaSummary.skipped``) when the store already holds QA reviews.
    """
    began = time.perf_counter()
    stages, stage = 8, 0

    def step() -> None:
        nonlocal stage
        stage += 1
        if progress is not None:
            progress(stage, stages)

    if reviews is not None and (isinstance(reviews, bool) or not 1 <= reviews <= 100_000):
        raise ConfigError(f"reviews must be a whole number from 1 to 100,000, not {reviews}")
    if int(store.con.execute(store.table("qa_reviews").count())):
        return _skipped(began, "the store already has QA reviews")
    end = _data_end(store)
    if end is None:
        raise ConfigError("the store has no demo conversations; generate the demo first")
    horizon = min(end, _utc(now) if now is not None else dt.datetime.now(dt.UTC))
    horizon = horizon.replace(microsecond=0)
    lo = horizon - dt.timedelta(days=WINDOW_DAYS)
    convs = _conversations(store, lo, horizon - _D)
    if len(convs) < 10:
        return _skipped(began, "too few solved demo conversations in the last eight weeks")
    step()
    rng = np.random.default_rng([seed, 50])
    skill = agent_skill(convs, rng)
    card, card_written = _scorecard(store, lo - 7 * _D)
    run = Run(store=store, seed=seed, rng=rng, card=card, horizon=horizon, skill=skill)
    step()

    sample = _choose(run, convs, reviews)
    step()

    own = own_reviews(run, sample.picked)
    cycle, assignments, cycle_reviews = review_cycle(run, sample)
    latest: dict[str, Review] = {}  # review id → latest revision
    order: list[str] = []
    for review in own + cycle_reviews:
        latest[review.review_id] = review
        order.append(review.review_id)
    first = dict(latest)  # every review's first revision
    step()

    disputes = dispute_low_scores(run, latest)
    step()

    cal_row, cal_reviews = calibration_session(run, sample)
    step()

    sessions = coaching_sessions(run, latest)
    wow_rows = wow_library(run, latest, {r.review_id for r in disputes.disputed})
    step()

    review_rows = [first[rid].to_row() for rid in order]
    review_rows += [r.to_row() for r in disputes.revisions] + [r.to_row() for r in cal_reviews]
    tables = {
        "qa_reviews": review_rows,
        "qa_disputes": disputes.rows,
        "qa_cycles": [cycle_row(cycle)] if sample.cycle else [],
        "qa_assignments": assignments,
        "qa_calibrations": [cal_row],
        "qa_coaching": sessions,
        "qa_wow": wow_rows,
    }
    for name, rows in tables.items():
        if rows:
            store.write(name, rows)
    step()
    return QaSummary(
        rows={"qa_scorecards": int(card_written), **{k: len(v) for k, v in tables.items()}},
        reviews=len(order),
        calibration_reviews=len(cal_reviews),
        disputes=len(disputes.disputed),
        calibrations=1,
        cycles=1 if sample.cycle else 0,
        assignments=len(sample.cycle),
        completed_assignments=len(sample.completed),
        coaching_sessions=len({r["session_id"] for r in sessions}),
        wow=len(wow_rows),
        seconds=time.perf_counter() - began,
    )


__all__ = ["QA_LEAD", "REVIEWERS", "QaSummary", "generate_qa"]
