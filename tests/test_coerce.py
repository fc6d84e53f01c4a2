"""Vectorised validation: every bad value rejects its row with field and reason."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from sanjeh.ingest import CoerceOptions, RawRows, coerce
from sanjeh.model import TABLES


def run(table: str, columns: dict[str, list], **options):
    data = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    raw = RawRows(data, pa.array(range(2, 2 + data.num_rows), pa.int64()))
    good, rejects = coerce(raw, TABLES[table], CoerceOptions(**options))
    return good.to_pylist(), {(r.row, r.field): r for r in rejects}


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_timestamps_with_offsets_and_local_times() -> None:
    rows, bad = run(
        "tickets",
        {
            "ticket_id": ["1", "2", "3", "4", "5", "6"],
            "created_at": [
                "2026-03-01T08:15:00Z",
                "2026-03-01 11:45:00+03:30",
                "2026-03-01 11:45",  # naive: read in Asia/Tehran (+03:30)
                "2026-03-01",
                "۲۰۲۶-۰۳-۰۱ ۱۱:۴۵",  # Persian digits
                "2026-03-01 08:15:00 UTC",
            ],
        },
        timezone="Asia/Tehran",
    )
    assert not bad
    got = [r["created_at"] for r in rows]
    assert got == [
        utc(2026, 3, 1, 8, 15),
        utc(2026, 3, 1, 8, 15),
        utc(2026, 3, 1, 8, 15),
        utc(2026, 2, 28, 20, 30),
        utc(2026, 3, 1, 8, 15),
        utc(2026, 3, 1, 8, 15),
    ]


def test_nonexistent_local_time_in_a_dst_gap_is_accepted() -> None:
    # 02:30 does not exist in New York on 2026-03-08: read as the first instant after the gap
    rows, bad = run(
        "tickets",
        {"ticket_id": ["1"], "created_at": ["2026-03-08 02:30"]},
        timezone="America/New_York",
    )
    assert not bad and rows[0]["created_at"] == utc(2026, 3, 8, 7, 0)


def test_bad_timestamps_are_rejected_with_reasons() -> None:
    rows, bad = run(
        "tickets",
        {
            "ticket_id": ["1", "2", "3", "4"],
            "created_at": ["yesterday", "2026-02-30 10:00", "1403-01-01", "2026-01-01"],
        },
    )
    assert [r["ticket_id"] for r in rows] == ["local:4"]
    assert "ISO 8601" in bad[(2, "created_at")].reason
    assert bad[(2, "created_at")].value == "yesterday"
    assert "out of range" in bad[(3, "created_at")].reason
    assert "Jalali" in bad[(4, "created_at")].reason


def test_required_values_and_namespacing() -> None:
    rows, bad = run(
        "tickets",
        {"ticket_id": ["7", " ", "zendesk:9"], "created_at": ["2026-01-01"] * 3},
        source="shop",
    )
    assert [r["ticket_id"] for r in rows] == ["shop:7", "zendesk:9"]
    assert bad[(3, "ticket_id")].reason == "a value is required"


def test_choices_are_normalised_and_unknown_ones_rejected() -> None:
    rows, bad = run(
        "tickets",
        {
            "ticket_id": ["1", "2", "3"],
            "created_at": ["2026-01-01"] * 3,
            "status": ["On Hold", "SOLVED", "archived"],
            "channel": ["Email", None, "chat"],
        },
    )
    assert [(r["status"], r["channel"]) for r in rows] == [
        ("on_hold", "email"),
        ("solved", "other"),
    ]
    assert "is not one of new, open" in bad[(4, "status")].reason


def test_numbers_bounds_and_whole_numbers() -> None:
    rows, bad = run(
        "calls",
        {
            "call_id": list("123456"),
            "source": ["b"] * 6,
            "started_at": ["2026-01-01"] * 6,
            "outcome": ["answered"] * 6,
            "ivr_s": ["12.5", "-3", "abc", "۴۲", "1e2", ""],
        },
    )
    assert [r["ivr_s"] for r in rows] == [12.5, 42.0, 100.0, None]
    assert "below the minimum 0" in bad[(3, "ivr_s")].reason
    assert "not a number" in bad[(4, "ivr_s")].reason
    rows, bad = run("teams", {"team_id": ["a", "b"], "source": ["x", "x"], "tier": ["2", "1.5"]})
    assert [r["tier"] for r in rows] == [2]
    assert "whole number" in bad[(3, "tier")].reason


def test_booleans_and_lists() -> None:
    rows, bad = run(
        "events",
        {
            "event_id": list("12345"),
            "ticket_id": ["t"] * 5,
            "at": ["2026-01-01"] * 5,
            "kind": ["message"] * 5,
            "actor_type": ["agent"] * 5,
            "public": ["false", "TRUE", "", "خیر", "maybe"],
        },
    )
    assert [r["public"] for r in rows] == [False, True, True, False]  # blank → default True
    assert "true / false" in bad[(6, "public")].reason
    rows, _ = run(
        "tickets",
        {
            "ticket_id": ["1", "2", "3"],
            "created_at": ["2026-01-01"] * 3,
            "tags": ["vip; late|refund", "", ";solo;"],
        },
    )
    assert [r["tags"] for r in rows] == [["vip", "late", "refund"], None, ["solo"]]


def test_row_rules_across_columns() -> None:
    rows, bad = run(
        "calls",
        {
            "call_id": ["1", "2"],
            "source": ["b", "b"],
            "outcome": ["answered"] * 2,
            "started_at": ["2026-01-01T10:00:00Z"] * 2,
            "ended_at": ["2026-01-01T10:05:00Z", "2026-01-01T09:00:00Z"],
        },
    )
    assert [r["call_id"] for r in rows] == ["local:1"]
    assert bad[(3, "ended_at")].reason == "ended_at is before started_at"
    rows, bad = run(
        "survey_responses",
        {
            "response_id": ["1", "2"],
            "source": ["s", "s"],
            "survey": ["csat", "nps"],
            "scale_min": ["1", "0"],
            "scale_max": ["5", "10"],
            "score": ["6", "10"],
        },
    )
    assert [r["response_id"] for r in rows] == ["local:2"]
    assert "outside scale_min..scale_max" in bad[(2, "score")].reason


def test_one_reject_per_row_keeps_the_raw_row() -> None:
    _, bad = run("tickets", {"ticket_id": ["1"], "created_at": ["nope"], "status": ["weird"]})
    assert len(bad) == 1  # the first problem found is reported once per row
    (reject,) = bad.values()
    assert reject.raw == {"ticket_id": "1", "created_at": "nope", "status": "weird"}


@pytest.mark.parametrize("n", [0, 1, 1000])
def test_sizes(n: int) -> None:
    rows, bad = run(
        "tickets", {"ticket_id": [str(i) for i in range(n)], "created_at": ["2026-01-01"] * n}
    )
    assert len(rows) == n and not bad
