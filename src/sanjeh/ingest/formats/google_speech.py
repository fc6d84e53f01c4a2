"""Google Cloud Speech-to-Text results (JSON) → ``call_segments``: the words of a
long-running recognition, with speaker tags (diarization) or channel tags, grouped into
segments. See docs/formats.md, "Call transcripts"; shared rules in ``_transcripts``.

Accepted: the response itself (``{"results": [...]}``), the operation that holds it
(``{"done": true, "response": {...}}``) and version 2's batch output (``startOffset``,
``speakerLabel``). With diarization, version 1 repeats every word with its speaker tag
in the last result only: then that result alone is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import IngestError
from .._readers import FileKind
from .._rows import Chunk
from ._base import Context
from ._transcripts import (
    TranscriptFormat,
    Word,
    call_from_stem,
    document,
    document_or_none,
    group_words,
    seconds,
    segment_chunk,
)


class GoogleSpeech(TranscriptFormat):
    name = "google_speech"
    title = "Google Cloud Speech-to-Text results (JSON): words with speaker or channel tags"
    default_source = "google"
    kinds = ("json", "jsonl")

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        keys = set(columns)
        if "jobName" in keys or not keys & {"results", "response"}:
            return 0.0
        results = _results(document_or_none(path, kind))
        return 0.9 if results and "alternatives" in results[0] else 0.0

    def read(self, ctx: Context) -> Iterator[Chunk]:
        results = _results(document(ctx))
        if not results:
            raise IngestError(ctx.path, "no 'results' list: not a Google Speech-to-Text response")
        tagged = [any(_speaker(w) for w in _words(r)) for r in results]
        if tagged[-1] and not any(tagged[:-1]):  # v1 diarization: the last holds them all
            results = results[-1:]
        channels = {str(r["channelTag"]) for r in results if r.get("channelTag") is not None}
        by_channel = len(channels) > 1 and not any(tagged)
        words: list[Word] = []
        for result in results:
            channel = f"channel_{result.get('channelTag')}" if by_channel else None
            best = (result.get("alternatives") or [{}])[0]
            for w in _words(result):
                words.append(
                    Word(
                        text=str(w.get("word") or ""),
                        start=seconds(w.get("startTime", w.get("startOffset", "0s"))),
                        end=seconds(w.get("endTime", w.get("endOffset"))),
                        speaker_label=_speaker(w) or channel,
                        confidence=seconds(w.get("confidence", best.get("confidence"))),
                    )
                )
        if not any(w.end is not None for w in words):
            raise IngestError(
                ctx.path,
                "the results have no word times: recognise the call again with "
                "enableWordTimeOffsets (and diarization or one channel per speaker)",
            )
        if by_channel:  # one speaker per channel: group each channel's words on its own
            words.sort(key=lambda w: (w.speaker_label or "", w.start or 0.0))
        first = f"channel_{min(channels, key=_numeric)}" if by_channel else None
        yield segment_chunk(
            ctx,
            sorted(group_words(call_from_stem(ctx), words), key=lambda s: seconds(s.start) or 0.0),
            channel_agent=first,
        )


def _results(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict) and isinstance(doc.get("response"), dict):
        doc = doc["response"]  # the long-running operation
    results = doc.get("results") if isinstance(doc, dict) else None
    return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []


def _words(result: dict[str, Any]) -> list[dict[str, Any]]:
    best = (result.get("alternatives") or [{}])[0]
    words = best.get("words") if isinstance(best, dict) else None
    return [w for w in words if isinstance(w, dict)] if isinstance(words, list) else []


def _numeric(tag: str) -> tuple[int, str]:
    """Channel tags in number order (``2`` before ``10``)."""
    return len(tag), tag


def _speaker(word: dict[str, Any]) -> str | None:
    tag = word.get("speakerLabel") or word.get("speakerTag")
    return str(tag) if tag not in (None, "", 0, "0") else None


FORMATS = [GoogleSpeech()]
