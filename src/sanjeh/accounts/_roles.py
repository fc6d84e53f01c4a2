"""Roles, the groups of roles the permission matrix is built on, and the actor every
workflow action is done by."""

from __future__ import annotations

import dataclasses

from ..model.accounts import ROLE_CHOICES, Role

#: every role, the most trusted first (declared once, with the users table)
ROLES: tuple[Role, ...] = ROLE_CHOICES
#: admins and managers: may see and manage everything (``Actor.is_staff``)
STAFF: tuple[Role, ...] = ("admin", "manager")
#: who grades conversations: staff and reviewers
REVIEWERS: tuple[Role, ...] = (*STAFF, "reviewer")
#: what a login may do (its role permitting); an API token has "read" alone unless issued
#: with ``--write``
ALL_SCOPES: frozenset[str] = frozenset({"read", "write"})
READ_ONLY: frozenset[str] = frozenset({"read"})


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who does something: a logged-in user (or the local single-user admin).

    ``agent_id`` links an agent's login to their id in the ``agents`` table; an
    agent only ever sees records of that id. ``scopes``: what the credential may do,
    within what the role permits: a login may read and write, an API token reads only
    unless it was issued with ``--write`` (the intake API needs ``write``).
    """

    user_id: str
    role: Role
    agent_id: str | None = None
    name: str = ""
    scopes: frozenset[str] = ALL_SCOPES

    @property
    def is_staff(self) -> bool:
        """Admins and managers: may see and manage everything."""
        return self.role in STAFF


#: the zero-setup default: a store with no users is a local single-user setup
LOCAL_ADMIN = Actor(user_id="local", role="admin", name="local")
