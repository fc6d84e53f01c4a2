"""The priority queue (#17): ``/insights/priority`` and its JSON twin
``/api/insights/priority``.

One view model makes both: the accuracy of prioritisation at the top (the KPIs
``urgent_precision`` and ``urgent_missed_rate`` for the page's dates and filters), then
the open tickets most pressing first (``sanjeh.insights.rank_open_tickets``) — rank,
ticket (its customer's timeline), assigned against suggested priority, score, the
reasons in the page's language, SLA time left and the customer — and the declared
weights of the score.

The queue is about now, not about the date range: it follows the team and agent
filters only. Who may: the dashboard's viewers (``view_dashboard``); a viewer who may
name only their own agent id (an agent, see ``_routes.names_for``) sees only the tickets
assigned to them, as agents elsewhere see only their own records.

(No ``from __future__ import annotations``: FastAPI reads the handlers' parameter types.)
"""

from typing import Any

from fastapi import FastAPI, Request

from ...insights import PRIORITY_FACTORS, PriorityQueue, PriorityReason, rank_open_tickets
from ...settings import Settings
from .._auth import authorize_view
from .._params import PageQuery
from .._routes import model_of, names_for, source_of
from .._source import Source
from ..views import Model, View
from ..views._common import cards, link
from ._pages import page_routes

PAGE = "priority"
PATH = "/insights/priority"
TEMPLATE = "insights/priority.html"
KPIS = ("urgent_precision", "urgent_missed_rate")
#: tickets the page lists (the CLI and the library take any limit up to 1000)
SHOWN = 100


def churn_stamp(source: Source) -> tuple[str, ...]:
    """What changes when churn is predicted again (customer_predictions does not move
    the facts' stamp): the count and latest instant, one small query."""
    p = source.table("customer_predictions")
    found = source.run(p.aggregate(n=p.count(), last=p.predicted_at.max()))
    return tuple(str(v) for v in found.iloc[0].tolist())


def queue_of(
    source: Source, team: list[str], agent: list[str] | None, limit: int = SHOWN
) -> PriorityQueue:
    """The ranked queue on the server's store (its facts kept current by the server)."""
    source.limits.take_turn()
    with source.gate.read(), source.db_lock:  # (one thread at a time on the connection)
        return rank_open_tickets(
            source.store,
            limit=limit,
            team=team or None,
            agent=agent,
            config=source.config,
            ensure=False,
        )


def build(view: View, queue: PriorityQueue, *, own_only: bool) -> Model:
    """The page's view model for ``queue`` (``own_only``: the viewer sees only their own
    tickets)."""
    notes = [view.t("priority.no_churn")] if not queue.churn_scored else []
    model = view.page(
        PAGE,
        cards=cards(view, KPIS, with_trend=False),
        queue={
            "open_tickets": queue.open_tickets,
            "shown": len(queue.rows),
            "as_of": queue.as_of.isoformat(),
            "as_of_display": view.locale.datetime(queue.as_of, view.source.timezone),
            "churn_scored": queue.churn_scored,
            "own_only": own_only,
            "notes": notes,
        },
        rows=[_row(view, r) for r in queue.rows],
        weights=[
            {
                "factor": f.name,
                "weight": f.weight,
                "label": view.t(f"priority.factor.{f.name}"),
                "scale": view.t(f"priority.scale.{f.name}"),
            }
            for f in PRIORITY_FACTORS
        ],
    )
    model["title"] = view.t("priority.title")
    return model


