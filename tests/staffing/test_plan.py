"""Plans from the store: arrivals, handle time, patience, shrinkage, shifts, hiring.

A hand-made call centre: three weeks (Mon 2026-01-05 … Sun 2026-01-25, UTC) of four
calls a day joining the queue at 09:00, 09:10, 09:40 and 10:05; the 09:40 caller hangs
up after 60 s, the others are answered after 20 s and handled in 100 + 10 + 30 s. One
agent is scheduled 08:00–12:00 every day and logged in 08:00–11:00.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sanjeh.errors import StaffingError
from sanjeh.staffing import PlanOptions, load_inputs, plan, required_agents
from sanjeh.staffing._coverage import agents_per_interval
from sanjeh.store import Store

UTC = dt.UTC
DAY1 = dt.datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
DAYS = 21
QUEUED = ((9, 0), (9, 10), (9, 40), (10, 5))


def _at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return DAY1 + dt.timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def _calls() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for day in range(DAYS):
        for k, (h, m) in enumerate(QUEUED):
            queued = _at(day, h, m)
            row: dict[str, object] = {
                "call_id": f"t:{day}-{k}",
                "source": "t",
                "queue": "general",
                "started_at": queued - dt.timedelta(seconds=30),
                "queued_at": queued,
            }
            if (h, m) == (9, 40):
                row |= {"outcome": "abandoned", "ended_at": queued + dt.timedelta(seconds=60)}
            else:
                answered = queued + dt.timedelta(seconds=20)
                row |= {
                    "outcome": "answered",
                    "answered_at": answered,
                    "ended_at": answered + dt.timedelta(seconds=140),
                    "talk_s": 100.0,
                    "hold_s": 10.0,
                    "wrap_s": 30.0,
                    "agent_id": "t:a1",
                }
            rows.append(row)
        # never offered to an agent: an IVR-only call and a phantom
        rows.append({"call_id": f"t:{day}-ivr", "source": "t", "started_at": _at(day, 9, 20),
                     "outcome": "ivr", "ivr_s": 40.0})  # fmt: skip
        rows.append({"call_id": f"t:{day}-x", "source": "t", "started_at": _at(day, 9, 21),
                     "outcome": "other"})  # fmt: skip
    return rows


def _shifts(days: range) -> list[dict[str, object]]:
    rows = []
    for day in days:
        rows.append({"shift_id": f"t:s{day}", "agent_id": "t:a1", "kind": "scheduled",
                     "start_at": _at(day, 8), "end_at": _at(day, 12)})  # fmt: skip
        rows.append({"shift_id": f"t:l{day}", "agent_id": "t:a1", "kind": "logged_in",
                     "start_at": _at(day, 8), "end_at": _at(day, 11)})  # fmt: skip
    return rows


def _fill(store: Store, days: int = DAYS) -> Store:
    store.write("teams", [{"team_id": "t:phones", "source": "t", "name": "Phones"}])
    store.write("agents", [{"agent_id": "t:a1", "source": "t", "team_id": "t:phones"}])
    last = DAY1 + dt.timedelta(days=days)
    store.write("calls", [c for c in _calls() if c["started_at"] < last])  # type: ignore[operator]
    store.write("agent_shifts", _shifts(range(days)))
    return store


@pytest.fixture
def centre(store: Store) -> Store:
    return _fill(store)


def test_agents_per_interval_adds_the_covered_share_of_each_interval() -> None:
    covered = agents_per_interval(
        np.array([0.0, 900, 100]), np.array([3600.0, 2700, 200]), 0, 3, 1800
    )
    assert covered == pytest.approx([1 + 0.5 + 100 / 1800, 1.5, 0.0])
    # clipped to the grid; a span inside the last interval
    clipped = agents_per_interval(np.array([-100.0, 5000]), np.array([1e4, 5400]), 0, 3, 1800)
    assert clipped == pytest.approx([1.0, 1.0, 1 + 400 / 1800])


def test_inputs_measured_from_the_store(centre: Store) -> None:
    options = PlanOptions(channel="phone", weeks=2)
    inputs = load_inputs(centre, options)
    # the latest arrival (day 21, 10:05) is "now": its interval has not closed
    assert inputs.as_of == pd.Timestamp(_at(20, 10, 5))
    history = inputs.history
    assert history.index[0] == pd.Timestamp(DAY1)
    assert history.index[-1] == pd.Timestamp(_at(20, 9, 30))
    assert history.sum() == DAYS * 4 - 1  # IVR-only and phantom calls are not offered
    by_slot = history.groupby(history.index.strftime("%H:%M")).sum()
    assert by_slot.to_dict() == {
        **{k: 0.0 for k in by_slot.index},
        "09:00": 2.0 * DAYS,
        "09:30": 1.0 * DAYS,
        "10:00": 1.0 * (DAYS - 1),
    }
    assert inputs.aht.value == pytest.approx(140.0) and inputs.aht.basis == "measured"
    assert "62 answered calls" in inputs.aht.detail
    # every queued caller's wait / callers who hung up: (20·120 + 100) s / 21
    assert inputs.patience.value == pytest.approx(2500 / 21)
    # 1 − logged-in / scheduled hours up to "now" (day 21 cut at 10:00)
    assert inputs.shrinkage.value == pytest.approx(1 - (20 * 3 + 2) / (20 * 4 + 2))
    # the plan starts on the Monday after the data; the last whole week is repeated
    assert inputs.plan_start == pd.Timestamp(_at(21))
    assert inputs.scheduled_repeats and "2026-01-12" in inputs.scheduled_basis
    assert inputs.headcount == 1 and inputs.hours_per_agent_week == pytest.approx(28.0)
    on_shift = inputs.scheduled.groupby(inputs.scheduled.index.hour).mean()
    assert on_shift.loc[8:11].tolist() == [1.0] * 4 and on_shift.drop(range(8, 12)).eq(0).all()


def test_plan_requirement_is_erlang_on_the_forecast(centre: Store) -> None:
    options = PlanOptions(channel="phone", weeks=2, model="erlang_a")
    result = plan(load_inputs(centre, options))
    iv = result.intervals
    assert len(iv) == 2 * 7 * 48 and iv.index[0] == pd.Timestamp(_at(21))
    # nothing ever arrived outside 09:00–10:30: closed, no agents needed there
    slots = iv.index.strftime("%H:%M")
    open_ = np.isin(slots, ["09:00", "09:30", "10:00"])
    assert (iv.forecast[~open_] == 0).all() and (iv.required[~open_] == 0).all()
    assert (iv.forecast[open_] > 0).all()
    expected = required_agents(
        iv.forecast.to_numpy(), 1800, 140.0, 20, 0.8, model="erlang_a",
        patience_s=2500 / 21, shrinkage=result.shrinkage.value,
    )  # fmt: skip
    assert iv.required.to_numpy() == pytest.approx(expected.agents)
    assert iv.gap.to_numpy() == pytest.approx((iv.scheduled - iv.required).to_numpy())
    # the heat map is the mean gap per weekday × hour
    monday_nine = iv[(iv.index.day_of_week == 0) & (iv.index.hour == 9)].gap.mean()
    assert result.heatmap.loc[0, 9] == pytest.approx(monday_nine)
    assert json.dumps(result.to_dict(), allow_nan=False)


def test_what_if_changes_only_the_arithmetic(centre: Store) -> None:
    base = PlanOptions(channel="phone", weeks=1)
    inputs = load_inputs(centre, base)
    before = plan(inputs, base).intervals.required.sum()
    longer = plan(inputs, base.replace(aht_s=1200.0))
    assert longer.aht.basis == "option" and longer.intervals.required.sum() > before
    stricter = plan(inputs, base.replace(target_s=2.0, service_level=0.95))
    assert stricter.intervals.required.sum() >= before
    assert plan(inputs, base.replace(shrinkage=0.0)).intervals.required.sum() <= before
    with pytest.raises(StaffingError, match="load_inputs"):
        plan(inputs, base.replace(weeks=3))


def test_hiring_date_and_count(centre: Store) -> None:
    options = PlanOptions(channel="phone", weeks=4, aht_s=3600.0, ramp_weeks=1)
    result = plan(load_inputs(centre, options), options)
    weeks = result.weeks
    assert len(weeks) == 4 and weeks.short.all()
    first = dt.date(2026, 1, 26)
    need = int((weeks.needed_headcount - weeks.headcount).max())
    assert result.hiring.first_short_week == first and result.hiring.hires == need > 0
    # ramp-up of a week: hiring by then is already too late
    assert result.hiring.hire_by == first - dt.timedelta(weeks=1)
    assert result.hiring.message.startswith(f"Hire {need} now")
    assert weeks.required_hours.iloc[0] == pytest.approx(
        result.intervals.required.iloc[: 7 * 48].sum() / 2
    )


def test_attrition_shrinks_a_repeated_week(centre: Store) -> None:
    options = PlanOptions(channel="phone", weeks=8, attrition=0.5)
    result = plan(load_inputs(centre, options), options)
    heads = result.weeks.headcount
    assert heads.is_monotonic_decreasing and heads.iloc[-1] < heads.iloc[0] < 1
    days = (pd.Timestamp("2026-03-16", tz="UTC") - result.inputs.as_of).total_seconds() / 86400
    assert heads.iloc[-1] == pytest.approx(0.5 ** (days / 365.25))


def test_scheduled_shifts_for_the_plan_are_used(centre: Store) -> None:
    centre.write("agent_shifts", [{"shift_id": "t:future", "agent_id": "t:a1", "kind": "scheduled",
                                   "start_at": _at(22, 9), "end_at": _at(22, 9, 45)}])  # fmt: skip
    inputs = load_inputs(centre, PlanOptions(channel="phone", weeks=1))
    assert not inputs.scheduled_repeats
    assert inputs.scheduled.sum() == pytest.approx(1.5)  # 45 minutes on a 30-minute grid
    assert inputs.scheduled[pd.Timestamp(_at(22, 9, 30))] == pytest.approx(0.5)


def test_too_little_history_says_why(duckdb_store: Store) -> None:
    _fill(duckdb_store, days=10)
    inputs = load_inputs(duckdb_store, PlanOptions(channel="phone"))
    assert inputs.forecast.empty and inputs.aht.value == pytest.approx(140.0)
    assert any("14 days" in note for note in inputs.notes)
    result = plan(inputs)
    assert result.intervals.empty and result.hiring.first_short_week is None
    assert "No hiring answer" in result.hiring.message


def test_no_arrivals_and_no_handle_time_are_explained(centre: Store) -> None:
    email = plan(load_inputs(centre, PlanOptions(channel="email")))
    assert email.intervals.empty and any("No email tickets" in n for n in email.notes)
    centre.write("tickets", [{"ticket_id": f"t:{d}", "source": "t", "channel": "chat",
                              "created_at": _at(d, 10)} for d in range(DAYS)])  # fmt: skip
    chat = plan(load_inputs(centre, PlanOptions(channel="chat")))
    assert chat.aht.value is None and chat.intervals.required.isna().all()
    assert any('[staffing.aht] chat = "8m"' in n for n in chat.notes)
    given = PlanOptions(channel="chat", default_aht_s=(("chat", 480.0),))
    chat = plan(load_inputs(centre, given))
    assert chat.aht.basis == "setting" and chat.intervals.required.max() > 0


@pytest.mark.parametrize(
    ("change", "argument"),
    [
        ({"weeks": 0}, "weeks"),
        ({"interval_minutes": 20}, "interval_minutes"),
        ({"service_level": 1.5}, "service_level"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"attrition": -0.1}, "attrition"),
        ({"aht_s": 0}, "aht_s"),
        ({"target_s": float("nan")}, "target_s"),
        ({"model": "erlang_x"}, "model"),
    ],
)
def test_bad_options_name_the_argument(change: dict[str, object], argument: str) -> None:
    with pytest.raises(StaffingError) as caught:
        PlanOptions(**change)  # type: ignore[arg-type]
    assert caught.value.argument == argument


REAL = "callcenter/anonbank_one_day_1999-08.csv"


def test_one_real_day_measured_like_an_independent_reading(
    duckdb_store: Store, shared_data: Path
) -> None:
    """Arrivals per half hour, AHT and patience of the Anonymous Bank day, recomputed
    from the file's documented columns (seconds after midnight, 0:00:00 = no stage)."""
    from sanjeh.ingest import import_file

    path = shared_data / REAL
    import_file(duckdb_store, path)
    log = pd.read_csv(path, dtype=str)
    for col in ("vru_entry", "q_start", "q_exit", "ser_start"):
        log[col] = pd.to_timedelta(log[col]).dt.total_seconds().where(log[col] != "0:00:00")
    log = log[pd.to_numeric(log.vru_time) >= 0]  # clocks that disagree: rejected at import
    answered, queued = log.outcome == "AGENT", log.q_start.notna()
    abandoned = (log.outcome == "HANG") & queued
    offered = log[answered | abandoned]
    start = offered.q_start.fillna(offered.ser_start)
    per_half_hour = (start // 1800).value_counts().sort_index()

    # the file's clock times are local: its midnight is the first IVR entry less its clock
    calls = duckdb_store.table("calls")
    midnight = pd.Timestamp(calls.started_at.min().execute()) - pd.Timedelta(
        seconds=log.vru_entry.min()
    )
    after = (midnight + pd.Timedelta(days=2)).to_pydatetime()
    inputs = load_inputs(duckdb_store, PlanOptions(channel="phone"), as_of=after)
    got = inputs.history[inputs.history > 0]
    slots = ((got.index - midnight).total_seconds() // 1800).astype(int)
    assert dict(zip(slots, got.to_numpy(), strict=True)) == per_half_hour.to_dict()
    assert any("14 days" in note for note in inputs.notes)

    served = answered & log.ser_start.notna()
    assert inputs.aht.value == pytest.approx(pd.to_numeric(log.ser_time[served]).mean())
    # the log's queue and service clocks disagree by a second or two (the importer
    # settles each call, docs/formats.md): the estimate lies between the reading by the
    # service clock and the one by the documented queue time q_time
    wait_answered = (log.ser_start - log.q_start)[answered & queued].clip(lower=0)
    wait_abandoned = (log.q_exit - log.q_start)[abandoned]
    by_clock = (wait_answered.sum() + wait_abandoned.sum()) / abandoned.sum()
    by_q_time = pd.to_numeric(log.q_time)[(answered | abandoned) & queued].sum() / abandoned.sum()
    assert by_clock <= inputs.patience.value <= by_q_time
    assert by_q_time / by_clock < 1.01
    # censoring: about six minutes, four times the mean wait of those who hung up
    assert inputs.patience.value > 4 * wait_abandoned.mean()


def test_a_team_calendar_that_is_not_configured_is_said(centre: Store) -> None:
    from sanjeh.calendar import BusinessCalendar
    from sanjeh.staffing import team_calendar

    centre.write("teams", [{"team_id": "t:phones", "source": "t", "calendar": "riyadh"}])
    calendars = {"24x7": BusinessCalendar.preset("24x7")}
    calendar = team_calendar(centre, "t:phones", calendars, "24x7")
    assert calendar is calendars["24x7"]
    inputs = load_inputs(centre, PlanOptions(team="t:phones"), calendar=calendar)
    assert any("'riyadh', which is not configured" in note for note in inputs.notes)
