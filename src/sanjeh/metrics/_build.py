"""Materialise the facts (``facts_tickets``, ``facts_replies`` …) in the store.

Reports and dashboard pages read these small, ready tables instead of re-deriving
timelines on every request. ``ensure_facts`` keeps them current: after an import it
refreshes only the tickets the import touched (plus the tickets whose facts depend on
them: the same customers' other tickets, and every unsolved ticket, whose age moves
with "now"); a change of configuration, of teams or agents, or a first load rebuilds
everything.

Readers never wait for a build and never see half of one: it runs on a second
connection, in one transaction (``store/_swap.py``). Tables rebuilt whole are written
aside (``facts_tickets__next`` …) and renamed into place at the end; a refresh replaces
the dirty tickets' rows in place, unseen until the commit. Only that last step (views
dropped, tables renamed, views created, commit) runs inside the caller's ``hold`` (the
web app's write gate): requests wait for the swap and its commit (a fraction of a
second), never for the build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any

import ibis

from ..calendar import clock_table, date_dimension
from ..model import TABLES
from ..store import (
    META_TABLE,
    Side,
    Store,
    clear_seen_changes,
    replace_tables,
    side_transaction,
)
from ..store._ibis_compat import run as run_sql
from . import _compiled, _replay
from . import _refresh as narrow
from ._config import MetricsConfig
from ._invitation_facts import invitation_facts
from ._local import with_local_epoch
from ._other_facts import call_facts, shift_facts, survey_facts
from ._quality_facts import quality_facts
from ._recheck import with_recheck
from ._reply_facts import reply_blocks, reply_facts
from ._review_facts import review_facts
from ._sla import with_sla
from ._temp import create as _create
from ._ticket_facts import ticket_facts
from ._timeline import classified
from ._view_facts import view_facts

TICKET_FACTS, REPLY_FACTS, CLOCK = "facts_tickets", "facts_replies", "sanjeh_clock"
SURVEY_FACTS, CALL_FACTS, DATES = "facts_surveys", "facts_calls", "sanjeh_dates"
CUSTOMER_FACTS, SHIFT_FACTS = "facts_customers", "facts_shifts"
QUALITY_FACTS = "facts_quality"
#: one row per knowledge-base article view (see _view_facts): the self-service KPIs
VIEW_FACTS = "facts_article_views"
#: a view over the QA reviews (see _review_facts): always current, never rebuilt
REVIEW_FACTS = "facts_reviews"
#: a view over Sanjeh's own survey invitations (see _invitation_facts), likewise
INVITATION_FACTS = "facts_invitations"
VIEWS = (REVIEW_FACTS, INVITATION_FACTS)
FACT_TABLES = (
    TICKET_FACTS,
    REPLY_FACTS,
    SURVEY_FACTS,
    CALL_FACTS,
    CUSTOMER_FACTS,
    SHIFT_FACTS,
    QUALITY_FACTS,
    VIEW_FACTS,
    CLOCK,
    DATES,
)
_META_KEY = "facts"
#: the name a whole table is built under until it replaces the old one
ASIDE = "__next"
#: held around putting new facts in place (the web app: its write gate); see ensure_facts
Hold = Callable[[], contextlib.AbstractContextManager[Any]]
#: a cheap safety net beside the change log: counts of the biggest tables
_STAMP_TABLES = ("tickets", "events")


@dataclasses.dataclass(frozen=True)
class FactsInfo:
    as_of: dt.datetime
    tickets: int
    replies: int
    rebuilt: bool


def _data_stamp(store: Store) -> str:
    """Row counts: a safety net for changes made around the store (the change log
    records every change that goes through it)."""
    return json.dumps(store.counts(list(_STAMP_TABLES)), sort_keys=True)


#: bump when the fact tables' columns change: stores built before rebuild their facts
FACTS_VERSION = "10"  # 2: facts_tickets.sla_met; 3: facts_calls offered / wait_s (ICMI);
# 4: plan on every ticket-based fact, FCR / reopen pending until their window closes;
# 5: facts_calls.ivr_s, facts_shifts holds scheduled rows too (kind, scheduled_local);
# 6: facts_tickets.recheck_at instead of open_age_s / open_age_bs (incremental refresh);
# 7: facts_surveys.team_id / language from survey_responses' own columns first;
# 8: facts_calls.hold_s and the call's speech figures from call_speech (analysed …),
# hour_local (the breakdown "hour": local hour of day), ticket_id (QA of calls);
# 9: facts_tickets.inferred_csat (the ticket's CSAT prediction, ticket_predictions)
# 10: topic (ticket_topics) on every ticket-based fact; facts_article_views (self-service)


def _config_key(config: MetricsConfig) -> str:
    parts = [
        FACTS_VERSION,
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


class _Run:
    """One build or refresh, on the side connection (see the module docstring).

    Whole tables are written aside and renamed into place by :func:`_swap`; a refresh
    (``dirty``: the tickets to redo) replaces those tickets' rows in place.
    """

    def __init__(self, store: Store, config: MetricsConfig, dirty: ibis.Table | None) -> None:
        self.store, self.con, self.config, self.dirty = store, store.con, config, dirty
        #: final name → the name it is built under
        self.aside: dict[str, str] = {}
        self.existing = set(self.con.list_tables())
        #: the data's first and last instant, and the dates the clock table covers
        #: (kept in the meta row, so a refresh need not scan the big tables for them)
        self.span: Span | None = None
        self.clock_dates: tuple[dt.date, dt.date] | None = None

    def whole(self, name: str, data: Any) -> ibis.Table:
        """Write a whole table aside (an Ibis expression, or Arrow data as it is)."""
        aside = self.aside[name] = name + ASIDE
        if isinstance(data, ibis.Table):
            return _create(self.con, aside, data)
        return self.con.create_table(aside, data, overwrite=True)

    def rows(
        self, name: str, expr: ibis.Table, by: str = "ticket_id", ids: ibis.Table | None = None
    ) -> None:
        """Whole on a build; on a refresh, the rows of ``ids`` (one column; the dirty
        tickets by default) replaced by ``expr``'s."""
        ids = self.dirty if ids is None else ids
        if ids is None or name not in self.existing:
            self.whole(name, expr)
            return
        self.store.delete_where_in(name, by, ids)
        self.con.insert(name, expr)

    def table(self, name: str) -> ibis.Table:
        """A fact table as it will be after the swap."""
        return self.con.table(self.aside.get(name, name))


