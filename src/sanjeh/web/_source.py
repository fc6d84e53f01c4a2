"""The dashboard's view of one store: facts kept fresh, results cached by data stamp.

Pages never rebuild facts: ``ensure_facts`` runs when the app starts and then in a
background thread every few seconds; its stamp (the facts' bookkeeping row, which
changes whenever data or configuration changed them) keys every cached result, so a
new import or a new configuration invalidates the cache and nothing else does.
The store's Ibis connection serves one thread at a time (``db_lock``, the store's
lock); KPI queries run on each thread's own DuckDB cursor, so two requests compute at
once. A rebuild of the facts runs on a connection of its own while requests keep
reading the previous facts; putting the new ones in place waits for running KPI
computations and holds new ones back for as long as the swap (``gate``); the freshness
check before it only reads. Requests compute uncached results a few at a time
(``limits``, ``_limits.py``: a turn, a bounded queue, a share per user; 503 beyond).
Lock order: a turn before ``gate`` before ``db_lock``. Answers from the cache need no
lock and no turn.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import ibis.expr.types as ir
import pandas as pd

from .. import metrics
from ..errors import ServerBusy
from ..metrics import MetricsConfig, ensure_facts, facts_current
from ..store import META_TABLE, Store
from ._limits import Limits

T = TypeVar("T")
log = logging.getLogger("sanjeh.web")
_EPOCH = dt.datetime(1970, 1, 1)
#: seconds between two refreshes at least (``Source.min_gap``)
LIVE_GAP = 0.5


@dataclasses.dataclass(frozen=True)
class Agent:
    id: str
    name: str
    team_id: str | None
    is_bot: bool


@dataclasses.dataclass(frozen=True)
class Dimensions:
    """The values a filter may take, read once per data stamp."""

    teams: dict[str, str]
    agents: dict[str, Agent]
    channels: tuple[str, ...]
    priorities: tuple[str, ...]
    languages: tuple[str, ...]
    tags: tuple[str, ...]
    #: local (business time zone) dates of the first and last ticket
    first_day: dt.date
    last_day: dt.date

    def values(self, dim: str) -> tuple[str, ...]:
        if dim == "team":
            return tuple(self.teams)
        if dim == "agent":
            return tuple(self.agents)
        return {
            "channel": self.channels,
            "priority": self.priorities,
            "language": self.languages,
            "tag": self.tags,
        }[dim]


class Gate:
    """Many readers at once or one writer; a waiting writer goes before new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writers = 0  # waiting or writing
        self._writing = False

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._writers)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._writers += 1
            self._cond.wait_for(lambda: not self._readers and not self._writing)
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._writers -= 1
                self._cond.notify_all()


