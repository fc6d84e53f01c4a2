"""Users, passwords, sessions and API tokens kept in the store.

Users and tokens are append-only (a change is a new revision with who and when);
sessions are rows keyed by the SHA-256 of their secret, so nothing in the database
can be replayed as a login. Lookups that every request makes (a session, a token)
are cached in memory for ``cache_seconds``; changes made through this object drop
the cache at once, changes made by another process (the CLI on PostgreSQL) are seen
within ``cache_seconds``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Literal, overload

import ibis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import ConfigError, NotAuthenticated, RecordNotFound, WorkflowError
from ..store import Store
from ._permissions import check
from ._roles import ROLES, Actor, Role
from ._throttle import Throttle

Clock = Callable[[], dt.datetime]

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
TOKEN_PREFIX = "sjh_"
_USERNAME = re.compile(r"^\w[\w.@-]{1,63}$")
_LOGIN_FAILED = "wrong username or password"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _normal(username: str) -> str:
    return unicodedata.normalize("NFKC", username.strip())


def _fold(username: str) -> str:
    return _normal(username).casefold()


@dataclasses.dataclass(frozen=True)
class User:
    """One revision of a user (the latest one is the user's current state)."""

    user_id: str
    revision: int
    username: str
    display_name: str
    role: Role
    agent_id: str | None
    active: bool
    changed_by: str
    changed_at: dt.datetime
    password_hash: str | None = dataclasses.field(default=None, repr=False)

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.role, self.agent_id, self.display_name or self.username)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> User:
        return cls(
            user_id=row["user_id"],
            revision=int(row["revision"]),
            username=row["username"],
            display_name=row["display_name"] or "",
            role=row["role"],
            agent_id=row["agent_id"],
            active=bool(row["active"]),
            changed_by=row["changed_by"],
            changed_at=row["changed_at"],
            password_hash=row["password_hash"],
        )

    def row(self) -> dict[str, Any]:
        return {
            "row_id": f"{self.user_id}@{self.revision}",
            **{f.name: getattr(self, f.name) for f in dataclasses.fields(self)},
        }


@dataclasses.dataclass(frozen=True)
class Token:
    """One revision of an API token (never the secret)."""

    token_id: str
    revision: int
    user_id: str
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    changed_by: str
    changed_at: dt.datetime
    token_hash: str = dataclasses.field(repr=False, default="")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Token:
        return cls(**{f.name: row[f.name] for f in dataclasses.fields(cls)})

    def row(self) -> dict[str, Any]:
        return {
            "row_id": f"{self.token_id}@{self.revision}",
            **{f.name: getattr(self, f.name) for f in dataclasses.fields(self)},
        }


class Miss:
    """Not answered from memory (``cached_only=True``): ask again without it, off the
    event loop, since the store may be busy."""


MISS = Miss()


@dataclasses.dataclass
class _Cached:
    actor: Actor
    csrf: str
    #: the session (or token) itself ends then (sessions only; tokens do not expire)
    expires_at: dt.datetime | None
    #: re-read from the database after this moment
    fresh_until: dt.datetime


