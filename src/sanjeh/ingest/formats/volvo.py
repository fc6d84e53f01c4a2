"""Volvo IT incident log (BPI Challenge 2013) → ``events``, ``tickets``, ``teams``, ``agents``.

One row per change of a service request (SR): status / sub-status, the support team
(``Involved ST``) at level L1 / L2 / L3, the person working on it (``Resource``) and
the impact. A row becomes a ``status`` event when the status changes, an ``assign``
event when the person or team changes, ``escalate`` when the level rises and
``priority`` when the impact changes; tickets are derived at the end of the file.

Changes are found by comparing a row with the previous row of the same SR in time
order. Within one chunk (``chunk_rows``) the rows may come in any order; across
chunks the last state of each SR is carried (a small map, one entry per SR), so rows
of one SR spread over a file bigger than a chunk must come in time order — as they
do in the published log, which is grouped by SR and sorted by time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._rows import Chunk
from ._base import ColumnsFormat, Context
from ._helpers import (
    NewOnly,
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
    stack,
    text,
    zone_for,
)

REQUIRED = (
    *("SR Number", "Change Date+Time", "Status", "Sub Status", "Involved ST", "ST Level"),
    *("SR Latest Impact", "Product", "Resource"),
)
USED = {c.lower() for c in REQUIRED} | {"owner first name"}
DISTINCT = frozenset({"sr number", "change date+time", "sub status", "st level", "involved st"})
#: (status, sub status) → canonical status; see docs/formats.md for the reasoning
STATUSES = {
    "accepted/in progress": "open",
    "accepted/assigned": "open",
    "queued/awaiting assignment": "open",
    "accepted/wait - user": "pending",
    "accepted/wait - customer": "pending",
    "accepted/wait": "on_hold",
    "accepted/wait - implementation": "on_hold",
    "accepted/wait - vendor": "on_hold",
    "completed/resolved": "solved",
    "completed/in call": "solved",
    "completed/closed": "closed",
    "completed/cancelled": "closed",
}
BY_STATUS = {"accepted": "open", "queued": "open", "completed": "solved"}
IMPACTS = {"low": "low", "medium": "normal", "high": "high", "major": "urgent"}
#: the CRM itself (it closes SRs automatically), not a person
SYSTEM_RESOURCES = {"siebel"}
STATE = ("status", "tier", "agent", "team", "priority")
_NONE = np.array(None, dtype=object)


class Volvo(ColumnsFormat):
    name = "volvo"
    title = "Volvo IT incident log (BPI Challenge 2013)"
    default_source = "volvo"
    tables = ("events", "tickets", "teams", "agents")

    distinct = DISTINCT
    used = USED

    def read(self, ctx: Context) -> Iterator[Chunk]:
        zone = zone_for(ctx)  # the published log writes an offset on every time
        carry: dict[str, dict[str, Any]] = {}  # SR → its state after the last row read
        rollup = Rollup(
            {
                "status": "last",
                "team_id": "last",
                "agent_id": "last",
                "priority": "last",
                "category": "last",
                "first_agent": "first",
            }
        )
        new_teams, new_agents = NewOnly("team_id"), NewOnly("agent_id")
        checked = False
        for table, rows, unreadable in ctx.raw():
            named = by_lower_name(table)
            if not checked:
                require(ctx.path, table.column_names, REQUIRED, "Volvo incident rows")
                checked = True
            problems = Problems(table, rows, ctx.times)
            state = _state(ctx, named, problems, zone)
            state["row"] = pa.array(np.asarray(rows), pa.int64())
            good = pa.table(keep(state, problems.ok)).sort_by(
                [("sr", "ascending"), ("at", "ascending"), ("row", "ascending")]
            )
            events = _changes(good, carry)
            g = {name: good[name].combine_chunks() for name in good.column_names}
            rollup.add(
                g["ticket_id"],
                g["at"],
                g["row"],
                {
                    **{c: g[c] for c in ("status", "team_id", "agent_id", "priority", "category")},
                    "first_agent": g["agent_id"],
                },
            )
            n = good.num_rows
            teams = new_teams(
                {
                    "team_id": g["team_id"],
                    "source": const(ctx.source, n),
                    "name": g["team"],
                    "tier": g["tier"],
                },
                g["row"],
            )
            agents = new_agents(
                {
                    "agent_id": g["agent_id"],
                    "source": const(ctx.source, n),
                    "name": g["owner"],
                    "is_bot": const(False, n, pa.bool_()),
                },
                g["row"],
            )
            tables = {"events": raw_rows(events, events.pop("_row"))} if events else {}
            tables.update({k: v for k, v in (("teams", teams), ("agents", agents)) if v})
            yield Chunk(
                tables=tables,
                rejects=unreadable + problems.rejects(),
                rows_read=table.num_rows + len(unreadable),
            )
        yield _tickets(ctx, rollup.finish())


def _state(ctx: Context, named: pa.Table, problems: Problems, zone: str) -> dict[str, pa.Array]:
    """Each row's validated values, before comparing it with the previous row."""
    sr = text(named, "sr number")
    problems.require(sr, "SR Number")
    stamp = text(named, "change date+time")
    problems.require(stamp, "Change Date+Time")
    at = iso_times(stamp, "Change Date+Time", zone, problems)
    status_text, sub_text = text(named, "status"), text(named, "sub status")
    problems.require(status_text, "Status")
    both = join(pc.utf8_lower(status_text), "/", pc.utf8_lower(pc.fill_null(sub_text, "")))
    status = pc.coalesce(mapped(both, STATUSES), mapped(status_text, BY_STATUS))
    level = text(named, "st level")
    tier = pc.cast(pc.struct_field(pc.extract_regex(level, r"^[Ll](?P<n>\d)"), "n"), pa.int64())
    # "L2/L3" is a team working at both levels: count it as the lower one
    problems.add(
        pc.and_(pc.is_valid(level), pc.is_null(tier)),
        "ST Level",
        "not a support level such as L1, L2 or L3",
        level,
    )
    impact = text(named, "sr latest impact")
    problems.unknown(impact, IMPACTS, "SR Latest Impact")
    resource, owner = text(named, "resource"), text(named, "owner first name")
    # Kleene "or": a "Siebel" owner marks the system also when the resource is empty
    system = pc.or_kleene(
        pc.is_in(pc.utf8_lower(owner), value_set=pa.array(sorted(SYSTEM_RESOURCES))),
        pc.match_substring_regex(pc.utf8_lower(resource), r"-siebel$"),
    )
    system = pc.fill_null(system, False)
    team = text(named, "involved st")
    return {
        "sr": sr,
        "ticket_id": ns(ctx.source, sr),
        "at": at,
        "status": status,
        "body": join(status_text, " / ", pc.fill_null(sub_text, "")),
        "tier": tier,
        "team": team,
        "team_id": ns(ctx.source, team),
        "agent_id": pc.if_else(system, pa.scalar(None, pa.string()), ns(ctx.source, resource)),
        "owner": owner,
        "system": system,
        "priority": mapped(impact, IMPACTS),
        "category": text(named, "product"),
    }


