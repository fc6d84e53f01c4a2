"""The intake API under load: how long a POST waits for its acknowledgement, and whether
every acknowledged event reaches the store.

    python bench/intake.py                                 # 3,000 demo tickets, 500/s for 20 s
    python bench/intake.py --rate 500 --seconds 60 --readers 8 --tickets 100000

1. A demo store (generated into --db when that file has no tickets yet) and a manager
   with an API token issued with --write; the dashboard in its own process
   (``sanjeh.web.serve``, as ``sanjeh serve`` runs it).
2. One client sends --single events one after another (each POST one event): the ack
   latency of a quiet server.
3. Single-event POSTs are sent at --rate per second, each at its due time without
   waiting for the others (one event loop, a connection each: ``_common.OpenLoop``; "sent
   late" says whether the generator kept up), for --seconds, while --readers clients read
   the overview (every 0.2 s, a new date range each time, so that they compute).
4. The server is stopped (its intake merges what is queued first) and the events are
   counted in the store: every one acknowledged must be there.

Bar (#18): p95 acknowledgement under 100 ms at 500 events/s, no event lost. The exit
status is 1 when it is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from _common import OpenLoop, loopback_addresses, report, start_server
from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web._server import free_port

BAR_MS = 100.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0


def prepare(db: Path, tickets: int) -> tuple[str, list[str], dt.date]:
    """The store (generated once), a write token, some ticket ids and the data's last day."""
    with Store.open(str(db)) as store:
        if int(store.con.execute(store.table("tickets").count())) == 0:
            generate(store, tickets=tickets, seed=7, transcripts=False)
        accounts = Accounts(store)
        if not any(u.username == "intake-bench" for u in accounts.users()):
            accounts.add_user(LOCAL_ADMIN, "intake-bench", "intake bench password", "manager")
        token = accounts.issue_token(LOCAL_ADMIN, "intake-bench", "bench", write=True)
        t = store.table("tickets")
        ids = t.select("ticket_id").limit(200).to_pyarrow().column(0).to_pylist()
        last = t.created_at.max().execute()
    return token, [str(i) for i in ids], last.date()


def event(run: str, n: int, ticket: str, at: dt.datetime) -> dict[str, Any]:
    return {
        "event_id": f"bench-{run}-{n}",
        "ticket_id": ticket,  # (namespaced already: kept)
        "at": at.isoformat(),
        "kind": "message",
        "actor_type": "customer",
        "body": "سلام، پیگیری سفارش ۱۲۳ لطفاً",
    }


