"""Rows that were lost or changed without a word (issue 12, items 7-9), each pinned down.

Expectations are worked out by hand from the files written here (or, for the real
Twitter sample, from its documented columns with the csv module).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanjeh.errors import ConfigError
from sanjeh.ingest import import_file
from sanjeh.store import Store

from ._support import REAL, rejects_by_row, rows

UTC = dt.UTC


# -- item 7: a bare carriage return inside an unquoted value ---------------------------------


def test_bare_carriage_return_in_a_real_thread_root(
    duckdb_store: Store, shared_data: Path, tmp_path: Path
) -> None:
    """Tweet 119237 opens a thread (no in_response_to_tweet_id); a CR in its unquoted text
    used to drop it: not imported, not rejected, not even counted as read."""
    source = shared_data / REAL["twcs"]
    lines = source.read_bytes().split(b"\n")
    assert lines[1].startswith(b"119237,105834,True,") and b'"' not in lines[1]
    lines[1] = lines[1].replace(b"causing the reply", b"causing\rthe reply", 1)
    path = tmp_path / "twcs.csv"
    path.write_bytes(b"\n".join(lines))

    with source.open(encoding="utf-8", newline="") as f:
        tweets = len(list(csv.DictReader(f)))  # the sample's records, read independently
    summary = import_file(duckdb_store, path, format="twcs")
    assert summary.rows_read == tweets == 93
    messages = sum(1 for e in rows(duckdb_store, "events") if e["kind"] == "message")
    assert summary.rows_read == messages + summary.rejected
    event = {r["event_id"]: r for r in rows(duckdb_store, "events")}["twitter:119237"]
    assert event["body"].startswith("@AppleSupport causing\rthe reply to be disregarded")
    assert "twitter:119237" in {t["ticket_id"] for t in rows(duckdb_store, "tickets")}


def test_stray_quotes_do_not_swallow_the_rows_between_them(
    duckdb_store: Store, tmp_path: Path
) -> None:
    """Two stray quotes used to make one ticket of rows 2-4 (its subject holding rows 3
    and 4); now rows 2 and 4 are rejected and row 3 imported."""
    path = tmp_path / "tickets.csv"
    path.write_text(
        "ticket_id,subject,created_at\n"
        '1,"broken,2026-03-01T08:00:00Z\n'
        "2,fine,2026-03-01T09:00:00Z\n"
        '3,"broken too,2026-03-01T10:00:00Z\n'
        "4,fine,2026-03-01T11:00:00Z\n",
        encoding="utf-8",
    )
    summary = import_file(duckdb_store, path)
    assert (summary.rows_read, summary.rejected) == (4, 2)
    assert sorted(t["ticket_id"] for t in rows(duckdb_store, "tickets")) == ["local:2", "local:4"]
    assert set(rejects_by_row(duckdb_store)) == {2, 4}


def test_text_after_a_closing_quote_is_rejected_not_cut(
    duckdb_store: Store, tmp_path: Path
) -> None:
    """``"a"b`` used to become ``ab``: quotes dropped silently."""
    path = tmp_path / "tickets.csv"
    path.write_text(
        'ticket_id,subject,created_at\n1,"a"b,2026-03-01T08:00:00Z\n2,"ok",2026-03-01T08:00:00Z\n',
        encoding="utf-8",
    )
    summary = import_file(duckdb_store, path)
    assert (summary.rows_read, summary.rejected) == (2, 1)
    assert "closing quote" in rejects_by_row(duckdb_store)[2]["reason"]
    assert [t["subject"] for t in rows(duckdb_store, "tickets")] == ["ok"]


# -- item 8: invalid values read as "no value" ------------------------------------------------

MAPPING = """
[columns]
ticket_id = "Ticket ID"
created_at = "Created"
first_response_minutes = "First reply time in minutes"
"""


def test_first_reply_minutes_that_are_no_number_are_rejected(
    duckdb_store: Store, tmp_path: Path
) -> None:
    """``abc`` used to import as "no first reply" (pc.or_ of True and null is null)."""
    mapping = tmp_path / "desk.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    path = tmp_path / "tickets.csv"
    path.write_text(
        "Ticket ID,Created,First reply time in minutes\n"
        "1,2024-03-01T09:00:00Z,abc\n"
        "2,2024-03-01T09:00:00Z,30\n"
        "3,2024-03-01T09:00:00Z,\n"
        "4,2024-03-01T09:00:00Z,-5\n",
        encoding="utf-8",
    )
    summary = import_file(duckdb_store, path, mapping=mapping)
    assert (summary.rows_read, summary.rejected) == (4, 2)
    rejected = rejects_by_row(duckdb_store)
    assert set(rejected) == {2, 5}
    assert rejected[2]["field"] == "First reply time in minutes" and rejected[2]["value"] == "abc"
    replies = {
        e["ticket_id"]: e["at"]
        for e in rows(duckdb_store, "events")
        if e["event_id"].endswith("-first-reply")
    }
    # ticket 2 replied 30 minutes after 09:00; ticket 3 has no reply (an empty field)
    assert replies == {"summary:2": dt.datetime(2024, 3, 1, 9, 30, tzinfo=UTC)}


def test_a_jalali_year_in_a_declared_format_is_rejected(
    duckdb_store: Store, tmp_path: Path
) -> None:
    mapping = tmp_path / "desk.toml"
    mapping.write_text(
        'timestamp_format = "%Y/%m/%d %H:%M"\n[columns]\nticket_id = "id"\ncreated_at = "at"\n',
        encoding="utf-8",
    )
    path = tmp_path / "tickets.csv"
    path.write_text("id,at\n1,1403/01/15 09:00\n2,2024/03/04 09:00\n", encoding="utf-8")
    summary = import_file(duckdb_store, path, mapping=mapping)
    assert (summary.rows_read, summary.rejected) == (2, 1)
    assert "Jalali" in rejects_by_row(duckdb_store)[2]["reason"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [("nan", "NaN or infinity"), ("inf", "NaN or infinity"), ("-inf", "NaN or infinity")],
)
def test_a_score_that_is_no_number_is_rejected(
    duckdb_store: Store, tmp_path: Path, value: str, reason: str
) -> None:
    """``nan`` casts to a float and compares false with every bound: it was stored."""
    path = tmp_path / "survey_responses.csv"
    path.write_text(
        "response_id,survey,scale_min,scale_max,score,submitted_at\n"
        f"1,csat,1,5,{value},2026-03-01T08:00:00Z\n2,csat,1,5,4,2026-03-01T08:00:00Z\n",
        encoding="utf-8",
    )
    summary = import_file(duckdb_store, path)
    assert (summary.rows_read, summary.rejected) == (2, 1)
    assert reason in rejects_by_row(duckdb_store)[2]["reason"]
    assert [r["score"] for r in rows(duckdb_store, "survey_responses")] == [4.0]


@pytest.mark.parametrize("value", ["inf", "nan", "1e300"])
def test_a_whole_number_out_of_range_is_a_reject_not_a_crash(
    duckdb_store: Store, tmp_path: Path, value: str
) -> None:
    path = tmp_path / "survey_responses.csv"
    path.write_text(
        "response_id,survey,score,scale_min,scale_max,submitted_at\n"
        f"1,csat,3,1,{value},2026-03-01T08:00:00Z\n2,csat,3,1,5,2026-03-01T08:00:00Z\n",
        encoding="utf-8",
    )
    summary = import_file(duckdb_store, path)
    assert (summary.rows_read, summary.rejected) == (2, 1)
    assert rejects_by_row(duckdb_store)[2]["field"] == "scale_max"


def test_a_typed_parquet_timestamp_gets_the_year_check(duckdb_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tickets.parquet"
    at = [dt.datetime(1403, 1, 15, 9), dt.datetime(2024, 3, 4, 9)]
    pq.write_table(pa.table({"ticket_id": ["1", "2"], "created_at": pa.array(at)}), path)
    summary = import_file(duckdb_store, path)
    assert (summary.rows_read, summary.rejected) == (2, 1)
    assert "Jalali" in rejects_by_row(duckdb_store)[1]["reason"]


# -- item 9: the zone of times without an offset, for Sanjeh's own format ---------------------

TEHRAN = "Asia/Tehran"  # +03:30 all year since 2022


def _native_files(tmp_path: Path) -> list[Path]:
    values = [("1", "2026-03-01 08:15:00"), ("2", "2026-03-01T08:15:00+01:00")]
    csv_path = tmp_path / "tickets.csv"
    csv_path.write_text(
        "ticket_id,created_at\n" + "".join(f"{i},{at}\n" for i, at in values), encoding="utf-8"
    )
    jsonl = tmp_path / "tickets.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"ticket_id": i, "created_at": at}) + "\n" for i, at in values),
        encoding="utf-8",
    )
    parquet = tmp_path / "tickets.parquet"
    naive = pa.array([dt.datetime(2026, 3, 1, 8, 15)])
    pq.write_table(pa.table({"ticket_id": ["1"], "created_at": naive}), parquet)
    return [csv_path, jsonl, parquet]


@pytest.mark.parametrize("how", ["option", "timezone"])
@pytest.mark.parametrize("kind", [0, 1, 2])
def test_native_times_are_read_in_the_given_zone(
    duckdb_store: Store, tmp_path: Path, how: str, kind: int
) -> None:
    """08:15 in Tehran is 04:45 UTC; a time with an offset keeps it (08:15+01:00 = 07:15Z)."""
    path = _native_files(tmp_path)[kind]
    kw = {"params": {"timezone": TEHRAN}} if how == "option" else {"timezone": TEHRAN}
    import_file(duckdb_store, path, **kw)
    created = {t["ticket_id"]: t["created_at"] for t in rows(duckdb_store, "tickets")}
    assert created["local:1"] == dt.datetime(2026, 3, 1, 4, 45, tzinfo=UTC)
    if "local:2" in created:
        assert created["local:2"] == dt.datetime(2026, 3, 1, 7, 15, tzinfo=UTC)


def test_the_option_wins_over_timezone(duckdb_store: Store, tmp_path: Path) -> None:
    path = _native_files(tmp_path)[0]
    import_file(duckdb_store, path, timezone="Europe/Rome", params={"timezone": TEHRAN})
    created = {t["ticket_id"]: t["created_at"] for t in rows(duckdb_store, "tickets")}
    assert created["local:1"] == dt.datetime(2026, 3, 1, 4, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    "kw",
    [
        {"params": {"timezone": "Tehran"}},
        {"timezone": "Tehran"},
        {"default_timezone": "Tehran"},
    ],
)
def test_an_unknown_zone_is_one_clear_error(duckdb_store: Store, tmp_path: Path, kw) -> None:
    with pytest.raises(ConfigError, match=r"unknown time zone 'Tehran'.*Asia/Tehran"):
        import_file(duckdb_store, _native_files(tmp_path)[0], **kw)
