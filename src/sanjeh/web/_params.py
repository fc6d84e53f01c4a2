"""Query parameters: declared with pydantic (so OpenAPI documents them), then checked
against the store (unknown agent, team, channel …) and turned into hashable filters.

Every rule about what a parameter may hold lives here: the days a date may name
(:data:`FIRST_DATE` … :data:`LAST_DATE`), the longest range, the characters text may
hold (:func:`check_text`, applied to every query, path and form parameter of every
route by ``_app.ParameterGuard``), and the default range (never into the future).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from ._errors import InvalidParameter
from ._i18n import Calendar, Digits, Lang, Locale
from ._query import last_day_until
from ._source import Source

DIMS = ("team", "agent", "channel", "priority", "tag", "language")
#: the days a date parameter may name: none before the Unix epoch (support data is
#: younger), none after the Hijri (Umm al-Qura) table the pages show dates in (it ends
#: in November 2077)
FIRST_DATE, LAST_DATE = dt.date(1970, 1, 1), dt.date(2075, 12, 31)
#: the longest range (ten years and two leap days)
MAX_DAYS = 3660
#: the longest range of each trend granularity asked for by name (a chart of more points
#: is unreadable, and a year of days already costs seconds on a large store)
PERIOD_DAYS = {"day": 366, "week": 1830}
DEFAULT_DAYS = 28
_NATIVE_DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")} | {
    ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")
}
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: control characters (C0, DEL, C1): no query or path parameter has a use for one, and
#: NUL breaks SQL literals and C strings further down
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: in form text (comments, notes) tabs and line breaks are text
FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: :data:`CONTROL` as the OpenAPI ``pattern`` of every text parameter
TEXT_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"


def check_text(name: str, value: str, *, form: bool = False) -> None:
    """400 for a control character in ``value`` (tabs and line breaks pass in forms)."""
    found = (FORM_CONTROL if form else CONTROL).search(value)
    if found is not None:
        code = f"U+{ord(found.group()):04X}"
        raise InvalidParameter(name, f"holds the control character {code}; remove it")


def check_query(pairs: Iterable[tuple[str, str]]) -> None:
    """:func:`check_text` of every query parameter's name and value."""
    for name, value in pairs:
        check_text("a query parameter's name", name)
        check_text(name, value)


