"""The Parquet lake on DuckDB's side: export any store into it, and read it as a store.

:func:`export_lake` streams a store's tables into the layout of ``_lake_layout.py``.
:func:`connect_lake` is the database behind a ``lake://`` store: an in-memory DuckDB
whose canonical tables are views over the lake's files (read-only: a pipeline owns
them) and whose other tables -- meta, change log, facts, logins, QA records -- are its
own, so the dashboard runs over a lake it may not write to.

Freshness: a pipeline adds files while the dashboard runs. Each table's files (names,
sizes, modification times) are fingerprinted; :func:`note_changes`, called whenever
the store is asked what changed (``Store.changes``, which the facts consult before each
build), records a table whose fingerprint moved as "anything may have changed", so the
next ``ensure_facts`` rebuilds from the files as they are now.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlglot.expressions as sge

from .._redaction import redact_table
from ..errors import ConfigError, SchemaMismatch, StoreError
from ..model import ALL_TABLES, MODEL_VERSION, TABLES, TableSpec
from . import _changes, _ibis_compat
from ._lake_layout import (
    LAYOUT_VERSION,
    MARKER,
    PARTITION,
    PARTITION_COLUMN,
    data_files,
    data_glob,
    read_marker,
    table_folder,
    write_marker,
)

if TYPE_CHECKING:
    from ._store import Store

#: (rows written so far, rows in all)
Progress = Callable[[int, int], None]
#: rows held per month before they are written as one row group (DuckDB's size)
ROW_GROUP = 122_880
#: rows held across all months before every buffer is written out (bounded memory)
MAX_BUFFERED = 4 * ROW_GROUP
#: the lake store's record of each table's files as last seen (fingerprint, shape)
SEEN_TABLE = "sanjeh_lake_seen"

READ_ONLY = (
    "a lake is read-only here: write with the pipeline that owns it, or import into a "
    "DuckDB/PostgreSQL store and `sanjeh export --lake`"
)


class LakeReadOnly(StoreError):
    """A write to a canonical table of a ``lake://`` store."""


def refuse_write(table: str) -> LakeReadOnly:
    return LakeReadOnly(f"cannot write {table}: {READ_ONLY}")


# -- export -------------------------------------------------------------------------------


