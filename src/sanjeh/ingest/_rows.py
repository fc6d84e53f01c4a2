"""Plain data passed between readers, formats and the import pipeline."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pyarrow as pa


@dataclasses.dataclass
class Reject:
    """One row (or one field of a row) that could not be accepted."""

    row: int
    reason: str
    field: str = ""
    value: str | None = None
    raw: Any = None
    table: str = ""

    def describe(self, path: str) -> str:
        where = f"{path}, row {self.row}" + (f", field {self.field!r}" if self.field else "")
        return f"{where}: {self.reason}"

    def raw_json(self) -> str | None:
        if self.raw is None:
            return None
        if isinstance(self.raw, str):
            return self.raw
        return json.dumps(self.raw, ensure_ascii=False, default=str)


@dataclasses.dataclass
class RawRows:
    """Rows for one canonical table as read from a file, before validation.

    ``data`` has canonical column names (values usually text); ``rows`` gives each
    row's number in the file (the header is row 1, like a spreadsheet).
    """

    data: pa.Table
    rows: pa.Array

    def __post_init__(self) -> None:
        assert len(self.rows) == self.data.num_rows, "one row number per row"


@dataclasses.dataclass
class Chunk:
    """What one step of a reader yields: raw rows per table plus unreadable rows."""

    tables: dict[str, RawRows] = dataclasses.field(default_factory=dict)
    rejects: list[Reject] = dataclasses.field(default_factory=list)
    #: data rows of the input consumed by this chunk (for the summary)
    rows_read: int = 0
