"""/qa/recognition (#22): the team recognition board — wow moments and top-quartile
category scores as kudos, per agent. Open to the roles opted in with ``[qa]
recognition_board`` (default: admins, managers, reviewers); an agent who is not opted
in sees only their own kudos here."""

from __future__ import annotations

import datetime as dt

from ...errors import PermissionDenied
from ...qa import BoardRow, Kudos
from .._errors import InvalidParameter
from ._context import Ctx, Model, iso
from ._forms import DayParam
from ._rows import page
from ._teaching import mean


def build(ctx: Ctx, start: DayParam = None, end: DayParam = None) -> Model:
    actor, ws = ctx.actor, ctx.ws
    if start and end and end < start:
        raise InvalidParameter("end", f"{end} is before the start {start}")
    until = end + dt.timedelta(days=1) if end else None
    if ws.may_see_board(actor):
        rows = ws.recognition_board(actor, start=start, end=until)
        own_only = False
    elif actor.role == "agent" and actor.agent_id is not None:
        found = ws.kudos(actor, actor.agent_id, start=start, end=until)
        rows = [BoardRow(actor.agent_id, tuple(found))] if found else []
        own_only = True
    else:
        ws.recognition_board(actor)  # the PermissionDenied saying who may
        raise PermissionDenied("the recognition board is not open to your role")
    return page(
        ctx,
        "recognition",
        filters={"start": iso(start), "end": iso(end)},
        own_only=own_only,
        roles=list(ws.recognition_roles),
        rows=[board_row(ctx, r) for r in rows],
    )


def board_row(ctx: Ctx, r: BoardRow) -> Model:
    return {
        "agent_id": r.agent_id,
        "agent": ctx.agent_name(r.agent_id),
        "wow": r.wow,
        "wow_display": ctx.count(r.wow),
        "top_quartile": r.top_quartile,
        "top_quartile_display": ctx.count(r.top_quartile),
        "kudos": [kudos(ctx, k) for k in r.kudos],
    }


def kudos(ctx: Ctx, k: Kudos) -> Model:
    if k.kind == "wow":
        text = ctx.t("qa.kudos.wow", ticket=k.ticket_id or "")
    else:
        text = ctx.t(
            "qa.kudos.top_quartile",
            category=ctx.text(f"qa.cat.{k.category_id}", k.category),
            rank=ctx.count(k.rank or 0),
            of=ctx.count(k.of or 0),
        )
    return {
        "kind": k.kind,
        "text": text,
        "ticket_id": k.ticket_id,
        "note": k.note,
        "by": ctx.user_name(k.by) if k.by else None,
        "at": iso(k.at),
        "at_display": ctx.when(k.at) if k.at else "",
        "category_id": k.category_id,
        "score": mean(ctx, k.score) if k.score else None,
        "rank": k.rank,
        "of": k.of,
    }
