"""A call's transcript is scored like a ticket's messages, into rows that name the call."""

from __future__ import annotations

import datetime as dt

from sanjeh import text
from sanjeh.store import Store

STARTED = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
CALLS = [
    {"call_id": "bank:1", "source": "bank", "started_at": STARTED, "outcome": "answered"},
    # a ticket with the same id as the call: their rows must never meet
    {"call_id": "bank:7", "source": "bank", "started_at": STARTED, "outcome": "answered"},
]


def segment(call: str, n: int, speaker: str, start: float, end: float, said: str | None) -> dict:
    return {
        "segment_id": f"{call}#{n}",
        "call_id": call,
        "source": "bank",
        "speaker": speaker,
        "start_s": start,
        "end_s": end,
        "text": said,
        "origin": "transcript" if said else "audio",
    }


SEGMENTS = [
    segment("bank:1", 0, "agent", 0.5, 3.0, "Hello, thank you for calling. How can I help?"),
    segment("bank:1", 1, "customer", 3.2, 9.0, "My card was charged twice and I am furious."),
    segment("bank:1", 2, "agent", 9.5, 14.0, "I am so sorry. I will refund it myself today."),
    segment("bank:1", 3, "other", 14.0, 15.0, "Please hold."),  # an IVR prompt: not scored
    segment("bank:7", 0, "agent", 0.0, 2.0, None),  # speech found in a recording: no words
]


def scored(store: Store) -> dict[str, dict]:
    rows = store.table("auto_scores").to_pyarrow().to_pylist()
    return {r["score_id"]: r for r in rows}


def test_a_transcript_is_scored_into_rows_of_its_call(store: Store) -> None:
    store.write("calls", CALLS)
    store.write("call_segments", SEGMENTS)
    store.write("tickets", [{"ticket_id": "bank:7", "source": "bank", "created_at": STARTED}])
    store.write(
        "events",
        [
            {
                "event_id": "bank:7-1",
                "ticket_id": "bank:7",
                "at": STARTED,
                "kind": "message",
                "actor_type": "agent",
                "public": True,
                "body": "Hello, I will look into it.",
            }
        ],
    )
    summary = text.score_store(store)
    assert (summary.calls, summary.tickets) == (1, 1)
    # three segments with words spoken by an agent or the customer; the IVR's is not
    assert summary.messages == 1 + 3
    rows = scored(store)
    call_rows = [r for r in rows.values() if r["call_id"] is not None]
    assert {r["call_id"] for r in call_rows} == {"bank:1"}
    assert all(r["ticket_id"] is None for r in call_rows)
    assert all(r["score_id"].startswith("call:bank:1#") for r in call_rows)
    assert {r["event_id"] for r in call_rows} == {"bank:1#0", "bank:1#1", "bank:1#2", None}
    # the same analyzers as on tickets: apology and ownership in the agent's second turn,
    # the customer's anger as negative sentiment, a conversation-level quality score
    assert rows["call:bank:1#2#apology"]["label"] == "present"
    assert rows["call:bank:1#2#ownership"]["label"] == "present"
    assert rows["call:bank:1#1#sentiment"]["label"] == "negative"
    assert rows["call:bank:1#conversation.quality"]["score"] is not None
    # the ticket bank:7 keeps its own rows, under its own ids
    assert rows["bank:7#conversation.quality"]["ticket_id"] == "bank:7"
    assert rows["bank:7#conversation.quality"]["call_id"] is None

    again = text.score_store(store)
    assert (again.calls, again.tickets, again.inserted, again.replaced) == (0, 0, 0, 0)
    assert scored(store) == rows


def test_a_new_segment_rescores_only_its_call(store: Store) -> None:
    store.write("calls", CALLS)
    store.write("call_segments", SEGMENTS)
    text.score_store(store)
    store.write(
        "call_segments",
        [segment("bank:1", 4, "customer", 15.5, 18.0, "Thank you, that was really helpful.")],
    )
    summary = text.score_store(store)
    assert (summary.calls, summary.tickets) == (1, 0)
    assert summary.messages == 4  # the whole call again: conversation signals need it all
    rows = scored(store)
    assert rows["call:bank:1#4#sentiment"]["label"] == "positive"
    assert rows["call:bank:1#4#sentiment"]["call_id"] == "bank:1"
