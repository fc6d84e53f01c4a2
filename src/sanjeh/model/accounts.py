"""Tables of users, sessions and API tokens (see ``sanjeh.accounts``).

Users and tokens are append-only like the QA workflow: a change is a new row (the next
revision) saying who changed it and when; the current state is the latest revision.
Secrets are never stored: passwords as argon2id hashes, session ids and API tokens as
SHA-256 digests.
"""

from __future__ import annotations

from typing import Literal, get_args

from ._spec import Column, TableSpec

#: the roles a user may have, declared once (``sanjeh.accounts`` builds its groups and the
#: permission matrix on them)
Role = Literal["admin", "manager", "reviewer", "agent"]
ROLE_CHOICES: tuple[Role, ...] = get_args(Role)


def _changed() -> tuple[Column, ...]:
    return (
        Column("changed_by", "string", "User id of whoever made this revision.", required=True),
        Column("changed_at", "timestamp", "When this revision was made.", required=True),
    )


USERS = TableSpec(
    name="users",
    description=(
        "People who log in to the dashboard. Append-only: each change (new password, role, "
        "deactivation) is a new revision; the user's current state is the latest one."
    ),
    key="row_id",
    columns=(
        Column("row_id", "string", "`<user_id>@<revision>`.", required=True),
        Column("user_id", "string", "Stable id of the user, e.g. `user:3f9a0c1d2b4e`.", True),
        Column("revision", "int", "1 for the first row of a user, then 2, 3 …", True, minimum=1),
        Column(
            "username",
            "string",
            "Login name: letters, digits and `. _ - @`; unique ignoring case.",
            required=True,
        ),
        Column("display_name", "string", "Name shown in the dashboard."),
        Column("role", "string", "What the user may do.", required=True, choices=ROLE_CHOICES),
        Column(
            "agent_id",
            "id",
            "The user's id in `agents` (required for the agent role: an agent sees only "
            "their own scorecard).",
            ref="agents",
        ),
        Column("password_hash", "string", "argon2id hash of the password (never the password)."),
        Column("active", "bool", "False once the user is disabled.", required=True),
        *_changed(),
    ),
    example={
        "row_id": "user:3f9a0c1d2b4e@1",
        "user_id": "user:3f9a0c1d2b4e",
        "revision": 1,
        "username": "maryam",
        "display_name": "مریم احمدی",
        "role": "reviewer",
        "agent_id": None,
        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$…",
        "active": True,
        "changed_by": "local",
        "changed_at": "2026-11-01T08:00:00Z",
    },
)

API_TOKENS = TableSpec(
    name="api_tokens",
    description=(
        "API tokens for programmatic access (`Authorization: Bearer sjh_…`). Only the "
        "SHA-256 of the secret is kept; the secret is shown once. Append-only: revoking "
        "is a new revision with `revoked_at`."
    ),
    key="row_id",
    columns=(
        Column("row_id", "string", "`<token_id>@<revision>`.", required=True),
        Column("token_id", "string", "Stable id of the token, e.g. `tok-1a2b3c4d`.", True),
        Column("revision", "int", "1 when issued, 2 when revoked.", True, minimum=1),
        Column("user_id", "string", "The user the token acts as.", required=True),
        Column("name", "string", "What the token is for, e.g. `ci`.", required=True),
        Column("token_hash", "string", "SHA-256 (hex) of the secret.", required=True),
        Column("created_at", "timestamp", "When the token was issued.", required=True),
        Column("revoked_at", "timestamp", "When it was revoked; empty while valid."),
        *_changed(),
    ),
    example={
        "row_id": "tok-1a2b3c4d@1",
        "token_id": "tok-1a2b3c4d",
        "revision": 1,
        "user_id": "user:3f9a0c1d2b4e",
        "name": "ci",
        "token_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "created_at": "2026-11-01T08:00:00Z",
        "revoked_at": None,
        "changed_by": "local",
        "changed_at": "2026-11-01T08:00:00Z",
    },
)

USER_SESSIONS = TableSpec(
    name="user_sessions",
    description=(
        "Dashboard logins (server-side sessions). The cookie holds a random secret; only "
        "its SHA-256 is kept, so logging out or disabling the user really ends it."
    ),
    key="session_hash",
    columns=(
        Column("session_hash", "string", "SHA-256 (hex) of the session secret.", required=True),
        Column("user_id", "string", "Who logged in.", required=True),
        Column("created_at", "timestamp", "When they logged in.", required=True),
        Column("last_seen_at", "timestamp", "Last use (recorded every few minutes).", True),
        Column("expires_at", "timestamp", "The session ends then unless used before.", True),
        Column("ended_at", "timestamp", "Logout, password change or deactivation."),
        Column("remote", "string", "Address the login came from."),
    ),
)

ACCOUNT_TABLES: dict[str, TableSpec] = {t.name: t for t in (USERS, API_TOKENS, USER_SESSIONS)}
