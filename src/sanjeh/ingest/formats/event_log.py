"""Process-mining event logs described by a mapping file → ``events``, ``tickets`` and
the agents, teams and customers they name.

One row per activity of a case (``Case ID, Activity, Complete Timestamp, Resource``).
The mapping (``--mapping``, ``format = "event_log"``) names the columns, declares how
the file writes dates that are not ISO 8601 and which texts mean "no value", and says
what each activity is: a status change, an assignment, an escalation … Activities it
does not name are kept as events of kind ``other``. ISO 8601 timestamps are read as
written, never with day and month swapped. Rules: docs/formats.md, "Event logs with a
mapping file".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...model import CHANNELS, PRIORITIES
from .._readers import FileKind
from .._rows import Chunk
from ._base import Context, Format
from ._dates import DateFormat
from ._event_log_mapping import UNMAPPED, EventLogMapping, load_event_log_mapping
from ._helpers import (
    NewOnly,
    Order,
    Problems,
    Rollup,
    const,
    join,
    keep,
    ns,
    raw_rows,
    stack,
    text,
    zone_for,
)

_NULL = pa.scalar(None, pa.string())
#: Sanjeh's own values, accepted without a [values.X] entry
_OWN = {"channel": set(CHANNELS), "priority": set(PRIORITIES)}
#: ticket fields taken from the events: the latest value, or the first
ROLLED: dict[str, Order] = {
    **dict.fromkeys(("status", "team_id", "agent_id", "priority", "category"), "last"),
    **dict.fromkeys(("first_kind", "channel", "customer_id"), "first"),
}
#: kinds whose status the facts read
_STATUS_KINDS = ["status", "created"]
#: wide enough that event ids sort in file order within a case at the same instant
_ROW_DIGITS = 9


class EventLog(Format):
    name = "event_log"
    title = "Process-mining event log (one row per activity), columns named by a --mapping file"
    default_source = "eventlog"
    tables = ("events", "tickets", "agents", "teams", "customers")
    kinds = ("csv", "jsonl", "parquet")

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        return 0.0  # chosen by name, or by a mapping file that says format = "event_log"

    def source_for(self, mapping: Path | None) -> str:
        return load_event_log_mapping(mapping).source or self.default_source

    def timezone_for(self, mapping: Path | None) -> str | None:
        return load_event_log_mapping(mapping).timezone

    def read(self, ctx: Context) -> Iterator[Chunk]:
        mapping = load_event_log_mapping(ctx.mapping)
        zone = zone_for(ctx)
        dates = DateFormat(ctx.path, mapping.timestamp_format, mapping.declare_format())
        rollup = Rollup(ROLLED)
        new = {t: NewOnly(k) for t, k in _ENTITY_KEYS.items()}
        columns: dict[str, str] | None = None
        for table, rows, unreadable in ctx.raw(mapping.delimiter):
            if columns is None:
                columns = mapping.resolve(table.column_names, ctx.path)
            problems = Problems(table, rows, ctx.times)
            row = _Row(table, columns, mapping, problems)
            at = dates.parse(row.get("timestamp"), columns["timestamp"], zone, problems)
            ok = problems.ok
            row_numbers = np.asarray(rows)
            events = _events(ctx.source, row, at, row_numbers)
            good = keep(events, ok)
            ticket_facts = {
                "status": events["status"],
                "first_kind": events["kind"],
                "team_id": row.ns(ctx.source, "team"),
                "agent_id": events["agent_id"],
                "priority": row.choice["priority"],
                "category": row.get("category"),
                "channel": row.choice["channel"],
                "customer_id": row.ns(ctx.source, "customer"),
            }
            rollup.add(good["ticket_id"], good["at"], row_numbers[ok], keep(ticket_facts, ok))
            tables = {"events": raw_rows(*_with_status_events(good, row_numbers[ok]))}
            for name, columns_ in _entities(ctx.source, row, events).items():
                found = new[name](keep(columns_, ok), row_numbers[ok])
                if found:
                    tables[name] = found
            yield Chunk(
                tables=tables,
                rejects=unreadable + problems.rejects(),
                rows_read=table.num_rows + len(unreadable),
            )
        yield _tickets(ctx.source, rollup.finish())


_ENTITY_KEYS = {"agents": "agent_id", "teams": "team_id", "customers": "customer_id"}


class _Row:
    """The mapped columns of one chunk, validated; problems name the user's columns."""

    def __init__(
        self,
        table: pa.Table,
        columns: Mapping[str, str],
        mapping: EventLogMapping,
        problems: Problems,
    ) -> None:
        self.n = table.num_rows
        self.columns = columns
        self.mapping = mapping
        self.problems = problems
        self.raw = {key: mapping.nulled(text(table, name)) for key, name in columns.items()}
        for key in ("case_id", "activity", "timestamp"):
            problems.require(self.raw[key], columns[key])
        self.choice = {key: self._choice(key) for key in ("priority", "channel")}
        self.activity = self._activity()

    def get(self, key: str) -> pa.Array:
        return self.raw.get(key, pa.nulls(self.n, pa.string()))

    def ns(self, source: str, key: str) -> pa.Array:
        return ns(source, self.get(key))

    def _choice(self, key: str) -> pa.Array:
        values = self.get(key)
        if key not in self.columns:
            return values
        table = self.mapping.values.get(key, {})
        lower = pc.utf8_lower(values)
        idx = pc.index_in(lower, value_set=pa.array(list(table), pa.string()))
        out = pc.take(pa.array(list(table.values()), pa.string()), idx)
        # a value already in Sanjeh's vocabulary needs no mapping
        canonical = pc.is_in(lower, value_set=pa.array(sorted(_OWN[key])))
        out = pc.coalesce(out, pc.if_else(canonical, lower, _NULL))
        self.problems.add(
            pc.and_(pc.is_valid(values), pc.is_null(out)),
            self.columns[key],
            f"is not mapped to a Sanjeh {key}; add it under [values.{key}] in "
            f"{self.mapping.path.name} (Sanjeh's values: {', '.join(sorted(_OWN[key]))})",
            values,
        )
        return out

    def _activity(self) -> dict[str, pa.Array]:
        """Kind, status, actor and public of each row's activity (unmapped: other)."""
        known = list(self.mapping.activities.items())
        names = pa.array([name for name, _ in known], pa.string())
        idx = pc.index_in(pc.utf8_lower(self.get("activity")), value_set=names)

        def column(attr: str, type_: pa.DataType) -> pa.Array:
            values = pa.array([getattr(a, attr) for _, a in known], type_)
            return pc.fill_null(pc.take(values, idx), pa.scalar(getattr(UNMAPPED, attr), type_))

        status = pc.take(pa.array([a.status for _, a in known], pa.string()), idx)
        return {
            "kind": column("kind", pa.string()),
            "status": status,
            "actor": column("actor", pa.string()),
            "public": column("public", pa.bool_()),
        }


