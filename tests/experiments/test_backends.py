"""assign and results on every backend (DuckDB; PostgreSQL when one answers): the same
figures from the same demo data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from sanjeh.demo import generate
from sanjeh.experiments import Experiment, assign, results, variant_for
from sanjeh.store import Store

HASHED = Experiment(
    name="hashed",
    variants=("a", "b"),
    assignment="hash",
    metric="csat",
    guardrails=("resolution_time", "reopen", "fcr", "first_reply_time", "handle_time"),
    start=dt.date(2026, 9, 1),
)
TABLE = Experiment(
    name="tabled", variants=("a", "b"), metric="reopen", start=dt.date(2026, 8, 1), seed="x"
)
#: the figures on DuckDB, compared on PostgreSQL
SEEN: dict[str, Any] = {}


def _figures(found: dict[str, Any]) -> list[Any]:
    out: list[Any] = [found["assigned"], found["status"]]
    for block in (found["primary"], *found["guardrails"]):
        out += [(v["variant"], v["n"], v.get("pending"), v["value"]) for v in block["variants"]]
        out += [(c["p_value"], c["test"]) for c in block["comparisons"]]
    return out


def test_assign_and_results(store: Store) -> None:
    generate(store, tickets=800, seed=3, transcripts=False, experiments=False)
    ids = sorted(store.table("tickets").ticket_id.execute())[-300:]
    rows = assign(store, TABLE, ids, at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    assert [r["variant"] for r in rows] == [variant_for(TABLE, t) for t in ids]
    assert all(r["created"] and r["assigned_at"] == "2026-10-01T00:00:00Z" for r in rows)
    again = assign(store, TABLE, ids[:5])
    assert not any(r["created"] for r in again)
    assert [r["assigned_at"] for r in again] == ["2026-10-01T00:00:00Z"] * 5
    hashed = results(store, HASHED).as_dict()
    tabled = results(store, TABLE).as_dict()
    json.dumps([hashed, tabled], allow_nan=False)
    assert sum(tabled["assigned"].values()) <= 300
    assert sum(tabled["assigned"].values()) >= 290  # (a few merged duplicates)
    backend = store.backend
    figures = [_figures(hashed), _figures(tabled)]
    if backend == "duckdb":
        SEEN["figures"] = figures
    elif "figures" in SEEN:  # PostgreSQL: the same figures (floats to 1e-9)
        for ours, theirs in zip(_flat(figures), _flat(SEEN["figures"]), strict=True):
            if isinstance(ours, float):
                assert ours == pytest.approx(theirs, rel=1e-9)
            else:
                assert ours == theirs


def _flat(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flat(v)]
    if isinstance(value, dict):
        return [x for k in sorted(value) for x in _flat([k, value[k]])]
    return [value]
