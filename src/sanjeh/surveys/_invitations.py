"""Invitations and their links: one row each in ``survey_invitations``, a signed link
that is the only credential of the answer page.

The link is ``{base_url}/s/{invitation_id}?sig=…``: the invitation id is 16 random
bytes (URL-safe base64), the sig an HMAC of it (``accounts._links``, purpose
``survey``) that expires with the invitation. :func:`open_invitation` checks all of it
and refuses a forged, cut or made-up link, and one naming no invitation, with the same
:class:`InvalidLink` (403), so a wrong link never tells whether an invitation exists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from typing import Any

from ..accounts._links import ExpiredLink, sign, store_key, verify
from ..model.surveys import SURVEY_INVITATIONS
from ..store import Store
from . import _sql
from ._definitions import SurveyDefinition
from ._errors import AlreadyAnswered, UnknownInvitation
from ._storage import survey

TABLE = SURVEY_INVITATIONS.name
PURPOSE = "survey"
COLUMNS = tuple(SURVEY_INVITATIONS.column_names)
_ID_BYTES = 16


@dataclasses.dataclass(frozen=True)
class Invitation:
    """One invitation (a row of ``survey_invitations``)."""

    invitation_id: str
    survey_id: str
    version: int
    sent_at: dt.datetime
    expires_at: dt.datetime
    status: str = "queued"
    ticket_id: str | None = None
    call_id: str | None = None
    customer_id: str | None = None
    #: employee surveys: the employee asked (to send to; never in the answers)
    agent_id: str | None = None
    team_id: str | None = None
    language: str | None = None
    channel: str | None = None
    period: str | None = None
    answered_at: dt.datetime | None = None
    used_at_first: dt.datetime | None = None

    @property
    def recipient(self) -> str | None:
        """Who it goes to: the customer, or for an employee survey the employee."""
        return self.customer_id if self.customer_id is not None else self.agent_id

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in COLUMNS}


def new_id() -> str:
    return secrets.token_urlsafe(_ID_BYTES)


def answer_link(store: Store, invitation: Invitation, base_url: str) -> str:
    """The invitation's answer link, signed with the store's key."""
    sig = sign(
        PURPOSE, invitation.invitation_id, expires=invitation.expires_at, key=store_key(store)
    )
    return f"{base_url.rstrip('/')}/s/{invitation.invitation_id}?sig={sig}"


def invitation(store: Store, invitation_id: str) -> Invitation:
    """The invitation ``invitation_id``; :class:`UnknownInvitation` (403) when none."""
    found = read(store, [invitation_id])
    if not found:
        raise UnknownInvitation(INVALID)
    return found[0]


def read(store: Store, ids: list[str]) -> list[Invitation]:
    ids = [i for i in ids if i and "\x00" not in i]
    if not ids:
        return []
    cols = _sql.columns(SURVEY_INVITATIONS)
    sql = f'SELECT {cols} FROM "{TABLE}" WHERE "invitation_id" IN ({_sql.marks(ids)})'
    if store.backend == "duckdb":  # this thread's own connection: no wait for a writer
        rows = _sql.query(store, sql, ids, own=True)
    else:
        with store.lock:
            rows = _sql.query(store, sql, ids)
    return [Invitation(**row) for row in rows]


def open_invitation(
    store: Store,
    invitation_id: str,
    sig: str,
    *,
    now: dt.datetime,
    grace_minutes: int | None = None,
    found: Invitation | None = None,
) -> Invitation:
    """The invitation a link names, when the link may be answered now: the sig is
    genuine (:class:`InvalidLink`), not expired (:class:`ExpiredLink`), the invitation
    exists (else the same :class:`InvalidLink`) and is not answered past its grace period
    (:class:`AlreadyAnswered`, 409). The grace period is the definition's
    (``grace_minutes`` overrides it, saving a read). ``found``: the invitation as the
    caller knows it (a server's state, newer than the store's), else it is read."""
    verify(PURPOSE, invitation_id, sig or "", key=store_key(store), now=now)
    if found is None or found.invitation_id != invitation_id:
        found = invitation(store, invitation_id)  # (the sig was ours: only a deletion fails)
    if found.status == "expired" or now > found.expires_at:
        ended = found.expires_at.date().isoformat()
        raise ExpiredLink(f"this link expired on {ended}; ask for a new one")
    if found.status == "answered":
        if grace_minutes is None:
            grace_minutes = survey(store, found.survey_id, found.version).grace_minutes
        check_grace(found, grace_minutes, now)
    return found


def check_grace(found: Invitation, grace_minutes: int, now: dt.datetime) -> None:
    """Raise :class:`AlreadyAnswered` unless an answered invitation may still change.
    An anonymous invitation keeps no true time: only its receipt can change the answer
    (checked when recording), so here it passes."""
    if found.status != "answered" or found.used_at_first is None:
        return
    if now - found.used_at_first > dt.timedelta(minutes=grace_minutes):
        raise AlreadyAnswered(ALREADY)


def make(
    definition: SurveyDefinition, *, now: dt.datetime, period: str | None = None, **fields: Any
) -> Invitation:
    """A new invitation for ``definition`` made at ``now``."""
    return Invitation(
        invitation_id=new_id(),
        survey_id=definition.survey_id,
        version=definition.version,
        sent_at=now,
        expires_at=now + dt.timedelta(days=definition.expires_days),
        period=period,
        **fields,
    )


INVALID = (
    "this link is not valid: it was changed or is incomplete; open the link exactly as you "
    "received it, or ask for a new one"
)
ALREADY = "this survey was answered already; thank you"
