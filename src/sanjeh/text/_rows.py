"""Turn a batch of events into rows of the ``auto_scores`` table.

One row per (message, analyzer) and per (conversation, conversation-level signal);
conversation rows have a null ``event_id``. Agent and bot messages get the agent
analyzers, customer messages sentiment and escalation requests (each analyzer's
``roles``). Private notes (``public`` false), system events and empty bodies are skipped.
An optional ``customer_name`` per event is handed to ``personalisation``.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from .._redaction._tables import PERSONAL_COLUMNS
from ..errors import ValidationError
from ._api import MessageAnalysis, prepare, run
from ._conversation import _summarise
from ._types import ROLES, Analyzer, Signal

AUTO_SCORES_SCHEMA = pa.schema(
    [
        pa.field("ticket_id", pa.string(), nullable=False),
        pa.field("event_id", pa.string()),  # null for conversation-level rows
        pa.field("analyzer", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("score", pa.float64()),
        pa.field("evidence", pa.string()),  # JSON list of {start, end, text[, tag, message]}
        pa.field("version", pa.string(), nullable=False),
    ]
)
_REQUIRED = ("event_id", "ticket_id", "actor_type", "body")
#: optional input column: the name of the ticket's customer, for ``personalisation``
NAME_COLUMN = "customer_name"
#: what ``--redact`` imports put in ``customers.name``: no name to look for
REDACTED_NAME = PERSONAL_COLUMNS["customers"]["name"]


def known_name(value: object) -> str | None:
    """The customer's name, or None when there is none to look for: null, blank (Python's
    whitespace, as ``_pending`` filters it in SQL) or redacted."""
    if value is None:
        return None
    name = str(value)
    return name if name.strip() and name != REDACTED_NAME else None


def _rows_of(events: pa.Table | Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if isinstance(events, pa.Table):
        missing = [c for c in _REQUIRED if c not in events.column_names]
        if missing:
            raise ValidationError("events", f"missing column(s) {', '.join(missing)}")
        return events.to_pylist()
    rows = list(events)
    for i, row in enumerate(rows):
        missing = [c for c in _REQUIRED if c not in row]
        if missing:
            raise ValidationError(f"events[{i}]", f"missing key(s) {', '.join(missing)}")
    return rows


def _evidence_json(signal: Signal) -> str:
    if not signal.evidence:  # most signals: skipping json.dumps saves a tenth of scoring
        return "[]"
    return json.dumps([e.as_dict() for e in signal.evidence], ensure_ascii=False)


def auto_score_rows(
    events: pa.Table | Iterable[Mapping[str, Any]],
    *,
    analyzers: Sequence[Analyzer] | None = None,
    language: str | None = None,
) -> pa.Table:
    """Rows for ``auto_scores`` (schema ``AUTO_SCORES_SCHEMA``) from events with
    ``event_id, ticket_id, actor_type, body`` and optionally ``public, kind, at`` and
    ``customer_name`` (the ticket's customer, looked for in agent replies by
    ``personalisation``; null, blank or ``[NAME]``: unknown, label ``none``)."""
    messages = []
    for row in _rows_of(events):
        if row.get("public") is False or row.get("kind") not in (None, "message", "created"):
            continue
        body = row.get("body")
        if row.get("actor_type") not in ROLES or not body or not str(body).strip():
            continue
        messages.append(row)

    docs = prepare(
        [str(m["body"]) for m in messages],
        language=language,
        role=[str(m["actor_type"]) for m in messages],
    )
    names = [known_name(m.get(NAME_COLUMN)) for m in messages]
    results = run(docs, analyzers, names if any(names) else None)

    out: dict[str, list[Any]] = {f.name: [] for f in AUTO_SCORES_SCHEMA}

    def add(ticket: str, event: str | None, signal: Signal) -> None:
        out["ticket_id"].append(ticket)
        out["event_id"].append(event)
        out["analyzer"].append(signal.analyzer)
        out["label"].append(signal.label)
        out["score"].append(float(signal.score))
        out["evidence"].append(_evidence_json(signal))
        out["version"].append(signal.version)

    by_ticket: dict[str, list[int]] = defaultdict(list)
    for i, (message, doc, signals) in enumerate(zip(messages, docs, results, strict=True)):
        ticket, event = str(message["ticket_id"]), str(message["event_id"])
        by_ticket[ticket].append(i)
        add(ticket, event, Signal("language", doc.language, 1.0, (), "langid-1"))
        for signal in signals:
            add(ticket, event, signal)

    for ticket, index in by_ticket.items():
        stamps = [messages[i].get("at") for i in index]
        if all(s is not None for s in stamps):
            with contextlib.suppress(TypeError):  # incomparable stamps: keep the order given
                index = sorted(index, key=lambda i: messages[i]["at"])
        analyses = tuple(
            MessageAnalysis(docs[i].text, docs[i].language, docs[i].role, tuple(results[i]))
            for i in index
        )
        summary = _summarise(analyses, [docs[i] for i in index])
        for signal in summary.signals:
            add(ticket, None, signal)
        version = next((s.version for s in summary.signals), "")
        for name, count in sorted(summary.counts.items()):
            add(ticket, None, Signal(f"conversation.count.{name}", "count", count, (), version))
    return pa.table(out, schema=AUTO_SCORES_SCHEMA)
