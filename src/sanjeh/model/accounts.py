"""Tables of users, sessions, API tokens, password reset links, failed logins and the
account audit log (see ``sanjeh.accounts``).

Users and tokens are append-only like the QA workflow: a change is a new row (the next
revision) saying who changed it and when; the current state is the latest revision.
Secrets are never stored: passwords as argon2id hashes, session ids, API tokens and
reset links as SHA-256 digests; failed logins keep only the SHA-256 of what was typed.
"""

from __future__ import annotations

from typing import Literal, get_args

from ._spec import Column, TableSpec

#: the roles a user may have, declared once (``sanjeh.accounts`` builds its groups and the
#: permission matrix on them)
Role = Literal["admin", "manager", "reviewer", "agent"]
ROLE_CHOICES: tuple[Role, ...] = get_args(Role)
#: what an API token may do: read (every token), or read and write (``--write``)
TOKEN_SCOPES = ("read", "read write")


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
            "Login name: letters, digits and `. _ - @`, stored in NFKC; unique ignoring "
            "case and look-alike characters (`sanjeh.accounts` compares names folded: "
            "NFKC, case-folded, Arabic `ي` `ك` as Persian `ی` `ک`, digits as ASCII).",
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
        Column(
            "scopes",
            "string",
            "What the token may do: `read`, or `read write` (also send data through the "
            "intake API, `--write`); empty in tokens issued before scopes existed: `read`.",
        ),
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
        "scopes": "read",
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

PASSWORD_RESETS = TableSpec(
    name="password_resets",
    description=(
        "One-time password reset links an admin issued. Only the SHA-256 of the link's "
        "secret is kept; a link ends when used, when a newer one is issued for the same "
        "user, or when it expires."
    ),
    key="reset_hash",
    columns=(
        Column("reset_hash", "string", "SHA-256 (hex) of the link's secret.", required=True),
        Column("user_id", "string", "Whose password the link sets.", required=True),
        Column("created_by", "string", "User id of the admin who issued it.", required=True),
        Column("created_at", "timestamp", "When it was issued.", required=True),
        Column("expires_at", "timestamp", "It cannot be used from then on.", required=True),
        Column("ended_at", "timestamp", "When it was used or replaced by a newer link."),
    ),
)

#: what a row of the account audit log records
AUDIT_ACTIONS = (
    "user_added",
    "user_renamed",
    "role_changed",
    "user_disabled",
    "user_enabled",
    "password_changed",
    "password_set",
    "reset_link_issued",
    "password_reset",
    "token_issued",
    "token_revoked",
)

ACCOUNT_AUDIT = TableSpec(
    name="account_audit",
    description=(
        "Who changed which account, when: every change to a user, a password or an API "
        "token, made from the CLI (by `local`) or the dashboard's user administration."
    ),
    key="audit_id",
    columns=(
        Column("audit_id", "string", "Id of the entry (time-ordered).", required=True),
        Column("at", "timestamp", "When it was done.", required=True),
        Column("actor_id", "string", "User id of who did it (`local`: the CLI).", True),
        Column("action", "string", "What was done.", required=True, choices=AUDIT_ACTIONS),
        Column("user_id", "string", "The user it was done to."),
        Column("token_id", "string", "The API token it was done to, if any."),
        Column("detail", "string", "More about it, e.g. `reviewer → manager`."),
    ),
    example={
        "audit_id": "audit:1875a3f0c2d4e6b8a1f09c",
        "at": "2026-11-02T09:15:00Z",
        "actor_id": "user:3f9a0c1d2b4e",
        "action": "user_disabled",
        "user_id": "user:a1b2c3d4e5f6",
        "token_id": None,
        "detail": None,
    },
)

LOGIN_FAILURES = TableSpec(
    name="login_failures",
    description=(
        "Failed logins in the throttling window (older rows are deleted), shared by every "
        "server process and kept across restarts. One row per failure and kind: the "
        "username (folded) and the address it came from, each as a SHA-256 digest (a "
        "password typed into the name field is not kept)."
    ),
    key="failure_id",
    columns=(
        Column("failure_id", "string", "Random id of the row.", required=True),
        Column("scope", "string", "What `subject` is.", required=True, choices=("user", "address")),
        Column("subject", "string", "SHA-256 (hex) of the folded username or the address.", True),
        Column("failed_at", "timestamp", "When the login failed.", required=True),
    ),
)

ACCOUNT_TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (USERS, API_TOKENS, USER_SESSIONS, PASSWORD_RESETS, ACCOUNT_AUDIT, LOGIN_FAILURES)
}