#: the data's first instant, the last instant of its tickets and events (the facts'
#: "now" unless configured), and its last instant counting calls too
Span = tuple[dt.datetime, dt.datetime, dt.datetime]


def _clock(
    run: _Run, span: Span | None = None, kept: tuple[dt.date, dt.date] | None = None
) -> tuple[dt.datetime, ibis.Table]:
    """The clock and date tables over the data's ``span`` (scanned when not given);
    return (as_of, clock). A refresh passes the dates the clock already covers
    (``kept``): the tables are rewritten only when the data or today leave them."""
    store, config = run.store, run.config
    lo, hi, edge = run.span = span or _full_span(store)
    as_of = config.options.as_of or hi
    # up to today too: QA reviews are written now, about older conversations
    now = dt.datetime.now(dt.UTC)
    last = max(edge, as_of, now).date() + dt.timedelta(days=2)
    first = lo.date() - dt.timedelta(days=2)
    if kept is not None and kept[0] <= first and last <= kept[1]:
        run.clock_dates = kept
        return as_of, run.table(CLOCK)
    if kept is not None:  # grown a week at a time: one rewrite a week, not every day
        first, last = min(first, kept[0]), max(last + dt.timedelta(days=7), kept[1])
    run.clock_dates = (first, last)
    run.whole(CLOCK, clock_table(config.all_calendars(), first, last))
    run.whole(DATES, date_dimension(first, last))
    return as_of, run.table(CLOCK)


def _full_span(store: Store) -> Span:
    lo, hi = _span(store)
    first, last = _first_call(store), _last_call(store)
    return min(lo, first or lo), hi, max(hi, last or hi)


