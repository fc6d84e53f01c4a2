"""Hostile files (issue #23): a damaged file is one Sanjeh error naming it, a damaged line
a rejected row naming its line (rows read = accepted + rejected); no NUL byte reaches a
store (PostgreSQL cannot hold one in text); times no support system wrote are rejected
with their field and value; a JSON array is a list, only delimited text is split.

Every file is written to a temporary folder and imported with ``import_file``, as the
CLI does; ``test_cli_*`` run the command itself and check its error is one line.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanjeh.cli import main
from sanjeh.errors import IngestError, StrictModeError
from sanjeh.ingest import ImportSummary, import_file
from sanjeh.store import Store

from ._support import data_counts, rejects_by_row, rows

GOOD = {"ticket_id": "1", "created_at": "2026-03-01T08:00:00Z", "channel": "email"}
#: a line of JSON nested 50,000 deep: json raises RecursionError on it
DEEP = b'{"ticket_id": "2", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"


def _jsonl(path: Path, *lines: dict[str, Any] | bytes) -> Path:
    raw = [line if isinstance(line, bytes) else json.dumps(line).encode() for line in lines]
    path.write_bytes(b"\n".join(raw) + b"\n")
    return path


def _ticket(i: int, **more: Any) -> dict[str, Any]:
    return {**GOOD, "ticket_id": str(i), **more}


def _tickets(store: Store) -> dict[str, dict[str, Any]]:
    return {r["ticket_id"]: r for r in rows(store, "tickets")}


def _accounted(summary: ImportSummary, accepted: int, rejected: int) -> None:
    assert (summary.rows_read, summary.rejected) == (accepted + rejected, rejected), (
        summary.as_dict()
    )


def _refused(store: Store, path: Path, *words: str, **kw: Any) -> str:
    """The import stops with one IngestError naming the file, and writes nothing."""
    with pytest.raises(IngestError) as caught:
        import_file(store, path, **kw)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    for word in words:
        assert word in message, message
    assert data_counts(store) == {}
    return message


# -- a list is a list ----------------------------------------------------------------------


def test_a_json_array_is_a_list_and_only_text_is_split(duckdb_store: Store, tmp_path) -> None:
    path = _jsonl(
        tmp_path / "tickets.jsonl",
        _ticket(1, tags=["a;b", " c ", "", None, 7]),  # items trimmed, blank / null dropped
        _ticket(2, tags="x;y | z"),  # text in the same column: split at ; and |
        _ticket(3, tags=[]),
        _ticket(4),
        _ticket(5, subject=["Re", "order 7"]),  # a list for a text column: joined with ;
    )
    summary = import_file(duckdb_store, path)
    _accounted(summary, 5, 0)
    got = _tickets(duckdb_store)
    assert got["local:1"]["tags"] == ["a;b", "c", "7"]
    assert got["local:2"]["tags"] == ["x", "y", "z"]
    assert got["local:3"]["tags"] == []
    assert got["local:4"]["tags"] is None
    assert got["local:5"]["subject"] == "Re;order 7"


def test_every_row_an_array(duckdb_store: Store, tmp_path) -> None:
    """A column of arrays only (the usual export) is a list column from the reader on."""
    path = _jsonl(tmp_path / "tickets.jsonl", _ticket(1, tags=["a;b"]), _ticket(2, tags=["c|d"]))
    import_file(duckdb_store, path)
    assert {k: r["tags"] for k, r in _tickets(duckdb_store).items()} == {
        "local:1": ["a;b"],
        "local:2": ["c|d"],
    }


def test_a_parquet_list_column_is_a_list(duckdb_store: Store, tmp_path) -> None:
    path = tmp_path / "tickets.parquet"
    table = pa.table(
        {
            "ticket_id": ["1", "2"],
            "created_at": ["2026-03-01T08:00:00Z"] * 2,
            "channel": ["email"] * 2,
            "tags": pa.array([["a;b", "c"], None], pa.list_(pa.string())),
            # a nested value where text belongs: its JSON, not a traceback
            "subject": pa.array([{"x": 1}, None], pa.struct([("x", pa.int64())])),
        }
    )
    pq.write_table(table, path)
    _accounted(import_file(duckdb_store, path), 2, 0)
    got = _tickets(duckdb_store)
    assert got["local:1"]["tags"] == ["a;b", "c"] and got["local:2"]["tags"] is None
    assert got["local:1"]["subject"] == '{"x": 1}'


SUMMARY_MAPPING = """
source = "desk"
[columns]
ticket_id = "Ticket ID"
created_at = "Created"
subject = "Subject"
"""


def _mapping(folder: Path, *more: str) -> Path:
    path = folder / "desk.toml"
    path.write_text(SUMMARY_MAPPING + "".join(f"{line}\n" for line in more), encoding="utf-8")
    return path


def test_a_json_array_is_a_list_in_a_summary_export(duckdb_store: Store, tmp_path) -> None:
    """The summary format splits text at ; | or , (its default): never an array's items."""
    mapping = _mapping(tmp_path, 'tags = "Tags"')
    created = "2024-03-01 09:00:00"
    path = _jsonl(
        tmp_path / "export.jsonl",
        {"Ticket ID": "1", "Created": created, "Subject": "a", "Tags": ["late, again", "vip"]},
        {"Ticket ID": "2", "Created": created, "Subject": "b", "Tags": "late, again"},
    )
    _accounted(import_file(duckdb_store, path, mapping=mapping), 2, 0)
    got = _tickets(duckdb_store)
    assert got["desk:1"]["tags"] == ["late, again", "vip"]
    assert got["desk:2"]["tags"] == ["late", "again"]


