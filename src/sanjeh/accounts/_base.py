"""What every part of ``Accounts`` shares: the store, the clock, the lookup cache, the
throttle, the audit log, and finding users by name."""

from __future__ import annotations

import dataclasses
import datetime as dt
from contextlib import AbstractContextManager
from typing import Any, Literal, overload

from argon2 import PasswordHasher

from ..errors import RecordNotFound, WorkflowError
from ..store import Store
from ._audit import AuditEntry, AuditLog
from ._names import fold, normal
from ._records import Cached, Clock, User, latest, utcnow
from ._resets import ResetLinks
from ._roles import Actor
from ._throttle import Throttle


class AccountsBase:
    """The state every part of :class:`~sanjeh.accounts.Accounts` shares (its
    parameters are described there), and looking users up."""

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
        self.clock: Clock = clock or utcnow
        self.lock: AbstractContextManager[Any] = lock or store.lock
        self.hasher = hasher or PasswordHasher()
        self.idle_timeout, self.max_age, self.touch_every = idle_timeout, max_age, touch_every
        self.cache_for = dt.timedelta(seconds=cache_seconds)
        self.throttle = throttle or Throttle(
            store, lambda: self.clock().timestamp(), lock=self.lock
        )
        self.audit_log = AuditLog(store, lambda: self.clock(), self.lock)
        self.reset_links = ResetLinks(store, lambda: self.clock(), self.lock)
        self._dummy: str | None = None
        self._cache: dict[str, Cached] = {}
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
        current = latest(self._user_rows(), "user_id").values()
        users = (User.from_row(r) for r in current)
        return sorted(users, key=lambda u: (fold(u.username), u.username))

    def _lookup(
        self, username: str, users: list[User] | None = None
    ) -> tuple[User | None, list[User]]:
        """(the user ``username`` means or None, every user whose name reads the same).

        Names are compared folded (``_names``), so normally one user at most matches.
        A store written before names were folded this way may hold two that do (``Ali``
        and ``ali``, ``علي`` and ``علی``): then only the exact stored name (NFKC) finds
        its user, and :meth:`collisions` lists them for an admin to rename one.
        """
        wanted = fold(username)
        users = self.users() if users is None else users
        found = [u for u in users if fold(u.username) == wanted]
        if len(found) > 1:
            exact = [u for u in found if u.username == normal(username)]
            return (exact[0] if len(exact) == 1 else None), found
        return (found[0] if found else None), found

    def _find(self, username: str) -> User | None:
        return self._lookup(username)[0]

    def user(self, username: str) -> User:
        """The current state of one user, by name (case and look-alike characters do not
        matter) or by user id (``user:…``; names cannot hold a colon)."""
        users = self.users()
        if username.startswith("user:"):
            by_id = next((u for u in users if u.user_id == username), None)
            if by_id is not None:
                return by_id
        found, same = self._lookup(username, users)
        if found is not None:
            return found
        if same:
            names = ", ".join(repr(u.username) for u in same)
            raise WorkflowError(
                f"{username!r} could be any of the users {names} (their names differ only in "
                "case or look-alike characters): type the name exactly as stored, or rename "
                "one with `sanjeh user rename`"
            )
        known = ", ".join(u.username for u in users) or "none yet"
        raise RecordNotFound(f"no user {username!r}; users: {known}")

    def collisions(self) -> list[list[User]]:
        """Groups of users whose names read the same (left by an older version, which
        compared names less strictly): each logs in only with the name exactly as
        stored. Rename all but one (:meth:`rename`)."""
        groups: dict[str, list[User]] = {}
        for u in self.users():
            groups.setdefault(fold(u.username), []).append(u)
        return [group for group in groups.values() if len(group) > 1]

    def _user_by_id(self, user_id: str) -> User | None:
        with self.lock:
            t = self.store.table("users")
            rows = t.filter(t.user_id == user_id).to_pyarrow().to_pylist()
        row = latest(rows, "user_id").get(user_id)
        return User.from_row(row) if row else None

    def history(self, username: str) -> list[User]:
        """Every revision of a user, oldest first: who changed what, when."""
        user_id = self.user(username).user_id
        rows = [r for r in self._user_rows() if r["user_id"] == user_id]
        return [User.from_row(r) for r in sorted(rows, key=lambda r: r["revision"])]

    def audit(self, user: str | None = None, *, limit: int = 200) -> list[AuditEntry]:
        """The account audit log, newest first (changes to ``user`` or made by them)."""
        user_id = self.user(user).user_id if user is not None else None
        return self.audit_log.entries(user_id=user_id, limit=limit)

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
