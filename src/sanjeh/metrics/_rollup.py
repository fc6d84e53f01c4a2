"""Daily rollups: the additive parts of the ticket and survey KPIs per local day and per
combination of the dashboard's common filters, kept beside the facts.

A dashboard view nobody asked for before (new dates, a team, a channel) reads these
instead of the facts: at 1 M tickets the ticket facts hold a million rows, a rollup
about twenty thousand (days × teams × channels × priorities × languages). What a rollup
keeps adds up across days and groups — rows counted, successes of a rate, the sum
behind a mean, pending and left-out rows, invitations — so any range of whole days and
any breakdown by its dimensions is a sum over its rows, equal to what the facts give
(``tests/metrics/test_rollups.py``). Medians and percentiles do not add up: they are
always read from the facts (exact, not sketched), as is everything asked with ``stats``
(the spread of a mean), by agent, tag or another dimension, by hour, or over a range
that does not start and end at local midnight.

The rollups are defined by the same KPI declarations (``_measures.measures``), built in
the same transaction as the facts, and kept current by a refresh in proportion to the
change (``change``): the redone rows' old parts are taken out and their new parts put
in, and only the days they touch are rewritten.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterator

import ibis.expr.types as ir

from ..store import Store
from ._measures import measures
from ._options import MetricOptions
from ._registry import KPI, Context, all_kpis
from ._temp import create

#: bump when what a rollup holds changes: the facts and rollups are then rebuilt
VERSION = "1"
#: breakdown → column a rollup keeps: the dashboard's filters less agent and tag (by
#: agent a rollup would hold nearly a row per ticket; a ticket has several tags)
DIMENSIONS = {
    "team": "team_id",
    "channel": "channel",
    "priority": "priority",
    "language": "language",
}
#: a rollup row stands for this many fact rows (a cell left without rows is deleted)
ROWS = "_rows"
_DAY = 86_400


@dataclasses.dataclass(frozen=True)
class Rollup:
    """The rollup of one fact table by the local day of one of its instants."""

    source: str  # the KPIs' source ("tickets")
    time: str  # the KPIs' time ("created_at")
    facts: str  # the fact table
    local: str  # its local epoch seconds of ``time``; in the rollup: the day's midnight

    @property
    def name(self) -> str:
        return f"rollup_{self.source}_{self.local.removesuffix('_local')}"

    @property
    def keys(self) -> list[str]:
        return [self.local, *DIMENSIONS.values()]

    def aggregate(self, facts: ir.Table, options: MetricOptions) -> ir.Table:
        """The rollup of ``facts`` (all of them, or the rows a refresh redoes)."""
        t = facts.filter(facts[self.local].notnull())
        t = t.mutate(_sjh_day=((t[self.local] / _DAY).floor() * _DAY).cast("float64"))
        parts = dict(_parts(self, options, t))
        grouped = t.group_by(["_sjh_day", *DIMENSIONS.values()]).agg(**{ROWS: t.count()}, **parts)
        return grouped.rename({self.local: "_sjh_day"})

    def kpis(self) -> list[KPI]:
        """The KPIs with parts in this rollup."""
        return [
            k
            for k in all_kpis().values()
            if k.source == self.source
            and self.time in (k.time, k.until)
            and not k.anonymous  # (their groups are checked against the answers behind)
            and adds_up(k, stats=False)
        ]


ROLLUPS = (
    Rollup("tickets", "created_at", "facts_tickets", "created_local"),
    Rollup("tickets", "solved_at", "facts_tickets", "solved_local"),
    Rollup("surveys", "at", "facts_surveys", "at_local"),
)


#: (source, time) → its rollup
BY_TIME = {(r.source, r.time): r for r in ROLLUPS}


@functools.cache
def _kept(rollup: Rollup) -> frozenset[str]:
    return frozenset(k.name for k in rollup.kpis())


def serves(rollup: Rollup, kpi: KPI, stats: bool) -> bool:
    """Whether ``rollup`` holds every part of ``kpi`` a report asks for (``stats``)."""
    return kpi.name in _kept(rollup) and adds_up(kpi, stats)


def adds_up(kpi: KPI, stats: bool) -> bool:
    """Whether every part of ``kpi`` a report asks for (``stats``) is a sum."""
    if kpi.kind in ("count", "rate", "level"):
        return True
    return kpi.kind in ("duration", "number") and kpi.stat == "mean" and not stats


@functools.cache
def signature(options: MetricOptions) -> str:
    """What the rollups' parts depend on: a report with other options reads the facts."""
    text = "|".join([VERSION, repr(options), repr(sorted(DIMENSIONS.items()))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _parts(rollup: Rollup, options: MetricOptions, t: ir.Table) -> Iterator[tuple[str, ir.Value]]:
    """(column, aggregate) per KPI part; a part that differs between business and
    calendar hours is kept twice (``<part>__business``, ``<part>__calendar``)."""
    for kpi in rollup.kpis():
        business = measures(kpi, Context(options, "business"), t, rollup.time, False, True)
        calendar = measures(kpi, Context(options, "calendar"), t, rollup.time, False, True)
        for part, expr in business.items():
            if expr.equals(calendar[part]):
                yield part, expr
            else:
                yield f"{part}__business", expr
                yield f"{part}__calendar", calendar[part]


def column(columns: list[str], part: str, hours: str) -> str | None:
    """The column of a rollup (with ``columns``) holding ``part`` in ``hours``."""
    for name in (part, f"{part}__{hours}"):
        if name in columns:
            return name
    return None


def change(store: Store, rollup: Rollup, before: ir.Table, after: ir.Table) -> None:
    """Put a refresh's change into the rollup: ``before`` (the rollup of the redone
    rows as they were) out, ``after`` (of the same rows as written) in. Only the days
    either touches are read and rewritten."""
    con = store.con
    table = con.table(rollup.name)
    # (``before`` and ``after`` read the few redone rows: computed where used, not kept)
    days = before.select(rollup.local).union(after.select(rollup.local))
    parts = [c for c in table.columns if c not in rollup.keys]
    kept = table.filter(table[rollup.local].isin(days[rollup.local]))
    out = before.mutate(**{c: -before[c] for c in parts})
    cells = kept.select(table.columns).union(after.select(table.columns), distinct=False)
    cells = cells.union(out.select(table.columns), distinct=False)
    merged = cells.group_by(rollup.keys).agg(**{c: cells[c].sum() for c in parts})
    merged = merged.filter(merged[ROWS] > 0).select(table.columns).cast(table.schema())
    merged = create(con, f"sanjeh_tmp_{rollup.name}_merged", merged, temp=True)
    store.delete_where_in(rollup.name, rollup.local, days)
    con.insert(rollup.name, merged)
