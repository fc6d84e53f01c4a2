"""A small, hand-checked support operation used by the metric tests.

Times are UTC on Monday 2026-03-02 (D0) and the days after. Every expected number
in the tests is derived by hand from this timeline (see the comments).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sanjeh.store import Store

D0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # a Monday


def at(day: int, hour: float, minute: float = 0, second: float = 0) -> dt.datetime:
    return D0 + dt.timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def ev(ticket: str, n: int, when: dt.datetime, kind: str, actor: str, **extra: Any) -> dict:
    return {
        "event_id": f"t:{ticket}-{n}",
        "ticket_id": f"t:{ticket}",
        "at": when,
        "kind": kind,
        "actor_type": actor,
        "actor_id": extra.pop("actor_id", f"t:{actor}"),
        "public": extra.pop("public", True),
        **extra,
    }


def ticket(tid: str, created: dt.datetime, **extra: Any) -> dict:
    return {
        "ticket_id": f"t:{tid}",
        "source": "t",
        "created_at": created,
        "channel": "email",
        "priority": "normal",
        "team_id": "t:support",
        "agent_id": "t:ali",
        "customer_id": f"t:c-{tid}",
        **extra,
    }


TICKETS = [
    # T1: customer e-mail, answered three times, pending, solved, reopened, solved again
    ticket("1", at(0, 9), status="solved", customer_id="t:c-1"),
    # T2: created by an agent with a public comment (outbound)
    ticket("2", at(0, 9), status="solved", agent_id="t:sara", customer_id="t:c-2"),
    # T3: chat answered by a bot, handed off, answered by a human, solved at once
    ticket("3", at(0, 9), status="solved", channel="chat", priority="urgent"),
    # T4: still open, never answered
    ticket("4", at(1, 9), status="open", customer_id="t:c-4"),
    # T5: a duplicate of T1, merged into it
    ticket("5", at(0, 9, 30), status="closed", merged_into="t:1", customer_id="t:c-1"),
    # T6: same customer as T2 comes back 3 days after T2 was solved (breaks T2's FCR)
    ticket("6", at(3, 10), status="solved", customer_id="t:c-2"),
]

EVENTS = [
    ev("1", 1, at(0, 9), "created", "customer", actor_id="t:c-1"),
    ev("1", 2, at(0, 9), "message", "customer", actor_id="t:c-1", body="My order is late"),
    ev("1", 3, at(0, 9, 10), "message", "agent", actor_id="t:ali", public=False, body="note"),
    ev("1", 4, at(0, 10), "message", "agent", actor_id="t:ali", body="Checking"),
    ev("1", 5, at(0, 11), "message", "customer", actor_id="t:c-1"),
    ev("1", 6, at(0, 11, 30), "message", "customer", actor_id="t:c-1"),
    ev("1", 7, at(0, 12), "message", "agent", actor_id="t:ali"),
    ev("1", 8, at(0, 12), "status", "agent", actor_id="t:ali", status="pending"),
    ev("1", 9, at(0, 13), "message", "customer", actor_id="t:c-1"),
    ev("1", 10, at(0, 13), "status", "system", status="open"),
    ev("1", 11, at(0, 14), "message", "agent", actor_id="t:ali"),
    ev("1", 12, at(0, 14), "status", "agent", actor_id="t:ali", status="solved"),
    ev("1", 13, at(1, 10), "message", "customer", actor_id="t:c-1"),
    ev("1", 14, at(1, 10), "status", "system", status="open"),
    ev("1", 15, at(1, 10, 30), "message", "agent", actor_id="t:ali"),
    ev("1", 16, at(1, 10, 30), "status", "agent", actor_id="t:ali", status="solved"),
    ev("2", 1, at(0, 9), "created", "agent", actor_id="t:sara"),
    ev("2", 2, at(0, 9), "message", "agent", actor_id="t:sara", body="We noticed a problem"),
    ev("2", 3, at(0, 10), "message", "customer", actor_id="t:c-2"),
    ev("2", 4, at(0, 11), "message", "agent", actor_id="t:sara"),
    ev("2", 5, at(0, 11), "status", "agent", actor_id="t:sara", status="solved"),
    ev("3", 1, at(0, 9), "created", "customer", actor_id="t:c-3"),
    ev("3", 2, at(0, 9), "message", "customer", actor_id="t:c-3"),
    ev("3", 3, at(0, 9, 0, 5), "message", "bot", actor_id="t:bot"),
    ev("3", 4, at(0, 9, 1), "handoff", "bot", actor_id="t:bot"),
    ev("3", 5, at(0, 9, 5), "message", "agent", actor_id="t:ali"),
    ev("3", 6, at(0, 9, 6), "status", "agent", actor_id="t:ali", status="solved"),
    ev("4", 1, at(1, 9), "created", "customer", actor_id="t:c-4"),
    ev("4", 2, at(1, 9), "message", "customer", actor_id="t:c-4"),
    ev("5", 1, at(0, 9, 30), "created", "customer", actor_id="t:c-1"),
    ev("5", 2, at(0, 9, 30), "message", "customer", actor_id="t:c-1"),
    ev("5", 3, at(0, 9, 40), "merge", "agent", actor_id="t:ali", merged_into="t:1"),
    ev("6", 1, at(3, 10), "created", "customer", actor_id="t:c-2"),
    ev("6", 2, at(3, 10), "message", "customer", actor_id="t:c-2"),
    ev("6", 3, at(3, 10, 20), "message", "agent", actor_id="t:sara"),
    ev("6", 4, at(3, 10, 20), "status", "agent", actor_id="t:sara", status="solved"),
]

TEAMS = [{"team_id": "t:support", "source": "t", "name": "Support"}]
SURVEYS = [
    {
        "response_id": "t:s1",
        "source": "t",
        "survey": "csat",
        "scale_min": 1,
        "scale_max": 5,
        "score": 5.0,
        "ticket_id": "t:1",
        "sent_at": at(1, 11),
        "submitted_at": at(1, 12),
    },
    {
        "response_id": "t:s2",
        "source": "t",
        "survey": "csat",
        "scale_min": 1,
        "scale_max": 5,
        "score": 2.0,
        "ticket_id": "t:2",
        "sent_at": at(0, 12),
        "submitted_at": at(0, 13),
    },
    {
        "response_id": "t:s3",
        "source": "t",
        "survey": "csat",
        "scale_min": 1,
        "scale_max": 5,
        "score": 3.0,
        "ticket_id": "t:3",
        "sent_at": at(0, 10),
        "submitted_at": at(0, 10, 5),
    },
    {
        "response_id": "t:s4",
        "source": "t",
        "survey": "csat",
        "scale_min": 1,
        "scale_max": 5,
        "ticket_id": "t:6",
        "sent_at": at(3, 11),
    },  # sent, never answered
]
OUTCOMES = [
    # customer of T3 upgrades 2 days after T3 was solved: a post-support conversion
    {
        "outcome_id": "t:o1",
        "source": "t",
        "customer_id": "t:c-3",
        "at": at(2, 9),
        "kind": "upgrade",
        "value": 100.0,
    },
]


def load(store: Store) -> None:
    store.write("tickets", TICKETS)
    store.write("events", EVENTS)
    store.write("teams", TEAMS)
    store.write("survey_responses", SURVEYS)
    store.write("customer_outcomes", OUTCOMES)
