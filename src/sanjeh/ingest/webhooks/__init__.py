"""Webhook receivers: helpdesk events → canonical records, with their signature checks.

One module per helpdesk, each with

- ``verify(headers, body, secret, *, query=None, now=None)``: raises
  :class:`~sanjeh.errors.NotAuthenticated` unless the request is signed with (or
  carries) the secret, and, where the helpdesk signs a time, was sent within
  :data:`REPLAY_WINDOW`;
- ``to_records(payload, *, received_at=None)``: ``{table: [row, …]}``, rows as the
  intake takes them (canonical column names, ids namespaced ``zendesk:123``, times in
  ISO 8601 UTC); :class:`UnsupportedEvent` (400) for a payload that is not one of the
  helpdesk's events it reads (``EVENTS``, named in the message).

    from sanjeh.ingest.webhooks import receive
    records = receive("zendesk", headers, body, secret)

What each payload maps to, and what it cannot tell: docs/live.md, "Webhooks from
helpdesks".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from . import chatwoot, freshdesk, intercom, zendesk
from ._common import REPLAY_WINDOW, Records, UnsupportedEvent

HELPDESKS: dict[str, ModuleType] = {m.NAME: m for m in (zendesk, freshdesk, chatwoot, intercom)}


def parse(helpdesk: str, body: bytes) -> dict[str, Any]:
    """The request body as a JSON object, else :class:`UnsupportedEvent`."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise UnsupportedEvent(f"the {helpdesk} webhook's body is not JSON") from None
    if not isinstance(payload, dict):
        raise UnsupportedEvent(f"the {helpdesk} webhook's body is not a JSON object")
    return payload


def receive(
    helpdesk: str,
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    query: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Records:
    """Verify one request and map its payload (``now``: when it was received)."""
    now = now or dt.datetime.now(dt.UTC)
    module = HELPDESKS[helpdesk]
    module.verify(headers, body, secret, query=query, now=now)
    records: Records = module.to_records(parse(helpdesk, body), received_at=now)
    return records


__all__ = ["HELPDESKS", "REPLAY_WINDOW", "Records", "UnsupportedEvent", "parse", "receive"]
