"""Excel workbooks import like CSV files (issue 12, item 13).

Workbooks are written here with openpyxl the way helpdesk exports hold them: dates as
date cells, clock times as time cells, ids as numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sanjeh.errors import ConfigError, IngestError
from sanjeh.ingest import import_file
from sanjeh.ingest._xlsx import cell_text
from sanjeh.store import Store

from ._support import REAL, rejects_by_row, rows

UTC = dt.UTC


def _cell(value: str) -> object:
    """A CSV text as Excel holds it: clock times as times, whole numbers as numbers."""
    if value.count(":") == 2:
        h, m, s = (int(x) for x in value.split(":"))
        return dt.time(h, m, s)
    return int(value) if value.isdigit() and not value.startswith("0") else value


def test_a_real_call_log_imports_the_same_from_xlsx(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / REAL["anonbank"]
    book = openpyxl.Workbook()
    sheet = book.active
    with source.open(encoding="utf-8-sig", newline="") as f:
        for i, row in enumerate(csv.reader(f)):
            sheet.append(row if i == 0 else [_cell(v) for v in row])
    workbook = tmp_path / "anonbank_1999-08-01.xlsx"
    book.save(workbook)

    results = []
    for path in (source, workbook):
        with Store.open(str(tmp_path / f"{path.suffix[1:]}.duckdb")) as store:
            summary = import_file(store, path, params={"date": "1999-08-01"})
            calls = sorted(rows(store, "calls"), key=lambda r: r["call_id"])
            rejected = sorted(rejects_by_row(store))
        results.append((summary.format, summary.rows_read, summary.rejected, calls, rejected))
    assert results[1] == results[0]
    assert results[0][1] == 2375  # every call of the day is read from both


def _tickets_book(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Export"
    sheet.append(["ticket_id", "created_at", "subject", "status"])
    sheet.append([1001, dt.datetime(2026, 3, 1, 8, 15), "سفارش من نرسیده", "open"])  # row 2
    sheet.append([1002, dt.datetime(2026, 3, 2), "midnight", "solved"])  # row 3
    sheet.append([])  # row 4: empty, no row
    sheet.append([1003, "31/02/2026", "not a date", "open"])  # row 5
    sheet.append([1004, dt.datetime(2026, 3, 2, 9), "x", "open", None, "stray"])  # row 6
    sheet.append([1005, dt.datetime(2026, 3, 3, 23, 59, 30), 42, "bogus"])  # row 7
    other = book.create_sheet("Old")
    other.append(["ticket_id", "created_at"])
    other.append(["9", dt.datetime(2025, 1, 1, 12)])
    book.save(path)
    return path


def test_a_ticket_sheet_with_dates_rejects_and_row_numbers(
    duckdb_store: Store, tmp_path: Path
) -> None:
    path = _tickets_book(tmp_path / "tickets.xlsx")
    summary = import_file(duckdb_store, path, params={"timezone": "Asia/Tehran"})
    assert summary.format == "tickets"  # recognised by its columns, as a CSV file would be
    assert (summary.rows_read, summary.rejected) == (5, 3)
    rejected = rejects_by_row(duckdb_store)
    assert set(rejected) == {5, 6, 7}  # the sheet's own row numbers
    assert rejected[5]["field"] == "created_at" and rejected[5]["value"] == "31/02/2026"
    assert "column F" in rejected[6]["reason"]
    assert rejected[7]["field"] == "status"
    tickets = {t["ticket_id"]: t for t in rows(duckdb_store, "tickets")}
    # Excel dates have no zone: read in the import's, like a CSV time without an offset
    assert tickets["local:1001"]["created_at"] == dt.datetime(2026, 3, 1, 4, 45, tzinfo=UTC)
    assert tickets["local:1002"]["created_at"] == dt.datetime(2026, 3, 1, 20, 30, tzinfo=UTC)
    assert tickets["local:1001"]["subject"] == "سفارش من نرسیده"


def test_another_sheet_by_name(duckdb_store: Store, tmp_path: Path) -> None:
    path = _tickets_book(tmp_path / "tickets.xlsx")
    summary = import_file(duckdb_store, path, params={"sheet": "Old"})
    assert (summary.rows_read, summary.rejected) == (1, 0)
    with pytest.raises(ConfigError, match="no such sheet; its sheets are Export, Old"):
        import_file(duckdb_store, path, params={"sheet": "New"})


def test_a_summary_export_with_a_mapping(duckdb_store: Store, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ticket ID", "Created", "First reply time in minutes"])
    sheet.append([1, dt.datetime(2024, 3, 1, 9), 30])
    sheet.append([2, dt.datetime(2024, 3, 1, 9), 12.5])
    sheet.append([3, dt.datetime(2024, 3, 1, 9), "abc"])
    path = tmp_path / "desk.xlsx"
    book.save(path)
    mapping = tmp_path / "desk.toml"
    mapping.write_text(
        '[columns]\nticket_id = "Ticket ID"\ncreated_at = "Created"\n'
        'first_response_minutes = "First reply time in minutes"\n',
        encoding="utf-8",
    )
    summary = import_file(duckdb_store, path, mapping=mapping)
    assert (summary.rows_read, summary.rejected) == (3, 1)
    replies = {
        e["ticket_id"]: e["at"]
        for e in rows(duckdb_store, "events")
        if e["event_id"].endswith("-first-reply")
    }
    assert replies == {
        "summary:1": dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        "summary:2": dt.datetime(2024, 3, 1, 9, 12, 30, tzinfo=UTC),
    }


def test_workbooks_sanjeh_cannot_read_are_named(duckdb_store: Store, tmp_path: Path) -> None:
    xls = tmp_path / "tickets.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(IngestError, match=r"old Excel \.xls workbook.*save it as \.xlsx"):
        import_file(duckdb_store, xls)
    ods = tmp_path / "tickets.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("content.xml", "<office/>")
    with pytest.raises(IngestError, match="ZIP archive"):
        import_file(duckdb_store, ods)
    assert all(n == 0 for n in duckdb_store.counts().values())


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("  ", None),
        (True, "true"),
        (42, "42"),
        (42.0, "42"),
        (12.5, "12.5"),
        (dt.datetime(2026, 3, 1, 8, 15, 30), "2026-03-01 08:15:30"),
        (dt.datetime(2026, 3, 1), "2026-03-01"),
        (dt.time(7, 1, 13), "07:01:13"),
        (dt.timedelta(hours=26, seconds=5), "26:00:05"),
    ],
)
def test_cells_read_as_a_csv_export_writes_them(value: object, text: str | None) -> None:
    assert cell_text(value) == text
