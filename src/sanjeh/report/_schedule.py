"""Scheduled reports: ``[[schedules]]`` in sanjeh.toml, run by the server (docs/live.md).

A schedule's timetable (``every``) comes round at local times of the business
calendar's zone (the metrics configuration's default calendar). Each run reports the
last period that had closed by the time it stands for — a daily 07:00 run on Monday
reports Sunday, a weekly one the last whole week (weeks start where the calendar says),
a monthly one the last whole month — never a period still open.

A period is delivered once: ``due`` compares the period the latest time of the
timetable would report with the last delivered one (``report_runs`` in the store), so a
restart neither repeats a run nor skips one; a server that was down over several runs
makes one, for the latest, not a flood. A failed run (the webhook refused or did not
answer) is not delivered: the next check tries again.
"""

from __future__ import annotations

import calendar
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pandas as pd

from .. import metrics
from .._http import DeliveryError
from ..errors import ConfigError, SanjehError
from ..settings import WEEKDAYS, ScheduleSettings, Settings, load_settings, schedule_settings
from ..store import Store
from . import _runs
from ._delivery import post, render, write_file
from ._runs import Period, ScheduledRun

if TYPE_CHECKING:
    from ..metrics import MetricsConfig

log = logging.getLogger("sanjeh.report")
_DAY = dt.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class Schedule:
    """A ``[[schedules]]`` entry with the calendar it runs in."""

    spec: ScheduleSettings
    #: the business calendar's IANA zone: ``every`` and the periods are its local time
    timezone: str
    #: where weeks start (monday … sunday), as in ``sanjeh report --period week``
    week_start: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def file_name(self, period: Period) -> str:
        return f"{self.name}-{period.label}.{self.spec.format}"


def load_schedules(
    settings: Settings | None = None, config: MetricsConfig | None = None
) -> tuple[Schedule, ...]:
    """The configured schedules, checked (KPI and breakdown names too)."""
    settings = settings or load_settings()
    config = config or metrics.MetricsConfig.from_settings(settings)
    timezone = config.all_calendars()[config.default_calendar].timezone
    known = metrics.all_kpis()
    found = []
    for spec in schedule_settings(settings):
        where = f"{settings.config_file or 'sanjeh.toml'}: [[schedules]] {spec.name!r}"
        for kpi in spec.kpis:
            if kpi not in known:
                raise ConfigError(f"{where}: kpis: no KPI {kpi!r}; `sanjeh kpis` lists them")
        for dim in spec.by:
            if dim not in metrics.ALL_DIMENSIONS:
                dims = ", ".join(metrics.ALL_DIMENSIONS)
                raise ConfigError(f"{where}: by: unknown breakdown {dim!r}; use: {dims}")
        found.append(Schedule(spec, timezone, config.week_start))
    return tuple(found)


# -- the timetable ---------------------------------------------------------------------


def _runs_on(schedule: Schedule, day: dt.date) -> bool:
    every = schedule.spec.every
    if every.kind == "weekly":
        return day.weekday() == every.weekday
    if every.kind == "monthly":
        assert every.day is not None
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(every.day, last)
    return True


def _slot(schedule: Schedule, day: dt.date) -> dt.datetime:
    """The run's instant on ``day`` (UTC). A local time a clock change skips runs as
    much later as the clock jumped; one it repeats, at its first occurrence."""
    local = dt.datetime.combine(day, schedule.spec.every.at, tzinfo=schedule.zone)
    return local.astimezone(dt.UTC)


