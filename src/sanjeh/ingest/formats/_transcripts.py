"""What every call-transcript format shares: the call a file belongs to, who is the agent,
segments from words, numbering, and the checks a segment passes before the table does.

A format turns its file into :class:`Segment` values (or :class:`Word` values it groups
with :func:`group_words`) and hands them to :func:`segment_chunk`, which makes one chunk of
``call_segments`` rows. Rules (docs/formats.md, "Call transcripts"):

- the call: ``--option call_id=X`` for the whole file, else what the format says (a row's
  ``call_id``, AWS's ``jobName``, the file name's stem), namespaced with the source;
- speakers: a role the file states is kept (Contact Lens, a JSON Lines ``speaker``);
  ``--option agent=LABEL`` / ``customer=LABEL`` name them; else in a file split by
  channel the first channel is the agent, else the first speaker to talk is (agents
  answer calls); the next is the customer, anyone else ``other``. A file that names no
  speaker at all makes every segment ``other``;
- ``segment_id`` is ``<call_id>#<n>``, n numbering the call's segments by (start,
  speaker label, place in the file), so importing a file again gives the same ids;
- a segment that starts before the same speaker's previous one ends is rejected.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from ...errors import IngestError
from ...model import SPEAKERS
from .._readers import FileKind, read_json_document
from .._rows import Chunk, RawRows, Reject
from ._base import Context, Format

TABLE = "call_segments"
#: a pause longer than this between two words of one speaker starts a new segment
GAP_S = 1.0
#: a token counts as a word when it holds a letter or a digit (not a lone "-" or "…")
_WORDISH = re.compile(r"\w")


class TranscriptFormat(Format):
    """A format of call transcripts: writes ``call_segments`` of calls already stored."""

    tables = (TABLE,)
    parents_required = True


@dataclasses.dataclass
class Segment:
    """One stretch of speech as a format read it, before roles, ids and checks."""

    #: the call as the file names it (not namespaced); None when the file does not say
    call: str | None
    start: float | str | None
    end: float | str | None
    speaker_label: str | None
    text: str | None = None
    words: int | None = None
    confidence: float | str | None = None
    #: agent / customer / other when the file itself says (Contact Lens, JSON Lines)
    role: str | None = None
    #: where the file has it (a line); None: its place among the file's segments (1, 2, …)
    row: int | None = None
    raw: Any = None
    #: (field, reason, value) when the format already knows the segment is unusable
    problem: tuple[str, str, str | None] | None = None


@dataclasses.dataclass
class Word:
    """One recognised word (or punctuation mark, ``punctuation=True``, which has no time
    and is attached to the word before it)."""

    text: str
    start: float | None
    end: float | None
    speaker_label: str | None
    confidence: float | None = None
    punctuation: bool = False


def seconds(value: Any) -> float | None:
    """A number of seconds from a number or its text (``"4.87"``, ``"1.300s"``); None
    when it is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().removesuffix("s"))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def number_text(value: float) -> str:
    """A float as the table gets it, without binary noise (``0.30000000000000004``)."""
    return repr(round(value, 6))


def count_words(text: str | None) -> int | None:
    if text is None:
        return None
    return sum(1 for token in text.split() if _WORDISH.search(token))


def document(ctx: Context) -> Any:
    """The file's one JSON document (a pretty-printed file, or one line)."""
    if ctx.kind == "jsonl" and not _one_line(ctx.path):
        raise IngestError(
            ctx.path,
            "more than one JSON document (one a line); a transcript file holds one call: "
            "write each document to a file of its own",
        )
    return read_json_document(ctx.path)


def document_or_none(path: Path, kind: FileKind) -> Any:
    """The one JSON document of a file detection looks into; None when it has none (a
    JSON Lines file of many rows is not read through)."""
    if kind not in ("json", "jsonl") or (kind == "jsonl" and not _one_line(path)):
        return None
    try:
        return read_json_document(path)
    except IngestError:
        return None


