"""A small support operation for the survey tests: customers, agents, teams, tickets
solved at known times, calls; and a webhook receiver on a real local HTTP server."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from typing import Any

from sanjeh.store import Store

UTC = dt.UTC


def at(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment in December 2026 (UTC); 2026-12-07 is a Monday (ISO week 50)."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def ticket(
    n: int, customer: str | None, solved: dt.datetime | None, *, status: str = "solved", **more: Any
) -> dict[str, Any]:
    return {
        "ticket_id": f"t:{n}",
        "source": "t",
        "channel": more.pop("channel", "email"),
        "created_at": at(1),
        "updated_at": solved or at(1),
        "status": status,
        "customer_id": customer,
        "team_id": more.pop("team_id", "t:sales"),
        "agent_id": more.pop("agent_id", "t:a1"),
        "language": more.pop("language", None),
        **more,
    }


def solved_event(n: int, when: dt.datetime, status: str = "solved") -> dict[str, Any]:
    return {
        "event_id": f"t:{n}:{status}:{when.isoformat()}",
        "ticket_id": f"t:{n}",
        "at": when,
        "kind": "status",
        "status": status,
        "actor_type": "agent",
    }


def people(store: Store, agents: int = 3) -> None:
    store.write(
        "teams",
        [{"team_id": f"t:{n}", "source": "t", "name": n} for n in ("sales", "care")],
    )
    store.write(
        "customers",
        [
            {"customer_id": "t:c1", "source": "t", "language": "fa"},
            {"customer_id": "t:c2", "source": "t", "language": "ar"},
            {"customer_id": "t:c3", "source": "t", "language": "de"},
            {"customer_id": "t:c4", "source": "t"},
        ],
    )
    rows = [
        {"agent_id": f"t:a{i}", "source": "t", "team_id": "t:sales" if i % 2 else "t:care"}
        for i in range(1, agents + 1)
    ]
    store.write("agents", rows)


@dataclasses.dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass
class Receiver:
    url: str = ""
    received: list[Received] = dataclasses.field(default_factory=list)
    statuses: list[int] = dataclasses.field(default_factory=list)


@contextlib.contextmanager
def receiving() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (a real HTTP server in a thread)."""
    found = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            found.received.append(Received(self.path, dict(self.headers.items()), body))
            status = found.statuses.pop(0) if found.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/surveys?token=s3cret"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


def responses(store: Store) -> list[dict[str, Any]]:
    t = store.table("survey_responses")
    return sorted(t.to_pyarrow().to_pylist(), key=lambda r: r["response_id"])


def invitations(store: Store) -> list[dict[str, Any]]:
    t = store.table("survey_invitations")
    return sorted(t.to_pyarrow().to_pylist(), key=lambda r: (r["sent_at"], r["invitation_id"]))


def sig_of(link: str) -> str:
    return link.split("?sig=", 1)[1]
