"""A store on Apache Spark: the tables are a Parquet lake, Spark runs the queries.

``Store.open("pyspark:///data/lake?master=local[2]")`` or ``spark://host:7077/data/lake``
(or a ``[spark]`` section in ``sanjeh.toml``). Every query is the same Ibis expression as
on DuckDB and PostgreSQL, run by Ibis's PySpark backend; only *writing* differs, because
plain Parquet has no UPDATE, DELETE or MERGE and the Delta / Iceberg jars come from a
Maven repository (not reachable here, and one more thing to operate). :class:`SparkLake`
is that backend with the table operations Sanjeh uses done on Parquet folders in the
lake layout (``_lake_layout.py``) and registered as Spark views:

- a table is a folder; a view of that name reads it (a table of the model through its
  :class:`~sanjeh.model.TableSpec`'s schema, so files of an older model read too);
- INSERT adds files (to the ``month=`` folders of the rows, for partitioned tables);
- DELETE rewrites only the partitions that hold a deleted row (a month of tickets for a
  refresh of a few tickets; the whole folder of an unpartitioned table) into a new
  folder, then swaps the folders: a reader never sees half a partition;
- CREATE / DROP / RENAME / TRUNCATE / upsert are folder operations.

The statements come as SQL from the store's merge (``_merge.py``), the change log and
the fact build, as on every backend: :meth:`SparkLake.raw_sql` parses each with sqlglot
and runs it as above. So the merge -- last row per key wins, identical rows unchanged,
older versions kept out -- is the same code on Spark, and its cost is the touched
partitions, not the table. Files go through Hadoop's FileSystem API, so a lake on HDFS or
a cluster-mounted path works as a local folder does. One writing session per lake.

Spark differences handled in the compiler (:class:`_LakeCompiler`): exact medians and
percentiles (``percentile``) with a ``where`` that Ibis 12 compiles wrongly for medians,
``approx_percentile`` when ``percentiles = "approximate"``, and epoch seconds that keep
their fraction (Ibis compiles ``UNIX_TIMESTAMP``, which drops it).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.pyspark import Backend as PySparkBackend
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

from ..errors import ConfigError
from ..model import ALL_TABLES
from . import _lake_layout as layout

#: Spark settings every lake session gets (UTC everywhere, timestamps as the layout says)
_SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.adaptive.enabled": "true",
}
#: local masters only: the UI's port and 200 shuffle partitions cost more than they give
_LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
}
_SCHEMA_FILE = "_schema.json"


@dataclasses.dataclass(frozen=True)
class SparkTarget:
    """Where a Spark store runs and keeps its lake."""

    master: str
    lake: str
    conf: Mapping[str, str] = dataclasses.field(default_factory=dict)
    approximate: bool = False


def parse_url(url: str, section: Mapping[str, Any] | None = None) -> SparkTarget:
    """``pyspark:///abs/lake?master=local[2]`` (master defaults to ``local[2]``) or
    ``spark://host:port/abs/lake``; ``section`` is sanjeh.toml's ``[spark]`` (master,
    lake, conf, percentiles), used where the URL says nothing."""
    section = dict(section or {})
    unknown = sorted(set(section) - {"master", "lake", "conf", "percentiles"})
    if unknown:
        raise ConfigError(
            f"[spark]: unknown key {unknown[0]!r}; known: master, lake, conf, percentiles"
        )
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "spark":
        master = f"spark://{parts.netloc}"
        lake = parts.path
    else:
        master = query.pop("master", "") or section.get("master") or "local[2]"
        lake = (parts.netloc + parts.path) if parts.netloc else parts.path
    lake = lake or str(section.get("lake", ""))
    if not lake:
        raise ConfigError(
            f"{url}: say where the lake is, e.g. pyspark:///data/sanjeh-lake or "
            '[spark] lake = "/data/sanjeh-lake" in sanjeh.toml'
        )
    conf = {str(k): str(v) for k, v in dict(section.get("conf", {})).items()}
    conf.update({k: v for k, v in query.items() if k.startswith("spark.")})
    percentiles = query.get("percentiles", section.get("percentiles", "exact"))
    if percentiles not in ("exact", "approximate"):
        raise ConfigError(
            f'[spark] percentiles must be "exact" or "approximate", not {percentiles!r}'
        )
    return SparkTarget(master, lake, conf, percentiles == "approximate")


def connect(url: str, section: Mapping[str, Any] | None = None) -> SparkLake:
    """A :class:`SparkLake` over the lake of ``url`` (the session is made, or joined)."""
    from pyspark.sql import SparkSession

    target = parse_url(url, section)
    builder = SparkSession.builder.master(target.master).appName("sanjeh")
    local = target.master.startswith("local")
    for key, value in {**_SESSION_CONF, **(_LOCAL_CONF if local else {}), **target.conf}.items():
        builder = builder.config(key, value)
    # every store its own session (its own views and settings) on the one Spark context
    shared = builder.getOrCreate()
    shared.sparkContext.setLogLevel("ERROR")  # its warnings are for Spark's operators
    session = shared.newSession()
    for key, value in {**_SESSION_CONF, **(_LOCAL_CONF if local else {})}.items():
        if not key.startswith("spark.ui."):
            session.conf.set(key, value)
    ibis.pyspark  # noqa: B018  (registers the backend's options, which its compiler reads)
    backend = SparkLake()
    backend.do_connect(session)
    backend.attach(target)
    return backend


class _LakeCompiler(PySparkCompiler):
    """Ibis's PySpark compiler with exact medians and fractional epoch seconds."""

    approximate = False

    def _percentile(self, arg: Any, quantile: Any, where: Any) -> Any:
        if where is not None:
            arg = self.if_(where, arg, sge.Null())
        if self.approximate:
            return self.f.approx_percentile(self.cast(arg, dt.float64), quantile)
        return self.f.percentile(arg, quantile)

    def visit_Median(self, op: Any, *, arg: Any, where: Any) -> Any:  # noqa: N802 (Ibis's name)
        # (Ibis 12 puts the ``where`` around 0.5 too, which Spark refuses)
        return self._percentile(arg, sge.convert(0.5), where)

    def visit_Quantile(self, op: Any, *, arg: Any, quantile: Any, where: Any) -> Any:  # noqa: N802 (Ibis's name)
        return self._percentile(arg, quantile, where)

    visit_MultiQuantile = visit_Quantile  # noqa: N815

    def visit_ExtractEpochSeconds(self, op: Any, *, arg: Any) -> Any:  # noqa: N802 (Ibis's name)
        # UNIX_TIMESTAMP drops the fraction of a second; micros / 1e6 keeps it
        micros = self.f.unix_micros(self.cast(arg, dt.timestamp))
        return sge.Div(this=micros, expression=sge.convert(1_000_000.0))