def latest_slot(schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """The last time the timetable came round at or before ``now`` (UTC)."""
    now = now.astimezone(dt.UTC)
    day = now.astimezone(schedule.zone).date()
    for back in range(64):  # (a month and a day, at most)
        candidate = day - back * _DAY
        if _runs_on(schedule, candidate) and _slot(schedule, candidate) <= now:
            return _slot(schedule, candidate)
    raise AssertionError(f"{schedule.spec.every} never came round")  # pragma: no cover


def next_slot(schedule: Schedule, after: dt.datetime) -> dt.datetime:
    """The first time the timetable comes round after ``after`` (UTC)."""
    after = after.astimezone(dt.UTC)
    day = after.astimezone(schedule.zone).date()
    for ahead in range(64):
        candidate = day + ahead * _DAY
        if _runs_on(schedule, candidate) and _slot(schedule, candidate) > after:
            return _slot(schedule, candidate)
    raise AssertionError(f"{schedule.spec.every} never comes round")  # pragma: no cover


def closed_period(schedule: Schedule, moment: dt.datetime) -> Period:
    """The last whole period of the schedule's kind that had ended by ``moment``."""
    day = moment.astimezone(schedule.zone).date()
    kind = schedule.spec.period
    if kind == "day":
        return Period("day", day - _DAY, day)
    if kind == "week":
        current = day - ((day.weekday() - WEEKDAYS.index(schedule.week_start)) % 7) * _DAY
        return Period("week", current - 7 * _DAY, current)
    first = day.replace(day=1)
    return Period("month", (first - _DAY).replace(day=1), first)


def due(schedule: Schedule, last_run: ScheduledRun | None, now: dt.datetime) -> bool:
    """Whether the period the latest run time reports is newer than the last delivered
    one (``last_run``: :func:`last_success`; None: never delivered)."""
    target = closed_period(schedule, latest_slot(schedule, now))
    return last_run is None or target.end > last_run.period.end


def next_run(schedule: Schedule, last_run: ScheduledRun | None, now: dt.datetime) -> dt.datetime:
    """When the schedule runs next (``now`` when it is due): the first run time that
    reports a period after the last delivered one."""
    if due(schedule, last_run, now):
        return now.astimezone(dt.UTC)
    assert last_run is not None
    slot = next_slot(schedule, now)
    while closed_period(schedule, slot).end <= last_run.period.end:  # (a daily weekly report)
        slot = next_slot(schedule, slot)
    return slot


def last_success(store: Store, schedule: Schedule) -> ScheduledRun | None:
    """The delivered run whose period ends last (None: none yet)."""
    return _runs.last_success(store, schedule.name)


def last_attempt(store: Store, schedule: Schedule) -> ScheduledRun | None:
    """The run that ended last, delivered or not."""
    return _runs.last_attempt(store, schedule.name)


# -- running ---------------------------------------------------------------------------


def report_frame(
    store: Store,
    config: MetricsConfig,
    schedule: Schedule,
    period: Period,
    *,
    ensure: bool = True,
) -> pd.DataFrame:
    """The schedule's KPIs for ``period``: what ``sanjeh report --period KIND --start
    START --end END`` computes (KPI titles in the schedule's language)."""
    spec = schedule.spec
    df = metrics.kpis(
        store,
        list(spec.kpis) or None,
        by=list(spec.by),
        period=period.kind,
        start=period.start,
        end=period.end,
        hours=spec.hours,
        week_start=schedule.week_start,
        config=config,
        ensure=ensure,
    )
    if spec.lang != "en":
        df["title"] = df["kpi"].map(lambda k: metrics.get_kpi(k).titles[spec.lang])
    return df


def run_schedule(
    store: Store,
    config: MetricsConfig,
    schedule: Schedule,
    now: dt.datetime,
    *,
    manual: bool = False,
    ensure: bool = True,
    reading: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
) -> ScheduledRun:
    """Report the last closed period, write it to the folder and / or POST it to the
    webhook, and remember the run in the store.

    The period is the one closed by the latest run time at or before ``now`` (by hand,
    ``manual``: by ``now`` itself). A failure is logged and returned (``status`` failed,
    ``error``), never raised: the next check tries again. The server passes
    ``ensure=False`` (it keeps the facts fresh itself) and ``reading``, its guard for
    reading them.
    """
    slot = now.astimezone(dt.UTC) if manual else latest_slot(schedule, now)
    period = closed_period(schedule, slot)
    started = dt.datetime.now(dt.UTC)
    rows, file, status, error = None, None, None, None
    try:
        with reading():
            df = report_frame(store, config, schedule, period, ensure=ensure)
        rows = len(df)
        file, status, error = _deliver(schedule, period, df)
    except SanjehError as exc:  # (a KPI the data cannot give …): said, tried again
        error = str(exc)
    except Exception as exc:  # a store or a folder that fails: logged, tried again
        log.exception("scheduled report %s could not be made", schedule.name)
        error = f"{type(exc).__name__}: {exc}"
    run = ScheduledRun(
        schedule=schedule.name,
        period=period,
        slot=slot,
        manual=manual,
        status="failed" if error else "ok",
        attempts=_runs.attempts(store, schedule.name, period) + 1,
        rows=rows,
        file=file,
        webhook_status=status,
        error=error,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
    )
    _runs.record(store, run)
    if error:
        log.warning("scheduled report %s (%s): %s", schedule.name, period.label, error)
    return run


def _deliver(
    schedule: Schedule, period: Period, df: pd.DataFrame
) -> tuple[Path | None, int | None, str | None]:
    """(the file written, the webhook's HTTP status, why the delivery failed)."""
    spec = schedule.spec
    name = schedule.file_name(period)
    data = render(df, spec.format, title=f"{schedule.name}: {period.label}", lang=spec.lang)
    file = None if spec.folder is None else write_file(spec.folder, name, data)
    if spec.webhook is None:
        return file, None, None
    headers = {"X-Sanjeh-Schedule": schedule.name, "X-Sanjeh-Period": period.label}
    try:
        status = post(
            spec.webhook, data, spec.format, filename=name, timeout=spec.timeout, headers=headers
        )
    except DeliveryError as exc:
        return file, exc.status, str(exc)
    return file, status, None