def _one_line(path: Path) -> bool:
    """Whether a JSON Lines file has one non-blank line (a one-line document)."""
    with path.open("rb") as f:
        lines = (line for line in f if line.strip())
        next(lines, None)
        return next(lines, None) is None


def call_from_stem(ctx: Context) -> str:
    """The call of a file that does not name it: its name without the suffix."""
    return ctx.path.stem


def group_words(call: str | None, words: Iterable[Word]) -> list[Segment]:
    """Consecutive words of one speaker as segments: a new one when the speaker changes
    or after a pause longer than ``GAP_S``. Punctuation joins the word before it; a word
    without times stays in the segment it falls in without moving its bounds."""
    segments: list[Segment] = []
    parts: list[str] = []
    confidences: list[float] = []
    current: Segment | None = None
    count = 0

    def close() -> None:
        nonlocal current, parts, confidences, count
        if current is not None:
            current.text = "".join(parts).strip() or None
            current.words = count
            current.confidence = sum(confidences) / len(confidences) if confidences else None
            segments.append(current)
        current, parts, confidences, count = None, [], [], 0

    for word in words:
        if word.punctuation:
            if current is not None:
                parts.append(word.text)
            continue
        last_end = seconds(current.end) if current is not None else None
        if (
            current is None
            or word.speaker_label != current.speaker_label
            or (word.start is not None and last_end is not None and word.start - last_end > GAP_S)
        ):
            close()
            current = Segment(call, None, None, word.speaker_label)
        assert current is not None
        if word.start is not None and current.start is None:
            current.start = word.start
        if word.end is not None:
            current.end = word.end
        parts.append((" " if parts else "") + word.text)
        count += 1
        if word.confidence is not None:
            confidences.append(word.confidence)
    close()
    return segments


def segment_chunk(
    ctx: Context,
    segments: Sequence[Segment],
    *,
    channel_agent: str | None = None,
    rejects: Sequence[Reject] = (),
    rows_read: int | None = None,
) -> Chunk:
    """``call_segments`` rows of a whole file: calls, roles, ids, the overlap check.

    ``channel_agent``: in a file split by channel, the label of the first channel (the
    agent unless the options say otherwise). ``rejects``: rows the format could not read
    at all (they count as read). ``rows_read``: rows of the file when they are not the
    segments plus those rejects."""
    override = ctx.params.get("call_id", "").strip() or None
    found: list[Reject] = list(rejects)
    by_call: dict[str, list[Segment]] = {}
    for at, seg in enumerate(segments):
        if override:
            seg.call = override
        if seg.row is None:  # a document's segments: their place in the file
            seg.row = at + 1
        if seg.problem is not None:
            field, reason, value = seg.problem
            found.append(_reject(seg, reason, field, value))
        elif not seg.call:
            found.append(
                _reject(seg, "a value is required: name the call the segment is part of", "call_id")
            )
        else:
            by_call.setdefault(seg.call, []).append(seg)
    _check_labels(ctx, segments)

    out: list[dict[str, Any]] = []
    numbers: list[int] = []
    for call, items in by_call.items():
        call_id = f"{ctx.source}:{call}"
        roles = _roles(ctx, items, channel_agent)
        ordered = sorted(
            enumerate(items),
            key=lambda e: (_sort_time(e[1].start), e[1].speaker_label or "", e[0]),
        )
        last: dict[str, tuple[float, str]] = {}  # speaker → (end, segment id) of the latest
        for n, (_, seg) in enumerate(ordered):
            segment_id = f"{call_id}#{n}"
            assert seg.row is not None
            who = seg.speaker_label or seg.role or ""
            start, end = seconds(seg.start), seconds(seg.end)
            earlier = last.get(who)
            if start is not None and earlier is not None and start < earlier[0]:
                found.append(
                    _reject(
                        seg,
                        f"overlaps {earlier[1]} of the same speaker (which ends at "
                        f"{number_text(earlier[0])} s): one speaker cannot say two things at "
                        "once; fix the times or remove one of them",
                        "start_s",
                        _text(seg.start),
                    )
                )
                continue
            sound = start is not None and end is not None and end >= start
            if sound and end is not None and (earlier is None or end > earlier[0]):
                last[who] = (end, segment_id)
            out.append(
                {
                    "segment_id": segment_id,
                    "call_id": call_id,
                    "source": ctx.source,
                    "speaker": seg.role or roles.get(seg.speaker_label or "", "other"),
                    "speaker_label": seg.speaker_label,
                    "start_s": _text(seg.start),
                    "end_s": _text(seg.end),
                    "text": seg.text,
                    "words": str(seg.words) if seg.words is not None else None,
                    "confidence": _text(seg.confidence),
                    "origin": "transcript",
                }
            )
            numbers.append(seg.row)
    columns = list(_COLUMNS)
    data = pa.table(
        {c: pa.array([row[c] for row in out], pa.string()) for c in columns},
    )
    read = len(segments) + len(rejects) if rows_read is None else rows_read
    return Chunk(
        tables={TABLE: RawRows(data, pa.array(numbers, pa.int64()))},
        rejects=found,
        rows_read=read,
    )