def parse_day(value: object) -> object:
    """A date parameter: ``YYYY-MM-DD`` (Persian and Arabic-Indic digits and ``/`` are
    read too) between :data:`FIRST_DATE` and :data:`LAST_DATE`; blank means 'not given'."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.translate(_NATIVE_DIGITS).replace("/", "-")
        try:
            if not _ISO_DAY.fullmatch(text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("not a day: use YYYY-MM-DD (Gregorian), e.g. 2026-03-21") from None
    else:
        raise ValueError("not a day: use YYYY-MM-DD (Gregorian)")  # (pydantic wants ValueError)
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"{day} is outside {FIRST_DATE} … {LAST_DATE}; choose a day in range")
    return day


def _values(value: object) -> object:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return value


#: documented as what it accepts: an ISO day or blank (the form's empty field)
_DAY_SCHEMA = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}],
}
DateParam = Annotated[dt.date | None, BeforeValidator(parse_day), WithJsonSchema(_DAY_SCHEMA)]
Values = Annotated[
    list[Annotated[str, Field(max_length=200)]], BeforeValidator(_values), Field(max_length=50)
]
_RANGE = f"{FIRST_DATE} … {LAST_DATE}"


class PageQuery(BaseModel):
    """Filters and display choices shared by every page; the URL carries all of them."""

    model_config = ConfigDict(extra="forbid")

    start: DateParam = Field(
        None,
        description=f"First day (YYYY-MM-DD, Gregorian; {_RANGE}). Blank: {DEFAULT_DAYS} "
        "days before the end.",
    )
    end: DateParam = Field(
        None,
        description=f"Last day, included (YYYY-MM-DD; {_RANGE}; on or after start, at most "
        f"{MAX_DAYS} days after it). Blank: the last day of data, today at the latest, or "
        f"{DEFAULT_DAYS} days after start.",
    )
    team: Values = Field([], description="Team id(s), e.g. demo:care (see /api/meta).")
    agent: Values = Field([], description="Agent id(s), e.g. demo:a-001 (see /api/meta).")
    channel: Values = Field([], description="Channel(s): email, chat, phone … (see /api/meta)")
    priority: Values = Field(
        [], description="Priority(ies): low, normal, high, urgent (see /api/meta)."
    )
    tag: Values = Field([], description="Ticket tag(s) (see /api/meta).")
    language: Values = Field(
        [], description="Conversation language(s): fa, ar, en … (see /api/meta)"
    )
    hours: Literal["business", "calendar"] = Field(
        "business", description="Durations in business or calendar hours."
    )
    period: Literal["auto", "day", "week", "month"] = Field(
        "auto",
        description="Trend granularity; months follow the display calendar. day: ranges "
        f"up to {PERIOD_DAYS['day']} days, week: up to {PERIOD_DAYS['week']}.",
    )
    lang: Lang | None = Field(None, description="Interface language: fa, ar or en.")
    cal: Calendar | None = Field(
        None, description="Calendar for dates: gregorian, jalali or hijri (default per language)."
    )
    digits: Digits | None = Field(
        None, description="Digits: latin, persian or arabic (default per language)."
    )


class NoQuery(BaseModel):
    """A route without query parameters: any is a 400 (``/api/meta?lang=xx`` was 200)."""

    model_config = ConfigDict(extra="forbid")


class SearchQuery(PageQuery):
    q: str = Field("", max_length=100, description="Customer id or name contains this text.")


@dataclasses.dataclass(frozen=True)
class Filters:
    """Validated, hashable filters: the cache key of every view."""

    start: dt.date
    end: dt.date
    dims: tuple[tuple[str, tuple[str, ...]], ...]
    hours: str
    period: str
    week_start: str

    def get(self, dim: str) -> tuple[str, ...]:
        return dict(self.dims).get(dim, ())

    def without(self, *dims: str) -> Filters:
        kept = tuple((d, v) for d, v in self.dims if d not in dims)
        return dataclasses.replace(self, dims=kept)

    def with_dim(self, dim: str, values: tuple[str, ...]) -> Filters:
        kept = dict(self.without(dim).dims)
        kept[dim] = values
        return dataclasses.replace(self, dims=tuple(sorted(kept.items())))

    @property
    def data_key(self) -> tuple[object, ...]:
        """What query results depend on, when they are not split by period."""
        return (self.start, self.end, self.dims, self.hours)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            **{d: list(v) for d, v in self.dims},
            "hours": self.hours,
            "period": self.period,
        }


def resolve(
    query: PageQuery, source: Source, default_lang: str, *, today: dt.date | None = None
) -> tuple[Filters, Locale]:
    """Check the query against the store; unknown values and bad ranges are 400s.

    ``today`` (the business time zone's, by default) bounds the default range."""
    locale = Locale.of(query.lang or default_lang, query.cal, query.digits)
    dims = source.dims
    chosen: dict[str, tuple[str, ...]] = {}
    for dim in DIMS:
        values = tuple(sorted(set(getattr(query, dim))))
        if not values:
            continue
        known = set(dims.values(dim))
        unknown = [v for v in values if v not in known]
        if unknown:
            sample = ", ".join(sorted(known)[:12]) or "none"
            raise InvalidParameter(dim, f"unknown {dim} {unknown[0]!r}; the store has: {sample}")
        chosen[dim] = values
    start, end = _range(query.start, query.end, latest_day(source, today))
    filters = Filters(
        start=start,
        end=end,
        dims=tuple(sorted(chosen.items())),
        hours=query.hours,
        period=_period(query.period, (end - start).days + 1, locale),
        # weeks belong to the data's calendar, not to the display language: one link
        # shows the same bars in fa, ar and en
        week_start=source.config.week_start,
    )
    return filters, locale


def _range(start: dt.date | None, end: dt.date | None, latest: dt.date) -> tuple[dt.date, dt.date]:
    """The days asked for; a missing end is 28 days after the start or ``latest``,
    whichever comes first (a start in the future: 28 days)."""
    span = dt.timedelta(days=DEFAULT_DAYS - 1)
    if end is None:
        if start is None:
            end = latest
        else:
            end = start + span if start > latest else min(start + span, latest)
        end = min(end, LAST_DATE)
    if start is None:
        start = max(end - span, FIRST_DATE)
    if end < start:
        raise InvalidParameter(
            "end", f"the range ends ({end}) before it starts ({start}); swap the two dates"
        )
    if (end - start).days > MAX_DAYS:
        raise InvalidParameter(
            "start", f"the range is longer than {MAX_DAYS} days; choose a shorter one"
        )
    return start, end


def latest_day(source: Source, today: dt.date | None = None) -> dt.date:
    """The default range's last day: the data's last day, today (business time zone) at
    the latest: rows dated in the future (a stray 2200) must not empty the default view,
    which then ends on the last day of data up to today."""
    if today is None:
        today = source.local_day(dt.datetime.now(dt.UTC))
    last = source.dims.last_day
    if last > today:
        last = last_day_until(source, today) or today
    earliest = FIRST_DATE + dt.timedelta(days=DEFAULT_DAYS - 1)
    return min(max(last, earliest), LAST_DATE)


def data_span(source: Source, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The days the date picker offers: the data's, within the valid days, to
    :func:`latest_day` at the latest."""
    last = latest_day(source, today)
    return min(max(source.dims.first_day, FIRST_DATE), last), last


def _period(asked: str, days: int, locale: Locale) -> str:
    """Trend granularity: about 7 to 60 points for the chosen range (``auto``), at most
    :data:`PERIOD_DAYS` days of days or weeks."""
    if asked == "auto":
        asked = "day" if days <= 45 else ("week" if days <= 270 else "month")
    longest = PERIOD_DAYS.get(asked)
    if longest is not None and days > longest:
        raise InvalidParameter(
            "period",
            f"{asked} over {days} days is too many points; choose a coarser period "
            f"(day: up to {PERIOD_DAYS['day']} days, week: up to {PERIOD_DAYS['week']})",
        )
    if asked == "month":
        return {"gregorian": "month", "jalali": "jalali_month", "hijri": "hijri_month"}[
            locale.calendar
        ]
    return asked


# -- /staffing --------------------------------------------------------------------------

#: the what-if bounds: wide enough for any real operation, narrow enough that one request
#: stays a bounded computation (an AHT of days would ask Erlang for thousands of agents)
MAX_AHT_S, MAX_SECONDS, MAX_SLA_HOURS = 14_400.0, 86_400.0, 720.0
#: the shortest duration the queueing models take (sanjeh.staffing: a millisecond)
MIN_SECONDS = 0.001
_OPERATORS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}


_BLANK = {"type": "string", "maxLength": 0}


def _doc(kind: str, **bounds: float) -> WithJsonSchema:
    """How an optional what-if number is documented: what it accepts, a ``kind``
    ("number", "integer") within ``bounds`` (pydantic's ge / gt / le / lt, the same as
    its ``Field``), or blank (the form's empty field: not given)."""
    number: dict[str, object] = {"type": kind}
    number.update({_OPERATORS[k]: v for k, v in bounds.items()})
    return WithJsonSchema({"anyOf": [number, _BLANK]})


INTERVALS = (15, 30, 60)


def _interval(minutes: int) -> int:
    if minutes not in INTERVALS:
        raise ValueError(f"{minutes} minutes: use 15, 30 or 60")
    return minutes


Interval = Annotated[
    int,
    AfterValidator(_interval),
    WithJsonSchema({"anyOf": [{"type": "integer", "enum": list(INTERVALS)}, _BLANK]}),
]


#: the staffing parameters that are names, not numbers
_TEXT_CHOICES = frozenset({"channel", "team", "queue", "model", "lang", "cal", "digits"})


class StaffingQuery(BaseModel):
    """The staffing page's choices and what-if settings (``/staffing``, ``/api/staffing``).
    A blank or missing field is not given: ``[staffing]`` in sanjeh.toml, else the
    store's measured value (AHT, patience, shrinkage), else the default named."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    channel: str | None = Field(
        None, max_length=200, description="phone (calls), chat, email … (see /api/meta)."
    )
    team: str | None = Field(None, max_length=200, description="Team id (see /api/meta).")
    queue: str | None = Field(None, max_length=200, description="Call queue (phone only).")
    interval: Interval | None = Field(None, description="Interval minutes: 15, 30 (default), 60.")
    weeks: Annotated[int | None, Field(ge=1, le=26), _doc("integer", ge=1, le=26)] = Field(
        None, description="Weeks to plan, 1 … 26 (4)."
    )
    model: Literal["erlang_c", "erlang_a"] | None = Field(
        None, description="Queue model: erlang_c (nobody hangs up) or erlang_a (default)."
    )
    target: Annotated[
        float | None,
        Field(ge=MIN_SECONDS, le=MAX_SECONDS),
        _doc("number", ge=MIN_SECONDS, le=MAX_SECONDS),
    ] = Field(None, description="Answer within this many seconds (20).")
    service_level: Annotated[float | None, Field(gt=0, lt=1), _doc("number", gt=0, lt=1)] = Field(
        None, description="Share to answer within the target, in (0, 1) (0.8)."
    )
    aht: Annotated[
        float | None,
        Field(ge=MIN_SECONDS, le=MAX_AHT_S),
        _doc("number", ge=MIN_SECONDS, le=MAX_AHT_S),
    ] = Field(None, description="Average handle time, seconds (measured from the store).")
    patience: Annotated[
        float | None,
        Field(ge=MIN_SECONDS, le=MAX_SECONDS),
        _doc("number", ge=MIN_SECONDS, le=MAX_SECONDS),
    ] = Field(None, description="Callers' mean patience, seconds, for Erlang A (measured).")
    shrinkage: Annotated[float | None, Field(ge=0, lt=1), _doc("number", ge=0, lt=1)] = Field(
        None, description="Share of paid time not on contacts, in [0, 1) (measured, else 0.3)."
    )
    max_occupancy: Annotated[float | None, Field(ge=0.1, le=1), _doc("number", ge=0.1, le=1)] = (
        Field(None, description="Highest occupancy to plan for, 0.1 … 1 (no cap).")
    )
    concurrency: Annotated[int | None, Field(ge=1, le=20), _doc("integer", ge=1, le=20)] = Field(
        None, description="Chats one agent handles at once, 1 … 20 (2)."
    )
    sla_hours: Annotated[
        float | None, Field(ge=1, le=MAX_SLA_HOURS), _doc("number", ge=1, le=MAX_SLA_HOURS)
    ] = Field(
        None, description="Hours within which email / ticket work must be done, 1 … 720 (24)."
    )
    ramp: Annotated[int | None, Field(ge=0, le=52), _doc("integer", ge=0, le=52)] = Field(
        None, description="Weeks before a new hire is productive, 0 … 52 (6)."
    )
    attrition: Annotated[float | None, Field(ge=0, lt=1), _doc("number", ge=0, lt=1)] = Field(
        None, description="Share of agents leaving per year, in [0, 1) (0)."
    )
    lang: Lang | None = Field(None, description="Interface language: fa, ar or en.")
    cal: Calendar | None = Field(
        None, description="Calendar for dates: gregorian, jalali or hijri (default per language)."
    )
    digits: Digits | None = Field(
        None, description="Digits: latin, persian or arabic (default per language)."
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_is_not_given(cls, data: object) -> object:
        """The page's form sends every field: an empty one is not given. Numbers may be
        typed in Persian or Arabic-Indic digits (with ``٫`` as the decimal point)."""
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if isinstance(value, str):
                if not value.strip():
                    continue
                if key not in _TEXT_CHOICES:
                    value = value.translate(_NATIVE_DIGITS).replace("\u066b", ".")
            out[key] = value
        return out


#: the plan's option behind each what-if parameter (``sanjeh.staffing.PlanOptions``)
STAFFING_OPTIONS = {
    "channel": "channel",
    "team": "team",
    "queue": "queue",
    "interval": "interval_minutes",
    "weeks": "weeks",
    "model": "model",
    "target": "target_s",
    "service_level": "service_level",
    "aht": "aht_s",
    "patience": "patience_s",
    "shrinkage": "shrinkage",
    "max_occupancy": "max_occupancy",
    "concurrency": "concurrency",
    "sla_hours": "sla_hours",
    "ramp": "ramp_weeks",
    "attrition": "attrition",
}


def resolve_staffing(
    query: StaffingQuery,
    default_lang: str,
    *,
    channels: tuple[str, ...],
    teams: tuple[str, ...],
    queues: tuple[str, ...],
) -> tuple[dict[str, Any], Locale]:
    """Check the choices against the store (``channels`` the plan can read, the store's
    ``teams`` and call ``queues``): the given ``PlanOptions`` fields, and the locale."""
    locale = Locale.of(query.lang or default_lang, query.cal, query.digits)
    for name, known in (("channel", channels), ("team", teams), ("queue", queues)):
        value = getattr(query, name)
        if value is not None and value not in known:
            sample = ", ".join(sorted(known)[:12]) or "none"
            raise InvalidParameter(name, f"unknown {name} {value!r}; the store has: {sample}")
    channel = query.channel or ("phone" if "phone" in channels or not channels else channels[0])
    if query.queue is not None and channel != "phone":
        raise InvalidParameter("queue", f"queues are the phone channel's; {channel!r} has none")
    given = {
        STAFFING_OPTIONS[name]: value
        for name, value in query.model_dump(exclude={"lang", "cal", "digits"}).items()
        if value is not None
    }
    given["channel"] = channel
    return given, locale
