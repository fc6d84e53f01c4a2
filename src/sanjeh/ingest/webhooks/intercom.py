"""Intercom: webhook notifications of conversation topics (Developer Hub → Webhooks).

Documented at developers.intercom.com, "Webhooks" (the signed notifications) and
"Webhook models" (the topics; the notification's ``data.item`` is the conversation, its
``conversation_parts`` the parts the topic is about). Each notification is signed with
the app's client secret: ``X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, body)>``. It
carries no signed time, so no replay window applies; a replayed notification writes
the same rows again (its ids are Intercom's), which changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ._common import (
    Records,
    Row,
    UnsupportedEvent,
    digest,
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

NAME = "intercom"
EVENTS = (
    "conversation.user.created",
    "conversation.user.replied",
    "conversation.admin.single.created",
    "conversation.admin.replied",
    "conversation.admin.noted",
    "conversation.admin.assigned",
    "conversation.admin.closed",
    "conversation.admin.opened",
    "conversation.admin.snoozed",
    "conversation.admin.unsnoozed",
    "conversation.rating.added",
)
SIGNATURE = "X-Hub-Signature"

STATES = {"open": "open", "closed": "solved", "snoozed": "pending"}
#: a part's ``part_type`` → the status it sets
PART_STATUSES = {
    "close": "solved",
    "open": "open",
    "snoozed": "pending",
    "unsnoozed": "open",
    "timer_unsnooze": "open",
}
ASSIGNMENTS = ("assignment", "default_assignment", "away_mode_assignment", "assign_and_reopen")
AUTHORS = {
    "user": "customer",
    "lead": "customer",
    "contact": "customer",
    "admin": "agent",
    "team": "agent",
    "bot": "bot",
}
#: the conversation's ``source.type`` → Sanjeh's channel
CHANNELS = {
    "conversation": "chat",
    "email": "email",
    "facebook": "social",
    "instagram": "social",
    "twitter": "social",
    "phone_call": "phone",
    "phone_switch": "phone",
    "sms": "messaging",
    "whatsapp": "messaging",
    "push": "other",
}


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    query: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """``X-Hub-Signature`` = ``sha1=`` + hex HMAC-SHA1(client secret, body)."""
    signature = header(headers, SIGNATURE)
    if signature is None:
        raise refuse("Intercom", f"it has no {SIGNATURE} header: send it from an Intercom app")
    expected = "sha1=" + digest(secret, body, "sha1").hex()
    if not same(signature, expected):
        raise refuse(
            "Intercom",
            "the signature does not match: [webhooks.intercom] secret must be "
            "the app's client secret (Developer Hub → the app → Basic information)",
        )


def to_records(payload: Mapping[str, Any], *, received_at: dt.datetime | None = None) -> Records:
    topic = payload.get("topic")
    if topic == "ping":  # (sent when the webhook is saved: nothing to store)
        return {}
    if topic not in EVENTS:
        raise UnsupportedEvent(
            f"not an Intercom topic Sanjeh reads (topic {topic!r}); it reads ping and "
            f"{', '.join(EVENTS)}"
        )
    item = obj(need(obj(payload.get("data")).get("item"), "data.item", NAME))
    number = need(ident(item.get("id")), "data.item.id", NAME)
    parts = obj(item.get("conversation_parts")).get("conversation_parts") or []
    events = [_part(number, obj(p)) for p in parts]
    customer = _customer(item)
    rated = topic == "conversation.rating.added"
    return records(
        customers=[customer],
        tickets=[_ticket(item, customer)],
        events=[_created(item), *events],
        survey_responses=[_rating(item, payload.get("created_at")) if rated else None],
    )


def _ticket(item: Mapping[str, Any], customer: Row | None) -> Row:
    number = ident(item.get("id"))
    source = obj(item.get("source"))
    return {
        "ticket_id": f"{NAME}:{number}",
        "source": NAME,
        "external_id": number,
        "channel": CHANNELS.get(str(source.get("type") or ""), "other"),
        "subject": text(item.get("title")) or text(source.get("subject")),
        "created_at": _time(item.get("created_at")),
        "updated_at": _time(item.get("updated_at")),
        "status": STATES.get(str(item.get("state") or "")),
        "customer_id": customer["customer_id"] if customer else None,
        "team_id": _id(item.get("team_assignee_id")),
        "agent_id": _id(item.get("admin_assignee_id")),
        "priority": {"priority": "high", "not_priority": "normal"}.get(
            str(item.get("priority") or "")
        ),
        "tags": [
            t["name"]
            for t in obj(item.get("tags")).get("tags") or []
            if isinstance(t, dict) and isinstance(t.get("name"), str)
        ],
    }


def _customer(item: Mapping[str, Any]) -> Row | None:
    """The conversation's first contact; name and e-mail when they wrote its first message."""
    contacts = obj(item.get("contacts")).get("contacts") or []
    first = obj(contacts[0]) if contacts else {}
    contact = ident(first.get("id"))
    if contact is None:
        return None
    author = obj(obj(item.get("source")).get("author"))
    own = ident(author.get("id")) == contact
    return {
        "customer_id": f"{NAME}:{contact}",
        "source": NAME,
        "external_id": text(first.get("external_id")) or contact,
        "name": text(author.get("name")) if own else None,
        "email": text(author.get("email")) if own else None,
    }


