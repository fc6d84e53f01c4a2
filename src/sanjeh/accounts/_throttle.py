"""Login throttling: a sliding window of failures per username and per address."""

from __future__ import annotations

import collections
import math
import threading
from collections.abc import Callable

from ..errors import TooManyAttempts

#: keys kept before old, idle ones are dropped (bounds memory under a spray of names)
_MAX_KEYS = 10_000


class Throttle:
    """At most ``per_user`` failed logins of one username and ``per_address`` from one
    address within ``window`` seconds; the next attempt raises :class:`TooManyAttempts`
    until the oldest failure leaves the window. A successful login clears the
    username's failures (not the address's). ``clock`` returns seconds (monotonic)."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        per_user: int = 5,
        per_address: int = 20,
        window: float = 15 * 60,
    ) -> None:
        self.clock = clock
        self.per_user, self.per_address, self.window = per_user, per_address, window
        self._failures: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, remote: str | None) -> list[tuple[str, str]]:
        keys = [("user", "u:" + username.strip().casefold())]
        if remote:
            keys.append(("address", "a:" + remote))
        return keys

    def _recent(self, key: str, now: float) -> collections.deque[float]:
        times = self._failures.get(key)
        if times is None:
            return collections.deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def check(self, username: str, remote: str | None) -> None:
        """Raise :class:`TooManyAttempts` when either limit is reached."""
        now = self.clock()
        with self._lock:
            for kind, key in self._keys(username, remote):
                limit = self.per_user if kind == "user" else self.per_address
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = max(1, math.ceil(times[0] + self.window - now))
                    what = "username" if kind == "user" else "address"
                    raise TooManyAttempts(
                        f"too many failed logins for this {what}; try again in {_minutes(wait)}",
                        retry_after=wait,
                    )

    def failed(self, username: str, remote: str | None) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > _MAX_KEYS:
                for key in list(self._failures):
                    self._recent(key, now)
            for _, key in self._keys(username, remote):
                self._failures.setdefault(key, collections.deque()).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(username, None)[0][1], None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
