"""ServiceNow incident event log (UCI / Kaggle "incident_event_log") → ``events``,
``tickets``, ``teams``, ``agents``, ``customers``.

One row per update of an incident, as ServiceNow's audit recorded it: the state at
that moment (``incident_state``), running counters (``reassignment_count``,
``reopen_count``, ``sys_mod_count``), who updated it and when (``sys_updated_by``,
``sys_updated_at``), the group and person assigned and the incident's fields. ``?``
means "no value"; dates are written day first (``29/2/2016 01:16``). Each update is a
status event; reopens come from ``reopen_count``, escalations from
``reassignment_count`` (``--option escalation``); see ``_servicenow_timeline.py`` and
docs/formats.md for every rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ConfigError
from .._rows import Chunk, RawRows
from ._base import ColumnsFormat, Context
from ._dates import DateFormat
from ._helpers import (
    UTC_US,
    NewOnly,
    Order,
    Problems,
    Rollup,
    by_lower_name,
    const,
    join,
    keep,
    mapped,
    ns,
    raw_rows,
    require,
    text,
    zone_for,
)
from ._servicenow_timeline import ESCALATIONS, changes

REQUIRED: tuple[str, ...] = ("number", "incident_state", "reassignment_count", "reopen_count")
REQUIRED += ("sys_mod_count", "opened_at", "sys_updated_at")
#: columns only this log has; three or more of them recognise it
DISTINCT = frozenset(
    {"incident_state", "reassignment_count", "reopen_count", "sys_mod_count", "made_sla"}
    | {"sys_updated_at", "sys_updated_by", "u_symptom", "u_priority_confirmation"}
)
USED = {c for c in REQUIRED} | {"sys_updated_by", "caller_id", "contact_type", "category"}
USED |= {"priority", "assignment_group", "assigned_to"}
MISSING = "?"
#: incident_state → canonical status; -100 (in the published log, meaning unknown) and
#: None are kept as events of kind other. Newer ServiceNow state names are accepted too.
STATES: dict[str, str | None] = {
    "new": "new",
    "active": "open",
    "in progress": "open",
    "awaiting user info": "pending",  # waiting for the caller
    "awaiting caller": "pending",
    "awaiting problem": "on_hold",
    "awaiting vendor": "on_hold",
    "awaiting evidence": "on_hold",
    "awaiting change": "on_hold",
    "on hold": "on_hold",
    "resolved": "solved",
    "closed": "closed",
    "canceled": "closed",
    "cancelled": "closed",
    "-100": None,
}
_STATE_NAMES = (
    "New, Active, Awaiting User Info, Awaiting Problem, Awaiting Vendor, Awaiting Evidence, "
    "Resolved, Closed, -100 (or In Progress, On Hold, Awaiting Caller, Awaiting Change, "
    "Canceled)"
)
CONTACT_TYPES = {
    "phone": "phone",
    "ivr": "phone",
    "email": "email",
    "self service": "web",
    "chat": "chat",
    "virtual agent": "chat",
    "direct opening": "other",
    "walk-in": "other",
}
#: the leading digit of "1 - Critical" … "5 - Planning"
PRIORITIES = {"1": "urgent", "2": "high", "3": "normal", "4": "low", "5": "low"}
DEFAULT_FORMAT = "%d/%m/%Y %H:%M"
#: this format's --option keys, and the ones every import has (zone, a workbook's sheet)
OPTIONS = ("escalation", "timestamp_format", "timezone", "sheet")
#: ticket fields taken from the updates: the latest value (the first for these two)
ROLLED: dict[str, Order] = {
    **dict.fromkeys(("team_id", "agent_id", "priority", "category", "customer_id"), "last"),
    "channel": "first",
    "opened_at": "first",
}
_NULL = pa.scalar(None, pa.string())


class ServiceNow(ColumnsFormat):
    name = "servicenow"
    title = "ServiceNow incident event log (incident_event_log: one row per update)"
    default_source = "servicenow"
    tables = ("events", "tickets", "teams", "agents", "customers")

    distinct = DISTINCT
    used = USED

    def read(self, ctx: Context) -> Iterator[Chunk]:
        escalation, dates = _options(ctx)
        zone = zone_for(ctx)
        timeline = _Timeline(ctx.source, escalation)
        held: pa.Table | None = None
        checked = False
        for table, rows, unreadable in ctx.raw():
            named = by_lower_name(table)
            if not checked:
                require(ctx.path, table.column_names, REQUIRED, "a ServiceNow incident log")
                checked = True
            problems = Problems(table, rows, ctx.times)
            state = _state(ctx.source, named, problems, dates, zone)
            state["row"] = pa.array(np.asarray(rows), pa.int64())
            state["order"] = join(_padded(state["seq"], 6), "-", _padded(state["row"], 9))
            good = pa.table(keep(state, problems.ok))
            if held is not None:
                good = pa.concat_tables([held, good])
            good, held = _hold_last(good)
            yield Chunk(
                tables=timeline.add(good),
                rejects=unreadable + problems.rejects(),
                rows_read=table.num_rows + len(unreadable),
            )
        if held is not None:
            yield Chunk(tables=timeline.add(held))
        yield _tickets(ctx.source, timeline.rollup.finish(), timeline.carry)


def _hold_last(good: pa.Table) -> tuple[pa.Table, pa.Table | None]:
    """The rows to place now, and the last incident's rows held back for the next chunk:
    the log is grouped by incident, so an incident cut by a chunk boundary is read whole
    (its rows may be out of order, and order is decided within a chunk)."""
    if good.num_rows == 0:
        return good, None
    last = pc.equal(good["number"], good["number"][-1])
    return good.filter(pc.invert(last)), good.filter(last)


class _Timeline:
    """Events, entities and the per-ticket roll-up of the rows placed so far."""

    def __init__(self, source: str, escalation: str) -> None:
        self.source = source
        self.escalation = escalation
        self.carry: dict[str, dict[str, Any]] = {}  # incident → its state after its last row
        self.rollup = Rollup(ROLLED)
        self.new = {name: NewOnly(key) for name, key in _ENTITY_KEYS.items()}

    def add(self, rows: pa.Table) -> dict[str, RawRows]:
        """The canonical rows of these update rows (any order; sorted here)."""
        good = rows.sort_by([(c, "ascending") for c in ("number", "at", "seq", "row")])
        events = changes(good, self.carry, self.escalation)
        g = {name: good[name].combine_chunks() for name in good.column_names}
        self.rollup.add(
            g["ticket_id"],
            g["at"],
            g["row"],
            {c: g[c] for c in ROLLED},
        )
        tables = {"events": raw_rows(events, events.pop("_row"))} if events else {}
        for name, columns in _entities(self.source, g).items():
            found = self.new[name](columns, g["row"].to_numpy())
            if found:
                tables[name] = found
        return tables


_ENTITY_KEYS = {"teams": "team_id", "agents": "agent_id", "customers": "customer_id"}


def _options(ctx: Context) -> tuple[str, DateFormat]:
    unknown = sorted(set(ctx.params) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"--option {unknown[0]}: the servicenow format has the options {', '.join(OPTIONS)}"
        )
    escalation = ctx.params.get("escalation", "reassignment")
    if escalation not in ESCALATIONS:
        raise ConfigError(
            f"--option escalation={escalation}: write one of {', '.join(ESCALATIONS)}"
        )
    fmt = ctx.params.get("timestamp_format", DEFAULT_FORMAT)
    if "%" not in fmt:
        raise ConfigError(
            f"--option timestamp_format={fmt}: write a strptime format such as {DEFAULT_FORMAT}"
        )
    return escalation, DateFormat(ctx.path, fmt, "--option timestamp_format={fmt}")


def _padded(values: pa.Array, width: int) -> pa.Array:
    return pc.utf8_lpad(values.cast(pa.string()), width, "0")


def _text(named: pa.Table, name: str) -> pa.Array:
    """A column as trimmed text; blanks and the log's ``?`` are null."""
    values = text(named, name)
    return pc.if_else(pc.equal(values, MISSING), _NULL, values)


