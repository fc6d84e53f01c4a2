"""/qa/agenda: the proposed agenda of an agent's next coaching session (the categories
furthest below the team, with the conversations that show it), and holding the session
from it (the focus categories and cited reviews filled in; forms and JSON)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ...qa import Agenda, AgendaItem, Example, limits
from .._errors import InvalidParameter
from ._context import Ctx, Model, iso
from ._forms import CoachingIn, DayParam, Fields, Opt, TrimmedKey, blank, parse, values
from ._rows import page
from ._teaching import difference, mean
from .coaching import read as read_coaching
from .coaching import session


class AgendaSessionIn(CoachingIn):
    """A coaching session from the agenda: its categories (``focus``) besides."""

    focus: list[TrimmedKey] = Field(default_factory=list, max_length=limits.MAX_CATEGORIES)


def build(ctx: Ctx, agent: Opt = None, start: DayParam = None, end: DayParam = None) -> Model:
    actor = ctx.actor
    agent = ctx.known_agent("agent", blank(agent))
    if actor.role == "agent":
        agent = agent or actor.agent_id
    if start and end and end < start:
        raise InvalidParameter("end", f"{end} is before the start {start}")
    agenda = None
    if agent is not None:
        agenda = ctx.ws.agenda(
            actor, agent, start=start, end=end + dt.timedelta(days=1) if end else None
        )
    return page(
        ctx,
        "agenda",
        agent=agent,
        agent_name=ctx.agent_name(agent) if agent else None,
        filters={"agent": agent, "start": iso(start), "end": iso(end)},
        agents=[{"id": i, "name": n} for i, n in ctx.agents()] if actor.role != "agent" else [],
        agenda=_agenda(ctx, agenda) if agenda else None,
        may_create=ctx.may_review and agent is not None and actor.agent_id != agent,
    )


def _agenda(ctx: Ctx, a: Agenda) -> Model:
    last = a.end - dt.timedelta(microseconds=1)
    return {
        "start": iso(a.start),
        "end": iso(a.end),
        "period_display": f"{ctx.day(a.start)} – {ctx.day(last)}",
        "min_reviews": a.min_reviews,
        "items": [item(ctx, i) for i in a.items],
        "compared": [item(ctx, i) for i in a.compared],
        "left_out": [
            {
                "category_id": x.category_id,
                "name": ctx.text(f"qa.cat.{x.category_id}", x.name),
                "agent_n": x.agent_n,
                "team_n": x.team_n,
                "reason": ctx.t(
                    "qa.agenda.too_few",
                    agent=ctx.count(x.agent_n),
                    team=ctx.count(x.team_n),
                    n=ctx.count(a.min_reviews),
                ),
            }
            for x in a.left_out
        ],
        "focus": a.focus,
        "review_ids": a.review_ids,
        "note": "\n".join(
            ctx.t("qa.agenda.note_line", category=ctx.text(f"qa.cat.{i.category_id}", i.name))
            for i in a.items
        ),
    }


def item(ctx: Ctx, i: AgendaItem) -> Model:
    return {
        "category_id": i.category_id,
        "name": ctx.text(f"qa.cat.{i.category_id}", i.name),
        "agent": mean(ctx, i.agent),
        "team": mean(ctx, i.team),
        "gap": difference(ctx, i.gap),
        "low": [example(ctx, e) for e in i.low],
        "good": [example(ctx, e) for e in i.good],
    }


def example(ctx: Ctx, e: Example) -> Model:
    may_open = e.review_id is not None and (
        ctx.actor.role != "agent" or e.agent_id == ctx.actor.agent_id
    )
    return {
        "kind": e.kind,
        "kind_label": ctx.t(f"qa.agenda.{e.kind}"),
        "ticket_id": e.ticket_id,
        "agent_id": e.agent_id,
        "agent": ctx.agent_name(e.agent_id),
        "score": e.score,
        "score_display": ctx.pct(e.score),
        "review_id": e.review_id,
        "note": e.note,
        "href": f"/qa/reviews/{e.review_id}" if may_open else None,
    }


# -- holding the session ----------------------------------------------------------------------


def create(ctx: Ctx, body: AgendaSessionIn) -> Model:
    ctx.known_agent("agent_id", body.agent_id)
    s = ctx.ws.create_coaching(
        ctx.actor,
        body.agent_id,
        body.coach_note,
        body.review_ids,
        [(a.text, a.due) for a in body.action_items],
        held_on=body.held_on,
        focus=body.focus,
    )
    return session(ctx, s, effect=False)


def read(fields: Fields) -> AgendaSessionIn:
    base = read_coaching(fields).model_dump()
    return parse(AgendaSessionIn, {**base, "focus": values(fields, "focus")})


def to_sessions(s: Model, fields: Fields) -> str:
    return f"/qa/coaching?agent={s['agent_id']}"
