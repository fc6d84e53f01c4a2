"""One-time password reset links (``password_resets``).

An admin issues a link for a user and hands it over; the user opens it and chooses a
new password. The admin never learns the password. Only the SHA-256 of the link's
secret is stored. A link works once, for :data:`LIFETIME`, while its user is active;
issuing a newer one, any password change and disabling the user end it. Issuing a
link changes nothing else: the current password keeps working until the link is used,
so a link that gets lost locks nobody out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from ..store import Store

TABLE = "password_resets"
#: how long a reset link can be used
LIFETIME = dt.timedelta(hours=24)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ResetLinks:
    """The ``password_resets`` rows of one store (``lock`` serialises store access)."""

    def __init__(
        self, store: Store, clock: Callable[[], dt.datetime], lock: AbstractContextManager[Any]
    ) -> None:
        self.store, self.clock, self.lock = store, clock, lock

    def issue(self, user_id: str, created_by: str) -> str:
        """A new link's secret for ``user_id``; the user's older open links end."""
        secret = secrets.token_urlsafe(32)
        now = self.clock()
        with self.lock:
            rows = self._open(user_id)
            ended = [{**r, "ended_at": now} for r in rows]
            new = {
                "reset_hash": _sha256(secret),
                "user_id": user_id,
                "created_by": created_by,
                "created_at": now,
                "expires_at": now + LIFETIME,
                "ended_at": None,
            }
            self.store.write(TABLE, [*ended, new])
        return secret

    def user_of(self, secret: str) -> str | None:
        """The user id a live link (unused, unexpired) resets, else None."""
        row = self._row(secret)
        return None if row is None else str(row["user_id"])

    def use(self, secret: str) -> str | None:
        """End a live link → its user id (None when it was not live)."""
        row = self._row(secret)
        if row is None:
            return None
        with self.lock:
            self.store.write(TABLE, [{**row, "ended_at": self.clock()}])
        return str(row["user_id"])

    def end(self, user_id: str) -> None:
        """End every open link of ``user_id`` (password changed, user disabled)."""
        now = self.clock()
        with self.lock:
            rows = self._open(user_id)
            if rows:
                self.store.write(TABLE, [{**r, "ended_at": now} for r in rows])

    def _open(self, user_id: str) -> list[dict[str, Any]]:
        t = self.store.table(TABLE)
        found: list[dict[str, Any]] = (
            t.filter((t.user_id == user_id) & t.ended_at.isnull()).to_pyarrow().to_pylist()
        )
        return found

    def _row(self, secret: str) -> dict[str, Any] | None:
        if not secret or len(secret) > 200:
            return None
        with self.lock:
            t = self.store.table(TABLE)
            rows = t.filter(t.reset_hash == _sha256(secret)).to_pyarrow().to_pylist()
        row: dict[str, Any] | None = rows[0] if rows else None
        if row is None or row["ended_at"] is not None or self.clock() >= row["expires_at"]:
            return None
        return row
