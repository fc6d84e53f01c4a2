"""/api/qa/scores (no page): IQS, pass rate and review count by agent, reviewer,
scorecard or overall."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from ...accounts import check
from ._context import Ctx, Model, iso
from ._forms import Opt, blank, day
from ._rows import score_row

By = Annotated[str | None, Query(pattern="^(agent|reviewer|scorecard|all)$")]


def build(
    ctx: Ctx, agent: Opt = None, by: By = "agent", start: Opt = None, end: Opt = None
) -> Model:
    first, last = day("start", start), day("end", end)
    who = blank(agent)
    group = None if by == "all" else by
    until = last + dt.timedelta(days=1) if last else None
    if who is not None:
        check(ctx.actor, "view_agent", agent_id=who)
    rows = ctx.ws.scores(ctx.actor, by=group, start=first, end=until)  # type: ignore[arg-type]
    if who is not None and group == "agent":
        rows = [r for r in rows if r.key == who]
    out = []
    for r in rows:
        row = score_row(ctx, r)
        row["key"] = r.key
        out.append(row)
    return {"by": group, "start": iso(first), "end": iso(until), "agent": who, "rows": out}
