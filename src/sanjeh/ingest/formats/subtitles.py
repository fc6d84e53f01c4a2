"""Subtitles of a call → ``call_segments``: WebVTT (``.vtt``) and SubRip (``.srt``), one
segment per cue and speaker. The speaker comes from a WebVTT voice span
(``<v Sara>Hello</v>``) or a ``Name:`` prefix; a cue that names nobody continues the
speaker of the cue before it. See docs/formats.md, "Call transcripts"; shared rules in
``_transcripts``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from ...errors import EncodingError
from .._readers import FileKind
from .._rows import Chunk
from ._base import Context
from ._transcripts import Segment, TranscriptFormat, call_from_stem, count_words, segment_chunk

#: ``00:01:02.500`` or ``01:02.500`` (WebVTT), ``00:01:02,500`` (SRT)
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>")
#: ``Sara: text`` or ``>> Sara: text``: a short name of letters before a colon
_NAMED = re.compile(r"^(?:>>\s*|-\s*)?([^\W\d][\w .'\-]{0,39}?)\s*:\s+(.*)$")


class Subtitles(TranscriptFormat):
    default_source = "subtitles"

    def __init__(self, kind: FileKind, name: str, title: str) -> None:
        self.kind = kind
        self.kinds = (kind,)  # type: ignore[misc]
        self.name = name  # type: ignore[misc]
        self.title = title  # type: ignore[misc]

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        return 0.9 if kind == self.kind else 0.0

    def read(self, ctx: Context) -> Iterator[Chunk]:
        try:
            text = ctx.path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise EncodingError(
                ctx.path, "subtitle files must be UTF-8; re-save the file as UTF-8"
            ) from exc
        yield segment_chunk(ctx, cues(text, call_from_stem(ctx)))


def cues(text: str, call: str) -> list[Segment]:
    """Every cue's speech, one segment per speaker it holds; the row of a segment is the
    line of its cue's timing (a second speaker in one cue: the line where they start)."""
    segments: list[Segment] = []
    lines = text.splitlines()
    speaker: str | None = None
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        if "-->" not in line:
            continue
        timing_line = number  # 1-based
        body: list[tuple[int, str]] = []
        while number < len(lines) and lines[number].strip():
            body.append((number + 1, lines[number]))
            number += 1
        raw = "\n".join([line, *(text for _, text in body)])
        timing = _TIMING.match(line)
        if timing is None:
            bad = Segment(call, None, None, speaker, row=timing_line, raw=raw)
            bad.problem = (
                "start_s",
                "the cue's times cannot be read; write them as 00:01:02.500 --> 00:01:04.000",
                line.strip(),
            )
            segments.append(bad)
            continue
        times = timing.groups()
        start, end = _clock(times[:4]), _clock(times[4:])
        parts: list[tuple[int, str | None, str]] = []  # (line, speaker, text)
        for at, text_line in body:
            voice = _VOICE.search(text_line)
            named = None if voice else _NAMED.match(_plain(text_line))
            if voice:
                speaker = html.unescape(voice.group(1).strip())
                said = _plain(text_line[voice.end() :])
            elif named:
                speaker, said = named.group(1).strip(), named.group(2).strip()
            else:
                said = _plain(text_line)
            if parts and parts[-1][1] == speaker:  # the same speaker's next line
                parts[-1] = (parts[-1][0], speaker, f"{parts[-1][2]} {said}".strip())
            else:
                parts.append((at, speaker, said))
        for i, (at, who, said) in enumerate(parts or [(timing_line, speaker, "")]):
            segments.append(
                Segment(
                    call,
                    start,
                    end,
                    who,
                    text=said or None,
                    words=count_words(said),
                    row=timing_line if i == 0 else at,
                    raw=raw,
                )
            )
    return segments


def _clock(parts: tuple[str | None, ...]) -> float:
    hours, minutes, secs, fraction = parts
    return (
        int(hours or 0) * 3600
        + int(minutes or 0) * 60
        + int(secs or 0)
        + int((fraction or "0").ljust(3, "0")) / 1000
    )


def _plain(line: str) -> str:
    """A cue line without markup (``<i>``, ``<c.red>``, inline timestamps, ``</v>``)."""
    return html.unescape(_TAG.sub("", line)).strip()


FORMATS = [
    Subtitles("vtt", "webvtt", "WebVTT subtitles of a call (.vtt): cues with <v Speaker> voices"),
    Subtitles("srt", "srt", "SubRip subtitles of a call (.srt): cues with 'Speaker:' prefixes"),
]
