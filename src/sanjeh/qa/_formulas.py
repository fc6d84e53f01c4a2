"""The QA formulas: category and review scores, IQS, pass rate, alignment, bias.

Conventions (see docs/qa.md): a category score is the rating's position on its scale
in percent; a review score is the weight-weighted mean of the rated categories' scores
(N/A, weight-0 and bonus categories left out; the categories of a section failed by a
fail-section category under 50 % count 0), plus the bonus points (a bonus category's
weight × its score / 100), at most 100; 0 when a critical category scores under 50 %.
IQS is the mean review score (Klaus / Zendesk QA "Internal Quality Score").

The sums are added left to right in the scorecard's order, as the browser's preview
(``web/static/qa-score.js``) adds them, so both give the same number to the last bit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

from ..errors import WorkflowError
from ._scorecard import Category, Scale, Scorecard

K = TypeVar("K", bound=Hashable)

#: a critical category scoring under this percentage fails the whole review (a
#: fail-section one its section)
CRITICAL_BELOW = 50.0
#: a review score (bonus points included) is at most this
MAX_SCORE = 100.0


def category_score(rating: float, scale: Scale) -> float:
    """(rating − scale.min) / (scale.max − scale.min) × 100."""
    return (rating - scale.min) / (scale.max - scale.min) * 100.0


@dataclasses.dataclass(frozen=True)
class ReviewScore:
    """A review's score 0–100 (None: nothing counted), per category (its own score,
    also in a failed section) and per section (0 when failed; bonus categories are not
    in it). ``failed_sections``: ids of the sections a fail-section category zeroed;
    ``bonus``: the bonus points earned (before the cap at 100)."""

    score: float | None
    failed_critical: bool
    categories: dict[str, float | None]
    sections: dict[str, float | None]
    failed_sections: tuple[str, ...] = ()
    bonus: float = 0.0


def _weighted(pairs: Iterable[tuple[float, int]]) -> float | None:
    pairs = [(s, w) for s, w in pairs if w > 0]
    total = 0
    for _, w in pairs:
        total += w
    if total == 0:
        return None
    points = 0.0
    for s, w in pairs:
        points += s * w
    return points / total


def check_rating(category: Category, rating: object, *, required: bool = True) -> None:
    """Raise WorkflowError unless ``rating`` is allowed for ``category``."""
    if rating is None:
        if required and not category.na_allowed:
            raise WorkflowError(
                f"category {category.id!r} ({category.name}) must be rated: N/A is not "
                f"allowed there; give a rating {category.scale.min}–{category.scale.max}"
            )
        return
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise WorkflowError(
            f"category {category.id!r}: rating {rating!r} is not a whole number "
            f"{category.scale.min}–{category.scale.max}"
        )
    if not category.scale.min <= rating <= category.scale.max:
        raise WorkflowError(
            f"category {category.id!r}: rating {rating} is outside its scale "
            f"{category.scale.min}–{category.scale.max}"
        )


def review_score(
    scorecard: Scorecard,
    ratings: Mapping[str, int | None],
    *,
    complete: bool = True,
) -> ReviewScore:
    """Score ``ratings`` (category id → rating, None = N/A) with ``scorecard``.

    A category missing from ``ratings`` counts as N/A. Raises WorkflowError for an unknown
    category, a rating outside the scale, or N/A where the category does not allow it
    (``complete=False``, for drafts, accepts unrated categories anywhere).
    """
    known = {c.id for c in scorecard.categories}
    unknown = sorted(set(ratings) - known)
    if unknown:
        raise WorkflowError(
            f"scorecard {scorecard.id!r} v{scorecard.version} has no category {unknown[0]!r}; "
            f"its categories are: {', '.join(sorted(known))}"
        )
    categories: dict[str, float | None] = {}
    failed = False
    failed_sections: list[str] = []
    for sec in scorecard.sections:
        for cat in sec.categories:
            rating = ratings.get(cat.id)
            check_rating(cat, rating, required=complete)
            value = None if rating is None else category_score(rating, cat.scale)
            categories[cat.id] = value
            if value is None or value >= CRITICAL_BELOW:
                continue
            if cat.critical:
                failed = True
            elif cat.fail_section and sec.id not in failed_sections:
                failed_sections.append(sec.id)
    # what each category counts for: its score, 0 in a failed section, None if N/A
    counted: dict[str, float | None] = {}
    for sec in scorecard.sections:
        for c in sec.categories:
            v = categories[c.id]
            counted[c.id] = 0.0 if v is not None and sec.id in failed_sections else v
    sections: dict[str, float | None] = {}
    for sec in scorecard.sections:
        sections[sec.id] = (
            0.0
            if sec.id in failed_sections
            else _weighted(
                (v, c.weight)
                for c in sec.categories
                if not c.bonus and (v := counted[c.id]) is not None
            )
        )
    score = _weighted(
        (v, c.weight)
        for c in scorecard.categories
        if not c.bonus and (v := counted[c.id]) is not None
    )
    bonus = 0.0
    for c in scorecard.categories:
        if c.bonus and (v := counted[c.id]) is not None:
            bonus += c.weight * v / 100.0
    if score is not None and bonus:
        score = min(MAX_SCORE, score + bonus)
    if failed:
        score = 0.0
    return ReviewScore(score, failed, categories, sections, tuple(failed_sections), bonus)


def iqs(review_scores: Iterable[float | None]) -> float | None:
    """Internal Quality Score: the mean review score (None entries skipped)."""
    values = [s for s in review_scores if s is not None]
    return sum(values) / len(values) if values else None


def pass_rate(review_scores: Iterable[float | None], threshold: float = 80.0) -> float | None:
    """Share (0–1) of scored reviews with score ≥ ``threshold``; None without any."""
    values = [s for s in review_scores if s is not None]
    return sum(s >= threshold for s in values) / len(values) if values else None


def alignment(
    ratings: Mapping[str, float | None],
    benchmark: Mapping[str, float | None],
    scorecard: Scorecard,
) -> float | None:
    """How closely ``ratings`` match ``benchmark`` (both category id → rating), 0–100 %.

    Per category: 1 − |rating − benchmark| / (scale max − scale min) (the spec's
    "/ max" for scales starting at 0); overall: weighted by each category's weight
    share among the categories rated in both (weight 0 ones left out). None when no
    category is rated in both. Ratings may be fractional (a group mean benchmark).
    """
    pairs = []
    for cat in scorecard.categories:
        r, b = ratings.get(cat.id), benchmark.get(cat.id)
        if r is None or b is None:
            continue
        pairs.append((category_alignment(r, b, cat.scale), cat.weight))
    value = _weighted(pairs)
    return None if value is None else value * 100.0


def category_alignment(rating: float, benchmark: float, scale: Scale) -> float:
    """1 − |rating − benchmark| / (scale max − scale min), in 0–1."""
    return 1.0 - abs(rating - benchmark) / (scale.max - scale.min)


def reviewer_bias(
    scores: Mapping[str, Mapping[K, float]],
    benchmark: Mapping[K, float] | None = None,
) -> dict[str, float | None]:
    """Each reviewer's mean difference from the benchmark on the same items.

    ``scores``: reviewer → item → score (e.g. item = (ticket, category), score in %).
    Without ``benchmark`` a reviewer is compared with the mean of the *other* reviewers
    on each item. Negative = stricter, positive = more lenient; None when the reviewer
    shares no item with the benchmark / the others.
    """
    out: dict[str, float | None] = {}
    for reviewer, mine in scores.items():
        diffs = []
        for item, value in mine.items():
            if benchmark is not None:
                ref = benchmark.get(item)
            else:
                others = [s[item] for r, s in scores.items() if r != reviewer and item in s]
                ref = sum(others) / len(others) if others else None
            if ref is not None:
                diffs.append(value - ref)
        out[reviewer] = sum(diffs) / len(diffs) if diffs else None
    return out
