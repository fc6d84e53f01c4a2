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
    ticket("1", at(0, 9), status="solved", customer_id="t:c-1", tags=["vip", "late"]),
    # T2: created by an agent with a public comment (outbound)
    ticket("2", at(0, 9), status="solved", agent_id="t:sara", customer_id="t:c-2"),
    # T3: chat answered by a bot, handed off, answered by a human, solved at once
    ticket("3", at(0, 9), status="solved", channel="chat", priority="urgent", tags=["vip"]),
    # T4: still open, never answered
    ticket("4", at(1, 9), status="open", customer_id="t:c-4"),
    # T5: a duplicate of T1, merged into it
    ticket("5", at(0, 9, 30), status="closed", merged_into="t:1", customer_id="t:c-1"),
    # T6: same customer as T2 comes back 3 days after T2 was solved (breaks T2's FCR)
    ticket("6", at(3, 10), status="solved", customer_id="t:c-2"),
    # T7: a chat the customer left before anyone answered; closed by the system
    ticket("7", at(2, 9), status="solved", channel="chat", agent_id=None, customer_id="t:c-7"),
]

EVENTS = [
    ev("1", 1, at(0, 9), "created", "customer", actor_id="t:c-1"),
    ev("1", 2, at(0, 9), "message", "customer", actor_id="t:c-1", body="My order is late"),
    ev("1", 3, at(0, 9, 10), "message", "agent", actor_id="t:ali", public=False, body="note"),
    ev("1", 4, at(0, 10), "message", "agent", actor_id="t:ali", body="Checking"),
    ev("1", 5, at(0, 11), "message", "customer", actor_id="t:c-1"),
    ev("1", 6, at(0, 11, 30), "message", "customer", actor_id="t:c-1"),
    ev("1", 17, at(0, 11, 45), "escalate", "agent", actor_id="t:ali", tier=2),
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
    ev("7", 1, at(2, 9), "created", "customer", actor_id="t:c-7"),
    ev("7", 2, at(2, 9), "message", "customer", actor_id="t:c-7", body="hello?"),
    ev("7", 3, at(2, 9, 30), "status", "system", status="solved"),
]

TEAMS = [{"team_id": "t:support", "source": "t", "name": "Support"}]
AGENTS = [
    {
        "agent_id": "t:ali",
        "source": "t",
        "name": "Ali",
        "team_id": "t:support",
        "hourly_cost": 10.0,
    },
    {
        "agent_id": "t:sara",
        "source": "t",
        "name": "Sara",
        "team_id": "t:support",
        "hourly_cost": 20.0,
    },
    {"agent_id": "t:bot", "source": "t", "name": "Bot", "is_bot": True},
]
SHIFTS = [  # ali 8 h, sara 4 h, both on day 0
    {"shift_id": "t:sh1", "agent_id": "t:ali", "start_at": at(0, 8), "end_at": at(0, 16)},
    {"shift_id": "t:sh2", "agent_id": "t:sara", "start_at": at(0, 8), "end_at": at(0, 12)},
]
CUSTOMERS = [
    {"customer_id": "t:c-1", "source": "t", "created_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)},
    {
        "customer_id": "t:c-2",
        "source": "t",
        "created_at": dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
        "churned_at": at(2, 12),
        "segment": "smb",
    },
    {"customer_id": "t:c-3", "source": "t", "created_at": at(1, 0)},
    {
        "customer_id": "t:c-4",
        "source": "t",
        "created_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        "churned_at": dt.datetime(2026, 2, 15, tzinfo=dt.UTC),
    },
    {"customer_id": "t:c-7", "source": "t", "created_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)},
]


def _call(
    n: int,
    outcome: str,
    queued: dt.datetime | None,
    answered: dt.datetime | None,
    ended: dt.datetime,
    **extra: Any,
) -> dict:
    return {
        "call_id": f"t:call{n}",
        "source": "t",
        "started_at": queued or ended,
        "queued_at": queued,
        "answered_at": answered,
        "ended_at": ended,
        "outcome": outcome,
        **extra,
    }


CALLS = [
    _call(
        1,
        "answered",
        at(0, 10),
        at(0, 10, 0, 15),
        at(0, 10, 7),
        agent_id="t:ali",
        talk_s=300.0,
        hold_s=30.0,
        wrap_s=60.0,
    ),
    _call(
        2,
        "answered",
        at(0, 10, 5),
        at(0, 10, 5, 40),
        at(0, 10, 9),
        agent_id="t:sara",
        talk_s=200.0,
        wrap_s=20.0,
    ),
    _call(3, "abandoned", at(0, 10, 10), None, at(0, 10, 10, 3)),  # a short abandon
    _call(4, "abandoned", at(0, 10, 20), None, at(0, 10, 21)),
    _call(5, "ivr", None, None, at(0, 10, 30)),
    _call(6, "other", at(0, 10, 40), None, at(0, 10, 41)),  # a phantom call
]
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
    *[
        {
            "response_id": f"t:s{n}",
            "source": "t",
            "survey": survey,
            "scale_min": lo,
            "scale_max": hi,
            "score": score,
            "ticket_id": tk,
            "sent_at": at(day, 12),
            "submitted_at": at(day, 12, 10),
        }
        for n, survey, lo, hi, score, tk, day in [
            (5, "nps", 0, 10, 10.0, "t:2", 0),
            (6, "nps", 0, 10, 6.0, "t:3", 0),
            (7, "nps", 0, 10, 9.0, "t:6", 3),
            (8, "ces", 1, 7, 6.0, "t:1", 1),
            (9, "ces", 1, 7, 3.0, "t:6", 3),
        ]
    ],
    {
        "response_id": "t:e1",
        "source": "t",
        "survey": "enps",
        "scale_min": 0,
        "scale_max": 10,
        "score": 9.0,
        "agent_id": "t:ali",
        "submitted_at": at(0, 17),
    },
    {
        "response_id": "t:e2",
        "source": "t",
        "survey": "enps",
        "scale_min": 0,
        "scale_max": 10,
        "score": 7.0,
        "agent_id": "t:sara",
        "submitted_at": at(0, 17),
    },
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
    store.write("agents", AGENTS)
    store.write("agent_shifts", SHIFTS)
    store.write("customers", CUSTOMERS)
    store.write("calls", CALLS)
    store.write("survey_responses", SURVEYS)
    store.write("customer_outcomes", OUTCOMES)
