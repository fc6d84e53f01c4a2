"""``measure``: hand-computed figures on constructed transcripts (arithmetic in comments)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanjeh.speech import measure


def test_a_plain_conversation_with_overtalk_and_an_interruption() -> None:
    # agent    [0, 4)       [6, 10)          [12.0, 13.0) [13.5, 15)
    # customer       [3, 5)        [9, 12)
    # other                                                            [16, 17)
    f = measure(
        ["agent", "customer", "agent", "customer", "agent", "agent", "other"],
        [0, 3, 6, 9, 12, 13.5, 16],
        [4, 5, 10, 12, 13, 15, 17],
        words=[10, 5, 8, 6, 2, 3, None],
    )
    # span 0 → 17
    assert f.duration_s == 17
    # agent 4 + 4 + 1 + 1.5 = 10.5; customer 2 + 3 = 5
    assert f.agent_talk_s == 10.5 and f.customer_talk_s == 5
    assert f.talk_listen_ratio == pytest.approx(10.5 / 5)
    # anyone speaks [0, 5) [6, 15) minus the pause [13, 13.5), [16, 17): 5 + 9 − 0.5 + 1 = 14.5
    # silence 17 − 14.5 = 2.5: [5, 6) 1 + [13, 13.5) 0.5 + [15, 16) 1
    assert f.silence_s == pytest.approx(2.5) and f.silence_share == pytest.approx(2.5 / 17)
    assert f.longest_silence_s == 1
    # overtalk [3, 4) and [9, 10): 2 s in 2 stretches
    assert f.overtalk_s == 2 and f.overtalk_count == 2
    assert f.overtalk_share == pytest.approx(2 / 17)
    # the agent started while the customer spoke: never (3 and 9 are customer starts inside
    # agent speech: the customer interrupted, twice)
    assert f.agent_interruptions == 0
    # agent words 10 + 8 + 2 + 3 = 23 in 10.5 s → 23 / (10.5 / 60) = 131.43 wpm
    assert f.agent_wpm == pytest.approx(23 / 10.5 * 60)
    # customer 11 words in 5 s → 132 wpm
    assert f.customer_wpm == pytest.approx(132)
    # agent without customer: [0,3) [5? no: customer till 5 → agent alone [0, 3), [6, 9),
    # [12, 13), [13.5, 15); [12, 13) + pause 0.5 s + [13.5, 15) join: 12 → 15 = 3 s;
    # [0, 3) and [6, 9) are 3 s each (the pauses between hold customer speech)
    assert f.longest_agent_monologue_s == 3
    # other-only [16, 17): 10.5 + 5 − 2 + 1 + 2.5 = 17
    assert f.other_only_s == 1
    assert f.sentiment_start is None and f.agent_wpm is not None


def test_agent_interrupts_only_when_starting_inside_customer_speech() -> None:
    # customer [0, 10); agent starts at 0 (together: no), at 4 (inside: yes),
    # at 10 (touching the end: no); agent [4, 5) and [5, 6) touch, so they are one stretch
    f = measure(
        ["customer", "agent", "agent", "agent", "agent"],
        [0, 0, 4, 5, 10],
        [10, 1, 5, 6, 12],
    )
    assert f.agent_interruptions == 1
    # overtalk [0, 1) and [4, 6): the touching agent segments make one stretch of 2 s
    assert f.overtalk_s == 3 and f.overtalk_count == 2
    # agent [10, 12) touches the customer's end: not overtalk; agent total 1 + 2 + 2 = 5
    assert f.agent_talk_s == 5


def test_segments_meeting_at_an_edge_are_not_overtalk() -> None:
    # agent [0, 2), customer [2, 5), agent [5, 6): turns that touch, no gap, no overlap
    f = measure(["agent", "customer", "agent"], [0, 2, 5], [2, 5, 6])
    assert f.overtalk_s == 0 and f.overtalk_count == 0 and f.agent_interruptions == 0
    # no silence at all: 6 s spoken in a 6 s span
    assert f.silence_s == 0 and f.longest_silence_s == 0 and f.duration_s == 6


def test_nested_and_overlapping_segments_of_one_speaker_are_unioned() -> None:
    # agent [0, 10) holds [2, 3) and overlaps [8, 12): union [0, 12) = 12 s, not 10 + 1 + 4
    # customer [1, 2) inside the agent's speech, and [11, 14) overlapping its end
    f = measure(
        ["agent", "agent", "agent", "customer", "customer"],
        [0, 2, 8, 1, 11],
        [10, 3, 12, 2, 14],
    )
    assert f.agent_talk_s == 12 and f.customer_talk_s == 4
    # overtalk [1, 2) and [11, 12): 2 s, 2 stretches; span 0 → 14, no silence
    assert f.overtalk_s == 2 and f.overtalk_count == 2
    assert f.duration_s == 14 and f.silence_s == 0
    # agent alone [0, 1) [2, 11): the customer's speech splits it; longest 9 s
    assert f.longest_agent_monologue_s == 9


def test_no_customer_speech_leaves_the_ratio_null() -> None:
    # agent [1, 3) and [3.5, 6): pause 0.5 s < 1.5 s: one monologue 1 → 6 = 5 s
    f = measure(["agent", "agent"], [1, 3.5], [3, 6], texts=["hello there", "one two three"])
    assert f.customer_talk_s == 0 and f.talk_listen_ratio is None and f.customer_wpm is None
    # span starts at the first speech (1), not at 0: 5 s, 0.5 s silent
    assert f.duration_s == 5 and f.silence_s == pytest.approx(0.5)
    assert f.longest_agent_monologue_s == 5
    # 5 words from the texts in 4.5 s of talk → 66.67 wpm
    assert f.agent_wpm == pytest.approx(5 / 4.5 * 60)


def test_a_long_pause_ends_a_monologue() -> None:
    # agent [0, 4) and [5.5, 7): pause 1.5 s is not shorter than 1.5 s: two monologues
    f = measure(["agent", "agent"], [0, 5.5], [4, 7])
    assert f.longest_agent_monologue_s == 4
    # a pause of 1.4 s joins them: 0 → 6.9
    f = measure(["agent", "agent"], [0, 5.4], [4, 6.9])
    assert f.longest_agent_monologue_s == pytest.approx(6.9)


def test_a_call_with_only_silence() -> None:
    # no speech at all, or only empty segments: nothing to measure, shares undefined
    for args in (([], [], []), (["agent", "customer"], [3, 5], [3, 5])):
        f = measure(*args)
        assert f.duration_s == 0 and f.silence_s == 0 and f.agent_talk_s == 0
        assert f.silence_share is None and f.overtalk_share is None
        assert f.talk_listen_ratio is None and f.longest_agent_monologue_s == 0
        assert f.overtalk_count == 0 and f.agent_interruptions == 0


def test_other_speakers_are_talk_but_neither_party() -> None:
    # IVR [0, 5), agent [5, 8), customer [7, 9): IVR is no silence, nobody's talk
    f = measure(["other", "agent", "customer"], [0, 5, 7], [5, 8, 9])
    assert f.duration_s == 9 and f.silence_s == 0
    assert (f.agent_talk_s, f.customer_talk_s, f.overtalk_s, f.other_only_s) == (3, 2, 1, 5)


def test_sentiment_compares_the_first_and_last_third_of_the_customer() -> None:
    seen: list[list[str]] = []

    def polarity(texts: list[str]) -> list[float]:
        seen.append(texts)
        return [-0.5 if "late" in t else 0.75 for t in texts]

    # 6 customer segments (in time order c1 … c6, given out of order): thirds of 2
    texts = ["c3", "c1 late", "c2", "c4", "c5", "c6 thanks", "hi"]
    starts = [20, 0, 10, 30, 40, 50, 5]
    speakers = ["customer"] * 6 + ["agent"]
    f = measure(speakers, starts, [s + 2 for s in starts], texts=texts, sentiment=polarity)
    assert seen == [["c1 late\nc2", "c5\nc6 thanks"]]
    # 0.75 − (−0.5) = 1.25
    assert (f.sentiment_start, f.sentiment_end, f.sentiment_change) == (-0.5, 0.75, 1.25)
    # one customer segment: no start and end to compare
    f = measure(["customer"], [0], [1], texts=["hi"], sentiment=polarity)
    assert f.sentiment_start is None and f.sentiment_change is None


def test_real_sentiment_from_sanjeh_text() -> None:
    from sanjeh import text

    texts = ["this is terrible, my order is late and I am angry", "ok", "thank you so much, great"]
    f = measure(["customer"] * 3, [0, 5, 10], [4, 9, 14], texts=texts, sentiment=text.sentiment)
    assert f.sentiment_start is not None and f.sentiment_end is not None
    assert f.sentiment_start < 0 < f.sentiment_end and f.sentiment_change > 0


segment = st.tuples(
    st.sampled_from(["agent", "customer", "other"]),
    st.integers(0, 400).map(lambda x: x / 4),  # quarter seconds: sums stay exact
    st.integers(0, 40).map(lambda x: x / 4),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(segment, max_size=30))
def test_talk_overtalk_and_silence_add_up_to_the_duration(segs) -> None:
    speakers = [s for s, _, _ in segs]
    starts = [a for _, a, _ in segs]
    ends = [a + d for _, a, d in segs]
    f = measure(speakers, starts, ends)
    parts = f.agent_talk_s + f.customer_talk_s - f.overtalk_s + f.other_only_s + f.silence_s
    assert math.isclose(parts, f.duration_s, abs_tol=1e-9)
    assert f.overtalk_s <= min(f.agent_talk_s, f.customer_talk_s)
    assert f.longest_silence_s <= f.silence_s
    assert f.longest_agent_monologue_s <= f.duration_s
    # every interruption starts an overtalk: the agent begins inside customer speech
    assert f.agent_interruptions == 0 or f.overtalk_count >= 1
    # the figures do not depend on the order the segments come in
    again = measure(speakers[::-1], starts[::-1], ends[::-1])
    assert again == f
