"""Time the Ibis business clock on DuckDB: ``python tests/calendar/bench_business_clock.py``.

Not a test (no timing assertions): it prints the best of three runs for 1 M tickets with
three timestamp columns, next to the raw scan of the same columns.
"""

from __future__ import annotations

import sys
import time
from datetime import date

import ibis
import numpy as np
import pyarrow as pa

from sanjeh.calendar import BusinessCalendar, clock_table, with_business_seconds


def _tickets(n: int) -> pa.Table:
    rng = np.random.default_rng(0)
    created = 1_672_531_200 * 10**6 + rng.integers(0, 3 * 365 * 86_400 * 10**6, n)  # 2023-25
    replied = created + rng.integers(0, 3 * 86_400 * 10**6, n)
    solved = replied + rng.integers(0, 10 * 86_400 * 10**6, n)
    ts = pa.timestamp("us", tz="UTC")
    return pa.table(
        {
            "id": np.arange(n),
            "team": rng.choice(["iran", "gulf", "weekdays"], n),
            "created_at": pa.array(created, ts),
            "first_reply_at": pa.array(replied, ts),
            "resolved_at": pa.array(solved, ts),
        }
    )


def _best(con: ibis.BaseBackend, expr: ibis.Table) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        con.to_pyarrow(expr)
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int = 1_000_000) -> None:
    con = ibis.duckdb.connect()
    t = con.create_table("tickets", _tickets(n))
    span = (date(2020, 1, 1), date(2030, 12, 31))
    start = time.perf_counter()
    calendars = {name: BusinessCalendar.preset(name) for name in ("iran", "gulf", "weekdays")}
    one = con.create_table("clock", calendars["iran"].clock_table(*span))
    several = con.create_table("clocks", clock_table(calendars, *span))
    print(f"clock tables (4 calendars x 11 years): {time.perf_counter() - start:.2f} s")
    reply = {"first_reply_bs": ("created_at", "first_reply_at")}
    both = {**reply, "resolution_bs": ("created_at", "resolved_at")}
    cases = {
        "raw scan of the 3 timestamp columns": t.select(
            "id", "created_at", "first_reply_at", "resolved_at"
        ),
        "1 pair, 1 calendar": with_business_seconds(t, reply, one).select("id", *reply),
        "2 pairs (3 columns), 1 calendar": with_business_seconds(t, both, one).select("id", *both),
        "2 pairs, a calendar per team": with_business_seconds(
            t, both, several, calendar="team"
        ).select("id", *both),
        "2 pairs, portable path (no DuckDB epoch)": with_business_seconds(
            t, both, one, duckdb_fast_path=False
        ).select("id", *both),
    }
    for label, expr in cases.items():
        print(f"{label:45s} {_best(con, expr):6.3f} s  ({n:,} rows)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
