"""The answer page's parts on their own: the rate limit's window, and the answer writer
on a real store (a small demo and a CSAT survey sent through the library): rounds, a
refused answer alone, a second answer judged before the first is in the store, the
journal surviving a crash, a store refusing writes, a full queue, wakes held to one per
interval."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sanjeh import surveys
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web._answers import AnswersBusy, AnswerWriter
from sanjeh.web._rate import RateLimit, TooManyRequests

from .surveysupport import send_csat


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


@dataclasses.dataclass(frozen=True)
class Link:
    invitation_id: str


class Setup:
    """A store with 300 CSAT invitations; each test takes links of its own."""

    def __init__(self, path: Path, ids: list[str], now: dt.datetime) -> None:
        self.path, self.ids, self.now = path, ids, now
        self.store = Store.open(str(path))

    def take(self, n: int) -> list[str]:
        taken, self.ids = self.ids[:n], self.ids[n:]
        return taken

    def answered(self, ids: list[str]) -> dict[str, float | None]:
        """The stored CSAT score of each of ``ids`` that is answered."""
        with self.store.lock:
            r = self.store.table("survey_responses")
            found = r.filter(r.invitation_id.isin(ids) & r.submitted_at.notnull())
            rows = found.select("invitation_id", "score").to_pyarrow().to_pylist()
        return {row["invitation_id"]: row["score"] for row in rows}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("answer-writer")
    path = folder / "writer.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=200, seed=3)
        sent, now = send_csat(store, folder / "outbox.jsonl", 300, ("fa", "en"), "http://t")
    ids = [urlsplit(item["link"]).path.rsplit("/", 1)[1] for item in sent]
    found = Setup(path, ids, now)
    yield found
    found.store.close()


def writer_for(setup: Setup, journal: Path, **options: Any) -> AnswerWriter:
    writer = AnswerWriter(setup.store, journal=journal, **options)
    writer.start()
    return writer


def answer_all(writer: AnswerWriter, setup: Setup, answers: list[tuple[str, Any]]) -> list[Any]:
    """Every (invitation id, score) posted at once; each one's receipt or error."""
    at = setup.now + dt.timedelta(minutes=5)

    async def all_at_once() -> list[Any]:
        tasks = [writer.answer(Link(i), {"csat": s}, now=at) for i, s in answers]
        return await asyncio.gather(*tasks, return_exceptions=True)

    return asyncio.run(all_at_once())


def test_answers_arriving_together_are_taken_in_few_rounds(setup: Setup, tmp_path: Path) -> None:
    writer = writer_for(setup, tmp_path / "journal")
    ids = setup.take(60)
    try:
        results = answer_all(writer, setup, [(i, "4") for i in ids])
        assert all(isinstance(r, surveys.AnswerReceipt) for r in results), results[:3]
        assert [r.invitation_id for r in results] == ids
        assert writer.rounds <= 3  # (the first alone, then the rest that waited)
        assert writer.flush()
    finally:
        writer.stop()
    assert setup.answered(ids) == dict.fromkeys(ids, 4.0)
    assert writer.written == 60 and writer.merges <= writer.rounds
    assert not list((tmp_path / "journal").glob("*.jsonl"))  # written, so gone


def test_a_refused_answer_fails_alone(setup: Setup, tmp_path: Path) -> None:
    writer = writer_for(setup, tmp_path / "journal")
    ids = setup.take(3)
    try:
        results = answer_all(writer, setup, list(zip(ids, ["5", "9", "3"], strict=True)))
        assert writer.flush()
    finally:
        writer.stop()
    assert isinstance(results[1], surveys.InvalidAnswer)
    assert setup.answered(ids) == {ids[0]: 5.0, ids[2]: 3.0}


def test_a_second_answer_is_judged_after_the_first_before_it_is_in_the_store(
    setup: Setup, tmp_path: Path
) -> None:
    writer = writer_for(setup, tmp_path / "journal", merge_every=3600)  # (no merge till stop)
    [one] = setup.take(1)
    try:
        [first] = answer_all(writer, setup, [(one, "2")])
        [second] = answer_all(writer, setup, [(one, "5")])  # within the grace period
        assert setup.answered([one]) == {}  # journaled, not yet in the store
        late = setup.now + dt.timedelta(hours=3)  # past the grace period
        with pytest.raises(surveys.AlreadyAnswered):
            writer.submit(Link(one), {"csat": "1"}, now=late)
    finally:
        writer.stop()  # (writes what it took)
    assert not first.updated and second.updated
    assert setup.answered([one]) == {one: 5.0}


