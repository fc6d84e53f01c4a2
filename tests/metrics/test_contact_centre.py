"""Contact-centre KPIs planning needs, on hand-computed shifts and calls (DuckDB and
PostgreSQL): occupancy, utilisation, schedule adherence, IVR containment, transfer rate.

Times are UTC from Monday 2026-03-02 (D0); the default calendar is 24x7 UTC, so a day
is a UTC day. Spans count, whole, in the period their start falls in.

Agents (all in team t:cc, except reza in t:night):

- ali: scheduled D0 08:00-16:00 (28,800 s). Logged in 07:50-12:00 and 11:30-13:00
  (overlapping: one stretch 07:50-13:00, 18,600 s) and 13:30-16:30 (10,800 s):
  29,400 s logged in (31,200 s if the overlap were counted twice). Within the
  schedule: 08:00-13:00 (18,000) + 13:30-16:00 (9,000) = 27,000 s.
- reza: a night shift, scheduled D0 22:00 - D1 06:00 (28,800 s, counts on D0). Logged
  in D0 22:10 - D1 02:00 (13,800 s, D0) and D1 02:30-06:20 (13,800 s, D1). Within the
  schedule: 13,800 + 12,600 (02:30-06:00) = 26,400 s.
- nima: logged in D0 09:00-17:00 (28,800 s), no schedule recorded at all.
- mina: scheduled D0 09:00-13:00 (14,400 s), no login recorded at all.
- pat: handles a call, has no shift rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sanjeh.calendar import BusinessCalendar
from sanjeh.ingest import import_file
from sanjeh.metrics import MetricOptions, MetricsConfig, build_facts, kpis
from sanjeh.store import Store

D0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
KPIS = ["occupancy", "utilisation", "schedule_adherence", "ivr_containment_rate", "transfer_rate"]
#: hand-computed over the whole data: (value, n)
EXPECTED = {
    # handle (ali 780 + 300, reza 900 + 1,500, nima 1,200) / logged in (ali 29,400,
    # reza 27,600, nima 28,800); pat's call (no logged-in time) is left out
    "occupancy": (4680 / 85800, 5),
    # ali and reza (both kinds recorded): (29,400 + 27,600) / (28,800 + 28,800)
    "utilisation": (57000 / 57600, 2),
    "schedule_adherence": ((27000 + 26400) / 57600, 2),
    # entered the IVR: calls 1, 2, 5, 6, 7, 9, 10, 12; ended there: 6, 7
    "ivr_containment_rate": (2 / 8, 8),
    # handled by an agent: 1, 2, 3, 4, 5, 12; transferred by an agent: 2
    "transfer_rate": (1 / 6, 6),
}


def t(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return D0 + dt.timedelta(days=day, hours=hour, minutes=minute)


def shift(n: str, agent: str, kind: str, start: dt.datetime, end: dt.datetime) -> dict:
    return {"shift_id": f"t:{n}", "agent_id": f"t:{agent}", "start_at": start, "end_at": end,
            "kind": kind}  # fmt: skip


SHIFTS = [
    shift("ali-s", "ali", "scheduled", t(0, 8), t(0, 16)),
    shift("ali-1", "ali", "logged_in", t(0, 7, 50), t(0, 12)),
    shift("ali-2", "ali", "logged_in", t(0, 11, 30), t(0, 13)),
    shift("ali-3", "ali", "logged_in", t(0, 13, 30), t(0, 16, 30)),
    shift("reza-s", "reza", "scheduled", t(0, 22), t(1, 6)),
    shift("reza-1", "reza", "logged_in", t(0, 22, 10), t(1, 2)),
    shift("reza-2", "reza", "logged_in", t(1, 2, 30), t(1, 6, 20)),
    shift("nima-1", "nima", "logged_in", t(0, 9), t(0, 17)),
    shift("mina-s", "mina", "scheduled", t(0, 9), t(0, 13)),
]


def call(n: int, at: dt.datetime, outcome: str, agent: str | None = None, *,
         answered: bool = False, **extra: Any) -> dict:  # fmt: skip
    return {
        "call_id": f"t:c{n}",
        "source": "t",
        "started_at": at,
        "queued_at": at if outcome == "abandoned" else None,
        "answered_at": at if answered else None,
        "ended_at": at + dt.timedelta(minutes=20),
        "outcome": outcome,
        "agent_id": None if agent is None else f"t:{agent}",
        **extra,
    }


CALLS = [
    call(1, t(0, 9), "answered", "ali", answered=True, talk_s=600.0, hold_s=60.0, wrap_s=120.0,
         ivr_s=30.0),
    # an agent took it, then transferred it
    call(2, t(0, 10), "transferred", "ali", answered=True, talk_s=300.0, ivr_s=20.0),
    # 0 s in the IVR and answered: never entered the IVR
    call(3, t(0, 23), "answered", "reza", answered=True, talk_s=900.0, ivr_s=0.0),
    # IVR untimed: left out of the containment rate
    call(4, t(1, 3), "answered", "reza", answered=True, talk_s=1200.0, wrap_s=300.0),
    # pat has no logged-in time: left out of occupancy, counted in the note
    call(5, t(0, 11), "answered", "pat", answered=True, talk_s=400.0, ivr_s=40.0),
    call(6, t(0, 12), "ivr", ivr_s=45.0),  # self-service
    call(7, t(0, 12, 5), "ivr", ivr_s=0.0),  # ended in the IVR at once: entered, contained
    call(8, t(0, 12, 10), "ivr"),  # IVR untimed: left out
    # routed elsewhere before any agent took it: not an agent's transfer
    call(9, t(0, 12, 15), "transferred", ivr_s=10.0),
    call(10, t(0, 12, 20), "abandoned", ivr_s=15.0),
    call(11, t(0, 12, 25), "other", ivr_s=5.0),  # phantom: left out everywhere
    call(12, t(0, 14), "answered", "nima", answered=True, talk_s=1000.0, wrap_s=200.0,
         ivr_s=25.0),
]  # fmt: skip
TEAMS = [{"team_id": f"t:{n}", "source": "t", "name": n} for n in ("cc", "night")]
AGENTS = [
    {
        "agent_id": f"t:{a}",
        "source": "t",
        "name": a,
        "team_id": "t:night" if a == "reza" else "t:cc",
    }
    for a in ("ali", "reza", "nima", "mina", "pat")
]


def load(store: Store, shifts: list[dict] = SHIFTS, calls: list[dict] = CALLS) -> Store:
    store.write("teams", TEAMS)
    store.write("agents", AGENTS)
    if shifts:
        store.write("agent_shifts", shifts)
    if calls:
        store.write("calls", calls)
    return store


def report(store: Store, names: list[str] = KPIS, **kw: Any) -> pd.DataFrame:
    options = kw.pop("options", {})
    config = MetricsConfig(options=MetricOptions(**options))
    return kpis(store, names, config=config, hours="calendar", compare=False, **kw)


def rows(df: pd.DataFrame, *keys: str) -> dict[Any, Any]:
    return {tuple(getattr(r, k) for k in ("kpi", *keys)): r for r in df.itertuples(index=False)}


@pytest.fixture
def loaded(store: Store) -> Store:
    return load(store)


def test_overall_values(loaded: Store) -> None:
    got = rows(report(loaded))
    for name, (value, n) in EXPECTED.items():
        row = got[(name,)]
        assert row.value == pytest.approx(value, rel=1e-12), name
        assert row.n == n, name
    assert got[("occupancy",)].note == (
        "1 call(s) (0.1 h handle time) of agents without logged-in time in the period "
        "(or naming no agent) left out"
    )
    for name in ("utilisation", "schedule_adherence"):
        note = got[(name,)].note
        assert "1 agent(s) left out: no scheduled shift of theirs is recorded" in note  # nima
        assert "1 agent(s) left out: schedules but no logged-in time recorded" in note  # mina


def test_by_agent(loaded: Store) -> None:
    got = rows(report(loaded, by="agent"), "agent")
    assert got[("occupancy", "t:ali")].value == pytest.approx(1080 / 29400)
    assert got[("occupancy", "t:reza")].value == pytest.approx(2400 / 27600)
    assert got[("occupancy", "t:nima")].value == pytest.approx(1200 / 28800)
    pat = got[("occupancy", "t:pat")]
    assert pd.isna(pat.value) and pat.n == 0
    assert pat.note.startswith("no number: no logged-in time in the period; 1 call(s)")
    assert got[("schedule_adherence", "t:ali")].value == pytest.approx(27000 / 28800)
    assert got[("schedule_adherence", "t:reza")].value == pytest.approx(26400 / 28800)
    assert got[("utilisation", "t:ali")].value == pytest.approx(29400 / 28800)  # overtime
    for name in ("utilisation", "schedule_adherence"):
        mina, nima = got[(name, "t:mina")], got[(name, "t:nima")]
        assert pd.isna(mina.value) and "schedules but no logged-in time" in mina.note
        assert pd.isna(nima.value) and "no scheduled shift of theirs" in nima.note
        assert (name, "t:pat") not in got  # no shift rows: nothing to say per pat
    assert got[("transfer_rate", "t:ali")].value == pytest.approx(1 / 2)
    assert got[("transfer_rate", "t:reza")].value == 0.0


def test_night_shift_counts_in_the_day_it_starts(loaded: Store) -> None:
    df = report(loaded, period="day", start="2026-03-02", end="2026-03-04")
    got = rows(df, "period")
    d0, d1 = "2026-03-02", "2026-03-03"
    # reza's schedule and its whole overlap count on D0; his D1 login counts on D1
    assert got[("schedule_adherence", d0)].value == pytest.approx(53400 / 57600)
    assert got[("utilisation", d0)].value == pytest.approx((29400 + 13800) / 57600)
    assert got[("occupancy", d0)].value == pytest.approx((1080 + 900 + 1200) / 72000)
    assert got[("occupancy", d1)].value == pytest.approx(1500 / 13800)
    for name in ("utilisation", "schedule_adherence"):
        row = got[(name, d1)]  # logged in on D1, nothing scheduled to start on D1
        assert pd.isna(row.value) and row.n == 0
        assert row.note.startswith("no number: no scheduled time in the period")


def test_filters_and_breakdowns_that_do_not_apply(loaded: Store) -> None:
    got = rows(report(loaded, filters={"agent": "t:ali"}))
    assert got[("occupancy",)].value == pytest.approx(1080 / 29400)
    assert got[("schedule_adherence",)].value == pytest.approx(27000 / 28800)
    by_queue = rows(report(loaded, by="queue"), "queue")
    for name in ("occupancy", "utilisation", "schedule_adherence"):
        row = by_queue[(name, None)]
        assert pd.isna(row.value) and "cannot be broken down by queue" in row.note
    team = rows(report(loaded, by="team"), "team")
    assert team[("schedule_adherence", "t:night")].value == pytest.approx(26400 / 28800)


def test_utilisation_on_handle_time(loaded: Store) -> None:
    got = rows(report(loaded, ["utilisation"], options={"utilisation_basis": "handle"}))
    row = got[("utilisation",)]
    # scheduled agents ali, reza, mina: handle (1,080 + 2,400 + 0) / (28,800 × 2 + 14,400)
    assert row.value == pytest.approx(3480 / 72000) and row.n == 3
    assert row.note == (  # nima (logged in only) and pat (calls only)
        "2 agent(s) left out: no scheduled shift of theirs is recorded "
        "(agent_shifts kind=scheduled)"
    )


def test_without_shifts_the_report_says_why(store: Store) -> None:
    load(store, shifts=[])
    got = rows(report(store))
    for name in ("utilisation", "schedule_adherence"):
        assert pd.isna(got[(name,)].value) and got[(name,)].note == "no agent shifts"
    occupancy = got[("occupancy",)]
    assert pd.isna(occupancy.value)
    assert occupancy.note.startswith("no number: no logged-in time in the period; 6 call(s)")


def test_logins_without_schedules_give_no_adherence(store: Store) -> None:
    load(store, shifts=[s for s in SHIFTS if s["kind"] == "logged_in"], calls=[])
    got = rows(report(store, ["utilisation", "schedule_adherence"]))
    for name in ("utilisation", "schedule_adherence"):
        row = got[(name,)]
        assert pd.isna(row.value) and row.n == 0
        assert row.note == (
            "no number: no scheduled time in the period of agents whose schedules and "
            "logins are recorded; 3 agent(s) left out: no scheduled shift of theirs is "
            "recorded (agent_shifts kind=scheduled)"
        )


def test_no_calls_with_a_timed_ivr(store: Store) -> None:
    load(store, shifts=[], calls=[c for c in CALLS if c.get("ivr_s") is None])
    got = rows(report(store, ["ivr_containment_rate", "transfer_rate"]))
    # calls 4 and 8 only: neither has an IVR time, so nothing entered a timed IVR
    assert got[("ivr_containment_rate",)].n == 0
    assert pd.isna(got[("ivr_containment_rate",)].value)
    assert got[("transfer_rate",)].value == 0.0 and got[("transfer_rate",)].n == 1


def test_shift_facts_keep_schedules_apart(loaded: Store) -> None:
    build_facts(loaded, MetricsConfig())
    f = loaded.con.table("facts_shifts").to_pyarrow().to_pylist()
    kinds = {r["shift_id"]: r for r in f}
    assert kinds["t:ali-s"]["kind"] == "scheduled" and kinds["t:ali-s"]["start_local"] is None
    assert kinds["t:ali-s"]["scheduled_local"] is not None and kinds["t:ali-s"]["cost"] is None
    assert kinds["t:ali-1"]["start_local"] is not None
    assert kinds["t:ali-1"]["scheduled_local"] is None


def test_a_schedule_published_ahead_is_not_data(store: Store) -> None:
    """The shifts' data end at the last login: a day with only a schedule has no number."""
    ahead = shift("ali-ahead", "ali", "scheduled", t(5, 8), t(5, 16))
    load(store, shifts=[*SHIFTS, ahead])
    df = report(store, ["schedule_adherence"], period="day", start="2026-03-02", end="2026-03-08")
    got = rows(df, "period")
    first = got[("schedule_adherence", "2026-03-02")]  # its note stays beside "no data yet"
    assert "1 agent(s) left out" in first.note
    later = got[("schedule_adherence", "2026-03-07")]
    assert pd.isna(later.value) and later.note.startswith("no data yet")
    assert got[("schedule_adherence", "2026-03-03")].partial  # the last login's day


