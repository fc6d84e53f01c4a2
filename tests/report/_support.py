"""Shared by the schedule tests (tests/report, tests/web/test_scheduler.py): a demo store
with its Tehran calendars, and a real local HTTP receiver for webhooks."""

from __future__ import annotations

import contextlib
import http.server
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sanjeh.cli import main


def make_demo(folder: Path, tickets: int = 600) -> Path:
    """`sanjeh demo` up to 31 October 2026 (the same data every day the tests run) in
    ``folder``, with the sanjeh.toml it writes (the teams' Tehran calendars)."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        args = ["--tickets", str(tickets), "--seed", "5", "--as-of", "2026-10-31"]
        assert main(["demo", *args, "--db", "d.duckdb"]) == 0
    finally:
        os.chdir(here)
    return folder / "d.duckdb"


def write_config(demo: Path, target: Path, schedules: str) -> Path:
    """The demo's sanjeh.toml (without its alert rules, the last part) plus
    ``schedules`` (toml), written to ``target``."""
    base = (demo.parent / "sanjeh.toml").read_text(encoding="utf-8")
    base = base.split("\n[[alerts]]", 1)[0]
    target.write_text(base + "\n" + schedules, encoding="utf-8")
    return target


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver: answers each POST with the next of ``statuses`` (then 200;
    a 3xx to ``/elsewhere``, which answers a GET with 200), after ``delay`` seconds."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0


@contextlib.contextmanager
def receiving() -> Iterator[Receiver]:
    found = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(found.delay)
            found.received.append(Received(self.path, dict(self.headers.items()), body))
            status = found.statuses.pop(0) if found.statuses else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self) -> None:  # a redirected POST would arrive here, without the file
            found.received.append(Received(self.path, dict(self.headers.items()), b""))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # (a client that gave up waiting: the slow-receiver test)

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    found.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
