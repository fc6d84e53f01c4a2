"""The timeline of ServiceNow incidents from their update rows (``servicenow.py``).

Rows come sorted by incident, time, ``sys_mod_count`` and file row. Every update is a
status event with the incident's state at that moment (an update in the Resolved
state moves ServiceNow's ``resolved_at``, so the last one is the resolution). The
documented counters decide what the order of rows cannot:

- **reopens** are the rises of ``reopen_count`` ("times the resolution was rejected by
  the caller"). An update that shows an unresolved state after a resolution while the
  counter did not rise is logged out of order; it becomes an ``other`` event and the
  incident stays resolved. A rise the states do not show (the resolution or the
  reopening is missing from the log) gets the missing status events at that update,
  so the facts count exactly one reopen per rise.
- **escalations** follow the ``escalation`` option: each rise of
  ``reassignment_count``, each change of ``assignment_group``, or none.

State is carried across chunks (one small entry per incident), so the rows of an
incident spread over chunks must come in time order, as the published log has them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._helpers import const, join, keep, stack

SOLVED = ("solved", "closed")
UNSOLVED = ("new", "open", "pending", "on_hold")
ESCALATIONS = ("reassignment", "group", "none")
#: what is remembered of an incident between chunks
CARRY = ("status", "solved", "reopens", "reassignments", "team", "agent", "priority")
_NONE = np.array(None, dtype=object)


def _present(values: np.ndarray) -> np.ndarray:
    return np.not_equal(values, _NONE)


def _among(values: pa.Array, choices: tuple[str, ...]) -> np.ndarray:
    return np.asarray(pc.is_in(values, value_set=pa.array(choices)), dtype=bool)


def _group_index(start: np.ndarray) -> np.ndarray:
    """For each row, the number of its incident within the chunk (0, 1, …)."""
    return np.cumsum(start) - 1


def _previous(values: np.ndarray, start: np.ndarray, before: np.ndarray) -> np.ndarray:
    """The value of the row before, within an incident; ``before`` for its first row."""
    prev = np.empty_like(values)
    prev[1:] = values[:-1]
    prev[start] = before
    return prev


def _forward_fill(
    values: np.ndarray, known: np.ndarray, start: np.ndarray, before: np.ndarray
) -> np.ndarray:
    """Unknown values take the last known one above them in the same incident, else
    ``before`` (the incident's carried value)."""
    idx = np.arange(len(values))
    last = np.maximum.accumulate(np.where(known, idx, -1))
    first = np.maximum.accumulate(np.where(start, idx, 0))
    inherited = before[_group_index(start)]
    return np.where(last >= first, values[np.maximum(last, 0)], inherited)


def _latest_flag(
    set_: np.ndarray, reset: np.ndarray, start: np.ndarray, before: np.ndarray
) -> np.ndarray:
    """A flag after each row: True after a ``set_`` row, False after a ``reset`` row,
    else as before (the incident's carried flag for rows before either)."""
    idx = np.arange(len(set_))
    first = np.maximum.accumulate(np.where(start, idx, 0))
    last_set = np.maximum.accumulate(np.where(set_, idx, -1))
    last_reset = np.maximum.accumulate(np.where(reset, idx, -1))
    decided = (last_set >= first) | (last_reset >= first)
    return np.where(decided, last_set > last_reset, before[_group_index(start)])


def changes(
    good: pa.Table, carry: dict[str, dict[str, Any]], escalation: str
) -> dict[str, pa.Array]:
    """Events of one chunk's sorted rows; updates ``carry`` (each incident's state after
    its last row, including its status)."""
    n = good.num_rows
    g = {name: good[name].combine_chunks() for name in good.column_names}
    number = g["number"].to_numpy(zero_copy_only=False)
    start = np.r_[True, number[1:] != number[:-1]] if n else np.zeros(0, bool)
    firsts = number[start]
    defaults: dict[str, Any] = {"solved": False, "reopens": 0.0, "reassignments": 0.0}
    before = {
        k: np.array(
            [carry.get(s, {}).get(k, defaults.get(k)) for s in firsts],
            dtype=bool if k == "solved" else float if k in defaults else object,
        )
        for k in CARRY
    }

    def numbers(name: str, carried: str) -> tuple[np.ndarray, np.ndarray]:
        """A counter forward-filled over missing values, and its rise at each row."""
        values = pc.cast(g[name], pa.float64()).to_numpy(zero_copy_only=False)
        filled = _forward_fill(values, ~np.isnan(values), start, before[carried])
        rise = filled - _previous(filled, start, before[carried])
        return filled, np.maximum(np.nan_to_num(rise), 0).astype(np.int64)

    reopens, reopen_rise = numbers("reopen_count", "reopens")
    reassignments, reassign_rise = numbers("reassignment_count", "reassignments")

    status = g["status"].to_numpy(zero_copy_only=False)
    solved_now = _among(g["status"], SOLVED)
    unsolved_now = _among(g["status"], UNSOLVED)
    solved = _latest_flag(solved_now, (reopen_rise > 0) & ~solved_now, start, before["solved"])
    solved_before = _previous(solved, start, before["solved"])
    out_of_order = unsolved_now & solved_before & (reopen_rise == 0)
    accepted = _present(status) & ~out_of_order
    # after a reopening at a row without a known state, the incident is open
    reopened = np.where(reopen_rise > 0, np.array("open", dtype=object), _NONE)
    row_status = np.where(accepted, status, reopened)
    status_after = _forward_fill(row_status, _present(row_status), start, before["status"])

    team = g["team_id"].to_numpy(zero_copy_only=False)
    agent = g["agent_id"].to_numpy(zero_copy_only=False)
    priority = g["priority"].to_numpy(zero_copy_only=False)
    priority_known = _forward_fill(priority, _present(priority), start, before["priority"])
    team_known = _forward_fill(team, _present(team), start, before["team"])
    prev = {
        "team": _previous(team, start, before["team"]),
        "agent": _previous(agent, start, before["agent"]),
        "priority": _previous(priority_known, start, before["priority"]),
        "team_known": _previous(team_known, start, before["team"]),
    }
    seen = np.array([s in carry for s in firsts], dtype=bool)  # a row in an earlier chunk?
    had_row = ~start | seen[_group_index(start)]
    # the first row assigns whoever it names; later rows when the group or person changes
    assign = (team != prev["team"]) | (agent != prev["agent"])
    priority_change = had_row & _present(priority) & (priority != prev["priority"])
    escalate = _escalations(escalation, reassign_rise, had_row, team, prev["team_known"])

    for i in np.r_[np.flatnonzero(start)[1:] - 1, n - 1] if n else []:
        carry[number[i]] = {
            "status": status_after[i],
            "solved": bool(solved[i]),
            "reopens": reopens[i],
            "reassignments": reassignments[i],
            "team": team[i],
            "agent": agent[i],
            "priority": priority_known[i],
        }

    prefix = join(g["ticket_id"], "-", g["order"])
    common = {
        "ticket_id": g["ticket_id"],
        "at": g["at"],
        "actor_type": const("agent", n),
        "actor_id": g["updated_by"],
        "_row": g["row"],
    }

    def event(suffix: str, kind: str, mask: np.ndarray, **more: pa.Array) -> dict[str, pa.Array]:
        columns = {
            **common,
            "event_id": join(prefix, suffix),
            "kind": const(kind, n),
            "public": const(kind == "status", n, pa.bool_()),
            **more,
        }
        return keep(columns, mask)

    body = g["state"]
    parts = [
        event("-s", "status", accepted, status=g["status"], body=body),
        event(
            "-other",
            "other",
            ~accepted,
            body=pc.if_else(
                pa.array(out_of_order),
                join(
                    body, " (out of order: the incident was resolved and reopen_count did not rise)"
                ),
                body,
            ),
        ),
        event("-assign", "assign", assign, team_id=g["team_id"], agent_id=g["agent_id"]),
        event("-priority", "priority", priority_change, priority=g["priority"]),
        *_repeated(event, "escalate", escalate, team_id=g["team_id"], body=_why(escalation, g)),
        *_reopenings(event, reopen_rise, solved_before, unsolved_now, n),
    ]
    return stack(parts)


def _escalations(
    escalation: str,
    reassign_rise: np.ndarray,
    had_row: np.ndarray,
    team: np.ndarray,
    team_before: np.ndarray,
) -> np.ndarray:
    """How many escalations each row is: a rise of reassignment_count counts its size;
    a change of group (not the first one an incident gets) counts one."""
    if escalation == "reassignment":
        return reassign_rise
    if escalation == "group":
        moved = had_row & _present(team) & _present(team_before) & (team != team_before)
        return moved.astype(np.int64)
    return np.zeros(len(team), np.int64)


def _why(escalation: str, g: dict[str, pa.Array]) -> pa.Array:
    if escalation == "group":
        return join("assignment group changed to ", g["team_name"])
    return join("reassigned (reassignment_count ", g["reassignment_count"].cast(pa.string()), ")")


def _repeated(event: Any, kind: str, times: np.ndarray, **more: pa.Array) -> list[dict]:
    """``times[i]`` events of ``kind`` at row i (suffixes -e01, -e02 …)."""
    return [
        event(f"-e{k:02d}", kind, times >= k, **more)
        for k in range(1, int(times.max(initial=0)) + 1)
    ]


def _reopenings(
    event: Any, rise: np.ndarray, solved_before: np.ndarray, unsolved_now: np.ndarray, n: int
) -> list[dict]:
    """The status events a rise of ``reopen_count`` needs beyond the row's own state:
    for the j-th of k reopenings, a resolution (unless the incident was resolved before
    the row, for the first) and a reopening (unless the row's own unresolved state is
    it, for the last). Suffixes sort before the row's own status event (-s)."""
    parts = []
    for j in range(1, int(rise.max(initial=0)) + 1):
        here = rise >= j
        resolve = here & ((j > 1) | ~solved_before)
        reopen = here & ((j < rise) | ~unsolved_now)
        parts.append(
            event(
                f"-r{j:02d}a",
                "status",
                resolve,
                status=const("solved", n),
                body=const("resolved (not in the log; reopen_count rose)", n),
            )
        )
        parts.append(
            event(
                f"-r{j:02d}b",
                "status",
                reopen,
                status=const("open", n),
                body=const("reopened: the caller rejected the resolution (reopen_count)", n),
            )
        )
    return parts
