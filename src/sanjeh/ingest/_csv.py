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
from ._encoding import choose as choose_encoding
from ._encoding import hint as encoding_hint
from ._encoding import is_utf8
from ._rows import Reject

BLOCK_BYTES = 8 << 20
MAX_RECORD_BYTES = 16 << 20  # an open quote this long is corruption, not a record
DEFER_BYTES = 1 << 20  # an open quote at a block's end shorter than this may be a real value
SAMPLE_BYTES = 1 << 16
_NL, _CR, _QUOTE = 10, 13, 34
#: code points (private use) that stand in for a bare carriage return while the csv module
#: splits a line: the first one the line does not contain
_STAND_INS = range(0xE000, 0xF900)
# the slow path must take any value the fast one takes (the default limit is 128 KB)
if csv.field_size_limit() < MAX_RECORD_BYTES:
    csv.field_size_limit(MAX_RECORD_BYTES)

Progress = Callable[[int], None]


@dataclasses.dataclass
class CsvBlock:
    table: pa.Table  # every column as string
    lines: np.ndarray  # line number of each row (header = line 1)
    rejects: list[Reject]


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def unique_names(names: list[str]) -> list[str]:
    """Header names made usable: blanks named by position, repeats numbered."""
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
        self.encoding = choose_encoding(path, sample, encoding)
        self._hint: str | None = None  # advice for lines that are not UTF-8
        text = self._decode(sample).lstrip("\ufeff")
        if "\n" not in text and "\r" in text.strip():
            raise IngestError(
                path,
                "lines end with a carriage return alone (an old Mac format); re-save the "
                "file with Windows or Unix line ends",
            )
        # records end at a newline only, as the blocks are cut (not at \x85, \u2028 …)
        first = text.split("\n", 1)[0].removesuffix("\r")
        self.delimiter = delimiter or _sniff_delimiter(first)
        header = next(csv.reader([first], delimiter=self.delimiter), [])
        if not any(h.strip() for h in header):
            raise EmptyFile(path, "the first line (the header) is empty")
        self.header = unique_names(header)

    def _decode(self, data: bytes) -> str:
        return data.decode(self.encoding if self._transcode else "utf-8", errors="replace")

    @property
    def _transcode(self) -> bool:
        return not is_utf8(self.encoding)

    # -- block splitting ----------------------------------------------------------------

    def _byte_blocks(self, f: BinaryIO) -> Iterator[bytes]:
        """The file's bytes as UTF-8. A byte the encoding has no character for stays as
        it is, so the line-exact parser rejects its line (not the file)."""
        decoder = None
        if self._transcode:
            decoder = codecs.getincrementaldecoder(self.encoding)(errors="surrogateescape")
        while True:
            data = f.read(self.block_bytes)
            if decoder is not None:
                try:
                    text = decoder.decode(data, final=not data)
                except UnicodeDecodeError as exc:  # e.g. a lone surrogate in UTF-16
                    raise EncodingError(
                        self.path,
                        f"not valid {self.encoding} text near byte "
                        f"{f.tell() - len(data) + exc.start}; re-save the file as UTF-8",
                    ) from None
                data = text.encode("utf-8", errors="surrogateescape")
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
            rest = carry if carry.endswith(b"\n") else carry + b"\n"
            while rest.strip():  # what is left after the last block, to the last byte
                block, used = self._split(rest, line, final=True)
                if block is not None:
                    yield block
                if not used:
                    break
                line += rest.count(b"\n", 0, used)
                rest = rest[used:]
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
            if b'"' not in buf or self._quoted_right(arr[:cut], quotes[quotes < cut]):
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

    def _quoted_right(self, arr: np.ndarray, quotes: np.ndarray) -> bool:
        """Whether every quote opens a value (after a delimiter or a line start) or closes
        one (before a delimiter or a line end), or is half of an escaped ``""``.

        Arrow takes ``1,"a⏎2,b⏎3,"c`` as one record whose value swallows the lines
        between two stray quotes; such a block goes to the line-exact parser instead.
        """
        delimiter = self.delimiter.encode()
        if len(delimiter) != 1 or len(quotes) % 2:
            return False
        opens, closes = quotes[0::2], quotes[1::2]
        before = arr[np.maximum(opens - 1, 0)]
        after = arr[np.minimum(closes + 1, len(arr) - 1)]
        first, last = opens == 0, closes == len(arr) - 1  # (no byte before / after them)
        starts = first | np.isin(before, (delimiter[0], _NL, _QUOTE))
        stops = last | np.isin(after, (delimiter[0], _NL, _CR, _QUOTE))
        # a quote next to a quote must be the other half of its pair: "" inside a value
        starts &= first | (before != _QUOTE) | np.r_[False, opens[1:] - 1 == closes[:-1]]
        stops &= last | (after != _QUOTE) | np.r_[closes[:-1] + 1 == opens[1:], False]
        return bool(starts.all() and stops.all())

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
                where = f"byte 0x{raw[exc.start]:02x} at position {exc.start + 1}"
                if self._hint is None:  # measured on the first such line, kept for the rest
                    self._hint = encoding_hint(raw)
                reason = f"not valid UTF-8 ({where}); {self._hint}"
                if self._transcode:
                    reason = f"not {self.encoding} text ({where}); check --encoding"
                rejects.append(
                    Reject(
                        row=number,
                        reason=reason,
                        raw=raw.decode("utf-8", errors="backslashreplace"),
                    )
                )

        def accept_or_reject(number: int, fields: list[str] | str, text: str) -> None:
            if isinstance(fields, str):  # the csv module could not split the line
                rejects.append(Reject(row=number, reason=fields, raw=text))
            elif len(fields) == width:
                good_rows.append(fields)
                good_lines.append(number)
            elif any(f.strip() for f in fields):  # a line of blanks is no row, like an empty one
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
            # quoted by the book: text after a closing quote, or a quote that never
            # closes, is a stray quote (the lenient csv module would drop it silently)
            fields = _split_fields(joined, self.delimiter)
            balanced = joined.count('"') % 2 == 0
            at_end = j == len(texts) - 1
            start = int(starts[number - first_line])
            if not final and not balanced and at_end and used - start < DEFER_BYTES:
                used = start  # probably a record cut by the block boundary: next block
                break
            if j == i or (balanced and not isinstance(fields, str)):
                accept_or_reject(number, fields, joined)
                i = j + 1
                continue
            # a quote opened and never closed properly (or text follows its closing
            # quote): judge this line on its own and carry on with the next one, so the
            # rows after a stray quote survive
            accept_or_reject(number, _split_fields(text, self.delimiter), text)
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


