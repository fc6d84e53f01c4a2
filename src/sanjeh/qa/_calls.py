"""Calls on the review page: a ticket's calls as timelines of who spoke when.

A call is reviewed through the ticket it is linked to (``calls.ticket_id``), so reviews,
calibration and disputes of calls are those of tickets. A call with no ticket (a call
centre's log) is a conversation of its own: its id stands where a ticket's would
(``call_conversation``), with the phone channel and its agent's team. Each call's
transcript segments
(or the speech found in its recording) become a timeline with the stretches nobody spoke
(``SILENCE_S`` or longer) and the overtalk of each segment marked; its speech figures
(``call_speech``) are shown beside it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from ..errors import RecordNotFound

if TYPE_CHECKING:
    from ..store import Store

#: a pause of at least this many seconds is marked as silence on the timeline
SILENCE_S = 3.0


@dataclasses.dataclass(frozen=True)
class CallEntry:
    """A segment of speech, or a silence (``kind="silence"``, no speaker)."""

    kind: str
    start_s: float
    end_s: float
    speaker: str | None = None
    speaker_label: str | None = None
    text: str | None = None
    segment_id: str | None = None
    #: seconds of this segment during which another party was speaking too
    overtalk_s: float = 0.0


@dataclasses.dataclass(frozen=True)
class CallTimeline:
    call_id: str
    started_at: dt.datetime | None
    agent_id: str | None
    outcome: str | None
    #: the call's ``call_speech`` row (None: not analysed yet)
    speech: dict[str, Any] | None
    entries: list[CallEntry]


def calls_of(store: Store, ticket_id: str) -> list[str]:
    """Ids of the calls of a conversation in order of start: the calls linked to a
    ticket, or the call itself when the conversation is a call with no ticket."""
    c = store.table("calls")
    mine = (c.ticket_id == ticket_id) | ((c.call_id == ticket_id) & c.ticket_id.isnull())
    rows = c.filter(mine).order_by([c.started_at, c.call_id])
    return [r["call_id"] for r in rows.select("call_id").to_pyarrow().to_pylist()]


def call_conversation(store: Store, call_id: str) -> dict[str, Any] | None:
    """A call with no ticket as a conversation, shaped like a ``tickets`` row (its id as
    ``ticket_id``, channel phone, its agent and the agent's team, created when it
    started); None when no call has this id. A call linked to a ticket is reviewed with
    its ticket: asking for it by its own id says which."""
    c = store.table("calls")
    rows = c.filter(c.call_id == call_id).to_pyarrow().to_pylist()
    if not rows:
        return None
    call = rows[0]
    if call["ticket_id"] is not None:
        raise RecordNotFound(
            f"call {call_id!r} belongs to ticket {call['ticket_id']!r}: review that ticket "
            "(its calls are shown with it)"
        )
    team = None
    if call["agent_id"] is not None:
        a = store.table("agents")
        found = a.filter(a.agent_id == call["agent_id"]).select("team_id").to_pyarrow()
        team = found["team_id"][0].as_py() if found.num_rows else None
    return {
        "ticket_id": call_id,
        "source": call["source"],
        "subject": call.get("call_type"),
        "channel": "phone",
        "created_at": call["started_at"],
        "agent_id": call["agent_id"],
        "team_id": team,
        "customer_id": call["customer_id"],
        "tags": [],
    }


def call_timelines(store: Store, ticket_id: str) -> list[CallTimeline]:
    """The timelines of the ticket's calls (none for a ticket without calls)."""
    ids = calls_of(store, ticket_id)
    if not ids:
        return []
    c, s, p = store.table("calls"), store.table("call_segments"), store.table("call_speech")
    calls = c.filter(c.call_id.isin(ids)).to_pyarrow().to_pylist()
    segments = s.filter(s.call_id.isin(ids)).order_by([s.call_id, s.start_s, s.segment_id])
    by_call: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in segments.to_pyarrow().to_pylist():
        by_call[row["call_id"]].append(row)
    speech = {r["call_id"]: r for r in p.filter(p.call_id.isin(ids)).to_pyarrow().to_pylist()}
    found = {r["call_id"]: r for r in calls}
    return [
        CallTimeline(
            call_id=i,
            started_at=found[i]["started_at"],
            agent_id=found[i]["agent_id"],
            outcome=found[i]["outcome"],
            speech=speech.get(i),
            entries=timeline(by_call[i]),
        )
        for i in ids
    ]


def timeline(segments: list[dict[str, Any]]) -> list[CallEntry]:
    """Segments (sorted by start) with silences between them and each segment's overtalk:
    the part of it during which a segment of another speaker was running."""
    out: list[CallEntry] = []
    heard_until = 0.0
    for seg in segments:
        start, end = float(seg["start_s"]), float(seg["end_s"])
        if start - heard_until >= SILENCE_S:
            out.append(CallEntry("silence", heard_until, start))
        overtalk = _overlap(seg, segments)
        out.append(
            CallEntry(
                "segment",
                start,
                end,
                speaker=seg["speaker"],
                speaker_label=seg.get("speaker_label"),
                text=seg.get("text"),
                segment_id=seg["segment_id"],
                overtalk_s=overtalk,
            )
        )
        heard_until = max(heard_until, end)
    return out


def _overlap(seg: dict[str, Any], segments: list[dict[str, Any]]) -> float:
    """Seconds of ``seg`` covered by other speakers' segments (their union); ``segments``
    sorted by start. Touching segments (one ends as the other starts) do not overlap."""
    start, end = float(seg["start_s"]), float(seg["end_s"])
    spans = []
    for o in segments:
        o_start, o_end = float(o["start_s"]), float(o["end_s"])
        if o_start >= end:
            break
        if o["speaker"] != seg["speaker"] and start < o_end:
            spans.append((max(start, o_start), min(end, o_end)))
    spans.sort()
    total, reach = 0.0, start
    for lo, hi in spans:
        lo = max(lo, reach)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total
