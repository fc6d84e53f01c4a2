"""The demo QA team's work, stage by stage (see :func:`sanjeh.demo.generate_qa`).

How reviewers rate a conversation (a latent quality per category, leaning on the
conversation's CSAT, reopenings and AutoQA signals, then each reviewer's strictness and
noise), and the stages built on it: the reviewers' own reviews, the review cycle,
disputes, a blind calibration, coaching and the wow library.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..qa import (
    CRITICAL_BELOW,
    ActionItem,
    Assignment,
    Calibration,
    Category,
    CoachingSession,
    Cycle,
    Dispute,
    Review,
    Scorecard,
    category_score,
    review_score,
)

if TYPE_CHECKING:
    from ..store import Store

#: the demo's QA team (user ids; the QA records carry ids only, no names)
REVIEWERS = ("demo:reviewer-1", "demo:reviewer-2", "demo:reviewer-3")
QA_LEAD = "demo:qa-lead"
#: how strict each reviewer is (added to the rating latent, 0–1 scale)
_REVIEWER_BIAS = (-0.05, 0.0, 0.04)
#: share of the reviewers' own picks in which the solution was wrong (critical failure)
FAIL_SHARE = 0.05
_DISPUTE_PLAN = ("partly_accepted", "accepted", "rejected", "escalated", "open", "open")
_H = dt.timedelta(hours=1)
_D = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Conv:
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


# -- ratings -----------------------------------------------------------------------------


def agent_skill(convs: list[Conv], rng: np.random.Generator) -> dict[str, float]:
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


def _na_chance(cat: Category, conv: Conv) -> float:
    if not cat.na_allowed:
        return 0.0
    if cat.id == "follow_up":
        return 0.6 if conv.replies <= 1 else 0.25
    if cat.id == "greeting_closing":
        return 0.3 if conv.channel == "phone" else 0.08
    if cat.id == "internal_process":
        return 0.35
    return 0.15


def _fail_chance(conv: Conv, skill: float) -> float:
    """How likely the solution was plain wrong (a critical failure)."""
    low_csat = conv.csat is not None and conv.csat < 0.5
    return 0.025 + 0.08 * low_csat + 0.05 * conv.reopened + 0.3 * max(0.0, -skill)


def _latent(
    card: Scorecard,
    conv: Conv,
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
    conv: Conv,
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


def office_time(day: dt.datetime, rng: np.random.Generator) -> dt.datetime:
    """A moment in the reviewers' working day (08:30–17:00 Tehran = 05:00–13:30 UTC)."""
    midnight = dt.datetime.combine(day.date(), dt.time(), tzinfo=dt.UTC)
    return midnight + dt.timedelta(hours=5, seconds=int(rng.integers(0, 8 * 3600 + 1800)))


def _after(
    start: dt.datetime, days: float, limit: dt.datetime, rng: np.random.Generator
) -> dt.datetime:
    """About ``days`` after ``start`` in office hours, but always in (start, limit)."""
    at = office_time(start + dt.timedelta(days=days), rng)
    while at <= start:
        at += _D
    if at >= limit:
        at = start + (limit - start) * float(rng.uniform(0.2, 0.8))
    return at.replace(microsecond=0)


def spread(
    convs: Sequence[Conv], n: int, rng: np.random.Generator, per_agent: int | None = None
) -> list[Conv]:
    """Up to ``n`` conversations spread evenly over the agents (random within each)."""
    by_agent: dict[str, list[Conv]] = {}
    for i in rng.permutation(len(convs)):
        c = convs[int(i)]
        by_agent.setdefault(c.agent_id, []).append(c)
    out: list[Conv] = []
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


