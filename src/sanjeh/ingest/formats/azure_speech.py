"""Azure AI Speech batch transcription results (JSON) → ``call_segments``: one segment per
recognised phrase, its speaker from diarization or its channel. See docs/formats.md,
"Call transcripts"; shared rules in ``_transcripts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import IngestError
from .._readers import FileKind
from .._rows import Chunk, Reject
from ._base import Context
from ._transcripts import (
    TABLE,
    Segment,
    TranscriptFormat,
    call_from_stem,
    count_words,
    document,
    segment_chunk,
)

#: ticks are tenths of a microsecond
TICKS_PER_S = 10_000_000
_ISO_DURATION = re.compile(
    r"P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


class AzureSpeech(TranscriptFormat):
    name = "azure_speech"
    title = "Azure AI Speech batch transcription (JSON): recognised phrases with speakers"
    default_source = "azure"
    kinds = ("json", "jsonl")

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        return 0.95 if "recognizedPhrases" in columns else 0.0

    def read(self, ctx: Context) -> Iterator[Chunk]:
        doc = document(ctx)
        phrases = doc.get("recognizedPhrases") if isinstance(doc, dict) else None
        if not isinstance(phrases, list):
            raise IngestError(
                ctx.path, "no 'recognizedPhrases' list: not an Azure batch transcription result"
            )
        call = call_from_stem(ctx)
        channels = {
            str(p["channel"])
            for p in phrases
            if isinstance(p, dict) and p.get("channel") is not None
        }
        by_channel = len(channels) > 1 and not any(
            isinstance(p, dict) and p.get("speaker") is not None for p in phrases
        )
        segments: list[Segment] = []
        skipped: list[Reject] = []
        for at, phrase in enumerate(phrases, start=1):
            if not isinstance(phrase, dict):
                phrase = {"value": phrase}
            status = phrase.get("recognitionStatus", "Success")
            best = (phrase.get("nBest") or [None])[0]
            if status != "Success" or not isinstance(best, dict):
                skipped.append(
                    Reject(
                        at,
                        f"nothing was recognised in this phrase (recognitionStatus {status}); "
                        "nothing to import",
                        field="recognitionStatus",
                        value=str(status),
                        raw=phrase,
                        table=TABLE,
                    )
                )
                continue
            start = _seconds(phrase, "offset")
            length = _seconds(phrase, "duration")
            if phrase.get("speaker") is not None:
                label: str | None = str(phrase["speaker"])
            elif by_channel:
                label = f"channel_{phrase.get('channel')}"
            else:
                label = None
            text = best.get("display") or best.get("lexical")
            words = best.get("words")
            seg = Segment(
                call,
                start,
                None if start is None or length is None else start + length,
                label,
                text=text,
                words=len(words) if isinstance(words, list) else count_words(text),
                confidence=best.get("confidence"),
                row=at,
                raw=phrase,
            )
            if start is None or length is None:
                seg.problem = (
                    "start_s" if start is None else "end_s",
                    "no readable offset / duration (offsetInTicks or ISO 8601 'PT1.5S'); the "
                    "file is damaged: export it again",
                    str(phrase.get("offset") if start is None else phrase.get("duration")),
                )
            segments.append(seg)
        first = f"channel_{min(channels, key=lambda c: (len(c), c))}" if by_channel else None
        yield segment_chunk(ctx, segments, channel_agent=first, rejects=skipped)


def _seconds(phrase: dict[str, Any], name: str) -> float | None:
    """``offsetInTicks`` / ``durationInTicks`` (numbers), else ``offset`` / ``duration``
    (ISO 8601, ``PT1M2.5S``)."""
    ticks = phrase.get(f"{name}InTicks")
    if isinstance(ticks, int | float) and not isinstance(ticks, bool):
        return float(ticks) / TICKS_PER_S
    return iso_seconds(phrase.get(name))


def iso_seconds(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    found = _ISO_DURATION.fullmatch(value.strip())
    if not found or not any(found.groupdict().values()):
        return None
    parts = {k: float(v) for k, v in found.groupdict().items() if v}
    return (
        parts.get("d", 0) * 86_400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60
    ) + parts.get("s", 0)


FORMATS = [AzureSpeech()]