# -- damaged lines: rejected rows ------------------------------------------------------------


@pytest.mark.parametrize("first", [False, True], ids=["middle", "first-line"])
def test_a_line_nested_50000_deep_is_a_rejected_row(
    duckdb_store: Store, tmp_path, first: bool
) -> None:
    lines = [DEEP, _ticket(1), _ticket(3)] if first else [_ticket(1), DEEP, _ticket(3)]
    path = _jsonl(tmp_path / "tickets.jsonl", *lines)  # found by its first object's columns
    summary = import_file(duckdb_store, path)
    _accounted(summary, 2, 1)
    deep = 1 if first else 2
    reject = rejects_by_row(duckdb_store)[deep]
    assert "nested too deeply" in reject["reason"]
    assert len(reject["raw"]) <= 200  # the brackets are not all kept
    assert f"{path}, row {deep}: nested too deeply" in summary.examples[0]
    assert set(_tickets(duckdb_store)) == {"local:1", "local:3"}


def test_half_a_surrogate_pair_is_a_rejected_row(duckdb_store: Store, tmp_path) -> None:
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(
        b'{"ticket_id": "1", "created_at": "2026-03-01T08:00:00Z", "subject": "\\ud800"}\n'
        # a pair is one character (U+1F600) and is kept
        b'{"ticket_id": "2", "created_at": "2026-03-01T08:00:00Z", "subject": "\\ud83d\\ude00"}\n'
    )
    summary = import_file(duckdb_store, path)
    _accounted(summary, 1, 1)
    assert "surrogate" in rejects_by_row(duckdb_store)[1]["reason"]
    assert _tickets(duckdb_store)["local:2"]["subject"] == "\U0001f600"


def test_parquet_bytes_that_are_not_utf8_reject_their_row(duckdb_store: Store, tmp_path) -> None:
    path = tmp_path / "tickets.parquet"
    table = pa.table(
        {
            "ticket_id": ["1", "2"],
            "created_at": ["2026-03-01T08:00:00Z"] * 2,
            "subject": pa.array([b"ok", b"caf\xe9"], pa.binary()),  # text saved as bytes
        }
    )
    pq.write_table(table, path)
    summary = import_file(duckdb_store, path)
    _accounted(summary, 1, 1)
    reject = rejects_by_row(duckdb_store)[2]
    assert reject["field"] == "subject" and "not valid UTF-8" in reject["reason"]
    assert _tickets(duckdb_store)["local:1"]["subject"] == "ok"


# -- damaged files: one error naming the file -----------------------------------------------


def _parquet(path: Path) -> Path:
    table = pa.table(
        {
            "ticket_id": [str(i) for i in range(200)],
            "created_at": ["2026-03-01T08:00:00Z"] * 200,
            "subject": [f"subject {i} " * 20 for i in range(200)],
        }
    )
    pq.write_table(table, path, compression="snappy")
    return path


def _damaged_parquet(path: Path) -> Path:
    """Bytes of the first data page overwritten: the footer still reads."""
    data = bytearray(_parquet(path).read_bytes())
    for i in range(8, 400):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("named", [False, True], ids=["detected", "--format"])
