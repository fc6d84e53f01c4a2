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
import hashlib
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..accounts import Actor
from ..errors import ConfigError
from ..qa import (
    CRITICAL_BELOW,
    DEFAULT_SCORECARD_ID,
    ActionItem,
    Assignment,
    Calibration,
    Category,
    CoachingSession,
    Cycle,
    Dispute,
    Review,
    Scorecard,
    Workspace,
    category_score,
    default_scorecard,
    review_score,
)
from ._const import SOURCE

if TYPE_CHECKING:
    from ..store import Store

ProgressCallback = Callable[[int, int], None]

#: the demo's QA team (user ids; the QA records carry ids only, no names)
REVIEWERS = ("demo:reviewer-1", "demo:reviewer-2", "demo:reviewer-3")
QA_LEAD = "demo:qa-lead"
#: how strict each reviewer is (added to the rating latent, 0–1 scale)
_REVIEWER_BIAS = (-0.05, 0.0, 0.04)
REVIEW_SHARE = 0.02
MIN_REVIEWS = 40
#: share of the reviewers' own picks in which the solution was wrong (critical failure)
FAIL_SHARE = 0.05
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
_DISPUTE_PLAN = ("partly_accepted", "accepted", "rejected", "escalated", "open", "open")
_H = dt.timedelta(hours=1)
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


@dataclasses.dataclass(frozen=True)
class _Conv:
    """A solved conversation and what its review ratings lean on."""

    ticket_id: str
    agent_id: str
    channel: str | None
    solved_at: dt.datetime
    #: CSAT as a share of its scale (0 worst … 1 best), None without an answer
    csat: float | None
    reopened: bool
    escalated: bool
    replies: int
    resolution_h: float
    # AutoQA signals (auto_scores), when the text analysis has run
    negative_language: bool = False
    no_empathy: bool = False
    negative_end: bool = False
    quality: float | None = None


# -- texts ------------------------------------------------------------------------------

_LOW_COMMENTS = {
    "correct_solution": (
        "The refund was promised although the order is outside the refund window.",
        "Wrong troubleshooting steps: the customer had already reinstalled the app.",
        "The answer did not match our current billing policy.",
    ),
    "complete_answer": (
        "The second question (delivery date) was never answered.",
        "Only half of the request was handled; the address change is still open.",
    ),
    "empathy": (
        "The customer was clearly upset; no acknowledgement of the delay at all.",
        "Jumped straight to the procedure without recognising the frustration.",
    ),
    "tone": (
        '"We can\'t do anything" - tell the customer what we can do instead.',
        "Sounds impatient; avoid blaming the customer.",
    ),
    "greeting_closing": ("No closing: the conversation just stops.",),
    "ownership": (
        "Sent the customer to another team instead of handling the handover.",
        '"That is not our department" - take ownership and transfer internally.',
    ),
    "follow_up": ("Promised to get back within 24 hours and did not.",),
    "internal_process": ("No internal note on the escalation; tags missing.",),
}
_GENERIC_LOW = ("Below our standard here; see the coaching notes.",)
_OVERALL = {
    "fail": (
        "Critical: the solution was wrong, so the review fails. Let's go through the policy.",
        "The customer got incorrect information; please review the knowledge-base article.",
    ),
    "low": (
        "Solved in the end, but communication needs work.",
        "Several gaps; the customer had to ask twice.",
    ),
    "good": (
        "Good handling overall, small things to polish.",
        "Solid conversation.",
    ),
    "great": (
        "Excellent: clear, warm and complete. A model answer.",
        "Great job - proactive and empathetic.",
    ),
}
_DISPUTE_COMMENTS = (
    "I did acknowledge the delay in my second message.",
    "The policy changed last week; my answer followed the new process.",
    "The customer asked only one question; the rest was answered by phone.",
    "The transfer was required by the escalation rules.",
    "I followed up the next morning, see the internal note.",
    "The tone rating is unfair; the customer was abusive first.",
)
_RESOLUTIONS = {
    "accepted": "You are right - corrected the ratings.",
    "partly_accepted": "Fair on one point, corrected that rating; the rest stands.",
    "rejected": "The ratings stand: the conversation does not show it.",
}
_ESCALATION = "I still think the rating is wrong; asking the QA lead to decide."
_COACHING_NOTES = (
    "Went through the reviews together: the solutions are right, but the customer's "
    "frustration goes unacknowledged and the wording often says what we cannot do.",
    "Focus on complete answers and owning the follow-up; several customers had to "
    "come back for the same issue.",
)
_ACTIONS = (
    ("Acknowledge the customer's situation in the first reply", 7),
    ("Re-read the refund and billing policy articles", 10),
    ("Shadow a senior agent for two shifts", 14),
    ("Use the follow-up macro and set a reminder for every promise", 7),
)
_WOW_NOTES = (
    "Turned an angry customer around with real empathy.",
    "Perfect, complete answer on the first reply.",
    "Proactive follow-up before the customer had to ask.",
    "Clear, warm and concise - a model answer for new agents.",
    "Great ownership of a tricky cross-team case.",
)


