"""QA review KPIs: internal quality score (IQS), pass rate, critical failures.

They read ``facts_reviews``: the latest revision of each submitted review (drafts and
calibration reviews left out), placed in a period by when the review was written and
broken down by the reviewed agent and the conversation's team, channel, tags …
The scores themselves are computed by ``sanjeh.qa`` when a review is saved.
"""

from __future__ import annotations

from .._registry import KPI, register, titles

NEEDS = ("qa_reviews", "tickets")
CONVENTION = (
    "Zendesk QA (Klaus): category score = (rating − scale min) / (scale max − scale min) × "
    "100; review score = weighted mean of rated categories (N/A left out), 0 when a critical "
    "category fails; IQS = mean review score. See docs/qa.md."
)

register(
    KPI(
        name="iqs",
        titles=titles("Internal quality score (IQS)", "امتیاز کیفیت داخلی", "مؤشر الجودة الداخلية"),
        unit="score",
        kind="number",
        source="reviews",
        time="reviewed_at",
        stat="mean",
        higher_is_better=True,
        definition="The mean score (0–100) of the QA reviews written in the period: each "
        "review scores the conversation against its scorecard; a failed critical category "
        "makes the review 0. Calibration reviews and drafts are not counted.",
        formula="mean(review score)",
        value=lambda ctx, r: r.score,
        convention=CONVENTION,
        needs=NEEDS,
    ),
    KPI(
        name="qa_pass_rate",
        titles=titles("QA pass rate", "نرخ قبولی ارزیابی کیفیت", "نسبة النجاح في تقييم الجودة"),
        unit="ratio",
        kind="rate",
        source="reviews",
        time="reviewed_at",
        higher_is_better=True,
        definition="Share of the period's scored QA reviews at or above their scorecard's "
        "pass mark (80 unless the scorecard sets another).",
        formula="reviews with score ≥ pass mark / reviews with a score",
        value=lambda ctx, r: r.passed,
        convention=CONVENTION,
        needs=NEEDS,
    ),
    KPI(
        name="qa_critical_fail_rate",
        titles=titles("Critical failure rate", "نرخ خطای بحرانی", "معدل الأخطاء الحرجة"),
        unit="ratio",
        kind="rate",
        source="reviews",
        time="reviewed_at",
        higher_is_better=False,
        definition="Share of the period's QA reviews in which a critical category failed "
        "(scored under 50 %), which makes the review score 0.",
        formula="reviews with a failed critical category / reviews",
        value=lambda ctx, r: r.failed_critical,
        convention=CONVENTION,
        needs=NEEDS,
    ),
    KPI(
        name="qa_reviews",
        titles=titles("QA reviews", "ارزیابی‌های کیفیت", "مراجعات الجودة"),
        unit="count",
        kind="count",
        source="reviews",
        time="reviewed_at",
        higher_is_better=None,
        definition="QA reviews written in the period (latest version of each; no drafts, no "
        "calibration reviews).",
        formula="count(reviews)",
        convention=CONVENTION,
        needs=NEEDS,
    ),
)
