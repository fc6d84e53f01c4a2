"""The "Helpdesk" process-mining log of an Italian software company → ``events``, ``tickets``.

``case_id;activity;timestamp``, one row per activity of a ticket. The copy published
with fau-is/next-best-action codes the 14 activities as 0–13 and has day and month
swapped in every timestamp whose day is 12 or less; both are undone here (see
docs/formats.md for the evidence and every mapping rule) for that copy only. Activity
names, as in the original 4TU log, are accepted too, with dates as written. Other
process logs go through the ``event_log`` format and a mapping file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import ConfigError, UnknownFormat
from .._readers import FileKind
from .._rows import Chunk
from ._base import Context, Format
from ._helpers import (
    Problems,
    Rollup,
    by_lower_name,
    const,
    iso_times,
    join,
    keep,
    mapped,
    ns,
    raw_rows,
    require,
    text,
    zone_for,
)


class Activity(NamedTuple):
    name: str
    kind: str
    status: str | None
    actor: str
    public: bool


#: code → activity, in the order of fau-is/next-best-action's encoding (see the docs)
ACTIVITIES = (
    Activity("Assign seriousness", "priority", None, "agent", False),
    Activity("Take in charge ticket", "assign", "open", "agent", False),
    Activity("Resolve ticket", "status", "solved", "agent", True),
    # closure comes a whole number of days after the resolution: an automatic close
    Activity("Closed", "status", "closed", "system", True),
    Activity("Insert ticket", "created", "new", "system", True),
    Activity("Wait", "status", "pending", "agent", True),
    Activity("Create SW anomaly", "escalate", None, "agent", False),
    Activity("Require upgrade", "status", "on_hold", "agent", True),
    # Bugzilla-style states of the software anomaly, not of the ticket
    Activity("VERIFIED", "other", None, "agent", False),
    Activity("DUPLICATE", "other", None, "agent", False),
    Activity("Resolve SW anomaly", "other", None, "agent", False),
    Activity("Schedule intervention", "other", None, "agent", False),
    Activity("RESOLVED", "other", None, "agent", False),
    Activity("INVALID", "other", None, "agent", False),
)
CODES = {str(i): a.name.lower() for i, a in enumerate(ACTIVITIES)}
BY_NAME = {a.name.lower(): a for a in ACTIVITIES}
CREATED = "insert ticket"
HEADERS = (("case_id", "activity", "timestamp"), ("case id", "activity", "complete timestamp"))
SWAP = {"yes": True, "true": True, "no": False, "false": False}


class HelpdeskLog(Format):
    name = "helpdesk_log"
    title = "Helpdesk process-mining event log (case_id;activity;timestamp)"
    default_source = "helpdesk"
    #: an Italian company; used when the import names no zone
    default_timezone = "Europe/Rome"
    tables = ("events", "tickets")

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        present = {c.strip().lower() for c in columns}
        for header in HEADERS:
            if set(header) <= present:
                return 0.8 if len(present) <= 5 else 0.6
        return 0.0

    def ignored_columns(self, columns: list[str]) -> list[str]:
        used = {c for header in HEADERS for c in header} | {"resource"}
        return [c for c in columns if c.strip().lower() not in used]

    def read(self, ctx: Context) -> Iterator[Chunk]:
        zone = zone_for(ctx)
        swap = _swap_option(ctx)
        rollup = Rollup({"status": "last", "first_activity": "first"})
        header: tuple[str, str, str] | None = None
        first = True
        for table, rows, unreadable in ctx.raw():
            named = by_lower_name(table)
            if header is None:
                header = _header(ctx.path, named.column_names)
            case_col, activity_col, time_col = header
            problems = Problems(table, rows, ctx.times)
            case = text(named, case_col)
            problems.require(case, case_col)
            activity = text(named, activity_col)
            problems.require(activity, activity_col)
            coded = pc.fill_null(pc.match_substring_regex(activity, r"^\d+$"), False)
            name = pc.if_else(coded, mapped(activity, CODES), pc.utf8_lower(activity))
            unknown = pc.and_(pc.is_valid(activity), pc.is_null(mapped(name, _NAMES)))
            if first:
                _check_activities(ctx.path, activity, unknown, activity_col)
                if swap is None:
                    known = pc.and_(pc.is_valid(activity), pc.invert(unknown))
                    swap = _is_swapped_copy(header, activity, known)
                first = False
            problems.add(
                unknown,
                activity_col,
                "not a known activity (a code 0-13 or a name such as Resolve ticket)",
                activity,
            )
            stamp = text(named, time_col)
            problems.require(stamp, time_col)
            at = iso_times(_unswap(stamp) if swap else stamp, time_col, zone, problems)

            ok = problems.ok
            row_numbers = np.asarray(rows)
            events = _events(
                ctx,
                name=name,
                case=case,
                at=at,
                rows=row_numbers,
                resource=text(named, "resource"),
            )
            good = keep(events, ok)
            rollup.add(
                good["ticket_id"],
                good["at"],
                row_numbers[ok],
                {"status": good["status"], "first_activity": keep({"a": name}, ok)["a"]},
            )
            yield Chunk(
                tables={"events": raw_rows(good, row_numbers[ok])},
                rejects=unreadable + problems.rejects(),
                rows_read=table.num_rows + len(unreadable),
            )
        yield _tickets(ctx, rollup.finish())


_NAMES = {name: name for name in BY_NAME}


def _header(path: Path, columns: list[str]) -> tuple[str, str, str]:
    for header in HEADERS:
        if set(header) <= set(columns):
            return header
    require(path, columns, HEADERS[0], "a helpdesk log")
    return HEADERS[0]  # not reached: require raised


def _is_swapped_copy(header: tuple[str, str, str], activity: pa.Array, known: pa.Array) -> bool:
    """Only the fau-is copy (``case_id;activity;timestamp`` with activities coded 0-13,
    none named) has day and month swapped; any other layout's dates are read as written
    (ISO 8601 is never reinterpreted)."""
    if header != HEADERS[0]:
        return False
    code = pc.is_in(activity, value_set=pa.array(list(CODES)))
    named = pc.and_(known, pc.invert(code))
    return bool(pc.any(code).as_py()) and not pc.any(named).as_py()


def _check_activities(path: Path, activity: pa.Array, unknown: pa.Array, column: str) -> None:
    """A process log none of whose activities (in the first chunk) is one of the Helpdesk
    log's is another log: say how to import it instead of rejecting every row."""
    known = pc.and_(pc.is_valid(activity), pc.invert(unknown))
    if pc.any(pc.is_valid(activity)).as_py() and not pc.any(known).as_py():
        first = pc.drop_null(activity)[0].as_py()
        raise UnknownFormat(
            path,
            f"the {column!r} column holds activities such as {first!r}, none of them the "
            "Helpdesk log's (codes 0-13 or names such as Resolve ticket): describe this log "
            'with a mapping file (format = "event_log", see docs/formats.md, "Event logs '
            'with a mapping file") and pass it with --mapping',
        )


