"""`sanjeh serve` in a process of its own, for tests that need the real server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SANJEH = str(Path(sys.executable).parent / "sanjeh")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(db: str, *, cwd: Path | None = None) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`sanjeh serve --db DB` on a free port, once its API answers; stopped afterwards.
    The server sees none of the caller's ``SANJEH_*`` settings."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANJEH_")}
    proc = subprocess.Popen(
        [SANJEH, "serve", "--db", db, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/meta", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    why = proc.stderr.read() if proc.stderr else ""
                    pytest.fail(f"the server did not start: {why}")
                time.sleep(0.3)
        yield proc, port
    finally:
        proc.terminate()
        proc.wait(timeout=60)
