"""The wallboard: today so far, in big numbers, for a team's screen.

"Today" is the local day of the business calendar (the team's, when the teams asked
for share one; else the configuration's default) up to "now": the clock, or the
``as_of`` option when the configuration freezes it. Nothing here is a closed period.

The queries (what is waiting, first replies and SLA targets of the day, CSAT through
the KPI engine) are cached on the data stamp and the day; what moves with the clock
alone (ages, which targets have fallen due by now) is worked out per request from the
cached rows, so a wallboard left open costs no query until the data changes.

Definitions (the KPI registry's where one exists, so the numbers agree with the pages):

- waiting: tickets that count (``backlog``'s rows: merged duplicates left out) whose
  status is ``new`` or ``open`` (waiting on an agent; ``pending`` waits on the customer,
  ``on_hold`` on a third party); the oldest one's age since it was created, in
  calendar time;
- calls in queue (when the store has calls, and neither a team nor a channel other
  than phone is asked for): queued today, not answered, not ended;
- first reply today: ``first_reply_time`` (value and rows) over tickets whose first
  reply came today, business or calendar hours as asked (``hours``);
- SLA today: ``sla_first_reply`` over tickets whose first-reply target fell due
  today by now; a ticket still unanswered past its due time is missed, one solved
  without a reply has no outcome (as in the facts);
- CSAT today: ``csat`` from the engine over surveys answered today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any, Literal
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ... import metrics
from ...calendar import epoch_seconds, with_business_clock
from ...metrics import get_kpi
from ...metrics._registry import Context
from .._errors import InvalidParameter
from .._i18n import Calendar, Digits, Lang, Locale
from .._params import Values, data_span
from .._schema import Locale as LocaleShape
from .._source import Source
from ._common import Model, num

UTC_TS = "timestamp('UTC')"
#: statuses of a ticket waiting on an agent (pending: on the customer; on_hold: on a
#: third party)
WAITING = ("new", "open")
#: how far back a first-reply clock may have started for its target to fall due today
#: (a business-hours target can span weekends and holidays; no sane one spans this)
LOOKBACK = dt.timedelta(days=45)
#: seconds between two refreshes of the page when the data does not change (ages grow)
EVERY = 30


class WallboardQuery(BaseModel):
    """The wallboard's choices (``/wallboard``, ``/api/wallboard``)."""

    model_config = ConfigDict(extra="forbid")

    team: Values = Field([], description="Team id(s), e.g. demo:care (see /api/meta).")
    channel: Values = Field(
        [], description="Channel(s): email, chat … (see /api/meta), or phone (with the calls)."
    )
    hours: Literal["business", "calendar"] = Field(
        "business", description="First reply time in business or calendar hours."
    )
    lang: Lang | None = Field(None, description="Interface language: fa, ar or en.")
    cal: Calendar | None = Field(
        None, description="Calendar for dates: gregorian, jalali or hijri (default per language)."
    )
    digits: Digits | None = Field(
        None, description="Digits: latin, persian or arabic (default per language)."
    )


class Tile(BaseModel):
    key: str = Field(
        description="waiting, calls_in_queue, oldest_waiting, first_reply_time, "
        "sla_first_reply or csat."
    )
    title: str
    unit: str = Field(description="count, seconds or ratio.")
    value: float | None = Field(description="Null when there is nothing to measure yet.")
    display: str = Field(description="The value as the screen shows it (never blank).")
    n: int = Field(description="Rows behind the value (tickets, targets, surveys, calls).")
    n_display: str = Field(description="n with what it counts, e.g. '12 surveys'.")
    note: str | None = Field(description="Why there is no value yet, e.g. 'no surveys yet today'.")
    detail: str | None = Field(description="What the number means here (hours, met of due).")


class Day(BaseModel):
    date: str = Field(description="The local day (YYYY-MM-DD).")
    label: str
    calendar: str = Field(description="The business calendar whose day this is.")
    timezone: str
    start: str = Field(description="The day's start (ISO, UTC).")
    now: str = Field(description="The end of 'so far' (ISO, UTC).")


class WallboardPage(BaseModel):
    page: str
    title: str
    locale: LocaleShape
    partial: bool = Field(description="Always true: today is not a closed period.")
    notice: str = Field(description="Says so: today so far, not a closed period.")
    filters: dict[str, Any] = Field(description="team, channel and hours as applied.")
    day: Day
    as_of: str | None = Field(description="The facts' as-of instant (ISO), null before any.")
    tiles: list[Tile]


