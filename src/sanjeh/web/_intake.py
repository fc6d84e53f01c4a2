"""The intake queue: records sent to the running server go into the store within a moment.

``intake.submit({"events": [...]}, source="api", origin="api")`` validates the records
(``sanjeh.ingest.validate_records``: the rules of an import), writes the accepted rows and
the rejects to the journal (``_journal``: on disk, fsync'd) and answers with a
:class:`Receipt` — the acknowledgement: from then on nothing is lost. A writer thread
merges what is queued into the store every ``interval`` (250 ms) at most, all of it in one
write (one stage per table, in the order customers, teams, agents, tickets, events, calls,
survey_responses, …; the key merge of an import: the same rows twice change nothing),
records the rejects in ``import_rejects`` and one ``import_log`` row per merge, removes the
journal files and wakes the dashboard's refresh (``source.wake()``). When the server starts,
batches left in the journal (a crash, a kill) are merged first.

Where the journal lives: a DuckDB file store's in ``<file>.intake/`` beside it; another
store's (PostgreSQL) in ``.sanjeh-intake-<digest of the URL>/`` in the folder of the
config file (else the working directory); an in-memory store has none (it keeps nothing
across a restart anyway). Memory stays bounded: rows waiting beyond ``[web]
intake_queue_rows`` are refused with :class:`IntakeFull` (503, Retry-After).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio.to_thread
import pyarrow as pa

from ..errors import ConfigError, SanjehError, ServerBusy
from ..model import ALL_TABLES, TABLES
from ..settings import ImportSettings, Settings, import_settings, web_settings
from ..store import Store, WriteResult, insert_arrow
from ..store._url import duckdb_file
from ._intake_door import ORDER, Door, Receipt, Request, receipt, validated
from ._journal import Batch, Journal

log = logging.getLogger("sanjeh.web")
#: seconds to wait after a failed merge before the next try
_RETRY = 1.0
#: merges one batch may fail before it is set aside (the batches after it wait till then)
_ATTEMPTS = 3


class IntakeFull(ServerBusy):
    """Too many rows wait to be written: try again in ``retry_after`` seconds."""


class BatchTooLarge(SanjehError):
    """More records in one batch than the queue may hold at all."""

    code = "too_large"
    status = 413


def journal_folder(
    store: Store, settings: Settings | None = None, purpose: str = "intake"
) -> Path | None:
    """Where ``store``'s journal for ``purpose`` lives (the intake's, the survey answers'):
    beside a DuckDB file, else beside the configuration file (None: a store in memory)."""
    if store.backend == "duckdb":
        file = duckdb_file(store.url)
        return None if file is None else file.with_name(f"{file.name}.{purpose}")
    base = Path(settings.config_file).parent if settings and settings.config_file else Path.cwd()
    digest = hashlib.sha256(store.url.encode()).hexdigest()[:12]
    return base / f".sanjeh-{purpose}-{digest}"


class Intake:
    """The server's way in for records (see the module docstring). Thread-safe."""

    def __init__(
        self,
        store: Store,
        *,
        journal: Path | None = None,
        wake: Callable[[], None] | None = None,
        timezone: str = "UTC",
        future_tolerance: dt.timedelta = ImportSettings.future_tolerance,
        queue_rows: int = 50_000,
        interval: float = 0.25,
        start_on_submit: bool = False,
    ) -> None:
        self.store = store
        self.journal = Journal(journal) if journal is not None else None
        self.wake = wake or (lambda: None)
        self.timezone = timezone
        self.future_tolerance = future_tolerance
        self.queue_rows = queue_rows
        self.interval = interval
        self._cond = threading.Condition()
        self._merging = threading.Lock()  # one merge at a time
        self._seq = 0  # the last sequence number handed out
        self._merged = 0  # every batch up to this one is in the store
        self._ready: dict[int, Batch] = {}  # journaled, waiting to be merged
        self._gone: set[int] = set()  # handed out, then failed before the journal
        self._failures: dict[int, int] = {}  # failed merges (then one batch at a time)
        self._waiting_rows = 0  # rows handed out and not merged (the queue's size)
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._thread: threading.Thread | None = None
        #: start the writer with the first submission (an app run without its lifespan)
        self._start_on_submit = start_on_submit
        self._starting = threading.Lock()
        self._door = Door(self._take_in)

    @classmethod
    def for_store(
        cls, store: Store, settings: Settings, *, wake: Callable[[], None] | None = None
    ) -> Intake:
        """An intake configured from the settings (``[web]``, ``[import]``, timezone)."""
        return cls(
            store,
            journal=journal_folder(store, settings),
            wake=wake,
            timezone=settings.timezone,
            future_tolerance=import_settings(settings).future_tolerance,
            queue_rows=web_settings(settings).intake_queue_rows,
            start_on_submit=True,
        )

    # -- taking records in ---------------------------------------------------------------

    def submit(self, tables: Mapping[str, Sequence[Any]], *, source: str, origin: str) -> Receipt:
        """Validate, journal and queue records (``{table: [record, …]}``); the receipt
        says what was accepted and why the rest was not. Raises :class:`IntakeFull` when
        the queue is full, :class:`BatchTooLarge` for more records than it holds.

        Submissions that arrive while others are being taken in are taken in together
        (one validation per table and source, one journal write): under load a
        submission waits for at most one round, however many arrive."""
        request = self._request(tables, source, origin)
        if self._start_on_submit and self._thread is None:
            self.start()  # (the journal's older batches first)
        return self._door.enter(request)

    async def submit_async(
        self, tables: Mapping[str, Sequence[Any]], *, source: str, origin: str
    ) -> Receipt:
        """:meth:`submit` for the event loop: no thread is held while the round is
        under way (the round runs in the door's thread)."""
        request = self._request(tables, source, origin)
        if self._start_on_submit and self._thread is None:
            await anyio.to_thread.run_sync(self.start)  # (merges the journal: blocking)
        return await self._door.enter_async(request)

    def _request(self, tables: Mapping[str, Sequence[Any]], source: str, origin: str) -> Request:
        unknown = [t for t in tables if t not in TABLES]
        if unknown:
            raise ConfigError(f"no table {unknown[0]!r}; tables are: {', '.join(TABLES)}")
        records = sum(len(v) for v in tables.values())
        if records > self.queue_rows:
            raise BatchTooLarge(
                f"{records:,} records in one batch; send at most {self.queue_rows:,} at a time "
                "([web] intake_queue_rows)"
            )
        return Request(tables, source, origin)

    def _take_in(self, requests: list[Request]) -> None:
        """One round: validate the requests together, queue and journal their batches,
        then answer each (its receipt, or why not)."""
        try:
            batches = validated(requests, self.timezone, self.future_tolerance)
        except Exception:
            if len(requests) == 1:
                raise
            for request in requests:  # each alone: only the one at fault fails
                try:
                    self._take_in([request])
                except Exception as exc:
                    request.fail(exc)
            return
        kept: list[Batch] = []
        for request, batch in zip(requests, batches, strict=True):
            if batch.rows_read == 0:
                request.answer(receipt(batch))
                continue
            try:
                self._reserve(batch)
            except IntakeFull as exc:
                request.fail(exc)
                continue
            kept.append(batch)
        try:
            if self.journal is not None and kept:
                self.journal.write(kept)
        except BaseException as exc:
            with self._cond:
                self._gone.update(b.seq for b in kept)
                self._waiting_rows -= sum(b.rows for b in kept)
                self._cond.notify_all()
            for request in requests:
                request.fail(exc)
            return
        with self._cond:
            self._ready.update((b.seq, b) for b in kept)
            self._cond.notify_all()
        for request, batch in zip(requests, batches, strict=True):
            request.answer(receipt(batch))

    def _reserve(self, batch: Batch) -> None:
        """A place in the order, if the queue has room for the batch's rows."""
        with self._cond:
            if self._waiting_rows and self._waiting_rows + batch.rows > self.queue_rows:
                raise IntakeFull(
                    f"the intake queue is full ({self._waiting_rows:,} rows wait to be "
                    "written); try again in a second",
                    retry_after=1,
                )
            self._seq += 1
            batch.seq = self._seq
            self._waiting_rows += batch.rows

    # -- writing ---------------------------------------------------------------------------

    def start(self) -> None:
        """Merge what the journal still holds, then start the writer thread."""
        with self._starting:
            if self._thread is not None:
                return
            self._replay()
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="sanjeh-intake", daemon=True)
            self._thread.start()

    def stop(self, *, flush: bool = True, timeout: float = 10.0) -> None:
        """Stop the writer, after merging what is queued (``flush``); whatever is left
        stays in the journal for the next start."""
        if flush:
            self.flush(timeout)
        self._start_on_submit = False  # (a late submission stays in the journal)
        self._stop.set()
        self._hurry.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=timeout + 30)
            self._thread = None

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is in the store; False on timeout.
        (Not while holding ``store.lock``: the writer needs it.)"""
        with self._cond:
            target = self._seq
        deadline = time.monotonic() + timeout
        if self._thread is None:  # no writer: merge here
            while self._merged < target and time.monotonic() < deadline:
                self._merge_ready()
                with self._cond:  # (a submit may still be writing its journal file)
                    self._cond.wait_for(lambda: self._merged >= target or self._takeable(), 0.05)
        self._hurry.set()
        with self._cond:
            return self._cond.wait_for(lambda: self._merged >= target, deadline - time.monotonic())

    @property
    def waiting(self) -> int:
        """Accepted rows not in the store yet."""
        return self._waiting_rows

    def _replay(self) -> None:
        if self.journal is None:
            return
        found = 0
        with self._cond:
            known = {b.path for b in self._ready.values()}
        for batch in self.journal.pending():
            if batch.path in known:  # submitted here before the start
                continue
            with self._cond:
                self._seq += 1
                batch.seq = self._seq
                self._waiting_rows += batch.rows
                self._ready[batch.seq] = batch
            found += 1
        if found:
            log.info("intake: merging %d batch(es) left in %s", found, self.journal.folder)
            if not self._merge_ready():
                log.error("intake: the batches left in the journal could not be merged yet")

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                self._cond.wait_for(lambda: self._stop.is_set() or self._takeable(), 1.0)
            if self._stop.is_set():
                break
            started = time.monotonic()
            merged = self._merge_ready()
            took = time.monotonic() - started
            # every interval at most; a slow merge (Ibis compiles its SQL: a few hundred ms
            # of the interpreter on a busy machine) leaves the requests at least as long
            pause = max(self.interval - took, took) if merged else _RETRY
            log.debug("intake: merged in %.0f ms; next in %.0f ms", took * 1000, pause * 1000)
            if pause > 0 and self._hurry.wait(pause):
                self._hurry.clear()

    def _takeable(self) -> bool:
        return (self._merged + 1) in self._ready or (self._merged + 1) in self._gone

    def _take(self) -> list[Batch]:
        """The batches next in order that are ready (a batch still writing its journal
        file holds back those after it); one at a time after a failed merge."""
        taken = []
        with self._cond:
            at = self._merged + 1
            while at in self._ready or at in self._gone:
                if at in self._ready:
                    taken.append(self._ready[at])
                    if self._failures:
                        break
                at += 1
            if not taken:  # only failed ones: skip them
                while (self._merged + 1) in self._gone:
                    self._gone.discard(self._merged + 1)
                    self._merged += 1
                self._cond.notify_all()
        return taken

    def _merge_ready(self) -> bool:
        """Merge what is ready; True when that worked (or nothing was ready)."""
        with self._merging:
            batches = self._take()
            if not batches:
                return True
            try:
                self._write(batches)
            except Exception:  # kept in the queue and the journal: tried again
                log.exception("intake: could not write %d batch(es); retrying", len(batches))
                if not self._failed(batches):
                    return False
            self._done(batches)
        self.wake()
        return True

    def _failed(self, batches: list[Batch]) -> bool:
        """Count a failed merge; True when its one batch has failed too often and is set
        aside (``*.failed`` in the journal's folder), so that the batches after it go on."""
        if len(batches) > 1:  # next: one at a time, to find the batch at fault
            self._failures[batches[0].seq] = 0
            return False
        batch = batches[0]
        self._failures[batch.seq] = self._failures.get(batch.seq, 0) + 1
        if self._failures[batch.seq] < _ATTEMPTS:
            return False
        where = self.journal.set_aside(batch) if self.journal is not None else None
        log.error(
            "intake: batch %s failed %d times; set aside%s, the next ones go on",
            batch.batch_id,
            _ATTEMPTS,
            f" in {where} (its rows can be imported from there)" if where else "",
        )
        return True

    def _done(self, batches: list[Batch]) -> None:
        """The batches are in the store (or set aside): their journal files go once no
        batch waiting has rows there, then they leave the queue (whoever waits in
        :meth:`flush` finds the journal without them)."""
        last = batches[-1].seq
        if self.journal is not None:
            with self._cond:
                still = {b.path for seq, b in self._ready.items() if seq > last}
            for path in dict.fromkeys(b.path for b in batches):
                if path is not None and path not in still:
                    self.journal.remove(path)
        with self._cond:
            for seq in range(self._merged + 1, last + 1):
                self._ready.pop(seq, None)
                self._gone.discard(seq)
                self._failures.pop(seq, None)
            self._merged = last
            self._waiting_rows -= sum(b.rows for b in batches)
            self._cond.notify_all()

    def _write(self, batches: list[Batch]) -> None:
        """Every batch in one write: the rows, the rejects and a line in the import log,
        in one transaction (all of it, or nothing and a retry)."""
        started = min(b.received_at for b in batches)
        results: dict[str, WriteResult] = {}
        with self.store.lock, self.store.writes.transaction():
            with contextlib.ExitStack() as stack:
                stages = {}
                for table in ORDER:
                    parts = [b.tables[table] for b in batches if table in b.tables]
                    if not parts:
                        continue
                    stage = stack.enter_context(self.store.stage(table))
                    for part in parts:
                        stage.append(part)
                    stages[table] = stage
                for table, stage in stages.items():
                    results[table] = stage.commit()
            _record(self.store, batches, results, started)


def _record(
    store: Store, batches: list[Batch], results: dict[str, WriteResult], started: dt.datetime
) -> None:
    """The rejects in ``import_rejects`` (their path: ``intake:<batch id>``) and one row in
    ``import_log`` for the merge (``path``: ``intake:<batch id>``, or the first and last of
    several). Each merge has an id of its own, so the log is appended to, not merged (a
    merge of Ibis's costs a few hundred milliseconds): a batch merged again after a crash
    shows twice, as it was."""
    ids = [b.batch_id for b in batches]
    import_id = "merge-" + uuid.uuid4().hex[:16]
    path = "intake:" + (ids[0] if len(ids) == 1 else f"{ids[0]}…{ids[-1]} ({len(ids)} batches)")
    rejects = [
        {
            "reject_id": _digest(f"{b.batch_id}|{r.table}|{r.row}|{r.field}")[:24],
            "import_id": import_id,
            "path": f"intake:{b.batch_id}",
            "row": r.row,
            "table_name": r.table or None,
            "field": r.field or None,
            "reason": r.reason,
            "value": r.value,
            "raw": r.raw_json(),
            "rejected_at": b.received_at,
        }
        for b in batches
        for r in b.rejects
    ]
    if rejects:
        store.write("import_rejects", rejects)
    row = {
        "import_id": import_id,
        "path": path,
        "format": _joined(b.origin for b in batches),
        "source": _joined(b.source for b in batches),
        "fingerprint": _digest("|".join(ids)),
        "started_at": started,
        "finished_at": dt.datetime.now(dt.UTC),
        "rows_read": sum(b.rows_read for b in batches),
        "inserted": sum(r.inserted for r in results.values()),
        "replaced": sum(r.replaced for r in results.values()),
        "unchanged": sum(r.unchanged for r in results.values()),
        "rejected": sum(b.rejected for b in batches),
    }
    schema = pa.schema([f.with_nullable(True) for f in ALL_TABLES["import_log"].arrow_schema()])
    insert_arrow(store.con, "import_log", pa.Table.from_pylist([row], schema=schema))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _joined(values: Any) -> str:
    return ",".join(dict.fromkeys(values))
