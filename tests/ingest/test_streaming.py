"""Formats that need whole-file state (thread tops, ticket roll-ups, the previous row of
an SR) give the same result whether a file arrives in one chunk or in many small ones,
and whatever the order of its rows within a chunk."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sanjeh.ingest import import_file
from sanjeh.ingest.formats import _base
from sanjeh.store import Store

from ._support import REAL, rows

_read_raw = _base.read_raw


def _in_pieces(size: int) -> Any:
    """A ``read_raw`` that hands each chunk on in pieces of ``size`` rows."""

    def read_raw(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for table, numbers, rejects in _read_raw(*args, **kwargs):
            for start in range(0, max(table.num_rows, 1), size):
                yield (
                    table.slice(start, size),
                    np.asarray(numbers)[start : start + size],
                    rejects if start == 0 else [],
                )

    return read_raw


def _content(store: Store, table: str, drop: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(str(v) for k, v in sorted(r.items()) if k not in drop) for r in rows(store, table)
    )


@pytest.mark.parametrize("name", ["helpdesk_log", "twcs", "volvo", "anonbank"])
def test_small_chunks_give_the_same_tables(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = shared_data / REAL[name]
    with Store.open(str(tmp_path / "whole.duckdb")) as whole:
        import_file(whole, path)
        expected = {t: _content(whole, t) for t in ("tickets", "events", "calls", "agents")}
    monkeypatch.setattr(_base, "read_raw", _in_pieces(37))
    with Store.open(str(tmp_path / "pieces.duckdb")) as pieces:
        import_file(pieces, path)
        for table, content in expected.items():
            assert _content(pieces, table) == content, table


def test_volvo_rows_in_any_order(tmp_path: Path, shared_data: Path) -> None:
    """The published log is grouped by SR and sorted by time; a shuffled copy (SRs spread
    over the file) gives the same timeline, because changes are found in time order."""
    src = shared_data / REAL["volvo"]
    header, *lines = src.read_bytes().split(b"\n")
    lines = [line for line in lines if line.strip()]
    random.Random(7).shuffle(lines)
    shuffled = tmp_path / "volvo_shuffled.csv"
    shuffled.write_bytes(b"\n".join([header, *lines]) + b"\n")
    results = []
    for i, path in enumerate((src, shuffled)):
        with Store.open(str(tmp_path / f"{i}.duckdb")) as store:
            import_file(store, path)
            # event ids carry the row number, which the shuffle changed
            results.append(
                (_content(store, "events", drop=("event_id",)), _content(store, "tickets"))
            )
    assert results[0][0] == results[1][0]
    # tickets agree too, except for the row each was first seen on (not stored)
    assert results[0][1] == results[1][1]


def test_anonbank_duplicate_call_across_chunks(
    duckdb_store: Store, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = (shared_data / REAL["anonbank"]).read_text().splitlines()[:60]
    path = tmp_path / "calls_1999-08-01.csv"
    path.write_text("\n".join([*lines, lines[5]]) + "\n")  # row 61 repeats row 6
    monkeypatch.setattr(_base, "read_raw", _in_pieces(10))
    summary = import_file(duckdb_store, path)
    (reject,) = rows(duckdb_store, "import_rejects")
    assert (reject["row"], reject["field"]) == (61, "call_id")
    assert "duplicate" in reject["reason"]
    assert summary.tables["calls"].inserted == 59
