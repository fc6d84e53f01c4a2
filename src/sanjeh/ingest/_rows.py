"""Plain data passed between readers, formats and the import pipeline."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pyarrow as pa

#: why a row with a NUL byte in a value is rejected (PostgreSQL cannot store one in text)
NUL = "contains a NUL byte (\\x00), which no database stores in text; remove it"
#: the longest value an example in the import summary shows
_SHOWN = 60


def storable(text: str | None) -> str | None:
    """``text`` as any store keeps it: a NUL byte as ``\\x00``, half a surrogate pair
    as ``\\ud800`` (quarantine keeps what was read, so it holds whatever a file had)."""
    if text is None:
        return None
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def one_line(error: BaseException) -> str:
    """An exception's message on one line (a library's may span several), for a message
    that must be one: the CLI prints an error as one line."""
    text = "".join(c if c.isprintable() else " " for c in str(error))
    return " ".join(text.split()) or type(error).__name__


@dataclasses.dataclass
class Reject:
    """One row (or one field of a row) that could not be accepted."""

    row: int
    reason: str
    field: str = ""
    value: str | None = None
    raw: Any = None
    table: str = ""

    def __post_init__(self) -> None:
        self.reason = storable(self.reason) or ""
        self.field = storable(self.field) or ""
        self.value = storable(self.value)

    def describe(self, path: str) -> str:
        where = f"{path}, row {self.row}" + (f", field {self.field!r}" if self.field else "")
        if self.field and self.value is not None:
            shown = self.value if len(self.value) <= _SHOWN else self.value[: _SHOWN - 1] + "…"
            where += " = '" + shown.replace("\n", "\\n").replace("\r", "\\r") + "'"
        return f"{where}: {self.reason}"

    def raw_json(self) -> str | None:
        if self.raw is None:
            return None
        if isinstance(self.raw, str):
            return storable(self.raw)
        return storable(json.dumps(self.raw, ensure_ascii=False, default=str))


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