def _present(values: np.ndarray) -> np.ndarray:
    return np.not_equal(values, _NONE)


def _previous(values: np.ndarray, start: np.ndarray, before: np.ndarray) -> np.ndarray:
    """The value of the row before, within an SR; ``before`` for each SR's first row."""
    prev = np.empty_like(values)
    prev[1:] = values[:-1]
    prev[start] = before
    return prev


def _forward_fill(values: np.ndarray, start: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Nulls take the last value above them in the same SR (else ``before``)."""
    idx = np.arange(len(values))
    last = np.maximum.accumulate(np.where(_present(values), idx, -1))
    group = np.maximum.accumulate(np.where(start, idx, 0))
    inherited = before[np.cumsum(start) - 1]
    return np.where(last >= group, values[np.maximum(last, 0)], inherited)


def _changes(good: pa.Table, carry: dict[str, dict[str, Any]]) -> dict[str, pa.Array]:
    """Events for the rows of one chunk, sorted by SR and time; updates ``carry``."""
    n = good.num_rows
    if n == 0:
        return {}
    g = {name: good[name].combine_chunks() for name in good.column_names}
    sr = g["sr"].to_numpy(zero_copy_only=False)
    start = np.r_[True, sr[1:] != sr[:-1]]
    firsts = sr[start]
    seen = np.r_[[s in carry for s in firsts]]  # has the SR a row in an earlier chunk?
    before = {
        k: np.array(
            [carry.get(s, {}).get(k) for s in firsts], dtype=float if k == "tier" else object
        )
        for k in STATE
    }
    tier = pc.cast(g["tier"], pa.float64()).to_numpy(zero_copy_only=False)
    now = {
        "status": g["status"].to_numpy(zero_copy_only=False),
        "tier": tier,
        "team": g["team_id"].to_numpy(zero_copy_only=False),
        "priority": g["priority"].to_numpy(zero_copy_only=False),
        # rows written by the system keep the person the SR was with
        "agent": _forward_fill(
            g["agent_id"].to_numpy(zero_copy_only=False), start, before["agent"]
        ),
    }
    prev = {k: _previous(now[k], start, before[k]) for k in STATE}
    had_row = ~start | seen[np.cumsum(start) - 1]
    known = _present(now["status"])
    masks = {
        "status": known & (now["status"] != prev["status"]),
        "other": ~known,
        "assign": _present(now["agent"])
        & ((now["agent"] != prev["agent"]) | (now["team"] != prev["team"])),
        "escalate": had_row & (now["tier"] > prev["tier"]),
        "priority": had_row & _present(now["priority"]) & (now["priority"] != prev["priority"]),
    }
    for i in np.r_[np.flatnonzero(start)[1:] - 1, n - 1]:
        carry[sr[i]] = {k: now[k][i] for k in STATE}

    system = g["system"]
    agent = pa.array(now["agent"], pa.string())
    ticket = g["ticket_id"]
    row_text = g["row"].cast(pa.string())
    common = {
        "ticket_id": ticket,
        "at": g["at"],
        "actor_type": pc.if_else(system, "system", "agent"),
        "actor_id": pc.if_else(system, pa.scalar(None, pa.string()), agent),
        "tier": g["tier"],
        "_row": g["row"],
    }
    per_kind: dict[str, dict[str, pa.Array]] = {
        "status": {"status": g["status"], "body": g["body"]},
        "other": {"body": g["body"]},
        "assign": {"team_id": g["team_id"], "agent_id": agent},
        "escalate": {"team_id": g["team_id"]},
        "priority": {"priority": g["priority"]},
    }
    parts = []
    for kind, mask in masks.items():
        columns = {
            **common,
            "event_id": join(ticket, "-", row_text, f"-{kind}"),
            "kind": const(kind, n),
            "public": const(kind == "status", n, pa.bool_()),
            **per_kind[kind],
        }
        parts.append(keep(columns, mask))
    return stack(parts)


def _tickets(ctx: Context, found: pa.Table) -> Chunk:
    n = found.num_rows
    ticket = found["ticket"].combine_chunks()
    first_agent = found["first_agent"].combine_chunks()
    created = {
        "event_id": join(ticket, "-created"),
        "ticket_id": ticket,
        "at": found["first_at"].combine_chunks(),
        "kind": const("created", n),
        "actor_type": pc.if_else(pc.is_valid(first_agent), "agent", "system"),
        "actor_id": first_agent,
        "public": const(True, n, pa.bool_()),
    }
    tickets = {
        "ticket_id": ticket,
        "source": const(ctx.source, n),
        "external_id": pc.utf8_slice_codeunits(ticket, len(ctx.source) + 1),
        "created_at": found["first_at"].combine_chunks(),
        "updated_at": found["last_at"].combine_chunks(),
        **{c: found[c].combine_chunks() for c in ("status", "team_id", "agent_id", "priority")},
        "category": found["category"].combine_chunks(),
    }
    rows = found["first_row"].combine_chunks()
    return Chunk(tables={"tickets": raw_rows(tickets, rows), "events": raw_rows(created, rows)})


FORMATS = [Volvo()]
