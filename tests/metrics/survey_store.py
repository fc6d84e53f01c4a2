"""A small store of customer and employee surveys whose KPIs are worked out by hand.

Teams: care (t:a1 … t:a6), sales (t:a7, t:a8). All in March 2026 (UTC, 24x7 calendar).

- eNPS (anonymous rows: team only): care 10, 9, 9, 8, 6, 3 → 3 promoters, 2 detractors
  of 6: +16.67; sales 10, 10, 3 → 2 − 1 of 3: +33.33 (fewer than 5: hidden); all 9:
  5 − 3 of 9: +22.22.
- pulse (anonymous): "workload" 1-5, care 5, 4, 4, 3, 2 → 10, 7.5, 7.5, 5, 2.5 on 0-10,
  mean 6.5; "morale" 0-10, care 8, 7, 9, 10 and sales 5, 6 → mean 7.5 (6 answers); all
  11 answers: (32.5 + 45) / 11; care 9 answers: (32.5 + 34) / 9; sales 2: hidden.
- pulse invitations (survey_invitations, kind pulse): care 8 delivered, 6 answered (+1
  queued, +1 failed: not delivered); sales 3 delivered, 2 answered; plus 4 eNPS
  invitations (not pulse). Participation: 8 / 11; care 6 / 8; sales hidden.
- a second eNPS wave a week later (9 March): care 9 × 5 → +100, sales 0 × 5 → −100 (5
  answers: shown). Reports of 1–8 March (``WEEK``) leave it out, and a CSAT invitation
  sent on 20 March (so that week has closed).
- CSAT (1-5) answered: t:1 5, t:2 4, t:3 1, t:4 5, t:2 3 → top-two 3 of 5 = 0.6; 55 CSAT
  invitations unanswered (30 about t:1, 25 about t:3): response rate 5 / 60.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sanjeh.store import Store


def day(d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, d, hour, tzinfo=dt.UTC)


TEAMS = [
    {"team_id": "t:care", "source": "t", "name": "Care"},
    {"team_id": "t:sales", "source": "t", "name": "Sales"},
]
AGENTS = [
    {
        "agent_id": f"t:a{i}",
        "source": "t",
        "name": f"Agent {i}",
        "team_id": "t:care" if i <= 6 else "t:sales",
    }
    for i in range(1, 9)
]
# ticket: (channel, agent, language)
TICKETS = {
    "t:1": ("email", "t:a1", "fa"),
    "t:2": ("email", "t:a2", "en"),
    "t:3": ("chat", "t:a7", "ar"),
    "t:4": ("chat", "t:a8", "fa"),
}
#: (ticket, score, comment)
CSAT = [
    ("t:1", 5.0, "خیلی ممنونم، مشکلم حل شد"),
    ("t:2", 4.0, "great help, thanks a lot"),
    ("t:3", 1.0, "خدمة سيئة جدا ولم يتم حل المشكلة"),
    ("t:4", 5.0, None),
    ("t:2", 3.0, "terrible service, slow and rude"),
]
ENPS = {"t:care": [10, 9, 9, 8, 6, 3], "t:sales": [10, 10, 3]}
ENPS_LATER = {"t:care": [9] * 5, "t:sales": [0] * 5}
#: the first week (Monday 2 March … Sunday 8 March), as report bounds
WEEK = {"start": "2026-03-01", "end": "2026-03-09"}
PULSE = [  # (team, question, scale_min, scale_max, scores)
    ("t:care", "workload", 1, 5, [5, 4, 4, 3, 2]),
    ("t:care", "morale", 0, 10, [8, 7, 9, 10]),
    ("t:sales", "morale", 0, 10, [5, 6]),
]
#: team → statuses of pulse invitations
PULSE_INVITED = {
    "t:care": ["answered"] * 6 + ["sent", "expired", "queued", "failed"],
    "t:sales": ["answered", "answered", "expired"],
}


def responses() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, (ticket, score, comment) in enumerate(CSAT):
        rows.append(
            {
                "response_id": f"t:c{i}",
                "source": "t",
                "survey": "csat",
                "question": "csat",
                "scale_min": 1,
                "scale_max": 5,
                "score": score,
                "comment": comment,
                "ticket_id": ticket,
                "sent_at": day(3),
                "submitted_at": day(3, 12),
            }
        )
    for i in range(55):
        rows.append(
            {
                "response_id": f"t:u{i}",
                "source": "t",
                "survey": "csat",
                "question": "csat",
                "scale_min": 1,
                "scale_max": 5,
                "ticket_id": "t:1" if i < 30 else "t:3",
                "sent_at": day(4),
            }
        )
    # a later invitation: the surveys' data reach past the second eNPS week (closed)
    rows.append({**rows[-1], "response_id": "t:later", "sent_at": day(20)})
    k = 0
    for team, scores in ENPS.items():
        for score in scores:
            k += 1
            rows.append(_anonymous(f"t:e{k}", "enps", "enps", team, 0, 10, score))
    for team, scores in ENPS_LATER.items():
        for score in scores:
            k += 1
            rows.append(_anonymous(f"t:e{k}", "enps", "enps", team, 0, 10, score, day(9, 0)))
    for team, question, lo, hi, scores in PULSE:
        for score in scores:
            k += 1
            rows.append(_anonymous(f"t:p{k}", "pulse", question, team, lo, hi, score))
    return rows


def _anonymous(
    rid: str,
    survey: str,
    question: str,
    team: str,
    lo: int,
    hi: int,
    score: float,
    period_start: dt.datetime | None = None,
) -> dict[str, Any]:
    """An employee's answer as Sanjeh stores it: team and period only."""
    return {
        "response_id": rid,
        "source": "sanjeh",
        "survey": survey,
        "question": question,
        "scale_min": lo,
        "scale_max": hi,
        "score": float(score),
        "team_id": team,
        "language": "fa",
        "sent_at": period_start or day(2, 0),
        "submitted_at": period_start or day(2, 0),
    }


