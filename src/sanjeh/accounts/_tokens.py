"""API tokens: only the SHA-256 of the secret is kept; append-only revisions."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Literal, overload

from ..errors import (
    ConfigError,
    NotAuthenticated,
    PermissionDenied,
    RecordNotFound,
    WorkflowError,
)
from ..model.accounts import TOKEN_SCOPES
from ._base import AccountsBase
from ._permissions import can, check
from ._records import MISS, TOKEN_PREFIX, Cached, Miss, Token, latest, sha256
from ._roles import Actor


class TokensMixin(AccountsBase):
    """API tokens of :class:`~sanjeh.accounts.Accounts`."""

    @staticmethod
    def token_id(secret: str) -> str:
        """The public id of a token secret (what `sanjeh user revoke` takes)."""
        return "tok-" + sha256(secret)[:12]

    def issue_token(self, actor: Actor, user: str, name: str, *, write: bool = False) -> str:
        """A new API token acting as ``user`` → the secret (``sjh_…``), shown only now.

        Admins issue tokens for anyone, other users for themselves. ``write``: the token
        may also send data (the intake API), as far as the user's role permits
        (``write_data``); without it the token only reads."""
        target = self.user(user)
        check(actor, "manage_tokens", user_id=target.user_id)
        if write and "write" not in actor.scopes:  # a read-only token issues no writer
            raise PermissionDenied("a read-only API token may not issue a token with --write")
        if write and not can(target.actor, "write_data"):
            raise WorkflowError(
                f"{target.username!r} is {target.role}: only managers and admins may send "
                "data, so a --write token would be refused; issue it without --write"
            )
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
            token_hash=sha256(secret),
            scopes=TOKEN_SCOPES[1] if write else TOKEN_SCOPES[0],
        )
        with self.lock:
            self.store.write("api_tokens", [token.row()])
        detail = f"{name} (read write)" if write else name
        self.audit_log.record(
            actor, "token_issued", target.user_id, token_id=token.token_id, detail=detail
        )
        return secret

    @overload
    def verify_token(self, secret: str, *, cached_only: Literal[False] = False) -> Actor: ...
    @overload
    def verify_token(self, secret: str, *, cached_only: bool) -> Actor | Miss: ...

    def verify_token(self, secret: str, *, cached_only: bool = False) -> Actor | Miss:
        """The actor an API token acts as, with the token's scopes (``{"read"}``, or
        ``{"read", "write"}`` for a token issued with ``write``); NotAuthenticated when
        it is unknown, revoked, or its user is disabled. ``cached_only``: :data:`MISS`
        instead of asking the store."""
        invalid = NotAuthenticated(
            "the API token is not valid (unknown or revoked, or its user is disabled); "
            "issue a new one with `sanjeh user token USERNAME --name NAME`"
        )
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            raise invalid
        digest = sha256(secret)
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
        actor = dataclasses.replace(user.actor, scopes=Token.from_row(latest).scope_set)
        self._cache[key] = Cached(actor, "", None, now + self.cache_for)
        return actor

    def tokens(self, username: str | None = None) -> list[Token]:
        """Current state of every token (or one user's), newest first."""
        with self.lock:
            rows = self.store.table("api_tokens").to_pyarrow().to_pylist()
        current = [Token.from_row(r) for r in latest(rows, "token_id").values()]
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
        self.audit_log.record(
            actor, "token_revoked", found.user_id, token_id=found.token_id, detail=found.name
        )
        return revoked