def export_lake(
    store: Store,
    lake: Path,
    *,
    tables: Iterable[str] | None = None,
    redact: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write ``store``'s canonical tables (or ``tables``: any of the model's) to ``lake``.

    Streams each table (bounded memory), partitioned by month where the layout says;
    each table is written beside its folder and then put in its place, so a reader
    never sees half a table (replacing a whole table takes two renames: a query running
    at that instant may fail once). Returns rows written per table; raises when they
    differ from the store's counts (the store changed meanwhile: export again).
    """
    names = list(tables) if tables is not None else list(TABLES)
    unknown = [n for n in names if n not in ALL_TABLES]
    if unknown:
        raise ConfigError(f"no table {unknown[0]!r}; tables are: {', '.join(TABLES)}")
    _check_marker(lake, writing=True)
    expected = store.counts(names)
    total, done = sum(expected.values()), 0
    lake.mkdir(parents=True, exist_ok=True)
    write_marker(lake)
    written: dict[str, int] = {}
    for name in names:

        def advance(rows: int, before: int = done) -> None:
            if progress is not None:
                progress(before + rows, total)

        written[name] = _export_table(store, lake, name, expected[name], redact, advance)
        done += written[name]
    if progress is not None:
        progress(done, total)
    return written


def _export_table(
    store: Store,
    lake: Path,
    name: str,
    expected: int,
    redact: bool,
    advance: Callable[[int], None],
) -> int:
    folder = table_folder(lake, name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # hidden (a leading "."): no reader's glob sees it until it is renamed into place
    aside = folder.with_name(f".{folder.name}.new-{uuid.uuid4().hex[:12]}")
    aside.mkdir()
    try:
        writer = _MonthWriter(aside, ALL_TABLES[name])
        try:
            for batch in store.batches(name):
                writer.write(redact_table(name, batch) if redact else batch)
                advance(writer.rows)
        finally:
            writer.close()
        if writer.rows != expected:
            raise StoreError(
                f"{name}: wrote {writer.rows:,} rows but the store holds {expected:,}; it "
                "changed while exporting: export again (nothing of this table was replaced)"
            )
        _put_in_place(aside, folder)
    except BaseException:
        shutil.rmtree(aside, ignore_errors=True)
        raise
    return writer.rows


def _put_in_place(aside: Path, folder: Path) -> None:
    """Replace ``folder`` by ``aside``: two renames, then the old files go."""
    if not folder.exists():
        aside.rename(folder)
        return
    old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex[:12]}")
    folder.rename(old)
    aside.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


class _MonthWriter:
    """Rows of one table into ``month=YYYY-MM/part-<uuid>.parquet`` files (one per month
    per export), or ``part-<uuid>.parquet`` for a table the layout does not partition.

    Rows wait per month until a row group's worth is there (or too many wait in all),
    so files get full row groups whatever order the rows come in."""

    def __init__(self, folder: Path, spec: TableSpec) -> None:
        self.folder, self.spec = folder, spec
        self.schema = spec.arrow_schema()
        self.column = PARTITION_COLUMN.get(spec.name)
        self.rows = 0
        self._waiting: dict[str, list[pa.Table]] = {}
        self._waiting_rows: dict[str, int] = {}
        self._writers: dict[str, pq.ParquetWriter] = {}

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        table = table.select(self.schema.names).cast(self.schema)
        if table.num_rows == 0:
            return
        self.rows += table.num_rows
        if self.column is None:
            self._hold("", table)
        else:
            months = pc.strftime(table[self.column], format="%Y-%m")  # (UTC: the type's zone)
            if months.null_count:
                raise StoreError(f"{self.spec.name}.{self.column} is empty in some rows")
            for month in pc.unique(months).to_pylist():
                self._hold(month, table.filter(pc.equal(months, month)))
        if sum(self._waiting_rows.values()) >= MAX_BUFFERED:
            for month in list(self._waiting):
                self._flush(month)

    def _hold(self, month: str, rows: pa.Table) -> None:
        self._waiting.setdefault(month, []).append(rows)
        self._waiting_rows[month] = self._waiting_rows.get(month, 0) + rows.num_rows
        if self._waiting_rows[month] >= ROW_GROUP:
            self._flush(month)

    def _flush(self, month: str) -> None:
        waiting = self._waiting.pop(month, [])
        self._waiting_rows.pop(month, None)
        if not waiting:
            return
        writer = self._writers.get(month)
        if writer is None:
            where = self.folder / f"{PARTITION}={month}" if month else self.folder
            where.mkdir(exist_ok=True)
            path = where / f"part-{uuid.uuid4()}.parquet"
            writer = self._writers[month] = pq.ParquetWriter(str(path), self.schema)
        writer.write_table(pa.concat_tables(waiting), row_group_size=ROW_GROUP)

    def close(self) -> None:
        try:
            for month in list(self._waiting):
                self._flush(month)
        finally:
            for writer in self._writers.values():
                writer.close()


def _check_marker(lake: Path, *, writing: bool) -> None:
    """Refuse a lake of a newer layout or data model than this Sanjeh's."""
    marker = read_marker(lake)
    if marker is None:
        return
    layout, model = marker.get("layout", 0), marker.get("model_version", 0)
    if layout > LAYOUT_VERSION or model > MODEL_VERSION:
        doing = "write to" if writing else "read"
        raise SchemaMismatch(
            f"{lake} was written by a newer Sanjeh (lake layout v{layout}, data model "
            f"v{model}; this is layout v{LAYOUT_VERSION}, model v{MODEL_VERSION}): cannot "
            f"{doing} it; upgrade Sanjeh"
        )


# -- reading: a DuckDB database over the lake ----------------------------------------------


def check_lake(lake: Path) -> None:
    """Refuse a folder that is not a Sanjeh lake this Sanjeh can read."""
    if not lake.is_dir():
        raise ConfigError(
            f"no lake at {lake}: the folder does not exist. Check the path, or make one: "
            f"`sanjeh export --lake {lake}`"
        )
    if read_marker(lake) is None:
        raise ConfigError(
            f"{lake} is not a Sanjeh lake (no {MARKER}); make one with "
            f"`sanjeh export --lake {lake}`, or write it with Sanjeh's Spark store"
        )
    _check_marker(lake, writing=False)


