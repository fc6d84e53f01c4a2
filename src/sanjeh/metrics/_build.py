"""Materialise the facts: ``facts_tickets`` and ``facts_replies`` in the store.

Facts are rebuilt when the data or the configuration that shapes them changed since
the last build (``ensure_facts``), so reports and dashboard pages read small, ready
tables instead of re-deriving timelines on every request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from typing import Any

import ibis

from ..calendar import clock_table, date_dimension
from ..model import TABLES
from ..store import META_TABLE, Store
from ._config import MetricsConfig
from ._local import with_local_epoch
from ._other_facts import call_facts, shift_facts, survey_facts
from ._quality_facts import quality_facts
from ._reply_facts import reply_facts
from ._sla import with_sla
from ._ticket_facts import ticket_facts

TICKET_FACTS, REPLY_FACTS, CLOCK = "facts_tickets", "facts_replies", "sanjeh_clock"
SURVEY_FACTS, CALL_FACTS, DATES = "facts_surveys", "facts_calls", "sanjeh_dates"
CUSTOMER_FACTS, SHIFT_FACTS = "facts_customers", "facts_shifts"
QUALITY_FACTS = "facts_quality"
FACT_TABLES = (
    TICKET_FACTS,
    REPLY_FACTS,
    SURVEY_FACTS,
    CALL_FACTS,
    CUSTOMER_FACTS,
    SHIFT_FACTS,
    QUALITY_FACTS,
    CLOCK,
    DATES,
)
_META_KEY = "facts"
_STAMP_TABLES = (
    "tickets",
    "events",
    "survey_responses",
    "teams",
    "customers",
    "customer_outcomes",
    "calls",
    "agents",
    "agent_shifts",
    "auto_scores",
)


@dataclasses.dataclass(frozen=True)
class FactsInfo:
    as_of: dt.datetime
    tickets: int
    replies: int
    rebuilt: bool


def _data_stamp(store: Store) -> str:
    counts = store.counts(list(_STAMP_TABLES))
    log = store.table("import_log")
    last = store.con.execute(log.finished_at.max())
    # re-scoring replaces rows without changing their number
    scored = store.con.execute(store.table("auto_scores").scored_at.max())
    stamp = {**counts, "last_import": str(last), "last_scored": str(scored)}
    return json.dumps(stamp, sort_keys=True)


def _config_key(config: MetricsConfig) -> str:
    parts = [
        config.options.fact_key(),
        repr(config.sla),
        config.default_calendar,
        repr(sorted(config.all_calendars().items(), key=lambda kv: kv[0])),
        str(config.options.as_of),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _read_meta(store: Store) -> dict[str, Any] | None:
    meta = store.con.table(META_TABLE)
    rows = meta.filter(meta.key == _META_KEY).value.to_pyarrow().to_pylist()
    return json.loads(rows[0]) if rows else None


def _write_meta(store: Store, value: dict[str, Any]) -> None:
    row = ibis.memtable({"key": [_META_KEY], "value": [json.dumps(value, default=str)]})
    store.con.upsert(META_TABLE, row, on="key")


def _span(store: Store) -> tuple[dt.datetime, dt.datetime]:
    con = store.con
    e, t = store.table("events"), store.table("tickets")
    lo = [con.execute(e.at.min()), con.execute(t.created_at.min())]
    hi = [con.execute(e.at.max()), con.execute(t.created_at.max())]
    lows = [v.to_pydatetime() if hasattr(v, "to_pydatetime") else v for v in lo if _real(v)]
    highs = [v.to_pydatetime() if hasattr(v, "to_pydatetime") else v for v in hi if _real(v)]
    now = dt.datetime.now(dt.UTC)
    return (min(lows) if lows else now, max(highs) if highs else now)


def _first_call(store: Store) -> dt.datetime | None:
    v = store.con.execute(store.table("calls").started_at.min())
    return v.to_pydatetime() if _real(v) and hasattr(v, "to_pydatetime") else None


def _last_call(store: Store) -> dt.datetime | None:
    v = store.con.execute(store.table("calls").started_at.max())
    return v.to_pydatetime() if _real(v) and hasattr(v, "to_pydatetime") else None


def _real(v: Any) -> bool:
    return v is not None and str(v) not in ("NaT", "nan", "None")


def _create(con: Any, name: str, expr: ibis.Table, temp: bool = False) -> ibis.Table:
    """CREATE TABLE … AS, with every column nullable.

    (Ibis marks e.g. a filtered MIN of a required column as required, which a NULL
    from an empty group would then violate.)
    """
    schema = ibis.schema({n: t.copy(nullable=True) for n, t in expr.schema().items()})
    table = con.create_table(name, schema=schema, temp=temp, overwrite=True)
    con.insert(name, expr)
    return table


def build_facts(store: Store, config: MetricsConfig | None = None) -> FactsInfo:
    """(Re)build the fact tables from the canonical tables; return what was built."""
    config = config or MetricsConfig.from_settings()
    con = store.con
    lo, hi = _span(store)
    lo = min(lo, _first_call(store) or lo)
    as_of = config.options.as_of or hi
    calendars = config.all_calendars()
    clock = clock_table(
        calendars,
        lo.date() - dt.timedelta(days=2),
        max(hi, as_of, _last_call(store) or hi).date() + dt.timedelta(days=2),
    )
    con.create_table(CLOCK, clock, overwrite=True)
    clock_t = con.table(CLOCK)
    tables = {name: store.table(name) for name in TABLES}

    def materialize(name: str, expr: ibis.Table) -> ibis.Table:
        return _create(con, f"sanjeh_tmp_{name}", expr, temp=True)

    facts = ticket_facts(
        tables,
        config.options,
        clock=clock_t,
        calendars=list(calendars),
        default_calendar=config.default_calendar,
        as_of=as_of,
        materialize=materialize,
    )
    local = functools.partial(with_local_epoch, clock=clock_t, calendar=config.default_calendar)
    facts = local(
        with_sla(facts, config.sla), {"created_local": "created_at", "solved_local": "solved_at"}
    )
    _create(con, TICKET_FACTS, facts)
    ft = con.table(TICKET_FACTS)
    _create(con, QUALITY_FACTS, quality_facts(tables["auto_scores"], ft))
    replies = reply_facts(tables, config.options, clock=clock_t, tickets=ft)
    _create(con, REPLY_FACTS, local(replies, {"replied_local": "replied_at"}))
    surveys = survey_facts(tables["survey_responses"], ft, tables["agents"])
    _create(con, SURVEY_FACTS, local(surveys, {"at_local": "at", "sent_local": "sent_at"}))
    calls = call_facts(tables["calls"], tables["agents"])
    _create(con, CALL_FACTS, local(calls, {"started_local": "started_at"}))
    customers = tables["customers"]
    _create(
        con,
        CUSTOMER_FACTS,
        local(customers, {"created_local": "created_at", "churned_local": "churned_at"}),
    )
    _create(
        con,
        SHIFT_FACTS,
        local(shift_facts(tables["agent_shifts"], tables["agents"]), {"start_local": "start_at"}),
    )
    span_start = min(lo, _first_call(store) or lo).date() - dt.timedelta(days=2)
    con.create_table(
        DATES,
        date_dimension(span_start, max(hi, as_of).date() + dt.timedelta(days=2)),
        overwrite=True,
    )
    for name in [t for t in con.list_tables() if t.startswith("sanjeh_tmp_")]:
        con.drop_table(name, force=True)
    info = FactsInfo(
        as_of=as_of,
        tickets=int(con.execute(ft.count())),
        replies=int(con.execute(con.table(REPLY_FACTS).count())),
        rebuilt=True,
    )
    _write_meta(
        store,
        {
            "config": _config_key(config),
            "data": _data_stamp(store),
            "as_of": as_of.isoformat(),
            "tickets": info.tickets,
            "replies": info.replies,
        },
    )
    return info


def ensure_facts(store: Store, config: MetricsConfig | None = None) -> FactsInfo:
    """Build the facts unless they are up to date with the data and the configuration."""
    config = config or MetricsConfig.from_settings()
    meta = _read_meta(store)
    existing = set(store.con.list_tables())
    if (
        meta is not None
        and set(FACT_TABLES) <= existing
        and meta.get("config") == _config_key(config)
        and meta.get("data") == _data_stamp(store)
    ):
        return FactsInfo(
            as_of=dt.datetime.fromisoformat(meta["as_of"]),
            tickets=meta["tickets"],
            replies=meta["replies"],
            rebuilt=False,
        )
    return build_facts(store, config)