def _json_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False)


# -- reading the demo --------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _data_end(store: Store) -> dt.datetime | None:
    """The demo's present: its last ticket update."""
    t = store.table("tickets")
    value = t.filter(t.source == SOURCE).updated_at.max().to_pyarrow().as_py()
    return None if value is None else _utc(value)


def _conversations(store: Store, lo: dt.datetime, hi: dt.datetime) -> list[_Conv]:
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
            _Conv(
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


def _with_signals(store: Store, convs: list[_Conv]) -> list[_Conv]:
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


# -- ratings -----------------------------------------------------------------------------


def _agent_skill(convs: list[_Conv], rng: np.random.Generator) -> dict[str, float]:
    """Each agent's quality lean (around 0): their CSAT, shrunk, plus a personal part."""
    by_agent: dict[str, list[float]] = {}
    for c in convs:
        by_agent.setdefault(c.agent_id, [])
        if c.csat is not None:
            by_agent[c.agent_id].append(c.csat)
    answered = [x for xs in by_agent.values() for x in xs]
    mean = sum(answered) / len(answered) if answered else 0.7
    out = {}
    for agent in sorted(by_agent):
        xs = by_agent[agent]
        shrunk = (sum(xs) + 10 * mean) / (len(xs) + 10)
        out[agent] = 0.6 * (shrunk - mean) + float(rng.normal(0, 0.06))
    return out


def _na_chance(cat: Category, conv: _Conv) -> float:
    if not cat.na_allowed:
        return 0.0
    if cat.id == "follow_up":
        return 0.6 if conv.replies <= 1 else 0.25
    if cat.id == "greeting_closing":
        return 0.3 if conv.channel == "phone" else 0.08
    if cat.id == "internal_process":
        return 0.35
    return 0.15


def _fail_chance(conv: _Conv, skill: float) -> float:
    """How likely the solution was plain wrong (a critical failure)."""
    low_csat = conv.csat is not None and conv.csat < 0.5
    return 0.025 + 0.08 * low_csat + 0.05 * conv.reopened + 0.3 * max(0.0, -skill)


def _latent(
    card: Scorecard,
    conv: _Conv,
    skill: float,
    rng: np.random.Generator,
    fail: bool | None = None,
) -> dict[str, float | None]:
    """How well the conversation did per category (0–1; None = N/A), before the
    reviewer's own strictness and noise. ``fail``: whether a critical category fails
    (None: drawn by its chance)."""
    if fail is None:
        fail = bool(rng.random() < _fail_chance(conv, skill))
    base = 0.8 + skill
    if conv.csat is not None:
        base += 0.25 * (conv.csat - 0.6)
    base -= 0.07 * conv.reopened + 0.03 * conv.escalated + 0.03 * (conv.resolution_h > 72)
    if conv.quality is not None:
        base += 0.25 * (conv.quality - 70) / 100
    low_csat = conv.csat is not None and conv.csat < 0.5
    extra = {
        "correct_solution": -0.1 * conv.reopened,
        "complete_answer": -0.08 * conv.reopened - 0.05 * low_csat,
        "empathy": -0.25 * conv.no_empathy - 0.1 * low_csat - 0.05 * conv.negative_end,
        "tone": -0.35 * conv.negative_language - 0.08 * conv.negative_end - 0.05 * low_csat,
        "ownership": -0.08 * conv.escalated - 0.04 * conv.reopened,
        "follow_up": -0.15 * conv.reopened,
    }
    out: dict[str, float | None] = {}
    for cat in card.categories:
        if rng.random() < _na_chance(cat, conv):
            out[cat.id] = None
            continue
        value = base + extra.get(cat.id, 0.0) + float(rng.normal(0, 0.13))
        if cat.critical:
            value = float(rng.uniform(0.0, 0.3)) if fail else max(value, 0.55)
        out[cat.id] = min(1.0, max(0.0, value))
    return out


def _rating(cat: Category, value: float) -> int:
    steps = cat.scale.max - cat.scale.min
    return cat.scale.min + min(steps, max(0, math.floor(value * steps + 0.5)))


@dataclasses.dataclass(frozen=True)
class _Graded:
    ratings: dict[str, int | None]
    comments: dict[str, str]
    root_causes: dict[str, list[str]]
    comment: str


def _grade(
    card: Scorecard,
    latent: dict[str, float | None],
    conv: _Conv,
    bias: float,
    noise: float,
    rng: np.random.Generator,
) -> _Graded:
    """A reviewer's ratings of the latent quality, with comments on low ratings and
    root causes on negative ones."""
    ratings: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    causes: dict[str, list[str]] = {}
    for cat in card.categories:
        value = latent.get(cat.id)
        if value is None:
            ratings[cat.id] = None
            continue
        v = value + bias + float(rng.normal(0, noise))
        if cat.critical:  # the reviewers agree on whether the solution was wrong
            v = min(v, 0.3) if value < 0.5 else max(v, 0.55)
        rating = _rating(cat, min(1.0, max(0.0, v)))
        ratings[cat.id] = rating
        if category_score(rating, cat.scale) >= 50:
            continue
        if rng.random() < 0.6:
            texts = _LOW_COMMENTS.get(cat.id, _GENERIC_LOW)
            comments[cat.id] = texts[int(rng.integers(len(texts)))]
        if cat.root_causes and rng.random() < 0.75:
            options = list(cat.root_causes)
            if cat.id == "tone" and conv.negative_language and "negative language" in options:
                chosen = ["negative language"]
            else:
                chosen = [options[int(rng.integers(len(options)))]]
            if len(options) > 1 and rng.random() < 0.2:
                chosen.append(next(o for o in options if o not in chosen))
            causes[cat.id] = chosen
    score = review_score(card, ratings).score
    comment = ""
    if score is not None and rng.random() < (0.8 if score < 60 else 0.35):
        kind = "fail" if score == 0 else "low" if score < 70 else "good" if score < 92 else "great"
        texts = _OVERALL[kind]
        comment = texts[int(rng.integers(len(texts)))]
    return _Graded(ratings, comments, causes, comment)


# -- helpers -----------------------------------------------------------------------------


def _id(prefix: str, seed: int, *parts: object) -> str:
    digest = hashlib.sha1("|".join(map(str, (seed, prefix, *parts))).encode()).hexdigest()
    return f"{prefix}-{digest[:12]}"


def _office_time(day: dt.datetime, rng: np.random.Generator) -> dt.datetime:
    """A moment in the reviewers' working day (08:30–17:00 Tehran = 05:00–13:30 UTC)."""
    midnight = dt.datetime.combine(day.date(), dt.time(), tzinfo=dt.UTC)
    return midnight + dt.timedelta(hours=5, seconds=int(rng.integers(0, 8 * 3600 + 1800)))


def _after(
    start: dt.datetime, days: float, limit: dt.datetime, rng: np.random.Generator
) -> dt.datetime:
    """About ``days`` after ``start`` in office hours, but always in (start, limit)."""
    at = _office_time(start + dt.timedelta(days=days), rng)
    while at <= start:
        at += _D
    if at >= limit:
        at = start + (limit - start) * float(rng.uniform(0.2, 0.8))
    return at.replace(microsecond=0)


def _spread(
    convs: Sequence[_Conv], n: int, rng: np.random.Generator, per_agent: int | None = None
) -> list[_Conv]:
    """Up to ``n`` conversations spread evenly over the agents (random within each)."""
    by_agent: dict[str, list[_Conv]] = {}
    for i in rng.permutation(len(convs)):
        c = convs[int(i)]
        by_agent.setdefault(c.agent_id, []).append(c)
    out: list[_Conv] = []
    rank = 0
    while len(out) < n and any(rank < len(v) for v in by_agent.values()):
        if per_agent is not None and rank >= per_agent:
            break
        for agent in sorted(by_agent):
            if rank < len(by_agent[agent]) and len(out) < n:
                out.append(by_agent[agent][rank])
        rank += 1
    return out


def _by_id(review: Review) -> str:
    return review.review_id


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


def _scorecard(store: Store, at: dt.datetime) -> tuple[Scorecard, bool]:
    """The default scorecard: the stored one if there is one (True: newly written),
    else the built-in one, saved."""
    ws = Workspace(store, clock=lambda: at)
    t = store.table("qa_scorecards")
    if int(store.con.execute(t.filter(t.scorecard_id == DEFAULT_SCORECARD_ID).count())):
        return ws.scorecard(DEFAULT_SCORECARD_ID), False
    lead = Actor(QA_LEAD, "manager")
    return ws.save_scorecard(lead, default_scorecard(), note="demo QA scorecard"), True


def _review(
    review_id: str,
    conv: _Conv,
    reviewer: str,
    card: Scorecard,
    graded: _Graded,
    at: dt.datetime,
    calibration_id: str | None = None,
) -> Review:
    result = review_score(card, graded.ratings)
    return Review(
        review_id=review_id,
        revision=1,
        ticket_id=conv.ticket_id,
        agent_id=conv.agent_id,
        reviewer_id=reviewer,
        scorecard_id=card.id,
        scorecard_version=card.version,
        ratings=graded.ratings,
        comments=graded.comments,
        root_causes=graded.root_causes,
        comment=graded.comment,
        score=result.score,
        failed_critical=result.failed_critical,
        status="submitted",
        calibration_id=calibration_id,
        created_at=at,
        changed_by=reviewer,
        changed_at=at,
        note="submitted",
        pass_threshold=card.pass_threshold,
    )


def _revise(card: Scorecard, review: Review, by: str, at: dt.datetime, **changes: Any) -> Review:
    """The next revision, re-scored with the review's scorecard version (as the library)."""
    ratings = changes.pop("ratings", review.ratings)
    result = review_score(card, ratings)
    return dataclasses.replace(
        review,
        **changes,
        ratings=ratings,
        revision=review.revision + 1,
        score=result.score,
        failed_critical=result.failed_critical,
        changed_by=by,
        changed_at=at,
    )


def _corrected(card: Scorecard, ratings: dict[str, int | None], full: bool) -> dict[str, int]:
    """The ratings a reviewer corrects after a dispute: the lowest rated counted
    category (a failed critical one first), raised fully or half-way."""
    rated = [
        c
        for c in card.categories
        if c.weight > 0 and ratings.get(c.id) is not None and ratings[c.id] != c.scale.max
    ]

    def failing(c: Category) -> bool:
        return c.critical and category_score(ratings[c.id] or 0, c.scale) < CRITICAL_BELOW

    rated.sort(key=lambda c: (not failing(c), category_score(ratings[c.id] or 0, c.scale), c.id))
    out = {}
    for cat in rated[: 2 if full else 1]:
        now = ratings[cat.id] or 0
        goal = cat.scale.max - (0 if full else (cat.scale.max - now) // 2)
        if cat.critical:
            goal = max(goal, cat.scale.min + math.ceil((cat.scale.max - cat.scale.min) / 2))
        out[cat.id] = max(goal, now + 1)
    return out


# -- the generator -----------------------------------------------------------------------


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
    skill = _agent_skill(convs, rng)
    card, card_written = _scorecard(store, lo - 7 * _D)
    step()

    # who gets reviewed: a review cycle, a calibration, and the reviewers' own picks
    cycle_lo, cycle_hi = horizon - 21 * _D, horizon - 7 * _D
    cycle_at = _office_time(cycle_hi, rng)
    if cycle_at >= horizon:
        cycle_at = cycle_hi
    in_cycle = [c for c in convs if cycle_lo <= c.solved_at < cycle_hi]
    wanted = reviews or min(MAX_REVIEWS, max(MIN_REVIEWS, round(REVIEW_SHARE * len(convs))))
    per_agent = 2 if wanted >= 100 else 1
    cycle_convs = _spread(in_cycle, 10_000, rng, per_agent=per_agent)
    taken = {c.ticket_id for c in cycle_convs}
    cal_at = _office_time(horizon - 14 * _D, rng)
    cal_pool = [c for c in convs if c.solved_at < cal_at and c.ticket_id not in taken]
    size = min(5, len(cal_pool))
    cal_convs = [cal_pool[int(i)] for i in sorted(rng.choice(len(cal_pool), size, replace=False))]
    taken |= {c.ticket_id for c in cal_convs}
    pool = [c for c in convs if c.ticket_id not in taken]
    done_n = min(round(len(cycle_convs) * 0.6), wanted // 4)
    picked = _spread(pool, max(0, wanted - done_n), rng)
    graded_convs = _with_signals(store, picked + cycle_convs[:done_n] + cal_convs)
    picked, completed, cal_convs = (
        graded_convs[: len(picked)],
        graded_convs[len(picked) : len(picked) + done_n],
        graded_convs[len(picked) + done_n :],
    )
    step()

    # the reviews
    out: dict[str, Review] = {}
    order: list[str] = []
    # a steady share of critical failures, on the conversations likeliest to have one
    chance = np.array([_fail_chance(c, skill[c.agent_id]) for c in picked])
    n_fail = min(len(picked), max(1, round(FAIL_SHARE * len(picked)))) if picked else 0
    failing = set(rng.choice(len(picked), n_fail, replace=False, p=chance / chance.sum()).tolist())
    for i, conv in enumerate(picked):
        k = int(rng.integers(len(REVIEWERS)))
        latent = _latent(card, conv, skill[conv.agent_id], rng, fail=i in failing)
        graded = _grade(card, latent, conv, _REVIEWER_BIAS[k], 0.06, rng)
        at = _after(conv.solved_at, float(rng.gamma(2.0, 1.2)) + 0.5, horizon, rng)
        rid = _id("rev", seed, conv.ticket_id)
        out[rid] = _review(rid, conv, REVIEWERS[k], card, graded, at)
        order.append(rid)
    cycle = Cycle(
        cycle_id=_id("cyc", seed, "cycle"),
        name=f"Weekly sample {cycle_lo.date()} – {(cycle_hi - _D).date()}",
        strategy="random",
        start=cycle_lo,
        end=cycle_hi,
        per_agent=per_agent,
        seed=seed,
        reviewers=list(REVIEWERS),
        changed_by=QA_LEAD,
        changed_at=cycle_at,
    )
    assignments: list[dict[str, Any]] = []
    for i, conv in enumerate(cycle_convs):
        a = Assignment(
            assignment_id=f"{cycle.cycle_id}:{i + 1}",
            revision=1,
            cycle_id=cycle.cycle_id,
            ticket_id=conv.ticket_id,
            agent_id=conv.agent_id,
            reviewer_id=REVIEWERS[i % len(REVIEWERS)],
            reason="random",
            status="open",
            review_id=None,
            changed_by=QA_LEAD,
            changed_at=cycle_at,
        )
        assignments.append(a.to_row("assigned"))
        if i >= done_n:
            continue
        k = i % len(REVIEWERS)
        conv = completed[i]
        latent = _latent(card, conv, skill[conv.agent_id], rng)
        graded = _grade(card, latent, conv, _REVIEWER_BIAS[k], 0.06, rng)
        at = _after(cycle_at, float(rng.uniform(0.2, 5.0)), horizon, rng)
        rid = _id("rev", seed, conv.ticket_id)
        out[rid] = _review(rid, conv, REVIEWERS[k], card, graded, at)
        order.append(rid)
        done = dataclasses.replace(
            a,
            revision=2,
            status="completed",
            review_id=rid,
            changed_by=a.reviewer_id,
            changed_at=at,
        )
        assignments.append(done.to_row("review submitted"))
    first = dict(out)  # every review's first revision
    step()

    # disputes: the reviewed agent disputes low scores
    revisions: list[Review] = []
    dispute_rows: list[dict[str, Any]] = []
    # (one critical failure at most, the first: its dispute is partly accepted)
    old = sorted((r for r in out.values() if r.created_at <= horizon - 8 * _D), key=_by_id)
    failed = [r for r in old if r.failed_critical][:1]
    below = [r for r in old if not r.failed_critical and (r.score or 0.0) < card.pass_threshold]
    rest = [r for r in old if not r.failed_critical and r not in below]
    low = failed + [below[int(i)] for i in rng.permutation(len(below))] + rest
    agents_done: set[str | None] = set()
    chosen: list[Review] = []
    for r in low:  # different agents first
        if len(chosen) < len(_DISPUTE_PLAN) and r.agent_id not in agents_done:
            chosen.append(r)
            agents_done.add(r.agent_id)
    chosen += [r for r in low if r not in chosen][: len(_DISPUTE_PLAN) - len(chosen)]
    for plan, review in zip(_DISPUTE_PLAN, chosen, strict=False):
        agent = review.agent_id or ""
        t_open = _after(review.created_at, float(rng.uniform(0.5, 2.0)), horizon, rng)
        rev = _revise(card, review, agent, t_open, status="disputed", note="dispute opened")
        revisions.append(rev)
        d = Dispute(
            dispute_id=_id("dsp", seed, review.review_id),
            revision=1,
            review_id=review.review_id,
            agent_id=agent,
            status="open",
            escalated=False,
            comment=_DISPUTE_COMMENTS[int(rng.integers(len(_DISPUTE_COMMENTS)))],
            review_revision=rev.revision,
            changed_by=agent,
            changed_at=t_open + dt.timedelta(seconds=1),
            note="opened",
        )
        dispute_rows.append(d.to_row())
        if plan != "open":
            outcome = "rejected" if plan == "escalated" else plan
            t_res = _after(t_open, float(rng.uniform(0.5, 2.0)), horizon, rng)
            ratings = dict(rev.ratings)
            if outcome != "rejected":
                ratings.update(_corrected(card, rev.ratings, full=outcome == "accepted"))
            note = "dispute " + outcome.replace("_", " ")
            rev = _revise(
                card, rev, review.reviewer_id, t_res, status="resolved", ratings=ratings, note=note
            )
            revisions.append(rev)
            d = dataclasses.replace(
                d,
                revision=2,
                status=outcome,
                comment=_RESOLUTIONS[outcome],
                review_revision=rev.revision,
                changed_by=review.reviewer_id,
                changed_at=t_res + dt.timedelta(seconds=1),
                note=outcome,
            )
            dispute_rows.append(d.to_row())
        if plan == "escalated":
            t_esc = _after(rev.changed_at, float(rng.uniform(0.3, 1.5)), horizon, rng)
            rev = _revise(card, rev, agent, t_esc, status="disputed", note="dispute escalated")
            revisions.append(rev)
            d = dataclasses.replace(
                d,
                revision=3,
                status="escalated",
                escalated=True,
                comment=_ESCALATION,
                review_revision=rev.revision,
                changed_by=agent,
                changed_at=t_esc + dt.timedelta(seconds=1),
                note="escalated",
            )
            dispute_rows.append(d.to_row())
        out[review.review_id] = rev
    step()

    # calibration: three reviewers grade the same five conversations, blind
    cal = Calibration(
        calibration_id=_id("cal", seed, "calibration"),
        name=f"Calibration {cal_at.date()}",
        ticket_ids=[c.ticket_id for c in cal_convs],
        reviewers=list(REVIEWERS),
        blind=True,
        benchmark_reviewer=None,
        scorecard_id=card.id,
        scorecard_version=card.version,
        changed_by=QA_LEAD,
        changed_at=cal_at,
    )
    cal_row = {
        **dataclasses.asdict(cal),
        "row_id": f"{cal.calibration_id}@1",
        "revision": 1,
        "ticket_ids": _json_list(cal.ticket_ids),
        "reviewers": _json_list(cal.reviewers),
        "note": "created",
    }
    cal_reviews = []
    for conv in cal_convs:
        latent = _latent(card, conv, skill[conv.agent_id], rng)
        for k, reviewer in enumerate(REVIEWERS):
            graded = _grade(card, latent, conv, _REVIEWER_BIAS[k], 0.08, rng)
            at = _after(cal_at, float(rng.uniform(0.1, 3.0)), horizon, rng)
            rid = _id("rev", seed, cal.calibration_id, conv.ticket_id, reviewer)
            cal_reviews.append(_review(rid, conv, reviewer, card, graded, at, cal.calibration_id))
    step()

    # coaching for the two agents with the lowest IQS, and the wow library
    scores: dict[str, list[float]] = {}
    for r in out.values():
        if r.agent_id is not None and r.score is not None:
            scores.setdefault(r.agent_id, []).append(r.score)
    ranked = sorted((sum(v) / len(v), agent) for agent, v in scores.items() if len(v) >= 2)
    sessions: list[dict[str, Any]] = []
    for n, (_, agent) in enumerate(ranked[:2]):
        # held about three weeks before the end, on the reviews written before it
        held = _office_time(horizon - (20 - 2 * n) * _D, rng)
        mine = [r for r in out.values() if r.agent_id == agent]
        before = [r for r in mine if r.created_at < held - _H] or mine
        theirs = sorted(before, key=lambda r: (r.score or 0.0, r.review_id))[:3]
        held = max(held, max(r.created_at for r in theirs) + _H)
        if held >= horizon:
            continue
        coach = Counter(r.reviewer_id for r in mine).most_common(1)[0][0]
        items = [_ACTIONS[(2 * n + j) % len(_ACTIONS)] for j in range(3 - n)]
        session = CoachingSession(
            session_id=_id("coa", seed, agent),
            revision=1,
            agent_id=agent,
            coach_id=coach,
            held_on=held,
            coach_note=_COACHING_NOTES[n % len(_COACHING_NOTES)],
            review_ids=[r.review_id for r in theirs],
            action_items=[ActionItem(text, (held + days * _D).date()) for text, days in items],
            changed_by=coach,
            changed_at=held,
        )
        sessions.append(session.to_row("created"))
        if n == 0:
            done_at = _after(held, 2.0, horizon, rng)
            actions = list(session.action_items)
            actions[0] = dataclasses.replace(actions[0], done=True, done_by=agent, done_at=done_at)
            ticked = dataclasses.replace(
                session, revision=2, action_items=actions, changed_by=agent, changed_at=done_at
            )
            sessions.append(ticked.to_row("action item 0 done"))
    disputed = {r.review_id for r in chosen}
    best = sorted(
        (r for r in out.values() if r.score is not None and r.review_id not in disputed),
        key=lambda r: (-(r.score or 0.0), r.review_id),
    )
    wow_rows = []
    for r in [r for r in best if (r.score or 0) >= 90][:10]:
        at = _after(r.created_at, float(rng.uniform(0.01, 0.15)), horizon, rng)
        wow_rows.append(
            {
                "row_id": f"{r.ticket_id}@1",
                "wow_id": r.ticket_id,
                "revision": 1,
                "ticket_id": r.ticket_id,
                "agent_id": r.agent_id,
                "note": _WOW_NOTES[int(rng.integers(len(_WOW_NOTES)))],
                "changed_by": r.reviewer_id,
                "changed_at": at,
            }
        )
    step()

    review_rows = [first[rid].to_row() for rid in order]
    review_rows += [r.to_row() for r in revisions] + [r.to_row() for r in cal_reviews]
    cycle_row = {
        **dataclasses.asdict(cycle),
        "reviewers": _json_list(cycle.reviewers),
        "row_id": f"{cycle.cycle_id}@1",
        "revision": 1,
    }
    tables = {
        "qa_reviews": review_rows,
        "qa_disputes": dispute_rows,
        "qa_cycles": [cycle_row] if cycle_convs else [],
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
        disputes=len(chosen),
        calibrations=1,
        cycles=1 if cycle_convs else 0,
        assignments=len(cycle_convs),
        completed_assignments=done_n,
        coaching_sessions=len({r["session_id"] for r in sessions}),
        wow=len(wow_rows),
        seconds=time.perf_counter() - began,
    )


__all__ = ["QA_LEAD", "REVIEWERS", "QaSummary", "generate_qa"]
