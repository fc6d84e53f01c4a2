"""Business hours, holidays, time zones and DST in facts and KPI periods."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sanjeh.calendar import BusinessCalendar
from sanjeh.metrics import MetricsConfig, build_facts, kpis
from sanjeh.store import Store

UTC = dt.UTC
WEEKDAYS = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}


def ticket_with_reply(
    store: Store, tid: str, team: str, created: dt.datetime, replied: dt.datetime
) -> None:
    store.write(
        "tickets",
        [
            {
                "ticket_id": f"b:{tid}",
                "source": "b",
                "created_at": created,
                "team_id": f"b:{team}",
                "status": "open",
                "channel": "email",
            }
        ],
    )
    store.write(
        "events",
        [
            {
                "event_id": f"b:{tid}-1",
                "ticket_id": f"b:{tid}",
                "at": created,
                "kind": "created",
                "actor_type": "customer",
            },
            {
                "event_id": f"b:{tid}-2",
                "ticket_id": f"b:{tid}",
                "at": created,
                "kind": "message",
                "actor_type": "customer",
                "public": True,
            },
            {
                "event_id": f"b:{tid}-3",
                "ticket_id": f"b:{tid}",
                "at": replied,
                "kind": "message",
                "actor_type": "agent",
                "actor_id": "b:agent",
                "public": True,
            },
        ],
    )


@pytest.fixture
def office(store: Store) -> tuple[Store, MetricsConfig]:
    store.write(
        "teams",
        [
            {"team_id": "b:office", "source": "b", "calendar": "office"},
            {"team_id": "b:berlin", "source": "b", "calendar": "berlin"},
            {"team_id": "b:tehran", "source": "b", "calendar": "tehran"},
            {"team_id": "b:nowhere", "source": "b", "calendar": "not-configured"},
        ],
    )
    # Friday 16:00 UTC → Monday 10:00 UTC; Monday 9 March 2026 is a company holiday
    ticket_with_reply(
        store,
        "weekend",
        "office",
        dt.datetime(2026, 3, 6, 16, tzinfo=UTC),
        dt.datetime(2026, 3, 9, 10, tzinfo=UTC),
    )
    # Friday 16:00 Berlin (CET) → Monday 10:00 Berlin (CEST: clocks went forward on Sunday)
    berlin = ZoneInfo("Europe/Berlin")
    ticket_with_reply(
        store,
        "dst",
        "berlin",
        dt.datetime(2026, 3, 27, 16, tzinfo=berlin),
        dt.datetime(2026, 3, 30, 10, tzinfo=berlin),
    )
    # Tuesday 10 March 00:30 in Tehran is Monday 21:00 UTC; Tehran works Sat-Wed 08-16
    # (1-7 March 2026 are public holidays in Iran, so the test stays clear of them)
    ticket_with_reply(
        store,
        "tehran",
        "tehran",
        dt.datetime(2026, 3, 9, 21, tzinfo=UTC),
        dt.datetime(2026, 3, 10, 6, tzinfo=UTC),
    )
    ticket_with_reply(
        store,
        "nowhere",
        "nowhere",
        dt.datetime(2026, 3, 2, 10, tzinfo=UTC),
        dt.datetime(2026, 3, 2, 11, tzinfo=UTC),
    )
    config = MetricsConfig(
        calendars={
            "office": BusinessCalendar(
                timezone="UTC", weekly=WEEKDAYS, extra_holidays=[dt.date(2026, 3, 9)], name="office"
            ),
            "berlin": BusinessCalendar(timezone="Europe/Berlin", weekly=WEEKDAYS, name="berlin"),
            "tehran": BusinessCalendar.preset("iran", name="tehran"),
        },
        default_calendar="tehran",
    )
    return store, config


def _facts(store: Store, config: MetricsConfig) -> dict[str, dict]:
    build_facts(store, config)
    rows = store.con.table("facts_tickets").to_pyarrow().to_pylist()
    return {r["ticket_id"].split(":")[1]: r for r in rows}


def test_weekend_and_holiday_are_not_business_time(office) -> None:
    store, config = office
    f = _facts(store, config)["weekend"]
    assert f["first_reply_s"] == 66 * 3600  # Friday 16:00 → Monday 10:00
    assert f["first_reply_bs"] == 3600  # only Friday 16-17: the weekend and the holiday
    assert f["calendar"] == "office"


def test_business_time_across_a_dst_change(office) -> None:
    store, config = office
    f = _facts(store, config)["dst"]
    assert f["first_reply_s"] == 65 * 3600  # the Sunday lost an hour
    assert f["first_reply_bs"] == 2 * 3600  # Friday 16-17 and Monday 09-10, local


def test_tehran_calendar_and_unknown_calendar_falls_back(office) -> None:
    store, config = office
    facts = _facts(store, config)
    # created Tuesday 00:30 local, answered 09:30 local: business 08:00 → 09:30
    assert facts["tehran"]["first_reply_bs"] == 1.5 * 3600
    assert facts["nowhere"]["calendar"] == "tehran"  # the default calendar


def test_periods_follow_the_business_time_zone(office) -> None:
    store, config = office
    df = kpis(store, ["tickets_created"], period="day", filters={"team": "b:tehran"}, config=config)
    days = df[df.value > 0].period.tolist()
    assert days == ["2026-03-10"]  # Tuesday in Tehran although Monday in UTC
    df = kpis(store, ["tickets_created"], period="jalali_month", config=config)
    assert set(df[df.value > 0].period) == {"1404-12", "1405-01"}  # Esfand, Farvardin
    march = df[df.period == "1404-12"].value.sum()
    assert march == 3  # 2, 6 and 10 March; the Berlin ticket (27 March) is in Farvardin


def test_business_and_calendar_hours_in_kpis(office) -> None:
    store, config = office
    biz = kpis(store, ["first_reply_time"], filters={"team": "b:office"}, config=config)
    cal = kpis(
        store, ["first_reply_time"], filters={"team": "b:office"}, config=config, hours="calendar"
    )
    assert biz.value.iloc[0] == 3600 and cal.value.iloc[0] == 66 * 3600