def _ticket_pipeline(
    run: _Run, tables: dict[str, ibis.Table], clock: ibis.Table, as_of: dt.datetime
) -> None:
    """facts_tickets, then what hangs off each ticket: quality, replies, surveys."""
    con, config = run.con, run.config

    def materialize(name: str, expr: ibis.Table) -> ibis.Table:
        return _create(con, f"sanjeh_tmp_{name}", expr, temp=True)

    # the public messages in order, read by the first replies and the reply facts
    blocks = materialize("reply_blocks", reply_blocks(classified(tables["events"], config.options)))
    facts = ticket_facts(
        tables,
        config.options,
        clock=clock,
        calendars=list(config.all_calendars()),
        default_calendar=config.default_calendar,
        as_of=as_of,
        materialize=materialize,
        blocks=blocks,
    )
    local = functools.partial(with_local_epoch, clock=clock, calendar=config.default_calendar)
    facts = with_recheck(with_sla(facts, config.sla), as_of, config.options)
    facts = local(facts, {"created_local": "created_at", "solved_local": "solved_at"})
    if run.dirty is None:  # a build writes the facts once and reads them back from there
        new = run.whole(TICKET_FACTS, facts)
    else:  # the rows written (not the tickets only read), and the dims of what follows
        new = materialize("new_facts", facts.filter(facts.ticket_id.isin(run.dirty.ticket_id)))
        run.rows(TICKET_FACTS, new)
    run.rows(QUALITY_FACTS, quality_facts(tables["auto_scores"], new))
    replies = reply_facts(tables, config.options, clock=clock, tickets=new, blocks=blocks)
    run.rows(REPLY_FACTS, local(replies, {"replied_local": "replied_at"}))


def _survey_facts(
    run: _Run, tables: Mapping[str, ibis.Table], clock: ibis.Table, redo: ibis.Table | None = None
) -> None:
    """facts_surveys: whole on a build; on a refresh the responses ``redo`` names (their
    ids: those of the dirty tickets, and of changed responses about no ticket)."""
    local = functools.partial(with_local_epoch, clock=clock, calendar=run.config.default_calendar)
    responses = tables["survey_responses"]
    if redo is not None:
        responses = responses.filter(responses.response_id.isin(redo.response_id))
    tickets = run.table(TICKET_FACTS)
    if run.dirty is not None:  # a refresh redoes only responses about dirty tickets
        tickets = tickets.filter(tickets.ticket_id.isin(run.dirty.ticket_id))
    surveys = survey_facts(responses, tickets, tables["agents"], tables["customers"])
    surveys = local(surveys, {"at_local": "at", "sent_local": "sent_at"})
    run.rows(SURVEY_FACTS, surveys, by="response_id", ids=redo)


def _view_facts(
    run: _Run,
    tables: Mapping[str, ibis.Table],
    clock: ibis.Table,
    as_of: dt.datetime,
    redo: ibis.Table | None = None,
) -> None:
    """facts_article_views: whole on a build; on a refresh the views ``redo`` names (their
    ids: see ``_refresh.views_to_redo``), None there: all of them."""
    views, tickets = tables["article_views"], tables["tickets"]
    if redo is not None:
        views = views.filter(views.view_id.isin(redo.view_id))
        tickets = tickets.filter(tickets.customer_id.isin(views.customer_id))
    facts = view_facts(
        views, tables["customers"], tickets, as_of=as_of, days=run.config.options.deflection_days
    )
    local = functools.partial(with_local_epoch, clock=clock, calendar=run.config.default_calendar)
    facts = local(facts, {"viewed_local": "viewed_at"})
    if redo is None:
        run.whole(VIEW_FACTS, facts)
    else:
        run.rows(VIEW_FACTS, facts, by="view_id", ids=redo)


def _small_facts(
    run: _Run,
    tables: Mapping[str, ibis.Table],
    clock: ibis.Table,
    which: dict[str, ibis.Table | None],
) -> None:
    """Facts of calls, customers and shifts: one row each, so a refresh replaces the
    changed ones (``which``: source table → the changed keys, None: all of them)."""
    local = functools.partial(with_local_epoch, clock=clock, calendar=run.config.default_calendar)

    def only(table: ibis.Table, key: str, ids: ibis.Table | None) -> ibis.Table:
        return table if ids is None else table.filter(table[key].isin(ids[ids.columns[0]]))

    def put(name: str, expr: ibis.Table, key: str, ids: ibis.Table | None) -> None:
        # all of them (None) replace the table whole, also on a refresh: ``run.rows``
        # would take None for "the dirty tickets" and keep the old rows beside the new
        if ids is None:
            run.whole(name, expr)
        else:
            run.rows(name, expr, key, ids)

    if "calls" in which:
        ids = which["calls"]
        calls = only(tables["calls"], "call_id", ids)
        calls = call_facts(calls, tables["agents"], only(tables["call_speech"], "call_id", ids))
        calls = local(calls, {"started_local": "started_at"})
        # the local hour of day the call began, "00" … "23": the interval profile
        hour = ((calls.started_local % 86_400) / 3_600).floor().cast("int64")
        calls = calls.mutate(hour_local=hour.cast("string").lpad(2, "0"))
        put(CALL_FACTS, calls, "call_id", ids)
    if "customers" in which:
        ids = which["customers"]
        customers = only(tables["customers"], "customer_id", ids)
        times = {"created_local": "created_at", "churned_local": "churned_at"}
        put(CUSTOMER_FACTS, local(customers, times), "customer_id", ids)
    if "agent_shifts" in which:
        ids = which["agent_shifts"]
        shifts = shift_facts(only(tables["agent_shifts"], "shift_id", ids), tables["agents"])
        # logged-in and scheduled rows get their local start in separate columns
        times = {"start_local": "login_at", "scheduled_local": "scheduled_at"}
        put(SHIFT_FACTS, local(shifts, times), "shift_id", ids)