def test_a_parquet_file_cut_short(duckdb_store: Store, tmp_path, named: bool) -> None:
    path = tmp_path / "tickets.parquet"
    path.write_bytes(_parquet(path).read_bytes()[:-200])
    kw = {"format": "tickets"} if named else {}
    _refused(duckdb_store, path, "not a readable Parquet file", "export it again", **kw)


def test_a_parquet_file_with_a_damaged_page(duckdb_store: Store, tmp_path) -> None:
    path = _damaged_parquet(tmp_path / "tickets.parquet")
    _refused(duckdb_store, path, "damaged from row 1", "nothing was imported")


def test_a_workbook_cut_short(duckdb_store: Store, tmp_path) -> None:
    path = tmp_path / "tickets.xlsx"
    _workbook(path)
    path.write_bytes(path.read_bytes()[:1500])
    _refused(duckdb_store, path, "a damaged ZIP archive", "save it again")


def test_a_zip_named_xlsx(duckdb_store: Store, tmp_path) -> None:
    path = tmp_path / "tickets.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "no workbook here")
    _refused(duckdb_store, path, "named .xlsx but not an Excel workbook")


def test_a_workbook_whose_sheet_is_damaged(duckdb_store: Store, tmp_path) -> None:
    path = tmp_path / "tickets.xlsx"
    _workbook(path)
    parts = _parts(path)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:400]
    _write_parts(path, parts)
    _refused(duckdb_store, path, "the sheet 'Sheet' is damaged", "save it again")


def _workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(GOOD))
    for i in range(1, 30):
        sheet.append([str(i), "2026-03-01T08:00:00Z", "email"])
    book.save(path)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _write_parts(path: Path, parts: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def test_csv_lines_that_are_not_utf8_are_rejected_rows(duckdb_store: Store, tmp_path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_bytes(
        b"ticket_id,created_at,subject\n"
        b"1,2026-03-01T08:00:00Z,ok\n"
        b"2,2026-03-01T08:00:00Z,caf\xe9\n"
        b"3,2026-03-01T08:00:00Z,ok\n"
    )
    summary = import_file(duckdb_store, path)
    _accounted(summary, 2, 1)
    assert "not valid UTF-8" in rejects_by_row(duckdb_store)[3]["reason"]


# -- the CLI: one line, no traceback -------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.err


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("tickets.parquet", _damaged_parquet, "damaged from row 1"),
        ("tickets.parquet", lambda p: p.write_bytes(b"PAR1" + b"\0" * 64), "not a readable"),
        ("tickets.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\0" * 64), "damaged ZIP"),
    ],
    ids=["parquet-page", "parquet-footer", "xlsx-cut"],
)
def test_cli_a_damaged_file_is_one_error_line(capsys, tmp_path, name, make, words) -> None:
    path = tmp_path / name
    make(path)
    code, err = _cli(capsys, "import", str(path), "--db", str(tmp_path / "s.duckdb"))
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith(f"error: {path}: ") and words in lines[0], err


def test_cli_a_deep_json_line_is_named_by_its_line(capsys, tmp_path) -> None:
    path = _jsonl(tmp_path / "tickets.jsonl", _ticket(1), DEEP, _ticket(3))
    db = str(tmp_path / "s.duckdb")
    code, err = _cli(capsys, "import", str(path), "--db", db)
    assert code == 0 and "1 rows rejected" in err
    assert f"e.g. {path}, row 2: nested too deeply" in err
    code, err = _cli(capsys, "import", str(path), "--db", db, "--strict")
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith(f"error: {path}: row 2: nested too deeply"), err


# -- NUL bytes -----------------------------------------------------------------------------


def test_a_nul_byte_rejects_its_row_on_every_store(store: Store, tmp_path) -> None:
    """PostgreSQL cannot store a NUL in text: the row is rejected, naming the field, and
    the quarantine keeps the value with the NUL written as \\x00."""
    store.init()
    path = tmp_path / "tickets.csv"
    path.write_bytes(
        b"ticket_id,created_at,subject\n"
        b"1,2026-03-01T08:00:00Z,he\x00llo\n"
        b"2\x00,2026-03-01T08:00:00Z,ok\n"
        b"3,2026-03-01T08:00:00Z,ok\n"
    )
    summary = import_file(store, path)
    _accounted(summary, 1, 2)
    quarantined = rejects_by_row(store)
    assert {n: (r["field"], r["value"]) for n, r in quarantined.items()} == {
        2: ("subject", "he\\x00llo"),
        3: ("ticket_id", "2\\x00"),
    }
    assert all("contains a NUL byte" in r["reason"] for r in quarantined.values())
    assert "\x00" not in json.dumps([r["raw"] for r in quarantined.values()])
    assert "field 'subject' = 'he\\x00llo': contains a NUL byte" in summary.examples[0]
    assert set(_tickets(store)) == {"local:3"}