def _times(
    named: pa.Table, name: str, dates: DateFormat, zone: str, problems: Problems
) -> pa.Array:
    values = _text(named, name)
    if dates.fmt == DEFAULT_FORMAT:  # a spreadsheet re-save writes 29-02-2016 01:16
        values = pc.replace_substring_regex(values, r"^(\d{1,2})-(\d{1,2})-(\d{4})", r"\1/\2/\3")
    return dates.parse(values, name, zone, problems)


def _count(named: pa.Table, name: str, problems: Problems) -> pa.Array:
    """A running counter: a whole number ≥ 0, or missing."""
    values = _text(named, name)
    whole = pc.fill_null(pc.match_substring_regex(values, r"^\d+$"), False)
    problems.add(
        pc.and_(pc.is_valid(values), pc.invert(whole)),
        name,
        "not a whole number (0 or more)",
        values,
    )
    return pc.cast(pc.if_else(whole, values, _NULL), pa.int64())


def _state(
    source: str, named: pa.Table, problems: Problems, dates: DateFormat, zone: str
) -> dict[str, pa.Array]:
    """Each row's validated values, before comparing it with the incident's previous row."""
    number = _text(named, "number")
    problems.require(number, "number")
    state = _text(named, "incident_state")
    problems.require(state, "incident_state")
    problems.unknown(state, STATES, "incident_state", _STATE_NAMES)
    stamp = _text(named, "sys_updated_at")
    problems.require(stamp, "sys_updated_at")
    at = _times(named, "sys_updated_at", dates, zone, problems)
    opened = _times(named, "opened_at", dates, zone, problems)
    counts = {c: _count(named, c, problems) for c in ("reopen_count", "reassignment_count")}
    seq = pc.fill_null(_count(named, "sys_mod_count", problems), 0)
    priority_text = _text(named, "priority")
    digit = pc.struct_field(pc.extract_regex(priority_text, r"^(?P<d>[1-5])\b"), "d")
    problems.add(
        pc.and_(pc.is_valid(priority_text), pc.is_null(digit)),
        "priority",
        "not a ServiceNow priority such as 3 - Moderate (1 - Critical … 5 - Planning)",
        priority_text,
    )
    contact = _text(named, "contact_type")
    problems.unknown(contact, CONTACT_TYPES, "contact_type")
    team, agent, caller = (
        _text(named, c) for c in ("assignment_group", "assigned_to", "caller_id")
    )
    return {
        "number": number,
        "ticket_id": ns(source, number),
        "at": at,
        "seq": seq,
        "state": state,
        "status": mapped(state, STATES),
        **counts,
        "opened_at": opened,
        "priority": mapped(digit, PRIORITIES),
        "channel": mapped(contact, CONTACT_TYPES),
        "team_id": ns(source, team),
        "team_name": team,
        "agent_id": ns(source, agent),
        "agent_name": agent,
        "customer_id": ns(source, caller),
        "caller": caller,
        "category": _text(named, "category"),
        "updated_by": ns(source, _text(named, "sys_updated_by")),
    }