def _review(
    review_id: str,
    conv: Conv,
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


# -- the stages --------------------------------------------------------------------------
# Each stage draws from the run's one random generator, so their order (and the order of
# the draws within each) is what makes a seed reproduce the same rows.


@dataclasses.dataclass(frozen=True)
class Run:
    """What every stage of one :func:`sanjeh.demo.generate_qa` run shares."""

    store: Store
    seed: int
    rng: np.random.Generator
    card: Scorecard
    #: nothing is dated at or after this: the demo's last event, or ``now``
    horizon: dt.datetime
    #: each agent's quality lean (:func:`agent_skill`)
    skill: dict[str, float]

    def after(self, start: dt.datetime, days: float) -> dt.datetime:
        """About ``days`` after ``start`` in office hours, before the horizon."""
        return _after(start, days, self.horizon, self.rng)

    def grade(
        self, conv: Conv, reviewer: int, noise: float, latent: dict[str, float | None]
    ) -> _Graded:
        """The ratings reviewer number ``reviewer`` gives the ``latent`` quality."""
        return _grade(self.card, latent, conv, _REVIEWER_BIAS[reviewer], noise, self.rng)


@dataclasses.dataclass(frozen=True)
class Sample:
    """Who gets reviewed: a review cycle, a calibration and the reviewers' own picks
    (the reviewed ones with their AutoQA signals)."""

    cycle_lo: dt.datetime
    cycle_hi: dt.datetime
    #: when the QA lead created the cycle
    cycle_at: dt.datetime
    per_agent: int
    #: the cycle's conversations, one assignment each
    cycle: list[Conv]
    #: the first ones of ``cycle``, whose assignments are done
    completed: list[Conv]
    #: when the calibration session was created
    cal_at: dt.datetime
    calibration: list[Conv]
    #: the reviewers' own picks
    picked: list[Conv]


def own_reviews(run: Run, picked: list[Conv]) -> list[Review]:
    """The reviews of the reviewers' own picks, each by a random reviewer."""
    rng = run.rng
    # a steady share of critical failures, on the conversations likeliest to have one
    chance = np.array([_fail_chance(c, run.skill[c.agent_id]) for c in picked])
    n_fail = min(len(picked), max(1, round(FAIL_SHARE * len(picked)))) if picked else 0
    failing = set(rng.choice(len(picked), n_fail, replace=False, p=chance / chance.sum()).tolist())
    out = []
    for i, conv in enumerate(picked):
        k = int(rng.integers(len(REVIEWERS)))
        latent = _latent(run.card, conv, run.skill[conv.agent_id], rng, fail=i in failing)
        graded = run.grade(conv, k, 0.06, latent)
        at = run.after(conv.solved_at, float(rng.gamma(2.0, 1.2)) + 0.5)
        rid = _id("rev", run.seed, conv.ticket_id)
        out.append(_review(rid, conv, REVIEWERS[k], run.card, graded, at))
    return out


def review_cycle(run: Run, sample: Sample) -> tuple[Cycle, list[dict[str, Any]], list[Review]]:
    """The review cycle, its assignments' rows (assigned, and completed for the first
    ones) and the reviews that completed them."""
    cycle = Cycle(
        cycle_id=_id("cyc", run.seed, "cycle"),
        name=f"Weekly sample {sample.cycle_lo.date()} – {(sample.cycle_hi - _D).date()}",
        strategy="random",
        start=sample.cycle_lo,
        end=sample.cycle_hi,
        per_agent=sample.per_agent,
        seed=run.seed,
        reviewers=list(REVIEWERS),
        changed_by=QA_LEAD,
        changed_at=sample.cycle_at,
    )
    assignments: list[dict[str, Any]] = []
    reviews: list[Review] = []
    for i, conv in enumerate(sample.cycle):
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
            changed_at=sample.cycle_at,
        )
        assignments.append(a.to_row("assigned"))
        if i >= len(sample.completed):
            continue
        review = _cycle_review(run, sample.completed[i], i % len(REVIEWERS), sample.cycle_at)
        reviews.append(review)
        done = dataclasses.replace(
            a,
            revision=2,
            status="completed",
            review_id=review.review_id,
            changed_by=a.reviewer_id,
            changed_at=review.created_at,
        )
        assignments.append(done.to_row("review submitted"))
    return cycle, assignments, reviews


def _cycle_review(run: Run, conv: Conv, k: int, cycle_at: dt.datetime) -> Review:
    """The review that completes a cycle assignment, by its reviewer number ``k``."""
    latent = _latent(run.card, conv, run.skill[conv.agent_id], run.rng)
    graded = run.grade(conv, k, 0.06, latent)
    at = run.after(cycle_at, float(run.rng.uniform(0.2, 5.0)))
    rid = _id("rev", run.seed, conv.ticket_id)
    return _review(rid, conv, REVIEWERS[k], run.card, graded, at)


def cycle_row(cycle: Cycle) -> dict[str, Any]:
    """The ``qa_cycles`` row of ``cycle``."""
    return {
        **dataclasses.asdict(cycle),
        "reviewers": _json_list(cycle.reviewers),
        "row_id": f"{cycle.cycle_id}@1",
        "revision": 1,
    }


@dataclasses.dataclass(frozen=True)
class Disputes:
    """What :func:`dispute_low_scores` made."""

    #: the disputed reviews (as first submitted), in the order of ``_DISPUTE_PLAN``
    disputed: list[Review]
    #: the reviews' revisions the disputes made
    revisions: list[Review]
    #: the ``qa_disputes`` rows (every revision of every dispute)
    rows: list[dict[str, Any]]


