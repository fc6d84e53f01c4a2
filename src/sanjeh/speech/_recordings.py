"""``import_recordings``: stereo recordings → speech segments in ``call_segments`` → analysed.

Each file belongs to the call its name gives (``43678.flac`` with source ``bank`` →
``bank:43678``; a name already carrying a prefix, ``bank:43678.wav``, is kept as is) or
that a mapping CSV (columns ``file``, ``call_id``) gives. A file is rejected, with its
reason, when its call is not in the store, when it cannot be read, or when it is not
stereo; nothing is lost: files read = accepted + rejected, and each file gets a row in
``import_log`` (rejected ones also in ``import_rejects``), as the ingest pipeline does.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from ..errors import ValidationError
from ._analysis import AnalysisSummary, analyze_calls
from ._audio import AUDIO_SUFFIXES
from ._detect import DEFAULT_CHANNELS, detect_speech, parse_channels
from ._vad import VadSettings

if TYPE_CHECKING:
    from ..store import Store

#: the import_log "format" of a recording
AUDIO_FORMAT = "audio"
DEFAULT_SOURCE = "local"

#: called with (files done, files in all)
ProgressCallback = Callable[[int, int], None]


@dataclasses.dataclass
class RecordingResult:
    path: str
    call_id: str | None
    accepted: bool
    reason: str = ""
    seconds: float = 0.0
    segments: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclasses.dataclass
class RecordingsSummary:
    """What one ``import_recordings`` run did; read = accepted + rejected."""

    files: list[RecordingResult] = dataclasses.field(default_factory=list)
    analysis: AnalysisSummary | None = None
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return len(self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(not f.accepted for f in self.files)

    @property
    def audio_seconds(self) -> float:
        return sum(f.seconds for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "audio_seconds": round(self.audio_seconds, 3),
            "seconds": round(self.seconds, 3),
            "files": [dataclasses.asdict(f) for f in self.files],
            "analysis": self.analysis.as_dict() if self.analysis else None,
        }


def audio_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the recordings (.wav .flac .mp3) inside given folders."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(
                f for f in p.iterdir() if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES
            )
        else:
            out.append(p)
    return out


def read_mapping(path: str | Path) -> dict[str, str]:
    """A CSV of ``file,call_id`` → {file name: call id}."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
        if "file" not in fields or "call_id" not in fields:
            raise ValidationError(
                str(path), "a recordings mapping needs the columns file and call_id"
            )
        found: dict[str, str] = {}
        for line, row in enumerate(reader, start=2):
            name, call = (row[fields["file"]] or "").strip(), (row[fields["call_id"]] or "").strip()
            if not name or not call:
                raise ValidationError(f"{path}, row {line}", "file and call_id must not be empty")
            found[Path(name).name] = call
    return found


def call_id_for(path: Path, source: str, mapping: dict[str, str] | None) -> str | None:
    bare = mapping.get(path.name) if mapping is not None else path.stem
    if bare is None:
        return None
    return bare if ":" in bare else f"{source}:{bare}"


def import_recordings(
    store: Store,
    paths: Sequence[str | Path],
    *,
    channels: str | Sequence[str] = DEFAULT_CHANNELS,
    source: str | None = None,
    mapping: str | Path | dict[str, str] | None = None,
    settings: VadSettings | None = None,
    analyze: bool = True,
    progress: ProgressCallback | None = None,
) -> RecordingsSummary:
    """Find the speech in each stereo recording and store it as its call's segments
    (origin ``audio``, ids ``<call_id>#a<n>``), then analyse the changed calls.

    ``channels``: who is on the left and the right channel ("agent,customer", the
    default, or "customer,agent"). Importing a recording again replaces its segments.
    """
    started = time.perf_counter()
    names = parse_channels(channels)
    src = source or DEFAULT_SOURCE
    mapped = read_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping
    files = audio_files(paths)
    ids = {f: call_id_for(f, src, mapped) for f in files}
    known = _known_calls(store, {i for i in ids.values() if i})
    summary = RecordingsSummary()
    for done, path in enumerate(files):
        result = _one(store, path, ids[path], known, names, src, settings or VadSettings())
        summary.files.append(result)
        if progress:
            progress(done + 1, len(files))
    if analyze and summary.accepted:
        summary.analysis = analyze_calls(store)
    summary.seconds = time.perf_counter() - started
    return summary