def _entities(source: str, g: dict[str, pa.Array]) -> dict[str, dict[str, pa.Array]]:
    n = len(g["row"])
    return {
        "teams": {"team_id": g["team_id"], "source": const(source, n), "name": g["team_name"]},
        "agents": {
            "agent_id": g["agent_id"],
            "source": const(source, n),
            "name": g["agent_name"],
            "team_id": g["team_id"],
            "is_bot": const(False, n, pa.bool_()),
        },
        "customers": {
            "customer_id": g["customer_id"],
            "source": const(source, n),
            "external_id": g["caller"],
        },
    }


def _tickets(source: str, found: pa.Table, carry: dict[str, dict[str, Any]]) -> Chunk:
    """Tickets from the roll-up and a ``created`` event at each incident's opening; the
    status is the one the timeline left (``carry``), in the timeline's order."""
    n = found.num_rows
    ticket = found["ticket"].combine_chunks()
    number = pc.utf8_slice_codeunits(ticket, len(source) + 1)
    status = pa.array([carry[x]["status"] for x in number.to_pylist()], pa.string())

    def col(name: str) -> pa.Array:
        return found[name].combine_chunks()

    opened = pc.cast(col("opened_at"), UTC_US)
    created_at = pc.coalesce(opened, col("first_at"))
    # an incident opened after its last logged update (a clock oddity) ends when it opened
    later = pc.greater(col("last_at"), created_at)
    updated_at = pc.if_else(pc.fill_null(later, False), col("last_at"), created_at)
    customer = col("customer_id")
    tickets = {
        "ticket_id": ticket,
        "source": const(source, n),
        "external_id": number,
        "created_at": created_at,
        "updated_at": updated_at,
        "status": pc.fill_null(status, "new"),
        **{c: col(c) for c in ("team_id", "agent_id", "priority", "category", "channel")},
        "customer_id": customer,
    }
    created = {
        "event_id": join(ticket, "-created"),
        "ticket_id": ticket,
        "at": created_at,
        "kind": const("created", n),
        "actor_type": pc.if_else(pc.is_valid(customer), "customer", "system"),
        "actor_id": customer,
        "public": const(True, n, pa.bool_()),
        "status": const("new", n),
        "channel": col("channel"),
    }
    rows = col("first_row")
    return Chunk(tables={"tickets": raw_rows(tickets, rows), "events": raw_rows(created, rows)})


FORMATS = [ServiceNow()]
