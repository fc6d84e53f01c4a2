"""Speech figures of one call from its segments: a sort and a sweep, linear in segments.

Every definition (who, what, formula, edge cases) is written down in docs/calls.md; the
names here follow the columns of ``call_speech``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: agent speech separated by a pause shorter than this (and no customer speech) is one
#: monologue: recognisers and VAD cut segments at pauses of 0.3 - 1 s inside a turn, while
#: a pause of 1.5 s or more is where a listener normally takes the turn (docs/calls.md)
MONOLOGUE_GAP_S = 1.5

Intervals = np.ndarray  # shape (n, 2): disjoint [start, end) stretches, sorted
Sentiment = Callable[[list[str]], list[float]]


@dataclasses.dataclass(frozen=True)
class SpeechFigures:
    """The figures of one call (the columns of ``call_speech`` but its bookkeeping)."""

    duration_s: float
    agent_talk_s: float
    customer_talk_s: float
    #: talk by "other" speakers (IVR, a third party) while neither agent nor customer spoke;
    #: not a column: it closes the sum agent + customer − overtalk + other + silence = duration
    other_only_s: float
    talk_listen_ratio: float | None
    silence_s: float
    silence_share: float | None
    longest_silence_s: float
    overtalk_s: float
    overtalk_share: float | None
    overtalk_count: int
    agent_interruptions: int
    agent_wpm: float | None
    customer_wpm: float | None
    longest_agent_monologue_s: float
    sentiment_start: float | None
    sentiment_end: float | None
    sentiment_change: float | None

    def row(self) -> dict[str, Any]:
        """The ``call_speech`` columns (floats rounded to 6 decimals: microseconds)."""
        out = dataclasses.asdict(self)
        del out["other_only_s"]
        return {k: round(v, 6) if isinstance(v, float) else v for k, v in out.items()}


def union(starts: np.ndarray, ends: np.ndarray) -> Intervals:
    """Sorted, disjoint stretches covering the given ones; overlapping and touching
    stretches (one ends where the next starts) become one; empty ones are dropped."""
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if len(starts) == 0:
        return np.empty((0, 2))
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    # a new stretch begins where a start lies beyond everything reached before it
    new = np.empty(len(starts), dtype=bool)
    new[0] = True
    new[1:] = starts[1:] > reach[:-1]
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, len(starts) - 1)
    return np.column_stack([starts[first], reach[last]])


def intersect(a: Intervals, b: Intervals) -> Intervals:
    """Stretches in both ``a`` and ``b`` of positive length (touching is not overlap)."""
    if len(a) == 0 or len(b) == 0:
        return np.empty((0, 2))
    # every b that starts before a's end and ends after a's start meets a: the candidates
    # of a are a contiguous run of b (both sorted and disjoint), found by searchsorted
    lo = np.searchsorted(b[:, 1], a[:, 0], side="right")
    hi = np.searchsorted(b[:, 0], a[:, 1], side="left")
    counts = np.maximum(hi - lo, 0)
    if counts.sum() == 0:
        return np.empty((0, 2))
    ai = np.repeat(np.arange(len(a)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    bi = np.repeat(lo, counts) + offsets
    starts = np.maximum(a[ai, 0], b[bi, 0])
    ends = np.minimum(a[ai, 1], b[bi, 1])
    keep = ends > starts
    return np.column_stack([starts[keep], ends[keep]])


def subtract(a: Intervals, b: Intervals) -> Intervals:
    """The parts of ``a`` outside ``b``."""
    if len(a) == 0 or len(b) == 0:
        return a
    # a minus b = a ∩ complement(b) over a's reach
    lo, hi = min(a[0, 0], b[0, 0]), max(a[-1, 1], b[-1, 1])
    edges = np.concatenate([[lo], b.ravel(), [hi]])
    gaps = edges.reshape(-1, 2)
    return intersect(a, gaps[gaps[:, 1] > gaps[:, 0]])


def total(x: Intervals) -> float:
    return float((x[:, 1] - x[:, 0]).sum()) if len(x) else 0.0


def measure(
    speakers: Sequence[str] | np.ndarray,
    starts: Sequence[float] | np.ndarray,
    ends: Sequence[float] | np.ndarray,
    *,
    words: Sequence[int | None] | np.ndarray | None = None,
    texts: Sequence[str | None] | None = None,
    sentiment: Sentiment | None = None,
    monologue_gap_s: float = MONOLOGUE_GAP_S,
) -> SpeechFigures:
    """The speech figures of one call from its segments (any order).

    ``speakers``: "agent", "customer" or "other" per segment; ``starts`` / ``ends``: seconds
    from the start of the recording. ``words`` (per segment, None where unknown) or else
    ``texts`` give the speaking rates; ``texts`` and ``sentiment`` (e.g.
    ``sanjeh.text.sentiment``) the customer's sentiment at the start and the end. Without
    them (speech found in a recording) those figures are None.
    """
    who = np.asarray(speakers, dtype=object)
    s = np.asarray(starts, dtype=np.float64)
    e = np.asarray(ends, dtype=np.float64)
    if not (len(who) == len(s) == len(e)):
        raise ValueError("speakers, starts and ends must have the same length")
    is_agent, is_customer = who == "agent", who == "customer"
    agent = union(s[is_agent], e[is_agent])
    customer = union(s[is_customer], e[is_customer])
    anyone = union(s, e)

    # the analysed span: first speech start → last speech end (docs/calls.md)
    duration = float(anyone[-1, 1] - anyone[0, 0]) if len(anyone) else 0.0
    spoken = total(anyone)
    silence = max(duration - spoken, 0.0)
    gaps = anyone[1:, 0] - anyone[:-1, 1] if len(anyone) > 1 else np.empty(0)
    agent_s, customer_s = total(agent), total(customer)
    both = intersect(agent, customer)
    overtalk = total(both)
    # agent stretches (after union) that begin strictly inside a customer stretch
    inside = np.searchsorted(customer[:, 0], agent[:, 0], side="left") - 1
    interrupts = (
        int(np.count_nonzero((inside >= 0) & (customer[np.maximum(inside, 0), 1] > agent[:, 0])))
        if len(customer) and len(agent)
        else 0
    )

    n_words = _word_counts(words, texts, len(who))
    start_mood, end_mood = _sentiments(who, s, texts, sentiment)
    change = None if start_mood is None or end_mood is None else end_mood - start_mood
    return SpeechFigures(
        duration_s=duration,
        agent_talk_s=agent_s,
        customer_talk_s=customer_s,
        other_only_s=max(spoken - (agent_s + customer_s - overtalk), 0.0),
        talk_listen_ratio=agent_s / customer_s if customer_s > 0 else None,
        silence_s=silence,
        silence_share=silence / duration if duration > 0 else None,
        longest_silence_s=float(gaps.max()) if len(gaps) else 0.0,
        overtalk_s=overtalk,
        overtalk_share=overtalk / duration if duration > 0 else None,
        overtalk_count=len(both),
        agent_interruptions=interrupts,
        agent_wpm=_rate(n_words, is_agent, agent_s),
        customer_wpm=_rate(n_words, is_customer, customer_s),
        longest_agent_monologue_s=_longest_monologue(agent, customer, monologue_gap_s),
        sentiment_start=start_mood,
        sentiment_end=end_mood,
        sentiment_change=change,
    )


def _word_counts(
    words: Sequence[int | None] | np.ndarray | None, texts: Sequence[str | None] | None, n: int
) -> np.ndarray | None:
    """Words per segment (NaN: unknown): the given count, else the text's words."""
    if words is None and texts is None:
        return None
    out = np.full(n, np.nan)
    if words is not None:
        out[:] = [np.nan if w is None else float(w) for w in words]
    if texts is not None:
        missing = np.isnan(out)
        for i in np.flatnonzero(missing).tolist():
            t = texts[i]
            if t is not None:
                out[i] = len(t.split())
    return out


