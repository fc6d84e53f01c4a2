"""Users, roles, passwords, sessions and API tokens.

    from sanjeh.accounts import Accounts, LOCAL_ADMIN
    accounts = Accounts(store)
    accounts.add_user(LOCAL_ADMIN, "maryam", "a long passphrase", "reviewer")
    actor = accounts.authenticate("maryam", "a long passphrase", remote="10.0.0.7")
    secret, csrf = accounts.start_session(actor)        # the cookie, the form token
    accounts.session(secret)                             # → (actor, csrf) or None
    token = accounts.issue_token(LOCAL_ADMIN, "maryam", "ci")   # sjh_…, shown once
    accounts.verify_token(token)                         # → actor
    link = accounts.issue_reset_link(LOCAL_ADMIN, "maryam")     # one-time, for a day
    accounts.reset_password(link, "a new passphrase")
    accounts.audit()                                     # who changed which account, when

Usernames are compared folded (``_names``: NFKC, case, Arabic / Persian look-alikes),
for lookup, uniqueness and login throttling alike; failed logins are counted in the
store (``login_failures``), so every server process and a restart see the same counts.

Roles: admin (everything, manages users), manager and reviewer (the whole dashboard;
reviewers and staff grade conversations, staff manage the QA workflow), agent
(team-level pages and their own scorecard only); see ``PERMISSIONS`` (the one matrix,
QA included), :func:`can` and :func:`check`. A store without users is a local
single-user setup: everything acts as :data:`LOCAL_ADMIN` and nobody logs in.
"""

from ._accounts import MIN_PASSWORD, TOKEN_PREFIX, Accounts, Token, User
from ._audit import AuditEntry
from ._permissions import PERMISSIONS, can, check, roles_with
from ._roles import LOCAL_ADMIN, ROLES, Actor, Role
from ._throttle import Throttle

__all__ = [
    "LOCAL_ADMIN",
    "MIN_PASSWORD",
    "PERMISSIONS",
    "ROLES",
    "TOKEN_PREFIX",
    "Accounts",
    "Actor",
    "AuditEntry",
    "Role",
    "Throttle",
    "Token",
    "User",
    "can",
    "check",
    "roles_with",
]
