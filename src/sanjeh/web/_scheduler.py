"""Scheduled reports run by the server (``[[schedules]]``; docs/live.md).

The background refresh loop calls :meth:`Scheduler.check` after each refresh (a task on
``source.periodic``); at most every ``check_seconds`` it asks the store which schedules
are due (a small read) and hands those to a thread of their own, so neither the facts'
refresh nor a request waits for a report to be computed or for a webhook to answer.
Reports read the facts under the source's read gate, as requests do.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable

from fastapi import FastAPI

from ..report import Schedule, ScheduledRun, due, last_success, load_schedules, run_schedule
from ..settings import Settings
from ._source import Source

log = logging.getLogger("sanjeh.web")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Scheduler:
    """Runs the due schedules of one store (see the module docstring)."""

    def __init__(
        self,
        source: Source,
        schedules: tuple[Schedule, ...],
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        check_seconds: float = 30.0,
    ) -> None:
        self.source = source
        self.schedules = schedules
        self.clock = clock
        self.check_seconds = check_seconds
        self._checked = -math.inf
        self._worker: threading.Thread | None = None
        self._running = threading.Lock()  # one round of runs at a time

    def due_now(self, now: dt.datetime | None = None) -> list[Schedule]:
        now = now or self.clock()
        store = self.source.store
        return [s for s in self.schedules if due(s, last_success(store, s), now)]

    def tick(self, now: dt.datetime | None = None) -> list[ScheduledRun]:
        """Run every due schedule now, in this thread; the runs made."""
        with self._running:
            now = now or self.clock()
            return [self._run(s, now) for s in self.due_now(now)]

    def _run(self, schedule: Schedule, now: dt.datetime) -> ScheduledRun:
        source = self.source
        run = run_schedule(
            source.store, source.config, schedule, now, ensure=False, reading=source.gate.read
        )
        if run.ok:
            log.info("scheduled report %s: %s delivered", schedule.name, run.period.label)
        return run

    def check(self) -> None:
        """The periodic task: start a round of due runs in the background, unless one is
        still going or the last check was under ``check_seconds`` ago."""
        if not self.schedules or time.monotonic() - self._checked < self.check_seconds:
            return
        if self._worker is not None and self._worker.is_alive():
            return
        self._checked = time.monotonic()
        if not self.due_now():
            return
        self._worker = threading.Thread(target=self._round, name="sanjeh-schedules", daemon=True)
        self._worker.start()

    def _round(self) -> None:
        try:
            self.tick()
        except Exception:  # (run_schedule logs its own failures; this is the store's)
            log.exception("scheduled reports could not run")

    def stop(self, timeout: float = 60.0) -> None:
        """Let a round that is running finish (before the store closes)."""
        if self._worker is not None:
            self._worker.join(timeout)


def register_scheduler(app: FastAPI, settings: Settings) -> Scheduler:
    """``app.state.scheduler`` over the configured schedules, checked on the background
    loop (a ConfigError in ``[[schedules]]`` stops the server starting)."""
    source: Source = app.state.source
    scheduler = Scheduler(source, load_schedules(settings, source.config))
    app.state.scheduler = scheduler
    source.periodic.append(scheduler.check)
    for schedule in scheduler.schedules:
        log.info("scheduled report %s: %s", schedule.name, schedule.spec.every)
    return scheduler