def dispute_low_scores(run: Run, latest: dict[str, Review]) -> Disputes:
    """The reviewed agents dispute low scores, one dispute per ``_DISPUTE_PLAN`` state.
    ``latest`` (review id → latest revision) gets the disputes' revisions."""
    chosen = _dispute_targets(run, latest)
    revisions: list[Review] = []
    rows: list[dict[str, Any]] = []
    for plan, review in zip(_DISPUTE_PLAN, chosen, strict=False):
        revised, dispute_rows = _dispute(run, plan, review)
        revisions += revised
        rows += dispute_rows
        latest[review.review_id] = revised[-1]
    return Disputes(chosen, revisions, rows)


def _dispute_targets(run: Run, latest: dict[str, Review]) -> list[Review]:
    """The reviews to dispute: low scores of different agents first (a critical failure
    at most, the first: its dispute is partly accepted)."""
    old = sorted((r for r in latest.values() if r.created_at <= run.horizon - 8 * _D), key=_by_id)
    failed = [r for r in old if r.failed_critical][:1]
    below = [r for r in old if not r.failed_critical and (r.score or 0.0) < run.card.pass_threshold]
    rest = [r for r in old if not r.failed_critical and r not in below]
    low = failed + [below[int(i)] for i in run.rng.permutation(len(below))] + rest
    agents_done: set[str | None] = set()
    chosen: list[Review] = []
    for r in low:  # different agents first
        if len(chosen) < len(_DISPUTE_PLAN) and r.agent_id not in agents_done:
            chosen.append(r)
            agents_done.add(r.agent_id)
    chosen += [r for r in low if r not in chosen][: len(_DISPUTE_PLAN) - len(chosen)]
    return chosen


def _dispute(run: Run, plan: str, review: Review) -> tuple[list[Review], list[dict[str, Any]]]:
    """One dispute taken as far as ``plan``: the review's revisions and the dispute's rows."""
    agent = review.agent_id or ""
    t_open = run.after(review.created_at, float(run.rng.uniform(0.5, 2.0)))
    rev = _revise(run.card, review, agent, t_open, status="disputed", note="dispute opened")
    d = Dispute(
        dispute_id=_id("dsp", run.seed, review.review_id),
        revision=1,
        review_id=review.review_id,
        agent_id=agent,
        status="open",
        escalated=False,
        comment=_DISPUTE_COMMENTS[int(run.rng.integers(len(_DISPUTE_COMMENTS)))],
        review_revision=rev.revision,
        changed_by=agent,
        changed_at=t_open + dt.timedelta(seconds=1),
        note="opened",
    )
    revisions, rows = [rev], [d.to_row()]
    if plan != "open":
        rev, d = _resolve_dispute(run, "rejected" if plan == "escalated" else plan, rev, d)
        revisions.append(rev)
        rows.append(d.to_row())
    if plan == "escalated":
        rev, d = _escalate_dispute(run, agent, rev, d)
        revisions.append(rev)
        rows.append(d.to_row())
    return revisions, rows


def _resolve_dispute(run: Run, outcome: str, rev: Review, d: Dispute) -> tuple[Review, Dispute]:
    """The reviewer decides: ratings corrected (fully or partly) or not."""
    t_res = run.after(rev.changed_at, float(run.rng.uniform(0.5, 2.0)))
    ratings = dict(rev.ratings)
    if outcome != "rejected":
        ratings.update(_corrected(run.card, rev.ratings, full=outcome == "accepted"))
    note = "dispute " + outcome.replace("_", " ")
    rev = _revise(
        run.card, rev, rev.reviewer_id, t_res, status="resolved", ratings=ratings, note=note
    )
    d = dataclasses.replace(
        d,
        revision=2,
        status=outcome,
        comment=_RESOLUTIONS[outcome],
        review_revision=rev.revision,
        changed_by=rev.reviewer_id,
        changed_at=t_res + dt.timedelta(seconds=1),
        note=outcome,
    )
    return rev, d


def _escalate_dispute(run: Run, agent: str, rev: Review, d: Dispute) -> tuple[Review, Dispute]:
    """The agent does not accept the rejection and asks the QA lead to decide."""
    t_esc = run.after(rev.changed_at, float(run.rng.uniform(0.3, 1.5)))
    rev = _revise(run.card, rev, agent, t_esc, status="disputed", note="dispute escalated")
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
    return rev, d


