"""The survey answer writer: answers posted to ``/s/{invitation_id}`` go into the store
in batches, one transaction per batch, and the dashboard counts them at once.

``writer.submit(invitation, answers, now=…, receipt=…)`` queues one answer and waits
until it is in the store (its :class:`~sanjeh.surveys.AnswerReceipt`) or refused (the
library's error: an answer that does not fit the survey, a link already answered …).
A writer thread takes everything queued at once and records it with
``sanjeh.surveys.record_answers`` (many answers, one transaction), then wakes the
dashboard's refresh (``source.wake()``), at most every ``wake_every`` seconds (0.5: a
refresh of the facts competes with the writes for the store, and a refresh per batch
at 200 answers a second tripled the answers' p95): answers arriving while a batch is
written make the next batch, so under load a POST waits for at most about two writes,
and alone for one. When a batch fails as a whole, its answers are recorded one by one, so only the
one at fault fails.

Nothing is acknowledged before it is committed, so there is no journal (as the intake
has): an answer the server could not write is an error page, and the person can send
it again. Memory stays bounded: past ``max_waiting`` queued answers a POST gets
:class:`AnswersBusy` (503, ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anyio.to_thread

from ..errors import ServerBusy
from ..store import Store

log = logging.getLogger("sanjeh.web")
#: answers written in one transaction at most (a bigger queue makes several batches)
MAX_BATCH = 500


class AnswersBusy(ServerBusy):
    """Too many answers wait to be written."""


@dataclasses.dataclass(eq=False)
class Pending:
    """One answer waiting for the writer."""

    invitation: Any
    answers: Mapping[str, Any]
    now: dt.datetime
    receipt: str | None = None
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None
    #: called (in the writer's thread) once the answer is written or refused
    notify: Callable[[], None] | None = None


#: ``record_answers(store, batch)``: one result per answer (a receipt, or the error
#: that refused it), in one transaction
RecordMany = Callable[[Store, Sequence[Pending]], Sequence[Any]]


class AnswerWriter:
    """Batches answers into ``record_many`` on a thread of its own (see the module doc)."""

    def __init__(
        self,
        store: Store,
        record_many: RecordMany,
        *,
        wake: Callable[[], None] | None = None,
        max_waiting: int = 5_000,
        timeout: float = 30.0,
        wake_every: float = 0.5,
    ) -> None:
        self.store = store
        self.record_many = record_many
        self.wake = wake or (lambda: None)
        self.max_waiting = max_waiting
        self.timeout = timeout
        self.wake_every = wake_every
        self._woken = -math.inf  # when the refresh was last woken (monotonic)
        self._unseen = False  # written since then
        self._queue: list[Pending] = []
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self.batches = 0  # batches written (for the bench and the tests)
        self.written = 0  # answers recorded

    def start(self) -> None:
        with self._cond:
            if self._thread is not None:
                return
            self._stop = False
            self._thread = threading.Thread(target=self._run, name="sanjeh-answers", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def submit(
        self,
        invitation: Any,
        answers: Mapping[str, Any],
        *,
        now: dt.datetime,
        receipt: str | None = None,
    ) -> Any:
        """Queue one answer and wait until it is written; its receipt, or the error
        that refused it. (Blocking: call it from a worker thread.)"""
        item = Pending(invitation, answers, now, receipt)
        if not self._enqueue(item):  # an app run without its lifespan (tests)
            self._write([item])
            return _outcome(item)
        if not item.done.wait(self.timeout):
            raise _late()
        return _outcome(item)

    async def answer(
        self,
        invitation: Any,
        answers: Mapping[str, Any],
        *,
        now: dt.datetime,
        receipt: str | None = None,
    ) -> Any:
        """:meth:`submit` for the event loop: the request waits without holding a
        worker thread (at 200 answers a second, waiting POSTs took the 40 threads the
        dashboard's requests run on)."""
        loop = asyncio.get_running_loop()
        written: asyncio.Future[None] = loop.create_future()

        def written_now() -> None:  # (in the loop: a request gone after its timeout)
            if not written.done():
                written.set_result(None)

        def wake_request() -> None:
            loop.call_soon_threadsafe(written_now)

        item = Pending(invitation, answers, now, receipt, notify=wake_request)
        if not self._enqueue(item):
            await anyio.to_thread.run_sync(self._write, [item])
            return _outcome(item)
        try:
            await asyncio.wait_for(written, self.timeout)
        except TimeoutError:
            raise _late() from None
        return _outcome(item)

    def _enqueue(self, item: Pending) -> bool:
        """Queue ``item`` for the writer thread; False when there is none."""
        with self._cond:
            if self._thread is None:
                return False
            if len(self._queue) >= self.max_waiting:
                raise AnswersBusy(
                    f"{len(self._queue):,} answers wait to be written; send yours again "
                    "in a second",
                    retry_after=1,
                )
            self._queue.append(item)
            self._cond.notify_all()
        return True

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._woken + self.wake_every - time.monotonic() if self._unseen else None
                self._cond.wait_for(lambda: self._stop or bool(self._queue), due)
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                stopping = self._stop and not self._queue
            if batch:
                self._write(batch)
            self._wake_if_due(now=stopping)
            if stopping:
                return

    def _wake_if_due(self, *, now: bool = False) -> None:
        """Wake the refresh for what was written, unless it was woken less than
        ``wake_every`` ago (then a later round does; ``now``: at once)."""
        at = time.monotonic()
        if not self._unseen or (not now and at - self._woken < self.wake_every):
            return
        self._unseen, self._woken = False, at
        try:
            self.wake()
        except Exception:  # the KPIs catch up with the next refresh instead
            log.exception("answers: could not wake the dashboard's refresh")

    def _write(self, batch: list[Pending]) -> None:
        started = time.monotonic()
        try:
            with self.store.lock:
                results = self.record_many(self.store, batch)
            for item, result in zip(batch, results, strict=True):
                _settle(item, result)
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0], exc)
            else:  # one by one: only the answer at fault fails
                log.warning("answers: a batch of %d failed (%s); one by one", len(batch), exc)
                for item in batch:
                    self._write([item])
                return
        finally:
            for item in batch:
                item.done.set()
                if item.notify is not None:
                    with contextlib.suppress(RuntimeError):  # (its event loop closed)
                        item.notify()
        self.batches += 1
        self.written += sum(1 for item in batch if item.error is None)
        log.debug("answers: %d written in %.1f ms", len(batch), (time.monotonic() - started) * 1e3)
        self._unseen = True
        if self._thread is None:  # (written in the caller's thread: nobody waits to wake)
            self._wake_if_due(now=True)


def _late() -> AnswersBusy:
    return AnswersBusy(
        "the answer could not be written in time; send it again in a moment", retry_after=2
    )


def _settle(item: Pending, result: Any) -> None:
    if isinstance(result, BaseException):
        item.error = result
    else:
        item.result = result


def _outcome(item: Pending) -> Any:
    if item.error is not None:
        raise item.error
    return item.result


__all__ = ["AnswerWriter", "AnswersBusy", "Pending"]
