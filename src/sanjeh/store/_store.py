"""The store's implementation: :class:`Store`, :class:`Stage` and the Arrow insert.

Imported through the package (``from sanjeh.store import Store``); see its docstring.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import ibis
import pyarrow as pa
import sqlglot.expressions as sge

from ..errors import ConfigError, SchemaMismatch, StoreError
from ..model import ALL_TABLES, MODEL_VERSION, TABLES, TableSpec
from . import _changes, _ibis_compat, _keys, _url, _write
from ._merge import SEQ, WriteResult, merge_stage

META_TABLE = "sanjeh_meta"
STAGE_PREFIX = "sanjeh_stage_"
#: DuckDB's row-group size: it scans an Arrow table in parallel one batch per thread
ROW_GROUP = 122_880
#: rows buffered before a staging write: four row groups
FLUSH_ROWS = 4 * ROW_GROUP
#: SQLSTATE of a unique index refusing a key (the drivers' errors carry ``sqlstate``)
_UNIQUE_VIOLATION = "23505"


class Store:
    """A connection to the canonical tables.

    Open with :meth:`open`; use as a context manager or call :meth:`close`.

    The Ibis connection ``con`` is not safe to use from two threads at once: a
    threaded caller (the web app) holds :attr:`lock` around it. Plain SQL reads may
    instead run on :meth:`cursor`, this thread's own DuckDB connection, without the lock.
    """

    def __init__(self, url: str, con: Any) -> None:
        self.url = url
        self.con = con
        self.backend = _url.backend_name(url)
        #: the Parquet lake of a ``lake://`` store (its canonical tables are read-only)
        self.lake = _url.lake_folder(url)
        #: held around every use of ``con`` by code that runs in several threads
        self.lock = threading.RLock()
        #: the write transaction stages share, and PostgreSQL's writer locks
        self.writes = _write.Writes(con, self.backend)
        self._cursors: dict[int, Any] = {}

    # -- lifecycle ----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        init: bool = True,
        read_only: bool = False,
        memory: str | None = None,
        spark: dict[str, Any] | None = None,
    ) -> Store:
        """Open (and by default initialise) the store at ``url``.

        Without a URL the configured default is used (``SANJEH_DB`` or ``sanjeh.duckdb``).
        ``read_only=True`` opens a DuckDB file for reading only, so other readers may
        open it too; a store that must first gain tables or columns (``init``) is opened
        for writing instead. Other backends ignore it. ``memory`` bounds a DuckDB file's
        engine before it spills to disk (default ``_url.DEFAULT_MEMORY``). ``spark`` is
        the ``[spark]`` section of sanjeh.toml for a Spark store (``_spark.py``).
        """
        if url is None:
            from ..settings import load_settings

            settings = load_settings()
            url, memory = settings.db, memory or settings.memory
            spark = spark or settings.section("spark")
        if read_only and _url.duckdb_file(url) is not None:
            reader = cls(url, _url.connect(url, read_only=True, memory=memory))
            if reader._is_current():
                return reader
            reader.close()
        store = cls(url, _url.connect(url, memory=memory, spark=spark))
        if init:
            store.init()
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self.lock:
            for cursor in self._cursors.values():
                cursor.close()
            self._cursors.clear()
            self.con.disconnect()

    def cursor(self) -> Any:
        """This thread's own DuckDB connection to the store, for read-only SQL.

        DuckDB runs queries of different connections at the same time; one connection
        must not be used by two threads at once. (DuckDB stores only.)
        """
        assert self.backend == "duckdb", "cursor() is for DuckDB stores"
        me = threading.get_ident()
        found = self._cursors.get(me)
        if found is None:
            with self.lock:
                found = self._cursors[me] = _ibis_compat.duckdb_connection(self.con).cursor()
        return found

    def __repr__(self) -> str:
        return f"<Store {_url.describe(self.url)}>"

    def init(self) -> list[str]:
        """Create the tables that are missing; return their names. Safe to repeat, and
        to run in several processes at once (one transaction; on PostgreSQL one process
        at a time, which also gives each table's key its unique index: ``_keys.py``)."""
        with self.writes.transaction(META_TABLE):
            existing = set(self.con.list_tables())
            upgrade = False
            if META_TABLE in existing:
                upgrade = self._check_version()
            else:
                self.con.create_table(
                    META_TABLE, schema=ibis.schema({"key": "!string", "value": "string"})
                )
                meta = [{"key": "model_version", "value": str(MODEL_VERSION)}]
                self.con.insert(META_TABLE, meta)
            if _changes.CHANGES_TABLE not in existing:
                _changes.create(self.con)
            created = []
            for name, spec in ALL_TABLES.items():
                if name not in existing:
                    self.con.create_table(name, schema=spec.ibis_schema())
                    created.append(name)
                elif upgrade:
                    self._add_missing_columns(name, spec)
                    self._relax_optional_columns(name, spec)
            for leftover in (t for t in existing if t.startswith(STAGE_PREFIX)):
                self.con.drop_table(leftover, force=True)  # from an interrupted import
            _keys.ensure_unique_keys(self)
        return created

    def _add_missing_columns(self, name: str, spec: TableSpec) -> None:
        """Columns a newer model added to an existing table (always optional ones)."""
        have = set(self.con.table(name).columns)
        schema = spec.ibis_schema()
        dialect = _ibis_compat.sql_dialect(self.con)
        for column in (c for c in spec.column_names if c not in have):
            kind = _ibis_compat.column_type(self.con, schema[column])
            table = sge.to_identifier(name, quoted=True)
            cursor = self.con.raw_sql(
                f"ALTER TABLE {table.sql(dialect)} ADD COLUMN "
                f"{sge.to_identifier(column, quoted=True).sql(dialect)} "
                f"{kind.sql(dialect)}"
            )
            if self.backend != "duckdb":  # DuckDB hands back the connection itself
                cursor.close()

    def _relax_optional_columns(self, name: str, spec: TableSpec) -> None:
        """Columns a newer model made optional (auto_scores.ticket_id since v9: a call's
        transcript has no ticket) lose their NOT NULL; dropping it twice is harmless."""
        stored = self.con.table(name).schema()
        dialect = _ibis_compat.sql_dialect(self.con)
        table = sge.to_identifier(name, quoted=True).sql(dialect)
        for column in spec.columns:
            if column.required or column.name not in stored or stored[column.name].nullable:
                continue
            cursor = self.con.raw_sql(
                f"ALTER TABLE {table} ALTER COLUMN "
                f"{sge.to_identifier(column.name, quoted=True).sql(dialect)} DROP NOT NULL"
            )
            if self.backend != "duckdb":
                cursor.close()

    def _is_current(self) -> bool:
        """True when :meth:`init` would change nothing (reads only)."""
        existing = set(self.con.list_tables())
        needed = {META_TABLE, _changes.CHANGES_TABLE, *ALL_TABLES}
        return needed <= existing and self._model_version() == MODEL_VERSION

    def _model_version(self) -> int:
        meta = self.con.table(META_TABLE)
        rows = meta.filter(meta.key == "model_version").value.to_pyarrow().to_pylist()
        return int(rows[0]) if rows else MODEL_VERSION

    def _check_version(self) -> bool:
        """Refuse a newer model; True when the store was written by an older one."""
        found = self._model_version()
        if found > MODEL_VERSION:
            raise SchemaMismatch(
                f"{_url.describe(self.url)} was written by a newer Sanjeh (data model "
                f"v{found}, this is v{MODEL_VERSION}); upgrade Sanjeh"
            )
        if found < MODEL_VERSION:  # older stores lack tables and columns init() adds
            row = ibis.memtable({"key": ["model_version"], "value": [str(MODEL_VERSION)]})
            self.con.upsert(META_TABLE, row, on="key")
        return found < MODEL_VERSION

    # -- reading ------------------------------------------------------------------------

    def table(self, name: str) -> ibis.Table:
        """The Ibis table expression of a canonical table."""
        if name not in ALL_TABLES:
            raise StoreError(f"no table {name!r}; tables are: {', '.join(ALL_TABLES)}")
        try:
            with self.lock:  # (the lookup reads the catalog on the shared connection)
                return self.con.table(name)
        except Exception as exc:
            raise StoreError(
                f"table {name!r} is missing in {_url.describe(self.url)}; run `sanjeh init`"
            ) from exc

    def counts(self, tables: list[str] | None = None) -> dict[str, int]:
        """Row counts of the canonical (and bookkeeping) tables."""
        names = tables or list(ALL_TABLES)
        with self.lock:  # (queries on the shared connection: one thread at a time)
            return {n: int(self.con.execute(self.table(n).count())) for n in names}

    # -- writing ------------------------------------------------------------------------

    def stage(self, table: str, *, direct: bool = False) -> Stage:
        """A staging area for ``table``: append batches, then :meth:`Stage.commit`.

        ``direct=True`` writes straight into the table when it is empty (see Stage).
        """
        if self.lake is not None and table in TABLES:
            from ._lake import refuse_write

            raise refuse_write(table)
        return Stage(self, _spec(table), direct=direct)

    def write(self, table: str, data: pa.Table | list[dict[str, Any]]) -> WriteResult:
        """Merge rows already in canonical types into ``table`` (idempotent by key)."""
        with self.stage(table) as stage:
            stage.append(data if isinstance(data, pa.Table) else _from_rows(table, data))
            return stage.commit()

    # -- change tracking and derived tables --------------------------------------------

    def changes(self) -> dict[str, bool]:
        """Tables changed since :meth:`clear_changes` → True when anything in them may
        have changed, False when only the rows of the ids in :meth:`changed_ids` did."""
        if self.lake is not None:  # files a pipeline wrote count as changes too
            from ._lake import note_changes

            note_changes(self)
        return _changes.changed(self.con)

    def changed_ids(self, tables: set[str]) -> ibis.Column:
        """The ticket / customer ids recorded for changed rows of ``tables``."""
        return _changes.ids(self.con, tables)

    def changed_unowned(self, tables: set[str]) -> bool:
        """Whether a changed row of ``tables`` belonged to nobody (e.g. a survey about
        no ticket): which one is not recorded."""
        return _changes.unowned(self.con, tables)

    def clear_changes(self) -> None:
        _changes.clear(self.con)

    def delete_rows(self, table: str, column: str, ids: ibis.Table) -> None:
        """Delete rows of a table of the model whose ``column`` is in ``ids`` (one
        column), and record the change like a merge does: the ids when ``column`` is what
        the rows belong to, else "anything may have changed" (so facts refresh)."""
        if self.lake is not None and table in TABLES:
            from ._lake import refuse_write

            raise refuse_write(table)
        self.delete_where_in(table, column, ids)
        owned = _spec(table).belongs_to == column
        _changes.record(self.con, table, ids if owned else None)

    def delete_where_in(self, table: str, column: str, ids: ibis.Table) -> None:
        """DELETE rows of a derived or housekeeping table (facts, old sessions) whose
        ``column`` is in ``ids`` (one column).

        Ibis has no delete; the statement is built with sqlglot for the backend's
        dialect, so no backend-specific SQL is written by hand.
        """

        quoted = _ibis_compat.quotes_identifiers(self.con)
        keys = f"{STAGE_PREFIX}keys_{uuid.uuid4().hex[:12]}"
        # Two statements, both through ``raw_sql``: a refresh records its SQL and replays
        # it (``metrics._replay``), and Ibis's ``create_table(name, expr)`` runs the INSERT
        # past ``raw_sql`` -- a replay then deleted nothing and the refreshed tickets' fact
        # rows were doubled. (``insert`` registers a memtable first, as needed.)
        schema = ibis.schema({n: t.copy(nullable=True) for n, t in ids.schema().items()})
        self.con.create_table(keys, schema=schema, temp=True)
        self.con.insert(keys, ids)
        try:
            subquery = sge.select(sge.column(ids.columns[0], quoted=quoted)).from_(
                sge.table_(keys, quoted=quoted)
            )
            statement = sge.delete(
                sge.table_(table, quoted=quoted),
                where=sge.column(column, quoted=quoted).isin(query=subquery),
            )
            cursor = self.con.raw_sql(statement.sql(_ibis_compat.sql_dialect(self.con)))
            if self.backend != "duckdb":  # DuckDB hands back the connection itself
                cursor.close()
        finally:
            self.con.drop_table(keys, force=True)

    # -- export -------------------------------------------------------------------------

    def export(
        self,
        table: str,
        path: str | os.PathLike[str],
        fmt: Literal["csv", "parquet"] | None = None,
        *,
        redact: bool = False,
    ) -> int:
        """Write a table in Sanjeh's own format (re-importable as is); return rows written.

        ``redact=True`` replaces personal data in free text (message bodies, survey
        comments, ticket subjects) and customers' names and e-mails.
        """
        from ._export import export_table

        return export_table(self, table, Path(path), fmt, redact=redact)

    def batches(self, table: str, chunk_rows: int = 100_000) -> Iterator[pa.RecordBatch]:
        """Stream a table as Arrow record batches in canonical column order."""
        spec = _spec(table)
        expr = self.table(table).select(spec.column_names)
        reader = self.con.to_pyarrow_batches(expr, chunk_size=chunk_rows)
        yield from reader


class DuplicateKeysInInput(StoreError):
    """A direct load met the same key twice; the caller retries through a staging table."""


class Stage:
    """Rows waiting to be merged into one canonical table (see ``_merge.py``).

    A stage is part of the store's write transaction from the moment it is made
    (``_write.py``): :meth:`commit` commits it, with the other stages open at the same
    time; a stage left without committing rolls them all back. So a store never holds
    part of a write, nor rows without the change record the facts are refreshed from.

    With ``direct=True`` and an empty target table, rows are written straight into
    the target (one write instead of two: the common first import of a big file).
    If the input then turns out to repeat a key, :meth:`commit` raises
    :class:`DuplicateKeysInInput` (the transaction is rolled back) so the caller can
    redo the load staged.
    """

    def __init__(self, store: Store, spec: TableSpec, *, direct: bool = False) -> None:
        self.store, self.spec = store, spec
        self._rows = 0
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._schema = pa.schema([f.with_nullable(True) for f in spec.arrow_schema()])
        self._open = True
        self.direct = False
        writes = store.writes
        writes.begin()
        try:
            self._start(direct)
        except BaseException:
            self._end(ok=False)
            raise

    def _start(self, direct: bool) -> None:
        con, writes, spec = self.store.con, self.store.writes, self.spec
        if direct:  # decided under the writers' lock: another writer may be filling it
            writes.lock(spec.name)
            self.direct = int(con.execute(con.table(spec.name).count())) == 0
            if not self.direct:
                writes.unlock(spec.name)
        if self.direct:
            self.name = spec.name
            return
        self.name = f"{STAGE_PREFIX}{spec.name}_{uuid.uuid4().hex[:12]}"
        # a temporary table: fast to fill (DuckDB keeps it in memory, spilling when it
        # must) and gone with the connection if the import dies half-way
        _ibis_compat.run(con, stage_table_sql(con, spec).replace(_STAGE_NAME, self.name))

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._open:  # left without committing
            self._end(ok=False)

    def _end(self, ok: bool) -> None:
        self._open = False
        store = self.store
        if not ok and not store.writes.transactional:  # undo what a rollback would
            if self.direct:
                store.con.truncate_table(self.name)
            elif hasattr(self, "name"):
                store.con.drop_table(self.name, force=True)
        store.writes.end(ok)

    def append(self, batch: pa.Table) -> None:
        """Append rows (canonical column names and types; missing columns become null).

        Rows are buffered up to ``FLUSH_ROWS`` and written in large batches: DuckDB
        writes whole row groups far faster than many small appends.
        """
        if batch.num_rows == 0:
            return
        self._pending.append(self._conform(batch))
        self._pending_rows += batch.num_rows
        if self._pending_rows >= FLUSH_ROWS:
            self._flush()

    def _conform(self, batch: pa.Table) -> pa.Table:
        n = batch.num_rows
        columns = [
            batch[f.name].cast(f.type) if f.name in batch.column_names else pa.nulls(n, f.type)
            for f in self._schema
        ]
        return pa.Table.from_arrays(columns, schema=self._schema)

    def _flush(self) -> None:
        if not self._pending:
            return
        # batches of one row group each let DuckDB write with every core at once
        table = pa.concat_tables(self._pending).combine_chunks()
        table = pa.Table.from_batches(table.to_batches(max_chunksize=ROW_GROUP))
        self._pending, self._pending_rows = [], 0
        if not self.direct:
            seq = pa.array(range(self._rows, self._rows + table.num_rows), pa.int64())
            table = table.append_column(SEQ, seq)
        elif self._rows == 0:
            # "anything may have changed", before the first row: committed with the rows,
            # or, where a backend writes as it goes, left behind by a crash for the facts
            _changes.record(self.store.con, self.spec.name, None)
        try:
            insert_arrow(self.store.con, self.name, table)
        except Exception as exc:  # the key's unique index (PostgreSQL) met a key again
            if self.direct and getattr(exc, "sqlstate", None) == _UNIQUE_VIOLATION:
                raise DuplicateKeysInInput(f"{self.spec.name}: the input repeats keys") from exc
            raise
        self._rows += table.num_rows

    def commit(self) -> WriteResult:
        """Merge the rows into the table and commit (when the last stage open at the
        same time commits); on any error the whole transaction is rolled back."""
        if not self._open:
            raise StoreError(f"{self.spec.name}: this stage has already ended")
        try:
            result = self._merged()
        except BaseException:
            self._end(ok=False)
            raise
        self._end(ok=True)
        return result

    def _merged(self) -> WriteResult:
        self._flush()
        con, spec = self.store.con, self.spec
        if not self.direct:
            self.store.writes.lock(spec.name)  # held until the transaction ends
            result = merge_stage(con, self.name, spec)
            con.drop_table(self.name, force=True)
            return result
        keys = int(con.execute(con.table(spec.name)[spec.key].nunique()))
        if keys != self._rows:
            raise DuplicateKeysInInput(f"{spec.name}: the input repeats keys")
        return WriteResult(spec.name, inserted=self._rows)


def insert_arrow(con: Any, name: str, data: pa.Table) -> None:
    """Insert an Arrow table, then release Ibis's registration of it.

    Ibis keeps every in-memory table registered until the process exits (DuckDB even
    keeps the Arrow data alive), so a long import would hold every batch it ever wrote.
    """
    if con.name == "duckdb":  # straight from Arrow: no SQL to compile per batch
        _ibis_compat.insert_arrow_duckdb(con, name, data)
        return
    memtable = ibis.memtable(data)
    con.insert(name, memtable)
    _ibis_compat.release_memtable(con, memtable)


_STAGE_NAME = "sanjeh_stage_name_placeholder"
_STAGE_SQL: dict[tuple[str, ...], str] = {}


def stage_table_sql(con: Any, spec: TableSpec) -> str:
    """``CREATE TEMPORARY TABLE`` of ``spec``'s staging tables (named ``_STAGE_NAME``),
    with the column types ``create_table`` would give them: made once per backend and
    table, as compiling it costs more than filling the stage of a small batch."""
    key = (con.name, spec.name, *spec.column_names)  # (a model upgrade adds columns)
    if key not in _STAGE_SQL:
        dialect = _ibis_compat.sql_dialect(con)
        columns = [
            sge.ColumnDef(
                this=sge.to_identifier(name, quoted=True),
                kind=_ibis_compat.column_type(con, dtype),
            )
            for name, dtype in {**spec.ibis_schema(), SEQ: "int64"}.items()
        ]
        create = sge.Create(
            kind="TABLE",
            this=sge.Schema(this=sge.to_identifier(_STAGE_NAME, quoted=True), expressions=columns),
            properties=sge.Properties(expressions=[sge.TemporaryProperty()]),
        )
        _STAGE_SQL[key] = create.sql(dialect)
    return _STAGE_SQL[key]


def _spec(table: str) -> TableSpec:
    try:
        return ALL_TABLES[table]
    except KeyError:
        raise ConfigError(f"no table {table!r}; tables are: {', '.join(TABLES)}") from None


def _from_rows(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = _spec(table).arrow_schema()
    return pa.Table.from_pylist(rows, schema=schema)
