"""Every use of an Ibis internal, in one place, each behind a small named function.

Sanjeh reaches past Ibis's public API in a few places, each because the public route
is missing or much slower (the reason is with each function). All were checked with
the Ibis releases in ``CHECKED_WITH`` on DuckDB and PostgreSQL. ``tests/test_ibis_compat.py``
proves that each one takes its fast path on the installed Ibis, and fails on a release
not in ``CHECKED_WITH``: an upgrade fails a test instead of leaving Sanjeh silently
slower or leakier. To admit a new release, run that test file and the suite with it,
then add it here and widen the pin in ``pyproject.toml``.

Nothing here falls back quietly: when an internal is missing the function raises
:class:`IbisIncompatible`, which names the installed Ibis version and the one checked.
Only the exception a missing internal raises is caught (``AttributeError`` for an
attribute, ``ImportError`` for a module), never a blanket ``except``.

One exception to "one place": the Spark store (``_spark.py``) is a subclass of Ibis's
PySpark backend and compiler, and overrides a few of their private methods (named in
``SPARK_OVERRIDES``); ``tests/spark/test_spark_store.py`` fails when Ibis drops one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.types as pat
import sqlglot.expressions as sge

from ..errors import StoreError

if TYPE_CHECKING:
    import duckdb
    import ibis.expr.types as ir
    import pandas as pd

#: the Ibis releases every function below was checked with
CHECKED_WITH = ("12.0.0",)
#: what ``_spark.SparkLake`` and its compiler override: (module, class, attribute);
#: it also reads ``Backend._session``, the SparkSession Ibis's ``do_connect`` keeps
SPARK_OVERRIDES = (
    ("ibis.backends.pyspark", "Backend", "_register_in_memory_table"),
    ("ibis.backends.pyspark", "Backend", "_get_schema_using_query"),
    ("ibis.backends.pyspark", "Backend", "_run_pre_execute_hooks"),
    ("ibis.backends.pyspark", "Backend", "_filter_with_like"),
    ("ibis.backends.sql.compilers.pyspark", "PySparkCompiler", "visit_Median"),
    ("ibis.backends.sql.compilers.pyspark", "PySparkCompiler", "visit_Quantile"),
    ("ibis.backends.sql.compilers.pyspark", "PySparkCompiler", "visit_ExtractEpochSeconds"),
)


class IbisIncompatible(StoreError):
    """The installed Ibis lacks an internal Sanjeh relies on."""

    code = "ibis_incompatible"


def _missing(what: str, exc: BaseException) -> IbisIncompatible:
    return IbisIncompatible(
        f"Sanjeh relies on {what}, which Ibis {ibis.__version__} lacks ({exc}); it was "
        f"checked with Ibis {', '.join(CHECKED_WITH)}: install that (see the pin in "
        "pyproject.toml)"
    )


# -- SQL of the backend: used to write statements Ibis has no API for ------------------


def sql_dialect(con: Any) -> Any:
    """The sqlglot dialect the backend's SQL is written in (``Backend.dialect``).

    Used with sqlglot to build ``ALTER TABLE … ADD COLUMN`` and ``DELETE``, which Ibis
    has no API for, in the backend's own SQL.
    """
    try:
        return con.dialect
    except AttributeError as exc:
        raise _missing("Backend.dialect", exc) from exc


def run(con: Any, sql: str) -> None:
    """Run a statement Ibis has no API for (or one compiled before, ``_merge``)."""
    cursor = con.raw_sql(sql)
    if con.name != "duckdb":  # DuckDB hands back the connection itself
        cursor.close()


def fetch(con: Any, sql: str) -> list[tuple[Any, ...]]:
    """The rows of a query's SQL, without building an Ibis expression per call."""
    cursor = con.raw_sql(sql)
    try:
        return list(cursor.fetchall())
    finally:
        if con.name != "duckdb":
            cursor.close()


def quotes_identifiers(con: Any) -> bool:
    """Whether the backend's compiler quotes identifiers (``Backend.compiler.quoted``)."""
    try:
        return bool(con.compiler.quoted)
    except AttributeError as exc:
        raise _missing("Backend.compiler.quoted", exc) from exc


def column_type(con: Any, dtype: Any) -> sge.DataType:
    """The backend's SQL type of an Ibis data type, as a sqlglot expression
    (``Backend.compiler.type_mapper.from_ibis``): the type ``create_table`` would use,
    so a column added later has the same type as one created with the table."""
    try:
        from_ibis = con.compiler.type_mapper.from_ibis
    except AttributeError as exc:
        raise _missing("Backend.compiler.type_mapper.from_ibis", exc) from exc
    return from_ibis(ibis.dtype(dtype))


# -- DuckDB's own connection -------------------------------------------------------------


