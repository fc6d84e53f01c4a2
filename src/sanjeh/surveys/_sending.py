"""Sending: the planned invitations written to the store, to an outbox file for the
user's own mailer or SMS gateway, and / or POSTed to a webhook.

The webhook is POSTed first and the outbox written next; only then are the invitations
stored (one transaction). A webhook that fails stores nothing and raises
:class:`~sanjeh._http.DeliveryError`: the next send plans the same invitations again,
so nobody is invited twice and nobody is lost. Each send also marks the survey's
unanswered invitations whose link has expired ``expired``. Customer surveys also get one
unanswered ``survey_responses`` row per invitation (primary question, ``sent_at`` set,
no ``submitted_at``), so the response-rate KPI counts the invitation from the start.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
import json
import os
import uuid
from pathlib import Path
from typing import Any, Literal

from .. import _http
from ..store import Store
from ._answers import response_kind
from ._definitions import SurveyDefinition
from ._errors import UnknownSurvey
from ._invitations import TABLE as INVITATIONS
from ._invitations import Invitation, answer_link
from ._planning import plan_invitations
from ._storage import is_retired, survey

OutboxFormat = Literal["jsonl", "csv"]
#: the outbox's columns (CSV header and JSON keys), in this order
OUTBOX_COLUMNS = (
    "invitation_id",
    "to",
    "to_kind",
    "language",
    "link",
    "expires_at",
    "title",
    "survey_id",
    "ticket_id",
    "channel",
)
WEBHOOK_TIMEOUT = 20.0


@dataclasses.dataclass(frozen=True)
class SendResult:
    """What one send did."""

    survey_id: str
    version: int
    invitations: tuple[Invitation, ...]
    #: one per invitation: the outbox / webhook record (``OUTBOX_COLUMNS``)
    records: tuple[dict[str, Any], ...]
    outbox: Path | None = None
    webhook_status: int | None = None

    @property
    def sent(self) -> int:
        return len(self.invitations)


def send_invitations(
    store: Store,
    survey_id: str,
    *,
    now: dt.datetime,
    base_url: str,
    outbox: Path | None = None,
    webhook: str | None = None,
    format: OutboxFormat = "jsonl",
    invitations: list[Invitation] | None = None,
) -> SendResult:
    """Plan (or take ``invitations``), deliver and store the invitations of ``survey_id``.

    ``outbox``: a file written whole (JSON Lines or CSV, ``format``; replaced when it
    exists); ``webhook``: a URL the records are POSTed to as one JSON object
    ``{"survey_id", "version", "invitations": [record, …]}``. With neither, the records
    are only returned (the dashboard offers them as a download)."""
    if format not in ("jsonl", "csv"):
        raise ValueError(f"format must be 'jsonl' or 'csv', not {format!r}")
    definition = survey(store, survey_id)
    if is_retired(store, survey_id):
        raise UnknownSurvey(f"survey {survey_id!r} is retired; create it again to send it")
    planned = (
        invitations
        if invitations is not None
        else plan_invitations(store, survey_id, now=now, definition=definition)
    )
    planned = [dataclasses.replace(i, status="sent") for i in planned]
    records = [_record(store, definition, i, base_url) for i in planned]
    status = None
    if webhook and planned:
        body = {"survey_id": survey_id, "version": definition.version, "invitations": records}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        status = _http.post(webhook, data, content_type="application/json", timeout=WEBHOOK_TIMEOUT)
    if outbox is not None:
        _write_outbox(outbox, records, format)
    _store(store, definition, planned, now)
    return SendResult(
        survey_id=survey_id,
        version=definition.version,
        invitations=tuple(planned),
        records=tuple(records),
        outbox=outbox,
        webhook_status=status,
    )


def _record(
    store: Store, definition: SurveyDefinition, invitation: Invitation, base_url: str
) -> dict[str, Any]:
    language = invitation.language or definition.languages[0]
    return {
        "invitation_id": invitation.invitation_id,
        "to": invitation.recipient,
        "to_kind": "agent" if definition.employee else "customer",
        "language": language,
        "link": answer_link(store, invitation, base_url),
        "expires_at": invitation.expires_at.astimezone(dt.UTC).isoformat(),
        "title": definition.title.get(language) or next(iter(definition.title.values())),
        "survey_id": definition.survey_id,
        "ticket_id": invitation.ticket_id,
        "channel": invitation.channel,
    }


def outbox_text(records: list[dict[str, Any]] | tuple[dict[str, Any], ...], fmt: str) -> str:
    """The outbox file's text: JSON Lines, or CSV with a header (UTF-8; empty cells for
    missing values)."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUTBOX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def _write_outbox(path: Path, records: list[dict[str, Any]], fmt: str) -> None:
    """Written whole or not at all (a mailer watching the folder never reads half)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        partial.write_text(outbox_text(records, fmt), encoding="utf-8")
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _store(
    store: Store, definition: SurveyDefinition, planned: list[Invitation], now: dt.datetime
) -> None:
    responses = [] if definition.employee else [_sent_row(definition, i) for i in planned]
    with store.lock, store.writes.transaction(INVITATIONS, "survey_responses"):
        lapsed = _lapsed(store, definition.survey_id, now)
        if planned or lapsed:
            store.write(INVITATIONS, [i.row() for i in planned] + lapsed)
        if responses:
            store.write("survey_responses", responses)


def _lapsed(store: Store, survey_id: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The survey's unanswered invitations whose link has expired, marked ``expired``."""
    i = store.table(INVITATIONS)
    i = i.filter(i.survey_id == survey_id, i.status == "sent", i.expires_at < now)
    rows: list[dict[str, Any]] = i.to_pyarrow().to_pylist()
    return [{**r, "status": "expired"} for r in rows]


def _sent_row(definition: SurveyDefinition, invitation: Invitation) -> dict[str, Any]:
    """The unanswered row the response rate counts (replaced by the answer)."""
    primary = definition.primary
    low, high = primary.scale
    return {
        "response_id": f"sanjeh:{invitation.invitation_id}:{primary.code}",
        "source": "sanjeh",
        "external_id": invitation.invitation_id,
        "survey": response_kind(definition, primary),
        "question": primary.code,
        "scale_min": low,
        "scale_max": high,
        "score": None,
        "comment": None,
        "ticket_id": invitation.ticket_id,
        "customer_id": invitation.customer_id,
        "agent_id": invitation.agent_id,
        "sent_at": invitation.sent_at,
        "submitted_at": None,
        "team_id": invitation.team_id,
        "language": invitation.language,
        "invitation_id": invitation.invitation_id,
    }
