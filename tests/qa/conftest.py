"""A QA workspace on a small hand-made store (every backend), with a stepping clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sanjeh.accounts import Actor
from sanjeh.qa import Workspace
from sanjeh.store import Store

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
ADMIN = Actor("u-admin", "admin", name="Admin")
MANAGER = Actor("u-manager", "manager")
REVIEWER = Actor("u-rev1", "reviewer")
REVIEWER2 = Actor("u-rev2", "reviewer")
AGENT1 = Actor("u-a1", "agent", agent_id="x:a1")
AGENT2 = Actor("u-a2", "agent", agent_id="x:a2")
#: every category of the default scorecard rated at the top of its scale
PERFECT = {
    "correct_solution": 5,
    "complete_answer": 5,
    "empathy": 5,
    "tone": 4,
    "greeting_closing": 1,
    "ownership": 4,
    "follow_up": 3,
    "internal_process": 1,
}


class SteppingClock:
    """Each call is one second later: deterministic, and revisions sort by time."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


def seed_tickets(store: Store, n: int = 4) -> list[str]:
    """Tickets x:t1 … assigned to agents x:a1 / x:a2 alternately (x:t4 via an event)."""
    tickets, events = [], []
    for i in range(1, n + 1):
        agent = f"x:a{1 + (i + 1) % 2}"
        tickets.append(
            {
                "ticket_id": f"x:t{i}",
                "source": "x",
                "channel": "email" if i % 2 else "chat",
                "created_at": T0 + dt.timedelta(days=i),
                "status": "solved",
                "agent_id": None if i == 4 else agent,
                "tags": ["vip"] if i == 3 else [],
            }
        )
        events.append(
            {
                "event_id": f"x:t{i}-1",
                "ticket_id": f"x:t{i}",
                "at": T0 + dt.timedelta(days=i, minutes=5),
                "kind": "assign",
                "actor_type": "system",
                "public": False,
                "agent_id": agent,
            }
        )
    store.write("tickets", tickets)
    store.write("events", events)
    return [t["ticket_id"] for t in tickets]


@pytest.fixture
def ws(store: Store) -> Iterator[Workspace]:
    seed_tickets(store)
    yield Workspace(store, clock=SteppingClock())


@pytest.fixture
def duck_ws(duckdb_store: Store) -> Iterator[Workspace]:
    seed_tickets(duckdb_store)
    yield Workspace(duckdb_store, clock=SteppingClock())


def copied_workspace(
    url: str, folder: Path, clock: Callable[[], dt.datetime]
) -> Iterator[Workspace]:
    """A workspace on a private copy of a prepared DuckDB store (tests may write freely)."""
    copy = folder / "copy.duckdb"
    copy.write_bytes(Path(url).read_bytes())
    with Store.open(str(copy)) as store:
        yield Workspace(store, clock=clock)
