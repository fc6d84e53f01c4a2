"""/qa/calibration/{calibration_id}: alignment per criterion and reviewer,
Krippendorff's alpha, strictness (blind sessions: once one's own reviews are in)."""

from __future__ import annotations

from ...errors import PermissionDenied
from ...qa import Calibration, CalibrationReport, Scorecard
from ._context import Ctx, Model
from ._forms import RecordId
from ._rows import page, review_row


def build(ctx: Ctx, calibration_id: RecordId) -> Model:
    actor, ws = ctx.actor, ctx.ws
    cal = ws.calibration(actor, calibration_id)
    card = ws.scorecard(cal.scorecard_id, cal.scorecard_version)
    try:
        report = ws.calibration_report(actor, calibration_id)
    except PermissionDenied:
        report = None  # blind: after submitting one's own reviews
    m = page(
        ctx,
        "calibration_report",
        calibration={
            "calibration_id": cal.calibration_id,
            "name": cal.name,
            "blind": cal.blind,
            "benchmark": report.benchmark if report else None,
            "benchmark_name": (
                ctx.user_name(cal.benchmark_reviewer)
                if cal.benchmark_reviewer
                else ctx.t("qa.calibration.group_mean")
            ),
            "scorecard_id": cal.scorecard_id,
            "scorecard_version": cal.scorecard_version,
        },
        conversations=_conversations(ctx, cal),
        ready=report is not None,
    )
    if report is not None:
        m.update(_results(ctx, card, report))
    m["title"] = ctx.t("qa.page.calibration_report") + " · " + cal.name
    return m


def _conversations(ctx: Ctx, cal: Calibration) -> list[Model]:
    """Each conversation with the user's review of it, or a link to write one."""
    actor = ctx.actor
    participant = actor.user_id in cal.participants
    mine = {
        r.ticket_id: r.review_id
        for r in ctx.ws.reviews(actor, reviewer_id=actor.user_id, calibration_id=cal.calibration_id)
    }
    return [
        {
            "ticket_id": t,
            "review_href": f"/qa/review/{t}?calibration={cal.calibration_id}"
            if participant and t not in mine
            else None,
            "my_review": f"/qa/reviews/{mine[t]}" if t in mine else None,
        }
        for t in cal.ticket_ids
    ]


def _results(ctx: Ctx, card: Scorecard, report: CalibrationReport) -> Model:
    names = {c.id: ctx.cat_name(card, c.id, c.name) for c in card.categories}
    return {
        "alpha": report.alpha,
        "alpha_display": (
            "—" if report.alpha is None else ctx.locale.number(f"{report.alpha:.3f}")
        ),
        "categories": [
            {
                "category_id": k,
                "name": names.get(k, k),
                "alignment": v,
                "alignment_display": ctx.pct(v),
            }
            for k, v in report.category_alignment.items()
        ],
        "reviewers": [
            {
                "reviewer_id": r,
                "reviewer": ctx.user_name(r),
                "alignment": report.reviewer_alignment.get(r),
                "alignment_display": ctx.pct(report.reviewer_alignment.get(r)),
                "bias": report.bias.get(r),
                "bias_display": (
                    "—"
                    if report.bias.get(r) is None
                    else ctx.locale.number(f"{report.bias[r]:+.1f}")
                ),
                "tendency": _tendency(ctx, report.bias.get(r)),
            }
            for r in sorted(set(report.reviewer_alignment) | set(report.bias))
        ],
        "missing": {ctx.user_name(p): tickets for p, tickets in report.missing.items() if tickets},
        "reviews": [review_row(ctx, r) for r in report.reviews],
    }


def _tendency(ctx: Ctx, bias: float | None) -> str:
    if bias is None:
        return "—"
    if bias <= -5:
        return ctx.t("qa.calibration.stricter")
    if bias >= 5:
        return ctx.t("qa.calibration.lenient")
    return ctx.t("qa.calibration.aligned")


def answer(ctx: Ctx, calibration_id: str) -> Model:
    """A new session's JSON answer: its report."""
    return build(ctx, calibration_id)
