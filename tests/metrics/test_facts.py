"""Ticket and reply facts against hand-computed values (DuckDB and PostgreSQL)."""

from __future__ import annotations

import pytest

from sanjeh.metrics import MetricOptions, MetricsConfig, build_facts
from sanjeh.store import Store

from .scenario import at, load

H = 3600.0


#: "now" long after the scenario (D3 10:20), so every FCR / reopen window has closed
CLOSED = at(30, 0)


def facts(store: Store, **options) -> dict[str, dict]:
    build_facts(store, MetricsConfig(options=MetricOptions(**options)))
    rows = store.con.table("facts_tickets").to_pyarrow().to_pylist()
    return {r["ticket_id"].split(":")[1]: r for r in rows}


def test_first_reply_resolution_and_waits(store: Store) -> None:
    load(store)
    f = facts(store)
    t1 = f["1"]
    assert t1["first_reply_s"] == H  # 09:00 → 10:00; the private note at 09:10 is no reply
    assert t1["first_reply_agent_id"] == "t:ali"
    assert t1["first_resolution_s"] == 5 * H  # solved first at 14:00
    assert t1["full_resolution_s"] == 25.5 * H  # solved again next day 10:30
    assert (t1["replies"], t1["notes"], t1["reopens"]) == (4, 1, 1)
    assert t1["requester_wait_s"] == 4.5 * H  # new 3h + open 1h + reopened 0.5h
    assert t1["agent_wait_s"] == H  # pending 12:00 → 13:00
    assert t1["one_touch"] is False
    assert t1["csat_score"] == 5.0
    # the data ends on D3: a recontact may still come, so FCR and reopen are pending
    assert (t1["fcr"], t1["fcr_pending"], t1["reopened"], t1["reopen_pending"]) == (
        None,
        True,
        None,
        True,
    )
    t1 = facts(store, as_of=CLOSED)["1"]
    assert (t1["fcr"], t1["reopened"]) == (False, True)  # reopened (within 7 days)
    assert (t1["fcr_pending"], t1["reopen_pending"]) == (False, False)


def test_agent_created_ticket_uses_the_second_public_comment(store: Store) -> None:
    load(store)
    t2 = facts(store)["2"]
    assert t2["created_by"] == "agent"
    assert t2["first_reply_s"] == 2 * H  # 09:00 → 11:00, not the agent's own 09:00 comment
    assert t2["replies"] == 2


def test_bots_do_not_reply_unless_asked(store: Store) -> None:
    load(store)
    t3 = facts(store)["3"]
    assert t3["first_reply_s"] == 300  # the bot's 09:00:05 message does not count
    assert t3["replies"] == 1 and t3["bot_messages"] == 1
    assert t3["one_touch"] is True
    assert facts(store, first_reply_start="handoff")["3"]["first_reply_s"] == 240
    assert facts(store, count_bot_replies=True)["3"]["first_reply_s"] == 5


def test_open_merged_and_recontact(store: Store) -> None:
    load(store)
    f = facts(store, as_of=CLOSED)
    assert f["4"]["is_solved"] is False and f["4"]["first_reply_s"] is None
    assert f["4"]["fcr"] is None and f["4"]["one_touch"] is None
    assert f["4"]["fcr_pending"] is False  # unsolved: nothing to wait for
    assert f["5"]["is_merged"] is True
    # T2 solved day 0 11:00; the same customer opened T6 on day 3: within 7 days
    assert f["2"]["fcr"] is False
    assert facts(store, fcr_window_days=2, as_of=CLOSED)["2"]["fcr"] is True
    assert f["6"]["fcr"] is True and f["3"]["fcr"] is True


def test_conversion_and_sla(store: Store) -> None:
    load(store)
    f = facts(store)
    assert f["3"]["converted"] is True  # upgrade 2 days after being solved
    assert f["1"]["converted"] is False
    assert f["4"]["converted"] is None  # not solved
    # standard policy: first reply within 24 calendar hours
    assert f["1"]["sla_first_reply_met"] is True
    # T4 opened day 1 09:00, unanswered; as-of is the last event (day 3 10:20) → breached
    assert f["4"]["sla_first_reply_met"] is False
    info = build_facts(store, MetricsConfig())
    assert info.as_of == at(3, 10, 20)
    # when a fact may change without new data (``recheck_at``): T4's breach is settled;
    # T1 waits for its reopen window (first solved D0 14:00 + 7 days) and its FCR window
    # (solved D1 10:30 + 7 days): the earlier
    assert f["4"]["recheck_at"] is None
    assert f["1"]["recheck_at"] == at(7, 14)


def test_reply_facts(store: Store) -> None:
    load(store)
    build_facts(store, MetricsConfig())
    rows = store.con.table("facts_replies").to_pyarrow().to_pylist()
    by_ticket: dict[str, list[float]] = {}
    for r in sorted(rows, key=lambda r: (r["ticket_id"], r["reply_number"])):
        by_ticket.setdefault(r["ticket_id"], []).append(r["response_s"])
    # T1: 09:00→10:00, 11:00(first unanswered)→12:00, 13:00→14:00, next day 10:00→10:30
    assert by_ticket["t:1"] == [H, H, H, 0.5 * H]
    assert by_ticket["t:2"] == [H]  # the agent's opening comment answers nobody
    assert by_ticket["t:3"] == [300.0]
    assert "t:4" not in by_ticket
    build_facts(store, MetricsConfig(options=MetricOptions(response_clock="last_message")))
    rows = store.con.table("facts_replies").to_pyarrow().to_pylist()
    t1 = sorted(r["response_s"] for r in rows if r["ticket_id"] == "t:1")
    assert t1 == [0.5 * H, 0.5 * H, H, H]  # 11:30 → 12:00 now


@pytest.mark.parametrize("business", [False])
def test_business_seconds_default_calendar_is_round_the_clock(store: Store, business) -> None:
    load(store)
    f = facts(store)
    assert f["1"]["first_reply_bs"] == f["1"]["first_reply_s"]
    assert f["1"]["requester_wait_bs"] == f["1"]["requester_wait_s"]
