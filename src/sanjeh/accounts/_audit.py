"""The account audit log: who changed which user, password or API token, and when.

Every change :class:`~sanjeh.accounts.Accounts` makes writes one row to
``account_audit``, from the CLI (as ``local``) and the dashboard's user administration
alike. Rows are never changed or deleted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import ibis

from ..model.accounts import AUDIT_ACTIONS
from ..store import Store
from ._roles import Actor

TABLE = "account_audit"


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One change: ``actor_id`` did ``action`` to ``user_id`` (and ``token_id``) at ``at``."""

    audit_id: str
    at: dt.datetime
    actor_id: str
    action: str
    user_id: str | None
    token_id: str | None
    detail: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditEntry:
        return cls(**{f.name: row[f.name] for f in dataclasses.fields(cls)})


class AuditLog:
    """Writes and reads ``account_audit`` (``lock`` serialises store access)."""

    def __init__(
        self, store: Store, clock: Callable[[], dt.datetime], lock: AbstractContextManager[Any]
    ) -> None:
        self.store, self.clock, self.lock = store, clock, lock

    def record(
        self,
        actor: Actor,
        action: str,
        user_id: str | None = None,
        *,
        token_id: str | None = None,
        detail: str | None = None,
    ) -> AuditEntry:
        assert action in AUDIT_ACTIONS, action  # declared with the table
        entry = AuditEntry(
            # time-ordered: entries made in the same instant still list in order
            audit_id=f"audit:{time.time_ns():016x}{secrets.token_hex(3)}",
            at=self.clock(),
            actor_id=actor.user_id,
            action=action,
            user_id=user_id,
            token_id=token_id,
            detail=detail,
        )
        with self.lock:
            self.store.write(TABLE, [dataclasses.asdict(entry)])
        return entry

    def entries(self, *, user_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """The newest ``limit`` entries (about one user, or done by them), newest first."""
        with self.lock:
            t = self.store.table(TABLE)
            if user_id is not None:
                t = t.filter((t.user_id == user_id) | (t.actor_id == user_id))
            newest = t.order_by([ibis.desc("at"), ibis.desc("audit_id")]).limit(limit)
            rows = newest.to_pyarrow().to_pylist()
        return [AuditEntry.from_row(r) for r in rows]