BANK_DAY = "callcenter/anonbank_one_day_1999-08.csv"


def test_anonymous_bank_day_matches_an_independent_computation(
    store: Store, shared_data: Path
) -> None:
    """IVR containment and transfers of a real call log, recomputed with pandas from the
    log's own columns (Technion "Anonymous Bank": every call enters the VRU at
    vru_entry and spends vru_time seconds there; q_start / ser_start are 0:00:00 when
    the call never reached the queue / an agent; outcome AGENT = served, HANG = hung
    up, PHANTOM = a virtual call to ignore)."""
    path = shared_data / BANK_DAY
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    summary = import_file(store, path)
    log = pd.read_csv(path, dtype=str)
    vru_time = log.vru_time.astype(int)
    # a negative vru_time means the call's clocks disagree: those rows are rejected
    assert summary.rejected == (vru_time < 0).sum()
    log, vru_time = log[vru_time >= 0], vru_time[vru_time >= 0]
    real = log.outcome != "PHANTOM"
    never_queued = log.q_start == "0:00:00"
    ended_in_ivr = real & (log.outcome == "HANG") & never_queued
    entered = real & ((vru_time > 0) | ended_in_ivr)
    served = real & (log.outcome == "AGENT")

    got = rows(report(store, ["ivr_containment_rate", "transfer_rate"]))
    ivr = got[("ivr_containment_rate",)]
    assert ivr.n == entered.sum()
    assert ivr.value == pytest.approx(ended_in_ivr.sum() / entered.sum(), rel=1e-12)
    # the log has no transfer outcome: every served call counts, none transferred
    assert set(log.outcome) == {"AGENT", "HANG", "PHANTOM"}
    transfer = got[("transfer_rate",)]
    assert (transfer.value, transfer.n) == (0.0, served.sum())
    # the figures (measured): 2,351 calls entered the VRU, 118 ended there
    assert (ivr.n, round(ivr.value, 4)) == (2351, round(118 / 2351, 4))


