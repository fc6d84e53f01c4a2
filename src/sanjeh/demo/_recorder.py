"""Collect events as column arrays, then order them and read off each ticket's state.

The simulation adds events phase by phase for many tickets at once; ``Events``
sorts them per ticket by time (ties keep the order they were added in, so a
reply comes before the status change it causes) and cuts at the period's end.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._const import K_ASSIGN, K_ESCALATE, K_MERGE, K_PRIORITY, K_STATUS, S_NEW, S_OPEN

_FIELDS = {
    "tix": np.int32,  # ticket index within the chunk
    "at": np.int64,  # UTC seconds
    "step": np.int32,  # order of addition, breaks ties in time
    "kind": np.int8,
    "actor_type": np.int8,
    "actor": np.int32,  # customer index (customers) or agent index (agents, bots); -1 system
    "public": np.bool_,
    "status": np.int8,
    "priority": np.int8,
    "team": np.int8,
    "agent": np.int32,
    "tier": np.int8,
    "merged": np.int64,  # global ticket index of the merge target
    "role": np.int8,  # message role (text recipe), -1 for non-messages
    "flags": np.int16,
    "mood": np.int8,  # customer mood when the message was written
}


class Recorder:
    def __init__(self) -> None:
        self._parts: dict[str, list[np.ndarray]] = {name: [] for name in _FIELDS}
        self._step = 0

    def add(
        self,
        tix: np.ndarray,
        at: np.ndarray,
        kind: int,
        actor_type: np.ndarray | int,
        actor: np.ndarray | int = -1,
        **values: np.ndarray | int | bool,
    ) -> None:
        n = len(tix)
        if n == 0:
            return
        given = {"tix": tix, "at": at, "kind": kind, "actor_type": actor_type, "actor": actor}
        given.update(values)
        defaults = {"public": True, "role": -1, "flags": 0, "mood": -1, "merged": -1}
        for name, dtype in _FIELDS.items():
            col: np.ndarray
            if name == "step":
                col = np.full(n, self._step, dtype=dtype)
            else:
                value = given.get(name, defaults.get(name, -1))
                col = np.broadcast_to(np.asarray(value, dtype=dtype), (n,))
            self._parts[name].append(col)
        self._step += 1

    def build(self, end: int) -> Events:
        cols = {name: np.concatenate(parts) for name, parts in self._parts.items()}
        keep = cols["at"] < end
        order = np.lexsort((cols["step"], cols["at"], cols["tix"]))
        order = order[keep[order]]
        return Events({name: col[order] for name, col in cols.items()})


@dataclasses.dataclass
class Events:
    """Events of one chunk, sorted by ticket then time; every column an array."""

    cols: dict[str, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def __len__(self) -> int:
        return len(self.cols["tix"])

    def seq(self) -> np.ndarray:
        """1-based position of each event within its ticket."""
        tix = self.cols["tix"]
        starts = np.r_[0, np.flatnonzero(tix[1:] != tix[:-1]) + 1]
        counts = np.diff(np.r_[starts, len(tix)])
        return np.arange(len(tix)) - np.repeat(starts, counts) + 1

    def _ends(self, mask: np.ndarray, first: bool) -> tuple[np.ndarray, np.ndarray]:
        """(ticket, row) of the first or last row per ticket among ``mask`` rows."""
        rows = np.flatnonzero(mask)
        tix = self.cols["tix"][rows]
        if first:
            keep = np.r_[True, tix[1:] != tix[:-1]] if len(rows) else np.zeros(0, bool)
        else:
            keep = np.r_[tix[1:] != tix[:-1], True] if len(rows) else np.zeros(0, bool)
        return tix[keep], rows[keep]

    def last(self, n: int, mask: np.ndarray, column: str, missing: int = -1) -> np.ndarray:
        """Per ticket, ``column`` of the last event where ``mask`` holds (else ``missing``)."""
        tix, rows = self._ends(mask, first=False)
        out = np.full(n, missing, dtype=np.int64)
        out[tix] = self.cols[column][rows]
        return out

    def first_at(self, n: int, mask: np.ndarray) -> np.ndarray:
        """Per ticket, the time of the first event where ``mask`` holds (else -1)."""
        tix, rows = self._ends(mask, first=True)
        out = np.full(n, -1, dtype=np.int64)
        out[tix] = self.cols["at"][rows]
        return out

    def count(self, n: int, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.cols["tix"][mask], minlength=n)

    def state(self, n: int) -> dict[str, np.ndarray]:
        """The final state of each ticket, as the tickets table mirrors it."""
        kind = self.cols["kind"]
        status = self.last(n, kind == K_STATUS, "status")
        assigned = self.last(n, kind == K_ASSIGN, "at") >= 0
        status = np.where(status >= 0, status, np.where(assigned, S_OPEN, S_NEW))
        staffing = (kind == K_ASSIGN) | (kind == K_ESCALATE)
        updated = self.last(n, np.ones(len(self), dtype=bool), "at")
        return {
            "status": status,
            "agent": self.last(n, (kind == K_ASSIGN) & (self.cols["agent"] >= 0), "agent"),
            "team": self.last(n, staffing & (self.cols["team"] >= 0), "team"),
            "priority": self.last(n, self.cols["priority"] >= 0, "priority"),
            "merged": self.last(n, kind == K_MERGE, "merged"),
            "updated": updated,
            "priority_changed": self.last(n, kind == K_PRIORITY, "at") >= 0,
        }
