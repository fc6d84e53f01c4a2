"""A hand-built store for the priority ranking (tests/insights/test_priority.py, the web
page and the CLI tests), and its ranking worked out by hand.

"Now" is NOW = D0 + 1 day 12:00 (UTC); the standard SLA: first reply within 24 h
(calendar hours), no resolution target. Every factor as in sanjeh.insights._priority:
text 10 × triage points, value 20 × share of valued customers below, segment 15 (vip),
churn 30 × probability, sla 40 × share of the target used (1: breached), waiting 10 ×
hours / 24 (at most 1).

Customers' values: c1 100, c2 200, c3 300, c4 400 (vip); c5 none. Shares below: c1 0,
c2 1/4, c3 2/4, c4 3/4 (c4: top 25 %).

| ticket | created   | customer | words (triage points)                   | reply |
|--------|-----------|----------|-----------------------------------------|-------|
| A      | now − 12 h| c4       | "The website is down" (outage 2)        | none  |
| B      | now − 30 h| c1       | "hello" (0)                             | none  |
| C      | now − 6 h | c2       | "I want to cancel my subscription",     | none  |
|        |           |          | then at now − 4 h "URGENT please"       |       |
|        |           |          | (churn 2 + urgent 2 = 4)                |       |
| D      | now − 2 h | c3       | "thanks" (0)                            | yes   |
| E      | now − 3 h | c3       | "thanks" (0)                            | yes   |
| F      | solved                                                           |
| G      | merged into A                                                    |
| H      | now − 1 h, team b, c5, "hello"                                   |

Without churn predictions (team a):
  A: text 20 + value 15 + segment 15 + sla 40 × 12/24 = 20 + waiting 10 × 12/24 = 5 → 75
  C: text 40 + value 5 + sla 40 × 6/24 = 10 + waiting 10 × 4/24 → 55 + 5/3
  B: value 0 + sla breached 40 (6 h over) + waiting 10 (30 h, capped) → 50
  E: value 10 (first reply given: no SLA factor; answered: no waiting) → 10
  D: → 10, a tie with E: E is older, so E first
With churn c1 0.9 and c2 0.5: B 50 + 27 = 77, A 75, C 56.67 + 15 = 71.67, E, D.
"""

from __future__ import annotations

import datetime as dt

from sanjeh.metrics import MetricOptions, MetricsConfig
from sanjeh.store import Store

D0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
NOW = D0 + dt.timedelta(days=1, hours=12)
CONFIG = MetricsConfig(options=MetricOptions(as_of=NOW))
H = 3600.0

#: team a's ranking without churn predictions: (ticket, score)
RANKED = [("q:A", 75.0), ("q:C", 55.0 + 5 / 3), ("q:B", 50.0), ("q:E", 10.0), ("q:D", 10.0)]
RANKED_WITH_CHURN = [
    ("q:B", 77.0),
    ("q:A", 75.0),
    ("q:C", 70.0 + 5 / 3),
    ("q:E", 10.0),
    ("q:D", 10.0),
]
SUGGESTED = {"q:A": "urgent", "q:C": "urgent", "q:B": "high", "q:E": "normal", "q:D": "normal"}
ASSIGNED = {"q:A": "normal", "q:B": "low", "q:C": "high", "q:D": "normal", "q:E": "low"}


def ago(hours: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours)


def _ticket(key: str, created: dt.datetime, customer: str, **extra) -> dict:
    return {
        "ticket_id": f"q:{key}",
        "source": "q",
        "subject": extra.pop("subject", None),
        "created_at": created,
        "channel": "email",
        "status": extra.pop("status", "open"),
        "priority": ASSIGNED.get(f"q:{key}", "normal"),
        "team_id": extra.pop("team_id", "q:a"),
        "agent_id": extra.pop("agent_id", "q:ali"),
        "customer_id": f"q:{customer}",
        "language": "en",
        **extra,
    }


