"""Helpers shared by the benchmarks: timing, peak memory, a results table."""

from __future__ import annotations

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