def calibration_session(run: Run, sample: Sample) -> tuple[dict[str, Any], list[Review]]:
    """Three reviewers grade the same five conversations, blind: the session's row and
    their reviews."""
    cal = Calibration(
        calibration_id=_id("cal", run.seed, "calibration"),
        name=f"Calibration {sample.cal_at.date()}",
        ticket_ids=[c.ticket_id for c in sample.calibration],
        reviewers=list(REVIEWERS),
        blind=True,
        benchmark_reviewer=None,
        scorecard_id=run.card.id,
        scorecard_version=run.card.version,
        changed_by=QA_LEAD,
        changed_at=sample.cal_at,
    )
    row = {
        **dataclasses.asdict(cal),
        "row_id": f"{cal.calibration_id}@1",
        "revision": 1,
        "ticket_ids": _json_list(cal.ticket_ids),
        "reviewers": _json_list(cal.reviewers),
        "note": "created",
    }
    reviews = []
    for conv in sample.calibration:
        latent = _latent(run.card, conv, run.skill[conv.agent_id], run.rng)
        for k, reviewer in enumerate(REVIEWERS):
            graded = run.grade(conv, k, 0.08, latent)
            at = run.after(sample.cal_at, float(run.rng.uniform(0.1, 3.0)))
            rid = _id("rev", run.seed, cal.calibration_id, conv.ticket_id, reviewer)
            reviews.append(_review(rid, conv, reviewer, run.card, graded, at, cal.calibration_id))
    return row, reviews


def coaching_sessions(run: Run, latest: dict[str, Review]) -> list[dict[str, Any]]:
    """Coaching sessions' rows for the two agents with the lowest IQS."""
    scores: dict[str, list[float]] = {}
    for r in latest.values():
        if r.agent_id is not None and r.score is not None:
            scores.setdefault(r.agent_id, []).append(r.score)
    ranked = sorted((sum(v) / len(v), agent) for agent, v in scores.items() if len(v) >= 2)
    sessions: list[dict[str, Any]] = []
    for n, (_, agent) in enumerate(ranked[:2]):
        sessions += _coaching_session(run, n, agent, latest)
    return sessions


def _coaching_session(
    run: Run, n: int, agent: str, latest: dict[str, Review]
) -> list[dict[str, Any]]:
    """The ``n``-th agent's session (none if it would fall after the horizon); the first
    agent has since ticked off an action item."""
    # held about three weeks before the end, on the reviews written before it
    held = office_time(run.horizon - (20 - 2 * n) * _D, run.rng)
    mine = [r for r in latest.values() if r.agent_id == agent]
    before = [r for r in mine if r.created_at < held - _H] or mine
    theirs = sorted(before, key=lambda r: (r.score or 0.0, r.review_id))[:3]
    held = max(held, max(r.created_at for r in theirs) + _H)
    if held >= run.horizon:
        return []
    coach = Counter(r.reviewer_id for r in mine).most_common(1)[0][0]
    items = [_ACTIONS[(2 * n + j) % len(_ACTIONS)] for j in range(3 - n)]
    session = CoachingSession(
        session_id=_id("coa", run.seed, agent),
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
    rows = [session.to_row("created")]
    if n == 0:
        done_at = run.after(held, 2.0)
        actions = list(session.action_items)
        actions[0] = dataclasses.replace(actions[0], done=True, done_by=agent, done_at=done_at)
        ticked = dataclasses.replace(
            session, revision=2, action_items=actions, changed_by=agent, changed_at=done_at
        )
        rows.append(ticked.to_row("action item 0 done"))
    return rows


def wow_library(run: Run, latest: dict[str, Review], disputed: set[str]) -> list[dict[str, Any]]:
    """The wow library: the ten best undisputed reviews scoring 90 or more."""
    best = sorted(
        (r for r in latest.values() if r.score is not None and r.review_id not in disputed),
        key=lambda r: (-(r.score or 0.0), r.review_id),
    )
    rows = []
    for r in [r for r in best if (r.score or 0) >= 90][:10]:
        at = run.after(r.created_at, float(run.rng.uniform(0.01, 0.15)))
        rows.append(
            {
                "row_id": f"{r.ticket_id}@1",
                "wow_id": r.ticket_id,
                "revision": 1,
                "ticket_id": r.ticket_id,
                "agent_id": r.agent_id,
                "note": _WOW_NOTES[int(run.rng.integers(len(_WOW_NOTES)))],
                "changed_by": r.reviewer_id,
                "changed_at": at,
            }
        )
    return rows
