"""How the intake takes submissions in: together, when they arrive together.

Validating one record costs about as much as validating a hundred (Arrow's work is per
column, not per row), and so does an ``fsync``. So submissions are taken in by rounds:
the door's thread (started by the first to arrive while nobody is taking any in) takes
in whatever has arrived by then in one round (one validation per table and source, one
journal write); submissions that arrive meanwhile wait for the next round, which starts
as soon as this one is done. Nobody waits for more than the round under way and their
own. A thread waits with :meth:`Door.enter`; a coroutine with :meth:`Door.enter_async`,
which holds no thread while it waits (at hundreds of requests a second, a worker thread
held per waiting request starves the server's thread pool).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from ..ingest import Reject, ValidatedRecords, validate_records
from ..model import TABLES
from ._journal import Batch

_FIRST = ("customers", "teams", "agents", "tickets", "events", "calls", "survey_responses")
#: the order tables are merged in: what others refer to first
ORDER = (*_FIRST, *(t for t in TABLES if t not in _FIRST))


@dataclasses.dataclass
class Receipt:
    """What ``Intake.submit`` acknowledges: the batch, its accepted rows (durable from
    now on) and each rejected record with its table, field and reason."""

    batch_id: str
    accepted: int
    #: ``{"row", "table", "field", "reason"}``; ``row``: the record's place in its
    #: table's list (from 1); ``field``: None when the whole record is at fault
    rejected: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "accepted": self.accepted, "rejected": self.rejected}


class Request:
    """One submission waiting for its round."""

    def __init__(self, tables: Mapping[str, Sequence[Any]], source: str, origin: str) -> None:
        self.tables, self.source, self.origin = tables, source, origin
        self.event = threading.Event()
        self.receipt: Receipt | None = None
        self.error: BaseException | None = None
        self.done = False
        #: set by :meth:`Door.enter_async`: resolved in its event loop once done
        self.future: asyncio.Future[None] | None = None

    def answer(self, receipt: Receipt) -> None:
        if not self.done:
            self.receipt, self.done = receipt, True
            self._wake()

    def fail(self, error: BaseException) -> None:
        if not self.done:
            self.error, self.done = error, True
            self._wake()

    def result(self) -> Receipt:
        if self.error is not None:
            raise self.error
        assert self.receipt is not None
        return self.receipt

    def _wake(self) -> None:
        self.event.set()
        future = self.future
        if future is not None:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                future.get_loop().call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():  # (cancelled: the client left; the round counted it all the same)
        future.set_result(None)


class Door:
    """Rounds of submissions (see the module docstring); ``take_in`` answers each."""

    def __init__(self, take_in: Callable[[list[Request]], None]) -> None:
        self._take_in = take_in
        self._lock = threading.Lock()
        self._waiting: list[Request] = []
        self._busy = False  # the door's thread is taking rounds in

    def enter(self, request: Request) -> Receipt:
        """Wait (this thread) for the round that takes ``request`` in; its receipt."""
        self._hand(request)
        request.event.wait()
        return request.result()

    async def enter_async(self, request: Request) -> Receipt:
        """:meth:`enter` for a coroutine: no thread waits, the round resolves a future."""
        request.future = asyncio.get_running_loop().create_future()
        self._hand(request)
        await request.future
        return request.result()

    def _hand(self, request: Request) -> None:
        with self._lock:
            self._waiting.append(request)
            if self._busy:
                return
            self._busy = True
        try:
            threading.Thread(target=self._rounds, name="sanjeh-intake-door", daemon=True).start()
        except BaseException as exc:  # no thread to be had: whoever waits is told
            with self._lock:
                group, self._waiting, self._busy = self._waiting, [], False
            for waiting in group:
                waiting.fail(exc)

    def _rounds(self) -> None:
        """Round after round, while anybody waits (then the thread ends)."""
        while True:
            with self._lock:
                group, self._waiting = self._waiting, []
                if not group:
                    self._busy = False
                    return
            try:
                self._take_in(group)
            except BaseException as exc:  # every request gets an answer
                for request in group:
                    request.fail(exc)


def validated(requests: list[Request], timezone: str, tolerance: dt.timedelta) -> list[Batch]:
    """Each request's batch: its records validated with the others' of the same table
    and source (one :func:`validate_records` each), then told apart again."""
    now = dt.datetime.now(dt.UTC)
    parts: dict[tuple[str, str], list[tuple[int, Sequence[Any]]]] = {}
    for i, request in enumerate(requests):
        for table, records in request.tables.items():
            if records:
                parts.setdefault((table, request.source), []).append((i, records))
    good: list[dict[str, pa.Table]] = [{} for _ in requests]
    rejects: list[list[Reject]] = [[] for _ in requests]
    for (table, source), found in sorted(parts.items(), key=lambda p: ORDER.index(p[0][0])):
        combined = [record for _, records in found for record in records]
        checked = validate_records(
            table, combined, source=source, timezone=timezone, now=now, future_tolerance=tolerance
        )
        _split(table, checked, found, good, rejects)
    return [
        Batch(
            batch_id="in-" + uuid.uuid4().hex[:16],
            source=request.source,
            origin=request.origin,
            received_at=now,
            rows_read=sum(len(v) for v in request.tables.values()),
            tables=good[i],
            rejects=rejects[i],
        )
        for i, request in enumerate(requests)
    ]


def _split(
    table: str,
    checked: ValidatedRecords,
    found: list[tuple[int, Sequence[Any]]],
    good: list[dict[str, pa.Table]],
    rejects: list[list[Reject]],
) -> None:
    """Hand each request its accepted rows (in order: the records not rejected) and its
    rejects (numbered in its own list)."""
    refused = {r.row for r in checked.rejects}
    taken = offset = 0
    for i, records in found:
        end = offset + len(records)
        accepted = sum(1 for row in range(offset + 1, end + 1) if row not in refused)
        if accepted:
            good[i][table] = checked.good.slice(taken, accepted)
        mine = [r for r in checked.rejects if offset < r.row <= end]
        rejects[i] += [dataclasses.replace(r, row=r.row - offset) for r in mine]
        taken += accepted
        offset = end


def receipt(batch: Batch) -> Receipt:
    rejected = [
        {"row": r.row, "table": r.table, "field": r.field or None, "reason": r.reason}
        for r in batch.rejects
    ]
    return Receipt(batch.batch_id, batch.rows_read - batch.rejected, rejected)
