"""/qa/calibration: calibration sessions (reviewers: theirs; staff: all); creating one
(the form here, or JSON)."""

from __future__ import annotations

from ._context import Ctx, Model
from ._forms import CalibrationIn, Fields, field, optional, parse, values
from ._rows import card_model, page


def build(ctx: Ctx) -> Model:
    actor, ws = ctx.actor, ctx.ws
    found = ws.calibrations(actor)
    return page(
        ctx,
        "calibration",
        calibrations=[
            {
                "calibration_id": c.calibration_id,
                "name": c.name,
                "ticket_ids": c.ticket_ids,
                "reviewers": [ctx.user_name(r) for r in c.reviewers],
                "blind": c.blind,
                "benchmark": ctx.user_name(c.benchmark_reviewer) if c.benchmark_reviewer else None,
                "scorecard_id": c.scorecard_id,
                "scorecard_version": c.scorecard_version,
                "changed_display": ctx.when(c.changed_at),
                "href": f"/qa/calibration/{c.calibration_id}",
            }
            for c in found
        ],
        reviewers=[{"id": i, "name": n} for i, n in ctx.reviewers()],
        scorecards=[{"id": c.id, "name": card_model(ctx, c)["name"]} for c in ws.scorecards()],
    )


# -- creating one -------------------------------------------------------------------------------


def create(ctx: Ctx, body: CalibrationIn) -> str:
    """The new session's id (the JSON answer is its report, the form goes there)."""
    ctx.known_reviewers("reviewers", body.reviewers)
    if body.benchmark_reviewer is not None:
        ctx.known_reviewers("benchmark_reviewer", [body.benchmark_reviewer])
    cal = ctx.ws.create_calibration(
        ctx.actor,
        body.name,
        body.ticket_ids,
        body.reviewers,
        blind=body.blind,
        benchmark_reviewer=body.benchmark_reviewer,
        scorecard_id=body.scorecard_id,
    )
    return cal.calibration_id


def read(fields: Fields) -> CalibrationIn:
    return parse(
        CalibrationIn,
        {
            "name": field(fields, "name"),
            "ticket_ids": field(fields, "ticket_ids").replace(",", " ").split(),
            "reviewers": values(fields, "reviewers"),
            "blind": field(fields, "blind") == "1",
            "benchmark_reviewer": optional(field(fields, "benchmark_reviewer")),
            "scorecard_id": optional(field(fields, "scorecard_id")),
        },
    )
