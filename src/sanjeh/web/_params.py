"""Query parameters: declared with pydantic (so OpenAPI documents them), then checked
against the store (unknown agent, team, channel …) and turned into hashable filters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ._errors import InvalidParameter
from ._i18n import Calendar, Digits, Lang, Locale
from ._source import Source

DIMS = ("team", "agent", "channel", "priority", "tag", "language")
#: dates the Hijri (Umm al-Qura) table and the business clock can show
FIRST_DATE, LAST_DATE = dt.date(1930, 1, 1), dt.date(2075, 12, 31)
DEFAULT_DAYS = 28
_NATIVE_DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")} | {
    ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")
}


def _date(value: object) -> object:
    """Blank means 'not given'; Persian and Arabic-Indic digits are accepted."""
    if isinstance(value, str):
        value = value.strip().translate(_NATIVE_DIGITS).replace("/", "-")
        return value or None
    return value


def _values(value: object) -> object:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return value


DateParam = Annotated[dt.date | None, BeforeValidator(_date)]
Values = Annotated[
    list[Annotated[str, Field(max_length=200)]], BeforeValidator(_values), Field(max_length=50)
]


class PageQuery(BaseModel):
    """Filters and display choices shared by every page; the URL carries all of them."""

    model_config = ConfigDict(extra="forbid")

    start: DateParam = Field(None, description="First day (YYYY-MM-DD, Gregorian).")
    end: DateParam = Field(None, description="Last day, included (YYYY-MM-DD).")
    team: Values = Field([], description="Team id(s), e.g. demo:care.")
    agent: Values = Field([], description="Agent id(s), e.g. demo:a-001.")
    channel: Values = Field([], description="Channel(s): email, chat, phone …")
    priority: Values = Field([], description="Priority(ies): low, normal, high, urgent.")
    tag: Values = Field([], description="Ticket tag(s).")
    language: Values = Field([], description="Conversation language(s): fa, ar, en …")
    hours: Literal["business", "calendar"] = Field(
        "business", description="Durations in business or calendar hours."
    )
    period: Literal["auto", "day", "week", "month"] = Field(
        "auto", description="Trend granularity; months follow the display calendar."
    )
    lang: Lang | None = Field(None, description="Interface language: fa, ar or en.")
    cal: Calendar | None = Field(
        None, description="Calendar for dates: gregorian, jalali or hijri (default per language)."
    )
    digits: Digits | None = Field(
        None, description="Digits: latin, persian or arabic (default per language)."
    )


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


def resolve(query: PageQuery, source: Source, default_lang: str) -> tuple[Filters, Locale]:
    """Check the query against the store; unknown values and bad ranges are 400s."""
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
    for name in ("start", "end"):
        day = getattr(query, name)
        if day is not None and not FIRST_DATE <= day <= LAST_DATE:
            raise InvalidParameter(
                name, f"{day} is outside {FIRST_DATE} … {LAST_DATE}; choose a date in range"
            )
    end = query.end or (
        query.start + dt.timedelta(days=DEFAULT_DAYS - 1) if query.start else dims.last_day
    )
    start = query.start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise InvalidParameter(
            "end", f"the range ends ({end}) before it starts ({start}); swap the two dates"
        )
    if (end - start).days > 3660:
        raise InvalidParameter("start", "the range is longer than ten years; choose a shorter one")
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


def _period(asked: str, days: int, locale: Locale) -> str:
    """Trend granularity: about 7 to 60 points for the chosen range."""
    if asked == "auto":
        asked = "day" if days <= 45 else ("week" if days <= 270 else "month")
    if asked == "month":
        return {"gregorian": "month", "jalali": "jalali_month", "hijri": "hijri_month"}[
            locale.calendar
        ]
    return asked
