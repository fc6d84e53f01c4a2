"""Which facts a refresh redoes, found in proportion to the change.

The tickets redone: those changed (or whose customer changed), those whose
``recheck_at`` has come (an SLA target passed, an FCR / reopen window closed), and the
solved tickets of the changed tickets' customers whose first-contact window reaches a
changed ticket (their next contact may be another one now). The tickets read besides:
the later tickets of the redone tickets' customers (a ticket's first-contact resolution
reads its customer's next ticket).
The data's span comes from the facts' meta row, widened by the changed rows only, so
no step reads a whole canonical table. Each step's SQL is compiled once per process
and replayed after (``_replay``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any

import ibis

from ..model import TABLES
from ..store import Store
from . import _replay
from ._prediction_facts import PREDICTION_TABLES
from ._temp import count_of, create, rows_of
from ._topic_facts import TOPIC_TABLES

#: the app tables the facts read besides the canonical ``TABLES`` (each belongs to a
#: ticket: a changed row marks that ticket's facts stale)
FACT_APP_TABLES = (*PREDICTION_TABLES, *TOPIC_TABLES)

#: tables whose changed rows name the tickets / customers they belong to
#: (``ticket_predictions`` / ``ticket_topics``: app tables the ticket facts read, its
#: inferred CSAT and its topic)
PER_TICKET = {"tickets", "events", "survey_responses", "auto_scores", *FACT_APP_TABLES}
PER_CUSTOMER = {"customers", "customer_outcomes"}
#: tables whose changed rows name themselves: their facts are replaced row by row
PER_ROW = {"calls", "agent_shifts"}
#: tables whose changed rows name a call (``belongs_to`` call_id): that call's fact row
#: is redone, as if the call itself had changed
PER_CALL = {"call_speech"}
#: tables whose changed rows name a customer whose article-view facts are redone (a
#: first load or an unknown change: all of them, without a rebuild of the tickets)
PER_VIEW = {"article_views"}
#: tables no fact reads: their changes need no refresh (the speech figures of a call
#: are computed from its segments into call_speech, which the facts read)
UNREAD = {"call_segments", "kb_articles", "experiment_assignments"}
#: a refresh touching more than this share of tickets is done as a rebuild
REBUILD_SHARE = 0.5
#: the data's first instant, the last instant of its tickets and events (the facts'
#: "now" unless configured), and its last instant counting calls too
Span = tuple[dt.datetime, dt.datetime, dt.datetime]
UTC_TS = "timestamp('UTC')"


class Tables(Mapping[str, ibis.Table]):
    """The canonical tables, each looked up when first used (a lookup is a query)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._found: dict[str, ibis.Table] = {}

    def __getitem__(self, name: str) -> ibis.Table:
        if name not in self._found:
            self._found[name] = self._store.table(name)
        return self._found[name]

    def __iter__(self) -> Iterator[str]:
        return iter((*TABLES, *FACT_APP_TABLES))

    def __len__(self) -> int:
        return len(TABLES) + len(FACT_APP_TABLES)


@dataclasses.dataclass
class Plan:
    """What one refresh redoes."""

    changed: dict[str, bool]
    span: Span
    as_of: dt.datetime
    #: the tickets whose facts are redone (a temporary table) and how many
    dirty: ibis.Table
    redo: int
    #: the tickets read to redo them: ``dirty`` and their customers' later tickets
    context: ibis.Table
    #: per-row tables changed: their changed keys (a temporary table), None: all rows
    rows: dict[str, ibis.Table | None]
    #: a survey about no ticket changed (which one is not recorded)
    unowned_surveys: bool


