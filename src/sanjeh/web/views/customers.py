"""Customers: find one, then their whole history across channels in time order."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from .._errors import NotFound
from .._query import filtered
from ._common import Model, View, column, link, num, table

LIST_ROWS = 50
TIMELINE_ROWS = 2000
#: event kinds worth a line in the history (assignments and tag edits are noise here)
EVENT_KINDS = ("created", "message", "status", "escalate", "handoff", "merge")


def build(view: View, q: str = "") -> Model:
    src = view.source
    q = q.strip()

    def compute() -> pd.DataFrame:
        c = src.table("customers")
        if q:
            needle = q.lower()
            found = c.filter(
                c.customer_id.lower().contains(needle) | c.name.lower().contains(needle)
            )
            t = src.table("facts_tickets")
            counts = t.group_by("customer_id").agg(tickets=t.count(), last=t.created_at.max())
            j = found.left_join(counts, "customer_id")
            return src.run(
                j.select(
                    customer_id=j.customer_id,
                    name=j.name,
                    segment=j.segment,
                    tickets=j.tickets.fill_null(0),
                    last=j.last,
                )
                .order_by([ibis.desc("tickets"), "customer_id"])
                .limit(LIST_ROWS)
            )
        t = filtered(src, view.filters, "facts_tickets")
        counts = t.group_by("customer_id").agg(tickets=t.count(), last=t.created_at.max())
        counts = counts.filter(counts.customer_id.notnull())
        j = counts.left_join(c.select("customer_id", "name", "segment"), "customer_id")
        return src.run(
            j.select(
                customer_id=j.customer_id,
                name=j.name,
                segment=j.segment,
                tickets=j.tickets,
                last=j.last,
            )
            .order_by([ibis.desc("tickets"), ibis.desc("last"), "customer_id"])
            .limit(LIST_ROWS)
        )

    frame = src.memo(("customers", q, None if q else view.filters.data_key), compute)
    rows = [
        {
            "customer_id": r["customer_id"],
            "name": r["name"],
            "segment": r["segment"],
            "tickets": int(r["tickets"] or 0),
            "last": r["last"].isoformat() if pd.notna(r["last"]) else None,
            "href": link("customers", r["customer_id"]),
        }
        for r in frame.to_dict(orient="records")
    ]
    tab = table(
        view,
        view.t("table.customers"),
        [
            column("customer_id", view.t("col.customer"), href="href"),
            column("name", view.t("col.name")),
            column("segment", view.t("col.segment")),
            column("tickets", view.t("col.tickets"), "count"),
            column("last", view.t("col.last_contact"), "datetime"),
        ],
        rows,
    )
    return view.page("customers", q=q, tables={"customers": tab})


def timeline(view: View, customer_id: str) -> Model:
    """Every ticket, message, call and survey of one customer, oldest first."""
    src = view.source
    entries, customer = src.memo(("timeline", customer_id), lambda: _history(view, customer_id))
    if customer is None:
        raise NotFound(f"there is no customer {customer_id!r}; search for one on /customers")
    rows = []
    for e in entries:
        rows.append(
            {
                **e,
                "actor_id": _actor_id(view, e),
                "text": _text(view, e),
                "kind_label": view.t(f"timeline.{e['kind']}"),
                "channel_label": view.locale.label("channel", e["channel"]) if e["channel"] else "",
                "actor_label": _actor(view, e),
                "status_label": view.locale.label("ticket_status", e["status"])
                if e["status"]
                else "",
            }
        )
    tab = table(
        view,
        view.t("table.timeline"),
        [
            column("at", view.t("col.date"), "datetime"),
            column("kind_label", view.t("col.kind")),
            column("channel_label", view.t("filter.channel")),
            column("ticket_id", view.t("col.ticket")),
            column("actor_label", view.t("col.actor")),
            column("text", view.t("col.text"), "verbatim"),
        ],
        rows,
    )
    counts = {
        k: sum(1 for e in entries if e["kind"] == k)
        for k in ("ticket", "message", "call", "survey")
    }
    return view.page(
        "timeline",
        title=str(customer.get("name") or customer_id),
        customer={k: _plain(v) for k, v in customer.items()},
        counts=counts,
        truncated=len(entries) >= TIMELINE_ROWS,
        tables={"timeline": tab},
    )


def _text(view: View, e: Model) -> str | None:
    """Calls and surveys say what happened; messages and tickets carry their own text."""
    if e["kind"] == "call":
        talk = e.get("talk_s")
        spoken = f" · {view.locale.value('seconds', talk)}" if talk else ""
        return view.locale.label("call", e.get("outcome")) + spoken
    if e["kind"] == "survey":
        score = view.locale.number(f"{e['score']:g}/{e['scale_max']:g}")
        head = f"{str(e.get('survey')).upper()} {score}"
        return f"{head} — {e['text']}" if e.get("text") else head
    return e.get("text")


def _actor_id(view: View, e: Model) -> Any:
    """An agent's id only for a viewer who may name them (a ticket line's is its agent)."""
    if e.get("actor_type") in (None, "agent", "bot") and not view.may_name(e.get("actor_id")):
        return None
    return e.get("actor_id")


def _actor(view: View, e: Model) -> str:
    kind = e.get("actor_type")
    if kind == "agent":
        return view.agent_name(e.get("actor_id"))
    if kind == "bot":
        return view.agent_name(e.get("actor_id"))
    if kind:
        return view.t(f"actor.{kind}")
    return ""


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return [str(v) for v in value]
    return value


def _history(view: View, customer_id: str) -> tuple[list[Model], dict[str, Any] | None]:
    store = view.source  # tables come through the source: it holds the connection lock
    run = view.source.run
    c = store.table("customers")
    found = run(c.filter(c.customer_id == customer_id).limit(1))
    tickets_t = store.table("tickets")
    mine = tickets_t.filter(tickets_t.customer_id == customer_id)
    tickets = run(
        mine.select(
            "ticket_id",
            "created_at",
            "channel",
            "subject",
            "status",
            "priority",
            "team_id",
            "agent_id",
        ).order_by("created_at")
    )
    if found.empty and tickets.empty:
        return [], None
    stored: dict[Any, Any] = (
        found.iloc[0].to_dict() if not found.empty else {"customer_id": customer_id}
    )
    customer: dict[str, Any] = {
        k: stored.get(k)
        for k in (
            "customer_id",
            "name",
            "segment",
            "plan",
            "country",
            "language",
            "created_at",
            "churned_at",
        )
    }
    ev = store.table("events")
    ev = ev.semi_join(mine.select("ticket_id"), "ticket_id").filter(ev.kind.isin(EVENT_KINDS))
    events = run(
        ev.select(
            "ticket_id",
            "at",
            "kind",
            "actor_type",
            "actor_id",
            "public",
            "channel",
            "status",
            "body",
        )
        .order_by(["at", "ticket_id"])
        .limit(TIMELINE_ROWS)
    )
    calls_t = store.table("calls")
    calls = run(
        calls_t.filter(calls_t.customer_id == customer_id)
        .select("call_id", "started_at", "queue", "outcome", "agent_id", "talk_s", "ticket_id")
        .order_by("started_at")
        .limit(TIMELINE_ROWS)
    )
    s = store.table("survey_responses")
    surveys = run(
        s.filter(
            (s.customer_id == customer_id) | s.ticket_id.isin(mine.ticket_id.as_table().ticket_id)
        )
        .filter(s.submitted_at.notnull())
        .select(
            "response_id", "survey", "score", "scale_max", "comment", "ticket_id", "submitted_at"
        )
        .order_by("submitted_at")
        .limit(TIMELINE_ROWS)
    )
    channel = dict(zip(tickets.ticket_id, tickets.channel, strict=True))
    out: list[Model] = []

    def add(at: Any, kind: str, **rest: Any) -> None:
        base: Model = {
            "at": at.isoformat() if pd.notna(at) else None,
            "kind": kind,
            "channel": None,
            "ticket_id": None,
            "actor_type": None,
            "actor_id": None,
            "status": None,
            "text": None,
        }
        base.update({k: _plain(v) for k, v in rest.items()})
        out.append(base)

    for r in tickets.to_dict(orient="records"):
        add(
            r["created_at"],
            "ticket",
            channel=r["channel"],
            ticket_id=r["ticket_id"],
            status=r["status"],
            text=r["subject"],
            actor_type=None,
            actor_id=r["agent_id"],
        )
    for r in events.to_dict(orient="records"):
        if r["kind"] == "created":
            continue  # the ticket line already says it
        kind = {"message": "message" if r["public"] is not False else "note"}.get(
            r["kind"], r["kind"]
        )
        if kind == "status" and r["status"] not in ("solved", "closed", "open"):
            continue
        add(
            r["at"],
            kind,
            channel=r["channel"] or channel.get(r["ticket_id"]),
            ticket_id=r["ticket_id"],
            actor_type=r["actor_type"],
            actor_id=r["actor_id"],
            status=r["status"] if kind == "status" else None,
            text=r["body"],
        )
    for r in calls.to_dict(orient="records"):
        add(
            r["started_at"],
            "call",
            channel="phone",
            ticket_id=r["ticket_id"],
            actor_type="agent" if r["agent_id"] else None,
            actor_id=r["agent_id"],
            outcome=r["outcome"],
            talk_s=num(r["talk_s"]),
        )
    for r in surveys.to_dict(orient="records"):
        add(
            r["submitted_at"],
            "survey",
            ticket_id=r["ticket_id"],
            actor_type="customer",
            survey=r["survey"],
            score=num(r["score"]),
            scale_max=num(r["scale_max"]),
            text=r["comment"],
        )
    order = {"ticket": 0, "message": 1, "note": 1, "status": 2}
    out.sort(key=lambda e: (e["at"] or "", order.get(e["kind"], 3)))
    return out[:TIMELINE_ROWS], customer