@dataclasses.dataclass(frozen=True)
class Scope:
    """What one wallboard shows: validated and hashable (part of the cache key)."""

    teams: tuple[str, ...]
    channels: tuple[str, ...]
    hours: str

    @property
    def filters(self) -> dict[str, list[str]]:
        found = {"team": list(self.teams), "channel": list(self.channels)}
        return {k: v for k, v in found.items() if v}


@dataclasses.dataclass(frozen=True)
class Today:
    """The local day of one calendar, from its midnight to "now"."""

    calendar: str
    timezone: str
    day: dt.date
    start: dt.datetime  # UTC
    end: dt.datetime  # the next local midnight, UTC
    now: dt.datetime  # UTC
    #: the end of the rows read: the day's end, or just after a frozen "now"
    upto: dt.datetime

    @property
    def length(self) -> float:
        """Seconds in the day (23 or 25 on a daylight-saving change)."""
        return (self.end - self.start).total_seconds()


def scope_of(query: WallboardQuery, source: Source) -> Scope:
    """Check the teams and channels against the store (unknown ones are 400s)."""
    chosen: dict[str, tuple[str, ...]] = {}
    for dim in ("team", "channel"):
        values = tuple(sorted(set(getattr(query, dim))))
        known = set(_choices(source, dim))
        unknown = [v for v in values if v not in known]
        if unknown:
            sample = ", ".join(sorted(known)[:12]) or "none"
            raise InvalidParameter(dim, f"unknown {dim} {unknown[0]!r}; the store has: {sample}")
        chosen[dim] = values
    return Scope(chosen["team"], chosen["channel"], query.hours)


def _choices(source: Source, dim: str) -> tuple[str, ...]:
    """What a filter may be: the store's teams or ticket channels, and phone (calls)."""
    found = source.dims.values(dim)
    return tuple(sorted({*found, "phone"})) if dim == "channel" else found


def today(source: Source, scope: Scope, now: dt.datetime | None = None) -> Today:
    """Today in the calendar of the teams asked for (when they share one), else in the
    default calendar; ``now``: the ``as_of`` option, else the clock."""
    config = source.config
    frozen = config.options.as_of
    now = now or frozen or dt.datetime.now(dt.UTC)
    name = config.default_calendar
    named = {_team_calendars(source).get(team) for team in scope.teams}
    if len(named) == 1 and (only := named.pop()) in config.all_calendars():
        name = only
    zone = ZoneInfo(config.all_calendars()[name].timezone)
    day = now.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    upto = min(end, now + dt.timedelta(microseconds=1)) if frozen else end
    return Today(name, zone.key, day, start, end, now.astimezone(dt.UTC), upto)


def _team_calendars(source: Source) -> dict[str, str]:
    def read() -> dict[str, str]:
        teams = source.table("teams")
        found = source.run(teams.select("team_id", "calendar"))
        return {
            str(r.team_id): str(r.calendar)
            for r in found.itertuples()
            if isinstance(r.calendar, str)
        }

    calendars: dict[str, str] = source.memo(("wallboard_calendars",), read)
    return calendars


# -- the queries (cached on the data stamp and the day) -----------------------------------


@dataclasses.dataclass(frozen=True)
class Numbers:
    waiting: int
    oldest: dt.datetime | None
    calls: int | None  # None: no calls tile
    oldest_call: dt.datetime | None
    replies: int
    reply_median: float | None
    #: targets due today: calendar, business (bool), seconds after the day's start at
    #: which it fell due (business seconds for business-hours policies), met (bool)
    targets: pd.DataFrame
    surveys: int
    csat: float | None


def numbers(source: Source, scope: Scope, day: Today) -> Numbers:
    key = ("wallboard", scope, day.calendar, day.day, day.upto)

    def compute() -> Numbers:
        source.limits.take_turn()  # (before the gate: a rebuild need not wait for the queue)
        with source.gate.read():
            return _numbers(source, scope, day)

    found: Numbers = source.memo(key, compute)
    return found