def plan(
    store: Store,
    meta: dict[str, Any],
    as_of_option: dt.datetime | None,
    key: Hashable,
    fcr_days: int | None,
) -> Plan | None:
    """The refresh the recorded changes need; None when only a build will do (a first
    load, a change to teams or agents, a store built before the meta row had a span,
    data moved back in time, or most tickets changed). ``key`` names the store and the
    configuration for the replayed steps. ``fcr_days``: the first-contact window when
    first-contact resolution reads the customer's next ticket (recontact), else None."""
    changed = {
        t: anything
        for t, anything in store.changes().items()
        if (t in TABLES or t in FACT_APP_TABLES) and t not in UNREAD
    }
    narrowable = PER_TICKET | PER_CUSTOMER | PER_ROW | PER_CALL | PER_VIEW
    unknown = any(changed[t] for t in changed if t not in PER_ROW | PER_CALL | PER_VIEW)
    if unknown or set(changed) - narrowable or not meta.get("span"):
        return None
    con, tables = store.con, Tables(store)

    def step(name: Hashable, run: Callable[[], None], as_of: dt.datetime | None = None) -> None:
        _replay.step(con, (*_as_tuple(key), name), as_of, {}, run)

    step("touched", lambda: _touched(store, tables))
    others = (PER_ROW - {"calls"}) & set(changed)
    rows = {t: None if changed[t] else _changed_rows(store, t) for t in others}
    rows |= _calls_redone(store, changed)  # (calls: also those whose speech changed)
    step(("span", "calls" in rows, rows.get("calls") is None), lambda: _span(store, tables, rows))
    *found, before = rows_of(con, "sanjeh_tmp_span")[0]
    if _shrunk(meta["span"], found, before):  # the data's last instant moved back
        return None
    span = _widened(meta["span"], found)
    as_of = as_of_option or span[1]
    if as_of < dt.datetime.fromisoformat(meta["as_of"]):  # data moved back in time
        return None
    step("dirty", lambda: _dirty(store, tables, as_of, fcr_days), as_of)
    redo = count_of(con, "sanjeh_tmp_dirty")
    if redo > REBUILD_SHARE * count_of(con, "tickets"):
        return None
    unowned = store.changed_unowned({"survey_responses"})
    dirty, context = con.table("sanjeh_tmp_dirty"), con.table("sanjeh_tmp_context")
    return Plan(changed, span, as_of, dirty, redo, context, rows, unowned)


def _as_tuple(key: Hashable) -> tuple[Hashable, ...]:
    return key if isinstance(key, tuple) else (key,)


def _touched(store: Store, tables: Tables) -> None:
    tickets = tables["tickets"]
    touched = tickets.filter(
        tickets.ticket_id.isin(store.changed_ids(PER_TICKET))
        | tickets.customer_id.isin(store.changed_ids(PER_CUSTOMER))
    )
    create(store.con, "sanjeh_tmp_touched", touched.select("ticket_id", "customer_id"), temp=True)


def _changed_rows(store: Store, table: str, owners: set[str] | None = None) -> ibis.Table:
    """The keys of ``table``'s changed rows (or of the rows the changed rows of
    ``owners`` belong to), as a small temporary table."""
    t, key = store.table(table), TABLES[table].key
    ids = t.filter(t[key].isin(store.changed_ids(owners or {table}))).select(key)
    return create(store.con, f"sanjeh_tmp_changed_{table}", ids, temp=True)


def _calls_redone(store: Store, changed: dict[str, bool]) -> dict[str, ibis.Table | None]:
    """``{"calls": …}``: the calls whose fact rows a refresh redoes, the changed calls and
    the calls whose speech figures changed (None: all of them); empty when none."""
    touched = ({"calls"} | PER_CALL) & set(changed)
    if not touched:
        return {}
    if any(changed[t] for t in touched):
        return {"calls": None}
    return {"calls": _changed_rows(store, "calls", touched)}


