"""The business clock in Ibis: the same numbers as Python, on DuckDB and on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.calendar import (
    BusinessCalendar,
    check_utc_session,
    clock_table,
    date_dimension,
    epoch_seconds,
    to_calendar,
    with_business_clock,
    with_business_seconds,
    with_local_day,
)
from sanjeh.errors import ConfigError

TS = pa.timestamp("us", tz="UTC")
CLOCK_SPAN = (date(2018, 12, 25), date(2027, 1, 5))
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def calendars() -> dict[str, BusinessCalendar]:
    """Calendars that exercise holidays, weekends, split / night shifts and DST."""
    return {
        "iran": BusinessCalendar.preset("iran"),
        "gulf": BusinessCalendar.preset("gulf"),
        "new_york": BusinessCalendar(
            timezone="America/New_York",
            weekly={
                "mon": [("07:00", "12:00"), ("13:00", "18:00")],
                "fri": [("22:00", "06:00")],
                "sun": [("01:00", "04:00")],
            },
            holidays=["US-NY"],
            name="new_york",
        ),
        "berlin": BusinessCalendar(
            timezone="Europe/Berlin",
            weekly={d: [("01:00", "04:00"), ("09:00", "17:00")] for d in EVERY_DAY},
            holidays=["DE"],
            name="berlin",
        ),
        "santiago": BusinessCalendar(
            timezone="America/Santiago",
            weekly={d: [("20:00", "08:00")] for d in EVERY_DAY},
            extra_holidays=["2024-04-07"],
            name="santiago",
        ),
        "lord_howe": BusinessCalendar.preset("24x7", timezone="Australia/Lord_Howe"),
    }


def _edges(cal: BusinessCalendar) -> list[datetime]:
    """Window bounds, midnights and DST changes, and the microseconds around them."""
    points = [b for span in cal.open_intervals(utc(2024, 3, 1), utc(2024, 4, 20)) for b in span]
    points += [b for span in cal.open_intervals(utc(2021, 9, 15), utc(2021, 9, 25)) for b in span]
    zone = ZoneInfo(cal.timezone)
    for day in (date(2024, 3, 10), date(2024, 3, 31), date(2024, 4, 7), date(2024, 11, 3)):
        points.append(datetime.combine(day, datetime.min.time(), tzinfo=zone))
        points.append(datetime.combine(day, datetime.min.time(), tzinfo=UTC))
    one = timedelta(microseconds=1)
    return [p + d for p in points for d in (-one, timedelta(0), one)]


def _random_pairs(cal: BusinessCalendar, n: int, seed: int) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    low, high = utc(2019, 1, 1).timestamp(), utc(2026, 12, 1).timestamp()
    starts = [
        utc(1970, 1, 1) + timedelta(microseconds=int(x))
        for x in rng.integers(int(low * 1e6), int(high * 1e6), n)
    ]
    waits = rng.exponential(4e5, n)  # seconds; a few days on average
    ends = [s + timedelta(seconds=float(w)) for s, w in zip(starts, waits, strict=True)]
    edges = _edges(cal)
    starts += [edges[i] for i in rng.integers(0, len(edges), n)]
    ends += [edges[i] for i in rng.integers(0, len(edges), n)]  # ends before starts too
    starts += [None, utc(2024, 1, 1), utc(2010, 1, 1)]  # null, …, outside the clock table
    ends += [utc(2024, 1, 1), None, utc(2024, 1, 1)]
    return starts, ends


def _table(con, name: str, **columns: list) -> ibis.Table:
    data = {"id": list(range(len(next(iter(columns.values())))))}
    arrays = {k: pa.array(v, TS if k != "team" else pa.string()) for k, v in columns.items()}
    return con.create_table(name, pa.table({**data, **arrays}), overwrite=True)


def _column(con, expr: ibis.Table, name: str) -> list:
    return con.to_pyarrow(expr.order_by("id"))[name].to_pylist()


def _expected(cal: BusinessCalendar, starts: list, ends: list) -> list:
    lo, hi = (datetime.combine(d, datetime.min.time(), tzinfo=UTC) for d in CLOCK_SPAN)
    hi += timedelta(days=1)

    def one(a, b):
        if a is None or b is None or not (lo <= a < hi and lo <= b < hi):
            return None  # a null or uncovered timestamp gives null
        return cal.business_seconds(a, b)

    return [one(a, b) for a, b in zip(starts, ends, strict=True)]


def _assert_close(got: list, expected: list) -> None:
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert (g is None) == (e is None), f"row {i}: {g} vs {e}"
        if e is not None:
            assert abs(g - e) < 1e-5, f"row {i}: {g} vs {e}"


# -- the public cases --------------------------------------------------------------------


def test_public_cases(store, nine_to_five, split_shift):
    starts = [
        utc(2014, 4, 7, 10),
        utc(2014, 4, 7, 7),
        utc(2014, 4, 11, 20),
        utc(2014, 4, 7, 11, 59),
    ]
    ends = [utc(2014, 4, 7, 15), utc(2014, 4, 7, 20), utc(2014, 4, 14, 5), utc(2014, 4, 7, 13, 1)]
    t = _table(store.con, "cal_public", start=starts, end=ends)
    span = (date(2014, 1, 1), date(2014, 12, 31))
    out = with_business_seconds(t, {"bs": ("start", "end")}, nine_to_five.clock_table(*span))
    assert _column(store.con, out, "bs")[:3] == [18000, 28800, 0]
    out = with_business_seconds(t, {"bs": ("start", "end")}, split_shift.clock_table(*span))
    assert _column(store.con, out, "bs")[3] == 120


# -- agreement with Python ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(calendars()))
def test_agrees_with_python(store, name):
    cal = calendars()[name]
    starts, ends = _random_pairs(cal, 400, seed=len(name))
    t = _table(store.con, "cal_pairs", start=starts, end=ends)
    clock = store.con.create_table("cal_clock", cal.clock_table(*CLOCK_SPAN), overwrite=True)
    expected = _expected(cal, starts, ends)
    for fast in (True, False) if store.backend == "duckdb" else (True,):
        out = with_business_seconds(t, {"bs": ("start", "end")}, clock, duckdb_fast_path=fast)
        _assert_close(_column(store.con, out, "bs"), expected)


def test_several_calendars_at_once(store):
    cals = calendars()
    rng = np.random.default_rng(7)
    starts, ends = _random_pairs(cals["iran"], 300, seed=7)
    teams = [str(x) for x in rng.choice(list(cals), len(starts))]
    teams[5] = "no_such_calendar"
    t = _table(store.con, "cal_teams", start=starts, end=ends, team=teams)
    clock = clock_table(cals, *CLOCK_SPAN)  # an Arrow table: registered as a memtable
    out = with_business_seconds(t, {"bs": ("start", "end")}, clock, calendar="team")
    expected = []
    for team, a, b in zip(teams, starts, ends, strict=True):
        expected += [None] if team not in cals else _expected(cals[team], [a], [b])
    _assert_close(_column(store.con, out, "bs"), expected)
    # an expression works as the calendar key too (e.g. a team → calendar mapping)
    keyed = with_business_seconds(t, {"bs": ("start", "end")}, clock, calendar=ibis.literal("gulf"))
    _assert_close(_column(store.con, keyed, "bs"), _expected(cals["gulf"], starts, ends))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pairs=st.lists(
        st.tuples(
            st.datetimes(datetime(2023, 1, 1), datetime(2025, 12, 31), timezones=st.just(UTC)),
            st.datetimes(datetime(2023, 1, 1), datetime(2025, 12, 31), timezones=st.just(UTC)),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_agrees_with_python_on_hypothesis_inputs(store, pairs):
    cal = calendars()["new_york"]
    starts, ends = [a for a, _ in pairs], [b for _, b in pairs]
    t = _table(store.con, "cal_hypothesis", start=starts, end=ends)
    clock = cal.clock_table(date(2022, 12, 31), date(2026, 1, 1))
    out = with_business_seconds(t, {"bs": ("start", "end")}, clock)
    expected = [cal.business_seconds(a, b) for a, b in pairs]
    _assert_close(_column(store.con, out, "bs"), expected)


def test_several_pairs_share_the_clock_lookups(store):
    cal = calendars()["iran"]
    created = [utc(2025, 3, 12, 6), utc(2025, 3, 18, 8, 30)]
    replied = [utc(2025, 3, 15, 6), None]
    solved = [utc(2025, 3, 25, 8, 30), utc(2025, 3, 25, 8, 30)]
    t = _table(store.con, "cal_tickets", created=created, replied=replied, solved=solved)
    pairs = {"reply_bs": ("created", "replied"), "solve_bs": ("created", "solved")}
    out = with_business_seconds(t, pairs, cal.clock_table(date(2025, 1, 1), date(2025, 12, 31)))
    assert out.columns == ("id", "created", "replied", "solved", "reply_bs", "solve_bs")
    result = store.con.to_pyarrow(out.order_by("id")).to_pydict()
    assert result["reply_bs"] == [8 * 3600, None]
    assert result["solve_bs"] == _expected(cal, created, solved)


def test_business_clock_column(store):
    cal = BusinessCalendar.preset("weekdays")
    t = _table(
        store.con, "cal_clock_col", at=[utc(2014, 4, 7), utc(2014, 4, 7, 10), utc(2014, 4, 8, 12)]
    )
    out = with_business_clock(t, {"b": "at"}, cal.clock_table(date(2014, 4, 7), date(2014, 4, 30)))
    assert _column(store.con, out, "b") == [0, 3600, 8 * 3600 + 3 * 3600]


def test_epoch_seconds_keep_the_fraction(store):
    instants = [utc(2024, 3, 10, 7, 0, 0, 123456), utc(2040, 1, 1), None]  # past int32 too
    t = _table(store.con, "cal_epoch", at=instants)
    for fast in (True, False):
        got = _column(store.con, t.mutate(s=epoch_seconds(t.at, duckdb_fast_path=fast)), "s")
        assert got == [instants[0].timestamp(), instants[1].timestamp(), None]


# -- local dates and the date dimension ------------------------------------------------------


def test_local_day_groups_by_jalali_month(store):
    cals = calendars()
    names = ["iran", "santiago", "lord_howe", "new_york"]
    instants, teams = [], []
    for name in names:
        edges = _edges(cals[name])
        instants += edges
        teams += [name] * len(edges)
    t = _table(store.con, "cal_local", at=instants, team=teams)
    clock = clock_table({n: cals[n] for n in names}, date(2021, 1, 1), date(2024, 12, 31))
    out = with_local_day(t, {"day": "at"}, clock, calendar="team")
    expected = [
        (at.astimezone(ZoneInfo(cals[team].timezone)).date() - date(1970, 1, 1)).days
        for at, team in zip(instants, teams, strict=True)
    ]
    assert _column(store.con, out, "day") == expected

    dim = ibis.memtable(date_dimension(date(2021, 1, 1), date(2024, 12, 31)))
    joined = out.join(dim, out.day == dim.epoch_day)
    by_month = joined.group_by("jalali_month_label").aggregate(n=joined.count())
    got = {r["jalali_month_label"]: r["n"] for r in store.con.to_pyarrow(by_month).to_pylist()}
    want = Counter(
        "{:04d}-{:02d}".format(*to_calendar(date(1970, 1, 1) + timedelta(days=d), "jalali"))
        for d in expected
    )
    assert got == dict(want)


# -- nulls, coverage, and the session time zone --------------------------------------------


def test_the_clock_can_live_in_the_database(store, nine_to_five):
    clock = store.con.create_table(
        "cal_db_clock", nine_to_five.clock_table(date(2014, 4, 1), date(2014, 4, 30))
    )
    t = _table(store.con, "cal_db", start=[utc(2014, 4, 7, 10)], end=[utc(2014, 5, 7, 10)])
    out = with_business_seconds(t, {"bs": ("start", "end")}, clock)
    assert _column(store.con, out, "bs") == [None]  # the end lies after the clock's dates


def test_session_time_zone(store):
    check_utc_session(store.con)
    cal = calendars()["iran"]
    starts, ends = _random_pairs(cal, 50, seed=3)
    t = _table(store.con, "cal_session", start=starts, end=ends)
    store.con.raw_sql("SET TIME ZONE 'Asia/Tehran'")  # a session that is not UTC
    if store.backend == "duckdb":
        # Ibis' portable epoch reads the instant in the session zone: the check says so
        with pytest.raises(ConfigError, match="not UTC"):
            check_utc_session(store.con)
    else:
        check_utc_session(store.con)  # PostgreSQL's epoch of a timestamptz ignores it
    # the default path (DuckDB's epoch(), PostgreSQL's EXTRACT) stays right
    out = with_business_seconds(t, {"bs": ("start", "end")}, cal.clock_table(*CLOCK_SPAN))
    _assert_close(_column(store.con, out, "bs"), _expected(cal, starts, ends))


# -- mistakes are explained -------------------------------------------------------------------


@pytest.fixture
def unbound() -> ibis.Table:
    return ibis.table({"a": "timestamp('UTC')", "b": "timestamp('UTC')", "n": "int64"}, name="t")


def test_mistakes(unbound, nine_to_five):
    clock = nine_to_five.clock_table(date(2024, 1, 1), date(2024, 1, 31))
    multi = clock_table([nine_to_five], date(2024, 1, 1), date(2024, 1, 31))
    cases = [
        (lambda: with_business_seconds(unbound, {"x": ("a", "zz")}, clock), "'zz' is not in"),
        (lambda: with_business_seconds(unbound, {"x": ("a", "n")}, clock), "not a timestamp"),
        (lambda: with_business_seconds(unbound, {"n": ("a", "b")}, clock), "exist already"),
        (lambda: with_business_seconds(unbound, {"x": ("a", "b")}, multi), "pass calendar="),
        (
            lambda: with_business_seconds(unbound, {"x": ("a", "b")}, clock, calendar="n"),
            "several calendars",
        ),
        (
            lambda: with_business_seconds(unbound, {"x": ("a", "b")}, multi, calendar="team"),
            "'team' is not in the table",
        ),
        (lambda: with_business_clock(unbound, {"x": "a"}, clock.drop(["cum"])), "lacks cum"),
        (lambda: with_local_day(unbound, {"x": "a"}, {"cum": 1}), "not dict"),
        (lambda: clock_table(nine_to_five, date(2024, 2, 1), date(2024, 1, 1)), "swap them"),
        (
            lambda: clock_table([nine_to_five, nine_to_five], date(2024, 1, 1), date(2024, 1, 2)),
            "distinct",
        ),
        (lambda: clock_table({}, date(2024, 1, 1), date(2024, 1, 2)), "no calendars"),
        (lambda: clock_table(nine_to_five, utc(2024, 1, 1), date(2024, 1, 2)), "not datetimes"),
    ]
    for call, message in cases:
        with pytest.raises(ConfigError, match=message):
            call()


def test_clock_table_shape(nine_to_five):
    clock = clock_table(
        {"a": nine_to_five, "b": BusinessCalendar.preset("iran")},
        date(2024, 1, 1),
        date(2024, 1, 10),
    )
    assert clock.num_rows == 20
    assert clock.column_names[:4] == ["calendar", "epoch_day", "date", "cum"]
    assert clock["epoch_day"][0].as_py() == (date(2024, 1, 1) - date(1970, 1, 1)).days
    # every calendar is padded to the same number of window slots
    assert {n for n in clock.column_names if n.startswith("w")} == {"w0_start", "w0_len"}