def test_a_nul_byte_in_json_lines_and_parquet(duckdb_store: Store, tmp_path) -> None:
    path = _jsonl(
        tmp_path / "tickets.jsonl",
        _ticket(1, tags=["ok", "b\u0000d"]),  # in a list's item
        _ticket(2, subject="\u0000"),
        _ticket(3, **{"no\u0000te": "x"}),  # in the name of a column no table has: no harm
    )
    _accounted(import_file(duckdb_store, path), 1, 2)
    quarantined = rejects_by_row(duckdb_store)
    assert {n: (r["field"], r["value"]) for n, r in quarantined.items()} == {
        1: ("tags", "ok;b\\x00d"),
        2: ("subject", "\\x00"),
    }
    assert "\x00" not in quarantined[1]["raw"] and "\\u0000" in quarantined[1]["raw"]

    path = tmp_path / "events.parquet"
    events = {
        "event_id": ["e1", "e2"],
        "ticket_id": ["1", "1"],
        "at": ["2026-03-01T08:00:00Z"] * 2,
        "kind": ["message"] * 2,
        "actor_type": ["agent"] * 2,
        "body": ["hi", "b\x00ye"],
    }
    pq.write_table(pa.table(events), path)
    _accounted(import_file(duckdb_store, path), 1, 1)
    assert [r["event_id"] for r in rows(duckdb_store, "events")] == ["local:e1"]


def test_a_nul_byte_rejects_a_summary_row_whole(duckdb_store: Store, tmp_path) -> None:
    """A real-world row that becomes a ticket and its events goes whole, under the
    export's own column name."""
    mapping = _mapping(tmp_path)
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"Ticket ID,Created,Subject\n1,2024-03-01 09:00,ok\n2,2024-03-01 09:00,b\x00d\n"
    )
    _accounted(import_file(duckdb_store, path, mapping=mapping), 1, 1)
    assert rejects_by_row(duckdb_store)[3]["field"] == "Subject"
    assert {r["ticket_id"] for r in rows(duckdb_store, "events")} == {"desk:1"}


# -- times that cannot be ------------------------------------------------------------------


