"""Helpers shared by the benchmarks: timing, peak memory, a results table."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

OUT = Path(__file__).resolve().parent / "out"


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall-clock seconds over ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def cpu_seconds() -> float:
    """CPU seconds this process has used (every thread: DuckDB's too). On a machine shared
    with other work a step's CPU time moves far less than its wall-clock time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_cpu(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, float, Any]:
    """Like :func:`timed`, and the CPU seconds of the fastest run."""
    best, cpu, result = float("inf"), 0.0, None
    for _ in range(repeat):
        gc.collect()
        start, used = time.perf_counter(), cpu_seconds()
        result = fn()
        took = time.perf_counter() - start
        if took < best:
            best, cpu = took, cpu_seconds() - used
    return best, cpu, result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(name: str, rows: list[dict[str, Any]]) -> None:
    """Print a plain table and save JSON next to it in bench/out/."""
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(rows, indent=2))
    if not rows:
        return
    cols = list(rows[0])
    widths = [max(len(c), *(len(_fmt(r[c])) for r in rows)) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for r in rows:
        print("  ".join(_fmt(r[c]).ljust(w) for c, w in zip(cols, widths, strict=True)))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3f}" if v < 100 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def start_server(
    db: Path, port: int, *, env: dict[str, str] | None = None, ready: str = "/login"
) -> subprocess.Popen[bytes]:
    """``sanjeh.web.serve`` over ``db`` in a second process; return once ``ready`` answers."""
    import httpx

    code = (
        "from sanjeh.web import serve; "
        f"serve({str(db)!r}, '127.0.0.1', {port}, log_level='warning', warm=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, **(env or {})})
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=60).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("the server process ended; see its output above")
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not start in 15 minutes")


class OpenLoop:
    """POSTs sent at a steady rate on one event loop, each at its due time without
    waiting for the others (open loop: a slow server makes answers late, not requests
    fewer), each on a connection of its own from one of ``addresses``, written as plain
    HTTP/1.1 (client threads, or httpx's client, cost this process more CPU than the
    server it measured on the same two cores). ``latencies`` (ms) run from connecting to
    the answer's last byte, per status; ``late`` (ms): how far behind its due time each
    was sent (whether this generator kept up)."""

    def __init__(self, base: str, addresses: list[str], headers: dict[str, str]) -> None:
        split = urlsplit(base)
        self.host, self.port = split.hostname or "127.0.0.1", split.port or 80
        self.addresses = addresses
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.latencies: dict[int, list[float]] = {}
        self.late: list[float] = []

    async def post(self, n: int, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        """One POST from address ``n``; its status and body."""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.headers}"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        address = self.addresses[n % len(self.addresses)]
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection(
            self.host, self.port, local_addr=(address, 0)
        )
        try:
            writer.write(head + body)
            await writer.drain()
            answer = await reader.read()  # (the server closes the connection)
        finally:
            writer.close()
        took = (time.perf_counter() - started) * 1000
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
        self.latencies.setdefault(status, []).append(took)
        return status, answer.partition(b"\r\n\r\n")[2]

    async def run(self, count: int, rate: float, send: Callable[[int], Any]) -> float:
        """``send(n)`` (a coroutine) for n in 0..count-1 at ``rate`` per second; the
        seconds it took."""
        began = time.perf_counter()
        tasks = []
        for n in range(count):
            due = began + n / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            self.late.append(max(0.0, time.perf_counter() - due) * 1000)
            tasks.append(asyncio.create_task(send(n)))
        await asyncio.gather(*tasks)
        return time.perf_counter() - began


def loopback_addresses(count: int) -> list[str]:
    """``count`` loopback addresses (Linux answers on all of 127.0.0.0/8)."""
    return [f"127.0.{1 + j // 250}.{1 + j % 250}" for j in range(count)]
