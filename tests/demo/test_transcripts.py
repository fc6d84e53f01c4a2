"""The demo's call transcripts: one per answered call, consistent with the call log,
never a voice overlapping itself, agents keeping their habits."""

from __future__ import annotations

import pandas as pd

from sanjeh.demo import generate
from sanjeh.store import Store

from ._support import Demo


def _segments(demo: Demo) -> pd.DataFrame:
    return demo.store.table("call_segments").to_pandas()


def test_every_answered_call_has_a_transcript_and_nothing_else_does(demo: Demo) -> None:
    calls = demo.store.table("calls").to_pandas()
    segments = _segments(demo)
    answered = set(calls.loc[calls.outcome == "answered", "call_id"])
    assert set(segments.call_id) == answered
    assert set(segments.speaker) == {"agent", "customer"}
    assert segments.text.str.strip().str.len().gt(0).all()
    assert (segments.words == segments.text.str.split().str.len()).all()
    assert (segments.origin == "transcript").all()


def test_a_transcript_spans_the_talk_and_hold_time(demo: Demo) -> None:
    calls = demo.store.table("calls").to_pandas().set_index("call_id")
    last = _segments(demo).groupby("call_id").end_s.max()
    spoken = calls.talk_s + calls.hold_s.fillna(0)
    gap = (last - spoken.loc[last.index]).abs()
    # the last round of questions and the closing may run past the logged talk time a
    # little: within a minute for every call, within 15 s for most
    assert gap.max() < 60, gap.describe()
    assert gap.median() < 15, gap.describe()


def test_no_voice_overlaps_itself(demo: Demo) -> None:
    s = _segments(demo).sort_values(["call_id", "speaker", "start_s"])
    previous_end = s.groupby(["call_id", "speaker"]).end_s.shift()
    assert (s.start_s >= previous_end).where(previous_end.notna(), True).all()
    assert (s.end_s > s.start_s).all()


def test_agents_keep_their_habits(demo: Demo) -> None:
    """Some agents cut in on customers far more often than others, on every call."""
    s = _segments(demo).sort_values(["call_id", "start_s"])
    calls = demo.store.table("calls").to_pandas()[["call_id", "agent_id"]]
    s = s.merge(calls, on="call_id")
    before = s.groupby("call_id").shift()
    cut_in = (s.speaker == "agent") & (before.speaker == "customer") & (s.start_s < before.end_s)
    replies = (s.speaker == "agent") & (before.speaker == "customer")
    rate = cut_in.groupby(s.agent_id).sum() / replies.groupby(s.agent_id).sum()
    rate = rate[replies.groupby(s.agent_id).sum() >= 100]
    assert len(rate) >= 5
    assert rate.max() > 2 * rate.min(), rate.sort_values()


def test_transcripts_can_be_left_out_without_changing_anything_else(demo: Demo, tmp_path) -> None:
    with Store.open(str(tmp_path / "bare.duckdb")) as store:
        summary = generate(store, tickets=demo.summary.tickets, seed=7, transcripts=False)
        assert store.counts(["call_segments"])["call_segments"] == 0
        for name in ("tickets", "events", "calls", "customer_outcomes"):
            assert summary.rows[name] == demo.summary.rows[name]
        ours = store.table("calls").to_pyarrow().sort_by("call_id")
        theirs = demo.store.table("calls").to_pyarrow().sort_by("call_id")
        assert ours.equals(theirs)
