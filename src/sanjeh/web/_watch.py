"""The views live clients are showing, computed again as soon as the facts change.

A page open in a browser asks ``/api/stamp`` every second and fetches itself again
when the stamp changes (``static/live.js``). Left alone, that fetch would start the
page's computation only then: up to a second after the change, then the computation's
own time. So each page served notes how to compute it again (here, per cache key), and
the server's refresh thread computes the pages shown lately right after the new facts
are in place, before the general warm-up: the client's fetch then finds them cached,
or joins the computation under way (``Source.memo`` computes a key once).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from ._source import Source

log = logging.getLogger("sanjeh.web")
#: a view not asked for in this many seconds is not computed again (its tab was closed:
#: an open one fetches itself at every change)
KEEP_SECONDS = 120.0
#: views kept at most (the most recently served)
MOST = 32


class Watched:
    """Views served lately, and how to compute each again (see the module doc)."""

    def __init__(self, source: Source, *, keep: float = KEEP_SECONDS, most: int = MOST) -> None:
        self.source = source
        self.keep = keep
        self.most = most
        self._views: collections.OrderedDict[Hashable, tuple[float, Callable[[], Any]]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()
        self._stamp = source.stamp

    def note(self, key: Hashable, compute: Callable[[], Any]) -> None:
        """``compute`` makes the view ``key`` for the data of the moment (cached)."""
        with self._lock:
            self._views[key] = (time.monotonic(), compute)
            self._views.move_to_end(key)
            while len(self._views) > self.most:
                self._views.popitem(last=False)

    def after_refresh(self) -> None:
        """Compute the views served lately, once per data stamp (the refresh thread)."""
        stamp = self.source.stamp
        if stamp == self._stamp:
            return
        self._stamp = stamp
        now = time.monotonic()
        with self._lock:
            for key in [k for k, (seen, _) in self._views.items() if now - seen > self.keep]:
                del self._views[key]
            due = [compute for _, compute in reversed(self._views.values())]  # newest first
        for compute in due:
            if self.source.stamp != stamp:
                return  # newer facts already: their own round follows
            try:
                compute()
            except Exception:  # e.g. a filter value the new data no longer has
                log.debug("a watched view could not be computed again", exc_info=True)


def watched(app_state: Any) -> Watched | None:
    found: Watched | None = getattr(app_state, "watched", None)
    return found
