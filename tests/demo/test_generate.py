"""generate(): every table filled, deterministic, idempotent, arguments checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from sanjeh.demo import DEFAULT_START, DEMO_TABLES, generate
from sanjeh.errors import ConfigError
from sanjeh.model import TABLES
from sanjeh.store import Store

from ._support import SMALL, Demo


def _contents(store: Store) -> dict[str, pa.Table]:
    return {name: store.table(name).to_pyarrow().sort_by(TABLES[name].key) for name in DEMO_TABLES}


def test_every_canonical_table_is_filled(demo: Demo) -> None:
    written = demo.summary.rows  # the operation's tables, the knowledge base, experiments
    assert set(DEMO_TABLES) <= set(written)
    counts = demo.store.counts(list(written))
    assert all(counts[name] > 0 for name in written), counts
    # every canonical table of source data; analyzer output is left to the analyzers
    assert set(TABLES) - set(written) <= {"auto_scores", "call_speech"}
    assert counts == demo.summary.rows
    assert counts["tickets"] == SMALL
    assert 8 <= demo.summary.events_per_ticket <= 14


def test_summary_describes_the_period(demo: Demo) -> None:
    s = demo.summary
    assert s.start == dt.datetime(2026, 8, 2, 20, 30, tzinfo=dt.UTC)  # 3 Aug, Tehran midnight
    assert s.end == dt.datetime(2026, 10, 31, 20, 30, tzinfo=dt.UTC)  # end of 31 October
    assert dt.date(2026, 8, 3) == DEFAULT_START
    created = demo.tickets.created_at
    assert created.min() >= s.start and created.max() < s.end
    assert demo.events["at"].max() < s.end


def test_same_seed_gives_identical_tables_and_another_seed_differs(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "a.duckdb")) as a, Store.open(str(tmp_path / "b.duckdb")) as b:
        generate(a, tickets=1200, seed=3)
        generate(b, tickets=1200, seed=3)
        first, second = _contents(a), _contents(b)
        for name in DEMO_TABLES:
            assert first[name].equals(second[name]), name
    with Store.open(str(tmp_path / "c.duckdb")) as c:
        generate(c, tickets=1200, seed=4)
        other = _contents(c)
    assert not other["tickets"].equals(first["tickets"])
    assert not other["events"].equals(first["events"])


def test_generating_twice_into_one_store_changes_nothing(duckdb_store: Store) -> None:
    generate(duckdb_store, tickets=600, seed=5)
    before = _contents(duckdb_store)
    again = generate(duckdb_store, tickets=600, seed=5)
    assert all(r.inserted == 0 and r.replaced == 0 for r in again.results.values())
    assert sum(r.unchanged for r in again.results.values()) == sum(again.rows.values())
    after = _contents(duckdb_store)
    assert all(before[name].equals(after[name]) for name in DEMO_TABLES)


def test_a_different_demo_is_refused_and_leaves_the_store_alone(duckdb_store: Store) -> None:
    generate(duckdb_store, tickets=500, seed=1)
    before = _contents(duckdb_store)
    for kwargs in ({"tickets": 500, "seed": 2}, {"tickets": 400, "seed": 1}):
        with pytest.raises(ConfigError, match="already holds a different demo"):
            generate(duckdb_store, **kwargs)
    after = _contents(duckdb_store)
    assert all(before[name].equals(after[name]) for name in DEMO_TABLES)


def test_progress_is_reported_up_to_the_total(duckdb_store: Store) -> None:
    calls: list[tuple[int, int]] = []
    generate(duckdb_store, tickets=300, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (300, 300)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_start_moves_the_period(duckdb_store: Store) -> None:
    summary = generate(duckdb_store, tickets=400, start=dt.date(2025, 1, 4), days=30)
    assert summary.start == dt.datetime(2025, 1, 3, 20, 30, tzinfo=dt.UTC)
    assert summary.end - summary.start == dt.timedelta(days=30)
    created = duckdb_store.table("tickets").created_at.to_pyarrow().to_pylist()
    assert min(created) >= summary.start and max(created) < summary.end


def test_as_of_is_the_last_day(tmp_path: Path) -> None:
    """as_of = the period's last (Tehran) day: 30 days up to 2 Feb 2025 start on 4 Jan,
    and the default period (3 Aug + 90 days) is the one that ends on 31 October."""
    with Store.open(str(tmp_path / "a.duckdb")) as a:
        summary = generate(a, tickets=400, as_of=dt.date(2025, 2, 2), days=30)
        assert summary.start == dt.datetime(2025, 1, 3, 20, 30, tzinfo=dt.UTC)  # 4 Jan 00:00
        assert summary.end == dt.datetime(2025, 2, 2, 20, 30, tzinfo=dt.UTC)  # 3 Feb 00:00
        created = a.table("tickets").created_at.to_pyarrow().to_pylist()
        assert min(created) >= summary.start and max(created) < summary.end
    with Store.open(str(tmp_path / "b.duckdb")) as b, Store.open(str(tmp_path / "c.duckdb")) as c:
        generate(b, tickets=300, seed=2)
        generate(c, tickets=300, seed=2, as_of=dt.date(2026, 10, 31))
        first, second = _contents(b), _contents(c)
        assert all(first[name].equals(second[name]) for name in DEMO_TABLES)


def test_another_last_day_is_refused_naming_the_stored_one(duckdb_store: Store) -> None:
    generate(duckdb_store, tickets=300, seed=1, as_of=dt.date(2026, 11, 30))
    with pytest.raises(ConfigError, match=r"300 demo tickets, the last created on 2026-11-30\)"):
        generate(duckdb_store, tickets=300, seed=1, as_of=dt.date(2026, 12, 1))
    again = generate(duckdb_store, tickets=300, seed=1, as_of=dt.date(2026, 11, 30))
    assert all(r.inserted == 0 and r.replaced == 0 for r in again.results.values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tickets": 0}, "tickets must be"),
        ({"tickets": 2.5}, "tickets must be"),
        ({"days": 3}, "days must be"),
        ({"start": "2026-01-01"}, "start must be a date"),
        ({"as_of": "2026-01-01"}, "as_of must be a date"),
        ({"start": dt.date(2026, 1, 1), "as_of": dt.date(2026, 3, 1)}, "not both"),
    ],
)
def test_bad_arguments_are_refused(duckdb_store: Store, kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        generate(duckdb_store, **kwargs)
