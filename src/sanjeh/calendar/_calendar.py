"""``BusinessCalendar``: when a support team is open, and business time between instants.

Business time is the union of *spans*: one per weekly window per local date, turned into
UTC instants with the calendar's zone, minus whatever falls on a holiday's local date.
Everything here works in integer epoch seconds (spans) and microseconds (instants), so
results are exact; ``_clock_table.py`` reuses the same spans, so the Ibis version agrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..errors import ConfigError, ValidationError
from ._holidays import HolidayDates, parse_codes, parse_dates
from ._windows import DAY, first_workday, parse_weekly, weekly_as_text

if TYPE_CHECKING:
    import pyarrow as pa

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_MICROSECOND = timedelta(microseconds=1)
_US = 1_000_000
#: add_business_seconds gives up when this many days (about 45 years) hold too little
_MAX_SEARCH_DAYS = 2**14

Span = tuple[int, int]  # [start, end) in UTC epoch seconds


def epoch_us(value: object, field: str) -> int:
    """Microseconds since 1970-01-01 UTC of an aware datetime; a naive one is an error."""
    if not isinstance(value, datetime):
        raise ValidationError(field, f"{value!r} is not a datetime; pass a timezone-aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            field,
            f"{value.isoformat()} is naive (no time zone), so the instant is unknown; pass an "
            'aware datetime, e.g. datetime(2025, 1, 1, 9, tzinfo=ZoneInfo("UTC"))',
        )
    return (value - EPOCH) // _MICROSECOND


def from_epoch_us(us: int, tz: Any) -> datetime:
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


def zone_info(key: object, where: str) -> ZoneInfo:
    try:
        if not isinstance(key, str) or not key:
            raise ValueError(key)
        return ZoneInfo(key)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise ConfigError(
            f"{where}: timezone: unknown time zone {key!r}; use an IANA name such as "
            '"Asia/Tehran", "Asia/Riyadh", "Europe/Berlin" or "UTC"'
        ) from None


class BusinessCalendar:
    """Business hours of one team: a zone, weekly windows and holidays.

    ``weekly`` maps ``mon`` … ``sun`` to windows ``(start, end)`` in local wall time
    (``"HH:MM"``; ``"24:00"`` may end a window). A window whose end is at or before its
    start runs past midnight and belongs to the day it starts. Days without windows are
    the weekend. On a holiday (a country code of the ``holidays`` package such as ``"IR"``
    or ``"US-CA"``, or an ``extra_holidays`` date) no time of that local date is business
    time, so an overnight window is cut at midnight.
    """

    def __init__(
        self,
        *,
        timezone: str,
        weekly: Mapping[str, Iterable[tuple[str | time, str | time]]],
        holidays: Iterable[str] = (),
        extra_holidays: Iterable[date | str] = (),
        name: str = "default",
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"calendar name {name!r} is empty; give each calendar a name")
        where = f"calendar {name!r}"
        self._name = name
        self._zone = zone_info(timezone, where)
        self._windows = parse_weekly(weekly, where)
        self._codes = parse_codes(holidays, where)
        self._extra = parse_dates(extra_holidays, where)
        self._holidays = HolidayDates(self._codes, self._extra)
        self._day_cache: dict[date, tuple[Span, ...]] = {}

    # -- construction ------------------------------------------------------------------

    @classmethod
    def preset(cls, preset: str, **overrides: Any) -> BusinessCalendar:
        """A ready calendar: ``"iran"``, ``"gulf"``, ``"weekdays"`` or ``"24x7"``.

        Keyword arguments replace the preset's fields, e.g. ``preset("gulf",
        timezone="Asia/Dubai", holidays=["AE"], name="dubai")``.
        """
        from ._presets import preset_fields

        return cls(**{**preset_fields(preset), "name": preset, **overrides})

    def replace(self, **changes: Any) -> BusinessCalendar:
        """A copy with some fields changed (``timezone``, ``weekly``, ``holidays`` …)."""
        fields: dict[str, Any] = {
            "name": self.name,
            "timezone": self.timezone,
            "weekly": self.weekly,
            "holidays": self.holidays,
            "extra_holidays": self.extra_holidays,
        }
        return BusinessCalendar(**{**fields, **changes})

    # -- description -------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def timezone(self) -> str:
        return self._zone.key

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def weekly(self) -> dict[str, list[tuple[str, str]]]:
        """The windows, normalised: ``{"sat": [("08:00", "16:00")], ...}``."""
        return weekly_as_text(self._windows)

    @property
    def holidays(self) -> tuple[str, ...]:
        return self._codes

    @property
    def week_start(self) -> str:
        """The first day of this calendar's week (``"saturday"`` for Tehran hours): the
        day after its weekend. Weeks in reports start here, whatever the display language."""
        return first_workday(self._windows)

    @property
    def extra_holidays(self) -> tuple[date, ...]:
        return tuple(sorted(self._extra))

    def _key(self) -> tuple[Any, ...]:
        return (self._name, self._zone.key, self._windows, self._codes, self._extra)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BusinessCalendar) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(name={self.name!r}, timezone={self.timezone!r}, "
            f"weekly={self.weekly!r}, holidays={list(self.holidays)!r}, "
            f"extra_holidays={[d.isoformat() for d in self.extra_holidays]!r})"
        )

    # -- holidays ----------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        """Whether the local date ``day`` is a public or extra holiday."""
        return day in self._holidays

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name on local date ``day``, or None on an ordinary day."""
        return self._holidays.name(day)

    # -- spans: the single source of truth ---------------------------------------------

    def _at(self, day: date, seconds: int) -> int:
        """Epoch second of the wall time ``seconds`` after local midnight of ``day``.

        fold=0: an ambiguous wall time (DST fall-back) is its first occurrence; one in a
        DST gap is read with the offset before the gap, i.e. lands the gap's length later.
        """
        days, rest = divmod(seconds, DAY)
        wall = time(rest // 3600, rest // 60 % 60, rest % 60)
        local = datetime.combine(day + timedelta(days=days), wall, tzinfo=self._zone)
        return (local - EPOCH) // _SECOND

    def _local_date(self, us: int) -> date:
        return from_epoch_us(us, self._zone).date()

    def _day_spans(self, day: date) -> tuple[Span, ...]:
        """Business spans of the windows that start on local date ``day``, holidays cut."""
        cached = self._day_cache.get(day)
        if cached is not None:
            return cached
        spans: list[Span] = []
        windows = self._windows[day.weekday()]
        if windows:
            next_day = day + ONE_DAY
            off_today, off_tomorrow = day in self._holidays, next_day in self._holidays
            midnight = self._at(next_day, 0)
            for start, end in windows:
                lo, hi = self._at(day, start), self._at(day, end)
                if not off_today and min(hi, midnight) > lo:
                    spans.append((lo, min(hi, midnight)))
                if not off_tomorrow and hi > max(lo, midnight):
                    spans.append((max(lo, midnight), hi))
        result = tuple(spans)
        self._day_cache[day] = result
        return result

    def _spans(self, first: date, last: date) -> list[Span]:
        """Merged business spans of the windows starting on local dates first … last.

        They are exact for instants in [local midnight of first + 1 day, local midnight
        of last + 1 day): a window never lasts into the day after next.
        """
        raw: list[Span] = []
        day = first
        while day <= last:
            raw.extend(self._day_spans(day))
            day += ONE_DAY
        raw.sort()
        merged: list[Span] = []
        for lo, hi in raw:  # overlapping windows count once
            if merged and lo <= merged[-1][1]:
                if hi > merged[-1][1]:
                    merged[-1] = (merged[-1][0], hi)
            else:
                merged.append((lo, hi))
        return merged

    def _between_us(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        total = 0
        for lo, hi in self._spans(self._local_date(a) - 2 * ONE_DAY, self._local_date(b)):
            overlap = min(hi * _US, b) - max(lo * _US, a)
            if overlap > 0:
                total += overlap
        return total

    # -- the public computations -------------------------------------------------------

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Business seconds from ``start`` to ``end`` (negative when end is earlier).

        Both must be timezone-aware; they may be in any zone.
        """
        a, b = epoch_us(start, "start"), epoch_us(end, "end")
        us = self._between_us(a, b) if a <= b else -self._between_us(b, a)
        return us / _US

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` (aware) falls inside business hours."""
        us = epoch_us(at, "at")
        day = self._local_date(us)
        spans = self._spans(day - 2 * ONE_DAY, day)
        return any(lo * _US <= us < hi * _US for lo, hi in spans)

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The business intervals within [start, end), in the calendar's zone."""
        a, b = epoch_us(start, "start"), epoch_us(end, "end")
        if b <= a:
            return []
        out = []
        for lo, hi in self._spans(self._local_date(a) - 2 * ONE_DAY, self._local_date(b)):
            lo_us, hi_us = max(lo * _US, a), min(hi * _US, b)
            if hi_us > lo_us:
                out.append((from_epoch_us(lo_us, self._zone), from_epoch_us(hi_us, self._zone)))
        return out

    def add_business_seconds(self, at: datetime, seconds: float) -> datetime:
        """The first instant when ``seconds`` business seconds have elapsed since ``at``.

        This is the due time of an SLA target. A negative ``seconds`` counts backwards
        (the latest instant that lies that much business time before ``at``). The result
        is in ``at``'s zone.
        """
        start = epoch_us(at, "at")
        need = round(seconds * _US)
        if need == 0:
            return at
        forward = need > 0
        need = abs(need)
        home = self._local_date(start)
        days = 8
        while True:
            # spans of local dates first … last are exact between these two instants
            first = home - (2 if forward else days) * ONE_DAY
            last = home + (days if forward else 0) * ONE_DAY
            lower, upper = self._at(first + ONE_DAY, 0) * _US, self._at(last + ONE_DAY, 0) * _US
            spans = self._spans(first, last)
            elapsed = 0
            for lo, hi in spans if forward else reversed(spans):
                lo_us = max(lo * _US, start if forward else lower)
                hi_us = min(hi * _US, upper if forward else start)
                if hi_us <= lo_us:
                    continue
                if elapsed + hi_us - lo_us >= need:
                    rest = need - elapsed
                    return from_epoch_us(lo_us + rest if forward else hi_us - rest, at.tzinfo)
                elapsed += hi_us - lo_us
            if days >= _MAX_SEARCH_DAYS:
                raise ConfigError(
                    f"calendar {self.name!r} has fewer than {abs(seconds):g} business seconds "
                    f"within {days} days of {at.isoformat()}; check its weekly windows and "
                    "holidays"
                )
            days *= 2

    # -- the business clock as a table -------------------------------------------------

    def clock_table(self, start: date, end: date) -> pa.Table:
        """The business-clock table of UTC dates ``start`` … ``end`` (see ``clock_table``)."""
        from ._clock_table import clock_table

        return clock_table(self, start, end)
