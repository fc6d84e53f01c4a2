"""Properties of business time, checked by hypothesis on random calendars and instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjeh.calendar import BusinessCalendar

# zones with and without DST, half-hour offsets, DST at midnight (Tehran until 2022,
# Santiago) and a 30-minute DST shift (Lord Howe)
ZONES = (
    "UTC",
    "Asia/Tehran",
    "Asia/Riyadh",
    "Asia/Kolkata",
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIRST, LAST = datetime(2019, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
US = timedelta(microseconds=1)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    weekly: dict[str, list[tuple[str, str]]] = {}
    for day in DAYS:
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.integers(0, 24 * 60 - 1))
            end = start + draw(st.integers(1, 24 * 60 - 1))
            # past 24:00 it is an overnight window; exactly 24:00 is written as such
            text = "24:00" if end == 24 * 60 else _hhmm(end % (24 * 60))
            weekly.setdefault(day, []).append((_hhmm(start), text))
    if not weekly:
        weekly["mon"] = [("09:00", "17:00")]
    extra = draw(st.lists(st.dates(FIRST.date(), LAST.date()), max_size=6))
    return BusinessCalendar(
        timezone=draw(st.sampled_from(ZONES)),
        weekly=weekly,
        holidays=draw(st.sampled_from([[], ["IR"], ["SA"], ["US-CA"], ["DE"]])),
        extra_holidays=extra,
        name="random",
    )


instants = st.datetimes(
    min_value=FIRST.replace(tzinfo=None),
    max_value=LAST.replace(tzinfo=None),
    timezones=st.just(UTC),
)


# -- an independent definition: is this one instant open? -----------------------------


def _oracle_open(cal: BusinessCalendar, at: datetime) -> bool:
    """Open iff its local date is no holiday and a window of that day or the day before
    (an overnight one) covers it; window ends read as local wall times."""
    zone = ZoneInfo(cal.timezone)
    today = at.astimezone(zone).date()
    if cal.is_holiday(today):
        return False
    for day in (today - timedelta(days=1), today):
        for start, end in cal.weekly.get(DAYS[day.weekday()], []):
            lo = datetime.combine(day, time.fromisoformat(start), tzinfo=zone)
            end_day = day + timedelta(days=1) if end == "24:00" or end <= start else day
            end_time = time(0, 0) if end == "24:00" else time.fromisoformat(end)
            hi = datetime.combine(end_day, end_time, tzinfo=zone)
            if lo <= at < hi:
                return True
    return False


@SETTINGS
@given(cal=calendars(), start=instants, minutes=st.integers(0, 2 * 24 * 60))
def test_agrees_with_a_minute_by_minute_count(cal, start, minutes):
    # windows and zone offsets are whole minutes, so whole-minute steps count exactly
    start = start.replace(second=0, microsecond=0)
    expected = sum(60 for m in range(minutes) if _oracle_open(cal, start + timedelta(minutes=m)))
    assert cal.business_seconds(start, start + timedelta(minutes=minutes)) == expected


@SETTINGS
@given(cal=calendars(), a=instants, b=instants, c=instants)
def test_additive(cal, a, b, c):
    whole = cal.business_seconds(a, c)
    assert abs(whole - (cal.business_seconds(a, b) + cal.business_seconds(b, c))) < 1e-6


@SETTINGS
@given(cal=calendars(), a=instants, b=instants)
def test_between_zero_and_the_wall_clock_and_antisymmetric(cal, a, b):
    a, b = min(a, b), max(a, b)
    got = cal.business_seconds(a, b)
    assert 0 <= got <= (b - a).total_seconds()
    assert cal.business_seconds(b, a) == -got


@SETTINGS
@given(cal=calendars(), at=instants)
def test_is_open_means_business_time_is_passing(cal, at):
    assert cal.is_open(at) == (cal.business_seconds(at, at + US) > 0)


@SETTINGS
@given(cal=calendars(), at=instants, seconds=st.integers(1, 20 * 24 * 3600))
def test_the_due_time_is_the_first_instant_with_enough_business_time(cal, at, seconds):
    due = cal.add_business_seconds(at, seconds)
    assert cal.business_seconds(at, due) == seconds
    assert cal.business_seconds(at, due - US) < seconds
    back = cal.add_business_seconds(at, -seconds)
    assert cal.business_seconds(back, at) == seconds
    assert cal.business_seconds(back + US, at) < seconds


@SETTINGS
@given(cal=calendars(), day=st.dates(date(2019, 1, 2), date(2026, 12, 30)), data=st.data())
def test_a_holiday_has_no_business_time(cal, day, data):
    off = cal.replace(extra_holidays=[*cal.extra_holidays, day])
    zone = ZoneInfo(cal.timezone)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    assert off.business_seconds(start, end) == 0
    inside = data.draw(st.integers(0, int((end - start).total_seconds()) - 1))
    assert not off.is_open(start + timedelta(seconds=inside))


@SETTINGS
@given(cal=calendars(), at=instants)
def test_the_clock_table_gives_the_same_business_clock(cal, at):
    """B(t) = cum + Σ clamp(t − start_k, 0, len_k), as the Ibis expression computes it."""
    first = at.date() - timedelta(days=3)
    clock = cal.clock_table(first, at.date() + timedelta(days=1)).to_pylist()
    row = next(r for r in clock if r["date"] == at.date())
    second = (at - datetime.combine(at.date(), time(0), tzinfo=UTC)).total_seconds()
    width = sum(1 for name in row if name.endswith("_start"))
    clock_value = row["cum"] + sum(
        min(max(second - row[f"w{k}_start"], 0), row[f"w{k}_len"]) for k in range(width)
    )
    origin = datetime.combine(first, time(0), tzinfo=UTC)
    assert abs(clock_value - cal.business_seconds(origin, at)) < 1e-6
    # and the UTC offset columns give the local date
    offset = row["utc_offset"] if second < row["utc_offset_change"] else row["utc_offset_after"]
    assert (at + timedelta(seconds=offset)).date() == at.astimezone(ZoneInfo(cal.timezone)).date()