_COLUMNS = (
    *("segment_id", "call_id", "source", "speaker", "speaker_label", "start_s", "end_s"),
    *("text", "words", "confidence", "origin"),
)


def _text(value: float | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def _sort_time(value: float | str | None) -> float:
    found = seconds(value)
    return math.inf if found is None else found


def _reject(seg: Segment, reason: str, field: str = "", value: str | None = None) -> Reject:
    raw = seg.raw if seg.raw is not None else _shown(seg)
    return Reject(seg.row or 0, reason, field=field, value=value, raw=raw, table=TABLE)


def _shown(seg: Segment) -> dict[str, Any]:
    return {
        "call": seg.call,
        "speaker": seg.speaker_label or seg.role,
        "start": _text(seg.start),
        "end": _text(seg.end),
        "text": seg.text,
    }


def _check_labels(ctx: Context, segments: Sequence[Segment]) -> None:
    """``--option agent=`` / ``customer=`` must name a speaker the file has."""
    labels = sorted({s.speaker_label for s in segments if s.speaker_label})
    for role in ("agent", "customer"):
        wanted = ctx.params.get(role, "").strip()
        if wanted and wanted not in labels:
            raise IngestError(
                ctx.path,
                f"--option {role}={wanted}: no speaker is labelled {wanted!r} in this file "
                f"(its speakers: {', '.join(labels) or 'none'}); name one of them",
            )


def _roles(ctx: Context, items: Sequence[Segment], channel_agent: str | None) -> dict[str, str]:
    """Role of each speaker label of one call (module docstring); segments whose role the
    file states keep it."""
    taken = {s.role for s in items if s.role}
    order: list[str] = []
    for seg in sorted(items, key=lambda s: (_sort_time(s.start), s.speaker_label or "")):
        if seg.role is None and seg.speaker_label and seg.speaker_label not in order:
            order.append(seg.speaker_label)
    roles: dict[str, str] = {}
    for role in ("agent", "customer"):
        wanted = ctx.params.get(role, "").strip()
        if wanted:
            roles[wanted] = role
            taken.add(role)
    if "agent" not in taken and channel_agent in order:
        roles[channel_agent] = "agent"
        taken.add("agent")
    for label in order:
        if label in roles:
            continue
        free = [r for r in ("agent", "customer") if r not in taken]
        roles[label] = free[0] if free else "other"
        taken.add(roles[label])
    assert set(roles.values()) <= set(SPEAKERS)
    return roles


def role_of(value: str | None) -> str | None:
    """``agent`` / ``customer`` / ``other`` when ``value`` is one of them (any case)."""
    if value is None:
        return None
    lowered = value.strip().lower()
    return lowered if lowered in SPEAKERS else None