def _event(key: str, n: int, when: dt.datetime, actor: str, kind: str = "message", **kw) -> dict:
    return {
        "event_id": f"q:{key}-{n}",
        "ticket_id": f"q:{key}",
        "at": when,
        "kind": kind,
        "actor_type": actor,
        "actor_id": kw.pop("actor_id", "q:ali" if actor == "agent" else None),
        "public": True,
        **kw,
    }


def _opened(key: str, created: dt.datetime, customer: str, body: str) -> list[dict]:
    return [
        _event(key, 0, created, "customer", "created", actor_id=f"q:{customer}"),
        _event(key, 1, created, "customer", body=body, actor_id=f"q:{customer}"),
    ]


def load(store: Store) -> None:
    tickets = [
        _ticket("A", ago(12), "c4", subject="Website"),
        _ticket("B", ago(30), "c1"),
        _ticket("C", ago(6), "c2"),
        _ticket("D", ago(2), "c3", agent_id="q:sara"),
        _ticket("E", ago(3), "c3", agent_id="q:sara"),
        _ticket("F", ago(20), "c1", status="solved"),
        _ticket("G", ago(11), "c4", status="closed", merged_into="q:A"),
        _ticket("H", ago(1), "c5", team_id="q:b", agent_id=None),
    ]
    events = [
        *_opened("A", ago(12), "c4", "The website is down"),
        *_opened("B", ago(30), "c1", "hello"),
        *_opened("C", ago(6), "c2", "I want to cancel my subscription"),
        _event("C", 2, ago(4), "customer", body="URGENT please", actor_id="q:c2"),
        *_opened("D", ago(2), "c3", "thanks"),
        _event("D", 2, ago(1), "agent", body="You are welcome"),
        *_opened("E", ago(3), "c3", "thanks"),
        _event("E", 2, ago(2), "agent", body="You are welcome"),
        *_opened("F", ago(20), "c1", "URGENT down"),
        _event("F", 2, ago(19), "agent", body="Fixed"),
        _event("F", 3, ago(19), "agent", "status", status="solved"),
        *_opened("G", ago(11), "c4", "URGENT the website is down"),
        _event("G", 2, ago(10), "agent", "merge", merged_into="q:A"),
        *_opened("H", ago(1), "c5", "hello"),
    ]
    store.write("tickets", tickets)
    store.write("events", events)
    store.write(
        "teams",
        [
            {"team_id": "q:a", "source": "q", "name": "Alpha"},
            {"team_id": "q:b", "source": "q", "name": "Beta"},
        ],
    )
    store.write(
        "agents",
        [
            {"agent_id": "q:ali", "source": "q", "name": "Ali", "team_id": "q:a"},
            {"agent_id": "q:sara", "source": "q", "name": "Sara", "team_id": "q:a"},
        ],
    )
    values = {"c1": 100.0, "c2": 200.0, "c3": 300.0, "c4": 400.0, "c5": None}
    store.write(
        "customers",
        [
            {
                "customer_id": f"q:{c}",
                "source": "q",
                "name": f"Customer {c[1:]}",
                "value": v,
                "segment": "vip" if c == "c4" else "smb",
                "created_at": D0 - dt.timedelta(days=100),
            }
            for c, v in values.items()
        ],
    )


def add_churn(store: Store) -> None:
    """Churn predictions: c1 0.9, c2 0.5 (and an older, superseded one for c1)."""
    rows = []
    for customer, p, predicted in (("c1", 0.1, 1), ("c1", 0.9, 0), ("c2", 0.5, 0)):
        at = D0 - dt.timedelta(days=predicted)
        rows.append(
            {
                "prediction_id": f"churn-{predicted}/q:{customer}",
                "customer_id": f"q:{customer}",
                "model": "churn",
                "probability": p,
                "horizon_days": 90,
                "cutoff_at": at,
                "model_version": f"churn-{predicted}",
                "predicted_at": at,
            }
        )
    store.write("customer_predictions", rows)
