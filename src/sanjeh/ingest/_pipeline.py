"""One import: read → map → validate → stage → merge, with bookkeeping.

Nothing is written to the canonical tables until the whole file has been read,
so ``--strict`` aborts leave the store untouched, and the final merge is one
linear pass whatever the size of the file.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .._redaction import redact as redact_texts
from .._redaction import redact_table
from ..errors import EmptyFile, IngestError, StrictModeError
from ..model import TABLES
from ..settings import ImportSettings
from ..store import DuplicateKeysInInput, Stage, Store, WriteResult
from ._coerce import CoerceOptions, TimeBounds, coerce
from ._prefetch import prefetch
from ._readers import columns_of, file_kind
from ._rows import Reject
from .formats import Context, Format, detect, get_format
from .formats._helpers import check_zone
from .formats._mapping import mapping_format

#: called with (bytes done, bytes in all) as the file is read
ProgressCallback = Callable[[int, int], None]
#: tables whose rows mean nothing without their parent row (a transcript of a call the
#: store does not have): the column naming the parent, the parent table, what to do.
#: Checked for formats with ``parents_required`` (the transcript formats)
_PARENTS = {"call_segments": ("call_id", "calls", "import the call log first")}
#: each validated row's number in the file, kept for the parent check (then dropped)
_ROW = "__row"


@dataclasses.dataclass
class ImportSummary:
    """What an import did, table by table, and why rows were rejected."""

    path: str
    format: str
    source: str
    import_id: str
    rows_read: int = 0
    tables: dict[str, WriteResult] = dataclasses.field(default_factory=dict)
    rejected: int = 0
    reasons: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    examples: list[str] = dataclasses.field(default_factory=list)
    ignored_columns: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def inserted(self) -> int:
        return sum(r.inserted for r in self.tables.values())

    @property
    def replaced(self) -> int:
        return sum(r.replaced for r in self.tables.values())

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged for r in self.tables.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "source": self.source,
            "import_id": self.import_id,
            "rows_read": self.rows_read,
            "tables": {t: dataclasses.asdict(r) for t, r in self.tables.items()},
            "rejected": self.rejected,
            "reasons": dict(self.reasons),
            "examples": self.examples,
            "ignored_columns": self.ignored_columns,
            "seconds": round(self.seconds, 3),
        }


def fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def import_file(
    store: Store,
    path: str | Path,
    *,
    format: str | None = None,
    source: str | None = None,
    mapping: str | Path | None = None,
    timezone: str | None = None,
    default_timezone: str = "UTC",
    encoding: str = "utf-8",
    strict: bool = False,
    chunk_rows: int = 200_000,
    params: dict[str, str] | None = None,
    progress: ProgressCallback | None = None,
    redact: bool = False,
    future_tolerance: dt.timedelta = ImportSettings.future_tolerance,
    name: str | None = None,
) -> ImportSummary:
    """Import one file into ``store``; return what happened. Safe to repeat.

    ``name``: the file as the user named it, shown and recorded instead of ``path``
    when ``path`` is a copy (an import sent through the running server).

    ``redact=True`` replaces personal data before anything is stored (message bodies,
    survey comments, ticket subjects, customers' names and e-mails; quarantined values).

    Timestamps without an offset are read in ``timezone`` if given, else in the zone the
    format (or the mapping file) knows for its source, else in ``default_timezone``. A
    time later than the import's clock plus ``future_tolerance`` rejects its row.
    """
    started = time.perf_counter()
    path = Path(path)
    if not path.is_file():
        raise IngestError(path, "no such file; check the path")
    size = path.stat().st_size
    if size == 0:
        raise EmptyFile(path, "the file is empty; nothing to import")
    kind = file_kind(path)
    sheet = (params or {}).get("sheet")  # a workbook's sheet (the first by default)
    if format:
        fmt = get_format(format, path)
    elif mapping:  # a mapping file names its format (a ticket-summary export by default)
        fmt = get_format(mapping_format(Path(mapping)), path)
    else:
        fmt = detect(path, kind, columns_of(path, kind, encoding, sheet))
    mapping_path = Path(mapping) if mapping else None
    src = source or fmt.source_for(mapping_path)
    zone = _zone(params or {}, timezone, fmt.timezone_for(mapping_path), default_timezone)
    digest = fingerprint(path)
    settings_key = "|".join(
        [
            digest,
            fmt.name,
            src,
            zone,
            repr(sorted((params or {}).items())),
            fingerprint(mapping_path) if mapping_path and mapping_path.is_file() else "",
        ]
    )
    settings_key += "|redact" if redact else ""
    import_id = hashlib.sha256(settings_key.encode()).hexdigest()[:16]
    summary = ImportSummary(name or str(path), fmt.name, src, import_id)
    ignored = getattr(fmt, "ignored_columns", None)
    if ignored is not None:
        summary.ignored_columns = ignored(columns_of(path, kind, encoding, sheet))

    started_at = dt.datetime.now(dt.UTC)
    times = TimeBounds(now=started_at, tolerance=future_tolerance)
    ctx = Context(
        path=path,
        kind=kind,
        source=src,
        timezone=zone,
        encoding=encoding,
        chunk_rows=chunk_rows,
        mapping=mapping_path,
        params=dict(params or {}),
        progress=(lambda done: progress(done, size)) if progress else None,
        times=times,
    )
    options = CoerceOptions(source=src, timezone=zone, times=times)
    try:
        rejects = _load(
            store, fmt, ctx, options, summary, strict=strict, direct=True, redact=redact
        )
    except DuplicateKeysInInput:  # the file repeats a key: merge through staging instead
        summary.rows_read, summary.tables = 0, {}
        rejects = _load(
            store, fmt, ctx, options, summary, strict=strict, direct=False, redact=redact
        )
    _record_rejects(store, summary, rejects, digest, started_at)
    summary.seconds = time.perf_counter() - started
    _record_log(store, summary, digest, started_at)
    return summary


def _zone(params: dict[str, str], given: str | None, own: str | None, default: str) -> str:
    """The zone of times without an offset, for every format alike (docs/formats.md):
    ``--option timezone``, ``--timezone``, the format's or mapping's own, the setting."""
    for zone, where in (
        (params.get("timezone"), "--option timezone"),
        (given, "--timezone"),
        (own, "the format's time zone"),
        (default, "the timezone setting"),
    ):
        if zone:
            return check_zone(zone, where)
    return "UTC"


def _validated(
    fmt: Format, ctx: Context, options: CoerceOptions, redact: bool = False
) -> Iterator[tuple[int, dict[str, pa.Table], list[Reject]]]:
    """Read and validate chunk by chunk: (rows read, good rows per table, rejects)."""
    for chunk in fmt.read(ctx):
        good: dict[str, pa.Table] = {}
        found = list(chunk.rejects)
        for table, raw in chunk.tables.items():
            good[table], rejects = coerce(raw, TABLES[table], options)
            if fmt.parents_required and table in _PARENTS:
                good[table] = _numbered(good[table], raw.rows, rejects)
            found += rejects
        if redact:
            good, found = _redacted(good, found)
        yield chunk.rows_read, good, found


def _numbered(good: pa.Table, rows: pa.Array, rejects: list[Reject]) -> pa.Table:
    """``good`` with the file row of each of its rows: the chunk's rows less those
    ``coerce`` rejected (it keeps the others in order)."""
    rejected = {r.row for r in rejects}
    kept = [row for row in rows.to_pylist() if row not in rejected]
    assert len(kept) == good.num_rows, "one row number per validated row"
    return good.append_column(_ROW, pa.array(kept, pa.int64()))


def _without_parent(
    store: Store, good: dict[str, pa.Table], written: dict[str, set[str]]
) -> list[Reject]:
    """Reject the rows of ``_PARENTS`` tables whose parent is neither in the store nor
    written by this import (``written``, kept up to date here); ``good`` loses them and
    its row-number column. Runs where the store is used (not in the reading thread)."""
    for parent in {p for _, p, _ in _PARENTS.values()} & set(good):
        key = TABLES[parent].key
        written.setdefault(parent, set()).update(good[parent][key].drop_null().to_pylist())
    found: list[Reject] = []
    for table, (column, parent, advice) in _PARENTS.items():
        rows = good.get(table)
        if rows is None:
            continue
        ids = set(rows[column].drop_null().to_pylist())
        unknown = ids - written.get(parent, set())
        if unknown:
            stored = store.table(parent)
            key = TABLES[parent].key
            present = stored.filter(stored[key].isin(sorted(unknown))).select(key)
            unknown -= set(present.to_pyarrow()[key].to_pylist())
        if unknown:
            missing = pc.is_in(rows[column], pa.array(sorted(unknown), pa.string()))
            missing = pc.fill_null(missing, False)
            for row in rows.filter(missing).to_pylist():
                value = row[column]
                found.append(
                    Reject(
                        row.pop(_ROW),
                        f"{parent.removesuffix('s')} {value} is not in the store: {advice} "
                        "(or import this file with --source naming the source it was "
                        "imported from)",
                        field=column,
                        value=value,
                        raw=row,
                        table=table,
                    )
                )
            rows = rows.filter(pc.invert(missing))
        good[table] = rows.drop_columns([_ROW])
    return found


def _redacted(
    good: dict[str, pa.Table], rejects: list[Reject]
) -> tuple[dict[str, pa.Table], list[Reject]]:
    """Personal data replaced in the validated rows and in what quarantine would keep."""

    def clean(value: str | None) -> str | None:
        return None if value is None else redact_texts([value])[0]

    tables = {name: redact_table(name, rows) for name, rows in good.items()}
    found = [dataclasses.replace(r, value=clean(r.value), raw=clean(r.raw_json())) for r in rejects]
    return tables, found


def _load(
    store: Store,
    fmt: Format,
    ctx: Context,
    options: CoerceOptions,
    summary: ImportSummary,
    *,
    strict: bool,
    direct: bool,
    redact: bool = False,
) -> list[Reject]:
    """Stream the file into stages and commit them; return the rejects."""
    all_rejects: list[Reject] = []
    stages: dict[str, Stage] = {}
    parents: dict[str, set[str]] = {}  # parent ids this import writes
    # a stage left uncommitted (an error, Ctrl+C) rolls back everything written so far
    with contextlib.ExitStack() as stack:
        for rows_read, good, found in prefetch(lambda: _validated(fmt, ctx, options, redact)):
            summary.rows_read += rows_read
            if fmt.parents_required:
                found += _without_parent(store, good, parents)
            if found and strict:
                first = min(found, key=lambda r: r.row)
                raise StrictModeError(
                    ctx.path,
                    f"row {first.row}"
                    + (f", field {first.field!r}" if first.field else "")
                    + f": {first.reason}; nothing was imported (without --strict the "
                    "good rows are imported and the bad ones quarantined)",
                )
            all_rejects += found
            for table, rows in good.items():
                if rows.num_rows:
                    if table not in stages:
                        stage = store.stage(table, direct=direct)
                        stages[table] = stack.enter_context(stage)
                    stages[table].append(rows)
        for table, stage in stages.items():
            summary.tables[table] = stage.commit()
    return all_rejects


def _record_rejects(
    store: Store,
    summary: ImportSummary,
    rejects: list[Reject],
    digest: str,
    at: dt.datetime,
) -> None:
    # rows of the file, so that rows read = accepted + rejected (a row that fails in two
    # tables, a ticket and its event, is one rejected row)
    summary.rejected = len({r.row for r in rejects})
    for r in rejects:
        summary.reasons[f"{r.field}: {r.reason}" if r.field else r.reason] += 1
    for r in sorted(rejects, key=lambda r: r.row)[:5]:
        summary.examples.append(r.describe(summary.path))
    if not rejects:
        return
    rows = [
        {
            "reject_id": hashlib.sha256(
                f"{digest}|{r.table}|{r.row}|{r.field}".encode()
            ).hexdigest()[:24],
            "import_id": summary.import_id,
            "path": summary.path,
            "row": r.row,
            "table_name": r.table or None,
            "field": r.field or None,
            "reason": r.reason,
            "value": r.value,
            "raw": r.raw_json(),
            "rejected_at": at,
        }
        for r in rejects
    ]
    # the same bad row found twice in one import (two tables) is one quarantine entry
    unique = list({row["reject_id"]: row for row in rows}.values())
    store.write("import_rejects", unique)


def _record_log(store: Store, summary: ImportSummary, digest: str, at: dt.datetime) -> None:
    row = {
        "import_id": summary.import_id,
        "path": summary.path,
        "format": summary.format,
        "source": summary.source,
        "fingerprint": digest,
        "started_at": at,
        "finished_at": dt.datetime.now(dt.UTC),
        "rows_read": summary.rows_read,
        "inserted": summary.inserted,
        "replaced": summary.replaced,
        "unchanged": summary.unchanged,
        "rejected": summary.rejected,
    }
    store.write("import_log", [row])
