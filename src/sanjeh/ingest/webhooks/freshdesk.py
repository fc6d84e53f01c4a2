"""Freshdesk: the "Trigger webhook" action of automation rules, with Sanjeh's JSON body.

Freshdesk sends what the rule's admin writes (support.freshdesk.com, "Using webhooks in
automation rules"): placeholders such as ``{{ticket.id}}`` in a JSON body. So the body
is Sanjeh's: :data:`TEMPLATE`, pasted into each rule with its ``event`` set to what the
rule is about (one of :data:`EVENTS`). Freshdesk does not sign webhooks and sends no
time, no comment id and no ticket creation time a rule can rely on, hence:

- the secret travels as the rule's authentication (Basic: the secret as password, or
  as the API key) or in an ``X-Sanjeh-Webhook-Secret`` custom header;
- an event happened when Sanjeh received it (Freshdesk sends within seconds);
- an event's id is the ticket, the rule's event and a digest of the body: a resent
  body is the same event;
- only the ticket-created rule writes the ticket's row (its creation time is the
  webhook's); later rules add events. The row's status stays empty, so the ticket's
  status is its timeline's last; its agent, group and priority are the ones it was
  created with (a nightly ticket export, ``--source freshdesk``, brings them up to date).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from ._common import (
    UTC,
    Records,
    Row,
    UnsupportedEvent,
    fingerprint,
    header,
    iso,
    need,
    records,
    refuse,
    same,
    text,
)

NAME = "freshdesk"
EVENTS = (
    "ticket_created",
    "agent_reply",
    "customer_reply",
    "private_note",
    "status_changed",
    "priority_changed",
    "assigned",
)
SECRET_HEADER = "X-Sanjeh-Webhook-Secret"
#: the JSON body to paste into each rule's webhook ("Advanced" content), with ``event``
#: set to the rule's (docs/live.md shows which rule sends which)
TEMPLATE = {
    "event": "ticket_created",
    "ticket_id": "{{ticket.id}}",
    "subject": "{{ticket.subject}}",
    "description": "{{ticket.description}}",
    "status": "{{ticket.status}}",
    "priority": "{{ticket.priority}}",
    "source": "{{ticket.source}}",
    "tags": "{{ticket.tags}}",
    "group": "{{ticket.group.name}}",
    "agent": "{{ticket.agent.name}}",
    "requester_name": "{{ticket.requester.name}}",
    "requester_email": "{{ticket.requester.email}}",
    "comment": "{{ticket.latest_public_comment}}",
}
#: status names (and Freshdesk's numbers for the built-in ones); a custom status not
#: here is not recorded as a status change
STATUSES = {
    "open": "open",
    "2": "open",
    "pending": "pending",
    "3": "pending",
    "resolved": "solved",
    "4": "solved",
    "closed": "closed",
    "5": "closed",
    "waiting on customer": "pending",
    "waiting on third party": "on_hold",
}
PRIORITIES = {
    "low": "low",
    "1": "low",
    "medium": "normal",
    "2": "normal",
    "high": "high",
    "3": "high",
    "urgent": "urgent",
    "4": "urgent",
}
CHANNELS = {
    "email": "email",
    "1": "email",
    "outbound email": "email",
    "10": "email",
    "portal": "web",
    "2": "web",
    "feedback widget": "web",
    "9": "web",
    "forum": "web",
    "4": "web",
    "phone": "phone",
    "3": "phone",
    "chat": "chat",
    "7": "chat",
    "twitter": "social",
    "5": "social",
    "facebook": "social",
    "6": "social",
    "whatsapp": "messaging",
    "mobihelp": "messaging",
    "8": "messaging",
}
#: tickets an agent opens (the rest are the requester's)
AGENT_OPENED = ("outbound email", "10", "phone", "3")


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    query: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """The shared secret, as the Basic password or user name (Freshdesk's "Requires
    authentication": user and password, or API key) or in ``X-Sanjeh-Webhook-Secret``."""
    given = [header(headers, SECRET_HEADER), *_basic(header(headers, "Authorization"))]
    sent = [g for g in given if g]
    if not sent:
        raise refuse(
            "Freshdesk",
            "it carries no secret: in the rule's webhook tick Requires "
            "authentication and give [webhooks.freshdesk] secret as the password (or as "
            f"the API key), or send it in a {SECRET_HEADER} header",
        )
    if not any(same(g, secret) for g in sent):
        raise refuse("Freshdesk", "the secret it carries is not [webhooks.freshdesk] secret")


def _basic(authorization: str | None) -> list[str | None]:
    if not authorization or not authorization.lower().startswith("basic "):
        return []
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return []
    user, _, password = decoded.partition(":")
    return [user, password]


def to_records(payload: Mapping[str, Any], *, received_at: dt.datetime | None = None) -> Records:
    """The rows one rule's webhook means; ``received_at`` is when it happened."""
    event = payload.get("event")
    if event not in EVENTS:
        raise UnsupportedEvent(
            f"not a Sanjeh Freshdesk body (event {event!r}); its event must be one of "
            f"{', '.join(EVENTS)}: paste the JSON body of docs/live.md into the rule"
        )
    ticket = need(text(payload.get("ticket_id")), "ticket_id", NAME)
    at = received_at or dt.datetime.now(UTC)
    if event == "ticket_created":
        return _created(payload, ticket, at)
    row: Row = {
        "event_id": f"{NAME}:{ticket}-{event}-{fingerprint(payload)}",
        "ticket_id": f"{NAME}:{ticket}",
        "at": iso(at),
        "actor_type": "agent",  # (who changed a status or assigned: Freshdesk does not say)
        "public": event in ("agent_reply", "customer_reply", "status_changed"),
        **_change(str(event), payload),
    }
    return records(events=[row] if row.get("kind") else [])


def _change(event: str, payload: Mapping[str, Any]) -> Row:
    if event in ("agent_reply", "customer_reply", "private_note"):
        # (a private note's text has no placeholder; the latest public comment is not it)
        body = None if event == "private_note" else text(payload.get("comment"))
        if event == "customer_reply":
            return {
                "kind": "message",
                "body": body,
                "actor_type": "customer",
                "actor_id": _customer(payload),
            }
        return {"kind": "message", "body": body, "actor_id": _agent(payload)}
    if event == "status_changed":
        status = _pick(STATUSES, payload.get("status"))
        return {"kind": "status", "status": status} if status else {}
    if event == "priority_changed":
        priority = _pick(PRIORITIES, payload.get("priority"))
        return {"kind": "priority", "priority": priority} if priority else {}
    return {"kind": "assign", "agent_id": _agent(payload), "team_id": _team(payload)}


def _created(payload: Mapping[str, Any], ticket: str, at: dt.datetime) -> Records:
    source = str(text(payload.get("source")) or "").lower()
    by_agent = source in AGENT_OPENED
    customer = _customer(payload)
    channel = _pick(CHANNELS, source) or "other"
    return records(
        customers=[
            {
                "customer_id": customer,
                "source": NAME,
                "name": text(payload.get("requester_name")),
                "email": text(payload.get("requester_email")),
            }
            if customer
            else None
        ],
        tickets=[
            {
                "ticket_id": f"{NAME}:{ticket}",
                "source": NAME,
                "external_id": ticket,
                "channel": channel,
                "subject": text(payload.get("subject")),
                "created_at": iso(at),
                "updated_at": iso(at),
                "customer_id": customer,
                "team_id": _team(payload),
                "agent_id": _agent(payload),
                "priority": _pick(PRIORITIES, payload.get("priority")),
                "tags": _tags(payload.get("tags")),
            }
        ],
        events=[
            {
                "event_id": f"{NAME}:{ticket}-created",
                "ticket_id": f"{NAME}:{ticket}",
                "at": iso(at),
                "kind": "created",
                "actor_type": "agent" if by_agent else "customer",
                "actor_id": _agent(payload) if by_agent else customer,
                "public": True,
                "channel": channel,
                "body": text(payload.get("description")),
            }
        ],
    )


def _pick(table: Mapping[str, str], value: Any) -> str | None:
    return table.get(str(text(value) or "").lower())


def _customer(payload: Mapping[str, Any]) -> str | None:
    """A requester's id: a digest of their e-mail address (the address itself is
    personal data; it goes into the customer's row, where exports can redact it)."""
    email = text(payload.get("requester_email"))
    if email is None:
        return None
    return f"{NAME}:contact-{hashlib.sha256(email.lower().encode()).hexdigest()[:12]}"


def _agent(payload: Mapping[str, Any]) -> str | None:
    """The ticket's agent by name, as a Freshdesk ticket export names them (so the
    export's mapping, examples/summary/freshdesk.toml, gives the same ids)."""
    name = text(payload.get("agent"))
    return f"{NAME}:{name}" if name else None


def _team(payload: Mapping[str, Any]) -> str | None:
    group = text(payload.get("group"))
    return f"{NAME}:{group}" if group else None


def _tags(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t.strip() for t in value if isinstance(t, str) and t.strip()]
    found = text(value) or ""
    return [t.strip() for t in found.split(",") if t.strip()]