class Sender:
    """Single-event POSTs; ``latencies`` in ms of those answered 202."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.accepted = 0

    def send(self, body: dict[str, Any]) -> None:
        started = time.perf_counter()
        r = self.client.post("/api/events", json=body)
        took = (time.perf_counter() - started) * 1000
        self.statuses[r.status_code] = self.statuses.get(r.status_code, 0) + 1
        if r.status_code == 202:
            self.latencies.append(took)
            self.accepted += r.json()["accepted"]


class Loaded(OpenLoop):
    """Single-event POSTs at a steady rate (``OpenLoop``); ``accepted``: events taken."""

    def __init__(
        self, base: str, token: str, run: str, tickets: list[str], at: dt.datetime, first: int
    ) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        super().__init__(base, loopback_addresses(32), headers)
        self.run_id, self.tickets, self.at, self.first = run, tickets, at, first
        self.accepted = 0

    async def send(self, n: int) -> None:
        k = self.first + n
        body = json.dumps(event(self.run_id, k, self.tickets[k % len(self.tickets)], self.at))
        status, answer = await self.post(n, "/api/events", body.encode(), "application/json")
        if status == 202:
            self.accepted += json.loads(answer)["accepted"]


def reader(
    base: str,
    token: str,
    last: dt.date,
    stop: threading.Event,
    out: list[float],
    *,
    think: float = 0.2,
    new_every: int = 1,
) -> None:
    """Read the overview every ``think`` seconds, a date range not asked before (so
    computed) every ``new_every``-th time, else the last one (cached, unless the data
    changed meanwhile); ``out`` gets each answer's ms."""
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    days, n = 7, 0
    while not stop.is_set():
        start = last - dt.timedelta(days=days % 90)
        began = time.perf_counter()
        r = client.get("/api/overview", params={"start": start, "end": last})
        if r.status_code == 200:
            out.append((time.perf_counter() - began) * 1000)
        elif r.status_code == 503:
            time.sleep(float(r.headers.get("Retry-After", "1")))
        n += 1
        if n % new_every == 0:
            days += 1
        time.sleep(think)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--db", type=Path, help="store file to use (generated if empty)")
    parser.add_argument("--single", type=int, default=300, help="events sent one by one")
    parser.add_argument("--rate", type=float, default=500.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--readers", type=int, default=8)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sanjeh-intake-bench-"))
    db = args.db or folder / "intake.duckdb"
    token, tickets, last = prepare(db, args.tickets)
    at = dt.datetime.combine(last, dt.time(12), dt.UTC)
    run = dt.datetime.now().strftime("%H%M%S")
    port = free_port("127.0.0.1")
    server = start_server(db, port, env={"SANJEH_CONFIG": str(_config(folder))})
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        quiet = Sender(base, token)
        for n in range(args.single):
            quiet.send(event(run, n, tickets[n % len(tickets)], at))
        rows.append(_row("one at a time", quiet, args.single, None))

        total = int(args.rate * args.seconds)
        loaded = Loaded(base, token, run, tickets, at, args.single)
        stop, reads = threading.Event(), []  # type: ignore[var-annotated]
        readers = [
            threading.Thread(target=reader, args=(base, token, last, stop, reads), daemon=True)
            for _ in range(args.readers)
        ]
        for t in readers:
            t.start()
        took = asyncio.run(loaded.run(total, args.rate, loaded.send))
        stop.set()
        merged = Sender(base, token)
        merged.latencies = loaded.latencies.get(202, [])
        merged.accepted = loaded.accepted
        merged.statuses = {k: len(v) for k, v in loaded.latencies.items()}
        row = _row(f"{args.rate:g}/s, {args.readers} readers", merged, total, took, reads)
        row["sent late p95 ms"] = round(percentile(loaded.late, 95), 1)
        rows.append(row)
    finally:
        server.send_signal(signal.SIGINT)  # a clean stop: the intake merges what is queued
        server.wait(timeout=120)
    with Store.open(str(db)) as store:
        t = store.table("events")  # (bare ids: namespaced with the default source, api)
        stored = int(t.filter(t.event_id.startswith(f"api:bench-{run}-")).count().execute())
    acknowledged = quiet.accepted + merged.accepted
    for row in rows:
        row["stored (all runs)"] = stored
    report("intake", rows)
    print(f"acknowledged {acknowledged:,}, in the store {stored:,}, lost {acknowledged - stored:,}")
    missed = rows[-1]["p95 ms"] > BAR_MS or stored != acknowledged
    raise SystemExit(1 if missed else 0)


def _row(
    name: str,
    sender: Sender,
    sent: int,
    seconds: float | None,
    reads: list[float] | None = None,
) -> dict[str, Any]:
    lat = sender.latencies
    return {
        "run": name,
        "sent": sent,
        "202": sender.statuses.get(202, 0),
        "other": sum(v for k, v in sender.statuses.items() if k != 202),
        "per s": round(sent / seconds, 1) if seconds else "",
        "p50 ms": round(percentile(lat, 50), 1),
        "p95 ms": round(percentile(lat, 95), 1),
        "max ms": round(max(lat, default=0), 1),
        "reads p95 ms": round(percentile(reads or [], 95), 1) if reads else "",
        "load": round(os.getloadavg()[0], 1),
    }


def _config(folder: Path) -> Path:
    path = folder / "sanjeh.toml"
    path.write_text("[web]\nintake_queue_rows = 50000\n")
    return path


if __name__ == "__main__":
    main()
