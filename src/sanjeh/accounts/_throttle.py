"""Login throttling: a sliding window of failures per username and per address, kept in
the store (``login_failures``), so every server process sees the same counts and a
restart forgets nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import ibis
import pyarrow as pa

from ..errors import TooManyAttempts
from ..model.accounts import LOGIN_FAILURES
from ..store import Store, insert_arrow
from ._names import fold

TABLE = LOGIN_FAILURES.name
_SCHEMA = LOGIN_FAILURES.arrow_schema()
#: rows older than the window are deleted at most this often (seconds)
_PURGE_EVERY = 60.0


def _subject(scope: str, value: str) -> str:
    return hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()


class Throttle:
    """At most ``per_user`` failed logins of one username and ``per_address`` from one
    address within ``window`` seconds; the next attempt raises :class:`TooManyAttempts`
    until the oldest failure leaves the window. A successful login clears the
    username's failures (not the address's). Usernames count by their folded form
    (``ｒｅｖ２`` is ``rev2``). ``clock`` returns wall-clock seconds (Unix time: the rows
    are shared with other processes); ``lock`` serialises store access.

    Processes check and record without a transaction between them, so two servers
    racing may each allow one attempt past the limit, never more.
    """

    def __init__(
        self,
        store: Store,
        clock: Callable[[], float],
        *,
        lock: AbstractContextManager[Any] | None = None,
        per_user: int = 5,
        per_address: int = 20,
        window: float = 15 * 60,
    ) -> None:
        self.store = store
        self.clock = clock
        self.lock: AbstractContextManager[Any] = lock or store.lock
        self.per_user, self.per_address, self.window = per_user, per_address, window
        self._purged = -math.inf

    @staticmethod
    def _keys(username: str, remote: str | None) -> list[tuple[str, str]]:
        keys = [("user", _subject("user", fold(username)))]
        if remote:
            keys.append(("address", _subject("address", remote)))
        return keys

    def _at(self, seconds: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)

    def check(self, username: str, remote: str | None) -> None:
        """Raise :class:`TooManyAttempts` when either limit is reached."""
        now = self.clock()
        keys = self._keys(username, remote)
        with self.lock:
            t = self.store.table(TABLE)
            recent = t.filter(
                t.subject.isin([k for _, k in keys]) & (t.failed_at > self._at(now - self.window))
            )
            rows = (
                recent.group_by(["scope", "subject"])
                .agg(n=recent.count(), first=recent.failed_at.min())
                .to_pyarrow()
                .to_pylist()
            )
        found = {(r["scope"], r["subject"]): r for r in rows}
        for kind, key in keys:
            row = found.get((kind, key))
            limit = self.per_user if kind == "user" else self.per_address
            if row is not None and row["n"] >= limit:
                wait = max(1, math.ceil(row["first"].timestamp() + self.window - now))
                what = "username" if kind == "user" else "address"
                raise TooManyAttempts(
                    f"too many failed logins for this {what}; try again in {_minutes(wait)}",
                    retry_after=wait,
                )

    def failed(self, username: str, remote: str | None) -> None:
        """Record a failed login of ``username`` from ``remote``."""
        now = self.clock()
        at = self._at(now)
        rows = [
            {"failure_id": secrets.token_hex(8), "scope": kind, "subject": key, "failed_at": at}
            for kind, key in self._keys(username, remote)
        ]
        # new random keys: a plain insert, without the merge of Store.write (6x faster,
        # and a failed login holds the store's lock no longer than it must)
        with self.lock:
            insert_arrow(self.store.con, TABLE, pa.Table.from_pylist(rows, schema=_SCHEMA))
        if now - self._purged >= _PURGE_EVERY:
            self._purged = now
            self._delete(lambda t: t.failed_at <= self._at(now - self.window))

    def succeeded(self, username: str) -> None:
        """A correct login: the username's failures are forgotten."""
        key = self._keys(username, None)[0][1]
        self._delete(lambda t: t.subject == key)

    def reset(self) -> None:
        """Forget every failure (tests; an admin who wants everyone to try again)."""
        self._delete(lambda t: ibis.literal(True))

    def _delete(self, where: Callable[[ibis.Table], Any]) -> None:
        with self.lock:
            t = self.store.table(TABLE)
            ids = t.filter(where(t)).select("failure_id").to_pyarrow()
            if ids.num_rows:
                self.store.delete_where_in(TABLE, "failure_id", ibis.memtable(ids))


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
