"""``analyze_calls``: call_segments → call_speech, only for the calls that changed."""

from __future__ import annotations

import pytest

from sanjeh.speech import SPEECH_VERSION, analyze_calls, pending_calls

from .conftest import add_calls


def _segments(call: str, rows: list[tuple[str, float, float, str | None]]) -> list[dict]:
    return [
        {
            "segment_id": f"{call}#{n}",
            "call_id": call,
            "source": "bank",
            "speaker": who,
            "start_s": start,
            "end_s": end,
            "text": text,
            "origin": "transcript",
        }
        for n, (who, start, end, text) in enumerate(rows)
    ]


CALL_1 = [
    ("agent", 0.0, 4.0, "hello how can I help you today"),
    ("customer", 3.0, 8.0, "my order is late and I am angry"),
    ("agent", 9.0, 12.0, "sorry I will fix it"),
    ("customer", 13.0, 15.0, "thank you so much that is great"),
]
CALL_2 = [("agent", 1.0, 3.0, "hello"), ("customer", 4.0, 6.0, "hi")]


def _speech(store) -> dict[str, dict]:
    rows = store.table("call_speech").to_pyarrow().to_pylist()
    return {r["call_id"]: r for r in rows}


def test_analyses_new_calls_then_nothing_then_only_the_changed_one(store) -> None:
    add_calls(store, ["bank:1", "bank:2"])
    store.write("call_segments", _segments("bank:1", CALL_1) + _segments("bank:2", CALL_2))
    first = analyze_calls(store)
    assert (first.calls, first.inserted, first.segments) == (2, 2, 6)
    got = _speech(store)
    one = got["bank:1"]
    # span 0 → 15; agent 4 + 3 = 7, customer 5 + 2 = 7, overtalk [3, 4) = 1
    assert (one["duration_s"], one["agent_talk_s"], one["customer_talk_s"]) == (15, 7, 7)
    assert one["overtalk_s"] == 1 and one["talk_listen_ratio"] == 1
    # silence [8, 9) and [12, 13): 2 s
    assert one["silence_s"] == 2 and one["origin"] == "transcript"
    # agent words 7 ("hello how can I help you today") + 5 = 12 in 7 s → 102.86 wpm
    assert one["agent_wpm"] == pytest.approx(12 / 7 * 60, abs=1e-4)
    assert one["sentiment_start"] < 0 < one["sentiment_end"]
    assert one["version"] == SPEECH_VERSION
    assert one["segments_digest"].startswith("4.")  # four segments and their hash
    # two customer segments with text are needed for a start and an end: call 2 has one
    assert got["bank:2"]["sentiment_start"] is None

    again = analyze_calls(store)
    assert (again.calls, again.inserted, again.replaced) == (0, 0, 0)
    assert pending_calls(store) == []

    # the same segments imported again change nothing; one changed segment of call 2 ...
    store.write("call_segments", _segments("bank:1", CALL_1))
    assert analyze_calls(store).calls == 0
    store.write("call_segments", _segments("bank:2", [("agent", 1.0, 3.5, "hello")]))
    third = analyze_calls(store)
    # ... re-analyses call 2 alone: agent 2.5 s now
    assert (third.calls, third.replaced, third.inserted) == (1, 1, 0)
    after = _speech(store)
    assert after["bank:2"]["agent_talk_s"] == 2.5
    assert after["bank:1"]["analysed_at"] == got["bank:1"]["analysed_at"]


def test_an_older_analysis_version_is_redone(store) -> None:
    add_calls(store, ["bank:1"])
    store.write("call_segments", _segments("bank:1", CALL_1))
    analyze_calls(store)
    row = _speech(store)["bank:1"]
    store.write("call_speech", [{**row, "version": "speech-0"}])
    assert [c for c, _ in pending_calls(store)] == ["bank:1"]
    assert analyze_calls(store).replaced == 1


def test_transcript_segments_win_over_segments_from_the_recording(store) -> None:
    add_calls(store, ["bank:1"])
    audio = [
        {**s, "segment_id": f"bank:1#a{n}", "origin": "audio", "text": None, "end_s": 20.0}
        for n, s in enumerate(_segments("bank:1", CALL_1[:1]))
    ]
    store.write("call_segments", audio)
    analyze_calls(store)
    # from the recording alone: agent [0, 20)
    assert _speech(store)["bank:1"]["origin"] == "audio"
    assert _speech(store)["bank:1"]["agent_talk_s"] == 20
    store.write("call_segments", _segments("bank:1", CALL_1))
    assert analyze_calls(store).calls == 1
    assert _speech(store)["bank:1"]["origin"] == "transcript"
    assert _speech(store)["bank:1"]["agent_talk_s"] == 7


def test_on_postgresql_only_the_changed_call_is_analysed_again(pg_url: str) -> None:
    from sanjeh.store import Store

    # the fingerprint is the backend's own hash (hashtextextended here, hash on DuckDB)
    with Store.open(pg_url) as store:
        add_calls(store, ["bank:1", "bank:2"])
        store.write("call_segments", _segments("bank:1", CALL_1) + _segments("bank:2", CALL_2))
        assert analyze_calls(store).inserted == 2
        assert analyze_calls(store).calls == 0
        store.write("call_segments", _segments("bank:2", [("agent", 1.0, 3.5, "hello")]))
        assert [c for c, _ in pending_calls(store)] == ["bank:2"]
        assert analyze_calls(store).replaced == 1
        assert _speech(store)["bank:1"]["agent_talk_s"] == 7
