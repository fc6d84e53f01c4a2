"""Chatwoot: account webhooks (Settings → Integrations → Webhooks).

Payloads as in Chatwoot's "Webhook events" page (chatwoot.com/docs): ``message_created``
/ ``message_updated`` carry the message and its conversation; ``conversation_created``,
``conversation_updated`` and ``conversation_status_changed`` the conversation. A
conversation's ``id`` is its number in the dashboard (one Chatwoot account per
Sanjeh source). Recent Chatwoot signs each delivery when the webhook has a secret:
``X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`` with
``X-Chatwoot-Timestamp`` (Unix seconds; Chatwoot's API reference, webhook ``secret``).
Versions that do not sign send the secret as ``?token=`` in the webhook's URL instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ._common import (
    Records,
    Row,
    UnsupportedEvent,
    check_fresh,
    digest,
    fingerprint,
    header,
    ident,
    iso,
    need,
    obj,
    parse_time,
    records,
    refuse,
    same,
    text,
)

NAME = "chatwoot"
MESSAGE_EVENTS = ("message_created", "message_updated")
CONVERSATION_EVENTS = (
    "conversation_created",
    "conversation_updated",
    "conversation_status_changed",
    # (deprecated for conversation_status_changed; older Chatwoot sends them)
    "conversation_resolved",
    "conversation_opened",
)
EVENTS = (*MESSAGE_EVENTS, *CONVERSATION_EVENTS)
SIGNATURE = "X-Chatwoot-Signature"
TIMESTAMP = "X-Chatwoot-Timestamp"

STATUSES = {"open": "open", "pending": "new", "snoozed": "pending", "resolved": "solved"}
PRIORITIES = {"low": "low", "medium": "normal", "high": "high", "urgent": "urgent"}
CHANNELS = {
    "channel::webwidget": "chat",
    "channel::email": "email",
    "channel::api": "api",
    "channel::facebookpage": "social",
    "channel::instagram": "social",
    "channel::twitterprofile": "social",
    "channel::whatsapp": "messaging",
    "channel::sms": "messaging",
    "channel::twiliosms": "messaging",
    "channel::telegram": "messaging",
    "channel::line": "messaging",
    "channel::voice": "phone",
}
#: ``message_type`` as the webhook (text) and the conversation's messages (number) say it
MESSAGE_TYPES = {"0": "incoming", "1": "outgoing", "2": "activity", "3": "template"}
SENDERS = {"contact": "customer", "user": "agent", "agent_bot": "bot", "agentbot": "bot"}


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    query: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """A signed delivery: the signature over ``{timestamp}.{body}``, the timestamp
    within the replay window. An unsigned one: ``?token=`` equal to the secret."""
    signature = header(headers, SIGNATURE)
    if signature is None:
        token = (query or {}).get("token")
        if not token:
            raise refuse(
                "Chatwoot",
                f"it is not signed ({SIGNATURE}) and its URL has no ?token=: "
                "give the webhook a secret in Chatwoot, or (Chatwoot without signing) end "
                "its URL with ?token= and [webhooks.chatwoot] secret",
            )
        if not same(token, secret):
            raise refuse("Chatwoot", "its ?token= is not [webhooks.chatwoot] secret")
        return
    stamp = header(headers, TIMESTAMP)
    if stamp is None:
        raise refuse("Chatwoot", f"it is signed but has no {TIMESTAMP} header")
    expected = "sha256=" + digest(secret, f"{stamp}.".encode() + body, "sha256").hex()
    if not same(signature, expected):
        raise refuse(
            "Chatwoot",
            "the signature does not match: [webhooks.chatwoot] secret must be "
            "the webhook's secret as Chatwoot shows it",
        )
    check_fresh("Chatwoot", parse_time(stamp), now)


def to_records(payload: Mapping[str, Any], *, received_at: dt.datetime | None = None) -> Records:
    event = payload.get("event")
    if event in MESSAGE_EVENTS:
        conversation = obj(need(payload.get("conversation"), "conversation", NAME))
        message = _message(payload, conversation)
        return _with_conversation(conversation, [message] if message else [])
    if event in CONVERSATION_EVENTS:
        status = None
        if event not in ("conversation_created", "conversation_updated"):
            status = _status(payload, received_at)
        return _with_conversation(payload, [status] if status else [])
    raise UnsupportedEvent(
        f"not a Chatwoot event Sanjeh reads (event {event!r}); it reads {', '.join(EVENTS)}"
    )


def _with_conversation(conversation: Mapping[str, Any], events: list[Row]) -> Records:
    """The conversation's ticket, customer and ``created`` event, with ``events``."""
    number = need(ident(conversation.get("id")), "the conversation's id", NAME)
    created = _created_at(conversation)
    meta = obj(conversation.get("meta"))
    contact = obj(meta.get("sender"))
    customer = _id("contact", contact.get("id"))
    ticket = None
    start = None
    if created is not None:
        updated = parse_time(conversation.get("updated_at")) or parse_time(
            conversation.get("timestamp")
        )
        ticket = {
            "ticket_id": f"{NAME}:{number}",
            "source": NAME,
            "external_id": number,
            "channel": _channel(conversation),
            "created_at": iso(created),
            "updated_at": iso(max(updated, created)) if updated else None,
            "status": STATUSES.get(str(conversation.get("status") or "")),
            "customer_id": customer,
            "team_id": _id("team", obj(meta.get("team")).get("id")),
            "agent_id": _id("user", obj(meta.get("assignee")).get("id")),
            "priority": PRIORITIES.get(str(conversation.get("priority") or "")),
            "tags": [t for t in conversation.get("labels") or [] if isinstance(t, str)],
        }
        start = {
            "event_id": f"{NAME}:{number}-created",
            "ticket_id": f"{NAME}:{number}",
            "at": iso(created),
            "kind": "created",
            # (Chatwoot does not say who opened it; conversations start with the contact)
            "actor_type": "customer",
            "actor_id": customer,
            "public": True,
            "channel": _channel(conversation),
        }
    person = None
    if customer:
        person = {
            "customer_id": customer,
            "source": NAME,
            "external_id": ident(contact.get("id")),
            "name": text(contact.get("name")),
            "email": text(contact.get("email")),
        }
    return records(customers=[person], tickets=[ticket], events=[start, *events])


