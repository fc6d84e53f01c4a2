"""Sanjeh's own format: one file per canonical table, columns named as in the model.

The same format ``sanjeh export`` writes, in CSV, JSON Lines or Parquet, so an
export imports back unchanged. See ``docs/formats.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from ...model import TABLES, TableSpec
from .._readers import FileKind, require_columns
from .._rows import Chunk, RawRows
from ._base import Context, Format


class Native(Format):
    kinds = ("csv", "jsonl", "parquet")
    default_source = "local"

    def __init__(self, spec: TableSpec) -> None:
        self.spec = spec
        self.name = spec.name  # type: ignore[misc]
        self.title = f"Sanjeh {spec.name} (CSV, JSON Lines or Parquet)"  # type: ignore[misc]
        self.tables = (spec.name,)  # type: ignore[misc]

    def score(self, path: Path, kind: FileKind, columns: list[str]) -> float:
        names = set(columns)
        required = set(self.spec.required) - {"source"}
        if not required <= names:
            return 0.0
        overlap = len(names & set(self.spec.column_names)) / max(len(names), 1)
        named = path.stem.lower().startswith(self.spec.name)
        return 0.5 * overlap + (0.45 if named else 0.0) + 0.01 * len(required)

    def read(self, ctx: Context) -> Iterator[Chunk]:
        spec = self.spec
        known = set(spec.column_names)
        checked = False
        for table, rows, rejects in ctx.raw():
            if not checked:
                required = [c for c in spec.required if c != "source"]
                require_columns(ctx.path, table.column_names, required, f"{spec.name} rows")
                checked = True
            keep = [c for c in table.column_names if c in known]
            data = table.select(keep)
            if "source" not in keep:
                data = data.append_column(
                    "source", pa.array([ctx.source] * data.num_rows, pa.string())
                )
            yield Chunk(
                tables={spec.name: RawRows(data, pa.array(rows, pa.int64()))},
                rejects=rejects,
                rows_read=table.num_rows + len(rejects),
            )

    def ignored_columns(self, columns: list[str]) -> list[str]:
        return [c for c in columns if c not in set(self.spec.column_names)]


FORMATS = [Native(spec) for spec in TABLES.values()]
