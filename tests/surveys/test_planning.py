"""Who is invited: triggers, the look-back window, sampling per customer, periods of
employee surveys (expectations worked out by hand from the rows below)."""

from __future__ import annotations

import dataclasses

from sanjeh.store import Store
from sanjeh.surveys import create_survey, default_definitions, plan_invitations, send_invitations

from ._support import at, people, solved_event, ticket

BASE = "https://support.example"


def _world(store: Store) -> None:
    people(store)
    store.write(
        "tickets",
        [
            ticket(1, "t:c1", at(9, 10)),  # c1's latest: asked
            ticket(2, "t:c1", at(8)),  # c1 again: only the latest ticket is asked
            ticket(3, "t:c2", at(5), status="closed"),  # no status event: updated_at
            ticket(4, "t:c3", at(2)),  # solved before the 7-day window
            ticket(5, "t:c4", at(9), status="open"),  # reopened since
            ticket(6, None, at(9)),  # no customer to ask
            ticket(7, "t:c3", at(10, 13)),  # solved after "now"
            ticket(8, "t:c4", at(9, 9), channel="chat", language="en-US"),
            ticket(9, "t:c2", at(9), merged_into="t:3"),  # merged away
        ],
    )
    store.write(
        "events",
        [
            solved_event(1, at(9, 10)),
            solved_event(2, at(8)),
            solved_event(4, at(2)),
            solved_event(5, at(9)),
            solved_event(7, at(10, 13)),
            solved_event(8, at(4)),
            solved_event(8, at(9, 9), "closed"),  # the last one counts
            solved_event(9, at(9)),
        ],
    )
    # c2 was asked on 1 December (about another ticket)
    store.write(
        "survey_invitations",
        [
            {
                "invitation_id": "earlier",
                "survey_id": "csat-after-solve",
                "version": 1,
                "ticket_id": "t:99",
                "customer_id": "t:c2",
                "sent_at": at(1),
                "expires_at": at(8),
                "status": "sent",
            }
        ],
    )


def _csat(store: Store, **changes: object) -> None:
    d = default_definitions()["csat-after-solve"]
    create_survey(store, dataclasses.replace(d, **changes))


def test_solved_tickets_in_the_window_latest_per_customer(store: Store) -> None:
    _world(store)
    _csat(store)
    planned = plan_invitations(store, "csat-after-solve", now=at(10))
    # window (3 Dec 12:00, 10 Dec 12:00]; c2 asked 9 days ago (sample_days 30)
    assert [(i.ticket_id, i.customer_id) for i in planned] == [("t:8", "t:c4"), ("t:1", "t:c1")]
    first = planned[1]
    assert (first.language, first.team_id, first.agent_id, first.channel) == (
        "fa",  # the ticket has none: the customer's
        "t:sales",
        "t:a1",
        "email",
    )
    assert planned[0].language == "en"  # the ticket's "en-US"
    assert first.sent_at == at(10) and first.expires_at == at(17) and first.status == "queued"
    assert len({i.invitation_id for i in planned}) == 2
    assert all(len(i.invitation_id) >= 22 for i in planned)  # 16 random bytes, base64


def test_the_sampling_window_lets_a_customer_be_asked_again(store: Store) -> None:
    _world(store)
    _csat(store, sample_days=5)  # 1 December is more than 5 days before 10 December
    planned = plan_invitations(store, "csat-after-solve", now=at(10))
    assert [i.ticket_id for i in planned] == ["t:3", "t:8", "t:1"]
    assert planned[0].language == "ar"  # c2's language
    _csat(store, sample_days=9)  # 1 Dec 12:00 is exactly 9 days before: still too recent
    assert [i.ticket_id for i in plan_invitations(store, "csat-after-solve", now=at(10))] == [
        "t:8",
        "t:1",
    ]


def test_channels_and_look_back(store: Store) -> None:
    _world(store)
    _csat(store, channels=("chat",))
    assert [i.ticket_id for i in plan_invitations(store, "csat-after-solve", now=at(10))] == ["t:8"]
    _csat(store, lookback_days=1)  # (9 Dec 12:00, 10 Dec 12:00]: nothing was solved then
    assert plan_invitations(store, "csat-after-solve", now=at(10)) == []
    _csat(store, lookback_days=2)  # ticket 1 (9 Dec 10:00) and 8 (9 Dec 09:00)
    assert [i.ticket_id for i in plan_invitations(store, "csat-after-solve", now=at(10))] == [
        "t:8",
        "t:1",
    ]


