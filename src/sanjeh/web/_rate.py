"""Rate limits for pages anyone may reach (the survey answer page): a sliding window of
hits per key (a client address, a link), kept in memory.

``limit.hit(key)`` counts a hit, or raises :class:`TooManyRequests` (429, ``Retry-After``)
when ``key`` has had ``count`` hits within the last ``window`` seconds; refused hits do
not count, so a client that waits gets in again. Memory stays bounded: keys whose hits
all left the window are dropped now and then, and past ``max_keys`` keys the oldest ones
go first (a flood of made-up addresses forgets itself, never the server).

In memory, not in the store (as the login throttle is): these limits guard against
floods, and a count lost with a restart costs nothing; a hit must cost microseconds at
hundreds of answers a second.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable

from ..errors import TooManyAttempts


class TooManyRequests(TooManyAttempts):
    """Too many requests from one address (or for one link) in a short time."""

    code = "too_many_requests"


class RateLimit:
    """At most ``count`` hits per key within ``window`` seconds (see the module doc).
    ``what`` names the limit in the message ("answers from this address")."""

    def __init__(
        self,
        count: int,
        window: float,
        what: str,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if count < 1 or window <= 0:
            raise ValueError("a rate limit needs count >= 1 and window > 0")
        self.count, self.window, self.what = count, window, what
        self.max_keys = max_keys
        self.clock = clock
        self._hits: collections.OrderedDict[str, collections.deque[float]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()
        self._swept = clock()
        self.refused = 0

    def hit(self, key: str) -> None:
        """Count a hit for ``key``, or raise :class:`TooManyRequests` past the limit."""
        now = self.clock()
        with self._lock:
            if now - self._swept > self.window:
                self._sweep(now)
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = collections.deque()
                while len(self._hits) > self.max_keys:
                    self._hits.popitem(last=False)
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.count:
                self.refused += 1
                wait = max(1, math.ceil(hits[0] + self.window - now))
                raise TooManyRequests(
                    f"too many {self.what} (at most {self.count} in {_span(self.window)}); "
                    f"try again in {wait} s",
                    retry_after=wait,
                )
            hits.append(now)
            self._hits.move_to_end(key)

    def _sweep(self, now: float) -> None:
        self._swept = now
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[key]


def _span(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


__all__ = ["RateLimit", "TooManyRequests"]