def invitations() -> list[dict[str, Any]]:
    rows = []
    for team, statuses in PULSE_INVITED.items():
        for j, status in enumerate(statuses):
            rows.append(_invitation(f"p-{team}-{j}", "pulse-weekly", team, status))
    for j in range(4):
        rows.append(_invitation(f"e-{j}", "enps-monthly", "t:care", "sent"))
    return rows


def _invitation(iid: str, survey_id: str, team: str, status: str) -> dict[str, Any]:
    return {
        "invitation_id": iid,
        "survey_id": survey_id,
        "version": 1,
        "agent_id": "t:a1",
        "team_id": team,
        "language": "fa",
        "period": "2026-W10",
        "sent_at": day(2, 8),
        "expires_at": day(9, 8),
        "answered_at": day(2, 0) if status == "answered" else None,
        "status": status,
    }


def definitions() -> list[dict[str, Any]]:
    return [
        {
            "row_id": f"{sid}@1",
            "survey_id": sid,
            "version": 1,
            "kind": kind,
            "definition": json.dumps({"survey_id": sid, "kind": kind}),
            "created_at": day(1),
            "created_by": "cli",
            "retired": False,
        }
        for sid, kind in (("pulse-weekly", "pulse"), ("enps-monthly", "enps"))
    ]


def load(store: Store) -> None:
    store.write("teams", TEAMS)
    store.write("agents", AGENTS)
    store.write(
        "tickets",
        [
            {
                "ticket_id": tid,
                "source": "t",
                "channel": channel,
                "agent_id": agent,
                "team_id": next(a["team_id"] for a in AGENTS if a["agent_id"] == agent),
                "language": lang,
                "created_at": day(3, 8),
            }
            for tid, (channel, agent, lang) in TICKETS.items()
        ],
    )
    store.write("survey_responses", responses())
    store.write("survey_definitions", definitions())
    store.write("survey_invitations", invitations())
