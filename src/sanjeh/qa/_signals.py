"""What the review page shows beside the scorecard: the conversation and AutoQA signals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from ._calls import calls_of
from ._scorecard import ANALYZER_CATEGORIES, Scorecard

if TYPE_CHECKING:
    from ..store import Store

#: message-level labels that say "nothing found" (left out: conversation-level rows say it)
_QUIET = {"absent", "none", "not_applicable", "count"}
_SKIPPED = ("language", "conversation.count.")


@dataclasses.dataclass(frozen=True)
class Suggestion:
    """One automatic signal; ``category_id`` None = about the conversation in general."""

    category_id: str | None
    analyzer: str
    label: str
    score: float | None
    event_id: str | None
    evidence: list[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class TimelineEntry:
    event_id: str
    at: dt.datetime
    kind: str
    actor_type: str | None
    actor_id: str | None
    public: bool | None
    body: str | None
    status: str | None
    agent_id: str | None
    team_id: str | None


def suggestions(
    store: Store, ticket_id: str, scorecard: Scorecard | None = None
) -> list[Suggestion]:
    """The AutoQA signals of a conversation (``auto_scores``, its calls' transcripts too),
    mapped to the categories
    they inform; conversation-level results and message-level findings (not the
    "absent" rows). With ``scorecard``, by its categories' signals
    (``Scorecard.signal_links``), else by ``ANALYZER_CATEGORIES``; an analyzer linked to
    no category of the scorecard becomes None (general)."""
    a = store.table("auto_scores")
    mine = a.ticket_id == ticket_id
    calls = calls_of(store, ticket_id)
    if calls:  # the transcripts of the ticket's calls are part of the conversation
        mine |= a.call_id.isin(calls)
    rows = a.filter(mine).order_by([a.event_id, a.analyzer]).to_pyarrow().to_pylist()
    links = scorecard.signal_links() if scorecard is not None else ANALYZER_CATEGORIES
    out = []
    for r in rows:
        name, label = r["analyzer"], r["label"]
        if name == "language" or name.startswith(_SKIPPED[1]) or label == "not_applicable":
            continue
        if r["event_id"] is not None and label in _QUIET:
            continue
        category = links.get(name)
        evidence = json.loads(r["evidence"]) if r["evidence"] else []
        out.append(Suggestion(category, name, label, r["score"], r["event_id"], evidence))
    return out


def conversation(store: Store, ticket_id: str) -> list[TimelineEntry]:
    """The conversation's events in order (public and private), for the review page."""
    e = store.table("events")
    rows = e.filter(e.ticket_id == ticket_id).order_by([e.at, e.event_id]).to_pyarrow().to_pylist()
    fields = [f.name for f in dataclasses.fields(TimelineEntry)]
    return [TimelineEntry(**{k: r.get(k) for k in fields}) for r in rows]