def _numbers(source: Source, scope: Scope, day: Today) -> Numbers:
    ctx = Context(source.config.options, "business" if scope.hours == "business" else "calendar")
    tickets = _restrict(source.table("facts_tickets"), scope)
    counted = get_kpi("backlog").where  # (tickets that count: merged duplicates left out)
    assert counted is not None
    tickets = tickets.filter(counted(ctx, tickets))
    waiting, oldest = _waiting(source, tickets, day)
    calls, oldest_call = _calls(source, scope, day)
    replies, median = _first_replies(source, ctx, tickets, day)
    csat = _csat(source, scope, day)
    return Numbers(
        waiting=waiting,
        oldest=oldest,
        calls=calls,
        oldest_call=oldest_call,
        replies=replies,
        reply_median=median,
        targets=_targets(source, ctx, tickets, day),
        surveys=int(csat["n"]) if csat is not None else 0,
        csat=num(csat["value"]) if csat is not None else None,
    )


def _restrict(t: ir.Table, scope: Scope) -> ir.Table:
    if scope.teams:
        t = t.filter(t.team_id.isin(list(scope.teams)))
    if scope.channels:
        t = t.filter(t.channel.isin(list(scope.channels)))
    return t


def _at(moment: dt.datetime) -> ir.Value:
    return ibis.literal(moment, type=UTC_TS)


def _instant(value: Any) -> dt.datetime | None:
    if value is None or pd.isna(value):
        return None
    found: dt.datetime = pd.Timestamp(value).tz_convert("UTC").to_pydatetime()
    return found


def _waiting(source: Source, t: ir.Table, day: Today) -> tuple[int, dt.datetime | None]:
    t = t.filter(~t.is_solved & t.status.isin(WAITING) & (t.created_at < _at(day.upto)))
    row = source.run(t.agg(n=t.count(), oldest=t.created_at.min())).iloc[0]
    return int(row["n"]), _instant(row["oldest"])


def _calls(source: Source, scope: Scope, day: Today) -> tuple[int | None, dt.datetime | None]:
    """Calls waiting in a queue now; None when the store has no calls, or the screen is
    a team's (a queued call has no team yet) or another channel's."""
    if scope.teams or (scope.channels and "phone" not in scope.channels):
        return None, None
    c = source.table("facts_calls")
    if source.run(c.select("call_id").limit(1)).empty:
        return None, None
    queued = c.filter(
        c.queued_at.notnull()
        & c.answered_at.isnull()
        & c.ended_at.isnull()
        & (c.queued_at >= _at(day.start))
        & (c.queued_at < _at(day.upto))
    )
    row = source.run(queued.agg(n=queued.count(), oldest=queued.queued_at.min())).iloc[0]
    return int(row["n"]), _instant(row["oldest"])


def _first_replies(
    source: Source, ctx: Context, t: ir.Table, day: Today
) -> tuple[int, float | None]:
    kpi = get_kpi("first_reply_time")
    assert kpi.where is not None and kpi.value is not None
    t = t.filter(kpi.where(ctx, t))
    t = t.filter((t.first_reply_at >= _at(day.start)) & (t.first_reply_at < _at(day.upto)))
    v = kpi.value(ctx, t)
    row = source.run(t.agg(n=t.count(), median=v.median())).iloc[0]
    return int(row["n"]), num(row["median"])


def _targets(source: Source, ctx: Context, t: ir.Table, day: Today) -> pd.DataFrame:
    """First-reply targets that fall due today, with their outcome once due.

    Due at the first instant the reply clock (from ``reply_clock_start``) reaches the
    target: in calendar seconds, or on the ticket's business clock B for a business-hours
    policy, so it falls today when B(start) + target lies in (B(day start), B(day end)].
    ``after``: when it falls due, in (business) seconds after the day's start.
    """
    kpi = get_kpi("sla_first_reply")
    assert kpi.where is not None
    t = t.filter(
        kpi.where(ctx, t)
        & t.sla_first_reply_target_s.notnull()
        & (t.reply_clock_start < _at(day.upto))
        & (t.reply_clock_start >= _at(day.start - LOOKBACK))
    )
    t = t.select(  # (what follows needs only these: the clock join carries every column)
        "calendar",
        "reply_clock_start",
        "sla_business",
        "sla_first_reply_target_s",
        "sla_first_reply_met",
        "first_reply_at",
        "is_solved",
    )
    clock = source.table("sanjeh_clock")
    b = with_business_clock(t, {"_b_start": "reply_clock_start"}, clock, calendar="calendar")
    bounds = _day_clock(source, day)

    def per_calendar(index: int) -> ir.Value:
        cases = [(b.calendar == name, ibis.literal(v[index])) for name, v in bounds.items()]
        return ibis.cases(*cases, else_=ibis.null("float64")) if cases else ibis.null("float64")

    business = b.sla_business.fill_null(False)
    target = b.sla_first_reply_target_s
    wall = epoch_seconds(b.reply_clock_start) + target - day.start.timestamp()
    after = ibis.ifelse(business, b._b_start + target - per_calendar(0), wall)
    length = ibis.ifelse(business, per_calendar(1) - per_calendar(0), day.length)
    # unanswered and not solved once due: missed (the facts judge at their own as-of)
    unanswered = ibis.ifelse(b.first_reply_at.isnull() & ~b.is_solved, False, ibis.null("boolean"))
    due = b.filter((after > 0) & (after <= length)).select(
        calendar=b.calendar,
        business=business,
        after=after,
        met=b.sla_first_reply_met.coalesce(unanswered),
    )
    return source.run(due)


