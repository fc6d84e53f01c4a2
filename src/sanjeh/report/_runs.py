"""Scheduled report runs as the store remembers them (the ``report_runs`` table).

One row per schedule and period reported, replaced by a retry or a run by hand, so the
server knows after a restart which closed periods it has delivered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import ibis

from ..store import Store

TABLE = "report_runs"


@dataclasses.dataclass(frozen=True)
class Period:
    """A closed period of local days: ``start`` … the day before ``end``."""

    kind: str  # day | week | month
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """As a report's ``period`` column shows it (a week by its first day)."""
        return self.start.strftime("%Y-%m") if self.kind == "month" else self.start.isoformat()


@dataclasses.dataclass(frozen=True)
class ScheduledRun:
    """One run of a schedule: what it reported, where it went, and how it ended."""

    schedule: str
    period: Period
    #: the scheduled time it stands for (UTC; a run by hand: when it ran)
    slot: dt.datetime
    manual: bool
    status: str  # ok | failed
    attempts: int
    rows: int | None
    file: Path | None
    webhook_status: int | None
    error: str | None
    started_at: dt.datetime
    finished_at: dt.datetime

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def run_id(self) -> str:
        return run_id(self.schedule, self.period)

    def row(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "schedule": self.schedule,
            "period_kind": self.period.kind,
            "period": self.period.label,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "slot": self.slot,
            "manual": self.manual,
            "status": self.status,
            "attempts": self.attempts,
            "rows": self.rows,
            "file": None if self.file is None else str(self.file),
            "webhook_status": self.webhook_status,
            "error": self.error,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ScheduledRun:
        period = Period(
            row["period_kind"],
            dt.date.fromisoformat(row["period_start"]),
            dt.date.fromisoformat(row["period_end"]),
        )
        return cls(
            schedule=row["schedule"],
            period=period,
            slot=row["slot"],
            manual=bool(row["manual"]),
            status=row["status"],
            attempts=int(row["attempts"]),
            rows=row["rows"],
            file=None if row["file"] is None else Path(row["file"]),
            webhook_status=row["webhook_status"],
            error=row["error"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
        )


def run_id(schedule: str, period: Period) -> str:
    return f"{schedule}/{period.kind}/{period.label}"


def record(store: Store, run: ScheduledRun) -> None:
    with store.lock:
        store.write(TABLE, [run.row()])


def _first(store: Store, where: Any, *order: Any) -> ScheduledRun | None:
    with store.lock:
        t = store.table(TABLE)
        expr = t.filter(where(t)).order_by(*order).limit(1)
        rows = expr.to_pyarrow().to_pylist()
    return ScheduledRun.from_row(rows[0]) if rows else None


def last_success(store: Store, schedule: str) -> ScheduledRun | None:
    """The delivered run of ``schedule`` whose period ends last (what ``due`` compares)."""
    return _first(
        store,
        lambda t: (t.schedule == schedule) & (t.status == "ok"),
        ibis.desc("period_end"),
        ibis.desc("finished_at"),
    )


def last_attempt(store: Store, schedule: str) -> ScheduledRun | None:
    """The run of ``schedule`` that ended last, delivered or not."""
    return _first(store, lambda t: t.schedule == schedule, ibis.desc("finished_at"))


def attempts(store: Store, schedule: str, period: Period) -> int:
    """Attempts made so far for this schedule and period."""
    found = _first(store, lambda t: t.run_id == run_id(schedule, period), ibis.desc("attempts"))
    return 0 if found is None else found.attempts
