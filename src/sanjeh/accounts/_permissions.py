"""Who may see which part of the dashboard and do what in the QA workflow: one
declarative matrix.

``can(actor, "view_agent", agent_id="demo:a-001")`` → bool; ``check(...)`` raises
:class:`PermissionDenied`. Permissions scoped to "own" records take the record's
``agent_id`` (or ``user_id``) and compare it with the actor's. The QA workflow
(``sanjeh.qa``) checks ``review_conversations`` and ``manage_qa`` here; its rules about
one record (a reviewer changes only their own reviews …) stay with the workflow.
"""

from __future__ import annotations

from typing import Literal

from ..errors import PermissionDenied
from ._roles import REVIEWERS, ROLES, STAFF, Actor, Role

#: "all": every record; "own": only the actor's own (by agent_id / user_id)
Scope = Literal["all", "own"]


def _all(roles: tuple[Role, ...]) -> dict[Role, Scope]:
    return {role: "all" for role in roles}


PERMISSIONS: dict[str, dict[Role, Scope]] = {
    # team-level pages: overview, responsiveness, resolution, volume, satisfaction
    "view_dashboard": _all(ROLES),
    # customer search and timelines (agents serve these customers themselves)
    "view_customers": _all(ROLES),
    # the agent and team leaderboards
    "view_leaderboard": _all(REVIEWERS),
    # the staffing plan (required vs scheduled agents, hiring): planning, not one's own work
    "view_staffing": _all(REVIEWERS),
    # one agent's scorecard (and filtering any page to one agent)
    "view_agent": {**_all(REVIEWERS), "agent": "own"},
    # create users, change roles and passwords of others, disable users
    "manage_users": {"admin": "all"},
    # issue / revoke API tokens: admins for anyone, everyone else for themselves
    "manage_tokens": {**{role: "own" for role in ROLES}, "admin": "all"},
    # QA: grade conversations, hold coaching sessions, add to the wow library, see
    # review cycles, assignments and the calibration sessions one takes part in
    "review_conversations": _all(REVIEWERS),
    # QA: change scorecards, create review cycles and calibrations, resolve escalated
    # disputes; every QA record
    "manage_qa": _all(STAFF),
    # QA insights across reviews (#22): reviewers and staff all, an agent their own
    "view_qa_insights": {**_all(REVIEWERS), "agent": "own"},
    # send data to the store through the API (the intake API, #18): with a login, or
    # an API token issued with --write
    "write_data": _all(STAFF),
    # log a customer's case in the case form and follow the open cases (#18): everyone
    # who talks to customers
    "log_cases": _all(ROLES),
    # define surveys, send their invitations and read their results (#14)
    "manage_surveys": _all(STAFF),
}

_DESCRIPTIONS = {
    "view_dashboard": "see the dashboard",
    "view_customers": "see customers",
    "view_leaderboard": "see the agent leaderboard",
    "view_agent": "see this agent's scorecard",
    "view_staffing": "see the staffing plan",
    "manage_users": "manage users",
    "manage_tokens": "manage this user's API tokens",
    "review_conversations": "review conversations",
    "manage_qa": "manage the QA workflow",
    "view_qa_insights": "see these QA insights",
    "write_data": "send data to the store through the API",
    "log_cases": "log and follow customer cases",
    "manage_surveys": "define and send surveys",
}
#: role names in messages ("only reviewers, managers and admins may …")
_PLURALS: dict[Role, str] = {
    "admin": "admins",
    "manager": "managers",
    "reviewer": "reviewers",
    "agent": "agents",
}


def _granted(permission: str) -> dict[Role, Scope]:
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"no permission {permission!r}; known: {', '.join(PERMISSIONS)}") from None


def roles_with(permission: str) -> tuple[Role, ...]:
    """The roles granted ``permission`` (for all records or their own), most trusted first."""
    granted = _granted(permission)
    return tuple(role for role in ROLES if role in granted)


def can(
    actor: Actor, permission: str, *, agent_id: str | None = None, user_id: str | None = None
) -> bool:
    """May ``actor`` do ``permission`` (for the record of ``agent_id`` / ``user_id``)?"""
    scope = _granted(permission).get(actor.role)
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
    actor: Actor,
    permission: str,
    *,
    agent_id: str | None = None,
    user_id: str | None = None,
    action: str | None = None,
) -> None:
    """Raise :class:`PermissionDenied` unless :func:`can`. With ``action`` the message
    names who may: "only reviewers, managers and admins may {action} (you are agent)"."""
    if can(actor, permission, agent_id=agent_id, user_id=user_id):
        return
    if action is not None:
        who = [_PLURALS[role] for role in reversed(roles_with(permission))]
        named = ", ".join(who[:-1]) + " and " + who[-1] if len(who) > 1 else who[0]
        raise PermissionDenied(f"only {named} may {action} (you are {actor.role})")
    what = _DESCRIPTIONS.get(permission, permission.replace("_", " "))
    raise PermissionDenied(f"a user with the {actor.role} role may not {what}")