def _known_calls(store: Store, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    calls = store.table("calls")
    found = calls.filter(calls.call_id.isin(sorted(ids))).call_id.to_pyarrow()
    return set(found.to_pylist())


def _one(
    store: Store,
    path: Path,
    call_id: str | None,
    known: set[str],
    channels: tuple[str, ...],
    source: str,
    settings: VadSettings,
) -> RecordingResult:
    at = dt.datetime.now(dt.UTC)
    import_id = uuid.uuid4().hex
    result = RecordingResult(str(path), call_id, accepted=False)
    digest = _fingerprint(path) if path.is_file() else ""
    if not path.is_file():
        result.reason = "no such file"
    elif call_id is None:
        result.reason = "the mapping names no call for this file"
    elif call_id not in known:
        result.reason = f"call {call_id} is not in the store: import the calls first"
    else:
        try:
            found = detect_speech(path, channels=channels, settings=settings)
        except ValidationError as exc:
            result.reason = exc.reason
        else:
            result.accepted, result.seconds = True, found.info.seconds
            _write_segments(store, call_id, source, found.segments(), result)
    _log(store, result, import_id, source, digest, at)
    return result


def _write_segments(
    store: Store,
    call_id: str,
    source: str,
    segments: list[tuple[str, str, float, float]],
    result: RecordingResult,
) -> None:
    rows = {
        "segment_id": [f"{call_id}#a{n}" for n in range(len(segments))],
        "call_id": [call_id] * len(segments),
        "source": [source] * len(segments),
        "speaker": [s[0] for s in segments],
        "speaker_label": [s[1] for s in segments],
        "start_s": [round(s[2], 3) for s in segments],
        "end_s": [round(s[3], 3) for s in segments],
        "origin": ["audio"] * len(segments),
    }
    result.segments = len(segments)
    if segments:
        with store.stage("call_segments") as stage:
            stage.append(pa.table(rows))
            written = stage.commit()
        result.inserted, result.replaced = written.inserted, written.replaced
        result.unchanged = written.unchanged
    # segments an earlier import of this recording found and this one did not: removed
    # after the new ones are in, so an interruption leaves too many rather than none
    t = store.table("call_segments")
    old = t.filter((t.call_id == call_id) & (t.origin == "audio")).segment_id.to_pyarrow()
    stale = sorted(set(old.to_pylist()) - {f"{call_id}#a{n}" for n in range(len(segments))})
    if stale:
        store.delete_where_in("call_segments", "segment_id", ibis.memtable({"segment_id": stale}))
        result.removed = len(stale)


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _log(
    store: Store,
    result: RecordingResult,
    import_id: str,
    source: str,
    digest: str,
    at: dt.datetime,
) -> None:
    """One import_log row per file, and an import_rejects row for a rejected one (row 0:
    the whole file)."""
    if not result.accepted:
        reject = {
            "reject_id": hashlib.sha256(f"{digest}|{result.path}|file".encode()).hexdigest()[:24],
            "import_id": import_id,
            "path": result.path,
            "row": 0,
            "table_name": "call_segments",
            "field": "call_id" if "call" in result.reason else None,
            "reason": result.reason,
            "value": result.call_id,
            "raw": json.dumps({"file": Path(result.path).name, "call_id": result.call_id}),
            "rejected_at": at,
        }
        store.write("import_rejects", [reject])
    store.write(
        "import_log",
        [
            {
                "import_id": import_id,
                "path": result.path,
                "format": AUDIO_FORMAT,
                "source": source,
                "fingerprint": digest,
                "started_at": at,
                "finished_at": dt.datetime.now(dt.UTC),
                "rows_read": result.segments,
                "inserted": result.inserted,
                "replaced": result.replaced,
                "unchanged": result.unchanged,
                "rejected": 0 if result.accepted else 1,
            }
        ],
    )