def _events(source: str, row: _Row, at: pa.Array, rows: np.ndarray) -> dict[str, pa.Array]:
    """The event each row stands for."""
    a = row.activity
    ticket = row.ns(source, "case_id")
    kind, actor = a["kind"], a["actor"]
    resource, customer = row.ns(source, "resource"), row.ns(source, "customer")
    is_kind = {k: pc.equal(kind, k) for k in ("assign", "escalate", "priority", "created")}
    actor_id = pc.case_when(
        pc.make_struct(pc.equal(actor, "agent"), pc.equal(actor, "customer")),
        resource,
        customer,
        _NULL,
    )
    number = pc.utf8_lpad(pa.array(rows, pa.int64()).cast(pa.string()), _ROW_DIGITS, "0")
    assigned = pc.or_(is_kind["assign"], is_kind["escalate"])
    return {
        "event_id": join(ticket, "-", number),
        "ticket_id": ticket,
        "at": at,
        "kind": kind,
        "actor_type": actor,
        "actor_id": actor_id,
        "public": a["public"],
        "status": a["status"],
        "agent_id": pc.if_else(assigned, resource, _NULL),
        "team_id": pc.if_else(assigned, row.ns(source, "team"), _NULL),
        "priority": pc.if_else(is_kind["priority"], row.choice["priority"], _NULL),
        "channel": pc.if_else(is_kind["created"], row.choice["channel"], _NULL),
        "body": row.get("activity"),
    }