def _latest(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """The latest revision of each record."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen = found.get(row[key])
        if seen is None or row["revision"] > seen["revision"]:
            found[row[key]] = row
    return found


class Accounts:
    """Users, logins, sessions and API tokens of one store.

    ``lock`` serialises store access (by default the store's own lock);
    ``clock`` returns the current UTC time (tests pass a fake one); ``hasher`` is the
    argon2id :class:`~argon2.PasswordHasher` (hashes made with other parameters are
    upgraded at the next successful login).
    """

    def __init__(
        self,
        store: Store,
        clock: Clock | None = None,
        *,
        lock: AbstractContextManager[Any] | None = None,
        hasher: PasswordHasher | None = None,
        idle_timeout: dt.timedelta = dt.timedelta(hours=12),
        max_age: dt.timedelta = dt.timedelta(days=7),
        touch_every: dt.timedelta = dt.timedelta(minutes=5),
        cache_seconds: float = 30.0,
        throttle: Throttle | None = None,
    ) -> None:
        self.store = store
        self.clock: Clock = clock or _utcnow
        self.lock: AbstractContextManager[Any] = lock or store.lock
        self.hasher = hasher or PasswordHasher()
        self.idle_timeout, self.max_age, self.touch_every = idle_timeout, max_age, touch_every
        self.cache_for = dt.timedelta(seconds=cache_seconds)
        self.throttle = throttle or Throttle(lambda: self.clock().timestamp())
        self._dummy: str | None = None
        self._cache: dict[str, _Cached] = {}
        self._has_users: bool | None = None
        self._has_users_checked = dt.datetime.min.replace(tzinfo=dt.UTC)

    # -- users --------------------------------------------------------------------------

    @overload
    def has_users(self, *, cached_only: Literal[False] = False) -> bool: ...
    @overload
    def has_users(self, *, cached_only: bool) -> bool | None: ...

    def has_users(self, *, cached_only: bool = False) -> bool | None:
        """Whether any user exists (none: the local single-user setup, no logins).

        Cached: once true it stays true (users are disabled, never deleted); while
        false the store is asked again every two seconds. ``cached_only``: None
        instead of asking the store.
        """
        if self._has_users:
            return True
        now = self.clock()
        if self._has_users is None or now - self._has_users_checked > dt.timedelta(seconds=2):
            if cached_only:
                return None
            with self.lock:
                count = int(self.store.con.execute(self.store.table("users").count()))
            self._has_users, self._has_users_checked = count > 0, now
        return bool(self._has_users)

    def _user_rows(self) -> list[dict[str, Any]]:
        with self.lock:
            rows: list[dict[str, Any]] = self.store.table("users").to_pyarrow().to_pylist()
        return rows

    def users(self) -> list[User]:
        """Every user's current state, by username."""
        current = _latest(self._user_rows(), "user_id").values()
        return sorted((User.from_row(r) for r in current), key=lambda u: _fold(u.username))

    def _find(self, username: str) -> User | None:
        wanted = _fold(username)
        return next((u for u in self.users() if _fold(u.username) == wanted), None)

    def user(self, username: str) -> User:
        """The current state of one user (the name's case does not matter)."""
        found = self._find(username)
        if found is None:
            known = ", ".join(u.username for u in self.users()) or "none yet"
            raise RecordNotFound(f"no user {username!r}; users: {known}")
        return found

    def _user_by_id(self, user_id: str) -> User | None:
        with self.lock:
            t = self.store.table("users")
            rows = t.filter(t.user_id == user_id).to_pyarrow().to_pylist()
        latest = _latest(rows, "user_id").get(user_id)
        return User.from_row(latest) if latest else None

    def history(self, username: str) -> list[User]:
        """Every revision of a user, oldest first: who changed what, when."""
        user_id = self.user(username).user_id
        rows = [r for r in self._user_rows() if r["user_id"] == user_id]
        return [User.from_row(r) for r in sorted(rows, key=lambda r: r["revision"])]

    def _save(self, user: User) -> User:
        with self.lock:
            self.store.write("users", [user.row()])
        self._has_users = True
        self._cache.clear()  # a role, name or active flag may have changed
        return user

    def _revise(self, actor: Actor, user: User, **changes: Any) -> User:
        revised = dataclasses.replace(
            user,
            revision=user.revision + 1,
            changed_by=actor.user_id,
            changed_at=self.clock(),
            **changes,
        )
        return self._save(revised)

    def add_user(
        self,
        actor: Actor,
        username: str,
        password: str,
        role: str,
        display_name: str = "",
        agent_id: str | None = None,
    ) -> User:
        """Create a user (admins only). Raises ConfigError for a bad name, role,
        password or agent id, WorkflowError when the username is taken."""
        check(actor, "manage_users")
        username, checked_role, agent = self.check_new_user(username, role, agent_id)
        self._check_password(password, username)
        user = User(
            user_id=f"user:{secrets.token_hex(6)}",
            revision=1,
            username=username,
            display_name=display_name.strip() or username,
            role=checked_role,
            agent_id=agent,
            active=True,
            changed_by=actor.user_id,
            changed_at=self.clock(),
            password_hash=self.hasher.hash(password),
        )
        return self._save(user)

    def check_new_user(
        self, username: str, role: str, agent_id: str | None = None
    ) -> tuple[str, Role, str | None]:
        """Validate a new user's name, role and agent id (before asking for a password)
        → the normalised values."""
        username = _normal(username)
        if not _USERNAME.match(username):
            raise ConfigError(
                f"username {username!r}: use 2–64 letters, digits and . _ - @ "
                "(starting with a letter or digit)"
            )
        if self._find(username) is not None:
            raise WorkflowError(f"a user named {username!r} already exists (names ignore case)")
        checked = self._role(role)
        return username, checked, self._agent(checked, agent_id)

    def set_password(self, actor: Actor, username: str, password: str) -> User:
        """A new password (admins for anyone, users for themselves); ends the user's
        sessions."""
        user = self.user(username)
        if actor.user_id != user.user_id:
            check(actor, "manage_users")
        self._check_password(password, user.username)
        revised = self._revise(actor, user, password_hash=self.hasher.hash(password))
        self._end_sessions(user.user_id)
        return revised

    def set_role(self, actor: Actor, username: str, role: str, agent_id: str | None = None) -> User:
        """Change a user's role (admins only); the agent role needs ``agent_id``."""
        check(actor, "manage_users")
        user = self.user(username)
        checked = self._role(role)
        agent = self._agent(checked, agent_id if agent_id is not None else user.agent_id)
        return self._revise(actor, user, role=checked, agent_id=agent)

    def deactivate(self, actor: Actor, username: str) -> User:
        """Disable a user (admins only): their sessions end and their tokens stop
        working. The user and their history stay."""
        check(actor, "manage_users")
        user = self.user(username)
        revised = self._revise(actor, user, active=False) if user.active else user
        self._end_sessions(user.user_id)
        return revised

    def activate(self, actor: Actor, username: str) -> User:
        """Enable a disabled user again (admins only)."""
        check(actor, "manage_users")
        user = self.user(username)
        return user if user.active else self._revise(actor, user, active=True)

    @staticmethod
    def _role(role: str) -> Role:
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        return role

    def _agent(self, role: Role, agent_id: str | None) -> str | None:
        if role != "agent":
            return agent_id or None
        if not agent_id:
            raise ConfigError(
                "a user with the agent role needs --agent-id: their id in the agents table "
                "(they see only their own scorecard)"
            )
        with self.lock:
            agents = self.store.table("agents")
            known = int(self.store.con.execute(agents.count()))
            found = int(self.store.con.execute(agents.filter(agents.agent_id == agent_id).count()))
        if known and not found:
            raise ConfigError(f"agent id {agent_id!r} is not in the agents table")
        return agent_id

    @staticmethod
    def _check_password(password: str, username: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise ConfigError(
                f"the password is too short: use at least {MIN_PASSWORD} characters "
                f"(this one has {len(password)}); a few unrelated words make a good one"
            )
        if len(password) > MAX_PASSWORD:
            raise ConfigError(f"the password is too long (at most {MAX_PASSWORD} characters)")
        if _fold(password) == _fold(username):
            raise ConfigError("the password must not be the username")

    # -- logging in ---------------------------------------------------------------------

    def authenticate(self, username: str, password: str, remote: str | None = None) -> Actor:
        """The actor of a correct username and password.

        Raises :class:`NotAuthenticated` (one message whatever was wrong) or
        :class:`TooManyAttempts` when this username or address failed too often. An
        unknown username costs the same hash verification as a known one.
        """
        self.throttle.check(username, remote)
        user = self._find(username) if _USERNAME.match(_normal(username)) else None
        stored = user.password_hash if user and user.active and user.password_hash else None
        try:
            ok = self.hasher.verify(stored or self._dummy_hash(), password) and stored is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None:
            self.throttle.failed(username, remote)
            raise NotAuthenticated(_LOGIN_FAILED)
        self.throttle.succeeded(username)
        assert stored is not None
        if self.hasher.check_needs_rehash(stored):
            user = self._revise(user.actor, user, password_hash=self.hasher.hash(password))
        return user.actor

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    # -- sessions -----------------------------------------------------------------------

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
            "session_hash": _sha256(secret),
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
        key = "s:" + _sha256(secret)
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
        self._cache[key] = _Cached(user.actor, csrf, row["expires_at"], now + self.cache_for)
        return user.actor, csrf

    def end_session(self, secret: str) -> None:
        """Log out: the session cannot be used again."""
        key = _sha256(secret)
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

    # -- API tokens ---------------------------------------------------------------------

    @staticmethod
    def token_id(secret: str) -> str:
        """The public id of a token secret (what `sanjeh user revoke` takes)."""
        return "tok-" + _sha256(secret)[:12]

    def issue_token(self, actor: Actor, user: str, name: str) -> str:
        """A new API token acting as ``user`` → the secret (``sjh_…``), shown only now.

        Admins issue tokens for anyone, other users for themselves."""
        target = self.user(user)
        check(actor, "manage_tokens", user_id=target.user_id)
        if not target.active:
            raise WorkflowError(f"user {target.username!r} is disabled; enable them first")
        name = name.strip()
        if not name or len(name) > 100:
            raise ConfigError("name the token (1–100 characters), e.g. --name ci")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        token = Token(
            token_id=self.token_id(secret),
            revision=1,
            user_id=target.user_id,
            name=name,
            created_at=now,
            revoked_at=None,
            changed_by=actor.user_id,
            changed_at=now,
            token_hash=_sha256(secret),
        )
        with self.lock:
            self.store.write("api_tokens", [token.row()])
        return secret

    @overload
    def verify_token(self, secret: str, *, cached_only: Literal[False] = False) -> Actor: ...
    @overload
    def verify_token(self, secret: str, *, cached_only: bool) -> Actor | Miss: ...

    def verify_token(self, secret: str, *, cached_only: bool = False) -> Actor | Miss:
        """The actor an API token acts as; NotAuthenticated when it is unknown, revoked,
        or its user is disabled. ``cached_only``: :data:`MISS` instead of asking the
        store."""
        invalid = NotAuthenticated(
            "the API token is not valid (unknown or revoked, or its user is disabled); "
            "issue a new one with `sanjeh user token USERNAME --name NAME`"
        )
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            raise invalid
        digest = _sha256(secret)
        key = "t:" + digest
        now = self.clock()
        hit = self._cache.get(key)
        if hit is not None and now < hit.fresh_until:
            return hit.actor
        if cached_only:
            return MISS
        with self.lock:
            t = self.store.table("api_tokens")
            rows = t.filter(t.token_hash == digest).to_pyarrow().to_pylist()
        latest = max(rows, key=lambda r: r["revision"], default=None)
        if latest is None or latest["revoked_at"] is not None:
            raise invalid
        user = self._user_by_id(latest["user_id"])
        if user is None or not user.active:
            raise invalid
        self._cache[key] = _Cached(user.actor, "", None, now + self.cache_for)
        return user.actor

    def tokens(self, username: str | None = None) -> list[Token]:
        """Current state of every token (or one user's), newest first."""
        with self.lock:
            rows = self.store.table("api_tokens").to_pyarrow().to_pylist()
        current = [Token.from_row(r) for r in _latest(rows, "token_id").values()]
        if username is not None:
            user_id = self.user(username).user_id
            current = [t for t in current if t.user_id == user_id]
        return sorted(current, key=lambda t: t.created_at, reverse=True)

    def revoke_token(self, actor: Actor, token_id: str) -> Token:
        """Revoke a token (admins, or the token's own user): it stops working at once
        here and within ``cache_seconds`` in other processes."""
        found = next((t for t in self.tokens() if t.token_id == token_id), None)
        if found is None:
            raise RecordNotFound(f"no API token {token_id!r}; `sanjeh user tokens` lists them")
        check(actor, "manage_tokens", user_id=found.user_id)
        if found.revoked_at is not None:
            return found
        now = self.clock()
        revoked = dataclasses.replace(
            found,
            revision=found.revision + 1,
            revoked_at=now,
            changed_by=actor.user_id,
            changed_at=now,
        )
        with self.lock:
            self.store.write("api_tokens", [revoked.row()])
        self._cache.clear()
        return revoked