def _span(store: Store, tables: Tables, rows: dict[str, ibis.Table | None]) -> None:
    """The first and last instants of the changed tickets' events and creation, and of
    the changed calls, as one row of ``sanjeh_tmp_span``."""
    touched = store.con.table("sanjeh_tmp_touched").ticket_id
    e, t = tables["events"], tables["tickets"]
    e, t = e.filter(e.ticket_id.isin(touched)), t.filter(t.ticket_id.isin(touched))
    parts = [
        e.select(at=e.at.cast(UTC_TS), call=ibis.literal(False)),
        t.select(at=t.created_at.cast(UTC_TS), call=ibis.literal(False)),
    ]
    if "calls" in rows:
        c, ids = tables["calls"], rows["calls"]
        c = c if ids is None else c.filter(c.call_id.isin(ids.call_id))
        parts.append(c.select(at=c.started_at.cast(UTC_TS), call=ibis.literal(True)))
    times = ibis.union(*parts)
    found = times.aggregate(
        lo=times.at.min(), hi=times.at.max(where=~times.call), edge=times.at.max()
    )
    # the last instant the facts knew of these tickets: if it was the data's, and the
    # tickets now end earlier, the data's last instant (the facts' "now") may move back
    f = store.con.table("facts_tickets")
    f = f.filter(f.ticket_id.isin(touched))
    last = ibis.greatest(f.created_at.cast(UTC_TS), f.last_event_at.cast(UTC_TS))
    before = f.aggregate(before=last.max())
    create(store.con, "sanjeh_tmp_span", found.cross_join(before), temp=True)


def _widened(known: list[str], found: Sequence[Any]) -> Span:
    """The meta row's span, widened by the changed rows' (rows only come in or change:
    the span of the rest is as it was)."""
    lo, hi, edge = (dt.datetime.fromisoformat(v) for v in known)
    new_lo, new_hi, new_edge = (_utc(v) for v in found)
    lo = min(lo, new_lo) if new_lo else lo
    hi = max(hi, new_hi) if new_hi else hi
    edge = max(edge, hi, new_edge) if new_edge else max(edge, hi)
    return lo, hi, edge


def _shrunk(known: list[str], found: Sequence[Any], before: Any) -> bool:
    """The changed tickets held the data's last instant and no longer reach it: the
    span cannot just be widened (a build finds it again)."""
    hi = dt.datetime.fromisoformat(known[1])
    was, now = _utc(before), _utc(found[1])
    return was is not None and was >= hi and (now is None or now < hi)


def _utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    when: dt.datetime = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _dirty(store: Store, tables: Tables, as_of: dt.datetime, fcr_days: int | None) -> None:
    """``sanjeh_tmp_dirty``: the tickets redone; ``sanjeh_tmp_context``: those read."""
    con, tickets = store.con, tables["tickets"]
    facts = con.table("facts_tickets")
    touched = con.table("sanjeh_tmp_touched")
    due = facts.filter(facts.recheck_at <= ibis.literal(as_of, type=UTC_TS))

    def ids(t: ibis.Table) -> ibis.Table:
        return t.select(ticket_id=t.ticket_id.cast("string"))

    def places(t: ibis.Table, of: ibis.Table) -> ibis.Table:
        """(customer, creation) of ``of``'s tickets as ``t`` has them."""
        t = t.filter(t.ticket_id.isin(of.ticket_id) & t.customer_id.notnull())
        return t.select(customer_id=t.customer_id.cast("string"), at=t.created_at.cast(UTC_TS))

    def earliest(of: ibis.Table) -> ibis.Table:
        """Per customer, the first creation of ``of``'s tickets, now or as the facts had it."""
        both = ibis.union(places(tickets, of), places(facts, of))
        return both.group_by("customer_id").agg(since=both.at.min())

    seeds = ibis.union(ids(touched), ids(due))
    if fcr_days is None:  # first-contact resolution reads no other ticket
        create(con, "sanjeh_tmp_dirty", seeds.distinct(), temp=True)
        create(con, "sanjeh_tmp_context", con.table("sanjeh_tmp_dirty"), temp=True)
        return
    # A changed ticket may now be (or no longer be) the next contact of the ticket before
    # it: only a solved ticket whose window reaches the change can see its outcome move.
    first = earliest(touched)
    solved = facts.filter(facts.solved_at.notnull())
    reached = solved.join(first, solved.customer_id.cast("string") == first.customer_id)
    reached = reached.filter(
        reached.solved_at.cast(UTC_TS) + ibis.interval(days=fcr_days) >= reached.since
    )
    create(con, "sanjeh_tmp_dirty", ibis.union(seeds, ids(reached), distinct=True), temp=True)
    dirty = con.table("sanjeh_tmp_dirty")
    # read besides: the customers' later tickets, where each dirty ticket's next one is
    later = earliest(dirty)
    t = tickets.join(later, tickets.customer_id.cast("string") == later.customer_id)
    t = t.filter(t.created_at.cast(UTC_TS) >= t.since)
    create(con, "sanjeh_tmp_context", ibis.union(dirty, ids(t), distinct=True), temp=True)


