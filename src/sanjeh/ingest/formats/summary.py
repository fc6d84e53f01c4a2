"""Ticket-summary exports (one row per ticket) → ``tickets`` plus a synthesised timeline.

Zendesk, Freshdesk and spreadsheet exports give one row per ticket with a few
timestamps (created, first response, resolved, closed). A small TOML mapping file
(``--mapping``) says which column is which; each row becomes the ticket, the events
those timestamps imply and the satisfaction answer, so every KPI is computed from
events the same way whatever the source. Rules: docs/formats.md, "Ticket-summary CSV".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._lists import as_items, is_listy
from .._readers import FileKind
from .._rows import Chunk
from ._base import Context, Format
from ._dates import DateFormat
from ._helpers import (
    UTC_US,
    NewOnly,
    Problems,
    const,
    join,
    keep,
    ns,
    raw_rows,
    stack,
    text,
    zone_for,
)
from ._mapping import TIMES, VALUE_TABLES, SummaryMapping, load_mapping

_NULL = pa.scalar(None, pa.string())
_DEFAULT_TAG_SPLIT = r"\s*[;|,]\s*"


class Summary(Format):
    name = "summary"
    title = "Ticket-summary export (one row per ticket), columns named by a --mapping file"
    default_source = "summary"
    tables = ("tickets", "events", "survey_responses", "customers", "agents", "teams")
    kinds = ("csv", "jsonl", "parquet")

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        return 0.0  # only chosen by name, or (with the pipeline's help) by --mapping

    def source_for(self, mapping: Path | None) -> str:
        """The id namespace when ``--source`` names none: the mapping's ``source``."""
        return load_mapping(mapping).source or self.default_source

    def timezone_for(self, mapping: Path | None) -> str | None:
        """The zone of local times when the import names none: the mapping's."""
        return load_mapping(mapping).timezone

    def read(self, ctx: Context) -> Iterator[Chunk]:
        mapping = load_mapping(ctx.mapping)
        source = ctx.source  # the pipeline asked source_for / timezone_for already
        zone = zone_for(ctx)
        dates = DateFormat(ctx.path, mapping.timestamp_format, mapping.declare_format())
        new_customers, new_agents = NewOnly("customer_id"), NewOnly("agent_id")
        new_teams = NewOnly("team_id")
        columns: dict[str, str] | None = None
        for table, rows, unreadable in ctx.raw(mapping.delimiter):
            if columns is None:
                columns = mapping.resolve(table.column_names, ctx.path)
            problems = Problems(table, rows, ctx.times)
            row = _Row(table, columns, mapping, problems, zone, dates)
            ok = problems.ok
            good_rows = np.asarray(rows)[ok]
            out = _outputs(row, mapping, source)
            tables = {"tickets": raw_rows(keep(out.tickets, ok), good_rows)}
            events, event_rows = [], []
            for columns_, mask in out.events:
                chosen = pc.and_(pa.array(ok), pc.fill_null(mask, False))
                events.append(keep(columns_, chosen))
                event_rows.append(np.asarray(rows)[np.asarray(chosen)])
            tables["events"] = raw_rows(stack(events), np.concatenate(event_rows))
            answered = pc.and_(pa.array(ok), pc.is_valid(row.score))
            if pc.any(answered).as_py():
                tables["survey_responses"] = raw_rows(
                    keep(out.survey, answered), np.asarray(rows)[np.asarray(answered)]
                )
            for name, new in (
                ("customers", new_customers),
                ("agents", new_agents),
                ("teams", new_teams),
            ):
                found = new(keep(out.entities[name], ok), good_rows)
                if found:
                    tables[name] = found
            yield Chunk(
                tables=tables,
                rejects=unreadable + problems.rejects(),
                rows_read=table.num_rows + len(unreadable),
            )


