"""Readers for the container formats: CSV (see ``_csv``), JSON Lines, Parquet and Excel
(``_xlsx``).

All yield ``(table, row_numbers, rejects)`` chunks of bounded size, so a file of
any size streams through an import. Whole documents (one JSON value, WebVTT and SRT
subtitles: ``DOCUMENT_KINDS``) are no rows: the format that reads one opens it itself.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import EmptyFile, EncodingError, IngestError, MissingColumns
from ._csv import CsvReader
from ._encoding import choose as choose_encoding
from ._encoding import is_utf8
from ._lists import as_text, json_text, nul_rows
from ._lists import column as list_column
from ._rows import NUL, Reject, one_line
from ._xlsx import XlsxReader, is_xlsx, not_a_workbook

FileKind = Literal["csv", "jsonl", "parquet", "xlsx", "json", "vtt", "srt"]
#: kinds a format reads as one document from ``ctx.path`` (a transcript), not as rows
DOCUMENT_KINDS: tuple[FileKind, ...] = ("json", "vtt", "srt")
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
    ".vtt": "vtt",
    ".srt": "srt",
}
#: the largest file looked at as one JSON document (a call's transcript is a few MB);
#: a bigger one is JSON Lines
_DOCUMENT_BYTES = 64 << 20
#: an SRT file's first cue: its number, then ``00:00:01,000 --> …``
_SRT_HEAD = re.compile(rb"\A\d+[ \t]*\r?\n[ \t]*\d+:\d\d:\d\d[,.]\d+[ \t]*-->")
#: how many lines of a JSON Lines file are looked at for its first object
_HEAD_LINES = 100
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
        raise IngestError(path, not_a_workbook(path))
    if head.startswith(_OLE2):
        raise IngestError(
            path,
            "an old Excel .xls workbook, which Sanjeh cannot read: save it as .xlsx (or CSV "
            "UTF-8) in Excel and import that",
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"{":
        return "json" if _one_json_document(path) else "jsonl"
    if stripped.startswith(b"WEBVTT"):
        return "vtt"
    if _SRT_HEAD.match(stripped):
        return "srt"
    return _SUFFIXES.get(path.suffix.lower(), "csv")


def _one_json_document(path: Path) -> bool:
    """Whether a file starting with ``{`` is one JSON document spread over lines (a
    pretty-printed transcript) rather than JSON Lines. A first line that is an object
    makes it JSON Lines (a one-line document reads as one row, and document formats read
    either); a file that is no valid document either stays JSON Lines, whose reader
    rejects its bad lines and keeps the rest."""
    with path.open("rb") as f:
        first = f.readline()
        while first and not first.strip():
            first = f.readline()
    try:
        if isinstance(json.loads(first.removeprefix(b"\xef\xbb\xbf")), dict):
            return False
    except (ValueError, RecursionError):
        pass
    if path.stat().st_size > _DOCUMENT_BYTES:
        return False
    try:
        return isinstance(read_json_document(path), dict)
    except IngestError:
        return False


def read_json_document(path: Path) -> Any:
    """The one JSON value a whole-document file holds (UTF-8, a byte-order mark allowed)."""
    try:
        return json.loads(path.read_bytes().decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError as exc:
        raise EncodingError(path, "JSON files must be UTF-8; re-save the file as UTF-8") from exc
    except (ValueError, RecursionError) as exc:
        raise IngestError(
            path, f"not a valid JSON document ({one_line(exc)}); export the file again"
        ) from exc


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
        return list(_parquet_file(path).schema_arrow.names)
    if kind == "json":  # its top-level keys
        document = read_json_document(path)
        return list(document) if isinstance(document, dict) else []
    if kind in DOCUMENT_KINDS:
        return []
    with path.open("rb") as f:
        # the first object names them; lines before it that are no object are rejected
        # when the file is read
        for raw in itertools.islice(f, _HEAD_LINES):
            try:
                obj = json.loads(raw) if raw.strip() else None
            except (ValueError, RecursionError):
                continue
            if isinstance(obj, dict):
                return list(obj)
    return []


class _Columns:
    """JSON objects gathered column by column: text, and arrays kept as tuples (their
    items become text when the column is built, ``list_column``). Rows of dicts holding
    lists kept the garbage collector busy (a quarter of the reading time); a column of
    tuples of text it soon stops looking at."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.rows = 0
        #: per column (those of earlier chunks too, so no chunk is left without
        #: columns, and its rows uncounted): its values and the rows that have one
        self.values: dict[str, tuple[list[Any], list[int]]] = {n: ([], []) for n in names}

    def add(self, obj: dict[str, Any]) -> None:
        """One object whose values are text, tuples or None (``_jsonl_row``)."""
        for key, value in obj.items():
            column = self.values.get(key)
            if column is None:
                column = self.values[key] = ([], [])
            column[0].append(value)
            column[1].append(self.rows)
        self.rows += 1

    def table(self) -> pa.Table:
        out = {}
        for key, (values, rows) in self.values.items():
            if len(values) < self.rows:  # rows without this key hold null
                full: list[Any] = [None] * self.rows
                for row, value in zip(rows, values, strict=True):
                    full[row] = value
                values = full
            out[key] = list_column(values)
        return pa.table(out)


#: a JSON escape of half a UTF-16 surrogate pair (json reads a lone one without a word)
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _jsonl_row(number: int, raw: bytes) -> dict[str, Any] | Reject:
    """One line's object, its values as text, arrays as tuples, or why it is none."""
    try:
        text = raw.decode("utf-8")
        obj = json.loads(text.removeprefix("\ufeff") if number == 1 else text)
        if not isinstance(obj, dict):
            return _rejected(number, raw, "a line must hold one JSON object {...}")
        for key, value in obj.items():
            if type(value) is not str:  # nearly every value is: kept as it is
                obj[key] = tuple(value) if isinstance(value, list) else json_text(value)
        if b"\\u" in raw and _SURROGATE.search(raw):  # a pair is a character; half is none
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeDecodeError:
        return _rejected(number, raw, "not valid UTF-8; re-save the file as UTF-8")
    except UnicodeEncodeError:
        return _rejected(
            number,
            raw,
            "holds half of a UTF-16 surrogate pair (\\ud800-\\udfff alone), which is no "
            "character; fix the text where the file was written",
        )
    except RecursionError:  # the line is kept short: it is brackets, thousands of them
        return _rejected(
            number,
            raw[:200],
            "nested too deeply to read (arrays or objects inside one another hundreds of "
            "levels deep); a support export has no such value",
        )
    except ValueError as exc:
        return _rejected(number, raw, f"not valid JSON ({one_line(exc)})")
    return obj


def _rejected(number: int, raw: bytes, reason: str) -> Reject:
    return Reject(number, reason, raw=raw.decode("utf-8", "backslashreplace").rstrip())


def read_jsonl(path: Path, chunk_rows: int, progress: Progress | None = None) -> Iterator[RawChunk]:
    """One JSON object per line; a line that is not one is rejected, the rest go on."""
    with path.open("rb") as f:
        sample = f.read(1 << 16)
        if not sample.strip():
            raise EmptyFile(path, "the file is empty; nothing to import")
        if not is_utf8(choose_encoding(path, sample, "utf-8")):
            raise EncodingError(path, "JSON Lines files must be UTF-8; re-save the file as UTF-8")
        f.seek(0)
        rows = _Columns()
        numbers: list[int] = []
        rejects: list[Reject] = []
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            row = _jsonl_row(number, raw)
            if isinstance(row, Reject):
                rejects.append(row)
                continue
            rows.add(row)
            numbers.append(number)
            if rows.rows >= chunk_rows:
                yield rows.table(), np.asarray(numbers), rejects
                rows, numbers, rejects = _Columns(rows.values), [], []
                if progress:
                    progress(f.tell())
        if rows.rows or rejects:
            yield rows.table(), np.asarray(numbers, dtype=np.int64), rejects
        if progress:
            progress(f.tell())


#: what pyarrow raises for a damaged Parquet file (thrift errors come as OSError)
_PARQUET_ERRORS = (pa.ArrowException, OSError, ValueError)


def _parquet_file(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except _PARQUET_ERRORS as exc:
        raise IngestError(
            path,
            f"not a readable Parquet file ({one_line(exc)}); the file is damaged or cut short: "
            "export it again",
        ) from exc


def read_parquet(
    path: Path, chunk_rows: int, progress: Progress | None = None
) -> Iterator[RawChunk]:
    """Row groups in batches; a damaged page stops the import (nothing is written): a
    binary file that is damaged cannot say which rows are sound."""
    pf = _parquet_file(path)
    if pf.metadata.num_rows == 0:
        raise EmptyFile(path, "the Parquet file has no rows; nothing to import")
    start = 1
    total = max(pf.metadata.num_rows, 1)
    size = path.stat().st_size
    batches = pf.iter_batches(batch_size=chunk_rows)
    while True:
        try:
            batch = next(batches, None)
        except _PARQUET_ERRORS as exc:
            raise IngestError(
                path,
                f"the Parquet file is damaged from row {start:,} on ({one_line(exc)}); nothing was "
                "imported: export the file again",
            ) from exc
        if batch is None:
            break
        table = pa.Table.from_batches([batch])
        rows = np.arange(start, start + table.num_rows, dtype=np.int64)
        yield _binary_as_text(table, rows)
        start += table.num_rows
        if progress:
            progress(int(size * min(1.0, (start - 1) / total)))


def _binary_as_text(table: pa.Table, rows: np.ndarray) -> RawChunk:
    """Binary columns (text written without its UTF-8 annotation) as text; a value that
    is not UTF-8 rejects its row."""
    bad = np.zeros(table.num_rows, dtype=bool)
    rejects: list[Reject] = []
    for i, name in enumerate(table.column_names):
        arr = table[name].combine_chunks()
        if not (pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)):
            continue
        try:  # fast path: the bytes are UTF-8 (the cast checks)
            table = table.set_column(i, name, arr.cast(pa.string()))
            continue
        except pa.ArrowInvalid:
            pass
        values = arr.to_pylist()
        texts: list[str | None] = []
        for at, value in enumerate(values):
            try:
                texts.append(None if value is None else value.decode("utf-8"))
            except UnicodeDecodeError as exc:
                texts.append(None)
                if not bad[at]:
                    bad[at] = True
                    rejects.append(
                        Reject(
                            int(rows[at]),
                            f"not valid UTF-8 text ({exc.reason} at byte {exc.start})",
                            field=name,
                            value=value.decode("utf-8", "backslashreplace"),
                        )
                    )
        table = table.set_column(i, name, pa.array(texts, pa.string()))
    if not bad.any():
        return table, rows, rejects
    keep = pa.array(~bad)
    return table.filter(keep), rows[~bad], rejects


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
    """Chunks of any container format; CSV and Excel rows come as text. A row with a NUL
    byte in any value is rejected here, for every format."""
    if kind in DOCUMENT_KINDS:
        raise IngestError(
            path,
            f"a whole {kind} document, not rows: this format reads rows (CSV, JSON Lines with "
            "one object a line, Parquet, Excel); leave --format out to read it as a "
            "transcript, or write one object a line",
        )
    if kind == "xlsx":
        chunks = XlsxReader(path, sheet).chunks(chunk_rows, progress)
    elif kind == "jsonl":
        if not is_utf8(encoding):
            raise EncodingError(path, "JSON Lines files must be UTF-8; leave --encoding out")
        chunks = read_jsonl(path, chunk_rows, progress)
    elif kind == "parquet":
        chunks = read_parquet(path, chunk_rows, progress)
    else:
        reader = CsvReader(path, delimiter=delimiter, encoding=encoding)
        chunks = ((b.table, b.lines, b.rejects) for b in reader.blocks(progress))
    for chunk in chunks:
        yield _without_nul(*chunk)


def _without_nul(table: pa.Table, rows: np.ndarray, rejects: list[Reject]) -> RawChunk:
    """The rows with no NUL byte in any value; the others rejected, naming the column.
    No database stores a NUL in text (PostgreSQL cannot), and in a text file it is damage."""
    bad = np.zeros(table.num_rows, dtype=bool)
    first: dict[int, str] = {}  # row index → the first column with a NUL
    for name in table.column_names:
        hit = nul_rows(table[name].combine_chunks())
        if hit is not None and hit.any():
            first.update((int(i), name) for i in np.flatnonzero(hit & ~bad))
            bad |= hit
    if not first:
        return table, rows, rejects
    indices = sorted(first)
    originals = table.take(pa.array(indices)).to_pylist()
    found = [
        Reject(
            int(rows[i]),
            NUL,
            field=first[i],
            value=as_text(table[first[i]].combine_chunks().slice(i, 1))[0].as_py(),
            raw=original,
        )
        for i, original in zip(indices, originals, strict=True)
    ]
    return table.filter(pa.array(~bad)), np.asarray(rows)[~bad], rejects + found


def require_columns(path: Path, present: list[str], required: list[str], what: str) -> None:
    missing = [c for c in required if c not in present]
    if missing:
        raise MissingColumns(
            path,
            f"missing required column(s) {', '.join(missing)} for {what}; the file has "
            f"{', '.join(present) or 'no columns'}",
        )