#: columns of the per-ticket tables no fact reads
_UNREAD = {
    "events": ("body",),
    "tickets": ("subject",),
    "auto_scores": ("evidence",),
    "ticket_predictions": ("reasons",),
    "ticket_topics": ("model_version",),
}


def narrowed(con: Any, tables: Mapping[str, ibis.Table], dirty: ibis.Table) -> dict[str, Any]:
    """The per-ticket tables cut to the dirty tickets, each read once (the ticket
    pipeline reads events in several places); the others as they are."""
    out: dict[str, Any] = {name: tables[name] for name in TABLES if name not in PER_TICKET}
    for name in sorted(PER_TICKET):
        t = tables[name]
        # (long texts the facts never read: reading them costs most of the scan)
        t = t.drop(*[c for c in _UNREAD.get(name, ()) if c in t.columns])
        keep = t.filter(t.ticket_id.isin(dirty.ticket_id))
        out[name] = create(con, f"sanjeh_tmp_n_{name}", keep, temp=True)
    return out


def surveys_to_redo(
    store: Store, responses: ibis.Table, dirty: ibis.Table, unowned: bool
) -> ibis.Table:
    """Responses whose facts change: those about a dirty ticket, and those about no
    ticket when such a response changed (which one is not recorded) or its customer did."""
    r = responses
    about_none = r.ticket_id.isnull()
    customers = store.changed_ids(PER_CUSTOMER)
    hit = r.ticket_id.isin(dirty.ticket_id) | (about_none & r.customer_id.isin(customers))
    if unowned:
        hit |= about_none
    return create(store.con, "sanjeh_tmp_surveys", r.filter(hit).select("response_id"), temp=True)


def changed_customers(store: Store) -> ibis.Table:
    c = store.table("customers")
    ids = c.filter(c.customer_id.isin(store.changed_ids(PER_CUSTOMER))).select("customer_id")
    return create(store.con, "sanjeh_tmp_changed_customers", ids, temp=True)


def views_to_redo(store: Store, plan: Plan, as_of: dt.datetime) -> ibis.Table | None:
    """The article views whose facts a refresh redoes (their ids, a temporary table);
    None: all of them (article_views loaded whole or changed in an unknown way).

    A view's deflection reads its customer's later tickets, so the views redone are
    those that changed, those of customers who changed or whose tickets did (the
    ticket's customer now and as the facts had it: a ticket moved to another customer
    changes both), the anonymous ones when one of them changed, and the pending views
    whose window has closed by ``as_of``. Call it before the ticket facts are redone.
    """
    if plan.changed.get("article_views"):
        return None
    con = store.con
    views, touched = store.table("article_views"), con.table("sanjeh_tmp_touched")
    facts = con.table("facts_tickets")
    before = facts.filter(facts.ticket_id.isin(touched.ticket_id))
    customers = ibis.union(
        touched.select(customer_id=touched.customer_id.cast("string")),
        before.select(customer_id=before.customer_id.cast("string")),
        distinct=True,
    )
    owner = views.customer_id.cast("string")
    hit = owner.isin(store.changed_ids(PER_VIEW | PER_CUSTOMER)) | owner.isin(customers.customer_id)
    if store.changed_unowned(PER_VIEW):  # which anonymous view is not recorded
        hit |= views.customer_id.isnull()
    done = con.table("facts_article_views")
    due = done.filter(done.recheck_at <= ibis.literal(as_of, type=UTC_TS))
    hit_ids = views.filter(hit)
    ids = ibis.union(
        hit_ids.select(view_id=hit_ids.view_id.cast("string")),
        due.select(view_id=due.view_id.cast("string")),
        distinct=True,
    )
    return create(con, "sanjeh_tmp_views", ids, temp=True)
