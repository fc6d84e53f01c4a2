"""Amazon call transcripts → ``call_segments``: Amazon Transcribe's output JSON (words with
speaker or channel labels, grouped into segments) and the post-call analytics file of
Contact Lens for Amazon Connect (turns of AGENT and CUSTOMER). See docs/formats.md,
"Call transcripts"; the rules both share are in ``_transcripts``.
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
    Segment,
    TranscriptFormat,
    Word,
    call_from_stem,
    count_words,
    document,
    group_words,
    role_of,
    seconds,
    segment_chunk,
)

#: Transcribe's label of the first channel: the agent's by default
FIRST_CHANNEL = "ch_0"


class AwsTranscribe(TranscriptFormat):
    name = "aws_transcribe"
    title = "Amazon Transcribe output (JSON): a call's words with speaker or channel labels"
    default_source = "transcribe"
    kinds = ("json", "jsonl")  # the output is one line: JSON Lines by its shape

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        return 0.95 if {"jobName", "results"} <= set(columns) else 0.0

    def read(self, ctx: Context) -> Iterator[Chunk]:
        doc = document(ctx)
        results = doc.get("results") if isinstance(doc, dict) else None
        if not isinstance(results, dict):
            raise IngestError(ctx.path, "no 'results' object: not an Amazon Transcribe output file")
        call = str(doc.get("jobName") or "").strip() or call_from_stem(ctx)
        channels = _dicts((results.get("channel_labels") or {}).get("channels"))
        if channels:  # channel identification: one speaker per channel
            segments: list[Segment] = []
            for channel in channels:
                label = str(channel.get("channel_label") or "") or None
                words = [_word(item, label) for item in _dicts(channel.get("items"))]
                segments += group_words(call, words)
            segments.sort(key=lambda s: seconds(s.start) or 0.0)
            yield segment_chunk(ctx, segments, channel_agent=FIRST_CHANNEL)
            return
        # older files name the speaker of a word only in speaker_labels.segments
        speaker_at: dict[str, str] = {}
        for part in _dicts((results.get("speaker_labels") or {}).get("segments")):
            for item in _dicts(part.get("items")):
                speaker_at[str(item.get("start_time"))] = str(item.get("speaker_label"))
        words = [
            _word(item, item.get("speaker_label") or speaker_at.get(str(item.get("start_time"))))
            for item in _dicts(results.get("items"))
        ]
        yield segment_chunk(ctx, group_words(call, words))


def _word(item: dict[str, Any], label: str | None) -> Word:
    best = (_dicts(item.get("alternatives")) or [{}])[0]
    return Word(
        text=str(best.get("content") or ""),
        start=seconds(item.get("start_time")),
        end=seconds(item.get("end_time")),
        speaker_label=label,
        confidence=seconds(best.get("confidence")),
        punctuation=item.get("type") == "punctuation",
    )


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


class ContactLens(TranscriptFormat):
    name = "contact_lens"
    title = "Contact Lens for Amazon Connect post-call analytics (JSON): AGENT / CUSTOMER turns"
    default_source = "connect"
    kinds = ("json", "jsonl")

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        keys = set(columns)
        return 0.95 if "Transcript" in keys and keys & {"Participants", "CustomerMetadata"} else 0.0

    def read(self, ctx: Context) -> Iterator[Chunk]:
        doc = document(ctx)
        turns = doc.get("Transcript") if isinstance(doc, dict) else None
        if not isinstance(turns, list):
            raise IngestError(ctx.path, "no 'Transcript' list: not a Contact Lens output file")
        metadata = doc.get("CustomerMetadata") or {}
        call = str(metadata.get("ContactId") or "").strip() or call_from_stem(ctx)
        roles = {
            str(p.get("ParticipantId")): str(p.get("ParticipantRole") or "")
            for p in _dicts(doc.get("Participants"))
        }
        segments = []
        for turn in turns:
            if not isinstance(turn, dict):
                turn = {"value": turn}
            label = str(turn.get("ParticipantId") or "") or None
            stated = roles.get(label or "", label or "")
            text = turn.get("Content")
            seg = Segment(
                call,
                _millis(turn.get("BeginOffsetMillis")),
                _millis(turn.get("EndOffsetMillis")),
                label,
                text=text if isinstance(text, str) else None,
                words=count_words(text) if isinstance(text, str) else None,
                role=role_of(stated) or ("other" if stated else None),
                raw=turn,
            )
            for field in ("BeginOffsetMillis", "EndOffsetMillis"):
                if _millis(turn.get(field)) is None:
                    seg.problem = (
                        "start_s" if field.startswith("Begin") else "end_s",
                        f"{field} is missing or no number of milliseconds; the file is "
                        "damaged: export it again",
                        str(turn.get(field)),
                    )
            segments.append(seg)
        yield segment_chunk(ctx, segments)


def _millis(value: Any) -> float | None:
    found = seconds(value) if not isinstance(value, str) or not value.endswith("s") else None
    return None if found is None else found / 1000


FORMATS = [AwsTranscribe(), ContactLens()]
