"""How much uncached work the dashboard takes on at once, and for whom.

A view nobody asked for since the last data change costs its queries (~0.5 s at 1 M
tickets); a cached one costs milliseconds. Requests run on AnyIO's 40 worker threads:
left alone, requests waiting for computations take every thread and cached views wait
behind them. So (``[web]`` in sanjeh.toml, :class:`~sanjeh.settings.WebSettings`):

- ``computations`` requests (default: half the cores, at least one) query the database
  at once: each holds a *turn* from its first query until its view is done. Each
  computation's queries use every core already (DuckDB), and its Python part holds the
  interpreter's lock: more at once add little and slow the cached views (measured on 2
  cores: one at a time answered as many uncached views, and cached p95 fell from
  160–240 ms to 100–110 ms; ``bench/load.py``);
- ``queue`` more may wait: for a turn, or for the same view another request is
  computing (computed once; every request waiting for it gets it);
- ``computations_per_user`` of those, running or waiting, may be one user's;

beyond any of them the request gets :class:`~sanjeh.errors.ServerBusy` (503 with
``Retry-After``) at once, instead of holding a thread for seconds. Cached views never
pass through here, so they stay fast however many computations queue.

A request is *admitted* when it first needs a turn or another request's result, and
stays admitted until the view it asked for is computed; it is never turned away after
that. It gives its turn back while it waits for another request's result: that
request may be the one waiting for the turn. The user is the logged-in user (a session
or an API token), or the client's address without logins (the local setup; one person
on this machine is one address). The server's own work (the warm-up) is not limited.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import dataclasses
import math
import os
import threading
import time
from collections.abc import Iterator

from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import ServerBusy
from ..settings import WebSettings, load_settings, web_settings

#: who the current request computes for (set by :class:`Requester`); None: the server
REQUESTER: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "sanjeh_requester", default=None
)


class Requester:
    """Names the user of each request for the limits (plain ASGI, inside the
    ``AuthMiddleware``, which has put the request's authentication in its state)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        auth = scope.get("state", {}).get("auth")
        if auth is not None and auth.method != "local":
            who = f"user {auth.actor.user_id}"
        else:
            client = scope.get("client")
            who = f"address {client[0] if client else 'unknown'}"
        reset = REQUESTER.set(who)
        try:
            await self.app(scope, receive, send)
        finally:
            REQUESTER.reset(reset)


@dataclasses.dataclass(eq=False)
class _Ticket:
    """One request's uncached view (from its first miss in the cache until it is done)."""

    user: str
    admitted: bool = False
    holding: bool = False
    since: float = 0.0  # when it took its turn
    held: float = 0.0  # seconds it held turns


_TICKET: contextvars.ContextVar[_Ticket | None] = contextvars.ContextVar(
    "sanjeh_view", default=None
)


def default_computations() -> int:
    """Half the cores, at least one (see the module doc)."""
    return max(1, (os.cpu_count() or 1) // 2)


_SMOOTHING = 0.2  # weight of the latest view in the running mean of turn times
_MAX_RETRY = 60


class Limits:
    """The turns, the queue and the per-user counts of one dashboard (see the module doc)."""

    def __init__(
        self, computations: int = 0, queue: int = 16, computations_per_user: int = 2
    ) -> None:
        self.computations = computations or default_computations()
        self.queue = queue
        self.per_user = computations_per_user
        self._cond = threading.Condition()
        self._running = 0  # turns held
        self._admitted = 0
        self._users: collections.Counter[str] = collections.Counter()
        self._line: collections.deque[_Ticket] = collections.deque()  # waiting for a turn
        self._seconds = 1.0  # running mean of the time a view holds its turn
        self.turns = 0  # turns taken (views computed, near enough)
        self.turned_away = 0

    @classmethod
    def configured(cls, settings: WebSettings | None = None) -> Limits:
        """From ``[web]`` in the config file (or ``settings``)."""
        s = settings or web_settings(load_settings())
        return cls(s.computations, s.queue, s.computations_per_user)

    def state(self) -> dict[str, int]:
        """Requests running and waiting now; turns taken and requests turned away so far."""
        with self._cond:
            return {
                "running": self._running,
                "waiting": self._admitted - self._running,
                "admitted": self._admitted,
                "turns": self.turns,
                "turned_away": self.turned_away,
            }

    # -- one request's view -----------------------------------------------------------

    @contextlib.contextmanager
    def view(self) -> Iterator[None]:
        """Around the computation of a request's view (its first miss in the cache);
        nested misses and the server's own work pass through."""
        user = REQUESTER.get()
        if user is None or _TICKET.get() is not None:
            yield
            return
        ticket = _Ticket(user)
        reset = _TICKET.set(ticket)
        try:
            yield
        finally:
            _TICKET.reset(reset)
            with self._cond:
                self._give_back(ticket)
                if ticket.admitted:
                    self._admitted -= 1
                    self._users[user] -= 1
                    if not self._users[user]:
                        del self._users[user]
                if ticket.held:
                    self._seconds += _SMOOTHING * (ticket.held - self._seconds)

    def take_turn(self) -> None:
        """Before querying the database in a view: wait for a turn (kept until the view
        is done), or :class:`ServerBusy` when the queue or the user's share is full."""
        ticket = _TICKET.get()
        if ticket is None or ticket.holding:
            return
        with self._cond:
            must_wait = self._running >= self.computations or bool(self._line)
            self._admit(ticket, must_wait)
            self._line.append(ticket)
            try:
                self._cond.wait_for(
                    lambda: self._line[0] is ticket and self._running < self.computations
                )
            except BaseException:
                self._line.remove(ticket)
                self._cond.notify_all()
                raise
            self._line.popleft()
            self._running += 1
            self.turns += 1
            ticket.holding, ticket.since = True, time.monotonic()
            self._cond.notify_all()  # the next in line may go too

    def before_waiting(self) -> None:
        """Before waiting for another request's computation of the same thing: admitted
        (or :class:`ServerBusy`), and without a turn (that request may need it)."""
        ticket = _TICKET.get()
        if ticket is None:
            return
        with self._cond:
            self._admit(ticket, True)
            self._give_back(ticket)

    def _admit(self, ticket: _Ticket, must_wait: bool) -> None:
        if ticket.admitted:
            return
        mine, waiting = self._users[ticket.user], self._admitted - self._running
        if mine >= self.per_user:
            why = f"you have as many views being computed as one user may ({mine})"
        elif must_wait and waiting >= self.queue:
            why = (
                f"the server is computing {self._running} views and {waiting} more wait "
                f"(at most {self.computations} + {self.queue})"
            )
        else:
            ticket.admitted = True
            self._admitted += 1
            self._users[ticket.user] += 1
            return
        self.turned_away += 1
        seconds = self._retry_after()
        raise ServerBusy(
            f"{why}; try again in {seconds} s (views computed before stay instant)", seconds
        )

    def _give_back(self, ticket: _Ticket) -> None:
        if ticket.holding:
            ticket.holding = False
            ticket.held += time.monotonic() - ticket.since
            self._running -= 1
            self._cond.notify_all()

    def _retry_after(self) -> int:
        """Seconds until the views running and waiting now are done (at least 1)."""
        views = self._admitted + 1
        return max(1, min(_MAX_RETRY, math.ceil(self._seconds * views / self.computations)))