def test_a_period_before_the_data_has_no_number_and_no_error(loaded: Store) -> None:
    """Found by schemathesis through /api/volume: an empty period made pandas refuse to
    join the (empty) per-agent frames."""
    got = report(loaded, start=dt.date(1970, 1, 1), end=dt.date(1970, 1, 8))
    assert set(got.kpi) == set(KPIS)
    assert got.value.isna().all() and (got.n == 0).all()


def test_anonymous_bank_calls_by_hour_of_day_match_pandas(store: Store, shared_data: Path) -> None:
    """The ``hour`` breakdown (#16, the /calls page's interval profile) on the real call
    log: calls answered per local hour of day, recomputed with pandas from the log's own
    clock times (a served call, outcome AGENT, begins at vru_entry; the log's clock is the
    bank's local time, the format's zone Asia/Jerusalem, which the report's calendar uses
    too, so the hours read as in the file)."""
    path = shared_data / BANK_DAY
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    import_file(store, path)
    log = pd.read_csv(path, dtype=str)
    log = log[log.vru_time.astype(int) >= 0]  # rejected rows (clocks that disagree)
    served = log[log.outcome == "AGENT"]
    expected = served.vru_entry.str.split(":").str[0].astype(int).value_counts()
    always = {
        day: [("00:00", "24:00")] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }
    bank = BusinessCalendar(timezone="Asia/Jerusalem", weekly=always, name="bank")
    config = MetricsConfig(calendars={"bank": bank}, default_calendar="bank")
    frame = kpis(store, ["calls_answered"], by="hour", config=config, compare=False)
    got = {int(r.hour): int(r.value) for r in frame.itertuples() if r.value}
    assert got == expected.sort_index().to_dict()
    assert sum(got.values()) == len(served)  # every served call in one hour, none lost
