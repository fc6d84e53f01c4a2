"""A real DuckDB store with calls, and the committed test recordings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sanjeh.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def truth() -> dict[str, dict]:
    return json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))


def add_calls(store: Store, ids: list[str]) -> None:
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    store.write(
        "calls",
        [
            {"call_id": i, "source": i.split(":")[0], "started_at": at, "outcome": "answered"}
            for i in ids
        ],
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(str(tmp_path / "speech.duckdb")) as s:
        yield s
