"""Excel workbooks (.xlsx): one sheet read as text rows, like a CSV file.

The sheet (the first, or ``--option sheet=NAME``) is streamed with openpyxl's read-only
mode in chunks, so every format that reads CSV reads a workbook the same way. Cells
become the text a CSV export would hold: dates and times as ISO 8601 (``2026-03-01
08:15:00``, no offset: read in the import's zone; a date alone when the time is
midnight), whole numbers without ``.0``, booleans as ``true`` / ``false``. Row numbers
are the sheet's own, the header being the first row that has a value.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import ConfigError, EmptyFile, IngestError
from ._csv import unique_names
from ._rows import Reject, one_line

RawChunk = tuple[pa.Table, np.ndarray, list[Reject]]
Progress = Callable[[int], None]


def is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def not_a_workbook(path: Path) -> str:
    """What a ZIP archive that is no ``.xlsx`` workbook is, and what to do with it."""
    try:
        with zipfile.ZipFile(path):
            pass
    except (zipfile.BadZipFile, OSError):
        return (
            "a damaged ZIP archive (a workbook cut short or corrupted on the way?): open it "
            "in Excel and save it again, or export it again, and import that"
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return (
            f"named {path.suffix} but not an Excel workbook (a ZIP archive without "
            "xl/workbook.xml): save the sheet as .xlsx or CSV (UTF-8) and import that"
        )
    return (
        "a ZIP archive, not a data file (an .ods or .xls workbook cannot be read either): "
        "unpack it, or save the sheet as .xlsx or CSV (UTF-8), and import that"
    )


def cell_text(value: Any) -> str | None:
    """A cell's value as the text a CSV export would hold (None: empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # a duration cell ([h]:mm:ss)
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    text = str(value)
    return text if text.strip() else None


class XlsxReader:
    """The rows of one sheet as blocks of text columns with their sheet row numbers."""

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        import openpyxl  # imported on demand: it is slow to import

        self.path = path
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise IngestError(
                path,
                f"not a readable .xlsx workbook ({one_line(exc)}); open it in Excel and save "
                "it again",
            ) from exc
        names = self._book.sheetnames
        if sheet is not None and sheet not in names:
            self.close()
            raise ConfigError(
                f"--option sheet={sheet}: {path.name} has no such sheet; its sheets are "
                + ", ".join(names)
            )
        if not self._book.worksheets:
            self.close()
            raise IngestError(path, "the workbook has no sheet; nothing to import")
        self.sheet = self._book[sheet] if sheet is not None else self._book.worksheets[0]
        self.total_rows = self.sheet.max_row or 0  # from the sheet's own note; may be absent
        # a written dimension may be wrong: read every cell there is
        self.sheet.reset_dimensions()
        self._rows = self._sheet_rows()
        self.header: list[str] = []
        self.header_row = 0
        for number, row in self._rows:
            cells = [cell_text(v) for v in row]
            if any(c is not None for c in cells):
                while cells and cells[-1] is None:
                    cells.pop()
                self.header = unique_names([c or "" for c in cells])
                self.header_row = number
                break
        if not self.header:
            self.close()
            raise EmptyFile(path, f"the sheet {self.sheet.title!r} is empty; nothing to import")

    def close(self) -> None:
        self._book.close()

    def _sheet_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values); a damaged sheet (its XML cut short, a part missing, a
        checksum wrong) is one IngestError: a damaged stream has no sound rows after it."""
        number = 0
        rows = self.sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows, None)
            except Exception as exc:  # zipfile, zlib, XML and openpyxl errors alike
                self.close()
                raise IngestError(
                    self.path,
                    f"the sheet {self.sheet.title!r} is damaged "
                    + (f"after row {number:,}" if number else "at its start")
                    + f" ({type(exc).__name__}: {one_line(exc)}); nothing was imported: open the "
                    "workbook in Excel and save it again",
                ) from exc
            if row is None:
                return
            number += 1
            yield number, row

    def chunks(self, chunk_rows: int, progress: Progress | None = None) -> Iterator[RawChunk]:
        width = len(self.header)
        size = self.path.stat().st_size
        try:
            values: list[list[str | None]] = []
            numbers: list[int] = []
            rejects: list[Reject] = []
            number = self.header_row
            for number, row in self._rows:
                cells = [cell_text(v) for v in row]
                if not any(c is not None for c in cells):
                    continue  # an empty row is no row, as a blank line in a CSV file
                extra = [i for i, c in enumerate(cells) if i >= width and c is not None]
                if extra:
                    rejects.append(
                        Reject(
                            row=number,
                            reason=f"has a value in column {_letter(extra[0])}, beyond the "
                            f"header's {width} columns",
                            raw=cells,
                        )
                    )
                else:
                    values.append(cells[:width] + [None] * (width - len(cells)))
                    numbers.append(number)
                if len(values) >= chunk_rows:
                    yield self._chunk(values, numbers), np.asarray(numbers), rejects
                    values, numbers, rejects = [], [], []
                    if progress and self.total_rows:
                        progress(int(size * min(1.0, number / self.total_rows)))
            if values or rejects:
                yield self._chunk(values, numbers), np.asarray(numbers, dtype=np.int64), rejects
            if progress:
                progress(size)
        finally:
            self.close()

    def _chunk(self, values: list[list[str | None]], numbers: list[int]) -> pa.Table:
        columns = list(zip(*values, strict=True)) if values else [()] * len(self.header)
        return pa.table(
            {
                name: pa.array(list(col), pa.string())
                for name, col in zip(self.header, columns, strict=True)
            }
        )


def _letter(index: int) -> str:
    """Column letter of a 0-based column index (0 → A, 26 → AA)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out