def connect_lake(lake: Path, *, memory: str | None = None) -> Any:
    """An Ibis DuckDB connection (in memory) whose canonical tables are views over the
    lake's files; the lake's copies of other tables (exported with ``tables=``: QA
    records, say) are loaded into tables of its own, which the app may then write."""
    import ibis

    from ._url import DEFAULT_MEMORY

    check_lake(lake)
    # an in-memory database spills big work to a folder of its own
    # (DuckDB makes the folder when it first spills, and removes it when it closes)
    spill = Path(tempfile.gettempdir()) / f"sanjeh-lake-{uuid.uuid4().hex[:12]}"
    con = ibis.duckdb.connect(memory_limit=memory or DEFAULT_MEMORY, temp_directory=str(spill))
    _ibis_compat.run(
        con,
        f"CREATE TABLE {_q(SEEN_TABLE)} (table_name VARCHAR NOT NULL, "
        "fingerprint VARCHAR NOT NULL, shape VARCHAR NOT NULL, seen_at BIGINT NOT NULL)",
    )
    _sync(con, lake, record=False)
    for name, spec in ALL_TABLES.items():
        if name not in TABLES and data_files(lake, name):
            con.create_table(name, schema=spec.ibis_schema())
            present = _present_columns(con, lake, name)
            _ibis_compat.run(con, f"INSERT INTO {_q(name)} {_select(con, lake, spec, present)}")
    return con


def note_changes(store: Store) -> list[str]:
    """Record the canonical tables whose files changed since last seen as "anything may
    have changed" (the facts rebuild from them); return their names."""
    assert store.lake is not None
    return _sync(store.con, store.lake, record=True)


_SYNC_LOCKS: dict[Path, threading.Lock] = {}
_SYNC_LOCKS_LOCK = threading.Lock()


def _sync(con: Any, lake: Path, *, record: bool) -> list[str]:
    """Compare each table's files with those last seen; remake a view whose shape (no
    files, or which columns the files have) changed; note the new fingerprint."""
    with _SYNC_LOCKS_LOCK:
        lock = _SYNC_LOCKS.setdefault(lake.resolve(), threading.Lock())
    with lock:
        seen = _last_seen(con)
        changed = []
        for name in TABLES:
            files = data_files(lake, name)
            fingerprint = _fingerprint(lake, files)
            before = seen.get(name)
            if before is not None and before[0] == fingerprint:
                continue
            present = _present_columns(con, lake, name) if files else None
            shape = "" if present is None else ",".join(sorted(present))
            if before is None or before[1] != shape:
                spec = TABLES[name]
                view = f"CREATE OR REPLACE VIEW {_q(name)} AS {_select(con, lake, spec, present)}"
                _ibis_compat.run(con, view)
            _ibis_compat.run(
                con,
                f"INSERT INTO {_q(SEEN_TABLE)} VALUES "
                f"({_literal(name)}, {_literal(fingerprint)}, {_literal(shape)}, {time.time_ns()})",
            )
            if record and before is not None:
                _changes.record(con, name, None)
            changed.append(name)
        return changed


def _last_seen(con: Any) -> dict[str, tuple[str, str]]:
    rows = _ibis_compat.fetch(
        con,
        f"SELECT table_name, arg_max(fingerprint, seen_at), arg_max(shape, seen_at) "
        f"FROM {_q(SEEN_TABLE)} GROUP BY table_name",
    )
    return {name: (fingerprint, shape) for name, fingerprint, shape in rows}


def _fingerprint(lake: Path, files: list[Path]) -> str:
    """Names, sizes and modification times of a table's files: any write moves it."""
    digest = hashlib.sha256()
    for file in files:
        stat = file.stat()
        digest.update(f"{file.relative_to(lake)}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def _present_columns(con: Any, lake: Path, name: str) -> list[str]:
    """The model's columns the table's files have (an older model's files lack some)."""
    rows = _ibis_compat.fetch(con, f"DESCRIBE SELECT * FROM {_source(lake, name)}")
    have = {r[0] for r in rows}
    return [c for c in ALL_TABLES[name].column_names if c in have]


def _source(lake: Path, name: str) -> str:
    return (
        f"read_parquet({_literal(data_glob(lake, name))}, hive_partitioning=true, "
        "union_by_name=true)"
    )


def _select(con: Any, lake: Path, spec: TableSpec, present: list[str] | None) -> str:
    """The SELECT of a table's view: exactly the model's columns with its types (never
    ``month``); a column the files lack is NULL; no files: no rows."""
    columns = []
    for column in spec.columns:
        kind = _ibis_compat.column_type(con, column.ibis_type).sql("duckdb")
        value = _q(column.name) if present is not None and column.name in present else "NULL"
        columns.append(f"CAST({value} AS {kind}) AS {_q(column.name)}")
    if present is None:
        return f"SELECT {', '.join(columns)} WHERE false"
    return f"SELECT {', '.join(columns)} FROM {_source(lake, spec.name)}"


def _q(name: str) -> str:
    return sge.to_identifier(name, quoted=True).sql("duckdb")


def _literal(text: str) -> str:
    return sge.Literal.string(text).sql("duckdb")
