"""/qa/coaching: coaching sessions with their action items, and IQS and KPIs before /
after each; holding a session and ticking off an action item (forms and JSON)."""

from __future__ import annotations

import dataclasses

from ...qa import CoachingEffect, CoachingSession, coaching_effect, limits, session_trend
from ._context import Ctx, Model, iso
from ._forms import (
    ActionIndex,
    CoachingIn,
    Fields,
    Opt,
    RecordId,
    blank,
    field,
    optional,
    parse,
    values_all,
)
from ._rows import LIMIT, page
from ._teaching import trend_model

#: the unit each KPI of the coaching effect is shown in
EFFECT_UNITS = {
    "csat": "score",
    "first_reply_time": "seconds",
    "resolution_time": "seconds",
    "fcr_rate": "ratio",
    "reopen_rate": "ratio",
}
#: the before / after effect is computed for the newest sessions only
WITH_EFFECT = 20


def build(ctx: Ctx, agent: Opt = None) -> Model:
    agent = ctx.known_agent("agent", blank(agent))
    actor, ws = ctx.actor, ctx.ws
    sessions = ws.coaching(actor, agent_id=agent)
    return page(
        ctx,
        "coaching",
        agent=agent,
        sessions=[session(ctx, s, i < WITH_EFFECT) for i, s in enumerate(sessions[:LIMIT])],
        agents=[{"id": i, "name": n} for i, n in ctx.agents()] if actor.role != "agent" else [],
        may_create=ctx.may_review,
    )


def session(ctx: Ctx, s: CoachingSession, effect: bool) -> Model:
    """One session; with ``effect``, IQS and KPIs before and after it."""
    actor = ctx.actor
    may_complete = (
        (actor.role == "agent" and actor.agent_id == s.agent_id)
        or actor.user_id == s.coach_id
        or actor.is_staff
    )
    out: Model = {
        "session_id": s.session_id,
        "agent_id": s.agent_id,
        "agent": ctx.agent_name(s.agent_id),
        "coach": ctx.user_name(s.coach_id),
        "held_on": iso(s.held_on),
        "held_display": ctx.day(s.held_on),
        "coach_note": s.coach_note,
        "review_ids": s.review_ids,
        "may_complete": may_complete,
        "action_items": [
            {
                "index": i,
                "text": a.text,
                "due": iso(a.due),
                "due_display": ctx.day(a.due) if a.due else "—",
                "done": a.done,
                "done_by": ctx.user_name(a.done_by) if a.done_by else None,
                "done_display": ctx.when(a.done_at) if a.done_at else "",
            }
            for i, a in enumerate(s.action_items)
        ],
    }
    out["focus"] = [{"id": c, "name": ctx.text(f"qa.cat.{c}", c)} for c in s.focus]
    if effect and limits.in_range(s.held_on):  # (a date stored before dates were checked)
        trend = session_trend(ctx.store, s, now=ctx.ws.now())  # #22: focus categories
        out["trend"] = trend_model(ctx, trend)
        out["effect"] = _effect(ctx, s, trend.effect, closed=trend.closed)
    return out


def _effect(
    ctx: Ctx, s: CoachingSession, known: CoachingEffect | None = None, *, closed: bool = True
) -> Model:
    """Before vs after; while the after-window is open its figures are withheld (None):
    a window that has not closed shows no number."""
    e = known or coaching_effect(ctx.store, s)
    if not closed:
        empty = dict.fromkeys(e.after.kpis)
        e = dataclasses.replace(
            e, after=dataclasses.replace(e.after, iqs=None, reviews=0, kpis=empty)
        )
    rows = [
        {
            "kpi": "iqs",
            "label": ctx.t("qa.iqs"),
            "before": e.before.iqs,
            "after": e.after.iqs,
            "before_display": ctx.pct(e.before.iqs),
            "after_display": ctx.pct(e.after.iqs),
        }
    ]
    for name, before in e.before.kpis.items():
        after = e.after.kpis.get(name)
        unit = EFFECT_UNITS.get(name, "number")
        rows.append(
            {
                "kpi": name,
                "label": ctx.t(f"qa.kpi.{name}"),
                "before": before,
                "after": after,
                "before_display": ctx.locale.value(unit, before),
                "after_display": ctx.locale.value(unit, after),
            }
        )
    return {
        "days": e.days,
        "closed": closed,
        "reviews_before": e.before.reviews,
        "reviews_after": e.after.reviews if closed else None,
        "rows": rows,
    }


# -- actions ------------------------------------------------------------------------------------


def create(ctx: Ctx, body: CoachingIn) -> Model:
    ctx.known_agent("agent_id", body.agent_id)
    s = ctx.ws.create_coaching(
        ctx.actor,
        body.agent_id,
        body.coach_note,
        body.review_ids,
        [(a.text, a.due) for a in body.action_items],
        held_on=body.held_on,
    )
    return session(ctx, s, effect=False)


def complete(ctx: Ctx, session_id: RecordId, index: ActionIndex) -> Model:
    return session(ctx, ctx.ws.complete_action(ctx.actor, session_id, index), effect=False)


def read(fields: Fields) -> CoachingIn:
    """Action items are rows of ``action_text`` / ``action_due`` (blank texts left out)."""
    texts, dues = values_all(fields, "action_text"), values_all(fields, "action_due")
    items = [
        {"text": text, "due": optional(due)}
        for text, due in zip(texts, dues + [""] * len(texts), strict=False)
        if text.strip()
    ]
    return parse(
        CoachingIn,
        {
            "agent_id": field(fields, "agent_id"),
            "coach_note": field(fields, "coach_note"),
            "review_ids": field(fields, "review_ids").replace(",", " ").split(),
            "action_items": items,
            "held_on": optional(field(fields, "held_on")),
        },
    )


def to_agent(s: Model, fields: Fields) -> str:
    """After holding a session: the coached agent's sessions."""
    return f"/qa/coaching?agent={s['agent_id']}"


def after_action(s: Model, fields: Fields) -> str:
    """After ticking off an item: home (``back=/qa``) or the agent's sessions."""
    target = field(fields, "back")
    if target == "/qa":
        return target
    return f"/qa/coaching?agent={s['agent_id']}"