def _swap_option(ctx: Context) -> bool | None:
    given = ctx.params.get("swap_day_month")
    if given is None:
        return None
    if given.lower() not in SWAP:
        raise ConfigError(f"--option swap_day_month={given}: write yes or no")
    return SWAP[given.lower()]


def _unswap(stamp: pa.Array) -> pa.Array:
    """``2010-04-01 …`` → ``2010-01-04 …`` where the day is 12 or less (an ambiguous
    day/month that was read month-first); other values are left as they are."""

    def part(start: int, stop: int | None = None) -> pa.Array:
        return pc.utf8_slice_codeunits(stamp, start, stop if stop is not None else 1 << 30)

    dated = pc.fill_null(pc.match_substring_regex(stamp, r"^\d{4}-\d\d-\d\d"), False)
    day = part(8, 10)
    swapped = join(part(0, 5), day, "-", part(5, 7), part(10))
    return pc.if_else(pc.and_(dated, pc.less_equal(day, "12")), swapped, stamp)


def _column(name: pa.Array, attr: str, type_: pa.DataType) -> pa.Array:
    table = {key: getattr(a, attr) for key, a in BY_NAME.items()}
    keys = pa.array(list(table), pa.string())
    return pc.take(pa.array(list(table.values()), type_), pc.index_in(name, value_set=keys))


def _events(
    ctx: Context,
    *,
    name: pa.Array,
    case: pa.Array,
    at: pa.Array,
    rows: np.ndarray,
    resource: pa.Array,
) -> dict[str, pa.Array]:
    ticket = ns(ctx.source, case)
    kind = _column(name, "kind", pa.string())
    actor_type = _column(name, "actor", pa.string())
    is_agent = pc.fill_null(pc.equal(actor_type, "agent"), False)
    agent = pc.if_else(is_agent, ns(ctx.source, resource), pa.scalar(None, pa.string()))
    titles = {key: a.name for key, a in BY_NAME.items()}
    return {
        "event_id": join(ticket, "-", pa.array(rows).cast(pa.string())),
        "ticket_id": ticket,
        "at": at,
        "kind": kind,
        "actor_type": actor_type,
        "actor_id": agent,
        "public": _column(name, "public", pa.bool_()),
        "status": _column(name, "status", pa.string()),
        "agent_id": pc.if_else(pc.equal(kind, "assign"), agent, pa.scalar(None, pa.string())),
        "body": mapped(name, titles),
    }


def _tickets(ctx: Context, found: pa.Table) -> Chunk:
    """Tickets from the roll-up, plus a ``created`` event where the log has none."""
    n = found.num_rows
    ticket = found["ticket"].combine_chunks()
    rows = found["first_row"].combine_chunks()
    tickets = {
        "ticket_id": ticket,
        "source": const(ctx.source, n),
        "external_id": pc.utf8_slice_codeunits(ticket, len(ctx.source) + 1),
        "created_at": found["first_at"].combine_chunks(),
        "updated_at": found["last_at"].combine_chunks(),
        "status": pc.fill_null(found["status"].combine_chunks(), "new"),
    }
    missing = pc.invert(pc.fill_null(pc.equal(found["first_activity"], CREATED), False))
    created = keep(
        {
            "event_id": join(ticket, "-created"),
            "ticket_id": ticket,
            "at": found["first_at"].combine_chunks(),
            "kind": const("created", n),
            "actor_type": const("system", n),
            "public": const(True, n, pa.bool_()),
            "status": const("new", n),
        },
        missing,
    )
    return Chunk(
        tables={
            "tickets": raw_rows(tickets, rows),
            "events": raw_rows(created, pc.filter(rows, missing)),
        }
    )


FORMATS = [HelpdeskLog()]
