"""Users, passwords, sessions and API tokens kept in the store: :class:`Accounts`.

Users and tokens are append-only (a change is a new revision with who and when), and
every change is also an entry of the audit log (``_audit``). Sessions (``_sessions``)
and tokens (``_tokens``) are stored as SHA-256 digests of their secrets. Lookups that
every request makes (a session, a token) are cached in memory for ``cache_seconds``;
changes made through this object drop the cache at once, changes made by another
process (the CLI on PostgreSQL) are seen within ``cache_seconds``.
"""

from __future__ import annotations

import re
import secrets

from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import ConfigError, NotAuthenticated, WorkflowError
from ._names import fold, normal
from ._permissions import check
from ._records import TOKEN_PREFIX, Token, User
from ._roles import ROLES, Actor, Role
from ._sessions import SessionsMixin
from ._tokens import TokensMixin

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_USERNAME = re.compile(r"^\w[\w.@-]{1,63}$")
_LOGIN_FAILED = "wrong username or password"


class Accounts(SessionsMixin, TokensMixin):
    """Users, logins, sessions and API tokens of one store:
    ``Accounts(store, clock=None, *, lock=None, hasher=None, …)``.

    ``lock`` serialises store access (by default the store's own lock);
    ``clock`` returns the current UTC time (tests pass a fake one); ``hasher`` is the
    argon2id :class:`~argon2.PasswordHasher` (hashes made with other parameters are
    upgraded at the next successful login). Every change is checked against the
    permission matrix and written to the audit log (:meth:`audit`).
    """

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
        password or agent id, WorkflowError when the name is taken."""
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
        saved = self._save(user)
        self.audit_log.record(actor, "user_added", user.user_id, detail=checked_role)
        return saved

    def check_new_user(
        self, username: str, role: str, agent_id: str | None = None
    ) -> tuple[str, Role, str | None]:
        """Validate a new user's name, role and agent id (before asking for a password)
        → the normalised values."""
        username = self._check_name(username)
        checked = self._role(role)
        return username, checked, self._agent(checked, agent_id)

    def _check_name(self, username: str, *, besides: str | None = None) -> str:
        """A new name, normalised; refused when it is malformed or reads like the name of
        another user than ``besides`` (a user id)."""
        username = normal(username)
        if not _USERNAME.match(username):
            raise ConfigError(
                f"username {username!r}: use 2–64 letters, digits and . _ - @ "
                "(starting with a letter or digit)"
            )
        taken = [u for u in self._lookup(username)[1] if u.user_id != besides]
        if taken:
            raise WorkflowError(
                f"a user named {taken[0].username!r} already exists, and {username!r} reads "
                "the same (names ignore case and look-alike characters): choose another name"
            )
        return username

    def rename(self, actor: Actor, username: str, new_name: str) -> User:
        """Give a user another login name (admins only): e.g. one of two users whose
        names read the same (:meth:`collisions`). Their sessions and tokens stay."""
        check(actor, "manage_users")
        user = self.user(username)
        name = self._check_name(new_name, besides=user.user_id)
        if name == user.username:
            return user
        revised = self._revise(actor, user, username=name)
        detail = f"{user.username} → {name}"
        self.audit_log.record(actor, "user_renamed", user.user_id, detail=detail)
        return revised

    def set_password(self, actor: Actor, username: str, password: str) -> User:
        """A new password (admins for anyone, users for themselves); ends the user's
        sessions and open reset links."""
        user = self.user(username)
        own = actor.user_id == user.user_id
        if not own:
            check(actor, "manage_users")
        self._check_password(password, user.username)
        revised = self._revise(actor, user, password_hash=self.hasher.hash(password))
        self._end_sessions(user.user_id)
        self.reset_links.end(user.user_id)
        action = "password_changed" if own else "password_set"
        self.audit_log.record(actor, action, user.user_id)
        return revised

    def set_role(self, actor: Actor, username: str, role: str, agent_id: str | None = None) -> User:
        """Change a user's role (admins only); the agent role needs ``agent_id``. The last
        active admin keeps the admin role."""
        check(actor, "manage_users")
        user = self.user(username)
        checked = self._role(role)
        agent = self._agent(checked, agent_id if agent_id is not None else user.agent_id)
        if (checked, agent) == (user.role, user.agent_id):
            return user
        self._keep_an_admin(user, role=checked, active=user.active)
        revised = self._revise(actor, user, role=checked, agent_id=agent)
        detail = f"{user.role} → {checked}" + (f" ({agent})" if agent else "")
        self.audit_log.record(actor, "role_changed", user.user_id, detail=detail)
        return revised

    def deactivate(self, actor: Actor, username: str) -> User:
        """Disable a user (admins only): their sessions end, their tokens and reset links
        stop working. The user and their history stay. The last active admin cannot be
        disabled (nobody could manage users then)."""
        check(actor, "manage_users")
        user = self.user(username)
        revised = user
        if user.active:
            self._keep_an_admin(user, role=user.role, active=False)
            revised = self._revise(actor, user, active=False)
            self.audit_log.record(actor, "user_disabled", user.user_id)
        self._end_sessions(user.user_id)
        self.reset_links.end(user.user_id)
        return revised

    def activate(self, actor: Actor, username: str) -> User:
        """Enable a disabled user again (admins only)."""
        check(actor, "manage_users")
        user = self.user(username)
        if user.active:
            return user
        revised = self._revise(actor, user, active=True)
        self.audit_log.record(actor, "user_enabled", user.user_id)
        return revised

    def _keep_an_admin(self, user: User, *, role: str, active: bool) -> None:
        """Refuse a change that would leave no active admin."""
        if user.role != "admin" or not user.active or (role == "admin" and active):
            return
        others = [
            u for u in self.users() if u.role == "admin" and u.active and u.user_id != user.user_id
        ]
        if not others:
            raise WorkflowError(
                f"{user.username!r} is the last active admin, and without one nobody could "
                "manage users: make another user admin first"
            )

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
        if fold(password) == fold(username):
            raise ConfigError("the password must not be the username")

    # -- logging in ---------------------------------------------------------------------

    def authenticate(self, username: str, password: str, remote: str | None = None) -> Actor:
        """The actor of a correct username and password.

        Raises :class:`NotAuthenticated` (one message whatever was wrong) or
        :class:`TooManyAttempts` when this username or address failed too often. An
        unknown username costs the same hash verification as a known one.
        """
        self.throttle.check(username, remote)
        user = self._find(username) if _USERNAME.match(normal(username)) else None
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

    # -- password reset links -------------------------------------------------------------

    def issue_reset_link(self, actor: Actor, username: str) -> str:
        """A one-time link secret for setting ``username``'s password (admins only), valid
        for a day; hand it to the user. Their current password keeps working until the
        link is used (see ``_resets``)."""
        check(actor, "manage_users")
        user = self.user(username)
        if not user.active:
            raise WorkflowError(f"user {user.username!r} is disabled; enable them first")
        secret = self.reset_links.issue(user.user_id, actor.user_id)
        self.audit_log.record(actor, "reset_link_issued", user.user_id)
        return secret

    def reset_link_user(self, secret: str) -> User | None:
        """The active user a live reset link is for, else None."""
        user_id = self.reset_links.user_of(secret)
        user = self._user_by_id(user_id) if user_id else None
        return user if user is not None and user.active else None

    def reset_password(self, secret: str, password: str) -> User:
        """Set a new password with a reset link (used up); the user's sessions end.
        NotAuthenticated when the link is unknown, used, expired or its user disabled;
        ConfigError for a password that is not allowed (the link stays usable)."""
        user = self.reset_link_user(secret)
        if user is None:
            raise NotAuthenticated(
                "this password reset link is not valid (used, replaced by a newer one, or "
                "more than a day old): ask an admin for a new one"
            )
        self._check_password(password, user.username)
        if self.reset_links.use(secret) is None:  # used meanwhile, by another request
            raise NotAuthenticated("this password reset link was just used")
        revised = self._revise(user.actor, user, password_hash=self.hasher.hash(password))
        self._end_sessions(user.user_id)
        self.reset_links.end(user.user_id)
        self.throttle.succeeded(user.username)  # they may log in at once
        self.audit_log.record(user.actor, "password_reset", user.user_id)
        return revised


__all__ = ["MAX_PASSWORD", "MIN_PASSWORD", "TOKEN_PREFIX", "Accounts", "Token", "User"]
