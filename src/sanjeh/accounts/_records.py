"""The records of accounts: a user's and a token's revisions, and what the per-request
lookup cache holds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from ._roles import READ_ONLY, Actor, Role

Clock = Callable[[], dt.datetime]
TOKEN_PREFIX = "sjh_"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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
    #: "read", or "read write"; None in tokens issued before scopes existed (read)
    scopes: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Token:
        found: dict[str, Any] = {f.name: row.get(f.name) for f in dataclasses.fields(cls)}
        return cls(**found)  # (scopes: None in a row of before scopes)

    @property
    def scope_set(self) -> frozenset[str]:
        """What the token may do: {"read"} or {"read", "write"}."""
        return frozenset((self.scopes or "read").split()) | READ_ONLY

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
class Cached:
    actor: Actor
    csrf: str
    #: the session (or token) itself ends then (sessions only; tokens do not expire)
    expires_at: dt.datetime | None
    #: re-read from the database after this moment
    fresh_until: dt.datetime


def latest(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """The latest revision of each record."""
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen = found.get(row[key])
        if seen is None or row["revision"] > seen["revision"]:
            found[row[key]] = row
    return found