def _row(view: View, r: Any) -> Model:
    loc = view.locale
    if r.sla_left_s is None:
        sla = loc.t("priority.sla.none")
    elif r.sla_breached:
        sla = loc.t("priority.sla.breached", time=loc.value("seconds", -r.sla_left_s))
    else:
        sla = loc.t("priority.sla.left", time=loc.value("seconds", r.sla_left_s))
    return {
        "rank": r.rank,
        "ticket_id": r.ticket_id,
        "subject": r.subject,
        "href": link("customers", r.customer_id),
        "created_at": r.created_at.isoformat(),
        "created_display": loc.datetime(r.created_at, view.source.timezone),
        "assigned_priority": r.assigned_priority,
        "assigned_label": loc.label("priority", r.assigned_priority),
        "suggested_priority": r.suggested_priority,
        "suggested_label": loc.label("priority", r.suggested_priority),
        "changed": r.changed,
        "score": round(r.score, 2),
        "score_display": loc.number(f"{r.score:.1f}"),
        "parts": {k: round(v, 2) for k, v in r.parts.items()},
        "sla_left_s": r.sla_left_s,
        "sla_target": r.sla_target,
        "sla_breached": r.sla_breached,
        "sla_display": sla,
        "waiting_s": r.waiting_s,
        "churn_risk": r.churn_risk,
        "customer_id": r.customer_id,
        "customer_name": r.customer_name or r.customer_id or "—",
        "team": view.team_name(r.team_id),
        "agent": view.agent_name(r.agent_id),
        "reasons": [_reason(view, x) for x in r.reasons],
    }


def _reason(view: View, reason: PriorityReason) -> Model:
    """A reason in the page's language (``text``: the English one stays in ``en``)."""
    loc, v = view.locale, reason.values
    if reason.code == "cues":
        words = loc.t("priority.list_sep").join(
            loc.t("priority.cue", kind=loc.t(f"priority.cue.{c['kind']}"), text=c["text"])
            for c in v["cues"]
        )
        text = loc.t("priority.reason.cues", cues=words)
    elif reason.code in ("sla_breached", "sla_due"):
        seconds = v["overdue_s"] if reason.code == "sla_breached" else v["left_s"]
        text = loc.t(
            f"priority.reason.{reason.code}",
            target=loc.t(f"priority.target.{v['target']}"),
            time=loc.value("seconds", seconds),
        )
    elif reason.code == "waiting":
        text = loc.t("priority.reason.waiting", time=loc.value("seconds", v["seconds"]))
    elif reason.code == "churn":
        text = loc.t("priority.reason.churn", risk=loc.number(f"{v['probability']:.2f}"))
    elif reason.code == "segment":
        text = loc.t("priority.reason.segment", segment=loc.label("segment", v["segment"]))
    else:  # value_top (top_pct), value (below_pct)
        text = loc.t(
            f"priority.reason.{reason.code}",
            **{k: loc.number(f"{n:g}") for k, n in v.items()},
        )
    return {
        "factor": reason.factor,
        "code": reason.code,
        "points": round(reason.points, 2),
        "points_display": loc.number(f"{reason.points:+.0f}"),
        "values": v,
        "text": text,
    }


# -- routes -------------------------------------------------------------------------------


def _model(request: Request, query: PageQuery) -> tuple[Model, View, tuple[Any, ...]]:
    authorize_view(request, (PAGE,), query.agent)  # before the cache: every view, every time
    source = source_of(request)
    names = names_for(request)
    # an agent (who may name only themselves) sees only their own tickets
    agent: list[str] | None = sorted(names) if names is not None else (query.agent or None)
    team = list(query.team)
    stamp = churn_stamp(source)
    key = (PAGE, stamp, tuple(team), tuple(agent) if agent is not None else None)

    def builder(view: View) -> Model:
        queue = queue_of(source, team, agent)
        return build(view, queue, own_only=names is not None)

    model, view = model_of(source, request.app.state.language, key, query, builder, names=names)
    return model, view, key


def register(app: FastAPI, settings: Settings) -> None:
    """Add ``/insights/priority`` and ``/api/insights/priority``."""
    page_routes(
        app,
        name="priority",
        path=PATH,
        template=TEMPLATE,
        model_of=_model,
        summary="Priority queue data",
        description="The accuracy of prioritisation (urgent_precision, urgent_missed_rate "
        "for the dates and filters) and the open tickets most pressing first, each with its "
        "score, the reasons for its rank, the assigned and the suggested priority and SLA "
        "time left; an agent sees only their own tickets.",
    )


__all__ = ["build", "queue_of", "register"]