#: what the csv module's errors mean for the person fixing the file
_CSV_ERRORS = {
    "unexpected end of data": "a quote opens a value and never closes (a stray quote?)",
    "expected after": "text follows the closing quote of a value (a stray quote?)",
    "new-line character": "a line break outside quotes",
}


def _split_fields(text: str, delimiter: str) -> list[str] | str:
    """The fields of one record, or why it has none (a reason for its reject).

    Records end at ``\n`` only (where the blocks are cut); a bare ``\r`` inside a
    value is part of it, though the ``csv`` module refuses one outside quotes.
    """
    stand_in = ""
    if "\r" in text:
        stand_in = next((chr(c) for c in _STAND_INS if chr(c) not in text), "")
        if not stand_in:
            return "holds a carriage return the csv module cannot place"
        text = text.replace("\r", stand_in)
    try:
        fields = next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error as exc:
        why = next((v for k, v in _CSV_ERRORS.items() if k in str(exc)), str(exc))
        return f"cannot be split into fields: {why}"
    if stand_in:
        fields = [f.replace(stand_in, "\r") for f in fields]
    return fields


def read_header(path: Path, delimiter: str | None = None, encoding: str = "utf-8") -> list[str]:
    try:
        return CsvReader(path, delimiter=delimiter, encoding=encoding).header
    except IngestError:
        raise
    except OSError as exc:
        raise IngestError(path, f"cannot read the file ({exc.strerror})") from exc
