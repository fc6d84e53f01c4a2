"""Who may see which part of the dashboard and manage what: one declarative matrix.

``can(actor, "view_agent", agent_id="demo:a-001")`` → bool; ``check(...)`` raises
:class:`PermissionDenied`. Permissions scoped to "own" records take the record's
``agent_id`` (or ``user_id``) and compare it with the actor's. The QA workflow
(``sanjeh.qa``) enforces its own review permissions on top of these.
"""

from __future__ import annotations

from typing import Literal

from ..errors import PermissionDenied
from ._roles import ROLES, Actor, Role

#: "all": every record; "own": only the actor's own (by agent_id / user_id)
Scope = Literal["all", "own"]
_EVERYONE: dict[Role, Scope] = {role: "all" for role in ROLES}
_STAFF_AND_REVIEWERS: dict[Role, Scope] = {"admin": "all", "manager": "all", "reviewer": "all"}

PERMISSIONS: dict[str, dict[Role, Scope]] = {
    # team-level pages: overview, responsiveness, resolution, volume, satisfaction
    "view_dashboard": _EVERYONE,
    # customer search and timelines (agents serve these customers themselves)
    "view_customers": _EVERYONE,
    # the agent and team leaderboards
    "view_leaderboard": _STAFF_AND_REVIEWERS,
    # one agent's scorecard (and filtering any page to one agent)
    "view_agent": {**_STAFF_AND_REVIEWERS, "agent": "own"},
    # create users, change roles and passwords of others, disable users
    "manage_users": {"admin": "all"},
    # issue / revoke API tokens: admins for anyone, everyone else for themselves
    "manage_tokens": {**_EVERYONE, "manager": "own", "reviewer": "own", "agent": "own"},
}

_DESCRIPTIONS = {
    "view_dashboard": "see the dashboard",
    "view_customers": "see customers",
    "view_leaderboard": "see the agent leaderboard",
    "view_agent": "see this agent's scorecard",
    "manage_users": "manage users",
    "manage_tokens": "manage this user's API tokens",
}


def can(
    actor: Actor, permission: str, *, agent_id: str | None = None, user_id: str | None = None
) -> bool:
    """May ``actor`` do ``permission`` (for the record of ``agent_id`` / ``user_id``)?"""
    try:
        scope = PERMISSIONS[permission].get(actor.role)
    except KeyError:
        raise KeyError(f"no permission {permission!r}; known: {', '.join(PERMISSIONS)}") from None
    if scope == "all":
        return True
    if scope == "own":
        if agent_id is not None:
            return actor.agent_id is not None and agent_id == actor.agent_id
        if user_id is not None:
            return user_id == actor.user_id
        return False
    return False


def check(
    actor: Actor, permission: str, *, agent_id: str | None = None, user_id: str | None = None
) -> None:
    """Raise :class:`PermissionDenied` unless :func:`can`."""
    if not can(actor, permission, agent_id=agent_id, user_id=user_id):
        what = _DESCRIPTIONS.get(permission, permission.replace("_", " "))
        raise PermissionDenied(f"a user with the {actor.role} role may not {what}")
