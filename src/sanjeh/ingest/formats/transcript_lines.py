"""A plain transcript in JSON Lines → ``call_segments``: one line per stretch of speech,
``{"call_id", "speaker", "start", "end", "text"}`` (seconds from the start of the
recording), optionally ``speaker_label`` and ``confidence``. ``speaker`` is agent /
customer / other, or a label whose role the shared rules settle (``_transcripts``). Any
number of calls per file; the file is read whole to number each call's segments.
See docs/formats.md, "Call transcripts".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._readers import FileKind, require_columns
from .._rows import Chunk, Reject
from ._base import Context
from ._transcripts import Segment, TranscriptFormat, count_words, role_of, segment_chunk

REQUIRED = ("call_id", "speaker", "start", "end")
USED = (*REQUIRED, "text", "speaker_label", "confidence")


class TranscriptLines(TranscriptFormat):
    name = "transcript_jsonl"
    title = "Call transcript, JSON Lines: call_id, speaker, start, end, text per line"
    default_source = "transcript"
    kinds = ("jsonl",)

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        return 0.95 if set(REQUIRED) <= set(columns) else 0.0

    def read(self, ctx: Context) -> Iterator[Chunk]:
        segments: list[Segment] = []
        unreadable: list[Reject] = []
        for table, rows, rejects in ctx.raw():
            unreadable += rejects
            if table.num_rows:
                require_columns(ctx.path, table.column_names, list(REQUIRED), "transcript lines")
            values = {c: table[c].to_pylist() for c in USED if c in table.column_names}
            for i, row in enumerate(rows.tolist()):
                segments.append(_segment(int(row), {c: v[i] for c, v in values.items()}))
        yield segment_chunk(ctx, segments, rejects=unreadable)

    def ignored_columns(self, columns: list[str]) -> list[str]:
        return [c for c in columns if c not in USED]


def _segment(row: int, line: dict[str, Any]) -> Segment:
    speaker = _text(line.get("speaker"))
    role = role_of(speaker)
    label = _text(line.get("speaker_label")) or (None if role else speaker)
    text = _text(line.get("text"))
    seg = Segment(
        _text(line.get("call_id")),
        _text(line.get("start")),
        _text(line.get("end")),
        label,
        text=text,
        words=count_words(text),
        confidence=_text(line.get("confidence")),
        role=role,
        row=row,
        raw={k: v for k, v in line.items() if v is not None},
    )
    if speaker is None:
        seg.problem = ("speaker", "a value is required: agent, customer, other or a label", None)
    return seg


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


FORMATS = [TranscriptLines()]
