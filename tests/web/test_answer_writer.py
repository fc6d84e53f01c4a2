"""The answer page's parts on their own: the rate limit's window and the batching
writer (batches, a failing answer alone, a full queue, wakes held to one per interval).
No store is touched: ``record_many`` is the test's."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

from sanjeh.errors import ValidationError
from sanjeh.web._answers import AnswersBusy, AnswerWriter, Pending
from sanjeh.web._rate import RateLimit, TooManyRequests


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_window_and_retry_after() -> None:
    clock = Clock()
    limit = RateLimit(3, 60, "answers from this address", clock=clock)
    for _ in range(3):
        limit.hit("a")
    with pytest.raises(TooManyRequests) as caught:
        limit.hit("a")
    assert caught.value.retry_after == 60
    assert "at most 3 in 1 min" in caught.value.message
    limit.hit("b")  # another key is not held back
    clock.now += 59.5
    with pytest.raises(TooManyRequests) as caught:  # refused hits do not count …
        limit.hit("a")
    assert caught.value.retry_after == 1
    clock.now += 0.5  # … so the oldest leaving the window lets one in
    limit.hit("a")
    assert limit.refused == 2


def test_rate_limit_forgets_the_oldest_keys_past_its_size() -> None:
    limit = RateLimit(1, 60, "x", max_keys=3, clock=Clock())
    for key in "abcd":
        limit.hit(key)
    limit.hit("a")  # "a" was forgotten when "d" came: a flood of keys cannot grow memory


class Store:
    """Stands in for the store: a lock is all the writer takes."""

    lock = threading.RLock()


class Recorder:
    """``record_many``: answers "csat" 1-5, refuses anything else; ``fail_batches``
    makes whole batches of more than one fail (a database hiccup)."""

    def __init__(self, *, slow: float = 0.0, fail_batches: bool = False) -> None:
        self.batches: list[int] = []
        self.slow = slow
        self.fail_batches = fail_batches

    def __call__(self, store: Any, batch: Sequence[Pending]) -> list[Any]:
        self.batches.append(len(batch))
        time.sleep(self.slow)
        if self.fail_batches and len(batch) > 1:
            raise OSError("disk hiccup")
        out: list[Any] = []
        for item in batch:
            score = item.answers.get("csat")
            ok = isinstance(score, int) and 1 <= score <= 5
            out.append(item.invitation if ok else ValidationError("csat", "1 to 5"))
        return out


def submit_many(writer: AnswerWriter, scores: list[Any]) -> list[Any]:
    async def all_at_once() -> list[Any]:
        tasks = [writer.answer(f"inv-{n}", {"csat": s}, now=None) for n, s in enumerate(scores)]  # type: ignore[arg-type]
        return await asyncio.gather(*tasks, return_exceptions=True)

    return asyncio.run(all_at_once())


def test_answers_arriving_together_are_written_in_few_batches() -> None:
    recorder = Recorder(slow=0.05)
    writer = AnswerWriter(Store(), recorder)  # type: ignore[arg-type]
    writer.start()
    try:
        results = submit_many(writer, [4] * 60)
    finally:
        writer.stop()
    assert results == [f"inv-{n}" for n in range(60)]
    assert sum(recorder.batches) == 60
    assert len(recorder.batches) <= 3  # (the first alone, then the rest that waited)
    assert writer.written == 60


def test_a_refused_answer_fails_alone() -> None:
    recorder = Recorder()
    writer = AnswerWriter(Store(), recorder)  # type: ignore[arg-type]
    writer.start()
    try:
        results = submit_many(writer, [5, 9, 3])
    finally:
        writer.stop()
    assert results[0] == "inv-0" and results[2] == "inv-2"
    assert isinstance(results[1], ValidationError)


def test_a_failing_batch_is_retried_one_by_one() -> None:
    recorder = Recorder(slow=0.02, fail_batches=True)
    writer = AnswerWriter(Store(), recorder)  # type: ignore[arg-type]
    writer.start()
    try:
        results = submit_many(writer, [1, 2, 3, 4, 5])
    finally:
        writer.stop()
    assert results == [f"inv-{n}" for n in range(5)]
    assert max(recorder.batches) > 1 and recorder.batches.count(1) >= 5


def test_a_full_queue_is_busy_not_unbounded() -> None:
    entered, gate = threading.Event(), threading.Event()

    def stuck(store: Any, batch: Sequence[Pending]) -> list[Any]:
        entered.set()
        gate.wait(10)
        return [item.invitation for item in batch]

    writer = AnswerWriter(Store(), stuck, max_waiting=2)  # type: ignore[arg-type]
    writer.start()

    async def go() -> list[Any]:
        first = asyncio.create_task(writer.answer("inv-0", {}, now=None))  # type: ignore[arg-type]
        await asyncio.to_thread(entered.wait, 10)  # being written: the queue is empty
        more = [writer.answer(f"inv-{n}", {}, now=None) for n in (1, 2, 3)]  # type: ignore[arg-type]
        found = await asyncio.gather(*more, return_exceptions=True)
        gate.set()
        return [await first, *found]

    try:
        results = asyncio.run(go())
    finally:
        gate.set()
        writer.stop()
    assert results[:3] == ["inv-0", "inv-1", "inv-2"]  # two queued, then written
    assert isinstance(results[3], AnswersBusy) and results[3].retry_after == 1


def test_wakes_are_held_to_one_per_interval_and_the_last_is_not_lost() -> None:
    woken: list[float] = []
    writer = AnswerWriter(
        Store(),  # type: ignore[arg-type]
        Recorder(),
        wake=lambda: woken.append(time.monotonic()),
        wake_every=0.3,
    )
    writer.start()
    try:
        started = time.monotonic()
        for _ in range(10):  # ten batches within ~0.5 s
            submit_many(writer, [3])
            time.sleep(0.05)
        deadline = time.monotonic() + 2
        while (not woken or woken[-1] < started + 0.45) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        writer.stop()
    assert 2 <= len(woken) <= 3, woken
    gaps = [b - a for a, b in itertools.pairwise(woken)]
    assert all(g >= 0.29 for g in gaps), gaps