def _rate(n_words: np.ndarray | None, mine: np.ndarray, talk_s: float) -> float | None:
    """Words per minute of the speaker's own talk time; None without words or talk."""
    if n_words is None or talk_s <= 0:
        return None
    counted = n_words[mine]
    if len(counted) == 0 or np.isnan(counted).all():
        return None
    return float(np.nansum(counted)) / (talk_s / 60.0)


def _longest_monologue(agent: Intervals, customer: Intervals, gap_s: float) -> float:
    """Agent speech without customer speech, joined across pauses shorter than ``gap_s``
    that hold no customer speech."""
    alone = subtract(agent, customer)
    if len(alone) == 0:
        return 0.0
    pause_from, pause_to = alone[:-1, 1], alone[1:, 0]
    if len(customer):
        # customer stretches are disjoint and sorted: those starting before a pause ends
        # minus those ending at or before it starts are the ones inside the pause
        met = np.searchsorted(customer[:, 0], pause_to, side="left") - np.searchsorted(
            customer[:, 1], pause_from, side="right"
        )
    else:
        met = np.zeros(len(pause_from), dtype=np.int64)
    joined = (pause_to - pause_from < gap_s) & (met <= 0)
    run = np.concatenate([[0], np.cumsum(~joined)])  # monologue number of each stretch
    first = np.full(run[-1] + 1, np.inf)
    last = np.zeros(run[-1] + 1)
    np.minimum.at(first, run, alone[:, 0])
    np.maximum.at(last, run, alone[:, 1])
    return float((last - first).max())


def customer_ends(
    speakers: Sequence[str] | np.ndarray,
    starts: Sequence[float] | np.ndarray,
    texts: Sequence[str | None],
) -> tuple[str, str] | None:
    """What the customer said at the start and at the end: their segments with text in
    order of start, the first and the last third (at least one segment each, never the
    same one: two segments at least, else None), each third's texts joined by newlines."""
    who = np.asarray(speakers, dtype=object)
    s = np.asarray(starts, dtype=np.float64)
    said = [
        (float(s[i]), text.strip())
        for i in np.flatnonzero(who == "customer").tolist()
        if (text := texts[i]) is not None and text.strip()
    ]
    if len(said) < 2:
        return None
    said.sort(key=lambda x: x[0])
    k = max(1, len(said) // 3)
    return "\n".join(t for _, t in said[:k]), "\n".join(t for _, t in said[-k:])


def _sentiments(
    who: np.ndarray,
    starts: np.ndarray,
    texts: Sequence[str | None] | None,
    sentiment: Sentiment | None,
) -> tuple[float | None, float | None]:
    if texts is None or sentiment is None:
        return None, None
    ends = customer_ends(who, starts, texts)
    if ends is None:
        return None, None
    first, last = sentiment(list(ends))
    return float(first), float(last)
