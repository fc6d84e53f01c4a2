"""The skill table kept in memory per data stamp, so ``POST /api/route`` is a dict
lookup and a sort (``sanjeh.insights.recommend``), never a query.

The first request builds it (the only one that waits); after a data change (the
source's stamp moves: ``Source.refresh``) the next request, or the refresh loop's
periodic check, starts a rebuild in a thread of its own and requests keep the previous
table until the new one is in place (answers say which stamp they rest on). The
database is read under the source's read gate and lock (the facts are never read across
a swap); the table itself is built from the few thousand summed rows without the lock.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from ...insights._routing import SkillTable, skills_from
from ...insights._routing_data import agent_roster, outcome_cells

log = logging.getLogger("sanjeh.web")


class SkillCache:
    def __init__(self, source: Any, threads: list[threading.Thread] | None = None) -> None:
        self.source = source
        #: threads the app joins before closing the store (``app.state.warming``)
        self.threads = threads if threads is not None else []
        self.skills: SkillTable | None = None
        self.stamp = ""
        self._build_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        return self.skills is not None

    def get(self) -> tuple[SkillTable, str]:
        """The table and its stamp; builds it now when there is none yet, else starts
        a rebuild in the background when the data changed since."""
        skills = self.skills
        if skills is not None:
            if self.stamp != self.source.stamp:
                self.rebuild_soon()
            return skills, self.stamp
        with self._build_lock:
            if self.skills is None:
                self._build()
        assert self.skills is not None
        return self.skills, self.stamp

    def check(self) -> None:
        """A periodic task of the source's refresh loop: rebuild after a data change."""
        if self.skills is None or self.stamp != self.source.stamp:
            self.rebuild_soon()

    def rebuild_soon(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._rebuild, name="sanjeh-routing", daemon=True)
        self.threads[:] = [t for t in self.threads if t.is_alive()] + [self._thread]
        self._thread.start()

    def _rebuild(self) -> None:
        try:
            with self._build_lock:
                if self.skills is None or self.stamp != self.source.stamp:
                    self._build()
        except Exception:  # keep answering from the previous table; say why in the log
            log.exception("could not rebuild the routing skill table")

    def _build(self) -> None:
        source = self.source
        stamp = source.stamp
        with source.gate.read(), source.db_lock:
            cells = outcome_cells(source.store, source.config)
            roster = agent_roster(source.store)
        self.skills = skills_from(cells, roster)
        self.stamp = stamp