class Source:
    """A store opened for the dashboard (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        config: MetricsConfig | None = None,
        *,
        refresh_seconds: float = 10.0,
        cache_size: int = 1024,
    ) -> None:
        self.store = store
        self.config = config or MetricsConfig.from_settings()
        self.timezone = self.config.all_calendars()[self.config.default_calendar].timezone
        self.refresh_seconds = refresh_seconds
        self.db_lock = store.lock
        self.gate = Gate()
        self._cache_size = cache_size
        self._memo: collections.OrderedDict[Hashable, Any] = collections.OrderedDict()
        self._inflight: dict[Hashable, Future[Any]] = {}
        self._memo_lock = threading.Lock()
        self._tables: dict[str, ir.Table] = {}
        self._checked = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        #: the least time between two refreshes the server's own writes wake: under a
        #: steady stream of intake events a refresh would otherwise follow every merge
        #: (and empty the cache each time), taking the CPU the requests need
        self.min_gap = LIVE_GAP
        self._took = 0.0  # how long the last refresh (and its after_change) took
        self._refreshed = 0.0
        self.stamp = ""
        #: the facts' "now" (their as-of: the data's last instant or the ``as_of``
        #: option), read with the stamp: ``/api/stamp`` answers without a query
        self.as_of: dt.datetime | None = None
        self._generation = 0
        self._meta = ""  # the facts' bookkeeping row when this source last rebuilt
        self._refreshing = threading.Lock()
        self.dims: Dimensions
        #: how many uncached views requests compute at once (``[web]``; see ``_limits``)
        self.limits = Limits.configured()
        #: called (in the background thread) after the data changed, e.g. to warm pages
        self.after_change: Callable[[], None] | None = None
        #: called (in the background thread) after every refresh, e.g. due QA cycles
        self.periodic: list[Callable[[], None]] = []
        self.refresh()

    @property
    def con(self) -> Any:
        return self.store.con

    # -- freshness ----------------------------------------------------------------------

    def refresh(self) -> bool:
        """Bring the facts up to date; True when they changed (the cache is dropped).

        The check only reads. A rebuild runs beside the requests (on a connection of its
        own, in one transaction: ``ensure_facts``), which keep answering from the
        previous facts; only putting the new facts in place takes the write gate, for
        the swap and its commit, so no computation reads across it.
        """
        with self._refreshing:  # one at a time (the background loop, check(), tests)
            with self.db_lock:
                if self._current():
                    return False
            swapped = False

            @contextlib.contextmanager
            def swap() -> Iterator[None]:
                nonlocal swapped
                with self.gate.write(), self.db_lock:
                    yield  # the new facts go in place
                    self._adopt()
                    swapped = True

            ensure_facts(self.store, self.config, hold=swap)
            if swapped:
                return True
            # nothing put in place here: another process (or thread) may have done it
            with self.db_lock:
                if self.stamp and self._stamp() == self._meta:
                    return False
            with self.gate.write(), self.db_lock:
                self._adopt()
            return True

    def _adopt(self) -> None:
        """Serve the facts now in the store (under the write gate and ``db_lock``)."""
        # the facts' bookkeeping row (the stamp of another process's rebuild) may stay
        # as it was when a ticket changed in place: each rebuild here counts as well
        self._generation += 1
        self._meta = self._stamp()
        self.stamp = f"{self._generation}:{self._meta}"
        self.as_of = _as_of(self._meta)
        self._checked = time.monotonic()
        self._tables = {}  # rebuilt facts may have new columns
        self.dims = self._dimensions()
        with self._memo_lock:
            self._memo.clear()

    def _current(self) -> bool:
        """Nothing to rebuild, and nobody rebuilt the facts since this source did."""
        current = bool(self.stamp) and self._stamp() == self._meta
        current = current and facts_current(self.store, self.config)
        if current:
            self._checked = time.monotonic()
        return current

    def _stamp(self) -> str:
        meta = self.con.table(META_TABLE)
        rows = meta.filter(meta.key == "facts").value.to_pyarrow().to_pylist()
        return str(rows[0]) if rows else ""

    def forget(self) -> None:
        """Drop cached results now: the app itself changed what they show (a QA review)."""
        with self._memo_lock:
            self._memo.clear()

    def check(self) -> None:
        """Refresh now if no background thread does it and the last check is old
        (unless another request is refreshing: this one answers from the facts it has)."""
        stale = time.monotonic() - self._checked > self.refresh_seconds
        if self._thread is None and stale and not self._refreshing.locked():
            self.refresh()

    def start(self) -> None:
        """Keep the facts fresh from a background thread (requests never wait for it)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sanjeh-web-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def wake(self) -> None:
        """Refresh now instead of at the next tick: the server itself just wrote data
        (an intake batch, an import through the server)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.refresh_seconds)
            # soon after the last refresh, wait: writes woken meanwhile join the next one;
            # at least as long as that refresh took, so that under a steady stream of
            # writes refreshing takes at most half the time (the requests need the rest)
            gap = max(self.min_gap, self._took)
            self._stop.wait(max(0.0, gap - (time.monotonic() - self._refreshed)))
            self._wake.clear()
            if self._stop.is_set():
                break
            started = time.monotonic()
            try:
                if self.refresh() and self.after_change is not None:
                    self.after_change()
            except Exception:  # keep serving the last good data; say why in the log
                log.exception("could not refresh the facts")
            self._refreshed = time.monotonic()
            self._took = self._refreshed - started
            self.run_periodic()

    def run_periodic(self) -> None:
        """Call each :attr:`periodic` task; one failing is logged and stops no other."""
        for task in list(self.periodic):
            try:
                task()
            except Exception:
                log.exception("periodic task %s failed", getattr(task, "__name__", task))

    # -- cache --------------------------------------------------------------------------

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per key and data stamp; concurrent callers share one run.

        A request's first miss is its uncached view: it waits for its turn (or for
        whoever computes the same key) within ``limits``, or gets ``ServerBusy``.
        """
        full = (self.stamp, key)
        with self._memo_lock:
            if full in self._memo:
                self._memo.move_to_end(full)
                return self._memo[full]
        with self.limits.view():
            return self._once(full, compute)

    def _once(self, full: Hashable, compute: Callable[[], T]) -> T:
        while True:
            with self._memo_lock:
                if full in self._memo:
                    self._memo.move_to_end(full)
                    return self._memo[full]
                waiting = self._inflight.get(full)
                if waiting is None:
                    mine: Future[Any] = Future()
                    self._inflight[full] = mine
                    break
            self.limits.before_waiting()
            try:
                return waiting.result()
            except ServerBusy:
                continue  # the request computing it was turned away: compute it here
        try:
            value = compute()
        except BaseException as exc:
            mine.set_exception(exc)
            with self._memo_lock:
                del self._inflight[full]
            raise
        with self._memo_lock:
            self._memo[full] = value
            while len(self._memo) > self._cache_size:
                self._memo.popitem(last=False)
            del self._inflight[full]
        mine.set_result(value)
        return value

    # -- queries ------------------------------------------------------------------------

    def table(self, name: str) -> ir.Table:
        """A table expression (looked up once: the lookup itself queries the database)."""
        found = self._tables.get(name)
        if found is None:
            with self.db_lock:
                found = self._tables[name] = self.con.table(name)
        return found

    def run(self, expr: ir.Table) -> pd.DataFrame:
        """Execute an Ibis expression (results are small: aggregates or a page of rows)."""
        with self.limits.view():
            self.limits.take_turn()
            with self.db_lock:
                return expr.to_pandas()

    def kpis(
        self,
        names: tuple[str, ...],
        *,
        start: dt.date,
        end: dt.date,
        filters: tuple[tuple[str, tuple[str, ...]], ...] = (),
        by: str | None = None,
        period: str | None = None,
        hours: str = "business",
        week_start: str | None = None,
        stats: bool = True,
        compare: bool = True,
    ) -> pd.DataFrame:
        """``sanjeh.metrics.kpis`` for the days ``start`` … ``end`` (inclusive), cached."""
        week = week_start if period == "week" else None  # (only weeks depend on it)
        key = ("kpis", names, start, end, filters, by, period, hours, week, stats, compare)

        def compute() -> pd.DataFrame:
            self.limits.take_turn()  # (before the gate: a rebuild need not wait for the queue)
            with self.gate.read():  # (metrics.kpis takes db_lock where it needs it)
                return metrics.kpis(
                    self.store,
                    list(names),
                    by=by,
                    period=period,
                    start=start,
                    end=end + dt.timedelta(days=1),
                    filters={k: list(v) for k, v in filters},
                    hours=hours,
                    week_start=week_start,
                    config=self.config,
                    ensure=False,  # refresh() keeps the facts current
                    stats=stats,
                    compare=compare,
                )

        return self.memo(key, compute)

    # -- time ---------------------------------------------------------------------------

    @staticmethod
    def local_seconds(day: dt.date) -> float:
        """Local epoch seconds of a day's midnight (the facts' ``*_local`` columns)."""
        return (dt.datetime.combine(day, dt.time()) - _EPOCH).total_seconds()

    def local_day(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(ZoneInfo(self.timezone)).date()

    # -- dimension values ---------------------------------------------------------------

    def _dimensions(self) -> Dimensions:
        teams = self.store.table("teams").select("team_id", "name").to_pandas()
        agents = self.store.table("agents").select("agent_id", "name", "team_id", "is_bot")
        agents_df = agents.to_pandas()
        ft = self.con.table("facts_tickets")

        def distinct(col: ir.Column) -> tuple[str, ...]:
            values = col.name("v").as_table().distinct().to_pandas()["v"].dropna()
            return tuple(sorted(str(v) for v in values))

        span = ft.agg(lo=ft.created_local.min(), hi=ft.created_local.max()).to_pandas()
        lo, hi = span["lo"].iloc[0], span["hi"].iloc[0]
        today = self.local_day(dt.datetime.now(dt.UTC))
        return Dimensions(
            teams={str(r.team_id): str(r.name or r.team_id) for r in teams.itertuples()},
            agents={
                str(r.agent_id): Agent(
                    str(r.agent_id),
                    str(r.name or r.agent_id),
                    None if pd.isna(r.team_id) else str(r.team_id),
                    bool(r.is_bot) if not pd.isna(r.is_bot) else False,
                )
                for r in agents_df.itertuples()
            },
            channels=distinct(ft.channel),
            priorities=distinct(ft.priority),
            # (survey answers carry the language they were answered in: the comments'
            # language filter offers those too)
            languages=tuple(
                sorted(
                    {*distinct(ft.language), *distinct(self.con.table("facts_surveys").language)}
                )
            ),
            tags=distinct(ft.tags.unnest()),
            first_day=_day_of(lo, today),
            last_day=_day_of(hi, today),
        )


def _as_of(meta: str) -> dt.datetime | None:
    """The as-of instant in the facts' bookkeeping row (JSON written by the build)."""
    try:
        found = json.loads(meta).get("as_of") if meta else None
        if not isinstance(found, str):
            return None
        moment = dt.datetime.fromisoformat(found)
        return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    except (ValueError, AttributeError):
        return None


def _day_of(local: Any, default: dt.date) -> dt.date:
    if local is None or pd.isna(local):
        return default
    return (_EPOCH + dt.timedelta(seconds=float(local))).date()
