"""Who to invite: the trigger picks the candidates, the sampling rule thins them.

- ``ticket_solved``: tickets solved (status ``solved`` / ``closed`` now; solved at the
  last status event that made them so, else at ``updated_at``) within ``lookback_days``
  before ``now``, with a customer, not merged away, in ``channels`` when given.
- ``call_ended``: answered calls with a customer that ended within ``lookback_days``.
- ``every_n_weeks`` / ``manual`` (eNPS, pulse): every active agent (not a bot, hired,
  not left), once per ISO week ``period``; every ``every_weeks`` weeks for the first.

Sampling (customer surveys): never the same ticket or call twice; a customer invited to
this survey at or after ``now - sample_days`` is skipped; of one customer's
candidates only the latest is asked. Plans are deterministic (sorted by time, then id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis

from ..store import Store
from ._definitions import SurveyDefinition
from ._invitations import TABLE as INVITATIONS
from ._invitations import Invitation, make
from ._storage import survey

SOLVED = ("solved", "closed")


def plan_invitations(
    store: Store, survey_id: str, *, now: dt.datetime, definition: SurveyDefinition | None = None
) -> list[Invitation]:
    """The invitations ``survey_id``'s trigger and sampling call for at ``now`` (nothing
    is written: :func:`send_invitations` writes them)."""
    definition = definition or survey(store, survey_id)
    if definition.employee:
        return _employees(store, definition, now)
    if definition.trigger == "ticket_solved":
        candidates = _solved_tickets(store, definition, now)
    elif definition.trigger == "call_ended":
        candidates = _ended_calls(store, definition, now)
    else:  # manual customer surveys are sent by the caller's own list, not planned
        return []
    return _sample(store, definition, candidates, now)


def week_label(moment: dt.datetime) -> str:
    year, week, _ = moment.astimezone(dt.UTC).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(label: str) -> dt.datetime:
    """The Monday 00:00 UTC an ISO week label (``2026-W49``) starts at."""
    day = dt.date.fromisocalendar(int(label[:4]), int(label[6:]), 1)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _language(definition: SurveyDefinition, *candidates: Any) -> str:
    """The first candidate that is one of the survey's languages (``fa-IR`` → ``fa``)."""
    for value in candidates:
        if isinstance(value, str) and value[:2].lower() in definition.languages:
            return value[:2].lower()
    return definition.languages[0]


def _rows(store: Store, expr: ibis.Table) -> list[dict[str, Any]]:
    with store.lock:
        rows: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                row[key] = value.replace(tzinfo=dt.UTC)
    return rows


def _solved_tickets(
    store: Store, definition: SurveyDefinition, now: dt.datetime
) -> list[dict[str, Any]]:
    start = now - dt.timedelta(days=definition.lookback_days)
    e = store.table("events")
    e = e.filter(e.kind == "status", e.status.isin(SOLVED), e.at <= now)
    solved = e.group_by(s_ticket_id=e.ticket_id).agg(solved_at=e.at.max())
    t = store.table("tickets")
    t = t.filter(t.status.isin(SOLVED), t.customer_id.notnull(), t.merged_into.isnull())
    if definition.channels:
        t = t.filter(t.channel.isin(list(definition.channels)))
    j = t.left_join(solved, t.ticket_id == solved.s_ticket_id)
    j = j.mutate(at=j.solved_at.coalesce(j.updated_at))
    j = j.filter(j.at > start, j.at <= now)
    c = store.table("customers").select(c_customer_id="customer_id", c_language="language")
    j = j.left_join(c, j.customer_id == c.c_customer_id)
    j = j.select(
        "ticket_id",
        "customer_id",
        "agent_id",
        "team_id",
        "channel",
        "language",
        "c_language",
        "at",
        call_id=ibis.null("string"),
    )
    return _rows(store, j)


def _ended_calls(
    store: Store, definition: SurveyDefinition, now: dt.datetime
) -> list[dict[str, Any]]:
    start = now - dt.timedelta(days=definition.lookback_days)
    k = store.table("calls")
    k = k.filter(k.outcome == "answered", k.customer_id.notnull(), k.ended_at > start)
    k = k.filter(k.ended_at <= now)
    a = store.table("agents").select(a_agent_id="agent_id", team_id="team_id")
    c = store.table("customers").select(c_customer_id="customer_id", c_language="language")
    j = k.left_join(a, k.agent_id == a.a_agent_id).left_join(c, k.customer_id == c.c_customer_id)
    j = j.select(
        "call_id",
        "ticket_id",
        "customer_id",
        "agent_id",
        "team_id",
        "c_language",
        at="ended_at",
        channel=ibis.literal("phone"),
        language=ibis.null("string"),
    )
    return _rows(store, j)


def _invited(store: Store, survey_id: str) -> list[dict[str, Any]]:
    i = store.table(INVITATIONS)
    i = i.filter(i.survey_id == survey_id)
    return _rows(
        store, i.select("ticket_id", "call_id", "customer_id", "agent_id", "period", "sent_at")
    )


def _sample(
    store: Store, definition: SurveyDefinition, candidates: list[dict[str, Any]], now: dt.datetime
) -> list[Invitation]:
    invited = _invited(store, definition.survey_id)
    tickets = {r["ticket_id"] for r in invited if r["ticket_id"]}
    calls = {r["call_id"] for r in invited if r["call_id"]}
    since = now - dt.timedelta(days=definition.sample_days)
    recent = {r["customer_id"] for r in invited if r["customer_id"] and r["sent_at"] >= since}
    latest: dict[str, dict[str, Any]] = {}
    for row in candidates:
        if row["customer_id"] in recent:
            continue
        if (row["call_id"] or None) in calls or (
            not row["call_id"] and row["ticket_id"] in tickets
        ):
            continue
        key = (row["at"], row["call_id"] or row["ticket_id"])
        held = latest.get(row["customer_id"])
        if held is None or key > (held["at"], held["call_id"] or held["ticket_id"]):
            latest[row["customer_id"]] = row
    chosen = sorted(latest.values(), key=lambda r: (r["at"], r["call_id"] or r["ticket_id"]))
    return [
        make(
            definition,
            now=now,
            ticket_id=r["ticket_id"],
            call_id=r["call_id"],
            customer_id=r["customer_id"],
            agent_id=r["agent_id"],
            team_id=r["team_id"],
            channel=r["channel"],
            language=_language(definition, r["language"], r["c_language"]),
        )
        for r in chosen
    ]


def _employees(store: Store, definition: SurveyDefinition, now: dt.datetime) -> list[Invitation]:
    period = week_label(now)
    invited = _invited(store, definition.survey_id)
    if definition.trigger == "every_n_weeks" and invited:
        last = max(r["period"] for r in invited if r["period"])
        weeks = (week_start(period) - week_start(last)).days // 7
        if weeks < (definition.every_weeks or 1):
            return []
    done = {r["agent_id"] for r in invited if r["period"] == period}
    a = store.table("agents")
    a = a.filter(
        a.is_bot.fill_null(False) == False,  # noqa: E712 (an Ibis expression)
        a.left_at.isnull() | (a.left_at > now),
        a.hired_at.isnull() | (a.hired_at <= now),
    )
    rows = _rows(store, a.select("agent_id", "team_id").order_by("agent_id"))
    return [
        make(
            definition,
            now=now,
            period=period,
            agent_id=r["agent_id"],
            team_id=r["team_id"],
            language=definition.languages[0],
        )
        for r in rows
        if r["agent_id"] not in done
    ]