def _iso(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _dated(path: Path, *created: str) -> Path:
    lines = ["ticket_id,created_at"] + [f"{i},{c}" for i, c in enumerate(created, start=1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_times_in_the_future_or_before_1970_are_rejected(duckdb_store: Store, tmp_path) -> None:
    now = dt.datetime.now(dt.UTC)
    path = _dated(
        tmp_path / "tickets.csv",
        _iso(now + dt.timedelta(hours=1)),  # within the day's tolerance
        _iso(now + dt.timedelta(days=2)),
        "2200-01-01T00:00:00Z",  # the ticket that emptied "the last 28 days"
        "1969-12-31T23:59:59Z",
        "1403-05-01",  # a Jalali date
        "1970-01-01T00:00:00Z",
    )
    summary = import_file(duckdb_store, path)
    _accounted(summary, 2, 4)
    quarantined = rejects_by_row(duckdb_store)
    assert {n: (r["field"], r["value"]) for n, r in quarantined.items()} == {
        3: ("created_at", _iso(now + dt.timedelta(days=2))),
        4: ("created_at", "2200-01-01T00:00:00Z"),
        5: ("created_at", "1969-12-31T23:59:59Z"),
        6: ("created_at", "1403-05-01"),
    }
    assert quarantined[3]["reason"].startswith("is in the future (after ")
    assert "[import] future_tolerance, 1 day" in quarantined[4]["reason"]
    assert quarantined[6]["reason"].startswith("is before 1970")
    assert "Jalali" in quarantined[6]["reason"]
    assert "field 'created_at' = '2200-01-01T00:00:00Z': is in the future" in "".join(
        summary.examples
    )
    assert set(_tickets(duckdb_store)) == {"local:1", "local:6"}


@pytest.mark.parametrize(
    ("tolerance", "accepted"),
    [(dt.timedelta(0), {"local:1"}), (dt.timedelta(days=3), {"local:1", "local:2", "local:3"})],
)
def test_the_future_tolerance(duckdb_store: Store, tmp_path, tolerance, accepted) -> None:
    now = dt.datetime.now(dt.UTC)
    path = _dated(
        tmp_path / "tickets.csv",
        _iso(now - dt.timedelta(minutes=5)),
        _iso(now + dt.timedelta(hours=1)),
        _iso(now + dt.timedelta(days=2)),
    )
    import_file(duckdb_store, path, future_tolerance=tolerance)
    assert set(_tickets(duckdb_store)) == accepted


def test_plans_may_lie_ahead_and_since_dates_before_1970(duckdb_store: Store, tmp_path) -> None:
    """A roster is written before its shifts, an agent's start date before the start; a
    customer may be one since 1965 — but not since 1850."""
    ahead = _iso(dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
    later = _iso(dt.datetime.now(dt.UTC) + dt.timedelta(days=30, hours=8))
    shifts = tmp_path / "agent_shifts.csv"
    shifts.write_text(f"shift_id,agent_id,start_at,end_at\ns1,a1,{ahead},{later}\n")
    _accounted(import_file(duckdb_store, shifts, format="agent_shifts"), 1, 0)
    agents = tmp_path / "agents.csv"
    agents.write_text(f"agent_id,name,hired_at\na1,Sara,{ahead}\na2,Reza,1965-04-01\n")
    _accounted(import_file(duckdb_store, agents, format="agents"), 2, 0)
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,created_at,churned_at\n"
        "c1,1965-04-01,\n"
        "c2,1850-01-01,\n"
        f"c3,2020-01-01,{ahead}\n"  # left in a month: not yet
    )
    _accounted(import_file(duckdb_store, customers, format="customers"), 1, 2)
    quarantined = rejects_by_row(duckdb_store)
    assert quarantined[3]["reason"].startswith("is before 1900")
    assert quarantined[4]["field"] == "churned_at"


def test_a_future_time_rejects_a_summary_row_whole(duckdb_store: Store, tmp_path) -> None:
    mapping = _mapping(tmp_path)
    path = tmp_path / "export.csv"
    path.write_text("Ticket ID,Created,Subject\n1,2024-03-01 09:00,ok\n2,2204-03-01 09:00,typo\n")
    _accounted(import_file(duckdb_store, path, mapping=mapping), 1, 1)
    reject = rejects_by_row(duckdb_store)[3]
    assert (reject["field"], reject["value"]) == ("Created", "2204-03-01 09:00")
    assert "is in the future" in reject["reason"]
    assert {r["ticket_id"] for r in rows(duckdb_store, "events")} == {"desk:1"}


def test_cli_reads_the_future_tolerance_setting(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = _dated(tmp_path / "tickets.csv", _iso(dt.datetime.now(dt.UTC) + dt.timedelta(days=2)))
    db = str(tmp_path / "s.duckdb")
    code, err = _cli(capsys, "import", str(path), "--db", db)
    assert code == 0 and "1 rows rejected" in err
    Path("sanjeh.toml").write_text('[import]\nfuture_tolerance = "3d"\n', encoding="utf-8")
    code, err = _cli(capsys, "import", str(path), "--db", db)
    assert code == 0 and "rejected" not in err
    Path("sanjeh.toml").write_text('[import]\nfuture_tolerance = "soon"\n', encoding="utf-8")
    code, err = _cli(capsys, "import", str(path), "--db", db)
    assert code == 1 and err.strip().splitlines() == [
        "error: sanjeh.toml: [import]: future_tolerance must be a duration such as 90s, 30m, "
        "12h or 1d (a number alone: seconds), not 'soon'"
    ]


def test_strict_names_the_future_time(duckdb_store: Store, tmp_path) -> None:
    path = _dated(tmp_path / "tickets.csv", "2026-03-01T08:00:00Z", "2200-01-01T00:00:00Z")
    with pytest.raises(StrictModeError, match="row 3, field 'created_at': is in the future"):
        import_file(duckdb_store, path, strict=True)
    assert data_counts(duckdb_store) == {}
