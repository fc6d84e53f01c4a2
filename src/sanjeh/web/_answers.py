"""The survey answer writer: an answer posted to ``/s/{invitation_id}`` is acknowledged
once it is checked and on disk, and is in the store a moment later.

Two threads of its own:

- the *checker* takes every answer queued at once (a round): it reads the invitations
  this server does not know yet (one query), checks each answer against its invitation
  as this server knows it (``sanjeh.surveys.prepare_answers``; the states stay in
  memory, so a second answer to a link is judged after the first even before that one is
  in the store), writes the round's accepted answers to the journal (one file, one
  ``fsync``) and answers the round: each request its receipt, or the error that
  refused it (only that answer: a round failing as a whole is redone one by one);
- the *merger* writes what the journal holds into the store (``write_answers``: all
  that waits, in one transaction, at most every ``merge_every`` seconds), removes
  those files and wakes the dashboard's refresh, at most every ``wake_every`` seconds
  (a refresh of the facts competes with the writes).

Why: a POST that waited for its commit took 200-800 ms at 200 answers a second (the
commits share the process, its GIL and the store with the dashboard's refresh and
reads); a journal write is one ``fsync``.

Durability: an acknowledged answer is in a journal file (flushed, renamed into place)
until it is in the store; a server stopped or killed merges the journal first when it
starts again (:meth:`AnswerWriter.start`). A merge that fails is retried, waiting
longer each time (up to :data:`MAX_BACKOFF`); the files stay until it succeeds.
Without a journal (a store in memory) the checker writes each round into the store
before answering.

Several servers over one PostgreSQL store each know the answers they took: two of them
taking an answer for one link in the same moment both record it, and the later merge
wins. Memory stays bounded: past ``max_waiting`` answers queued, or ``max_unmerged``
checked but not in the store yet (a store refusing writes), a POST gets
:class:`AnswersBusy` (503, ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import anyio.to_thread

from .. import surveys
from ..errors import ServerBusy
from ..store import Store
from ._journal import SUFFIX, Names, clear_leftovers, set_bad, write_file

log = logging.getLogger("sanjeh.web")
#: answers checked in one round at most (a bigger queue makes several rounds)
MAX_BATCH = 500
#: invitations whose state the writer keeps in memory (the least recently used go)
KNOWN = 100_000
#: the longest wait between two attempts of a failing merge (seconds)
MAX_BACKOFF = 30.0


class AnswersBusy(ServerBusy):
    """Too many answers wait to be checked or written."""


@dataclasses.dataclass(eq=False)
class Pending:
    """One answer waiting for the checker (the fields ``prepare_answers`` reads)."""

    invitation: Any  # anything with ``invitation_id``
    answers: Mapping[str, Any]
    now: dt.datetime
    receipt: str | None = None
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None
    #: called (in the checker's thread) once the answer is taken or refused
    notify: Callable[[], None] | None = None


class _States:
    """Invitations as this server knows them: read from the store, then as its own
    answers left them. Those with answers not yet in the store are never forgotten (the
    store's copy is older)."""

    def __init__(self, size: int = KNOWN) -> None:
        self.size = size
        self._found: collections.OrderedDict[str, surveys.Invitation] = collections.OrderedDict()
        self._unmerged: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def get(self, invitation_id: str) -> surveys.Invitation | None:
        with self._lock:
            found = self._found.get(invitation_id)
            if found is not None:
                self._found.move_to_end(invitation_id)
            return found

    def missing(self, ids: Iterable[str]) -> list[str]:
        with self._lock:
            return [i for i in ids if i not in self._found]

    def learn(self, found: Iterable[surveys.Invitation]) -> None:
        """States read from the store: kept unless this server knows newer ones."""
        with self._lock:
            for invitation in found:
                self._found.setdefault(invitation.invitation_id, invitation)
            self._trim()

    def took(self, states: Iterable[surveys.Invitation]) -> None:
        """States left by answers journaled, not yet in the store."""
        with self._lock:
            for invitation in states:
                self._found[invitation.invitation_id] = invitation
                self._found.move_to_end(invitation.invitation_id)
                self._unmerged[invitation.invitation_id] += 1
            self._trim()

    def merged(self, ids: Iterable[str]) -> None:
        with self._lock:
            for i in ids:
                self._unmerged[i] -= 1
                if self._unmerged[i] <= 0:
                    del self._unmerged[i]

    def _trim(self) -> None:
        while len(self._found) > self.size:
            oldest = next(iter(self._found))
            if oldest in self._unmerged:
                break  # (merged soon; forgotten by a later trim)
            del self._found[oldest]


@dataclasses.dataclass
class _Journaled:
    path: Path | None
    writes: surveys.AnswerWrites


class AnswerWriter:
    """Checks, journals and writes answers (see the module doc)."""

    def __init__(
        self,
        store: Store,
        *,
        journal: Path | None = None,
        wake: Callable[[], None] | None = None,
        max_waiting: int = 5_000,
        max_unmerged: int = 50_000,
        timeout: float = 30.0,
        wake_every: float = 0.5,
        merge_every: float = 0.1,
    ) -> None:
        self.store = store
        self.journal = journal
        self.wake = wake or (lambda: None)
        self.max_waiting = max_waiting
        self.max_unmerged = max_unmerged
        self.timeout = timeout
        self.wake_every = wake_every
        self.merge_every = merge_every
        self.states = _States()
        self._names = Names()
        self._queue: list[Pending] = []
        self._unmerged: list[_Journaled] = []
        self._unmerged_answers = 0
        self._cond = threading.Condition()
        self._stop_checking = self._stop_merging = False
        self._poked = False  # written without the merger: wake the refresh
        self._checker: threading.Thread | None = None
        self._merger: threading.Thread | None = None
        self._woken = -math.inf  # when the refresh was last woken (monotonic)
        self._unseen = False  # written since then
        self.rounds = 0  # rounds checked (for the bench and the tests)
        self.merges = 0  # transactions written
        self.written = 0  # answers taken

    # -- life ----------------------------------------------------------------------------

    def start(self) -> None:
        """Take in what the journal holds from before, then start both threads."""
        with self._cond:
            if self._checker is not None:
                return
            self._stop_checking = self._stop_merging = False
            self._replay()
            self._checker = threading.Thread(
                target=self._check_loop, name="sanjeh-answers", daemon=True
            )
            self._merger = threading.Thread(
                target=self._merge_loop, name="sanjeh-answers-merge", daemon=True
            )
            self._checker.start()
            self._merger.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Check what is queued, write what is journaled, then stop (a store refusing
        the last writes leaves them in the journal for the next start)."""
        with self._cond:
            self._stop_checking = True
            self._cond.notify_all()
            checker, self._checker = self._checker, None
        if checker is not None:
            checker.join(timeout)
        with self._cond:
            self._stop_merging = True
            self._cond.notify_all()
            merger, self._merger = self._merger, None
        if merger is not None:
            merger.join(timeout)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every answer taken is in the store; False if not within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._unmerged:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    @property
    def waiting(self) -> int:
        """Answers queued to be checked."""
        return len(self._queue)

    @property
    def unmerged(self) -> int:
        """Answers taken (journaled) and not yet in the store."""
        return self._unmerged_answers

    # -- taking an answer ---------------------------------------------------------------

    def known(self, invitation_id: str) -> surveys.Invitation | None:
        """The invitation as this server knows it (None: read it from the store)."""
        return self.states.get(invitation_id)

    def submit(
        self, invitation: Any, answers: Mapping[str, Any], *, now: dt.datetime,
        receipt: str | None = None,
    ) -> Any:  # fmt: skip
        """Queue one answer and wait until it is taken; its receipt, or the error that
        refused it. (Blocking: call it from a worker thread.)"""
        item = Pending(invitation, answers, now, receipt)
        if not self._enqueue(item):  # an app run without its lifespan (tests)
            self._take_in([item])
            return _outcome(item)
        if not item.done.wait(self.timeout):
            raise _late()
        return _outcome(item)

    async def answer(
        self, invitation: Any, answers: Mapping[str, Any], *, now: dt.datetime,
        receipt: str | None = None,
    ) -> Any:  # fmt: skip
        """:meth:`submit` for the event loop: the request waits without holding a
        worker thread (those are the dashboard's)."""
        loop = asyncio.get_running_loop()
        taken: asyncio.Future[None] = loop.create_future()

        def taken_now() -> None:  # (in the loop: a request gone after its timeout)
            if not taken.done():
                taken.set_result(None)

        def wake_request() -> None:
            loop.call_soon_threadsafe(taken_now)

        item = Pending(invitation, answers, now, receipt, notify=wake_request)
        if not self._enqueue(item):
            await anyio.to_thread.run_sync(self._take_in, [item])
            return _outcome(item)
        try:
            await asyncio.wait_for(taken, self.timeout)
        except TimeoutError:
            raise _late() from None
        return _outcome(item)

    def _enqueue(self, item: Pending) -> bool:
        """Queue ``item`` for the checker; False when it does not run."""
        with self._cond:
            if self._checker is None:
                return False
            if len(self._queue) >= self.max_waiting or self._unmerged_answers >= self.max_unmerged:
                waiting = len(self._queue) + self._unmerged_answers
                raise AnswersBusy(
                    f"{waiting:,} answers wait to be written; send yours again in a second",
                    retry_after=1,
                )
            self._queue.append(item)
            self._cond.notify_all()
        return True

    def _check_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop_checking or bool(self._queue))
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                stopping = self._stop_checking and not self._queue
            if batch:
                self._take_in(batch)
            if stopping:
                return

    def _take_in(self, batch: list[Pending]) -> None:
        """One round: check, journal (or without a journal, write), answer each."""
        try:
            try:
                results, writes = self._check(batch)
                if writes:
                    self._keep(writes)
            except Exception as exc:
                if len(batch) == 1:
                    results = [exc]
                else:  # one by one: only the answer at fault fails
                    log.warning("answers: a round of %d failed (%s); one by one", len(batch), exc)
                    for item in batch:
                        self._take_in([item])
                    return
            for item, result in zip(batch, results, strict=True):
                _settle(item, result)
            self.rounds += 1
            self.written += sum(1 for item in batch if item.error is None)
        finally:
            for item in batch:
                item.done.set()
                if item.notify is not None:
                    with contextlib.suppress(RuntimeError):  # (its event loop closed)
                        item.notify()

    def _check(self, batch: list[Pending]) -> tuple[list[Any], surveys.AnswerWrites]:
        ids = list(dict.fromkeys(item.invitation.invitation_id for item in batch))
        missing = self.states.missing(ids)
        if missing:  # (on DuckDB a read of its own, not waiting for a merge)
            self.states.learn(surveys.read_invitations(self.store, missing))
        current = {i: found for i in ids if (found := self.states.get(i)) is not None}
        return surveys.prepare_answers(self.store, batch, current)

    def _keep(self, writes: surveys.AnswerWrites) -> None:
        """Journal what a round writes and hand it to the merger; without a journal (a
        store in memory) or a merger (an app run without its lifespan), write it now."""
        if self.journal is None or self._merger is None:
            self._write_now(writes)
            return
        line = json.dumps({"answers": 1, "writes": writes.to_json()}, ensure_ascii=False)
        path = write_file(self.journal / self._names(), [line.encode() + b"\n"])
        self.states.took(writes.invitations.values())
        with self._cond:
            self._unmerged.append(_Journaled(path, writes))
            self._unmerged_answers += len(writes.invitations)
            self._cond.notify_all()

    def _write_now(self, writes: surveys.AnswerWrites) -> None:
        with self.store.lock:
            surveys.write_answers(self.store, writes)
        self.states.took(writes.invitations.values())
        self.states.merged(writes.invitations)
        self.merges += 1
        self._unseen = True
        if self._merger is None:
            self._wake_if_due(now=True)
        else:  # (the merger wakes the refresh, at most every wake_every)
            with self._cond:
                self._poked = True
                self._cond.notify_all()

    # -- writing into the store -----------------------------------------------------------

    def _replay(self) -> None:
        """What the journal holds from before (a server stopped before writing it), in
        the order it was taken, for the merger."""
        if self.journal is None or not self.journal.is_dir():
            return
        clear_leftovers(self.journal)
        for path in sorted(self.journal.glob("*" + SUFFIX)):
            try:
                lines = path.read_text("utf-8").splitlines()
                found = [surveys.AnswerWrites.from_json(json.loads(x)["writes"]) for x in lines]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                set_bad(path, exc, "survey answers")
                continue
            for writes in found:
                self.states.took(writes.invitations.values())
                self._unmerged.append(_Journaled(path, writes))
                self._unmerged_answers += len(writes.invitations)
        if self._unmerged:
            log.info("answers: %d from the journal go into the store", self._unmerged_answers)

    def _merge_loop(self) -> None:
        backoff = 0.0
        while True:
            with self._cond:
                due = self._woken + self.wake_every - time.monotonic() if self._unseen else None
                self._cond.wait_for(
                    lambda: self._stop_merging or bool(self._unmerged) or self._poked, due
                )
                self._poked = False
                end = time.monotonic() + (backoff or self.merge_every)  # a few more come
                while self._unmerged and not self._stop_merging:
                    if (left := end - time.monotonic()) <= 0:
                        break
                    self._cond.wait(left)
                taken = list(self._unmerged)
                stopping = self._stop_merging
            if taken and not self._merge(taken):
                backoff = min(MAX_BACKOFF, max(2 * backoff, 0.5))
                if stopping:
                    log.error("answers: %d left in the journal for the next start",
                              self._unmerged_answers)  # fmt: skip
                    return
            elif taken:
                backoff = 0.0
            self._wake_if_due(now=stopping)
            if stopping and not self._unmerged:
                return

    def _merge(self, taken: list[_Journaled]) -> bool:
        writes = surveys.AnswerWrites()
        for part in taken:
            writes.add(part.writes)
        started = time.monotonic()
        try:
            with self.store.lock:
                surveys.write_answers(self.store, writes)
        except Exception:
            log.exception("answers: could not write %d into the store; retrying", len(taken))
            return False
        for path in dict.fromkeys(p.path for p in taken if p.path is not None):
            path.unlink(missing_ok=True)
        self.states.merged(i for part in taken for i in part.writes.invitations)
        with self._cond:
            del self._unmerged[: len(taken)]
            self._unmerged_answers -= sum(len(p.writes.invitations) for p in taken)
            self._cond.notify_all()
        self.merges += 1
        self._unseen = True
        log.debug("answers: %d written in %.1f ms", len(writes.invitations),
                  (time.monotonic() - started) * 1e3)  # fmt: skip
        return True

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


def _late() -> AnswersBusy:
    return AnswersBusy(
        "the answer could not be taken in time; send it again in a moment", retry_after=2
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
