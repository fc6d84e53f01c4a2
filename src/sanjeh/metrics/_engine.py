"""Run KPI declarations: group by any breakdown and period, add statistics and targets.

KPIs that read the same fact table with the same time column are computed in one
GROUP BY (conditional aggregates), so a full report is a handful of queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..store import Store
from . import _compiled, _names, _notes, _stats
from ._build import (
    CALL_FACTS,
    CUSTOMER_FACTS,
    DATES,
    INVITATION_FACTS,
    QUALITY_FACTS,
    REPLY_FACTS,
    REVIEW_FACTS,
    SHIFT_FACTS,
    SURVEY_FACTS,
    TICKET_FACTS,
    VIEW_FACTS,
    ensure_facts,
    facts_as_of,
)
from ._columns import ALL_DIMENSIONS, DIMENSIONS, RESULT_COLUMNS
from ._config import MetricsConfig, parse_duration
from ._periods import (
    check_period,
    key_of,
    keys_between,
    label,
    local_seconds,
    period_key,
    previous_key,
    start_of,
)
from ._registry import KPI, Context, all_kpis, get_kpi

_LOCAL = {
    "created_at": "created_local",
    "solved_at": "solved_local",
    "replied_at": "replied_local",
    "at": "at_local",
    "sent_at": "sent_local",
    "started_at": "started_local",
    "churned_at": "churned_local",
    "start_at": "start_local",
    "reviewed_at": "reviewed_local",
    "viewed_at": "viewed_local",
}
_FACTS = {
    "tickets": TICKET_FACTS,
    "replies": REPLY_FACTS,
    "surveys": SURVEY_FACTS,
    "invitations": INVITATION_FACTS,
    "quality": QUALITY_FACTS,
    "reviews": REVIEW_FACTS,
    "calls": CALL_FACTS,
    "customers": CUSTOMER_FACTS,
    "shifts": SHIFT_FACTS,
    "views": VIEW_FACTS,
}
_DAY = 86_400
#: the local instants that place a source's rows in time (its data ends at their latest)
_SOURCE_TIMES = {
    "calls": ("started_local",),
    "surveys": ("at_local",),
    "invitations": ("sent_local",),
    "customers": ("created_local", "churned_local"),
    "shifts": ("start_local",),
    "views": ("viewed_local",),
}


@dataclasses.dataclass
class Query:
    """One report request, as the engine and custom KPIs see it."""

    store: Store
    config: MetricsConfig
    ctx: Context
    by: list[str]
    period: str | None
    #: local epoch seconds bounding the report (None: open)
    start: float | None
    end: float | None
    filters: dict[str, list[Any]]
    week_start: str = "monday"
    #: False: each KPI's value and n only (no mean / median / p90 / sd beside it)
    stats: bool = True
    #: False: do not read the period before the report (previous and change stay empty)
    compare: bool = True
    #: the ticket data's last instant (the facts' "now") in local epoch seconds
    as_of: float | None = None
    #: results shared by KPIs computed from the same numbers (see ``shared``)
    _memo: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: the request's literal values (dates, filter values), see ``_compiled``
    values: _compiled.Values = dataclasses.field(default_factory=_compiled.Values)

    def __post_init__(self) -> None:
        lo, hi = self.window()
        for name, value in (("lo", lo), ("hi", hi), ("start", self.start)):
            if value is not None:
                self.values.number(name, value)
        gap = self.gap()
        if gap is not None:
            self._gap_key(gap)
        for d, chosen in self.filters.items():
            for i, v in enumerate(chosen):
                self.values.string(d, i, str(v))

    @property
    def shape(self) -> tuple[Any, ...]:
        """What the structure of this request's queries depends on (not its values)."""
        filters = tuple((d, len(v)) for d, v in self.filters.items())
        return (
            tuple(self.by),
            self.period,
            self.week_start,
            self.ctx,
            filters,
            self.start is None,
            self.end is None,
            self.stats,
            self.compare,
            self.gap() is None,
        )

    def run(self, key: tuple[Any, ...], build: Callable[[], ir.Table]) -> pd.DataFrame:
        """Execute ``build()``'s query, compiled once per ``key`` and request shape."""
        return _compiled.run(self.store, self.values, (*key, self.shape), build)

    def shared(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute once per request what several KPIs need (churn and retention …)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def keys(self) -> list[str]:
        return [*self.by, "_period"]

    def fact(self, source: str) -> ir.Table:
        return _compiled.table(self.store, _FACTS[source])

    def local(self, time: str) -> str:
        return _LOCAL[time]

    def counts(
        self,
        table: ir.Table,
        source: str,
        time: str,
        *,
        history: bool = False,
        name: str = "n",
        key: str | None = None,
    ) -> pd.DataFrame:
        """Rows per (breakdown, period) as a small DataFrame.

        ``key`` names what ``table`` is (e.g. "backlog.solved") so the compiled query
        can be reused; without it the query is built and compiled every time.
        """

        def build() -> ir.Table:
            t = self.keyed(table, source, _LOCAL[time], history=history)
            return t.group_by(self.keys).agg(**{name: t.count()})

        if key is None:
            with self.store.lock:
                return build().to_pandas()
        return self.run(("counts", key, source, time, history, name), build)

    def keyed(
        self,
        table: ir.Table,
        source: str,
        local: str,
        *,
        history: bool = False,
        window: bool = True,
    ) -> ir.Table:
        """Rows with breakdown columns, the period key (``_period``) and the filters applied.

        The time window is the report's (extended back by one period, or by the whole
        report span when there is no period, for the previous-period comparison);
        ``history=True`` keeps everything before the end (running totals).
        """
        t = self.narrowed(table, source)
        value = self.values
        lo, hi = self.window()
        at = t[local]
        t = t.filter(at.notnull())  # a row with no such instant belongs to no period
        if hi is not None:
            t = t.filter(at < value.number("hi", hi))
        if lo is not None and not history and window:
            t = t.filter(at >= value.number("lo", lo))
        if self.period is None:
            # rows before the previous window only feed running totals ("base")
            key = ibis.literal("current")
            if self.start is not None:
                earlier = at >= value.number("lo", lo) if lo is not None else ibis.literal(True)
                current = at >= value.number("start", self.start)
                key = ibis.cases((current, "current"), (earlier, "previous"), else_="base")
        else:
            dates = _compiled.table(self.store, DATES)
            key, dim = period_key(at, self.period, dates, self.week_start)
            if dim is not None:
                t = t.mutate(_day=(at / _DAY).floor().cast("int64"))
                t = t.join(dim, t._day == dim._d_day).drop("_d_day", "_day")
                key = t._d_label
            gap = self.gap()
            if gap is not None:
                # the first period is cut at the report's start: what lies before the
                # start in that period joins the period before (read for running totals
                # and comparison only), so the first period counts only the report's days
                assert self.start is not None
                before = at < value.number("start", self.start)
                key = ibis.ifelse(before, self._gap_key(gap), key)
        return t.mutate(**self.breakdowns(t, source), _period=key)

    def data_end(self, source: str) -> float | None:
        """Local epoch seconds of the last instant ``source``'s data reaches: a period
        ending after it has not closed (None: unknown, every period is closed).

        Ticket facts end at the facts' "now"; QA reviews are written now; calls,
        surveys, customers and shifts end at their own latest row."""
        if source in ("tickets", "replies", "quality"):
            return self.as_of
        tz = self.config.all_calendars()[self.config.default_calendar].timezone
        if source == "reviews":
            return _to_local(tz, dt.datetime.now(dt.UTC))
        times = _SOURCE_TIMES[source]

        def latest() -> float | None:
            t = self.fact(source)
            with self.store.lock:
                found = [self.store.con.execute(t[c].max()) for c in times]
            real = [float(v) for v in found if v is not None and not pd.isna(v)]
            return max(real) if real else None

        found: float | None = _compiled.remember(self.store, f"data_end:{source}", latest)
        return found

    def gap(self) -> object | None:
        """The key of the period before the first, when the report starts inside its
        first period (that period is then clipped to the report's start), else None."""
        if self.period is None or self.start is None:
            return None
        first = key_of(self.period, self.start, self.week_start)
        if local_seconds(start_of(self.period, first)) >= self.start:
            return None
        return previous_key(self.period, first)

    def _gap_key(self, gap: object) -> ir.Value | object:
        if isinstance(gap, int):
            return ibis.literal(self.values.number("gap", float(gap))).cast("int64")
        return self.values.string("gap", 0, str(gap))

    def narrowed(self, table: ir.Table, source: str) -> ir.Table:
        """Rows that pass the report's filters (one row per tag when broken down by tag)."""
        dims = DIMENSIONS[source]
        for d in [*self.by, *self.filters]:
            if d not in dims:
                raise ConfigError(
                    f"cannot break down or filter {source} KPIs by {d!r}; possible: "
                    f"{', '.join(dims)}"
                )
        t = table
        if "tag" in self.by:
            t = t.mutate(tag=t.tags.unnest())
        for d, chosen in self.filters.items():
            col = dims[d]
            wanted = [self.values.string(d, i, str(v)) for i, v in enumerate(chosen)]
            if d == "tag":
                t = t.filter(ibis.or_(*[t[col].contains(v) for v in wanted]))
            else:
                t = t.filter(t[col].isin(wanted))
        return t

    def breakdowns(self, t: ir.Table, source: str) -> dict[str, ir.Value]:
        """The breakdown columns of a narrowed table, by breakdown name."""
        dims = DIMENSIONS[source]
        return {d: (t.tag if d == "tag" else t[dims[d]]) for d in self.by}

    def period_keys(self, seen: list[object]) -> list[object]:
        """Every period of the report, including those without any rows."""
        assert self.period is not None
        if self.start is not None:
            first = key_of(self.period, self.start, self.week_start)
        elif seen:
            first = min(seen)  # type: ignore[type-var]
        else:
            return []
        if self.end is not None:
            last = key_of(self.period, self.end - 1e-6, self.week_start)
        elif seen:
            last = max(seen)  # type: ignore[type-var]
        else:
            return []
        if self.start is not None and self.compare:  # and the period before, to compare
            first = previous_key(self.period, first)
        return keys_between(self.period, first, last)

    def first_period_start(self) -> float | None:
        """Local seconds where the first reported period starts (whole periods)."""
        if self.start is None or self.period is None:
            return self.start
        return local_seconds(
            start_of(self.period, key_of(self.period, self.start, self.week_start))
        )

    def window(self) -> tuple[float | None, float | None]:
        """Rows to read: the report, plus the period before it unless ``compare`` is off."""
        if self.start is None:
            return None, self.end
        if not self.compare:
            return self.first_period_start(), self.end
        if self.period is None:
            span = (self.end - self.start) if self.end is not None else None
            return (self.start - span if span else None), self.end
        first = key_of(self.period, self.start, self.week_start)
        before = previous_key(self.period, first)
        return local_seconds(start_of(self.period, before)), self.end


def _measures(kpi: KPI, ctx: Context, t: ir.Table, time: str, stats: bool) -> dict[str, ir.Value]:
    cond = kpi.where(ctx, t) if kpi.where else ibis.literal(True)
    p = f"{kpi.name}__"
    waiting: dict[str, ir.Value] = {}
    if kpi.pending is not None:  # rows whose outcome is not known yet, counted apart
        waiting = {p + "pending": t.count(where=cond & kpi.pending(ctx, t).fill_null(False))}
    if kpi.left_out is not None:  # rows left out for good, counted for the note
        waiting[p + "left_out"] = t.count(where=kpi.left_out(ctx, t).fill_null(False))
    if kpi.kind == "count":
        return {p + "n": t.count(where=cond)}
    if kpi.kind == "level":  # rows coming in at ``time`` or going out at ``until``
        return {p + ("in" if time == kpi.time else "out"): t.count(where=cond)}
    assert kpi.value is not None
    v = kpi.value(ctx, t)
    ok = cond & v.notnull()
    if kpi.invitations is not None:  # the response rate behind the answers (_notes)
        invited = kpi.invitations(ctx, t)
        waiting[p + "invited"] = t.count(where=invited)
        waiting[p + "responded"] = t.count(where=invited & ok)
    if kpi.kind == "rate":
        return {
            p + "n": t.count(where=ok),
            p + "k": ibis.ifelse(v, 1, 0).sum(where=ok),
            **waiting,
        }
    if not stats:  # the headline statistic alone: the quantiles are most of the cost
        if kpi.stat == "median":
            return {p + "n": t.count(where=ok), p + "median": v.median(where=ok), **waiting}
        return {p + "n": t.count(where=ok), p + "mean": v.mean(where=ok), **waiting}
    return {
        p + "n": t.count(where=ok),
        p + "mean": v.mean(where=ok),
        p + "median": v.median(where=ok),
        p + "p90": v.quantile(0.9, where=ok),
        p + "sd": v.std(where=ok),
        # the largest value: flags a mean that one row dominates (see _notes)
        p + "max": v.max(where=ok),
        **waiting,
    }


def _standard(q: Query, group: list[KPI], source: str, time: str) -> pd.DataFrame:
    """One GROUP BY for every KPI of ``group``: their aggregates side by side."""

    def build() -> ir.Table:
        t = q.keyed(q.fact(source), source, _LOCAL[time])
        aggs: dict[str, ir.Value] = {}
        for kpi in group:
            aggs.update(_measures(kpi, q.ctx, t, time, q.stats))
        return t.group_by(q.keys).agg(**aggs)

    return q.run(("standard", source, time, *(k.name for k in group)), build)


def _results(q: Query, group: list[KPI], out: pd.DataFrame) -> pd.DataFrame:
    """The rows of each KPI in ``group`` from their aggregates (``_standard``'s frame).

    Built column by column with numpy: a report's frames are small, and pandas'
    per-operation cost, not the data, is what a column-at-a-time loop would spend.
    """
    rows = len(out)
    nothing = np.full(rows, np.nan)

    def numbers(name: str, scale: float = 1.0) -> np.ndarray:
        found = out.get(name)
        if found is None:
            return nothing
        return found.to_numpy(dtype="float64", na_value=np.nan) * scale

    cols: dict[str, list[np.ndarray]] = defaultdict(list)
    for kpi in group:
        p = f"{kpi.name}__"
        n = np.nan_to_num(numbers(p + "n"))
        stats = dict.fromkeys(("mean", "median", "p90", "sd", "max", "successes"), nothing)
        stats["pending"] = numbers(p + "pending") if kpi.pending is not None else nothing
        if kpi.kind == "count":
            value = n
        elif kpi.kind == "rate":
            stats["successes"] = np.nan_to_num(numbers(p + "k"))
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(n > 0, stats["successes"] / n, np.nan)
        else:
            for s in ("mean", "median", "p90", "sd", "max"):
                stats[s] = numbers(p + s, kpi.scale)
            value = stats["median" if kpi.stat == "median" else "mean"]
        hidden = np.zeros(rows, dtype=bool)
        if kpi.anonymous:  # a small group's answers could be told apart: no value
            hidden = (n > 0) & (n < q.config.surveys.min_group)
            value = np.where(hidden, np.nan, value)
            stats = {s: np.where(hidden, np.nan, v) for s, v in stats.items()}
        cols["kpi"].append(np.full(rows, kpi.name, dtype=object))
        cols["n"].append(n.astype("int64"))
        cols["value"].append(value)
        cols["_hidden"].append(hidden)
        for s, found in stats.items():
            cols[s].append(found)
        for s in ("invited", "responded", "left_out"):
            cols[f"_{s}"].append(numbers(p + s))
    keys = pd.concat([out[q.keys]] * len(group), ignore_index=True)
    values = pd.DataFrame({name: np.concatenate(parts) for name, parts in cols.items()})
    return pd.concat([keys, values], axis=1)  # (one concat: a column at a time costs more)


def _level(
    q: Query, kpi: KPI, into: pd.DataFrame, out: pd.DataFrame, before: pd.DataFrame | None
) -> pd.DataFrame:
    """A running total per breakdown and period: what was open before the report's
    window, plus what came in, less what went out, period by period.

    (Plain Python: a few hundred breakdown × period cells, where pandas' merges and
    group-bys cost more than the arithmetic.)
    """
    p = f"{kpi.name}__"
    net: dict[tuple[Any, ...], dict[Any, int]] = defaultdict(lambda: defaultdict(int))

    def add(frame: pd.DataFrame, column: str, sign: int, period: Any = None) -> None:
        combos = zip(*(frame[d] for d in q.by), strict=True) if q.by else [()] * len(frame)
        periods = frame["_period"] if period is None else [period] * len(frame)
        counts = frame[column].to_numpy(dtype="float64", na_value=0.0)
        for combo, at, n in zip(combos, periods, counts, strict=True):
            net[tuple(np.nan if pd.isna(v) else v for v in combo)][at] += sign * int(n)

    add(into, p + "in", 1)
    add(out, p + "out", -1)
    lo = q.window()[0]
    # everything before the window enters as one earlier "period": ``base``
    if q.period is None:
        base: Any = "base"
    elif lo is not None:
        base = previous_key(q.period, key_of(q.period, lo, q.week_start))
    else:
        base = None
    if before is not None:  # (``_before``: what came and went before ``lo``)
        add(before, "added", 1, base)
        add(before, "removed", -1, base)
    shown: list[Any]
    if q.period is None:  # the windows in order (a level exists even without movement)
        shown = ["previous", "current"] if q.start is not None and q.compare else ["current"]
    else:
        seen = {k for cells in net.values() for k in cells if k != base}
        shown = sorted(seen | set(q.period_keys(sorted(seen))))
    order, showing = [base, *shown], set(shown)
    rows: dict[str, list[Any]] = {d: [] for d in q.keys}
    levels: list[int] = []
    for combo, cells in net.items():
        level = 0
        for at in order:
            level += cells.get(at, 0)
            if at in showing:
                for d, v in zip(q.by, combo, strict=True):
                    rows[d].append(v)
                rows["_period"].append(at)
                levels.append(level)
    frame = pd.DataFrame(rows)
    frame["kpi"], frame["n"] = kpi.name, np.array(levels, dtype="int64")
    frame["value"] = frame.n.astype("float64")
    return frame


def _before(q: Query, kpi: KPI, bound: float) -> pd.DataFrame:
    """Per breakdown: rows in, and rows out, before local instant ``bound``."""
    until = kpi.until
    assert until is not None

    def build() -> ir.Table:
        t = q.narrowed(q.fact(kpi.source), kpi.source)
        t = t.mutate(**q.breakdowns(t, kpi.source))
        cond = kpi.where(q.ctx, t) if kpi.where else ibis.literal(True)
        at = q.values.number("lo", bound)
        came, left = t[_LOCAL[kpi.time]] < at, t[_LOCAL[until]] < at
        return t.aggregate(
            added=t.count(where=cond & came), removed=t.count(where=cond & left), by=q.by
        )

    return q.run(("before", kpi.name), build)


def _to_local(q_tz: str, value: dt.date | dt.datetime | str | None) -> float | None:
    """A report bound (date, aware or naive datetime, ISO text) → local epoch seconds."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{value!r} is not a date; write e.g. 2026-03-01") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from zoneinfo import ZoneInfo

            value = value.astimezone(ZoneInfo(q_tz)).replace(tzinfo=None)
        return (value - dt.datetime(1970, 1, 1)).total_seconds()
    return (dt.datetime.combine(value, dt.time()) - dt.datetime(1970, 1, 1)).total_seconds()


def kpis(
    store: Store,
    kpis: list[str] | None = None,
    *,
    by: list[str] | str | None = None,
    period: str | None = None,
    start: dt.date | dt.datetime | str | None = None,
    end: dt.date | dt.datetime | str | None = None,
    filters: dict[str, Any] | None = None,
    hours: str = "business",
    week_start: str | None = None,
    config: MetricsConfig | None = None,
    ensure: bool = True,
    stats: bool = True,
    compare: bool = True,
) -> pd.DataFrame:
    """Compute KPIs by breakdown and period; one row per (kpi, breakdown…, period).

    ``start`` / ``end`` are dates or datetimes in the business's time zone (the default
    calendar's); ``end`` is exclusive. Columns: kpi, title, unit, the breakdowns,
    period, period_start, n, value, mean, median, p90, ci_low, ci_high, previous,
    change, change_pct, target, status.

    ``stats=False`` computes what a leaderboard or a sparkline shows, at a fraction of
    the cost: n and value (and a rate's interval); the other statistics of a duration or
    number KPI stay empty. ``compare=False`` does not read the period before the
    report, so previous, change and change_pct of its first period (of the whole report
    when there is no ``period``) stay empty.

    Weeks start on ``week_start``, by default the configuration's (the day after the
    default calendar's weekend). The first and last periods are clipped to ``start`` /
    ``end``, so the periods add up to the whole report; a clipped period, or one that
    has not closed by the data's last instant, is ``partial`` and not compared with the
    period before. ``pending`` counts rows whose outcome is not known yet (an FCR or
    reopen window still open); ``note`` says why a value is missing or should be read
    with care (pending rows, an outlier that dominates a mean, a KPI that a breakdown or
    filter does not apply to — such a KPI gets one row without a value, never none).
    """
    config = config or MetricsConfig.from_settings()
    if hours not in ("business", "calendar"):
        raise ConfigError("hours must be 'business' or 'calendar'")
    check_period(period)
    by = [by] if isinstance(by, str) else list(by or [])
    unknown = [d for d in by if d not in ALL_DIMENSIONS]
    if unknown:
        raise ConfigError(f"unknown breakdown {unknown[0]!r}; use: {', '.join(ALL_DIMENSIONS)}")
    chosen = [get_kpi(k) for k in kpis] if kpis else list(all_kpis().values())
    filters = {k: (v if isinstance(v, list | tuple) else [v]) for k, v in (filters or {}).items()}
    bad = [k for k in filters if k not in ALL_DIMENSIONS]
    if bad:
        raise ConfigError(f"unknown filter {bad[0]!r}; use: {', '.join(ALL_DIMENSIONS)}")
    _refuse_anonymous(chosen, by, list(filters))
    if ensure:  # a caller that keeps the facts fresh itself (the web app) skips the check
        ensure_facts(store, config)
    week_start = week_start or config.week_start
    filters = _names.resolve_names(store, filters)  # team / agent names → ids
    tz = config.all_calendars()[config.default_calendar].timezone
    lo, hi = _to_local(tz, start), _to_local(tz, end)
    if lo is not None and hi is not None and hi <= lo:
        raise ConfigError(f"the report ends ({end}) before it starts ({start})")
    hours_kind: Literal["business", "calendar"] = "business" if hours == "business" else "calendar"
    as_of = facts_as_of(store)
    q = Query(
        store,
        config,
        Context(config.options, hours_kind),
        by,
        period,
        lo,
        hi,
        filters,
        week_start,
        stats=stats,
        compare=compare,
        as_of=None if as_of is None else _to_local(tz, as_of),
    )

    groups: dict[tuple[str, str], list[KPI]] = defaultdict(list)
    levels: list[KPI] = []
    frames = []
    absent: dict[str, str] = {}
    for kpi in chosen:
        reason = _notes.inapplicable(kpi, by, list(filters))
        if reason is not None:  # e.g. eNPS by channel means nothing: say so, in a row
            absent[kpi.name] = reason
            continue
        if kpi.kind == "custom":
            assert kpi.custom is not None
            frames.append(kpi.custom(q).assign(kpi=kpi.name))
        else:
            groups[(kpi.source, kpi.time)].append(kpi)
            if kpi.kind == "level":
                assert kpi.until is not None
                groups[(kpi.source, kpi.until)].append(kpi)
                levels.append(kpi)
    aggregates = {key: _standard(q, group, *key) for key, group in groups.items()}
    for key, group in groups.items():
        plain = [k for k in group if k.kind != "level"]
        if plain:
            frames.append(_results(q, plain, aggregates[key]))
    lo = q.window()[0]
    for kpi in levels:
        assert kpi.until is not None
        into, out = aggregates[(kpi.source, kpi.time)], aggregates[(kpi.source, kpi.until)]
        before = _before(q, kpi, lo) if lo is not None else None
        frames.append(_level(q, kpi, into, out, before))
    result: pd.DataFrame | None = None
    if frames:
        raw = pd.concat(frames, ignore_index=True)
        if period is not None:
            raw = _fill_counts(raw, q, [k for k in chosen if k.kind == "count"])
        result = _finish(raw, q, chosen)
    out = _notes.with_absent(result, q, chosen, absent)
    out["note"] = out["note"].astype(object).where(out["note"].notna(), None)  # None, not NaN
    return out


def _refuse_anonymous(chosen: list[KPI], by: list[str], filters: list[str]) -> None:
    """A request for anonymous KPIs alone that would show them per agent (or by any
    breakdown or filter they do not take) is an error; among other KPIs, such a KPI
    gets a row without a value and the reason, like any KPI a breakdown rules out."""
    refused = [(k, _notes.anonymity_refusal(k, by, filters)) for k in chosen]
    if refused and all(why is not None for _, why in refused):
        kpi, why = refused[0]
        raise ConfigError(
            f"{kpi.name}: {why}; break it down by "
            f"{' or '.join(kpi.dimensions or ()) or 'nothing'} instead"
        )


def _fill_counts(raw: pd.DataFrame, q: Query, counted: list[KPI]) -> pd.DataFrame:
    """A period without rows has a count of 0, not a missing value."""
    if not counted or raw.empty:
        return raw
    keys = q.period_keys(list(raw._period.dropna().unique()))
    combos = raw[q.by].drop_duplicates() if q.by else pd.DataFrame(index=[0])
    names = [k.name for k in counted]
    # every (kpi, breakdown, period) of the report, less those with rows: one merge
    grid = combos.merge(pd.DataFrame({"_period": keys}), how="cross").merge(
        pd.DataFrame({"kpi": names}), how="cross"
    )
    on = ["kpi", *q.by, "_period"]
    have = raw.loc[raw.kpi.isin(names), on].assign(_have=True)
    grid = grid.merge(have, how="left", on=on)
    missing = grid[grid._have.isna()].drop(columns="_have")
    if missing.empty:
        return raw
    return pd.concat([raw, missing.assign(n=0, value=0.0)], ignore_index=True)


def _finish(raw: pd.DataFrame, q: Query, chosen: list[KPI]) -> pd.DataFrame:
    """Previous period, change, confidence intervals, targets, labels, order."""
    meta = {k.name: k for k in chosen}
    for col in ("mean", "median", "p90", "sd", "max", "successes", "pending"):
        if col not in raw:
            raw[col] = float("nan")
    raw = raw.astype({"value": "float64"})
    if q.period is None:
        cur = raw[raw._period == "current"].drop(columns="_period")
        prev = raw[raw._period == "previous"][["kpi", *q.by, "value"]]
        out = cur.merge(prev.rename(columns={"value": "previous"}), on=["kpi", *q.by], how="left")
        out["period"] = None
        out["period_start"] = pd.NaT
        out["partial"] = False
        if q.start is None or not q.compare:
            out["previous"] = float("nan")
        else:  # a count over a window without rows is 0, not unknown
            counted = out.kpi.map(lambda k: meta[k].kind == "count").astype(bool)
            out.loc[counted & out.previous.isna(), "previous"] = 0.0
    else:
        period = q.period
        seen = raw._period.unique()  # each key's neighbours and labels once, not per row
        before = {k: previous_key(period, k) for k in seen}
        raw["_prev"] = raw._period.map(lambda k: before[k])  # (a dict would cast the dtype)
        prev = raw[["kpi", *q.by, "_period", "value"]].rename(
            columns={"_period": "_prev", "value": "previous"}
        )
        out = raw.merge(prev, on=["kpi", *q.by, "_prev"], how="left")
        out["period_start"] = out._period.map({k: start_of(period, k) for k in seen})
        out["period"] = out._period.map({k: label(period, k) for k in seen})
        first = q.first_period_start()
        if first is not None:  # the period before the report was read for comparison only
            out = out[out.period_start >= dt.datetime(1970, 1, 1) + dt.timedelta(seconds=first)]
        out = _notes.mark_periods(out, q, meta).drop(columns=["_period", "_prev"])
    out["note"] = _notes.notes(out, meta, q)
    out["change"] = out.value - out.previous
    out["change_pct"] = out.change / out.previous.abs().where(out.previous != 0)
    out["ci_low"], out["ci_high"] = _stats.intervals(out, out.kpi.map(lambda k: meta[k].kind))
    out["title"] = out.kpi.map(lambda k: meta[k].title)
    out["unit"] = out.kpi.map(lambda k: meta[k].unit)
    targets = {k: _target(q.config, meta[k]) for k in meta}
    out["target"] = out.kpi.map(targets)
    out["status"] = [
        _status(meta[k], v, t) for k, v, t in zip(out.kpi, out.value, out.target, strict=True)
    ]
    order = {k.name: i for i, k in enumerate(chosen)}
    out = out.sort_values(
        by=["kpi", *q.by, "period_start"], key=lambda s: s.map(order) if s.name == "kpi" else s
    )
    cols = [*RESULT_COLUMNS[:3], *q.by, *RESULT_COLUMNS[3:]]
    return _notes.without_empty_unknowns(out[cols], q).reset_index(drop=True)


#: the common standard, used when the configuration sets no target of its own
DEFAULT_TARGETS: dict[str, Any] = {"first_reply_time": "24h"}


def _target(config: MetricsConfig, kpi: KPI) -> float | None:
    raw = config.targets.get(kpi.name, DEFAULT_TARGETS.get(kpi.name))
    if raw is None:
        return None
    if kpi.unit == "seconds":
        return parse_duration(raw, f"[targets] {kpi.name}")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"[targets] {kpi.name} must be a number, not {raw!r}") from None


def _status(kpi: KPI, value: float, target: float | None) -> str | None:
    if target is None or pd.isna(target) or kpi.higher_is_better is None or pd.isna(value):
        return None
    met = value >= target if kpi.higher_is_better else value <= target
    return "met" if met else "missed"
