"""Zendesk: event webhooks for ticket events (``zen:event-type:ticket.*``).

Documented at developer.zendesk.com: "Verifying webhook authenticity" (the signature)
and "Webhook event types" → "Ticket events" (the payloads). Every ticket event carries
the ticket's current state in ``detail`` (``updated_at`` orders the versions), so each
one writes the ticket's row and its ``created`` event; the event itself adds a message,
a status, a priority or an assignment. Webhooks connected to triggers or automations
send a body the admin writes, not these payloads: subscribe the webhook to events.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from ._common import (
    Records,
    Row,
    UnsupportedEvent,
    check_fresh,
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

NAME = "zendesk"
PREFIX = "zen:event-type:ticket."
#: the events that add to the timeline; any other ticket event updates the ticket only
EVENTS = (
    "zen:event-type:ticket.created",
    "zen:event-type:ticket.comment_added",
    "zen:event-type:ticket.status_changed",
    "zen:event-type:ticket.priority_changed",
    "zen:event-type:ticket.agent_assignment_changed",
    "zen:event-type:ticket.group_assignment_changed",
)
SIGNATURE = "X-Zendesk-Webhook-Signature"
TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"

STATUSES = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "on_hold": "on_hold",
    "solved": "solved",
    "closed": "closed",
}
PRIORITIES = {"low": "low", "normal": "normal", "high": "high", "urgent": "urgent"}
#: ``via.channel`` → Sanjeh's channel (the rest: other)
CHANNELS = {
    "email": "email",
    "web": "web",
    "web_form": "web",
    "web_widget": "web",
    "help_center": "web",
    "chat": "chat",
    "chat_transcript": "chat",
    "native_messaging": "messaging",
    "messaging": "messaging",
    "mobile_sdk": "messaging",
    "sms": "messaging",
    "whatsapp": "messaging",
    "voice": "phone",
    "phone": "phone",
    "twitter": "social",
    "facebook": "social",
    "instagram_dm": "social",
    "api": "api",
    "web_service": "api",
}


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    query: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """``X-Zendesk-Webhook-Signature`` = base64(HMAC-SHA256(secret, timestamp + body)),
    the timestamp being ``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601), which must
    lie within the replay window."""
    signature, stamp = header(headers, SIGNATURE), header(headers, TIMESTAMP)
    if signature is None or stamp is None:
        raise refuse(
            "Zendesk",
            f"it has no {SIGNATURE} / {TIMESTAMP} headers: send it from a Zendesk "
            "webhook (they are always signed)",
        )
    expected = base64.b64encode(digest(secret, stamp.encode() + body, "sha256")).decode()
    if not same(signature, expected):
        raise refuse(
            "Zendesk",
            "the signature does not match: [webhooks.zendesk] secret must be "
            "the webhook's signing secret (Admin Center → Webhooks → the webhook → Reveal secret)",
        )
    check_fresh("Zendesk", parse_time(stamp), now)


def to_records(payload: Mapping[str, Any], *, received_at: dt.datetime | None = None) -> Records:
    """The canonical rows one ticket event means (see the module doc)."""
    kind = payload.get("type")
    if not isinstance(kind, str) or not kind.startswith(PREFIX):
        raise UnsupportedEvent(
            f"not a Zendesk ticket event (type {kind!r}); Sanjeh reads "
            f"{', '.join(EVENTS)} and updates the ticket on any other {PREFIX}* event"
        )
    detail = obj(need(payload.get("detail"), "detail", NAME))
    ticket = need(ident(detail.get("id")), "detail.id", NAME)
    at = parse_time(payload.get("time")) or received_at
    event_id = f"{NAME}:{ticket}-{need(text(payload.get('id')), 'id', NAME)}"
    change = _CHANGES.get(kind.removeprefix(PREFIX))
    extra = change(detail, obj(payload.get("event")), event_id, at) if change else []
    created = _created(detail)
    return records(tickets=[_ticket(detail)], events=[created, *extra])


def _ticket(detail: dict[str, Any]) -> Row:
    ticket = ident(detail.get("id"))
    return {
        "ticket_id": f"{NAME}:{ticket}",
        "source": NAME,
        "external_id": ticket,
        "channel": _channel(detail),
        "subject": text(detail.get("subject")),
        "created_at": _time(detail.get("created_at")),
        "updated_at": _time(detail.get("updated_at")),
        "status": _status(detail.get("status")),
        "customer_id": _user(detail.get("requester_id")),
        "team_id": _user(detail.get("group_id")),
        "agent_id": _user(detail.get("assignee_id")),
        "priority": PRIORITIES.get(str(detail.get("priority") or "").lower()),
        "tags": [t for t in detail.get("tags") or [] if isinstance(t, str) and t.strip()],
    }


def _created(detail: dict[str, Any]) -> Row:
    """The ticket's ``created`` event, the same from every event of the ticket (so a
    webhook subscribed late still gives the timeline its start). Its status stays
    empty (new): the status the ticket has *now* is not the one it was created with."""
    ticket = ident(detail.get("id"))
    submitter = ident(detail.get("submitter_id"))
    by_requester = submitter is None or submitter == ident(detail.get("requester_id"))
    return {
        "event_id": f"{NAME}:{ticket}-created",
        "ticket_id": f"{NAME}:{ticket}",
        "at": _time(detail.get("created_at")),
        "kind": "created",
        "actor_type": "customer" if by_requester else "agent",
        "actor_id": _user(submitter),
        "public": detail.get("is_public") is not False,
        "channel": _channel(detail),
        "body": text(detail.get("description")),
    }


Change = Callable[[dict[str, Any], dict[str, Any], str, dt.datetime | None], list[Row]]


def _on_created(detail: dict[str, Any], _event: dict[str, Any], _id: str, _at: Any) -> list[Row]:
    """A ticket created in a status past new (an agent's ticket set to pending …)
    starts in it: a status event at the creation time."""
    status = _status(detail.get("status"))
    if status in (None, "new", "open"):
        return []
    return [
        _change(
            detail,
            f"{NAME}:{ident(detail.get('id'))}-created-status",
            parse_time(detail.get("created_at")),
            kind="status",
            status=status,
        )
    ]


def _on_comment(detail: dict[str, Any], event: dict[str, Any], _id: str, at: Any) -> list[Row]:
    comment = obj(event.get("comment"))
    comment_id = need(ident(comment.get("id")), "event.comment.id", NAME)
    author = obj(comment.get("author"))
    author_id = ident(author.get("id"))
    if author_id is None:
        actor = "system"
    else:
        actor = "agent" if author.get("is_staff") is True else "customer"
    row = _change(
        detail,
        f"{NAME}:{ident(detail.get('id'))}-comment-{comment_id}",
        at,
        kind="message",
        body=text(comment.get("body")),
    )
    row.update(
        actor_type=actor, actor_id=_user(author_id), public=comment.get("is_public") is not False
    )
    return [row]


def _on_status(detail: dict[str, Any], event: dict[str, Any], event_id: str, at: Any) -> list[Row]:
    status = _status(event.get("current")) or _status(detail.get("status"))
    return [_change(detail, event_id, at, kind="status", status=status)] if status else []


def _on_priority(
    detail: dict[str, Any], event: dict[str, Any], event_id: str, at: Any
) -> list[Row]:
    priority = PRIORITIES.get(str(event.get("current") or "").lower())
    return [_change(detail, event_id, at, kind="priority", priority=priority)] if priority else []


def _on_agent(detail: dict[str, Any], event: dict[str, Any], event_id: str, at: Any) -> list[Row]:
    agent = _user(event.get("current"))
    return [_change(detail, event_id, at, kind="assign", agent_id=agent)]


def _on_group(detail: dict[str, Any], event: dict[str, Any], event_id: str, at: Any) -> list[Row]:
    team = _user(event.get("current"))
    return [_change(detail, event_id, at, kind="assign", team_id=team)]


_CHANGES: dict[str, Change] = {
    "created": _on_created,
    "comment_added": _on_comment,
    "status_changed": _on_status,
    "priority_changed": _on_priority,
    "agent_assignment_changed": _on_agent,
    "group_assignment_changed": _on_group,
}


def _change(detail: dict[str, Any], event_id: str, at: dt.datetime | None, **values: Any) -> Row:
    """An event done by ``detail.actor_id``: the requester (customer), nobody / -1
    (Zendesk itself: system) or anyone else (an agent)."""
    actor = ident(detail.get("actor_id"))
    if actor is None:
        actor_type = "system"
    else:
        actor_type = "customer" if actor == ident(detail.get("requester_id")) else "agent"
    return {
        "event_id": event_id,
        "ticket_id": f"{NAME}:{ident(detail.get('id'))}",
        "at": iso(at) if at else None,
        "actor_type": actor_type,
        "actor_id": _user(actor),
        "public": values.get("kind") in ("status", "message"),
        **values,
    }


def _status(value: Any) -> str | None:
    return STATUSES.get(str(value or "").lower())


def _channel(detail: dict[str, Any]) -> str:
    via = obj(detail.get("via")).get("channel")
    return CHANNELS.get(str(via or "").lower(), "other")


def _user(value: Any) -> str | None:
    found = ident(value)
    return f"{NAME}:{found}" if found else None


def _time(value: Any) -> str | None:
    at = parse_time(value)
    return iso(at) if at else None