#: the tables the views read
_VIEW_READS = {TICKET_FACTS, CALL_FACTS, CLOCK}


def _drop_views(store: Store) -> None:
    """Views go before the tables they read are replaced (PostgreSQL refuses otherwise)."""
    for view in VIEWS:
        store.con.drop_view(view, force=True)


def _create_views(store: Store, config: MetricsConfig) -> None:
    con = store.con
    view = review_facts(
        store.table("qa_reviews"),
        con.table(TICKET_FACTS),
        con.table(CALL_FACTS),
        con.table(CLOCK),
        config.default_calendar,
    )
    con.create_view(REVIEW_FACTS, view, overwrite=True)
    invitations = invitation_facts(
        store.table("survey_invitations"),
        store.table("survey_definitions"),
        con.table(CLOCK),
        config.default_calendar,
    )
    con.create_view(INVITATION_FACTS, invitations, overwrite=True)


def _swap(
    run: _Run, side: Side, caller: Store, hold: Hold, as_of: dt.datetime, rebuilt: bool
) -> FactsInfo:
    """Put the run's facts in place: everything but the renames before ``hold``."""
    con = run.con
    for name in [t for t in con.list_tables() if t.startswith("sanjeh_tmp_")]:
        con.drop_table(name, force=True)
    info = FactsInfo(
        as_of=as_of,
        tickets=int(con.execute(run.table(TICKET_FACTS).count())),
        replies=int(con.execute(run.table(REPLY_FACTS).count())),
        rebuilt=rebuilt,
    )
    _write_meta(
        run.store,
        {
            "config": _config_key(run.config),
            "data": _data_stamp(run.store),
            "as_of": as_of.isoformat(),
            "tickets": info.tickets,
            "replies": info.replies,
            "span": [t.isoformat() for t in run.span] if run.span else None,
            "clock_dates": [d.isoformat() for d in run.clock_dates] if run.clock_dates else None,
        },
    )
    clear_seen_changes(run.store)
    # the review view reads the ticket and call facts and the clock: made again if they were
    # replaced (PostgreSQL binds a view to its tables), else it stays as it is
    views = bool(_VIEW_READS & set(run.aside)) or not set(VIEWS) <= set(run.existing)
    reshaped = rebuilt and _reshaped(run)
    with hold():
        if views:
            _drop_views(run.store)
        replace_tables(run.store, run.aside)
        if views:
            _create_views(run.store, run.config)
        side.commit()
        if reshaped:  # compiled KPI queries may name columns that changed
            _compiled.forget(caller)
        else:  # (rows changed: the templates hold; the as-of moved)
            _compiled.forget_facts(caller)
    return info


def _reshaped(run: _Run) -> bool:
    """Whether a table written aside has other columns than the one it replaces (then
    the KPI queries compiled against the old ones are forgotten; a rebuild of the same
    shape, e.g. after a refresh found too many changes, keeps them)."""
    con = run.con
    for final, aside in run.aside.items():
        if final not in run.existing or con.get_schema(aside) != con.get_schema(final):
            return True
    return False


