"""Streaming CSV reading that never loses a row and always knows its line number.

The file is read in blocks cut at record boundaries (a newline outside quotes,
found with NumPy), so memory stays bounded. Each block is parsed by Arrow's
fast CSV parser. Only when Arrow meets trouble in a block — a row with the wrong
number of fields, a stray quote, bytes that are not UTF-8 — is that one block
parsed again line by line with Python's ``csv`` module, which pins each bad row
to its line and still accepts the good ones around it.

Every value comes out as text (or null when empty); typing happens later in
``_coerce`` where a bad value rejects one row, not the file.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from ..errors import EmptyFile, EncodingError, IngestError
from ._rows import Reject

BLOCK_BYTES = 8 << 20
MAX_RECORD_BYTES = 16 << 20  # an open quote this long is corruption, not a record
DEFER_BYTES = 1 << 20  # an open quote at a block's end shorter than this may be a real value
SAMPLE_BYTES = 1 << 16
_NL, _QUOTE = 10, 34

Progress = Callable[[int], None]


@dataclasses.dataclass
class CsvBlock:
    table: pa.Table  # every column as string
    lines: np.ndarray  # line number of each row (header = line 1)
    rejects: list[Reject]


def check_encoding(path: Path, sample: bytes, encoding: str) -> None:
    """Fail early, with advice, when a whole file is not in the expected encoding."""
    if sample[:2] in (b"\xff\xfe", b"\xfe\xff") and encoding.replace("-", "") in (
        "utf8",
        "utf8sig",
    ):
        raise EncodingError(
            path, "the file is UTF-16 text; re-save it as UTF-8 or pass --encoding utf-16"
        )
    if encoding.replace("-", "").lower() not in ("utf8", "utf8sig"):
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise EncodingError(path, f"unknown encoding {encoding!r}") from None
        return
    lines = sample.split(b"\n")
    if len(sample) == SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut mid-character
    bad = 0
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
    if lines and bad > max(2, len(lines) // 5):
        guess = _guess_encoding(sample)
        raise EncodingError(
            path,
            f"the file is not UTF-8 text ({bad} of the first {len(lines)} lines are not); "
            f"it looks like {guess}: re-save it as UTF-8 or pass --encoding {guess}",
        )


def _guess_encoding(sample: bytes) -> str:
    # Windows-1256 is what Excel writes for Persian / Arabic on Windows
    arabic = sum(1 for b in sample if 0xC1 <= b <= 0xFE)
    return "cp1256" if arabic > len(sample) // 20 else "latin-1"


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


class CsvReader:
    """Read a delimited text file as blocks of string columns."""

    def __init__(
        self,
        path: Path,
        *,
        delimiter: str | None = None,
        encoding: str = "utf-8",
        block_bytes: int = BLOCK_BYTES,
    ) -> None:
        self.path = path
        self.encoding = encoding
        self.block_bytes = block_bytes
        with path.open("rb") as f:
            sample = f.read(SAMPLE_BYTES)
        if not sample.strip():
            raise EmptyFile(path, "the file is empty; nothing to import")
        check_encoding(path, sample, encoding)
        first = self._decode(sample).lstrip("\ufeff").splitlines()[0] if sample else ""
        self.delimiter = delimiter or _sniff_delimiter(first)
        header = next(csv.reader([first], delimiter=self.delimiter), [])
        if not any(h.strip() for h in header):
            raise EmptyFile(path, "the first line (the header) is empty")
        self.header = _unique(header)

    def _decode(self, data: bytes) -> str:
        return data.decode(self.encoding if self._transcode else "utf-8", errors="replace")

    @property
    def _transcode(self) -> bool:
        return self.encoding.replace("-", "").lower() not in ("utf8", "utf8sig")

    # -- block splitting ----------------------------------------------------------------

    def _byte_blocks(self, f: BinaryIO) -> Iterator[bytes]:
        decoder = codecs.getincrementaldecoder(self.encoding)() if self._transcode else None
        while True:
            data = f.read(self.block_bytes)
            if decoder is not None:
                data = decoder.decode(data, final=not data).encode("utf-8")
            if not data:
                return
            yield data

    def blocks(self, progress: Progress | None = None) -> Iterator[CsvBlock]:
        with self.path.open("rb") as f:
            carry = b""
            line = 1  # line number of the first line in `carry`
            first = True
            for data in self._byte_blocks(f):
                buf = carry + data
                if first:
                    buf = buf.removeprefix(b"\xef\xbb\xbf")
                    end = buf.find(b"\n")
                    if end < 0:  # header only, so far
                        carry = buf
                        continue
                    buf, line, first = buf[end + 1 :], 2, False
                block, used = self._split(buf, line, final=False)
                if block is not None:
                    yield block
                line += buf.count(b"\n", 0, used)
                carry = buf[used:]
                if progress:
                    progress(f.tell())
            if first and carry:  # header without a trailing newline, no data
                return
            if carry.strip():
                block, _ = self._split(
                    carry if carry.endswith(b"\n") else carry + b"\n", line, final=True
                )
                if block is not None:
                    yield block
            if progress:
                progress(f.tell())

    def _split(self, buf: bytes, line: int, *, final: bool) -> tuple[CsvBlock | None, int]:
        """Parse the complete records at the start of ``buf``; return them and the bytes used.

        A newline ends a record when an even number of quotes precede it. Arrow parses
        those records; if it meets trouble (or a quote never closes for megabytes), the
        line-exact parser takes over and decides itself where the records end, so a
        stray quote cannot shift the record boundaries of the rest of the file.
        """
        arr = np.frombuffer(buf, np.uint8)
        newlines = np.flatnonzero(arr == _NL)
        if b'"' in buf:
            quotes = np.flatnonzero(arr == _QUOTE)
            ends = newlines[(np.searchsorted(quotes, newlines) % 2) == 0]
        else:  # no quotes (common for machine exports): every newline ends a record
            ends = newlines
        if len(ends):
            cut = int(ends[-1]) + 1
            first_lines = line + np.concatenate(([0], np.searchsorted(newlines, ends[:-1]) + 1))
            block = self._parse(buf[:cut], first_lines)
            if block is not None:
                return block, cut
        elif not final and len(buf) < MAX_RECORD_BYTES:
            return None, 0  # a record still open: read more
        if not len(newlines):
            return None, 0
        last = int(newlines[-1]) + 1
        return self._parse_slow(buf[:last], line, final=final or len(buf) >= MAX_RECORD_BYTES)

    # -- parsing ------------------------------------------------------------------------

    def _parse(self, data: bytes, lines: np.ndarray) -> CsvBlock | None:
        """Arrow's fast parse of whole records; None when the block needs the slow path."""
        trouble = False

        def on_invalid(_row: object) -> str:
            nonlocal trouble
            trouble = True
            return "skip"

        names = self.header
        try:
            table = pcsv.read_csv(
                io.BytesIO(data),
                read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 20),
                parse_options=pcsv.ParseOptions(
                    delimiter=self.delimiter,
                    newlines_in_values=True,
                    invalid_row_handler=on_invalid,
                    ignore_empty_lines=False,
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    null_values=[""],
                ),
            )
        except pa.ArrowInvalid:
            trouble = True  # e.g. bytes that are not UTF-8
        if trouble or table.num_rows != len(lines):
            return None
        # a blank line parses as a row of nulls: it is not a row, so drop it quietly
        filled = np.zeros(table.num_rows, dtype=bool)
        for column in table.columns:
            filled |= column.is_valid().to_numpy(zero_copy_only=False)
        if not filled.all():
            table, lines = table.filter(pa.array(filled)), lines[filled]
        return CsvBlock(table, lines, [])

    def _parse_slow(self, data: bytes, first_line: int, *, final: bool) -> tuple[CsvBlock, int]:
        """Line-exact parsing of a troubled block; good rows are kept, bad ones rejected.

        Returns the block and the bytes it used: unless ``final``, a quoted value still
        open at the end of ``data`` (a record cut by the block boundary) is left for the
        next block — when it is short; a quote open for a megabyte is a stray one.
        """
        width = len(self.header)
        rejects: list[Reject] = []
        good_rows: list[list[str]] = []
        good_lines: list[int] = []
        physical = data.split(b"\n")
        if physical and physical[-1] == b"":
            physical.pop()
        starts = np.concatenate(([0], np.cumsum([len(p) + 1 for p in physical])))
        used = int(starts[-1])
        texts: list[tuple[int, str]] = []
        for offset, raw in enumerate(physical):
            number = first_line + offset
            try:
                texts.append((number, raw.decode("utf-8").removesuffix("\r")))
            except UnicodeDecodeError as exc:
                rejects.append(
                    Reject(
                        row=number,
                        reason=f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at position "
                        f"{exc.start + 1}); re-save the file as UTF-8",
                        raw=raw.decode("utf-8", errors="backslashreplace"),
                    )
                )

        def accept_or_reject(number: int, fields: list[str], text: str) -> None:
            if len(fields) == width:
                good_rows.append(fields)
                good_lines.append(number)
            elif fields and any(f.strip() for f in fields):
                rejects.append(
                    Reject(
                        row=number,
                        reason=f"has {len(fields)} fields, the header has {width} "
                        "(a stray quote or delimiter?)",
                        raw=text,
                    )
                )

        i = 0
        while i < len(texts):
            number, text = texts[i]
            # gather physical lines until the quotes balance (a multi-line value)
            j, joined = i, text
            while (
                joined.count('"') % 2
                and j + 1 < len(texts)
                and texts[j + 1][0] == (texts[j][0] + 1)
            ):
                j += 1
                joined += "\n" + texts[j][1]
            try:
                fields = next(csv.reader([joined], delimiter=self.delimiter, strict=False), [])
            except csv.Error:  # a newline outside quotes: these lines are not one record
                fields = []
            balanced = joined.count('"') % 2 == 0
            at_end = j == len(texts) - 1
            start = int(starts[number - first_line])
            if not final and not balanced and at_end and used - start < DEFER_BYTES:
                used = start  # probably a record cut by the block boundary: next block
                break
            if j == i or (balanced and len(fields) == width):
                accept_or_reject(number, fields, joined)
                i = j + 1
                continue
            # a quote opened and never closed properly: judge this line on its own and
            # carry on with the next one, so the rows after a stray quote survive
            alone = next(csv.reader([text], delimiter=self.delimiter, strict=False), [])
            accept_or_reject(number, alone, text)
            i += 1

        columns: list[Any] = list(zip(*good_rows, strict=True)) if good_rows else [[]] * width
        table = pa.table(
            {
                name: pa.array([v if v != "" else None for v in col], pa.string())
                for name, col in zip(self.header, columns, strict=True)
            }
        )
        deferred_from = first_line + data.count(b"\n", 0, used)  # lines left for later
        rejects = [r for r in rejects if r.row < deferred_from]
        return CsvBlock(table, np.asarray(good_lines, dtype=np.int64), rejects), used


def read_header(path: Path, delimiter: str | None = None, encoding: str = "utf-8") -> list[str]:
    try:
        return CsvReader(path, delimiter=delimiter, encoding=encoding).header
    except IngestError:
        raise
    except OSError as exc:
        raise IngestError(path, f"cannot read the file ({exc.strerror})") from exc
