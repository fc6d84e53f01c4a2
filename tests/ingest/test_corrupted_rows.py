"""Corrupted copies of real and native files: good rows import, each bad row is reported.

Each copy gets a bad timestamp, a missing id, text in a numeric field, a stray quote
and a row in the wrong encoding (Windows-1256 bytes in a UTF-8 file). Row numbers
count lines of the file with the header as row 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanjeh.ingest import import_file
from sanjeh.store import Store

from ._support import CP1256, REAL, corrupt, line_of, rejects_by_row, rows, set_field

#: what a whole-row reject says: the row could not be split into fields / decoded
STRAY_QUOTE = "fields"
NOT_UTF8 = "UTF-8"


def _check(store: Store, expected: dict[int, str], ignore: frozenset[int] = frozenset()) -> None:
    """Every expected row is quarantined, naming its field (or the whole-row reason)."""
    found = {row: r for row, r in rejects_by_row(store).items() if row not in ignore}
    assert set(found) == set(expected)
    for row, what in expected.items():
        reject = found[row]
        if what in (STRAY_QUOTE, NOT_UTF8):
            assert reject["field"] is None and what in reject["reason"], reject
        else:
            assert reject["field"] == what, reject
        assert reject["raw"], reject  # the offending row is kept for fixing


def test_anonbank(duckdb_store: Store, shared_data: Path, tmp_path: Path) -> None:
    path = corrupt(
        shared_data / REAL["anonbank"],
        tmp_path / "anonbank_1999-08-01.csv",
        {
            10: set_field(3, b"25:61:00"),  # vru_entry: not a clock time
            20: set_field(1, b""),  # call_id missing
            30: set_field(12, b"abc"),  # ser_time: text in a number of seconds
            40: set_field(2, b'"PS'),  # a stray quote
            50: set_field(13, CP1256),  # server name in Windows-1256
        },
    )
    summary = import_file(duckdb_store, path)
    natural = frozenset({482, 804, 1195})  # rejected in the pristine file too (clock disagreement)
    _check(
        duckdb_store,
        {10: "vru_entry", 20: "call_id", 30: "ser_time", 40: STRAY_QUOTE, 50: NOT_UTF8},
        ignore=natural,
    )
    assert summary.rejected == 5 + len(natural)
    assert len(rows(duckdb_store, "calls")) == 2375 - 5 - len(natural)
    by_row = rejects_by_row(duckdb_store)
    assert by_row[10]["value"] == "25:61:00" and "H:MM:SS" in by_row[10]["reason"]
    assert "row 10, field 'vru_entry'" in summary.examples[0]


def test_helpdesk_log(duckdb_store: Store, shared_data: Path, tmp_path: Path) -> None:
    semi = b";"
    path = corrupt(
        shared_data / REAL["helpdesk_log"],
        tmp_path / "helpdesk.csv",
        {
            11: set_field(2, b"2010-13-45 99:00:00", semi),
            21: set_field(0, b"", semi),
            31: set_field(1, b"abc", semi),  # an activity code is a number
            41: set_field(0, b'"12', semi),
            51: set_field(1, CP1256, semi),
        },
    )
    import_file(duckdb_store, path)
    _check(
        duckdb_store,
        {11: "timestamp", 21: "case_id", 31: "activity", 41: STRAY_QUOTE, 51: NOT_UTF8},
    )
    assert len(rows(duckdb_store, "tickets")) == 4580  # every case keeps other events
    assert len(rows(duckdb_store, "events")) == 25810 - 5


def test_volvo(duckdb_store: Store, shared_data: Path, tmp_path: Path) -> None:
    path = corrupt(
        shared_data / REAL["volvo"],
        tmp_path / "volvo.csv",
        {
            12: set_field(1, b"2010-02-30T25:00:00+01:00"),
            22: set_field(0, b""),
            32: set_field(10, b"abc"),  # ST Level: not L1 / L2 / L3
            42: set_field(2, b'"Accepted'),
            52: set_field(15, CP1256),
        },
    )
    import_file(duckdb_store, path)
    _check(
        duckdb_store,
        {
            12: "Change Date+Time",
            22: "SR Number",
            32: "ST Level",
            42: STRAY_QUOTE,
            52: NOT_UTF8,
        },
    )
    assert len(rows(duckdb_store, "tickets")) == 51


def test_twcs(duckdb_store: Store, shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / REAL["twcs"]
    # edit fields before the free text (which may hold quoted commas)
    edits = {
        line_of(src, b"119245,"): (set_field(3, b"Wed Oct 99 15:33:22 +0000 2017"), "created_at"),
        line_of(src, b"119257,"): (set_field(0, b""), "tweet_id"),
        line_of(src, b"119259,"): (set_field(0, b"1192x9"), "tweet_id"),  # text in an id
        line_of(src, b"119335,"): (set_field(1, b'"Tesco'), STRAY_QUOTE),  # the last line
        line_of(src, b"119290,"): (set_field(1, CP1256), NOT_UTF8),
    }
    path = corrupt(src, tmp_path / "twcs.csv", {n: e for n, (e, _) in edits.items()})
    import_file(duckdb_store, path)
    _check(duckdb_store, {n: what for n, (_, what) in edits.items()})
    messages = [e for e in rows(duckdb_store, "events") if e["kind"] == "message"]
    assert len(messages) == 93 - 5
    # 119258 answered the tweet now missing: it starts a (partial) thread named after it
    tickets = {t["ticket_id"]: t for t in rows(duckdb_store, "tickets")}
    assert tickets["twitter:119257"]["tags"] == ["partial_thread"]


def test_twcs_stray_quote_before_a_multiline_text(
    duckdb_store: Store, shared_data: Path, tmp_path: Path
) -> None:
    src = shared_data / REAL["twcs"]
    line = line_of(src, b"119284,")
    path = corrupt(src, tmp_path / "twcs.csv", {line: set_field(1, b'"SpotifyCares')})
    import_file(duckdb_store, path)
    _check(duckdb_store, {line: STRAY_QUOTE})


# -- Sanjeh's own format --------------------------------------------------------------------

EVENT = "e{n},t1,2026-03-01T09:0{n}:00Z,message,agent,a-5,true,{tier},سلام {n}"


def test_native_events_csv(duckdb_store: Store, tmp_path: Path) -> None:
    lines = ["event_id,ticket_id,at,kind,actor_type,actor_id,public,tier,body"]
    lines += [EVENT.format(n=n, tier=1) for n in range(1, 9)]
    lines[2] = lines[2].replace("2026-03-01T09:02:00Z", "2026-03-01T25:02:00Z")  # row 3
    lines[3] = lines[3].replace("e3,", ",", 1)  # row 4: no event_id
    lines[4] = lines[4].replace(",1,", ",one,")  # row 5: text in the int column tier
    lines[5] = lines[5].replace("t1,", '"t1,', 1)  # row 6: a stray quote
    data = "\n".join(lines).encode()
    bad = EVENT.format(n=7, tier=1).encode("cp1256")  # row 8 in Windows-1256
    data = data.replace(EVENT.format(n=7, tier=1).encode(), bad)
    path = tmp_path / "events.csv"
    path.write_bytes(data + b"\n")
    summary = import_file(duckdb_store, path)
    assert summary.format == "events"
    _check(duckdb_store, {3: "at", 4: "event_id", 5: "tier", 6: STRAY_QUOTE, 8: NOT_UTF8})
    # the row after the stray quote (row 7) survives: the quote does not swallow it
    events = sorted(e["event_id"] for e in rows(duckdb_store, "events"))
    assert events == ["local:e1", "local:e6", "local:e8"]


def test_native_tickets_jsonl(duckdb_store: Store, tmp_path: Path) -> None:
    good: dict[str, Any] = {"channel": "email", "created_at": "2026-03-01T08:15:00Z"}
    lines = [
        json.dumps({"ticket_id": "1", **good}),
        json.dumps({"ticket_id": "2", **good, "created_at": "yesterday"}),
        '{"ticket_id": "3", "channel": "email", "created_at": ',  # cut short
        json.dumps({**good}),  # no ticket_id
        json.dumps({"ticket_id": "5", **good, "priority": "whenever"}),
        json.dumps({"ticket_id": "6", **good, "subject": "سفارش"}, ensure_ascii=False),
    ]
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_file(duckdb_store, path)
    by_row = rejects_by_row(duckdb_store)
    assert {r: by_row[r]["field"] for r in by_row} == {
        2: "created_at",
        3: None,
        4: "ticket_id",
        5: "priority",
    }
    assert "not valid JSON" in by_row[3]["reason"]
    assert sorted(t["ticket_id"] for t in rows(duckdb_store, "tickets")) == ["local:1", "local:6"]


def test_native_calls_parquet_with_a_wrong_typed_column(
    duckdb_store: Store, tmp_path: Path
) -> None:
    table = pa.table(
        {
            "call_id": ["c1", "c2", "c3", None],
            "started_at": pa.array([1_700_000_000_000_000] * 4, pa.timestamp("us", tz="UTC")),
            "outcome": ["answered", "answered", "abandoned", "answered"],
            # talk time written as text by a spreadsheet: one value is not a number
            "talk_s": ["12.5", "about a minute", "7", "3"],
        }
    )
    path = tmp_path / "calls.parquet"
    pq.write_table(table, path)
    summary = import_file(duckdb_store, path)
    assert summary.format == "calls"
    by_row = rejects_by_row(duckdb_store)  # Parquet has no header line: row 1 is the first
    assert {r: by_row[r]["field"] for r in by_row} == {2: "talk_s", 4: "call_id"}
    calls = {c["call_id"]: c["talk_s"] for c in rows(duckdb_store, "calls")}
    assert calls == {"local:c1": 12.5, "local:c3": 7.0}


@pytest.mark.parametrize("name", list(REAL))
def test_strict_aborts_and_writes_nothing(
    duckdb_store: Store, shared_data: Path, tmp_path: Path, name: str
) -> None:
    from sanjeh.errors import StrictModeError

    src = shared_data / REAL[name]
    delimiter = b";" if name == "helpdesk_log" else b","
    path = corrupt(src, tmp_path / src.name, {3: set_field(0, b"", delimiter)})
    with pytest.raises(StrictModeError) as caught:
        import_file(duckdb_store, path, strict=True)
    assert str(path) in str(caught.value) and "row 3" in str(caught.value)
    counts = duckdb_store.counts()
    assert all(n == 0 for t, n in counts.items()), counts