def _with_status_events(
    events: dict[str, pa.Array], rows: np.ndarray
) -> tuple[dict[str, pa.Array], np.ndarray]:
    """The events plus a status event for each that sets a status without being a status
    change ("Take in charge ticket" = an assignment and open): the facts read statuses
    from status and created events only. Returns the events and their file rows."""
    n = len(rows)
    also = pc.and_(
        pc.is_valid(events["status"]),
        pc.invert(pc.is_in(events["kind"], value_set=pa.array(_STATUS_KINDS))),
    )
    status = {
        **events,
        "event_id": join(events["event_id"], "-status"),
        "kind": const("status", n),
        "public": const(True, n, pa.bool_()),
        **{c: pa.nulls(n, pa.string()) for c in ("agent_id", "team_id", "priority", "channel")},
    }
    return stack([events, keep(status, also)]), np.concatenate([rows, rows[np.asarray(also)]])


def _entities(
    source: str, row: _Row, events: Mapping[str, pa.Array]
) -> dict[str, dict[str, pa.Array]]:
    """Agents (resources acting as agents), teams and customers each row names."""
    n = row.n
    agent = pc.coalesce(
        events["agent_id"],
        pc.if_else(pc.equal(events["actor_type"], "agent"), events["actor_id"], _NULL),
    )
    agent_name = pc.if_else(pc.is_valid(agent), row.get("resource"), _NULL)
    return {
        "agents": {
            "agent_id": agent,
            "source": const(source, n),
            "name": agent_name,
            "is_bot": const(False, n, pa.bool_()),
        },
        "teams": {
            "team_id": row.ns(source, "team"),
            "source": const(source, n),
            "name": row.get("team"),
        },
        "customers": {
            "customer_id": row.ns(source, "customer"),
            "source": const(source, n),
            "external_id": row.get("customer"),
        },
    }


def _tickets(source: str, found: pa.Table) -> Chunk:
    """Tickets from the roll-up, plus a ``created`` event where a case has none first."""
    n = found.num_rows
    ticket = found["ticket"].combine_chunks()
    rows = found["first_row"].combine_chunks()
    first_at = found["first_at"].combine_chunks()

    def last(name: str) -> pa.Array:
        return found[name].combine_chunks()

    tickets = {
        "ticket_id": ticket,
        "source": const(source, n),
        "external_id": pc.utf8_slice_codeunits(ticket, len(source) + 1),
        "created_at": first_at,
        "updated_at": last("last_at"),
        "status": pc.fill_null(last("status"), "new"),
        "team_id": last("team_id"),
        "agent_id": last("agent_id"),
        "priority": last("priority"),
        "category": last("category"),
        "channel": last("channel"),
        "customer_id": last("customer_id"),
    }
    missing = pc.invert(pc.fill_null(pc.equal(last("first_kind"), "created"), False))
    created = keep(
        {
            "event_id": join(ticket, "-created"),
            "ticket_id": ticket,
            "at": first_at,
            "kind": const("created", n),
            "actor_type": pc.if_else(pc.is_valid(last("customer_id")), "customer", "system"),
            "actor_id": last("customer_id"),
            "public": const(True, n, pa.bool_()),
            "status": const("new", n),
            "channel": last("channel"),
        },
        missing,
    )
    return Chunk(
        tables={
            "tickets": raw_rows(tickets, rows),
            "events": raw_rows(created, pc.filter(rows, missing)),
        }
    )


FORMATS = [EventLog()]
