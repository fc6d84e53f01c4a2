"""Dashboard under load: many logged-in users asking for views nobody computed yet.

    python bench/load.py --tickets 100000                    # 50 clients for 30 s
    python bench/load.py --tickets 100000 --unlimited        # the same without limits
    python bench/load.py --tickets 1000000 --db big.duckdb   # 1 M (reuses big.duckdb)

1. A demo store (generated into --db when that file has no tickets yet) with facts
   built, and --users users: managers, and --agents agents linked to the agents with
   the most tickets. Every client logs in through /login (a session cookie, as a
   browser does); users have two or three clients each (tabs, a script beside them).
2. The dashboard in its own process (``sanjeh.web.serve``) with the ``[web]`` limits of
   --computations / --queue / --per-user in a sanjeh.toml of its own (--unlimited: high
   enough never to apply — the dashboard as it was before the limits). Every client logs
   in, then (--settle seconds later: the server drops its cache when its freshness check
   sees the new sessions) the views the probes ask for are computed.
3. For --seconds: --clients clients, all starting at once, each ask for views over date
   ranges nobody asked for before (managers: every page; agents: their own scorecard and
   the team pages; HTML and JSON twins), one after another; told 503, a client waits
   Retry-After and asks the same again. Meanwhile --probes clients ask for views
   computed before (HTML and JSON, a manager's and an agent's), with a short pause
   between requests, and time them.

Bar: no answer but 200 or 503 with Retry-After; cached views p95 under 200 ms.
The exit status is 1 when the bar is missed (not with --unlimited).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import itertools
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import ibis

from _common import report, start_server
from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.demo import generate
from sanjeh.metrics import ensure_facts
from sanjeh.store import Store
from sanjeh.web._limits import default_computations
from sanjeh.web._server import free_port

PASSWORD = "load bench password"
#: pages a manager asks for, and those an agent may see besides their scorecard
MANAGER_PAGES = ("/", "/agents", "/volume", "/responsiveness", "/resolution", "/satisfaction")
AGENT_PAGES = ("/", "/volume")
BAR_MS = 200.0


def twin(page: str) -> str:
    """The JSON twin of a page's path."""
    return "/api/overview" if page == "/" else f"/api{page}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclasses.dataclass(frozen=True)
class User:
    name: str
    agent_id: str | None  # None: a manager


def prepare(db: Path, tickets: int, users: int, agents: int) -> tuple[dict[str, Any], list[User]]:
    """Store with facts and the users (added once; the same names on a reused store)."""
    info: dict[str, Any] = {}
    with Store.open(str(db)) as store:
        have = int(store.con.execute(store.table("tickets").count()))
        if have == 0:
            began = time.perf_counter()
            generate(store, tickets=tickets, seed=42, transcripts=False)
            info["generate_s"] = round(time.perf_counter() - began, 1)
            have = tickets
        began = time.perf_counter()
        ensure_facts(store)
        info["facts_s"] = round(time.perf_counter() - began, 1)
        info["tickets"] = have
        ft = store.con.table("facts_tickets")
        span = ft.agg(lo=ft.created_local.min(), hi=ft.created_local.max()).to_pandas()
        epoch = dt.datetime(1970, 1, 1)
        info["first_day"] = (epoch + dt.timedelta(seconds=float(span.lo[0]))).date()
        info["last_day"] = (epoch + dt.timedelta(seconds=float(span.hi[0]))).date()
        assigned = ft.filter(ft.agent_id.notnull())
        busiest = (
            assigned.group_by("agent_id")
            .agg(n=assigned.count())
            .order_by([ibis.desc("n"), "agent_id"])
            .limit(agents + 20)
            .to_pandas()
        )
        bots = set(store.table("agents").filter(lambda a: a.is_bot).agent_id.to_pandas())
        agent_ids = [a for a in busiest.agent_id if a not in bots][:agents]
        wanted = [User(f"manager{i:02d}", None) for i in range(users - len(agent_ids))]
        wanted += [User(f"agent{i:02d}", a) for i, a in enumerate(agent_ids)]
        accounts = Accounts(store)
        known = {u.username for u in accounts.users()}
        for u in wanted:
            if u.name not in known:
                role = "agent" if u.agent_id else "manager"
                accounts.add_user(LOCAL_ADMIN, u.name, PASSWORD, role, agent_id=u.agent_id)
    return info, wanted