def test_acknowledged_answers_survive_a_crash(setup: Setup, tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    crashed = writer_for(setup, journal, merge_every=3600)  # never merges before "dying"
    ids = setup.take(5)
    results = answer_all(crashed, setup, [(i, "3") for i in ids])
    assert all(isinstance(r, surveys.AnswerReceipt) for r in results)
    assert setup.answered(ids) == {} and len(list(journal.glob("*.jsonl"))) >= 1
    (journal / ".00000000000000000001.jsonl.tmp").write_text("cut short")  # never acknowledged
    (journal / "00000000000000000002.jsonl").write_text("{not json")  # (a damaged disk)
    again = writer_for(setup, journal)  # the next start: the journal goes in first
    try:
        assert again.flush()
        assert again.known(ids[0]) is not None and again.known(ids[0]).status == "answered"
    finally:
        again.stop()
    assert setup.answered(ids) == dict.fromkeys(ids, 3.0)
    assert sorted(p.name for p in journal.iterdir()) == ["00000000000000000002.bad"]
    crashed.stop()  # (its own merge comes late: writing the same again changes nothing)
    assert setup.answered(ids) == dict.fromkeys(ids, 3.0)


def test_a_store_refusing_writes_keeps_the_answers_and_retries(
    setup: Setup, tmp_path: Path
) -> None:
    writer = writer_for(setup, tmp_path / "journal", merge_every=0.02)
    ids = setup.take(4)
    con = setup.store.con
    with setup.store.lock:
        con.raw_sql('ALTER TABLE "survey_responses" RENAME TO "survey_responses_away"')
    try:
        results = answer_all(writer, setup, [(i, "1") for i in ids[:2]])
        assert all(isinstance(r, surveys.AnswerReceipt) for r in results)  # taken all the same
        assert not writer.flush(timeout=0.8)  # the merge fails and is retried
        # journaled meanwhile: one file per round taken (two when a busy machine lets the
        # writer take the two answers in two rounds)
        journaled = list((tmp_path / "journal").glob("*.jsonl"))
        assert writer.unmerged == 2 and 1 <= len(journaled) <= 2
    finally:
        with setup.store.lock:
            con.raw_sql('ALTER TABLE "survey_responses_away" RENAME TO "survey_responses"')
    try:
        assert writer.flush(timeout=5)  # the next attempt succeeds
    finally:
        writer.stop()
    assert setup.answered(ids) == dict.fromkeys(ids[:2], 1.0)


def test_a_full_queue_is_busy_not_unbounded(setup: Setup, tmp_path: Path) -> None:
    writer = AnswerWriter(setup.store, journal=None, max_waiting=2)  # (written, then taken)
    writer.start()
    ids = setup.take(4)
    at = setup.now + dt.timedelta(minutes=5)

    async def go() -> list[Any]:
        first = asyncio.create_task(writer.answer(Link(ids[0]), {"csat": "4"}, now=at))
        await asyncio.sleep(0.2)
        assert writer.waiting == 0  # the checker took it, and waits to write it
        more = [writer.answer(Link(i), {"csat": "4"}, now=at) for i in ids[1:]]
        found = asyncio.gather(*more, return_exceptions=True)
        await asyncio.sleep(0.2)
        setup.store.lock.release()  # the store is free again
        return [await first, *(await found)]

    setup.store.lock.acquire()  # a long write elsewhere: the checker cannot write
    try:
        results = asyncio.run(go())
    finally:
        if setup.store.lock._is_owned():  # type: ignore[attr-defined]
            setup.store.lock.release()
        writer.stop()
    assert [type(r).__name__ for r in results[:3]] == ["AnswerReceipt"] * 3
    assert isinstance(results[3], AnswersBusy) and results[3].retry_after == 1


def test_wakes_are_held_to_one_per_interval_and_the_last_is_not_lost(
    setup: Setup, tmp_path: Path
) -> None:
    woken: list[float] = []
    writer = writer_for(
        setup, tmp_path / "journal", wake=lambda: woken.append(time.monotonic()), wake_every=0.3
    )
    ids = setup.take(10)
    try:
        started = time.monotonic()
        for i in ids:  # ten rounds within ~0.5 s
            answer_all(writer, setup, [(i, "3")])
            time.sleep(0.05)
        assert writer.flush()
        last_written = time.monotonic()
        deadline = last_written + 2  # the last write's wake comes within wake_every
        while (not woken or woken[-1] < last_written) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert started + 0.45 <= woken[-1]
    finally:
        writer.stop()
    assert 2 <= len(woken) <= 3, woken
    gaps = [b - a for a, b in itertools.pairwise(woken)]
    assert all(g >= 0.29 for g in gaps), gaps


def test_without_a_journal_an_answer_is_in_the_store_when_acknowledged(setup: Setup) -> None:
    writer = AnswerWriter(setup.store, journal=None)
    writer.start()
    [one] = setup.take(1)
    try:
        [receipt] = answer_all(writer, setup, [(one, "5")])
        assert isinstance(receipt, surveys.AnswerReceipt)
        assert setup.answered([one]) == {one: 5.0}  # no flush needed
    finally:
        writer.stop()
