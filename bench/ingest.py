"""Ingest benchmark: Sanjeh's import vs DuckDB's own loader, same files, same run.

    python bench/ingest.py [--events 1000000]

Writes a CSV and a Parquet file of canonical events, then times
(a) DuckDB ``CREATE TABLE … AS SELECT * FROM read_csv / read_parquet`` into a new
DuckDB file, and (b) ``sanjeh.ingest.import_file`` (validation, namespacing,
quarantine, idempotent merge) into a new Sanjeh store. Target: (b) within 2× of (a).
Also times a second import of the same file (nothing changes) to show re-imports
are cheap.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from _common import peak_rss_mb, report, timed
from sanjeh.ingest import import_file
from sanjeh.store import Store

BODIES = np.array(
    [
        "سلام، وقت بخیر. سفارش من هنوز نرسیده است.",
        "ممنون از صبر شما، پیگیری می‌کنم و تا ساعت ۱۴ خبر می‌دهم.",
        "مرحبا، لم أستلم طلبي حتى الآن.",
        "Hi, I was charged twice for the same order.",
        "Thanks, that fixed it!",
        None,
    ],
    dtype=object,
)


def make_events(n: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    tickets = n // 10
    ticket = np.sort(rng.integers(0, tickets, n))
    base = np.datetime64("2026-01-01T00:00:00", "s") + rng.integers(0, 86400 * 300, tickets)
    at = base[ticket] + rng.integers(0, 86400 * 3, n).astype("timedelta64[s]")
    kinds = np.array(["created", "message", "status", "assign"])
    actors = np.array(["customer", "agent", "bot", "system"])
    return pa.table(
        {
            "event_id": pa.array([f"e{i}" for i in range(n)]),
            "ticket_id": pa.array([f"t{t}" for t in ticket]),
            "at": pa.array(at.astype("datetime64[us]")).cast(pa.timestamp("us", tz="UTC")),
            "kind": pa.array(kinds[rng.integers(0, 4, n)]),
            "actor_type": pa.array(actors[rng.integers(0, 4, n)]),
            "actor_id": pa.array([f"a{x}" for x in rng.integers(0, 200, n)]),
            "public": pa.array(rng.random(n) > 0.1),
            "body": pa.array(BODIES[rng.integers(0, len(BODIES), n)], pa.string()),
        }
    )


def native_load(path: Path, workdir: Path) -> int:
    db = workdir / "native.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    con.execute(f"CREATE TABLE events AS SELECT * FROM {reader}('{path}')")
    n = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()
    return int(n)


def sanjeh_load(path: Path, workdir: Path, again: bool = False) -> tuple[int, int]:
    db = workdir / "sanjeh.duckdb"
    if not again:
        db.unlink(missing_ok=True)
    with Store.open(str(db)) as store:
        s = import_file(store, path, format="events")
        return s.tables["events"].inserted, s.tables["events"].unchanged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="sanjeh-bench-"))
    try:
        table = make_events(args.events)
        csv_path, pq_path = workdir / "events.csv", workdir / "events.parquet"
        pcsv.write_csv(table, csv_path)
        pq.write_table(table, pq_path)
        rows = []
        for path in (csv_path, pq_path):
            t_native, n_native = timed(lambda p=path: native_load(p, workdir), args.repeat)
            t_ours, (inserted, _) = timed(lambda p=path: sanjeh_load(p, workdir), args.repeat)
            t_again, (_, unchanged) = timed(lambda p=path: sanjeh_load(p, workdir, True), 1)
            assert n_native == inserted == unchanged == args.events, (n_native, inserted)
            rows.append(
                {
                    "file": path.suffix[1:],
                    "events": args.events,
                    "MB": round(path.stat().st_size / 1e6, 1),
                    "duckdb_s": t_native,
                    "sanjeh_s": t_ours,
                    "sanjeh_ev_per_s": int(args.events / t_ours),
                    "ratio": round(t_ours / t_native, 2),
                    "target": "≤ 2.0",
                    "reimport_s": t_again,
                }
            )
        report("ingest", rows)
        print(f"peak RSS {peak_rss_mb():,.0f} MB")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
