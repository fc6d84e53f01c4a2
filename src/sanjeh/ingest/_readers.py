"""Readers for the container formats: CSV (see ``_csv``), JSON Lines, Parquet and Excel
(``_xlsx``).

All yield ``(table, row_numbers, rejects)`` chunks of bounded size, so a file of
any size streams through an import.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import EmptyFile, EncodingError, IngestError, MissingColumns
from ._csv import CsvReader
from ._encoding import choose as choose_encoding
from ._encoding import is_utf8
from ._rows import Reject
from ._xlsx import XlsxReader, is_xlsx

FileKind = Literal["csv", "jsonl", "parquet", "xlsx"]
RawChunk = tuple[pa.Table, np.ndarray, list[Reject]]
Progress = Callable[[int], None]

_SUFFIXES: dict[str, FileKind] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
#: what a file that is none of these turns out to be, and what to do with it
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.xls)
_ZIP = b"PK\x03\x04"


def text_kind(kind: FileKind) -> FileKind:
    """The kind whose formats read ``kind``: a sheet is read as a CSV file is."""
    return "csv" if kind == "xlsx" else kind


def file_kind(path: Path) -> FileKind:
    """Container format by content first (Parquet magic, a leading ``{``), then by suffix."""
    with path.open("rb") as f:
        head = f.read(4096)
    if head[:4] == b"PAR1":
        return "parquet"
    if head.startswith(_ZIP):
        if is_xlsx(path):
            return "xlsx"
        raise IngestError(
            path,
            "a ZIP archive, not a data file (an .ods or .xls workbook cannot be read either): "
            "unpack it, or save the sheet as .xlsx or CSV (UTF-8), and import that",
        )
    if head.startswith(_OLE2):
        raise IngestError(
            path,
            "an old Excel .xls workbook, which Sanjeh cannot read: save it as .xlsx (or CSV "
            "UTF-8) in Excel and import that",
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"{":
        return "jsonl"
    return _SUFFIXES.get(path.suffix.lower(), "csv")


def columns_of(
    path: Path, kind: FileKind, encoding: str = "utf-8", sheet: str | None = None
) -> list[str]:
    """Column names of a file without reading it all."""
    if kind == "csv":
        return CsvReader(path, encoding=encoding).header
    if kind == "xlsx":
        reader = XlsxReader(path, sheet)
        reader.close()
        return reader.header
    if kind == "parquet":
        return list(pq.ParquetFile(path).schema_arrow.names)
    with path.open("rb") as f:
        for raw in f:
            if raw.strip():
                try:
                    obj = json.loads(raw)
                except ValueError:
                    return []
                return list(obj) if isinstance(obj, dict) else []
    return []


def _scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value if v is not None)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_jsonl(path: Path, chunk_rows: int, progress: Progress | None = None) -> Iterator[RawChunk]:
    """One JSON object per line; a line that is not one is rejected, the rest go on."""
    with path.open("rb") as f:
        sample = f.read(1 << 16)
        if not sample.strip():
            raise EmptyFile(path, "the file is empty; nothing to import")
        if not is_utf8(choose_encoding(path, sample, "utf-8")):
            raise EncodingError(path, "JSON Lines files must be UTF-8; re-save the file as UTF-8")
        f.seek(0)
        rows: list[dict[str, Any]] = []
        numbers: list[int] = []
        rejects: list[Reject] = []
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw)
            except UnicodeDecodeError:
                rejects.append(
                    Reject(
                        number,
                        "not valid UTF-8; re-save the file as UTF-8",
                        raw=raw.decode("utf-8", "backslashreplace"),
                    )
                )
                continue
            except ValueError as exc:
                rejects.append(
                    Reject(
                        number,
                        f"not valid JSON ({exc})",
                        raw=raw.decode("utf-8", "backslashreplace").rstrip(),
                    )
                )
                continue
            if not isinstance(obj, dict):
                rejects.append(
                    Reject(
                        number,
                        "a line must hold one JSON object {...}",
                        raw=raw.decode("utf-8", "backslashreplace").rstrip(),
                    )
                )
                continue
            rows.append({k: _scalar_text(v) for k, v in obj.items()})
            numbers.append(number)
            if len(rows) >= chunk_rows:
                yield _jsonl_table(rows), np.asarray(numbers), rejects
                rows, numbers, rejects = [], [], []
                if progress:
                    progress(f.tell())
        if rows or rejects:
            yield _jsonl_table(rows), np.asarray(numbers, dtype=np.int64), rejects
        if progress:
            progress(f.tell())


def _jsonl_table(rows: list[dict[str, Any]]) -> pa.Table:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return pa.table({n: pa.array([r.get(n) for r in rows], pa.string()) for n in names})


def read_parquet(
    path: Path, chunk_rows: int, progress: Progress | None = None
) -> Iterator[RawChunk]:
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise IngestError(path, f"not a readable Parquet file ({exc})") from exc
    if pf.metadata.num_rows == 0:
        raise EmptyFile(path, "the Parquet file has no rows; nothing to import")
    start = 1
    total = max(pf.metadata.num_rows, 1)
    size = path.stat().st_size
    for batch in pf.iter_batches(batch_size=chunk_rows):
        table = pa.Table.from_batches([batch])
        yield table, np.arange(start, start + table.num_rows, dtype=np.int64), []
        start += table.num_rows
        if progress:
            progress(int(size * min(1.0, (start - 1) / total)))


def read_raw(
    path: Path,
    kind: FileKind,
    *,
    chunk_rows: int,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
) -> Iterator[RawChunk]:
    """Chunks of any container format; CSV and Excel rows come as text."""
    if kind == "xlsx":
        yield from XlsxReader(path, sheet).chunks(chunk_rows, progress)
    elif kind == "jsonl":
        if not is_utf8(encoding):
            raise EncodingError(path, "JSON Lines files must be UTF-8; leave --encoding out")
        yield from read_jsonl(path, chunk_rows, progress)
    elif kind == "parquet":
        yield from read_parquet(path, chunk_rows, progress)
    else:
        reader = CsvReader(path, delimiter=delimiter, encoding=encoding)
        for block in reader.blocks(progress):
            yield block.table, block.lines, block.rejects


def require_columns(path: Path, present: list[str], required: list[str], what: str) -> None:
    missing = [c for c in required if c not in present]
    if missing:
        raise MissingColumns(
            path,
            f"missing required column(s) {', '.join(missing)} for {what}; the file has "
            f"{', '.join(present) or 'no columns'}",
        )
