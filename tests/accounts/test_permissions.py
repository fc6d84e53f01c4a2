"""The one permission matrix: the dashboard's rows and the QA workflow's, the groups of
roles it is built on, and the messages that say who may."""

from __future__ import annotations

from typing import get_args

import pytest

from sanjeh.accounts import PERMISSIONS, ROLES, Actor, Role, can, check, roles_with
from sanjeh.errors import PermissionDenied
from sanjeh.model.accounts import ROLE_CHOICES, USERS


def test_the_matrix_row_by_row() -> None:
    """Written out by hand: a change to any row is a change of who may do what."""
    assert PERMISSIONS == {
        "view_dashboard": {"admin": "all", "manager": "all", "reviewer": "all", "agent": "all"},
        "view_customers": {"admin": "all", "manager": "all", "reviewer": "all", "agent": "all"},
        "view_leaderboard": {"admin": "all", "manager": "all", "reviewer": "all"},
        "view_agent": {"admin": "all", "manager": "all", "reviewer": "all", "agent": "own"},
        "view_staffing": {"admin": "all", "manager": "all", "reviewer": "all"},
        "manage_users": {"admin": "all"},
        "manage_tokens": {"admin": "all", "manager": "own", "reviewer": "own", "agent": "own"},
        "review_conversations": {"admin": "all", "manager": "all", "reviewer": "all"},
        "manage_qa": {"admin": "all", "manager": "all"},
        # QA insights across reviews (#22): an agent their own
        "view_qa_insights": {"admin": "all", "manager": "all", "reviewer": "all", "agent": "own"},
        # send data through the intake API (#18; a token also needs the write scope)
        "write_data": {"admin": "all", "manager": "all"},
        # the case form and the open cases (#18): everyone who talks to customers
        "log_cases": {"admin": "all", "manager": "all", "reviewer": "all", "agent": "all"},
        # define and send surveys, read their results (#14)
        "manage_surveys": {"admin": "all", "manager": "all"},
    }


@pytest.mark.parametrize(
    ("role", "reviews", "manages"),
    [
        ("admin", True, True),
        ("manager", True, True),
        ("reviewer", True, False),
        ("agent", False, False),
    ],
)
def test_who_may_review_and_manage_qa(role: Role, reviews: bool, manages: bool) -> None:
    actor = Actor("u", role, agent_id="x:a1" if role == "agent" else None)
    assert can(actor, "review_conversations") is reviews
    assert can(actor, "manage_qa") is manages
    # the QA flag follows the matrix, and so does is_staff
    assert actor.is_staff is manages


def test_messages_name_who_may() -> None:
    agent, reviewer = Actor("a", "agent", agent_id="x:a1"), Actor("r", "reviewer")
    with pytest.raises(PermissionDenied) as denied:
        check(agent, "review_conversations", action="review")
    assert denied.value.message == "only reviewers, managers and admins may review (you are agent)"
    with pytest.raises(PermissionDenied) as denied:
        check(reviewer, "manage_qa", action="create review cycles")
    assert (
        denied.value.message
        == "only managers and admins may create review cycles (you are reviewer)"
    )
    with pytest.raises(
        PermissionDenied, match=r"^a user with the reviewer role may not manage the QA workflow$"
    ):
        check(reviewer, "manage_qa")
    check(reviewer, "review_conversations", action="review")  # allowed: no error
    assert roles_with("review_conversations") == ("admin", "manager", "reviewer")
    assert roles_with("manage_users") == ("admin",)
    with pytest.raises(KeyError, match="no permission 'fly'"):
        roles_with("fly")


def test_the_roles_are_declared_once() -> None:
    assert ROLES == ("admin", "manager", "reviewer", "agent")
    assert ROLES is ROLE_CHOICES and get_args(Role) == ROLES
    (role_column,) = [c for c in USERS.columns if c.name == "role"]
    assert role_column.choices is ROLES