class _Row:
    """The mapped columns of one chunk, validated; problems name the user's columns."""

    def __init__(
        self,
        table: pa.Table,
        columns: Mapping[str, str],
        mapping: SummaryMapping,
        problems: Problems,
        zone: str,
        dates: DateFormat,
    ) -> None:
        self.n = table.num_rows
        self.dates = dates
        self.columns = columns
        self.mapping = mapping
        self.problems = problems
        self.raw = {key: mapping.nulled(text(table, name)) for key, name in columns.items()}
        #: a column of JSON arrays (JSON Lines) or a Parquet list column, as it is
        self.lists = {
            key: table[name] for key, name in columns.items() if is_listy(table[name].type)
        }
        self.ticket = self.get("ticket_id")
        problems.require(self.ticket, columns["ticket_id"])
        self.times = {key: self._time(key, zone) for key in TIMES}
        if "first_response_minutes" in columns and "first_response_at" not in columns:
            self.times["first_response_at"] = self._after_created("first_response_minutes")
        problems.require(self.raw["created_at"], columns["created_at"])
        created = self.times["created_at"]
        for key in ("assigned_at", "first_response_at", "resolved_at", "closed_at"):
            if key in columns:
                problems.add(
                    pc.less(self.times[key], created),
                    columns[key],
                    f"is before {columns['created_at']} (the ticket's creation)",
                    self.raw[key],
                )
        self.choice = {key: self._choice(key) for key in ("channel", "priority", "status")}
        self.score = self._score()

    def get(self, key: str) -> pa.Array:
        return self.raw.get(key, pa.nulls(self.n, pa.string()))

    def _time(self, key: str, zone: str) -> pa.Array:
        if key not in self.columns:
            return pa.nulls(self.n, UTC_US)
        # ISO 8601 as written; anything else only in the mapping's declared format, and a
        # file whose dates have day and month the other way round stops the import
        return self.dates.parse(self.raw[key], self.columns[key], zone, self.problems)

    def _after_created(self, key: str) -> pa.Array:
        """``created_at`` plus a number of minutes (e.g. Zendesk's first reply time)."""
        values, field = self.raw[key], self.columns[key]
        minutes = _number(values)
        self.problems.add(
            # Kleene "or": text that is no number (null minutes) is a problem, not unknown
            pc.or_kleene(
                pc.and_(pc.is_valid(values), pc.is_null(minutes)),
                pc.less(minutes, 0),
            ),
            field,
            "not a number of minutes (0 or more)",
            values,
        )
        micros = pc.cast(pc.round(pc.multiply(minutes, 60e6)), pa.int64())
        created = pc.cast(self.times["created_at"], pa.int64())
        return pc.cast(pc.add(created, micros), UTC_US)

    def _choice(self, key: str) -> pa.Array:
        values = self.get(key)
        if key not in self.columns:
            return values
        allowed = VALUE_TABLES[key] or ()
        table = {**{v: v for v in allowed}, **self.mapping.values.get(key, {})}
        lower = pc.utf8_lower(values)
        idx = pc.index_in(lower, value_set=pa.array(list(table), pa.string()))
        out = pc.take(pa.array(list(table.values()), pa.string()), idx)
        unknown = pc.and_(pc.is_valid(values), pc.is_null(out))
        self.problems.add(
            unknown,
            self.columns[key],
            f"is not mapped to a Sanjeh {key}; add it under [values.{key}] in "
            f"{self.mapping.path.name} (Sanjeh's values: {', '.join(allowed)})",
            values,
        )
        return out

    def _score(self) -> pa.Array:
        if "satisfaction" not in self.columns:
            return pa.nulls(self.n, pa.float64())
        values, field = self.get("satisfaction"), self.columns["satisfaction"]
        labels = self.mapping.values.get("satisfaction", {})
        answer = values
        if labels:
            idx = pc.index_in(pc.utf8_lower(values), value_set=pa.array(list(labels)))
            answer = pc.coalesce(pc.take(pa.array(list(labels.values())), idx), values)
        not_answered = pc.fill_null(pc.equal(answer, ""), False)
        number = _number(answer)
        self.problems.add(
            pc.and_(pc.and_(pc.is_valid(values), pc.is_null(number)), pc.invert(not_answered)),
            field,
            "not a number; map text answers to scores under [values.satisfaction]",
            values,
        )
        low, high = self.mapping.scale_min, self.mapping.scale_max
        self.problems.add(
            pc.or_(pc.less(number, low), pc.greater(number, high)),
            field,
            f"is outside the scale {low}-{high} set in [satisfaction]",
            values,
        )
        return number


def _number(values: pa.Array) -> pa.Array:
    numeric = pc.match_substring_regex(values, r"^-?\d+(\.\d+)?$")
    return pc.cast(pc.if_else(numeric, values, _NULL), pa.float64())


def _tags(values: pa.Array | pa.ChunkedArray, separator: str | None) -> pa.Array:
    """Text split at the mapping's ``tags_separator`` (default ``;``, ``|`` or ``,``); a
    list (a JSON array, a Parquet list) is taken as it is."""
    return as_items(
        values,
        lambda text: (
            pc.split_pattern(text, separator)
            if separator
            else pc.split_pattern_regex(text, _DEFAULT_TAG_SPLIT)
        ),
    )


Columns = dict[str, pa.Array]


@dataclasses.dataclass
class _Outputs:
    """Every canonical row a chunk of summary rows stands for (before bad rows go)."""

    tickets: Columns
    #: each event kind with the rows that have it
    events: list[tuple[Columns, pa.Array]]
    survey: Columns
    entities: dict[str, Columns]