def test_nobody_is_asked_twice(store: Store) -> None:
    _world(store)
    _csat(store, sample_days=0)
    sent = send_invitations(store, "csat-after-solve", now=at(10), base_url=BASE)
    assert [i.ticket_id for i in sent.invitations] == ["t:3", "t:8", "t:1"]
    # at the same moment everyone just asked is "within 0 days"
    assert plan_invitations(store, "csat-after-solve", now=at(10)) == []
    # a minute later: the same tickets are never asked again; c1's older ticket 2 (passed
    # over for ticket 1: one per customer and plan) is asked now
    soon = plan_invitations(store, "csat-after-solve", now=at(10, 12, 1))
    assert [i.ticket_id for i in soon] == ["t:2"]
    # ticket 7, solved at 13:00, joins it then
    later = plan_invitations(store, "csat-after-solve", now=at(10, 13))
    assert [i.ticket_id for i in later] == ["t:2", "t:7"]


def test_calls_that_ended(store: Store) -> None:
    people(store)
    call = {"source": "t", "queue": "q", "started_at": at(9, 8)}
    store.write(
        "calls",
        [
            {**call, "call_id": "t:k1", "customer_id": "t:c1", "outcome": "answered",
             "agent_id": "t:a2", "ended_at": at(9, 9)},
            {**call, "call_id": "t:k2", "customer_id": "t:c2", "outcome": "abandoned",
             "ended_at": at(9, 9)},
            {**call, "call_id": "t:k3", "customer_id": None, "outcome": "answered",
             "ended_at": at(9, 9)},
            {**call, "call_id": "t:k4", "customer_id": "t:c3", "outcome": "answered",
             "agent_id": "t:a1", "ended_at": at(1, 9)},
        ],
    )  # fmt: skip
    d = dataclasses.replace(default_definitions()["ces-after-solve"], trigger="call_ended")
    create_survey(store, d)
    planned = plan_invitations(store, "ces-after-solve", now=at(10))
    assert [(i.call_id, i.team_id, i.channel, i.language) for i in planned] == [
        ("t:k1", "t:care", "phone", "fa")
    ]
    send_invitations(store, "ces-after-solve", now=at(10), base_url=BASE)
    assert plan_invitations(store, "ces-after-solve", now=at(10, 13)) == []


def test_employee_surveys_ask_every_active_agent_once_per_period(store: Store) -> None:
    people(store, agents=3)
    store.write(
        "agents",
        [
            {"agent_id": "t:bot", "source": "t", "is_bot": True, "team_id": "t:care"},
            {"agent_id": "t:gone", "source": "t", "left_at": at(1), "team_id": "t:care"},
            {"agent_id": "t:new", "source": "t", "hired_at": at(20), "team_id": "t:care"},
        ],
    )
    d = dataclasses.replace(default_definitions()["pulse-weekly"], every_weeks=2)
    create_survey(store, d)
    planned = plan_invitations(store, "pulse-weekly", now=at(10))
    assert [(i.agent_id, i.team_id, i.period) for i in planned] == [
        ("t:a1", "t:sales", "2026-W50"),
        ("t:a2", "t:care", "2026-W50"),
        ("t:a3", "t:sales", "2026-W50"),
    ]
    assert all(i.customer_id is None and i.ticket_id is None for i in planned)
    send_invitations(store, "pulse-weekly", now=at(10), base_url=BASE)
    assert plan_invitations(store, "pulse-weekly", now=at(11)) == []  # the same week
    assert plan_invitations(store, "pulse-weekly", now=at(15)) == []  # W51: every 2 weeks
    due = plan_invitations(store, "pulse-weekly", now=at(21))  # W52; t:new hired on the 20th
    assert [(i.agent_id, i.period) for i in due] == [
        ("t:a1", "2026-W52"),
        ("t:a2", "2026-W52"),
        ("t:a3", "2026-W52"),
        ("t:new", "2026-W52"),
    ]
