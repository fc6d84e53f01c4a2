"""Requests compute KPIs at the same time; a rebuild waits for them and holds new ones."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from sanjeh.metrics import kpis
from sanjeh.store import Store
from sanjeh.web._source import Gate, Source
from sanjeh.web.views.overview import HEADLINE

WAIT = 10  # seconds: far more than any step here needs


def test_readers_share_the_gate() -> None:
    gate, both_in = Gate(), threading.Barrier(2, timeout=WAIT)

    def read() -> None:
        with gate.read():
            both_in.wait()  # breaks (an error) unless both readers are inside at once

    with ThreadPoolExecutor(2) as pool:
        for f in [pool.submit(read) for _ in range(2)]:
            f.result()


def test_a_writer_waits_for_readers_and_goes_before_new_ones() -> None:
    gate, order = Gate(), []
    reading, writer_waits = threading.Event(), threading.Event()

    def first_reader() -> None:
        with gate.read():
            reading.set()
            assert writer_waits.wait(WAIT)
            time.sleep(0.2)  # the writer and the late reader queue up meanwhile
            order.append("first reader")

    def writer() -> None:
        assert reading.wait(WAIT)
        writer_waits.set()
        with gate.write():
            order.append("writer")

    def late_reader() -> None:
        assert writer_waits.wait(WAIT)
        time.sleep(0.1)  # arrives while the writer waits
        with gate.read():
            order.append("late reader")

    with ThreadPoolExecutor(3) as pool:
        for f in [pool.submit(f) for f in (first_reader, writer, late_reader)]:
            f.result()
    assert order == ["first reader", "writer", "late reader"]


def test_each_thread_reads_on_its_own_cursor(demo_path: Path) -> None:
    store = Store.open(str(demo_path))
    try:
        mine = store.cursor()
        assert store.cursor() is mine
        with ThreadPoolExecutor(1) as pool:
            theirs = pool.submit(store.cursor).result()
        assert theirs is not mine
    finally:
        store.close()


def test_concurrent_requests_and_refreshes_give_the_numbers_of_one_at_a_time(
    demo_path: Path,
) -> None:
    store = Store.open(str(demo_path))
    source = Source(store, refresh_seconds=3600)
    try:
        end = source.dims.last_day
        requests = [
            {"start": end - dt.timedelta(days=20 + i), "end": end - dt.timedelta(days=i)}
            for i in range(8)
        ]
        channel = source.dims.channels[0]
        expected = [
            kpis(
                store,
                list(HEADLINE),
                start=r["start"],
                end=r["end"] + dt.timedelta(days=1),
                filters={"channel": [channel]},
                config=source.config,
            )
            for r in requests
        ]
        stop = threading.Event()

        def refresher() -> int:
            count = 0
            while not stop.wait(0.02):  # (the server's loop waits seconds between)
                source.refresh()
                count += 1
            return count

        with ThreadPoolExecutor(3) as pool:
            refreshes = pool.submit(refresher)
            got = list(
                pool.map(
                    lambda r: source.kpis(HEADLINE, filters=(("channel", (channel,)),), **r),
                    requests,
                )
            )
            stop.set()
            assert refreshes.result() > 0
        for mine, theirs in zip(got, expected, strict=True):
            pd.testing.assert_frame_equal(mine, theirs)
    finally:
        source.stop()
        store.close()


def test_a_check_that_finds_nothing_new_does_not_wait_for_computations(
    demo_path: Path, tmp_path: Path
) -> None:
    """Only a rebuild takes the write gate; the check every few seconds only reads."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(demo_path, path)
    store = Store.open(str(path))
    source = Source(store, refresh_seconds=3600)
    try:
        days = {"start": source.dims.first_day, "end": source.dims.last_day}
        ticket = store.table("tickets").limit(1).to_pyarrow().to_pylist()[0]
        other = next(p for p in ("low", "urgent") if p != ticket["priority"])

        def count() -> float:
            found = source.kpis(("tickets_created",), filters=(("priority", (other,)),), **days)
            return float(found.value.iloc[0])

        before = count()
        with ThreadPoolExecutor(1) as pool:
            with source.gate.read():  # a computation is running
                assert pool.submit(source.refresh).result(timeout=WAIT) is False
            # changed in place: the facts' row counts stay as they were
            store.write("tickets", [{**ticket, "priority": other}])
            with source.gate.read():
                rebuild = pool.submit(source.refresh)
                time.sleep(0.3)
                assert not rebuild.done()  # the rebuild waits for the computation
            assert rebuild.result(timeout=WAIT * 6) is True
        assert count() == before + 1  # not the cached number
    finally:
        source.stop()
        store.close()


def test_a_stream_of_writes_refreshes_at_most_once_per_gap(demo_path: Path) -> None:
    """Intake merges wake the refresh every quarter second under load; each refresh
    empties the cache, so they are spaced ``min_gap`` apart (writes between join)."""
    store = Store.open(str(demo_path))
    source = Source(store, refresh_seconds=3600)
    calls: list[float] = []
    real = source.refresh

    def counted() -> bool:
        calls.append(time.monotonic())
        return real()

    source.refresh = counted  # type: ignore[method-assign]
    source.min_gap = 0.5
    source.start()
    try:
        started = time.monotonic()
        while time.monotonic() - started < 1.2:  # 24 wakes in 1.2 s
            source.wake()
            time.sleep(0.05)
        time.sleep(0.6)  # the last wake's refresh
    finally:
        source.stop()
        store.close()
    assert 2 <= len(calls) <= 4, calls  # (0 s, ≥ 0.5 s, ≥ 1.0 s, and maybe the last wake)
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert min(gaps) >= 0.45, gaps
