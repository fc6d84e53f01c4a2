"""``call_segments`` → ``call_speech``: analyse the calls whose segments changed.

Each ``call_speech`` row records the analysis ``version`` and, in ``segments_digest``, a
fingerprint of the segments it was computed from: ``<segments>.<hash>``, where the hash
sums (in the database, one aggregate) a hash of every segment's id, speaker, times,
words, text and origin. A call is analysed again when its fingerprint or the analysis
version differs from the stored one: new segments, changed ones, a new analysis
version. Finding them is one grouped scan of ``call_segments`` in the database; the
Python work (``measure``, the sentiment of the customer's words) is in proportion to the
calls found.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from ._measure import Sentiment, SpeechFigures, customer_ends, measure

if TYPE_CHECKING:
    from ..store import Store

#: bumped when a definition in docs/calls.md changes: every call is analysed again
SPEECH_VERSION = "speech-1"
#: calls read, measured and merged at once
BATCH_CALLS = 2_000
_MODULUS = 1_000_000_007  # keeps the per-call sum of segment hashes inside int64

ProgressCallback = Callable[[int, int], None]


@dataclasses.dataclass
class AnalysisSummary:
    """What one ``analyze_calls`` run did."""

    calls: int = 0
    segments: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["seconds"] = round(self.seconds, 3)
        return out


def fingerprints(store: Store) -> ibis.Table:
    """call_id → the ``segments_digest`` its call_speech row must carry to be current."""
    t = store.table("call_segments")
    text = ibis.literal("|").join(
        [
            t.segment_id,
            t.speaker,
            t.start_s.cast("string"),
            t.end_s.cast("string"),
            t.words.cast("string").fill_null(""),
            t.text.fill_null(""),
            t.origin.fill_null(""),
        ]
    )
    per_call = (
        t.mutate(h=(text.hash() % _MODULUS + _MODULUS) % _MODULUS)
        .group_by("call_id")
        .agg(n=ibis._.count(), h=ibis._.h.sum())
    )
    digest = per_call.n.cast("string") + "." + per_call.h.cast("string")
    return per_call.select("call_id", digest=digest)


def pending_calls(store: Store) -> list[tuple[str, str]]:
    """(call_id, segments digest) of the calls whose call_speech row is missing, of an
    older analysis version, or computed from other segments."""
    want = fingerprints(store)
    speech = store.table("call_speech")
    have = speech.select("call_id", stored=speech.segments_digest, _version=speech.version)
    joined = want.left_join(have, want.call_id == have.call_id)
    current = (joined.stored == joined.digest) & (joined._version == SPEECH_VERSION)
    stale = joined.filter(~current.fill_null(False))
    rows = stale.select("call_id", "digest").order_by("call_id").to_pyarrow()
    return list(zip(rows["call_id"].to_pylist(), rows["digest"].to_pylist(), strict=True))


def analyze_calls(
    store: Store,
    *,
    sentiment: Sentiment | None = None,
    progress: ProgressCallback | None = None,
    batch: int = BATCH_CALLS,
) -> AnalysisSummary:
    """Compute ``call_speech`` for the calls whose segments changed since (or that have no
    row, or one of an older analysis version) and merge it; return what was done.

    A call with transcript segments is measured from those (they carry words and text);
    a call with only segments found in its recording, from those. ``sentiment`` scores
    the customer's opening and closing words (default ``sanjeh.text.sentiment``).
    """
    started = time.perf_counter()
    if sentiment is None:
        from ..text import sentiment as default_sentiment

        sentiment = default_sentiment
    summary = AnalysisSummary()
    todo = pending_calls(store)
    if progress:
        progress(0, len(todo))
    analysed_at = dt.datetime.now(dt.UTC)
    for i in range(0, len(todo), batch):
        chunk = dict(todo[i : i + batch])
        rows = [
            _row(call_id, segs, chunk[call_id], analysed_at)
            for call_id, segs in _segments_of(store, list(chunk))
        ]
        _add_sentiment(rows, sentiment)
        summary.segments += sum(r.pop("_segments") for r in rows)
        with store.stage("call_speech") as stage:
            stage.append(pa.Table.from_pylist(rows))
            result = stage.commit()
        summary.calls += len(rows)
        summary.inserted += result.inserted
        summary.replaced += result.replaced
        summary.unchanged += result.unchanged
        if progress:
            progress(min(i + batch, len(todo)), len(todo))
    summary.seconds = time.perf_counter() - started
    return summary


_READ = ("call_id", "speaker", "start_s", "end_s", "words", "text", "origin")


def _segments_of(store: Store, call_ids: list[str]) -> Iterator[tuple[str, dict[str, list]]]:
    t = store.table("call_segments")
    got = t.filter(t.call_id.isin(call_ids)).select(*_READ).order_by(["call_id", "start_s"])
    table = got.to_pyarrow()
    columns = {name: table[name].to_pylist() for name in _READ}
    ids = columns["call_id"]
    begin = 0
    for end in range(1, len(ids) + 1):
        if end == len(ids) or ids[end] != ids[begin]:
            yield ids[begin], {k: v[begin:end] for k, v in columns.items()}
            begin = end


def _row(
    call_id: str, segs: dict[str, list], digest: str, analysed_at: dt.datetime
) -> dict[str, Any]:
    origins = segs["origin"]
    # a transcript has words and text; segments found in the recording only when there is none
    origin = "transcript" if any(o in (None, "transcript") for o in origins) else "audio"
    keep = [i for i, o in enumerate(origins) if (o or "transcript") == origin]
    pick = {k: [v[i] for i in keep] for k, v in segs.items()}
    has_text = origin == "transcript"
    figures: SpeechFigures = measure(
        pick["speaker"],
        pick["start_s"],
        pick["end_s"],
        words=pick["words"] if has_text else None,
        texts=pick["text"] if has_text else None,
    )
    row = figures.row()
    ends = customer_ends(pick["speaker"], pick["start_s"], pick["text"]) if has_text else None
    return {
        "call_id": call_id,
        "origin": origin,
        **row,
        "version": SPEECH_VERSION,
        "segments_digest": digest,
        "analysed_at": analysed_at,
        "_ends": ends,
        "_segments": len(keep),
    }


def _add_sentiment(rows: list[dict[str, Any]], sentiment: Sentiment) -> None:
    """The customers' opening and closing words of a whole batch scored in one call."""
    texts = [t for r in rows if r["_ends"] is not None for t in r["_ends"]]
    scores = iter(sentiment(texts) if texts else [])
    for r in rows:
        if r.pop("_ends") is not None:
            first, last = float(next(scores)), float(next(scores))
            r["sentiment_start"], r["sentiment_end"] = round(first, 6), round(last, 6)
            r["sentiment_change"] = round(last - first, 6)