def _created_at(conversation: Mapping[str, Any]) -> dt.datetime | None:
    """``created_at`` (recent Chatwoot), else its first message's time."""
    found = parse_time(conversation.get("created_at"))
    if found is not None:
        return found
    times = [parse_time(obj(m).get("created_at")) for m in conversation.get("messages") or []]
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _message(payload: Mapping[str, Any], conversation: Mapping[str, Any]) -> Row | None:
    """A message as an event; activity messages (Chatwoot's own log lines) are none."""
    number = ident(conversation.get("id"))
    kind = str(payload.get("message_type") or "")
    kind = MESSAGE_TYPES.get(kind, kind)
    if kind == "activity":
        return None
    message_id = need(ident(payload.get("id")), "the message's id", NAME)
    sender = obj(payload.get("sender"))
    actor = SENDERS.get(str(sender.get("type") or "").lower())
    if actor is None:  # no sender: the contact's, or an automation's
        actor = "customer" if kind == "incoming" else "bot"
    prefix = {"customer": "contact", "agent": "user", "bot": "bot"}[actor]
    at = need(parse_time(payload.get("created_at")), "the message's created_at", NAME)
    return {
        "event_id": f"{NAME}:{number}-message-{message_id}",
        "ticket_id": f"{NAME}:{number}",
        "at": iso(at),
        "kind": "message",
        "actor_type": actor,
        "actor_id": _id(prefix, sender.get("id")),
        "public": payload.get("private") is not True,
        "body": text(payload.get("content")),
    }


def _status(conversation: Mapping[str, Any], received_at: dt.datetime | None) -> Row | None:
    """A status change, when Chatwoot says it happened (``updated_at``), else when it
    arrived; its id is the payload's digest (a resent delivery is the same change)."""
    status = STATUSES.get(str(conversation.get("status") or ""))
    if status is None:
        return None
    number = ident(conversation.get("id"))
    at = parse_time(conversation.get("updated_at")) or received_at
    return {
        "event_id": f"{NAME}:{number}-status-{fingerprint(conversation)}",
        "ticket_id": f"{NAME}:{number}",
        "at": iso(at) if at else None,
        "kind": "status",
        "actor_type": "agent",
        "public": True,
        "status": status,
    }


def _channel(conversation: Mapping[str, Any]) -> str:
    return CHANNELS.get(str(conversation.get("channel") or "").lower(), "other")


def _id(kind: str, value: Any) -> str | None:
    found = ident(value)
    return f"{NAME}:{kind}-{found}" if found else None
