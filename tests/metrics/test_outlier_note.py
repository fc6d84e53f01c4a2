"""A mean that one value dominates is flagged, with the mean without it.

Six tickets first answered after 60, 120, 180, 240 and 300 seconds, and one after
100,000,000 s (a Twitter thread answered three years later). Hand-computed:
total 100,000,900 s; mean 16,666,816.7 s; the outlier is 99.999 % of the total;
without it the mean is 900 / 5 = 180 s; the median is (180 + 240) / 2 = 210 s.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sanjeh.metrics import MetricsConfig, kpis
from sanjeh.metrics._notes import human
from sanjeh.store import Store

from .conftest import BACKENDS, loaded_store

T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
WAITS = [60, 120, 180, 240, 300, 100_000_000]


def _load(store: Store, waits: list[int]) -> None:
    tickets, events = [], []
    for i, wait in enumerate(waits):
        tid = f"o:{i}"
        tickets.append({"ticket_id": tid, "source": "o", "created_at": T0, "status": "open"})
        for n, (when, actor) in enumerate(
            [(T0, "customer"), (T0, "customer"), (T0 + dt.timedelta(seconds=wait), "agent")]
        ):
            kind = "created" if n == 0 else "message"
            events.append(
                {
                    "event_id": f"{tid}-{n}",
                    "ticket_id": tid,
                    "at": when,
                    "kind": kind,
                    "actor_type": actor,
                    "actor_id": f"o:{actor}",
                    "public": True,
                }
            )
    store.write("tickets", tickets)
    store.write("events", events)


@pytest.fixture(scope="module", params=BACKENDS)
def skewed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with loaded_store(request.param, tmp_path_factory, lambda s: _load(s, WAITS)) as store:
        yield store


@pytest.fixture(scope="module", params=BACKENDS)
def even(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    with loaded_store(request.param, tmp_path_factory, lambda s: _load(s, WAITS[:5])) as store:
        yield store


def frt(store: Store):
    df = kpis(store, ["first_reply_time"], config=MetricsConfig(), hours="calendar")
    return df.iloc[0]


def test_a_dominated_mean_is_flagged(skewed: Store) -> None:
    row = frt(skewed)
    assert (row.n, row.value) == (6, 210.0)
    assert row["mean"] == pytest.approx(100_000_900 / 6)
    assert row.note == (
        f"one value ({human('seconds', 1e8)}) is 100% of the total: it dominates the mean "
        f"({human('seconds', 100_000_900 / 6)}); without it the mean is 3.0m, the median 3.5m"
    )
    assert human("seconds", 1e8) == "1,157.4d"


def test_an_even_mean_is_not(even: Store) -> None:
    row = frt(even)
    assert (row.n, row.value) == (5, 180.0)
    assert row.note is None