def _build(store: Store, config: MetricsConfig) -> tuple[_Run, dt.datetime]:
    """Every fact table, aside, from the canonical tables. Each step's SQL is compiled
    once per process and replayed after (``_replay``; a server rebuilds when a refresh
    would touch most tickets, and compiling is most of a small store's build)."""
    run = _Run(store, config, None)
    if store.backend == "postgres":
        # PostgreSQL cannot estimate joins of window-function results (reply blocks,
        # timelines) and chose nested loops that ran for over nine minutes at 20,000
        # tickets, where hash joins take 12 s (tests/spark/test_parity.py). A whole build
        # reads whole tables: a nested loop is never the better plan. (Until the side
        # transaction ends; a refresh of a few tickets keeps them.)
        run_sql(run.con, "SET LOCAL enable_nestloop TO off")
    as_of, clock = _clock(run)
    tables = narrow.Tables(store)
    shape = (store.url, store.backend, _config_key(config), clock.get_name(), "build")

    def step(name: Hashable, run_step: Callable[[], None], now: dt.datetime | None) -> None:
        _replay.step(run.con, (*shape, name), now, run.aside, run_step)

    small = dict.fromkeys(("calls", "customers", "agent_shifts"))
    step("tickets", lambda: _ticket_pipeline(run, dict(tables), clock, as_of), as_of)
    step("surveys", lambda: _survey_facts(run, tables, clock), None)
    step("small", lambda: _small_facts(run, tables, clock, small), None)
    step("views", lambda: _view_facts(run, tables, clock, as_of), as_of)
    return run, as_of


def _refresh(store: Store, config: MetricsConfig) -> tuple[_Run, dt.datetime, bool]:
    """The recorded changes, ticket by ticket (see ``_refresh``); (run, as_of, rebuilt): a
    build when the changes cannot be narrowed down."""
    meta = _read_meta(store) or {}
    key = (store.url, store.backend, _config_key(config))
    options = config.options
    fcr_days = options.fcr_window_days if options.fcr_method == "recontact" else None
    plan = narrow.plan(store, meta, options.as_of, key, fcr_days)
    if plan is None:
        return (*_build(store, config), True)
    run = _Run(store, config, plan.dirty)
    dates = meta.get("clock_dates")
    as_of, clock = _clock(run, plan.span, (_day(dates[0]), _day(dates[1])) if dates else None)
    tables = narrow.Tables(store)
    # each step's SQL is compiled once per process and replayed after (``_replay``)
    shape = (*key, clock.get_name())

    def step(name: Hashable, run_step: Callable[[], None], now: dt.datetime | None) -> None:
        _replay.step(run.con, (*shape, name), now, run.aside, run_step)

    def tickets() -> None:
        _ticket_pipeline(run, narrow.narrowed(run.con, tables, plan.context), clock, as_of)

    def surveys() -> None:
        redo = narrow.surveys_to_redo(
            store, tables["survey_responses"], plan.dirty, plan.unowned_surveys
        )
        _survey_facts(run, tables, clock, redo)

    # the views a refresh redoes, found before the ticket facts change (a ticket moved to
    # another customer changes the views of both)
    views = narrow.views_to_redo(store, plan, as_of)
    if plan.redo:
        step("tickets", tickets, as_of)
    step(("surveys", plan.unowned_surveys), surveys, None)
    small = dict(plan.rows)  # (a first load of calls / shifts: None, all of them)
    if "customers" in plan.changed:
        small["customers"] = narrow.changed_customers(store)
    whole = tuple(sorted((t, ids is None) for t, ids in small.items()))
    step(("small", whole), lambda: _small_facts(run, tables, clock, small), None)
    step(("views", views is None), lambda: _view_facts(run, tables, clock, as_of, views), as_of)
    return run, as_of, False


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


@contextlib.contextmanager
def _side(store: Store, hold: Hold | None, wait: bool = True) -> Iterator[tuple[Side, Hold] | None]:
    """The side transaction, and what to hold around the swap: on a backend built on
    the store's own connection (no transaction), the whole run is held instead. None
    when ``wait`` is False and another thread of this process is building."""
    hold = hold or contextlib.nullcontext
    with side_transaction(store, wait=wait) as side:
        if side is None:
            yield None
        elif not side.shared:
            yield side, hold
        else:
            with hold():
                yield side, contextlib.nullcontext


def build_facts(
    store: Store, config: MetricsConfig | None = None, *, hold: Hold | None = None
) -> FactsInfo:
    """(Re)build every fact table from the canonical tables; return what was built.

    ``hold`` as in :func:`ensure_facts`.
    """
    config = config or MetricsConfig.from_settings()
    with _side(store, hold) as found:
        assert found is not None  # (it waits for its turn)
        side, held = found
        run, as_of = _build(side.store, config)
        return _swap(run, side, store, held, as_of, rebuilt=True)


