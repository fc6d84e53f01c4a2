"""/api/qa/scores (no page): IQS, pass rate and review count by agent, reviewer,
scorecard or overall."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from ...accounts import check
from .._errors import InvalidParameter
from ._context import Ctx, Model, iso
from ._forms import DayParam, Opt, blank
from ._rows import score_row

By = Annotated[str | None, Query(pattern="^(agent|reviewer|scorecard|all)$")]


def build(
    ctx: Ctx, agent: Opt = None, by: By = "agent", start: DayParam = None, end: DayParam = None
) -> Model:
    first, last = start, end
    if first and last and last < first:
        raise InvalidParameter("end", f"{last} is before the start {first}")
    who = ctx.known_agent("agent", blank(agent))
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