def _created(item: Mapping[str, Any]) -> Row:
    """The ``created`` event from the conversation's source (its first message): the
    same in every notification of the conversation."""
    number = ident(item.get("id"))
    source = obj(item.get("source"))
    author = obj(source.get("author"))
    actor = AUTHORS.get(str(author.get("type") or ""))
    if actor is None:
        initiated = source.get("delivered_as") == "customer_initiated"
        actor = "customer" if initiated else "agent"
    return {
        "event_id": f"{NAME}:{number}-created",
        "ticket_id": f"{NAME}:{number}",
        "at": _time(item.get("created_at")),
        "kind": "created",
        "actor_type": actor,
        "actor_id": _id(author.get("id")),
        "public": True,
        "channel": CHANNELS.get(str(source.get("type") or ""), "other"),
        "body": text(source.get("body")),
    }


def _part(number: str, part: Mapping[str, Any]) -> Row | None:
    """One conversation part: a comment (message), a note (private message), an
    assignment, or a close / open / snooze (status); other parts are not events."""
    part_id = ident(part.get("id"))
    part_type = str(part.get("part_type") or "")
    author = obj(part.get("author"))
    row: Row = {
        "event_id": f"{NAME}:{number}-{part_id}",
        "ticket_id": f"{NAME}:{number}",
        "at": _time(part.get("created_at")),
        "actor_type": AUTHORS.get(str(author.get("type") or ""), "system"),
        "actor_id": _id(author.get("id")),
        "public": part_type != "note",
    }
    if part_id is None:
        return None
    if part_type in ("comment", "note"):
        return {**row, "kind": "message", "body": text(part.get("body"))}
    if part_type in PART_STATUSES:
        return {**row, "kind": "status", "status": PART_STATUSES[part_type]}
    if part_type in ASSIGNMENTS:
        to = obj(part.get("assigned_to"))
        target = _id(to.get("id"))
        team = target if to.get("type") == "team" else None
        agent = target if to.get("type") == "admin" else None
        return {**row, "kind": "assign", "public": False, "agent_id": agent, "team_id": team}
    return None


def _rating(item: Mapping[str, Any], notified: Any) -> Row | None:
    """The conversation's rating (1–5) as a CSAT answer: asked for at the rating's
    ``created_at``, answered when the notification was made (its ``created_at``)."""
    rating = obj(item.get("conversation_rating"))
    score = rating.get("rating")
    if not isinstance(score, int | float) or isinstance(score, bool):
        return None
    number = ident(item.get("id"))
    return {
        "response_id": f"{NAME}:{number}-rating",
        "source": NAME,
        "external_id": number,
        "survey": "csat",
        "scale_min": 1,
        "scale_max": 5,
        "score": score,
        "comment": text(rating.get("remark")),
        "ticket_id": f"{NAME}:{number}",
        "customer_id": _id(obj(rating.get("contact")).get("id")),
        "agent_id": _id(obj(rating.get("teammate")).get("id")),
        "sent_at": _time(rating.get("created_at")),
        "submitted_at": _time(notified),
    }


def _id(value: Any) -> str | None:
    found = ident(value)
    return f"{NAME}:{found}" if found else None


def _time(value: Any) -> str | None:
    at = parse_time(value)
    return iso(at) if at else None