def _day_clock(source: Source, day: Today) -> dict[str, tuple[float, float]]:
    """B(day start) and B(day end) of each calendar, from the facts' clock table."""
    clock = source.table("sanjeh_clock")

    def at(moment: dt.datetime, which: str) -> ir.Table:
        rows = clock.filter(clock.epoch_day == int(moment.timestamp() // 86_400))
        return rows.select(calendar=rows.calendar, which=ibis.literal(which), _ts=_at(moment))

    both = ibis.union(at(day.start, "start"), at(day.end, "end"))
    found = source.run(with_business_clock(both, {"_b": "_ts"}, clock, calendar="calendar"))
    values = found.pivot_table(index="calendar", columns="which", values="_b")
    return {
        str(name): (float(row["start"]), float(row["end"]))
        for name, row in values.iterrows()
        if not (pd.isna(row.get("start")) or pd.isna(row.get("end")))
    }


def _csat(source: Source, scope: Scope, day: Today) -> pd.Series | None:
    """``csat`` from the KPI engine over the surveys answered today (so far)."""
    found = metrics.kpis(
        source.store,
        ["csat"],
        start=day.start,
        end=day.upto,
        filters=scope.filters,
        config=source.config,
        ensure=False,  # the source keeps the facts current
        stats=False,
        compare=False,
    )
    rows = found[found.kpi == "csat"]
    return None if rows.empty else rows.iloc[0]


# -- the page (per request: ages and due targets move with the clock) --------------------


def build(source: Source, scope: Scope, locale: Locale, now: dt.datetime | None = None) -> Model:
    """The wallboard's view model (the page and ``/api/wallboard``)."""
    day = today(source, scope, now)
    found = numbers(source, scope, day)
    t = locale.t
    tiles = [
        _tile(
            locale,
            "waiting",
            t("wallboard.waiting"),
            "count",
            found.waiting,
            found.waiting,
            t("wallboard.n_tickets", n=found.waiting),
            None if found.waiting else t("wallboard.none_waiting"),
        )
    ]
    if found.calls is not None:
        tiles.append(
            _tile(
                locale,
                "calls_in_queue",
                t("wallboard.calls_in_queue"),
                "count",
                found.calls,
                found.calls,
                t("wallboard.n_calls", n=found.calls),
                None if found.calls else t("wallboard.no_calls_waiting"),
                _age(locale, found.oldest_call, day, "wallboard.longest_call"),
            )
        )
    age = None if found.oldest is None else (day.now - found.oldest).total_seconds()
    tiles.append(
        _tile(
            locale,
            "oldest_waiting",
            t("wallboard.oldest_waiting"),
            "seconds",
            age,
            found.waiting,
            t("wallboard.n_tickets", n=found.waiting),
            None if age is not None else t("wallboard.none_waiting"),
            t("wallboard.since_created"),
        )
    )
    hours = t("hours.business") if scope.hours == "business" else t("hours.calendar")
    tiles.append(
        _tile(
            locale,
            "first_reply_time",
            t("wallboard.first_reply_time"),
            "seconds",
            found.reply_median,
            found.replies,
            t("wallboard.n_replies", n=found.replies),
            None if found.replies else t("wallboard.no_replies"),
            hours,
        )
    )
    met, due = _due(source, found.targets, day)
    tiles.append(
        _tile(
            locale,
            "sla_first_reply",
            t("wallboard.sla"),
            "ratio",
            met / due if due else None,
            due,
            t("wallboard.n_targets", n=due),
            None if due else t("wallboard.no_targets"),
            t("wallboard.met_of", met=met, n=due) if due else None,
        )
    )
    tiles.append(
        _tile(
            locale,
            "csat",
            t("wallboard.csat"),
            "ratio",
            found.csat,
            found.surveys,
            t("wallboard.n_surveys", n=found.surveys),
            None if found.surveys else t("wallboard.no_surveys"),
        )
    )
    return {
        "page": "wallboard",
        "title": t("page.wallboard"),
        "locale": {
            "lang": locale.lang,
            "calendar": locale.calendar,
            "digits": locale.digits,
            "dir": locale.dir,
        },
        "partial": True,
        "notice": t("wallboard.partial"),
        "filters": {
            "team": list(scope.teams),
            "channel": list(scope.channels),
            "hours": scope.hours,
        },
        "day": {
            "date": day.day.isoformat(),
            "label": locale.date(day.day),
            "calendar": day.calendar,
            "timezone": day.timezone,
            "start": day.start.isoformat(),
            "now": day.now.isoformat(),
        },
        "as_of": source.as_of.isoformat() if source.as_of else None,
        "tiles": tiles,
    }


def _tile(
    locale: Locale,
    key: str,
    title: str,
    unit: str,
    value: float | None,
    n: int,
    n_display: str,
    note: str | None,
    detail: str | None = None,
) -> Model:
    return {
        "key": key,
        "title": title,
        "unit": unit,
        "value": value,
        "display": locale.value(unit, value) if value is not None else "—",
        "n": n,
        "n_display": n_display,
        "note": note,
        "detail": detail,
    }


def _age(locale: Locale, since: dt.datetime | None, day: Today, key: str) -> str | None:
    if since is None:
        return None
    return locale.t(key, age=locale.value("seconds", (day.now - since).total_seconds()))


def _due(source: Source, targets: pd.DataFrame, day: Today) -> tuple[int, int]:
    """(met, with an outcome) among the targets fallen due by now."""
    if targets.empty:
        return 0, 0
    wall = (day.now - day.start).total_seconds()
    calendars = source.config.all_calendars()
    business = {
        name: calendars[name].business_seconds(day.start, day.now)
        for name in targets.calendar[targets.business].dropna().unique()
        if name in calendars
    }
    limit = [
        business.get(cal, float("-inf")) if biz else wall
        for cal, biz in zip(targets.calendar, targets.business, strict=True)
    ]
    fallen = targets[(targets.after <= pd.Series(limit, index=targets.index)) & targets.met.notna()]
    return int(fallen.met.astype(bool).sum()), len(fallen)


# -- the header's "as of" (every live page) ------------------------------------------------


def header(source: Source, locale: Locale) -> Model:
    """What base.html shows and live.js follows: the data stamp and the facts' as-of
    ("as of 14:03:12" in the business time zone; the date too when it is not today)."""
    as_of = source.as_of
    if as_of is None:
        return {"stamp": source.stamp, "as_of": "", "label": locale.t("live.no_data")}
    zone = ZoneInfo(source.timezone)
    local = as_of.astimezone(zone)
    text = locale.number(local.strftime("%H:%M:%S"))
    if local.date() != dt.datetime.now(zone).date():
        text = f"{locale.short_date(local.date())} {text}"
    return {
        "stamp": source.stamp,
        "as_of": as_of.isoformat(),
        "label": locale.t("live.as_of", time=text),
    }


def page_options(source: Source, locale: Locale) -> Model:
    """The wallboard's choices and what base.html's date picker data needs."""
    first, last = data_span(source)
    dims = source.dims
    return {
        "months": locale.month_names(),
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "team": sorted(dims.teams.items(), key=lambda x: x[1]),
        "channel": [(c, locale.label("channel", c)) for c in _choices(source, "channel")],
    }


def stamp(source: Source) -> bytes:
    """``/api/stamp``'s body: no query, the source holds both."""
    as_of = source.as_of.isoformat() if source.as_of else None
    return json.dumps({"stamp": source.stamp, "as_of": as_of}).encode()
