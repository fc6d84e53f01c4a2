"""Export a canonical table in Sanjeh's own format (CSV or Parquet), streaming."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from .._redaction import redact_table
from ..errors import ConfigError

if TYPE_CHECKING:
    from . import Store

LIST_SEPARATOR = ";"


def _csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Lists become `a;b`; timestamps ISO 8601 with Z, as the importer reads them."""
    arrays = []
    for field, col in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_list(field.type):
            col = pc.binary_join(col, LIST_SEPARATOR)
        elif pa.types.is_timestamp(field.type):
            col = pc.strftime(col, format="%Y-%m-%dT%H:%M:%SZ")
        arrays.append(col)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def export_table(
    store: Store, table: str, path: Path, fmt: str | None, *, redact: bool = False
) -> int:
    """Stream ``table`` to ``path``; with ``redact``, personal data in its free-text and
    personal columns is replaced, batch by batch (``redact_table``)."""
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"cannot export to {path}: say --format csv or --format parquet")
    if not path.parent.is_dir():
        raise ConfigError(f"cannot write {path}: folder {path.parent} does not exist")
    rows = 0
    writer: pq.ParquetWriter | pcsv.CSVWriter | None = None
    try:
        for batch in store.batches(table):
            if redact:
                batch = redact_table(table, batch)
            out = _csv_ready(batch) if fmt == "csv" else batch
            if writer is None:
                writer = (
                    pcsv.CSVWriter(str(path), out.schema)
                    if fmt == "csv"
                    else pq.ParquetWriter(str(path), out.schema)
                )
            writer.write(out)
            rows += batch.num_rows
        if writer is None:  # empty table: still write a header / schema
            schema = store.table(table).schema().to_pyarrow()
            if fmt == "csv":
                path.write_text(",".join(f'"{n}"' for n in schema.names) + "\n", encoding="utf-8")
            else:
                pq.write_table(schema.empty_table(), str(path))
    finally:
        if writer is not None:
            writer.close()
    return rows
