"""Dashboard benchmark: page latency under concurrent load, beside the KPI query time.

    python bench/web.py --tickets 100000              # quick: 100 k demo tickets
    python bench/web.py --tickets 1000000 --db big.duckdb   # 1 M (reuses big.duckdb)

1. A demo store (generated into --db when that file has no tickets yet) with facts built.
2. The KPI queries behind the overview (headline totals + daily trend) and the agent
   and team leaderboards, timed with ``sanjeh.metrics.kpis`` directly (one at a time,
   templates compiled by the first of three runs): the cost of a page whose results
   are not cached yet.
3. The dashboard in its own process (``sanjeh.web.serve``), loaded from this process:
   - cold: the first request for each page and filter variant (a cache miss: the view
     model is computed from the facts), then the same filters in the other language
     (the KPI results are cached, the page is laid out anew);
   - warm: CONCURRENCY threads requesting the overview and agents pages (HTML, fa and
     en, every filter variant) for REQUESTS requests — what people opening and sharing
     dashboards get once a view has been computed since the last data change;
   - uncached: views nobody asked for before (a channel or team over date ranges not
     seen yet), one at a time and two at a time — what a manager exploring filters
     gets. The SQL of each query shape was compiled by the cold phase (the server's
     warm-up does it too), so this is the cost of running the KPI queries over the
     facts, not of compiling them.
Target: p95 under 300 ms at 1 M tickets.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from _common import report, start_server
from sanjeh.demo import generate
from sanjeh.metrics import ensure_facts, kpis
from sanjeh.store import Store
from sanjeh.web._server import free_port
from sanjeh.web.views.agents import BOARD
from sanjeh.web.views.overview import HEADLINE

PAGES = {"overview": "/", "agents": "/agents"}
LEAN = {"stats": False, "compare": False}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def prepare(db: Path, tickets: int) -> tuple[dict[str, float], list[str], list[str]]:
    """Store with facts; KPI query timings; the channels and teams to filter by."""
    timings: dict[str, float] = {}
    with Store.open(str(db)) as store:
        have = int(store.con.execute(store.table("tickets").count()))
        if have == 0:
            began = time.perf_counter()
            generate(store, tickets=tickets, seed=42)
            timings["generate_s"] = time.perf_counter() - began
            have = tickets
        began = time.perf_counter()
        info = ensure_facts(store)
        timings["facts_s" if info.rebuilt else "facts_check_s"] = time.perf_counter() - began
        timings["tickets"] = have
        ft = store.con.table("facts_tickets")
        last = (
            dt.datetime(1970, 1, 1)
            + dt.timedelta(seconds=float(store.con.execute(ft.created_local.max())))
        ).date()
        start, end = last - dt.timedelta(days=27), last + dt.timedelta(days=1)
        for name, call in {
            # what the pages ask for: the numbers they show (see views/_common.py)
            "kpi_overview_s": lambda: (
                kpis(store, list(HEADLINE), start=start, end=end, stats=False),
                kpis(store, list(HEADLINE), start=start, end=end, period="day", **LEAN),
            ),
            "kpi_agents_s": lambda: [
                kpis(store, list(BOARD), start=start, end=end, by=by, **LEAN)
                for by in ("agent", "team")
            ],
        }.items():
            runs = []
            for _ in range(3):
                began = time.perf_counter()
                call()
                runs.append(time.perf_counter() - began)
            timings[name] = statistics.median(runs)
        channels = sorted(ft.channel.name("v").as_table().distinct().to_pandas().v.dropna())
        teams = sorted(store.table("teams").team_id.to_pandas().dropna())
    timings["last_day"] = last.toordinal()
    return timings, channels, teams


def variants(channels: list[str], teams: list[str], lang: str) -> list[str]:
    """Query strings people would share: no filter, every channel, every team."""
    filters = ["", *[f"channel={c}" for c in channels], *[f"team={t}" for t in teams]]
    return [f"lang={lang}" + (f"&{f}" if f else "") for f in filters]


def unseen(channels: list[str], teams: list[str], last: dt.date, count: int) -> list[str]:
    """Query strings not requested before: a filter over a 28-day range ending earlier."""
    filters = [*[f"channel={c}" for c in channels], *[f"team={t}" for t in teams]]
    out = []
    for i in range(count):
        end = last - dt.timedelta(days=1 + i // len(filters))
        start = end - dt.timedelta(days=27)
        out.append(f"lang=en&{filters[i % len(filters)]}&start={start}&end={end}")
    return out


def fetch(client: httpx.Client, url: str) -> float:
    began = time.perf_counter()
    r = client.get(url)
    elapsed = time.perf_counter() - began
    if r.status_code != 200:
        raise SystemExit(f"{url}: HTTP {r.status_code}: {r.text[:300]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="store file to use (generated if empty)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--unseen", type=int, default=40, help="uncached views per page")
    args = parser.parse_args()
    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "demo.duckdb"

    print(f"store {args.db} ({args.tickets:,} demo tickets if empty) …", flush=True)
    timings, channels, teams = prepare(args.db, args.tickets)
    print({k: round(v, 3) for k, v in timings.items()}, flush=True)
    port = free_port()
    server = start_server(args.db, port, ready="/api/meta")
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        first, second = variants(channels, teams, "fa"), variants(channels, teams, "en")
        cold: dict[tuple[str, str], list[float]] = {}
        with httpx.Client(base_url=base, timeout=600) as client:
            for name, path in PAGES.items():
                for kind, queries in (
                    ("cold: new filters", first),
                    ("cold: other language", second),
                ):
                    cold[(name, kind)] = [fetch(client, f"{path}?{q}") for q in queries]
        urls = [f"{path}?{q}" for path in PAGES.values() for q in first + second]
        warm: dict[str, list[float]] = {name: [] for name in PAGES}
        clients = [httpx.Client(base_url=base, timeout=600) for _ in range(args.concurrency)]

        def worker(i: int) -> tuple[str, float]:
            url = urls[i % len(urls)]
            name = "overview" if url.startswith("/?") else "agents"
            return name, fetch(clients[i % args.concurrency], url)

        began = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            for name, elapsed in pool.map(worker, range(args.requests)):
                warm[name].append(elapsed)
        wall = time.perf_counter() - began
        for c in clients:
            c.close()
        last = dt.date.fromordinal(int(timings["last_day"]))
        fresh = unseen(channels, teams, last, args.unseen)
        jobs = [(name, f"{path}?{q}") for q in fresh for name, path in PAGES.items()]
        uncached: dict[str, list[float]] = {name: [] for name in PAGES}
        pair = [httpx.Client(base_url=base, timeout=600) for _ in range(2)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for (name, _), elapsed in zip(
                jobs,
                pool.map(lambda ij: fetch(pair[ij[0] % 2], ij[1][1]), enumerate(jobs)),
                strict=True,
            ):
                uncached[name].append(elapsed)
        for c in pair:
            c.close()
        # and one at a time: other unseen views (ranges ending a month earlier)
        alone: dict[str, list[float]] = {name: [] for name in PAGES}
        with httpx.Client(base_url=base, timeout=600) as client:
            for q in unseen(channels, teams, last - dt.timedelta(days=30), args.unseen):
                for name, path in PAGES.items():
                    alone[name].append(fetch(client, f"{path}?{q}"))
    finally:
        server.terminate()
        server.wait(timeout=60)
        if tmp is not None:
            tmp.cleanup()

    kpi_of = {"overview": timings["kpi_overview_s"], "agents": timings["kpi_agents_s"]}
    for name in PAGES:
        measured = [(kind, samples) for (page, kind), samples in cold.items() if page == name]
        for kind, samples in [
            *measured,
            ("warm: concurrent", warm[name]),
            ("uncached: one at a time", alone[name]),
            ("uncached: 2 concurrent", uncached[name]),
        ]:
            rows.append(
                {
                    "tickets": int(timings["tickets"]),
                    "page": name,
                    "requests": kind,
                    "n": len(samples),
                    "p50_ms": percentile(samples, 50) * 1000,
                    "p95_ms": percentile(samples, 95) * 1000,
                    "max_ms": max(samples) * 1000,
                    "kpi_query_ms": kpi_of[name] * 1000,
                }
            )
    print(
        f"\nwarm load: {args.requests} requests, {args.concurrency} concurrent, "
        f"{args.requests / wall:,.0f} requests/s"
    )
    report(f"web-{int(timings['tickets'])}", rows)


if __name__ == "__main__":
    main()