def _outputs(row: _Row, mapping: SummaryMapping, source: str) -> _Outputs:
    n, t, get = row.n, row.times, row.get
    ticket = ns(source, row.ticket)
    customer, agent, team = (ns(source, get(k)) for k in ("customer", "agent", "team"))
    channel = row.choice["channel"]
    status = row.choice["status"]
    if "status" not in row.columns and ("resolved_at" in row.columns or "closed_at" in row.columns):
        status = pc.if_else(
            pc.is_valid(t["closed_at"]),
            "closed",
            pc.if_else(pc.is_valid(t["resolved_at"]), "solved", "open"),
        )
    if "updated_at" in row.columns:
        updated = t["updated_at"]
    else:
        # the latest thing the row knows about (max has no timestamp kernel: use micros)
        micros = (pc.cast(t[k], pa.int64()) for k in TIMES)
        updated = pc.cast(pc.max_element_wise(*micros, skip_nulls=True), UTC_US)
    tickets = {
        "ticket_id": ticket,
        "source": const(source, n),
        "external_id": row.ticket,
        "channel": channel,
        "subject": get("subject"),
        "created_at": t["created_at"],
        "updated_at": updated,
        "status": status,
        "customer_id": customer,
        "team_id": team,
        "agent_id": agent,
        "priority": row.choice["priority"],
        "category": get("category"),
        "tags": _tags(row.lists.get("tags", get("tags")), mapping.tags_separator),
        "language": get("language"),
    }

    def event(
        suffix: str, at: pa.Array, kind: str, actor: str, **more: pa.Array
    ) -> dict[str, pa.Array]:
        return {
            "event_id": join(ticket, f"-{suffix}"),
            "ticket_id": ticket,
            "at": at,
            "kind": const(kind, n),
            "actor_type": const(actor, n),
            **more,
        }

    yes, no = const(True, n, pa.bool_()), const(False, n, pa.bool_())
    has_owner = pc.or_(pc.is_valid(agent), pc.is_valid(team))
    events = [
        (
            event(
                "created",
                t["created_at"],
                "created",
                "customer",
                actor_id=customer,
                public=yes,
                channel=channel,
                status=const("new", n),
            ),
            pc.is_valid(t["created_at"]),
        ),
        (
            event(
                "request",
                t["created_at"],
                "message",
                "customer",
                actor_id=customer,
                public=yes,
                channel=channel,
                body=get("description"),
            ),
            pc.is_valid(t["created_at"]),
        ),
        (
            event(
                "assign",
                pc.coalesce(t["assigned_at"], t["created_at"]),
                "assign",
                "system",
                public=no,
                agent_id=agent,
                team_id=team,
            ),
            has_owner,
        ),
        (
            event(
                "first-reply",
                t["first_response_at"],
                "message",
                "agent",
                actor_id=agent,
                public=yes,
                channel=channel,
            ),
            pc.is_valid(t["first_response_at"]),
        ),
        (
            event(
                "solved",
                t["resolved_at"],
                "status",
                "agent",
                actor_id=agent,
                public=yes,
                status=const("solved", n),
            ),
            pc.is_valid(t["resolved_at"]),
        ),
        (
            event(
                "closed",
                t["closed_at"],
                "status",
                "agent",
                actor_id=agent,
                public=yes,
                status=const("closed", n),
            ),
            pc.is_valid(t["closed_at"]),
        ),
    ]
    survey = {
        "response_id": join(ticket, f"-{mapping.survey}"),
        "source": const(source, n),
        "survey": const(mapping.survey, n),
        "scale_min": const(mapping.scale_min, n, pa.int64()),
        "scale_max": const(mapping.scale_max, n, pa.int64()),
        "score": row.score,
        "comment": get("satisfaction_comment"),
        "ticket_id": ticket,
        "customer_id": customer,
        "agent_id": agent,
        # answered when the survey says so, else when the ticket was solved / closed
        "submitted_at": pc.coalesce(
            t["satisfaction_at"], t["resolved_at"], t["closed_at"], t["created_at"]
        ),
    }
    return _Outputs(
        tickets=tickets,
        events=events,
        survey=survey,
        entities={
            "customers": {
                "customer_id": customer,
                "source": const(source, n),
                "external_id": get("customer"),
                "name": get("customer_name"),
                "email": get("customer_email"),
            },
            "agents": {
                "agent_id": agent,
                "source": const(source, n),
                "name": get("agent"),
                "team_id": team,
                "is_bot": no,
            },
            "teams": {"team_id": team, "source": const(source, n), "name": get("team")},
        },
    )


FORMATS = [Summary()]
