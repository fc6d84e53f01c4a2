"""Periods add up to the report, weeks start where the data's calendar says.

The data: one ticket a day at 12:00 UTC from 1 September to 31 October 2026, each
solved at 13:00, plus one never solved on 10 September and one on 10 October. The
data ends on 31 October 13:00 (its "now"). Hand-computed:

- 4 – 31 October (end 1 November exclusive): 28 + 1 = 29 tickets created.
- Monday weeks (24x7 UTC calendar): 28 Sep – 4 Oct clipped to 4 Oct (a Sunday): 1;
  5 – 11 Oct: 7 + the unsolved 10 Oct = 8; 12 and 19 Oct: 7 each; 26 Oct – 1 Nov,
  clipped at 1 Nov and not closed (the data ends on 31 Oct): 6.
- Backlog at each week's end: the 10 Sep ticket, and from 10 Oct the 10 Oct one.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from sanjeh.calendar import BusinessCalendar
from sanjeh.metrics import MetricsConfig, kpis
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store

FIRST = dt.date(2026, 9, 1)
DAYS = 61  # 1 September … 31 October
OPEN_DAYS = (dt.date(2026, 9, 10), dt.date(2026, 10, 10))


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _load(store: Store) -> None:
    tickets, events = [], []
    days = [FIRST + dt.timedelta(days=i) for i in range(DAYS)]
    for i, day in enumerate([*days, *OPEN_DAYS]):
        tid, solved = f"p:{i}", i < DAYS
        tickets.append(
            {
                "ticket_id": tid,
                "source": "p",
                "created_at": _at(day, 12),
                "channel": "email",
                "status": "solved" if solved else "open",
                "customer_id": f"p:c{i}",
            }
        )
        events.append(
            {
                "event_id": f"{tid}-1",
                "ticket_id": tid,
                "at": _at(day, 12),
                "kind": "created",
                "actor_type": "customer",
            }
        )
        if solved:
            events.append(
                {
                    "event_id": f"{tid}-2",
                    "ticket_id": tid,
                    "at": _at(day, 13),
                    "kind": "status",
                    "actor_type": "agent",
                    "status": "solved",
                }
            )
    store.write("tickets", tickets)
    store.write("events", events)


@pytest.fixture(scope="module", params=BACKENDS)
def daily(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with loaded_store(request.param, tmp_path_factory, _load) as store:
        yield store


UTC = MetricsConfig()
TEHRAN = MetricsConfig(
    calendars={"tehran": BusinessCalendar.preset("iran", name="tehran")},
    default_calendar="tehran",
)


def created(store: Store, config: MetricsConfig = UTC, **kw) -> pd.DataFrame:
    return kpis(store, ["tickets_created", "backlog"], config=config, hours="calendar", **kw)


def test_a_month_report_inside_one_month_counts_only_its_days(daily: Store) -> None:
    df = created(daily, start="2026-10-15", end="2026-10-17", period="month")
    row = df[df.kpi == "tickets_created"].iloc[0]
    assert (row.period, row.n) == ("2026-10", 2)  # 15 and 16 October, not 1 – 16
    assert row.period_start == pd.Timestamp("2026-10-15")
    assert bool(row.partial) is True
    # a few days against the whole of September would read as a collapse: no comparison
    assert math.isnan(row.previous) and math.isnan(row.change)
    backlog = df[df.kpi == "backlog"].iloc[0]
    assert backlog.value == 2  # open on 17 October 00:00: the 10 Sep and 10 Oct tickets


def test_weeks_add_up_to_the_whole_report(daily: Store) -> None:
    whole = created(daily, start="2026-10-04", end="2026-11-01")
    total = whole[whole.kpi == "tickets_created"].iloc[0].value
    assert total == 29
    weeks = created(daily, start="2026-10-04", end="2026-11-01", period="week")
    counts = weeks[weeks.kpi == "tickets_created"]
    assert list(counts.period) == [
        "2026-09-28",
        "2026-10-05",
        "2026-10-12",
        "2026-10-19",
        "2026-10-26",
    ]
    assert list(counts.n) == [1, 8, 7, 7, 6]
    assert counts.n.sum() == total
    assert list(counts.partial) == [True, False, False, False, True]
    assert list(counts.period_start.dt.day) == [4, 5, 12, 19, 26]
    # compared only where both weeks are whole: 12 Oct (7) with 5 Oct (8)
    assert counts.previous.isna().tolist() == [True, True, False, False, True]
    assert counts.change.iloc[2] == -1
    # the backlog at each week's end does not depend on the clipping
    backlog = weeks[weeks.kpi == "backlog"]
    assert list(backlog.value) == [1, 2, 2, 2, 2]


def test_months_add_up_too(daily: Store) -> None:
    months = created(daily, start="2026-09-15", end="2026-10-20", period="month")
    counts = months[months.kpi == "tickets_created"]
    assert list(counts.n) == [16, 19 + 1]  # 15 – 30 Sep; 1 – 19 Oct and the unsolved 10 Oct
    assert counts.partial.all()
    whole = created(daily, start="2026-09-15", end="2026-10-20")
    assert whole[whole.kpi == "tickets_created"].iloc[0].value == counts.n.sum()


def test_periods_after_the_data_have_no_number(daily: Store) -> None:
    weeks = created(daily, start="2026-10-26", end="2026-11-16", period="week")
    counts = weeks[weeks.kpi == "tickets_created"]
    assert list(counts.period) == ["2026-10-26", "2026-11-02", "2026-11-09"]
    assert counts.n.iloc[0] == 6
    assert counts.value.iloc[1:].isna().all()  # not "0 tickets": there is no data yet
    assert counts.note.iloc[1].startswith("no data yet")


def test_weeks_start_after_the_calendars_weekend(daily: Store) -> None:
    # Tehran hours: Friday is the weekend, so weeks run Saturday to Friday
    weeks = created(daily, TEHRAN, start="2026-10-03", end="2026-10-31", period="week")
    counts = weeks[weeks.kpi == "tickets_created"]
    assert [pd.Timestamp(p).day_name() for p in counts.period] == ["Saturday"] * 4
    assert list(counts.n) == [7, 7 + 1, 7, 7]  # Saturday 10 Oct (and its unsolved twin)
    # an explicit week start wins; the display language has no say in the library
    sunday = created(
        daily, start="2026-10-04", end="2026-11-01", period="week", week_start="sunday"
    )
    counts = sunday[sunday.kpi == "tickets_created"]
    assert [pd.Timestamp(p).day_name() for p in counts.period] == ["Sunday"] * 4


@pytest.mark.parametrize(
    ("preset", "day"),
    [("iran", "saturday"), ("gulf", "sunday"), ("weekdays", "monday"), ("24x7", "monday")],
)
def test_week_start_of_a_calendar(preset: str, day: str) -> None:
    assert BusinessCalendar.preset(preset).week_start == day
    config = MetricsConfig(
        calendars={"c": BusinessCalendar.preset(preset, name="c")}, default_calendar="c"
    )
    assert config.week_start == day