def login(base: str, user: User) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=300)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if token is None:
        raise SystemExit(f"no login form at {base}/login: HTTP {form.status_code}")
    data = {"username": user.name, "password": PASSWORD, "csrf_token": token.group(1)}
    r = client.post("/login", data=data)
    if r.status_code != 303 or "sanjeh_session" not in client.cookies:
        raise SystemExit(f"{user.name} could not log in: HTTP {r.status_code} {r.text[:200]}")
    return client


class Unseen:
    """Views nobody asked for: each number is another (page, date range) pair."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.days = max(1, (last - first).days - 7)
        self._numbers = itertools.count()
        self._lock = threading.Lock()

    def next(self, user: User, json: bool) -> str:
        with self._lock:
            n = next(self._numbers)
        pages = (f"/agents/{user.agent_id}", *AGENT_PAGES) if user.agent_id else MANAGER_PAGES
        page = pages[n % len(pages)]
        m = n // len(pages)
        end = self.last - dt.timedelta(days=m % self.days)
        start = end - dt.timedelta(days=7 + (m // self.days) % 80)
        return f"{twin(page) if json else page}?lang=en&start={start}&end={end}"


@dataclasses.dataclass
class Tally:
    cached: list[float] = dataclasses.field(default_factory=list)
    computed: list[float] = dataclasses.field(default_factory=list)  # uncached, answered
    busy: list[float] = dataclasses.field(default_factory=list)  # 503 with Retry-After
    retry_after: list[int] = dataclasses.field(default_factory=list)
    errors: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1


def load(
    client: httpx.Client, user: User, json: bool, unseen: Unseen, until: float, t: Tally
) -> None:
    url = unseen.next(user, json)
    while time.monotonic() < until:
        began = time.perf_counter()
        try:
            r = client.get(url)
        except httpx.HTTPError as exc:
            t.error(f"{type(exc).__name__}")
            continue
        elapsed = time.perf_counter() - began
        if r.status_code == 200:
            with t.lock:
                t.computed.append(elapsed)
            url = unseen.next(user, json)
        elif r.status_code == 503 and (r.headers.get("retry-after") or "").isdigit():
            wait = int(r.headers["retry-after"])
            with t.lock:
                t.busy.append(elapsed)
                t.retry_after.append(wait)
            time.sleep(max(0.0, min(wait, until - time.monotonic())))  # then ask again
        else:
            t.error(f"HTTP {r.status_code}" + (" without Retry-After" * (r.status_code == 503)))


def probe(client: httpx.Client, urls: list[str], until: float, pause: float, t: Tally) -> None:
    for url in itertools.cycle(urls):
        if time.monotonic() >= until:
            return
        began = time.perf_counter()
        try:
            r = client.get(url)
        except httpx.HTTPError as exc:
            t.error(f"cached: {type(exc).__name__}")
            continue
        elapsed = time.perf_counter() - began
        if r.status_code == 200:
            with t.lock:
                t.cached.append(elapsed)
        else:
            t.error(f"cached: HTTP {r.status_code}")
        time.sleep(pause)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="store file to use (generated if empty)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--users", type=int, default=20, help="users the clients log in as")
    parser.add_argument("--agents", type=int, default=4, help="of them agents")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--probes", type=int, default=4, help="clients timing cached views")
    parser.add_argument("--pause", type=float, default=0.1, help="between a probe's requests")
    parser.add_argument("--computations", type=int, default=0, help="[web] (0: the default)")
    parser.add_argument("--queue", type=int, default=16, help="[web]")
    parser.add_argument("--per-user", type=int, default=2, help="[web] computations_per_user")
    parser.add_argument("--settle", type=float, default=12.0, help="after the logins")
    parser.add_argument("--unlimited", action="store_true", help="limits too high to apply")
    args = parser.parse_args()
    if args.unlimited:
        args.computations, args.queue, args.per_user = 1000, 1000, 1000
    tmp = tempfile.TemporaryDirectory()
    if args.db is None:
        args.db = Path(tmp.name) / "demo.duckdb"
    config = Path(tmp.name) / "sanjeh.toml"
    config.write_text(
        f"[web]\ncomputations = {args.computations}\nqueue = {args.queue}\n"
        f"computations_per_user = {args.per_user}\n"
    )

    print(f"store {args.db} ({args.tickets:,} demo tickets if empty) …", flush=True)
    info, users = prepare(args.db, args.tickets, args.users, args.agents)
    print(info, flush=True)
    port = free_port()
    server = start_server(args.db, port, env={"SANJEH_CONFIG": str(config)})
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    try:
        manager = next(u for u in users if u.agent_id is None)
        agent = next((u for u in users if u.agent_id), None)
        probes = [login(base, manager) for _ in range(args.probes)]
        cached = [
            f"{path}?lang={lang}"
            for page in MANAGER_PAGES
            for path in (page, twin(page))
            for lang in ("en", "fa")
        ]
        if agent is not None:
            probes[-1] = login(base, agent)
            page = f"/agents/{agent.agent_id}"
            mine = [f"{page}?lang=en", f"{twin(page)}?lang=en"]
        clients = [
            (login(base, users[i % len(users)]), users[i % len(users)], i % 2 == 1)
            for i in range(args.clients)
        ]
        # new sessions are written to the store, and the server's freshness check (every
        # 10 s) drops its cache when it sees them: log in first, let it look, then warm
        time.sleep(args.settle)
        began = time.perf_counter()
        for url in cached:  # computed now, before the load (as the server's warm-up does)
            probes[0].get(url).raise_for_status()
        if agent is not None:
            for url in mine:
                probes[-1].get(url).raise_for_status()
        print(f"cached views computed in {time.perf_counter() - began:.1f} s", flush=True)
        unseen = Unseen(info["first_day"], info["last_day"])
        load_before = os.getloadavg()[0]
        began = time.monotonic()
        until = began + args.seconds
        threads = [
            threading.Thread(target=load, args=(c, u, json, unseen, until, tally))
            for c, u, json in clients
        ]
        for i, c in enumerate(probes):
            urls = mine if agent is not None and i == len(probes) - 1 else cached
            urls = urls[i % len(urls) :] + urls[: i % len(urls)]
            threads.append(threading.Thread(target=probe, args=(c, urls, until, args.pause, tally)))
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.monotonic() - began  # (answers to requests sent before the end count)
        load_after = os.getloadavg()[0]
        for c, _, _ in clients:
            c.close()
        for c in probes:
            c.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
        tmp.cleanup()

    limits = (
        "unlimited"
        if args.unlimited
        else (f"{args.computations or default_computations()}+{args.queue}, {args.per_user}/user")
    )
    rows = []
    for kind, samples in (
        ("cached (probes)", tally.cached),
        ("uncached: answered", tally.computed),
        ("uncached: 503 busy", tally.busy),
    ):
        rows.append(
            {
                "tickets": info["tickets"],
                "limits": limits,
                "requests": kind,
                "n": len(samples),
                "per_s": len(samples) / (args.seconds if kind.startswith("cached") else wall),
                "p50_ms": percentile(samples, 50) * 1000 if samples else float("nan"),
                "p95_ms": percentile(samples, 95) * 1000 if samples else float("nan"),
                "max_ms": max(samples) * 1000 if samples else float("nan"),
            }
        )
    print(
        f"\n{args.clients} clients ({len(users)} users, {args.agents} of them agents) for "
        f"{args.seconds:.0f} s (the last answer after {wall:.0f} s), {args.probes} probes; "
        f"load average {load_before:.1f} → "
        f"{load_after:.1f}; Retry-After given: "
        + (
            f"{min(tally.retry_after)}–{max(tally.retry_after)} s "
            f"(median {percentile([float(x) for x in tally.retry_after], 50):.0f})"
            if tally.retry_after
            else "never"
        )
    )
    print("errors other than 503 with Retry-After:", dict(tally.errors) or "none")
    name = f"load-{info['tickets']}" + ("-unlimited" if args.unlimited else "")
    report(name, rows)
    cached_p95 = percentile(tally.cached, 95) * 1000 if tally.cached else float("inf")
    met = not tally.errors and cached_p95 < BAR_MS
    print(f"bar (no other errors, cached p95 < {BAR_MS:.0f} ms): {'met' if met else 'MISSED'}")
    if not met and not args.unlimited:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
