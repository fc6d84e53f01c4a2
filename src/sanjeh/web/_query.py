"""Distributions and grids computed in the database (Ibis aggregations only).

Nothing here pulls rows into Python: a histogram is two small aggregate queries
(quantiles, then counts per bin), a heatmap one GROUP BY weekday × hour.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from ._source import Source

if TYPE_CHECKING:  # (``_params`` asks this module for the last day of data)
    from ._params import Filters

#: filter → column, per fact table (the same names the KPI engine uses)
COLUMNS = {
    "tickets": {
        "team": "team_id",
        "agent": "agent_id",
        "channel": "channel",
        "priority": "priority",
        "tag": "tags",
        "language": "language",
    },
    "surveys": {
        "team": "team_id",
        "agent": "agent_id",
        "channel": "channel",
        "priority": "priority",
        "tag": "tags",
        "language": "language",
    },
}
_DAY = 86_400


def filtered(
    source: Source,
    filters: Filters,
    table: str,
    *,
    kind: str = "tickets",
    time: str | None = "created_local",
) -> ir.Table:
    """Rows of a fact table that pass the filters (and the date range on ``time``)."""
    return restrict(source.table(table), filters, kind, time, source)


def restrict(
    t: ir.Table, filters: Filters, kind: str, time: str | None, source: Source
) -> ir.Table:
    columns = COLUMNS[kind]
    for dim, values in filters.dims:
        col = t[columns[dim]]
        if dim == "tag":
            t = t.filter(ibis.or_(*[col.contains(v) for v in values]))
        else:
            t = t.filter(col.isin(list(values)))
    if kind == "tickets" and not source.config.options.include_merged and "is_merged" in t.columns:
        t = t.filter(~t.is_merged)
    if time is not None:
        lo = source.local_seconds(filters.start)
        hi = source.local_seconds(filters.end) + _DAY
        t = t.filter((t[time] >= lo) & (t[time] < hi))
    return t


def last_day_until(source: Source, day: dt.date) -> dt.date | None:
    """The local day of the last ticket created on or before ``day`` (None: none was):
    the end of the default range when some tickets are dated after today."""

    def compute() -> dt.date | None:
        t = source.table("facts_tickets")
        before = t.filter(t.created_local < source.local_seconds(day) + _DAY)
        found = source.run(before.agg(last=before.created_local.max()))["last"].iloc[0]
        if found is None or pd.isna(found):
            return None
        return dt.date(1970, 1, 1) + dt.timedelta(seconds=float(found))

    return source.memo(("last_day_until", day), compute)


def replies(source: Source, filters: Filters) -> ir.Table:
    """Reply facts with their ticket's dimensions; ``agent`` means the replying agent."""
    r = source.table("facts_replies")
    ticket_filters = filters.without("agent")
    tickets = restrict(source.table("facts_tickets"), ticket_filters, "tickets", None, source)
    t = tickets.select("ticket_id")
    r = r.semi_join(t, "ticket_id") if ticket_filters.dims else r
    agents = filters.get("agent")
    if agents:
        r = r.filter(r.agent_id.isin(list(agents)))
    lo = source.local_seconds(filters.start)
    hi = source.local_seconds(filters.end) + _DAY
    return r.filter((r.replied_local >= lo) & (r.replied_local < hi))


#: bin edges of duration histograms (seconds): support times spread over five orders of
#: magnitude, so equal-width bins would put nearly everything in the first one
DURATION_EDGES = (
    0,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    14400,
    28800,
    43200,
    86400,
    172800,
    259200,
    432000,
    604800,
    1209600,
    2592000,
)


@dataclasses.dataclass(frozen=True)
class Histogram:
    n: int
    median: float | None
    p90: float | None
    mean: float | None
    #: lower edge of each bin; the last bin has no upper edge
    edges: list[float]
    counts: list[int]

    def position(self, value: float | None) -> float | None:
        """Where ``value`` falls on the bin axis (bin i spans i − 0.5 … i + 0.5)."""
        if value is None or not self.edges:
            return None
        for i, lo in enumerate(self.edges):
            hi = self.edges[i + 1] if i + 1 < len(self.edges) else None
            if hi is None or value < hi:
                frac = 0.5 if hi is None else (value - lo) / (hi - lo)
                return i - 0.5 + min(max(frac, 0.0), 1.0)
        return None


def histogram(
    source: Source, t: ir.Table, value: ir.NumericValue, edges: tuple[float, ...] = DURATION_EDGES
) -> Histogram:
    """Counts per bin, up to the first edge above the 99th percentile, plus one open bin."""
    stats = source.run(
        t.agg(
            n=value.count(),
            median=value.median(),
            p90=value.quantile(0.9),
            top=value.quantile(0.99),
            mean=value.mean(),
        )
    ).iloc[0]
    n = int(stats["n"] or 0)
    if n == 0:
        return Histogram(0, None, None, None, [], [])
    top = float(stats["top"] or 0)
    used = [float(e) for e in edges if e <= top]
    above = [float(e) for e in edges if e > top]
    used += above[:1] if above else []
    used = used if len(used) >= 2 else [float(edges[0]), float(edges[1])]
    v = t.mutate(_v=value)
    v = v.filter(v._v.notnull())
    b = ibis.cases(*[(v._v < e, i) for i, e in enumerate(used[1:])], else_=len(used) - 1)
    counted = source.run(v.group_by(bin=b).agg(n=v.count()))
    counts = [0] * len(used)
    for i, k in zip(counted["bin"].tolist(), counted["n"].tolist(), strict=True):
        counts[int(i)] += int(k)
    return Histogram(
        n, _num(stats["median"]), _num(stats["p90"]), _num(stats["mean"]), used, counts
    )


def week_grid(
    source: Source, t: ir.Table, local: ir.NumericValue, value: ir.NumericValue | None = None
) -> pd.DataFrame:
    """Rows per (weekday, hour) of local time: n and, with ``value``, its median.

    ``weekday`` is Monday-based (0 = Monday): 1970-01-01 was a Thursday.
    """
    day = (local / _DAY).floor().cast("int64")
    weekday = (day + 3) % 7
    hour = ((local - day * _DAY) / 3600).floor().cast("int64")
    aggs: dict[str, Any] = {"n": t.count()}
    if value is not None:
        aggs["median"] = value.median()
    return source.run(t.group_by(weekday=weekday, hour=hour).agg(**aggs))


def _num(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)