def refresh_facts(
    store: Store, config: MetricsConfig | None = None, *, hold: Hold | None = None
) -> FactsInfo:
    """Bring existing facts up to date with the recorded changes, ticket by ticket.

    Falls back to a full build when the changes cannot be narrowed down.
    """
    config = config or MetricsConfig.from_settings()
    with _side(store, hold) as found:
        assert found is not None  # (it waits for its turn)
        side, held = found
        run, as_of, rebuilt = _refresh(side.store, config)
        return _swap(run, side, store, held, as_of, rebuilt=rebuilt)


def _pending(store: Store, config: MetricsConfig) -> tuple[set[str], dict[str, Any] | None]:
    """What ``ensure_facts`` has to do (nothing: an empty set), and the facts' meta row.

    "build" everything; "views" (facts built by a Sanjeh without the review view);
    "refresh" the tickets recorded as changed; "clear" changes of bookkeeping tables only.
    """
    meta = _read_meta(store)
    existing = set(store.con.list_tables())
    if (
        meta is None
        or not set(FACT_TABLES) <= existing
        or meta.get("config") != _config_key(config)
    ):
        return {"build"}, meta
    todo = set() if set(VIEWS) <= existing else {"views"}
    changed = store.changes()
    if {t for t in changed if t in TABLES or t in narrow.FACT_APP_TABLES}:  # not bookkeeping
        todo.add("refresh")
    elif meta.get("data") != _data_stamp(store):  # changed without the store's merge
        todo.add("build")
    elif changed:
        todo.add("clear")
    return todo, meta


def facts_as_of(store: Store) -> dt.datetime | None:
    """The facts' "now": the data's last instant, or the ``as_of`` option (None before a
    first build). FCR / reopen windows and partial periods are judged against it."""

    def read() -> dt.datetime | None:
        with store.lock:
            meta = _read_meta(store) if META_TABLE in store.con.list_tables() else None
        return dt.datetime.fromisoformat(meta["as_of"]) if meta else None

    found: dt.datetime | None = _compiled.remember(store, "as_of", read)
    return found


def facts_current(store: Store, config: MetricsConfig | None = None) -> bool:
    """True when ``ensure_facts`` would change nothing (reads only: a server checks this
    often, and rebuilds, under its write gate, only when it is False)."""
    return not _pending(store, config or MetricsConfig.from_settings())[0]


def ensure_facts(
    store: Store, config: MetricsConfig | None = None, *, hold: Hold | None = None
) -> FactsInfo:
    """Build the facts unless they are up to date with the data and the configuration.

    The work runs on a second connection, in one transaction, and does not use
    ``store``'s own connection: readers keep the previous facts meanwhile. ``hold``
    (a context manager factory) is held only around putting the new facts in place: the
    web app passes its write gate, so no request reads across the swap.

    While another thread of this process builds them, this returns at once and the
    caller reads the previous facts (waiting could deadlock: a caller may hold the lock
    of ``store``'s connection, which that build's swap takes in the web app); a build
    in another process is waited for.
    """
    config = config or MetricsConfig.from_settings()
    with _side(store, hold, wait=False) as found:
        if found is not None:
            return _ensure(store, config, *found)
    with store.lock:
        meta = _read_meta(store) if META_TABLE in store.con.list_tables() else None
    if meta is None:  # no facts at all yet: nothing to read meanwhile
        with _side(store, hold) as waited:
            assert waited is not None
            return _ensure(store, config, *waited)
    return _info(meta)


def _ensure(store: Store, config: MetricsConfig, side: Side, held: Hold) -> FactsInfo:
    todo, meta = _pending(side.store, config)
    if "build" in todo:
        run, as_of = _build(side.store, config)
        return _swap(run, side, store, held, as_of, rebuilt=True)
    if "refresh" in todo:  # (the swap creates the views too)
        run, as_of, rebuilt = _refresh(side.store, config)
        return _swap(run, side, store, held, as_of, rebuilt=rebuilt)
    if "clear" in todo:  # changes of bookkeeping tables only
        clear_seen_changes(side.store)
    if "views" in todo:
        with held():
            _create_views(side.store, config)
            side.commit()
    side.commit()
    assert meta is not None
    return _info(meta)


def _info(meta: dict[str, Any]) -> FactsInfo:
    return FactsInfo(
        as_of=dt.datetime.fromisoformat(meta["as_of"]),
        tickets=meta["tickets"],
        replies=meta["replies"],
        rebuilt=False,
    )
