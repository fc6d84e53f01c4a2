"""validate_records: JSON records validated exactly as the same objects in a JSON Lines file
of Sanjeh's own format (#18). The file is imported into a store of its own; the records'
accepted rows must equal the rows it stored, and their rejects its quarantine (row, field,
reason), so the intake API can never accept what an import refuses, or the other way."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from sanjeh.errors import ConfigError
from sanjeh.ingest import import_file, validate_records
from sanjeh.ingest._intake import NOT_AN_OBJECT
from sanjeh.store import Store

NOW = "2026-03-01T08:00:00Z"

#: records of each table, good and bad, with JSON numbers, booleans, arrays and text; the
#: first of each is complete (a file's first object names its columns)
# fmt: off
RECORDS: dict[str, list[Any]] = {
    "tickets": [
        {"ticket_id": 1, "created_at": "2026-02-01T08:00:00Z", "channel": "Email",
         "priority": "HIGH", "tags": ["vip;gold", "refund"], "subject": "سلام"},
        {"ticket_id": "t-2", "created_at": "2026-02-01 11:30:00", "status": "On Hold"},
        {"ticket_id": "zendesk:9", "created_at": "۱۴۰۴-۰۱-۰۱T10:00:00Z"},  # Jalali year
        {"ticket_id": "t-4", "created_at": "yesterday"},
        {"ticket_id": "t-5", "created_at": "2099-01-01T00:00:00Z"},  # the future
        {"ticket_id": "t-6", "created_at": "2026-02-01T08:00:00+03:30", "channel": "pigeon"},
        {"ticket_id": "t-7", "created_at": "2026-02-02T08:00:00Z", "solved_at": "x",
         "unknown_column": 5},
        {"ticket_id": "  ", "created_at": "2026-02-02T08:00:00Z"},  # blank id
        {"ticket_id": "t-9\u0000", "created_at": "2026-02-02T08:00:00Z"},  # a NUL
        {"ticket_id": "t-10", "created_at": "2026-02-02T08:00:00Z", "tags": "a; b|c"},
        {"ticket_id": "t-11", "created_at": "2026-02-03T09:00:00Z",
         "updated_at": "2026-02-01T09:00:00Z"},
    ],
    "events": [
        {"event_id": "e1", "ticket_id": 1, "at": "2026-02-01T08:05:00Z", "kind": "message",
         "actor_type": "customer", "public": True, "body": "  keeps its spaces  "},
        {"event_id": "e2", "ticket_id": 1, "at": "2026-02-01T08:06:00Z", "kind": "message",
         "actor_type": "agent", "public": "no", "tier": 2.0},
        {"event_id": "e3", "ticket_id": 1, "at": "2026-02-01T08:07:00Z", "kind": "message",
         "actor_type": "agent", "tier": 2.5},  # not whole
        {"event_id": "e4", "ticket_id": 1, "at": "2026-02-01T08:08:00Z", "kind": "teleport",
         "actor_type": "agent"},
        {"event_id": "e5", "ticket_id": 1, "at": "2026-02-01T08:09:00Z", "kind": "status",
         "actor_type": "system", "public": "maybe"},
        {"event_id": "e6", "at": "2026-02-01T08:10:00Z", "kind": "message",
         "actor_type": "bot"},  # no ticket
        {"event_id": "e7", "ticket_id": 1, "at": "2026-02-01T08:11:00Z", "kind": "message",
         "actor_type": "agent", "tier": 12},
    ],
    "survey_responses": [
        {"response_id": "s1", "survey": "csat", "scale_min": 1, "scale_max": 5, "score": 4,
         "ticket_id": 1, "submitted_at": "2026-02-02T10:00:00Z"},
        {"response_id": "s2", "survey": "CSAT", "scale_min": "1", "scale_max": "5",
         "score": "۵"},
        {"response_id": "s3", "survey": "nps", "scale_min": 0, "scale_max": 10, "score": 11},
        {"response_id": "s4", "survey": "csat", "scale_min": 5, "scale_max": 1},
        {"response_id": "s5", "survey": "ces", "scale_min": 1, "scale_max": 7, "score": "NaN"},
        {"response_id": "s6", "survey": "ces", "scale_min": 1, "scale_max": 7, "score": True},
        {"response_id": "s7", "survey": "csat", "scale_min": 1, "scale_max": 5, "score": 3,
         "sent_at": "2026-02-02T10:00:00Z", "submitted_at": "2026-02-01T10:00:00Z"},
    ],
    "calls": [
        {"call_id": 100, "started_at": "2026-02-01T08:00:00Z", "outcome": "answered",
         "queued_at": "2026-02-01T08:00:10Z", "answered_at": "2026-02-01T08:01:00Z",
         "talk_s": 120.5, "ivr_s": "10"},
        {"call_id": 101, "started_at": "2026-02-01T08:00:00Z", "outcome": "abandoned",
         "queued_at": "2026-02-01T07:00:00Z"},
        {"call_id": 102, "started_at": "2026-02-01T08:00:00Z", "outcome": "answered",
         "talk_s": -5},
        {"call_id": 103, "outcome": "answered"},
    ],
}
# fmt: on


def _masked(reason: str) -> str:
    """A reason without the import's clock in it (the file and the records are read a
    moment apart)."""
    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "<now>", reason)


def _file_import(tmp_path: Path, table: str, records: list[Any]) -> tuple[pa.Table, set[Any]]:
    """The rows a file of ``records`` (one JSON Lines line each) stores, and its rejects."""
    path = tmp_path / f"{table}.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    with Store.open(str(tmp_path / f"{table}.duckdb")) as store:
        summary = import_file(store, path, format=table, source="api")
        stored = store.table(table).to_pyarrow()
        rejects = store.table("import_rejects").to_pyarrow().to_pylist()
    assert summary.rows_read == len(records)
    found = {(r["row"], r["field"] or "", _masked(r["reason"])) for r in rejects}
    return stored, found


@pytest.mark.parametrize("table", sorted(RECORDS))
def test_records_are_validated_as_the_same_lines_of_a_file(tmp_path: Path, table: str) -> None:
    records = RECORDS[table]
    checked = validate_records(table, records, source="api")
    stored, file_rejects = _file_import(tmp_path, table, records)
    key = {"tickets": "ticket_id", "events": "event_id"}.get(table) or {
        "survey_responses": "response_id",
        "calls": "call_id",
    }[table]
    mine = checked.good.sort_by(key)
    theirs = stored.select(mine.column_names).sort_by(key)
    assert mine.to_pylist() == theirs.to_pylist()
    assert {(r.row, r.field, _masked(r.reason)) for r in checked.rejects} == file_rejects
    # rows read = accepted + rejected, and every reject names its table
    assert checked.rows_read == len(records)
    assert checked.accepted + len({r.row for r in checked.rejects}) == len(records)
    assert {r.table for r in checked.rejects} <= {table}


def test_what_the_records_say_by_hand() -> None:
    """The expectations of the tickets above, written out (the file agrees: the test
    above)."""
    checked = validate_records("tickets", RECORDS["tickets"], source="api")
    rows = {r["ticket_id"]: r for r in checked.good.to_pylist()}
    # (t-7's solved_at is no column of tickets: ignored, as an import ignores it)
    assert sorted(rows) == ["api:1", "api:t-10", "api:t-2", "api:t-7"]
    first = rows["api:1"]
    assert (first["channel"], first["priority"]) == ("email", "high")
    assert first["tags"] == ["vip;gold", "refund"]  # a list is taken as it is
    assert first["created_at"] == dt.datetime(2026, 2, 1, 8, tzinfo=dt.UTC)
    assert rows["api:t-2"]["status"] == "on_hold"
    assert rows["api:t-10"]["tags"] == ["a", "b", "c"]
    assert checked.ignored == ["solved_at", "unknown_column"]
    reasons = {r.row: (r.field, r.reason) for r in checked.rejects}
    assert reasons[3][0] == "created_at" and "Jalali" in reasons[3][1]
    assert reasons[4] == (
        "created_at",
        "not a date-time; write it as ISO 8601, e.g. 2026-03-01T08:15:00Z",
    )
    assert reasons[5][0] == "created_at" and reasons[5][1].startswith("is in the future")
    assert reasons[6] == (
        "channel",
        "is not one of email, chat, phone, social, web, messaging, api, other",
    )
    assert reasons[8] == ("ticket_id", "a value is required")
    assert reasons[9][0] == "ticket_id" and "NUL" in reasons[9][1]
    assert reasons[11] == ("updated_at", "updated_at is before created_at")
    assert sorted(reasons) == [3, 4, 5, 6, 8, 9, 11]


def test_times_without_an_offset_are_read_in_the_zone_given() -> None:
    record = {"ticket_id": "1", "created_at": "2026-03-01 12:00:00"}
    checked = validate_records("tickets", [record], source="api", timezone="Asia/Tehran")
    (row,) = checked.good.to_pylist()
    assert row["created_at"] == dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)


def test_the_future_is_measured_from_the_clock_given() -> None:
    now = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    soon = {"ticket_id": "1", "created_at": "2026-03-01T20:00:00Z"}  # 12 h later
    late = {"ticket_id": "2", "created_at": "2026-03-02T09:00:00Z"}  # 25 h later
    checked = validate_records("tickets", [soon, late], source="api", now=now)
    assert [r["ticket_id"] for r in checked.good.to_pylist()] == ["api:1"]
    (reject,) = checked.rejects
    assert reject.row == 2 and "after 2026-03-02 08:00 UTC" in reject.reason
    tight = validate_records(
        "tickets", [soon], source="api", now=now, future_tolerance=dt.timedelta(hours=1)
    )
    assert tight.accepted == 0 and "1 hour" in tight.rejects[0].reason


def test_records_that_are_no_object_and_missing_columns() -> None:
    checked = validate_records(
        "customers", [5, "x", None, [1], {}, {"name": "no id"}, {"customer_id": 7}], source="zd"
    )
    assert [r["customer_id"] for r in checked.good.to_pylist()] == ["zd:7"]
    assert [(r.row, r.field, r.reason) for r in checked.rejects] == [
        (1, "", NOT_AN_OBJECT),
        (2, "", NOT_AN_OBJECT),
        (3, "", NOT_AN_OBJECT),
        (4, "", NOT_AN_OBJECT),
        # no record names the key: each is refused (a file without it is refused whole)
        (5, "customer_id", "a value is required"),
        (6, "customer_id", "a value is required"),
    ]
    assert checked.rows_read == 7 and checked.accepted == 1
    none = validate_records("customers", [{"name": "a"}, {}], source="zd")
    assert none.accepted == 0 and [r.row for r in none.rejects] == [1, 2]


def test_a_record_keeps_its_own_source_and_the_rest_get_the_batchs() -> None:
    records = [
        {"ticket_id": "1", "created_at": NOW},
        {"ticket_id": "2", "created_at": NOW, "source": "crm"},
        {"ticket_id": "3", "created_at": NOW, "source": None},  # said: none
    ]
    checked = validate_records("tickets", records, source="web")
    assert [(r["ticket_id"], r["source"]) for r in checked.good.to_pylist()] == [
        ("web:1", "web"),
        ("web:2", "crm"),
    ]
    assert [(r.row, r.field) for r in checked.rejects] == [(3, "source")]


def test_half_a_surrogate_pair_and_nul_bytes_are_refused_with_their_reasons() -> None:
    records = [
        {"ticket_id": "1", "created_at": NOW, "subject": "bad \ud800 half"},
        {"ticket_id": "2", "created_at": NOW, "subject": "nul \u0000 here"},
        {"ticket_id": "3", "created_at": NOW, "subject": "fine"},
    ]
    checked = validate_records("tickets", records, source="api")
    assert checked.accepted == 1
    first, second = checked.rejects
    assert first.row == 1 and "surrogate" in first.reason
    assert first.raw_json() is not None  # kept in quarantine, as sent
    assert (second.row, second.field) == (2, "subject") and "NUL" in second.reason


def test_an_unknown_table_is_named() -> None:
    with pytest.raises(ConfigError, match="no table 'ticket'"):
        validate_records("ticket", [], source="api")
    empty = validate_records("tickets", [], source="api")
    assert (empty.accepted, empty.rejects, empty.rows_read) == (0, [], 0)