def duckdb_connection(con: Any) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection under an Ibis DuckDB backend (``Backend.con``).

    Its cursors run read-only SQL in several threads at once, without Ibis (whose
    backend is not thread-safe) and without compiling an expression per request.
    """
    import duckdb

    try:
        raw = con.con
    except AttributeError as exc:
        raise _missing("the DuckDB connection at Backend.con", exc) from exc
    if not isinstance(raw, duckdb.DuckDBPyConnection):
        raise _missing(
            "the DuckDB connection at Backend.con",
            TypeError(f"it is a {type(raw).__name__}"),
        )
    return raw


def dbapi_connection(con: Any) -> Any:
    """The DB-API connection under an Ibis DuckDB or PostgreSQL backend (``Backend.con``:
    a DuckDB connection, a psycopg connection in autocommit mode), for plain
    parameterised SQL where compiling an expression per statement would cost more than
    the statement (survey answers). Its statements join the store's open transaction."""
    try:
        raw = con.con
    except AttributeError as exc:
        raise _missing("the DB-API connection at Backend.con", exc) from exc
    return raw


def insert_arrow_duckdb(con: Any, name: str, data: pa.Table) -> None:
    """Insert an Arrow table into a DuckDB table by column name, through DuckDB's own
    connection: a relation over the Arrow data, its columns put in the table's order
    (missing ones NULL), inserted.

    Not through a registered view: DuckDB (1.5.6) keeps a view dropped inside a
    transaction -- and the Arrow data behind it -- until the transaction commits, so an
    import written in one transaction held every batch it wrote (about 2.5 KB a ticket:
    25 GB for 10 M demo tickets; ``tests/test_ibis_compat.py``).
    """
    raw = duckdb_connection(con)
    dialect = sql_dialect(con)
    table = sge.to_identifier(name, quoted=True).sql(dialect)
    target = [row[0] for row in raw.execute(f"DESCRIBE {table}").fetchall()]
    have = set(data.column_names)
    columns = []
    for column in target:
        quoted = sge.to_identifier(column, quoted=True).sql(dialect)
        columns.append(quoted if column in have else f"NULL AS {quoted}")
    raw.from_arrow(data).project(", ".join(columns)).insert_into(table)


# -- in-memory tables --------------------------------------------------------------------


def release_memtable(con: Any, memtable: ir.Table) -> None:
    """Release the backend's registration of an in-memory table that was written.

    Ibis registers a memtable with the backend when an expression using it runs and
    keeps it until the process exits; on DuckDB the registered view keeps the Arrow data
    alive, so a long import would hold every batch it ever wrote. DuckDB: unregister the
    view (``InMemoryTable.name`` of ``Table.op()``); other backends: run Ibis's own
    finalizer (``Backend._make_memtable_finalizer``), and where that does nothing (Ibis
    12.0 on PostgreSQL, whose memtables are temporary tables kept until the connection
    closes: a long import would hold a copy of every batch) drop the temporary table.
    Then forget the registration (``Backend._memtables``), as Ibis itself would.
    """
    try:
        node = memtable.op()
        name = node.name
        registered = con._memtables
    except AttributeError as exc:
        raise _missing("Table.op().name and Backend._memtables of a memtable", exc) from exc
    if con.name == "duckdb":
        duckdb_connection(con).unregister(name)
    else:
        try:
            make_finalizer = con._make_memtable_finalizer
        except AttributeError as exc:
            raise _missing("Backend._make_memtable_finalizer", exc) from exc
        finalize = make_finalizer(name)
        if finalize is not None:
            finalize()
        else:
            con.drop_table(name, force=True)  # (public API: the temporary table's name)
    registered.discard(node)


# -- which backend an expression runs on -----------------------------------------------


def only_backend(expr: ir.Expr) -> str | None:
    """The name of the one backend ``expr``'s tables belong to; None when it has none
    (memtables, unbound tables) or several (``Expr._find_backends``).

    The public ``Expr.get_backend()`` answers the *default* backend (DuckDB) for an
    expression of memtables only, which may then run on another backend; a fast path
    written in DuckDB's own SQL must know the expression's tables are DuckDB's.
    """
    try:
        find_backends = expr._find_backends
    except AttributeError as exc:
        raise _missing("Expr._find_backends", exc) from exc
    backends, _unbound = find_backends()
    return backends[0].name if len(backends) == 1 else None


# -- results of SQL run on DuckDB directly ---------------------------------------------


def duckdb_result_frame(arrow: pa.Table, schema: Any) -> pd.DataFrame:
    """A DuckDB result as the DataFrame Ibis's DuckDB ``execute`` returns: the same
    dtypes, the same NULLs (``DuckDBPandasData.convert_table``, after converting
    columns as ``Backend.execute`` does in Ibis 12.0).

    Compiled queries (``metrics/_compiled.py``) run their SQL on a DuckDB cursor, not
    through Ibis, and must hand back exactly what ``expr.to_pandas()`` would.
    """
    import pandas as pd

    try:
        from ibis.backends.duckdb.converter import DuckDBPandasData

        convert_table = DuckDBPandasData.convert_table
    except (ImportError, AttributeError) as exc:
        raise _missing("ibis.backends.duckdb.converter.DuckDBPandasData", exc) from exc
    frame = pd.DataFrame(
        {
            # lists, dictionaries and columns with NULLs as Python objects (None, not NaN)
            name: (
                col.to_pylist()
                if pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count
                else col.to_pandas()
            )
            for name, col in zip(arrow.column_names, arrow.columns, strict=True)
        }
    )
    return convert_table(frame, schema)