class _Result:
    """What :meth:`SparkLake.raw_sql` hands back: the DataFrame Ibis expects, with the
    DB-API ``fetchall`` / ``close`` the store's own SQL helpers call."""

    def __init__(self, frame: Any) -> None:
        self.frame = frame

    def __getattr__(self, name: str) -> Any:
        return getattr(self.frame, name)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [] if self.frame is None else [tuple(r) for r in self.frame.collect()]

    def close(self) -> None:
        pass


class SparkLake(PySparkBackend):
    """Ibis's PySpark backend over a Parquet lake (see the module docstring)."""

    compiler = _LakeCompiler()

    def attach(self, target: SparkTarget) -> None:
        self.target = target
        self.compiler = _LakeCompiler()
        self.compiler.approximate = target.approximate
        jvm = self._session.sparkContext._jvm
        self._jvm = jvm
        root = jvm.org.apache.hadoop.fs.Path(target.lake)
        self._fs = root.getFileSystem(self._session.sparkContext._jsc.hadoopConfiguration())
        self.lake = str(self._fs.makeQualified(root).toString())
        self._tables: dict[str, dict[str, Any]] = {}  # name → Spark schema (JSON)
        self._fs.mkdirs(self._path(self.lake))
        if not self._fs.exists(self._path(f"{self.lake}/{layout.MARKER}")):
            self._write_text(f"{self.lake}/{layout.MARKER}", json.dumps(_marker()))
        self._discover()

    def disconnect(self) -> None:
        # the Spark context is shared by every store of the process: leave it running
        for name in list(self._tables):
            self._session.catalog.dropTempView(name)
        self._tables.clear()

    # -- files ---------------------------------------------------------------------------

    def _path(self, path: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(path)

    def folder(self, name: str) -> str:
        if name in ALL_TABLES:
            return f"{self.lake}/{name}"
        return f"{self.lake}/{layout.INTERNAL}/{name}"

    def _write_text(self, path: str, text: str) -> None:
        out = self._fs.create(self._path(path), True)
        try:
            out.write(bytearray(text.encode()))
        finally:
            out.close()

    def _read_text(self, path: str) -> str:
        stream = self._fs.open(self._path(path))
        try:
            return str(self._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def _children(self, path: str) -> list[Any]:
        p = self._path(path)
        return list(self._fs.listStatus(p)) if self._fs.exists(p) else []

    def _delete(self, path: str) -> None:
        self._fs.delete(self._path(path), True)

    def _move(self, source: str, target: str) -> None:
        self._fs.delete(self._path(target), True)
        parent = self._path(target).getParent()
        self._fs.mkdirs(parent)
        if not self._fs.rename(self._path(source), self._path(target)):
            raise OSError(f"could not move {source} to {target}")

    # -- the views over the folders -------------------------------------------------------

    def _discover(self) -> None:
        """Register every table already in the lake (a store opened again)."""
        for status in self._children(self.lake):
            name = status.getPath().getName()
            if status.isDirectory() and name in ALL_TABLES:
                self._register(name)
        for status in self._children(f"{self.lake}/{layout.INTERNAL}"):
            name = status.getPath().getName()
            described = f"{status.getPath().toString()}/{_SCHEMA_FILE}"
            if status.isDirectory() and self._fs.exists(self._path(described)):
                self._register(name)

    def _schema_of(self, name: str) -> Any:
        from pyspark.sql.types import StructType

        if name in ALL_TABLES:
            return _spark_schema(ALL_TABLES[name].ibis_schema())
        found = self._tables.get(name)
        if found is None:
            found = json.loads(self._read_text(f"{self.folder(name)}/{_SCHEMA_FILE}"))
        return StructType.fromJson(found)

    def _register(self, name: str) -> None:
        schema = self._schema_of(name)
        self._tables[name] = schema.jsonValue()
        folder = self.folder(name)
        reader = self._session.read.schema(schema)
        partition = layout.PARTITION_COLUMN.get(name)
        if partition is not None:  # the month folders are not a column of the table
            reader = self._session.read.schema(_with_month(schema)).option("basePath", folder)
        frame = reader.parquet(folder) if self._has_files(folder) else None
        if frame is None:
            frame = self._session.createDataFrame([], schema)
        frame.select(*schema.fieldNames()).createOrReplaceTempView(name)

    def _has_files(self, folder: str) -> bool:
        return any(layout.is_data(Path(s.getPath().getName())) for s in self._children(folder))

    # -- writing ----------------------------------------------------------------------------

    def _frame(self, obj: Any, schema: Any | None = None) -> Any:
        """A Spark DataFrame of an Ibis expression, Arrow / pandas data or a DataFrame."""
        if isinstance(obj, ir.Table):
            node = obj.op()
            if isinstance(node, ops.InMemoryTable):  # straight from Arrow, not via pandas
                return self._session.createDataFrame(node.data.to_pyarrow(obj.schema()))
            self._run_pre_execute_hooks(obj)
            return self._session.sql(self.compile(obj))
        if isinstance(obj, pa.Table):
            return self._session.createDataFrame(obj)
        if hasattr(obj, "rdd"):
            return obj  # a Spark DataFrame
        return self._frame(ibis.memtable(obj))  # rows, a dict of columns, pandas

    def _conform(self, frame: Any, schema: Any) -> Any:
        """``frame``'s columns by name, in ``schema``'s order and types (missing: null)."""
        from pyspark.sql import functions as fn

        have = set(frame.columns)
        return frame.select(
            *[
                (fn.col(f"`{f.name}`") if f.name in have else fn.lit(None))
                .cast(f.dataType)
                .alias(f.name)
                for f in schema.fields
            ]
        )

    def _write(self, name: str, frame: Any, folder: str, mode: str) -> None:
        from pyspark.sql import functions as fn

        partition = layout.PARTITION_COLUMN.get(name)
        writer: Any
        if partition is not None:
            month = fn.date_format(fn.col(partition), "yyyy-MM")
            frame = frame.withColumn(layout.PARTITION, month)
            writer = frame.repartition(layout.PARTITION).write.partitionBy(layout.PARTITION)
        else:
            writer = frame.write
        writer.mode(mode).parquet(folder)

    def _replace_folder(self, name: str, frame: Any, schema: Any) -> None:
        """Write ``frame`` as the whole table (a new folder, swapped in when complete);
        ``frame`` None: an empty table (a folder without files: no Spark job)."""
        folder = self.folder(name)
        fresh = f"{folder}.new-{uuid.uuid4().hex[:8]}"
        if frame is None:
            self._fs.mkdirs(self._path(fresh))
        else:
            self._write(name, self._conform(frame, schema), fresh, "overwrite")
        if name not in ALL_TABLES:
            self._write_text(f"{fresh}/{_SCHEMA_FILE}", json.dumps(schema.jsonValue()))
        self._move(fresh, folder)
        self._tables[name] = schema.jsonValue()
        self._register(name)

    def create_table(
        self,
        name: str,
        /,
        obj: Any = None,
        *,
        schema: Any = None,
        database: str | None = None,
        temp: bool | None = None,
        overwrite: bool = False,
        **_: Any,
    ) -> ir.Table:
        """A table in the lake (``temp`` is accepted and ignored: the fact build's
        working tables are internal tables, dropped by the build)."""
        if name in self._tables and not overwrite:
            raise ConfigError(f"table {name!r} already exists in {self.lake}")
        if obj is None and schema is None:
            raise ConfigError("create_table needs obj or schema")
        frame = None if obj is None else self._frame(obj)  # (compiled once)
        if name in ALL_TABLES:
            spark_schema = self._schema_of(name)
        elif frame is None:
            spark_schema = _spark_schema(ibis.schema(schema))
        else:
            spark_schema = frame.schema
        self._replace_folder(name, frame, spark_schema)
        return self.table(name)

    def insert(
        self, name: str, /, obj: Any, *, database: str | None = None, overwrite: bool = False
    ) -> None:
        schema = self._schema_of(name)
        frame = self._conform(self._frame(obj), schema)
        if overwrite:
            self._replace_folder(name, frame, schema)
            return
        self._write(name, frame, self.folder(name), "append")
        self._register(name)

    def drop_table(self, name: str, /, *, database: str | None = None, force: bool = False) -> None:
        if name not in self._tables:
            if self._session.catalog.tableExists(name):  # a memtable or a plain view
                self._session.catalog.dropTempView(name)
                return
            if force:
                return
            raise ConfigError(f"no table {name!r} in {self.lake}")
        self._session.catalog.dropTempView(name)
        self._tables.pop(name)
        self._delete(self.folder(name))

    def truncate_table(self, name: str, /, *, database: str | None = None) -> None:
        self._replace_folder(name, None, self._schema_of(name))

    def rename_table(self, old_name: str, new_name: str) -> None:
        schema = self._schema_of(old_name)
        self.drop_table(new_name, force=True)
        self._session.catalog.dropTempView(old_name)
        self._tables.pop(old_name)
        if new_name in ALL_TABLES or old_name in ALL_TABLES:  # a different folder layout
            frame = self._session.read.parquet(self.folder(old_name))
            self._replace_folder(new_name, frame, schema)
            self._delete(self.folder(old_name))
            return
        self._move(self.folder(old_name), self.folder(new_name))
        self._tables[new_name] = schema.jsonValue()
        self._register(new_name)

    def upsert(self, name: str, /, obj: Any, on: str, *, database: str | None = None) -> None:
        """Rows of ``obj`` replace the rows with the same ``on`` (a rewrite)."""
        schema = self._schema_of(name)
        incoming = self._conform(self._frame(obj), schema).localCheckpoint()
        kept = self._session.table(name).join(incoming.select(on), on=on, how="left_anti")
        merged = self._conform(kept, schema).unionByName(incoming).localCheckpoint()
        self._replace_folder(name, merged, schema)

    def get_schema(
        self, table_name: str, *, catalog: str | None = None, database: str | None = None
    ) -> Any:
        """A table's schema, its timestamps in UTC: the session's time zone is UTC, so a
        Spark timestamp is an instant in UTC (Ibis would call it zone-less, and hand back
        naive datetimes that the rest of Sanjeh cannot compare with aware ones)."""
        if table_name in ALL_TABLES and table_name in self._tables:
            return ALL_TABLES[table_name].ibis_schema()
        found = super().get_schema(table_name, catalog=catalog, database=database)
        return _in_utc(found)

    def _get_schema_using_query(self, query: str) -> Any:
        return _in_utc(super()._get_schema_using_query(query))

    def list_tables(self, *, like: str | None = None, database: Any = None) -> list[str]:
        return self._filter_with_like(sorted(self._tables), like)

    # -- SQL statements -------------------------------------------------------------------

    def raw_sql(self, query: str | sge.Expression, **kwargs: Any) -> Any:
        """Run a statement: DML and DDL on lake tables as folder operations (see the
        module docstring), anything else by Spark SQL."""
        statement = query if isinstance(query, sge.Expression) else _parse(query, self.dialect)
        if statement is not None:
            handled = self._statement(statement)
            if handled is not _NOT_HANDLED:
                return _Result(handled)
        sql = query.sql(dialect=self.dialect) if isinstance(query, sge.Expression) else query
        return _Result(self._session.sql(sql, **kwargs))

    def _statement(self, statement: sge.Expression) -> Any:
        if isinstance(statement, sge.Insert):
            return self._insert_statement(statement)
        if isinstance(statement, sge.Delete):
            table = statement.this.name
            where = statement.args.get("where")
            condition = where.this.sql(self.dialect) if where is not None else "TRUE"
            self.delete_where(table, condition)
            return None
        if isinstance(statement, sge.Create) and statement.kind == "TABLE":
            return self._create_statement(statement)
        if isinstance(statement, sge.Drop) and statement.kind in ("TABLE", "VIEW"):
            self.drop_table(statement.this.name, force=bool(statement.args.get("exists")))
            return None
        if isinstance(statement, sge.Alter):
            return self._alter_statement(statement)
        if isinstance(statement, sge.TruncateTable):
            for table in statement.expressions:
                self.truncate_table(table.name)
            return None
        return _NOT_HANDLED

    def _insert_statement(self, statement: sge.Insert) -> None:
        target = statement.this
        columns: list[str] | None = None
        if isinstance(target, sge.Schema):
            columns = [c.name for c in target.expressions]
            target = target.this
        source = statement.expression
        if isinstance(source, sge.Values):
            rows = sge.select("*").from_(
                sge.Subquery(this=source, alias=sge.TableAlias(this=sge.to_identifier("v")))
            )
            frame = self._session.sql(rows.sql(self.dialect))
        else:
            frame = self._session.sql(source.sql(self.dialect))
        if columns is not None:
            frame = frame.toDF(*columns)
        else:
            frame = frame.toDF(*self._schema_of(target.name).fieldNames()[: len(frame.columns)])
        self.insert(target.name, frame)

    def _create_statement(self, statement: sge.Create) -> None:
        target = statement.this
        exists = bool(statement.args.get("exists"))
        name = target.this.name if isinstance(target, sge.Schema) else target.name
        if exists and name in self._tables:
            return None
        if isinstance(target, sge.Schema):  # CREATE TABLE t (columns …)
            ddl = ", ".join(c.sql(self.dialect) for c in target.expressions)
            schema = self._session.createDataFrame([], ddl).schema
            self._replace_folder(name, None, schema)
            return None
        frame = self._session.sql(statement.expression.sql(self.dialect))
        self._replace_folder(name, frame, frame.schema)
        return None

    def _alter_statement(self, statement: sge.Alter) -> Any:
        name = statement.this.name
        for action in statement.args.get("actions") or []:
            if isinstance(action, sge.AlterRename):
                self.rename_table(name, action.this.name)
            elif isinstance(action, sge.ColumnDef):  # ADD COLUMN
                if name in ALL_TABLES:
                    self._register(name)  # the model's schema has it; old files read null
                    continue
                ddl = action.sql(self.dialect)
                added = self._session.createDataFrame([], ddl).schema.fields[0]
                schema = self._schema_of(name).add(added)
                self._replace_folder(name, self._session.table(name), schema)
            elif isinstance(action, sge.AlterColumn):
                continue  # DROP NOT NULL: a lake's columns are all nullable
            else:
                return _NOT_HANDLED
        return None

    def delete_where(self, name: str, condition: str) -> None:
        """Delete the rows of ``name`` where ``condition`` (Spark SQL) holds, rewriting
        only the month partitions that hold such a row."""
        from pyspark.sql import functions as fn

        schema = self._schema_of(name)
        table = self._session.table(name)
        doomed = fn.coalesce(fn.expr(condition), fn.lit(False))
        partition = layout.PARTITION_COLUMN.get(name)
        if partition is None:
            if table.where(doomed).limit(1).count() == 0:
                return
            kept = table.where(~doomed).localCheckpoint()
            self._replace_folder(name, kept, schema)
            return
        month = fn.date_format(fn.col(partition), "yyyy-MM")
        touched = [r[0] for r in table.where(doomed).select(month).distinct().collect()]
        if not touched:
            return
        kept = table.where(month.isin(touched) & ~doomed)
        folder = self.folder(name)
        fresh = f"{folder}.new-{uuid.uuid4().hex[:8]}"
        self._write(name, self._conform(kept, schema), fresh, "overwrite")
        for value in touched:  # each touched month's folder replaced by its rewrite
            part = f"{layout.PARTITION}={value}"
            if self._fs.exists(self._path(f"{fresh}/{part}")):
                self._move(f"{fresh}/{part}", f"{folder}/{part}")
            else:
                self._delete(f"{folder}/{part}")
        self._delete(fresh)
        self._register(name)

    def _register_in_memory_table(self, op: ops.InMemoryTable) -> None:
        # straight from Arrow (Spark 4 reads it) instead of Ibis's pandas route
        frame = self._session.createDataFrame(op.data.to_pyarrow(op.schema))
        frame.createOrReplaceTempView(op.name)

    def to_pyarrow_batches(
        self,
        expr: ir.Expr,
        /,
        *,
        params: Mapping[ir.Scalar, Any] | None = None,
        limit: int | str | None = None,
        chunk_size: int = 1_000_000,
        **kwargs: Any,
    ) -> pa.ipc.RecordBatchReader:
        """Stream a result in batches (Ibis's own collects the whole result first)."""
        table_expr = expr.as_table()
        self._run_pre_execute_hooks(table_expr)
        frame = self._session.sql(self.compile(table_expr, params=params, limit=limit))
        schema = table_expr.schema().to_pyarrow()

        def batches() -> Iterator[pa.RecordBatch]:
            for chunk in frame.toArrow().to_batches(max_chunksize=chunk_size):
                yield pa.RecordBatch.from_arrays(
                    [c.cast(f.type) for c, f in zip(chunk.columns, schema, strict=True)],
                    schema=schema,
                )

        return pa.RecordBatchReader.from_batches(schema, batches())


_NOT_HANDLED = object()


def _parse(query: str, dialect: Any) -> sge.Expression | None:
    """The statement of ``query`` when it is one Sanjeh writes (DML / DDL), else None:
    plain queries go to Spark SQL as they are, unparsed."""
    head = query.lstrip().split(None, 1)[0].upper() if query.strip() else ""
    if head not in ("INSERT", "DELETE", "CREATE", "DROP", "ALTER", "TRUNCATE"):
        return None
    try:
        parsed = sg.parse_one(query, read=dialect)
    except sg.errors.ParseError:
        return None
    return parsed if isinstance(parsed, sge.Expression) else None


def _marker() -> dict[str, int]:
    from ..model import MODEL_VERSION

    return {"layout": layout.LAYOUT_VERSION, "model_version": MODEL_VERSION}


def _spark_schema(schema: Any) -> Any:
    """The Spark schema of an Ibis schema (every column nullable: a lake checks nothing)."""
    from ibis.backends.pyspark.datatypes import PySparkSchema

    nullable = ibis.schema({n: t.copy(nullable=True) for n, t in schema.items()})
    return PySparkSchema.from_ibis(nullable)


def _with_month(schema: Any) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType([*schema.fields, StructField(layout.PARTITION, StringType(), True)])


def _in_utc(schema: Any) -> Any:
    """``schema`` with its zone-less timestamps (Spark's, see ``get_schema``) in UTC."""

    def utc(dtype: dt.DataType) -> dt.DataType:
        if dtype.is_timestamp() and dtype.timezone is None:
            return dt.Timestamp(timezone="UTC", scale=dtype.scale, nullable=dtype.nullable)
        return dtype

    return ibis.schema({name: utc(dtype) for name, dtype in schema.items()})
