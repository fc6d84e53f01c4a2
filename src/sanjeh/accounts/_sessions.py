"""Server-side sessions: rows keyed by the SHA-256 of their secret, so nothing in the
database can be replayed as a login; lookups cached for ``cache_seconds``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Literal, overload

import ibis

from ._base import AccountsBase
from ._records import MISS, Cached, Miss, sha256
from ._roles import Actor


class SessionsMixin(AccountsBase):
    """Logging in and out: sessions of :class:`~sanjeh.accounts.Accounts`."""

    @staticmethod
    def csrf_of(secret: str) -> str:
        """The CSRF token of a session: derived from its secret, so it is never stored
        and cannot lead back to the session."""
        digest = hmac.new(secret.encode(), b"sanjeh-csrf", hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def start_session(self, actor: Actor, remote: str | None = None) -> tuple[str, str]:
        """A new session for a logged-in actor → (secret for the cookie, CSRF token)."""
        secret = secrets.token_urlsafe(32)
        now = self.clock()
        row = {
            "session_hash": sha256(secret),
            "user_id": actor.user_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + self.idle_timeout,
            "ended_at": None,
            "remote": remote,
        }
        with self.lock:
            self.store.write("user_sessions", [row])
        return secret, self.csrf_of(secret)

    @overload
    def session(
        self, secret: str, *, cached_only: Literal[False] = False
    ) -> tuple[Actor, str] | None: ...
    @overload
    def session(self, secret: str, *, cached_only: bool) -> tuple[Actor, str] | Miss | None: ...

    def session(self, secret: str, *, cached_only: bool = False) -> tuple[Actor, str] | Miss | None:
        """The actor and CSRF token of a live session, or None (unknown, ended, expired,
        or the user was disabled). ``cached_only``: :data:`MISS` instead of asking the
        store."""
        if not secret or len(secret) > 200:
            return None
        key = "s:" + sha256(secret)
        now = self.clock()
        hit = self._cache.get(key)
        if hit is not None and now < hit.fresh_until:
            if hit.expires_at is not None and now >= hit.expires_at:
                return None
            return hit.actor, hit.csrf
        if cached_only:
            return MISS
        with self.lock:
            t = self.store.table("user_sessions")
            rows = t.filter(t.session_hash == key[2:]).to_pyarrow().to_pylist()
        row = rows[0] if rows else None
        if row is None or row["ended_at"] is not None or now >= row["expires_at"]:
            self._cache.pop(key, None)
            return None
        if now >= row["created_at"] + self.max_age:
            return None
        user = self._user_by_id(row["user_id"])
        if user is None or not user.active:
            return None
        if now - row["last_seen_at"] >= self.touch_every:  # slide the idle timeout
            expires = min(now + self.idle_timeout, row["created_at"] + self.max_age)
            row = {**row, "last_seen_at": now, "expires_at": expires}
            with self.lock:
                self.store.write("user_sessions", [row])
        csrf = self.csrf_of(secret)
        self._cache[key] = Cached(user.actor, csrf, row["expires_at"], now + self.cache_for)
        return user.actor, csrf

    def end_session(self, secret: str) -> None:
        """Log out: the session cannot be used again."""
        key = sha256(secret)
        self._cache.pop("s:" + key, None)
        with self.lock:
            t = self.store.table("user_sessions")
            rows = t.filter((t.session_hash == key) & t.ended_at.isnull()).to_pyarrow()
            if rows.num_rows:
                ended = [{**r, "ended_at": self.clock()} for r in rows.to_pylist()]
                self.store.write("user_sessions", ended)

    #: how long a session row is kept after it ended or expired (who logged in from where)
    SESSION_RETENTION = dt.timedelta(days=30)

    def purge_sessions(self, keep: dt.timedelta | None = None) -> int:
        """Delete the rows of sessions that ended or expired more than ``keep`` ago
        (default :attr:`SESSION_RETENTION`); how many. Live sessions are never touched."""
        cutoff = self.clock() - (keep if keep is not None else self.SESSION_RETENTION)
        with self.lock:
            t = self.store.table("user_sessions")
            old = t.filter(
                (t.expires_at < cutoff) | (t.ended_at.notnull() & (t.ended_at < cutoff))
            ).select("session_hash")
            hashes = old.to_pyarrow().column("session_hash").to_pylist()
            if hashes:
                ids = ibis.memtable({"session_hash": hashes})
                self.store.delete_where_in("user_sessions", "session_hash", ids)
        return len(hashes)

    def _end_sessions(self, user_id: str) -> None:
        with self.lock:
            t = self.store.table("user_sessions")
            rows = t.filter((t.user_id == user_id) & t.ended_at.isnull()).to_pyarrow()
            if rows.num_rows:
                ended = [{**r, "ended_at": self.clock()} for r in rows.to_pylist()]
                self.store.write("user_sessions", ended)
        self._cache.clear()
