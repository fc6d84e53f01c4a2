"""Mapping rules of the real-world formats on small hand-made files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from sanjeh.ingest import import_file
from sanjeh.ingest.formats._helpers import Rollup
from sanjeh.ingest.formats.twcs import _Threads
from sanjeh.store import Store

from ._support import rejects_by_row, rows

BANK = "vru+line,call_id,type,vru_entry,vru_exit,vru_time,q_start,q_exit,q_time,outcome,"
BANK += "ser_start,ser_exit,ser_time,server,server_abv"


def _bank(tmp_path: Path, *lines: str, name: str = "bank_2024-03-10.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([BANK, *lines]) + "\n")
    return path


def test_anonbank_midnight_and_outcomes(duckdb_store: Store, tmp_path: Path) -> None:
    path = _bank(
        tmp_path,
        # queued before midnight, answered after it: the later clocks are the next day
        "AA0101,1,PS,23:59:40,23:59:50,10,23:59:50,0:00:30,40,AGENT,0:00:30,0:05:00,270,AVI,AVI",
        "AA0101,2,PS,10:00:00,10:00:05,5,10:00:05,10:01:00,55,HANG,0:00:00,0:00:00,0,NO_SERVER,NO_",
        "AA0101,3,PS,10:00:00,10:00:20,20,0:00:00,0:00:00,0,HANG,0:00:00,0:00:00,0,NO_SERVER,NO_",
        "AA0101,4,PS,10:00:00,10:00:05,5,10:00:05,10:00:09,4,PHANTOM,10:00:08,10:00:10,2,NO_SERVER,NO_",
        # answered a second "before" it was queued (two clocks): answered when queued
        "AA0102,5,NW,11:00:00,11:00:06,6,11:00:06,11:00:06,0,AGENT,11:00:05,11:01:00,55,DORIT,DOR",
    )
    import_file(duckdb_store, path, params={"timezone": "UTC"})
    calls = {c["external_id"]: c for c in rows(duckdb_store, "calls")}
    first = calls["1"]
    assert first["call_id"] == "anonbank:20240310-AA01-1"  # the day comes from the file name
    assert first["started_at"] == dt.datetime(2024, 3, 10, 23, 59, 40, tzinfo=dt.UTC)
    assert first["answered_at"] == dt.datetime(2024, 3, 11, 0, 0, 30, tzinfo=dt.UTC)
    assert first["ended_at"] == dt.datetime(2024, 3, 11, 0, 5, 0, tzinfo=dt.UTC)
    assert (first["outcome"], first["agent_id"], first["talk_s"]) == (
        "answered",
        "anonbank:AVI",
        270,
    )
    assert {k: c["outcome"] for k, c in calls.items()} == {
        "1": "answered",
        "2": "abandoned",
        "3": "ivr",
        "4": "other",
        "5": "answered",
    }
    assert calls["4"]["answered_at"] is None and calls["4"]["talk_s"] is None
    assert calls["5"]["answered_at"] == calls["5"]["queued_at"]
    assert calls["2"]["agent_id"] is None and calls["2"]["ended_at"].minute == 1


def test_anonbank_date_and_zone(duckdb_store: Store, tmp_path: Path) -> None:
    line = "AA0101,1,PS,10:00:00,10:00:05,5,0:00:00,0:00:00,0,HANG,0:00:00,0:00:00,0,NO_SERVER,NO_"
    path = _bank(tmp_path, line)
    # the default zone is the bank's (Israel: UTC+2 in winter) ...
    import_file(duckdb_store, path, params={"date": "1999-01-05"})
    (call,) = rows(duckdb_store, "calls")
    assert call["started_at"] == dt.datetime(1999, 1, 5, 8, 0, tzinfo=dt.UTC)
    # ... unless the import names one
    import_file(duckdb_store, path, params={"date": "1999-01-06"}, timezone="Asia/Tehran")
    started = sorted(c["started_at"] for c in rows(duckdb_store, "calls"))
    assert started[1] == dt.datetime(1999, 1, 6, 6, 30, tzinfo=dt.UTC)


def test_anonbank_explicit_utc(duckdb_store: Store, tmp_path: Path) -> None:
    line = "AA0101,1,PS,10:00:00,10:00:05,5,0:00:00,0:00:00,0,HANG,0:00:00,0:00:00,0,NO_SERVER,NO_"
    import_file(duckdb_store, _bank(tmp_path, line), timezone="UTC")
    (call,) = rows(duckdb_store, "calls")
    assert call["started_at"] == dt.datetime(2024, 3, 10, 10, 0, tzinfo=dt.UTC)


def test_anonbank_full_files_carry_a_date_column(duckdb_store: Store, tmp_path: Path) -> None:
    header = BANK.replace("type,", "type,date,customer_id,")
    lines = [
        "AA0101,1,PS,990801,0,10:00:00,10:00:05,5,0:00:00,0:00:00,0,HANG,0:00:00,0:00:00,0,NO_SERVER,NO_",
        "AA0101,1,PS,990802,33,10:00:00,10:00:05,5,0:00:00,0:00:00,0,HANG,0:00:00,0:00:00,0,NO_SERVER,NO_",
        "AA0101,2,PS,99-08-02,0,10:00:00,10:00:05,5,0:00:00,0:00:00,0,HANG,0:00:00,0:00:00,0,NO_SERVER,NO_",
    ]
    path = tmp_path / "August.txt"
    path.write_text("\n".join([header, *lines]) + "\n")
    import_file(duckdb_store, path, format="anonbank", params={"timezone": "UTC"})
    calls = {c["call_id"]: c for c in rows(duckdb_store, "calls")}
    # the same call_id on two days is two calls
    assert set(calls) == {"anonbank:19990801-AA01-1", "anonbank:19990802-AA01-1"}
    assert calls["anonbank:19990802-AA01-1"]["customer_id"] == "anonbank:33"
    assert calls["anonbank:19990801-AA01-1"]["customer_id"] is None  # 0: unknown caller
    assert rejects_by_row(duckdb_store)[4]["field"] == "date"


def test_helpdesk_names_and_dates_as_written(duckdb_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "helpdesk.csv"
    path.write_text(
        "Case ID,Activity,Complete Timestamp,Resource\n"
        "Case 1,Insert ticket,2012-05-04 15:20:00,Value 3\n"
        "Case 1,Assign seriousness,2012-05-04 15:23:08,Value 1\n"
        "Case 1,Take in charge ticket,2012-05-07 07:01:12,Value 6\n"
        "Case 1,Resolve ticket,2012-05-24 15:25:23,Value 12\n"
        "Case 1,Closed,2012-06-08 15:25:48,Value 5\n"
    )
    summary = import_file(duckdb_store, path, params={"timezone": "UTC"})
    assert summary.format == "helpdesk_log"
    events = sorted(rows(duckdb_store, "events"), key=lambda e: e["at"])
    assert [(e["kind"], e["status"]) for e in events] == [
        ("created", "new"),  # Insert ticket is the creation: no second created event
        ("priority", None),
        ("assign", "open"),
        ("status", "solved"),
        ("status", "closed"),
    ]
    # activity names (the original log) mean dates as written: 2012-05-04 is 4 May
    assert events[0]["at"] == dt.datetime(2012, 5, 4, 15, 20, tzinfo=dt.UTC)
    assert events[2]["agent_id"] == "helpdesk:Value 6"
    (ticket,) = rows(duckdb_store, "tickets")
    assert ticket["ticket_id"] == "helpdesk:Case 1" and ticket["status"] == "closed"


@pytest.mark.parametrize(("swap", "day"), [(None, 4), ("no", 1)])
def test_helpdesk_coded_copy_swaps_day_and_month(
    duckdb_store: Store, tmp_path: Path, swap: str | None, day: int
) -> None:
    path = tmp_path / "helpdesk.csv"
    path.write_text(
        "case_id;activity;timestamp\n0;0;2010-04-01 08:57:16\n0;3;2010-04-25 09:00:00\n"
    )
    params = {"timezone": "UTC", **({"swap_day_month": swap} if swap else {})}
    import_file(duckdb_store, path, params=params)
    (ticket,) = rows(duckdb_store, "tickets")
    assert ticket["created_at"].date() == dt.date(2010, 1 if swap is None else 4, day)
    assert ticket["updated_at"].date() == dt.date(2010, 4, 25)  # day > 12: never swapped


def test_twcs_thread_tops() -> None:
    tweets = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9])
    parents = np.array([-1, 1, 2, 2, 100, 5, 9, 7, 8])  # 5 answers a missing tweet; 7-8-9 loop
    threads = _Threads(tweets, parents)
    thread, partial = threads.thread_of(np.array([3, 4, 6, 1, 42]))
    assert thread.tolist() == [1, 1, 100, 1, 42]
    assert partial.tolist() == [False, False, True, False, False]
    loop, _ = threads.thread_of(np.array([7, 8, 9]))
    assert len(set(loop.tolist())) == 3  # a cycle stops climbing instead of hanging


def test_rollup_takes_first_and_last_in_time_order() -> None:
    roll = Rollup({"status": "last", "customer": "first"})
    hours = [dt.datetime(2026, 1, 1, h, tzinfo=dt.UTC) for h in (5, 1, 3)]
    stamps = pa.array(hours, pa.timestamp("us", tz="UTC"))
    roll.add(
        pa.array(["a", "b", "a"]),
        stamps,
        np.array([2, 3, 4]),
        {"status": pa.array(["closed", "open", None]), "customer": pa.array(["x", None, "y"])},
    )
    # a later chunk with an earlier event: order is by time, not by arrival
    roll.add(
        pa.array(["a"]),
        pa.array([dt.datetime(2026, 1, 1, 0, tzinfo=dt.UTC)], pa.timestamp("us", tz="UTC")),
        np.array([9]),
        {"status": pa.array(["new"]), "customer": pa.array(["z"])},
    )
    found = {r["ticket"]: r for r in roll.finish().to_pylist()}
    assert found["a"]["status"] == "closed" and found["a"]["customer"] == "z"
    assert found["a"]["first_at"].hour == 0 and found["a"]["last_at"].hour == 5
    assert found["a"]["first_row"] == 2
    assert found["b"]["status"] == "open" and found["b"]["customer"] is None


def test_volvo_statuses_and_system_rows(duckdb_store: Store, tmp_path: Path) -> None:
    head = "SR Number,Change Date+Time,Status,Sub Status,Involved ST,ST Level,"
    head += "SR Latest Impact,Product,Owner First Name,Resource"
    path = tmp_path / "volvo.csv"
    path.write_text(
        "\n".join(
            [
                head,
                "1,2012-01-01T10:00:00+01:00,Queued,Awaiting Assignment,A 1st,L1,Low,P1,Ann,se-Ann",
                "1,2012-01-01T11:00:00+01:00,Accepted,Wait - User,A 1st,L1,Low,P1,Ann,se-Ann",
                "1,2012-01-01T12:00:00+01:00,Accepted,Wait - Vendor,B 2nd,L2,Major,P1,Bo,se-Bo",
                "1,2012-01-01T13:00:00+01:00,Unmatched,Unmatched,B 2nd,L2,Major,P1,Bo,se-Bo",
                "1,2012-01-01T14:00:00+01:00,Completed,Closed,B 2nd,L2,Major,P1,Siebel,se-Siebel",
                "2,2012-01-01T10:00:00+01:00,Accepted,In Progress,A 1st,L9,Huge,P1,Ann,se-Ann",
            ]
        )
        + "\n"
    )
    import_file(duckdb_store, path)
    events = sorted(rows(duckdb_store, "events"), key=lambda e: (e["at"], e["kind"]))
    assert [(e["kind"], e["status"], e["priority"]) for e in events] == [
        ("assign", None, None),
        ("created", None, None),
        ("status", "open", None),  # queued: open (new would look like a fresh ticket)
        ("status", "pending", None),  # waiting for the user
        ("assign", None, None),  # to Bo in team B 2nd ...
        ("escalate", None, None),  # ... at level 2
        ("priority", None, "urgent"),  # Major impact
        ("status", "on_hold", None),  # waiting for a vendor
        ("other", None, None),  # Unmatched: kept, with no status
        ("status", "closed", None),  # closed by the CRM, not by a person
    ]
    assert events[-1]["actor_type"] == "system" and events[-1]["actor_id"] is None
    assert events[-2]["body"] == "Unmatched / Unmatched"
    (ticket,) = rows(duckdb_store, "tickets")
    assert ticket["agent_id"] == "volvo:se-Bo" and ticket["priority"] == "urgent"
    assert rejects_by_row(duckdb_store)[7]["field"] == "ST Level" or (
        rejects_by_row(duckdb_store)[7]["field"] == "SR Latest Impact"
    )


def test_volvo_siebel_owner_without_resource_is_the_system(
    duckdb_store: Store, tmp_path: Path
) -> None:
    # an empty Resource must not hide the "Siebel" owner (a null in a plain "or")
    head = "SR Number,Change Date+Time,Status,Sub Status,Involved ST,ST Level,"
    head += "SR Latest Impact,Product,Owner First Name,Resource"
    path = tmp_path / "volvo.csv"
    path.write_text(
        f"{head}\n"
        "1,2012-01-01T10:00:00+01:00,Accepted,In Progress,A 1st,L1,Low,P1,Ann,se-Ann\n"
        "1,2012-01-01T14:00:00+01:00,Completed,Closed,A 1st,L1,Low,P1,Siebel,\n"
    )
    import_file(duckdb_store, path)
    closed = [e for e in rows(duckdb_store, "events") if e["status"] == "closed"]
    assert [(e["actor_type"], e["actor_id"]) for e in closed] == [("system", None)]
