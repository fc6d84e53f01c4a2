"""The ticket-summary format: the synthesised timeline, row problems, mapping-file errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanjeh.errors import MappingError
from sanjeh.ingest import import_file
from sanjeh.store import Store

from ._support import EXAMPLES, rejects_by_row, rows

MAPPING = """\
source = "shop"
timezone = "Asia/Tehran"
timestamp_format = "%d/%m/%Y %H:%M"

[columns]
ticket_id = "ID"
created_at = "Created"
first_response_at = "First reply"
resolved_at = "Resolved"
closed_at = "Closed"
agent = "Agent"
team = "Group"
channel = "Via"
priority = "Priority"
customer = "Customer"
satisfaction = "CSAT"
tags = "Tags"

[values.channel]
Portal = "web"

[satisfaction]
survey = "csat"
scale_min = 1
scale_max = 5
"""
HEADER = "ID,Created,First reply,Resolved,Closed,Agent,Group,Via,Priority,Customer,CSAT,Tags"
THREE_ROWS = (
    f"{HEADER}\n"
    "1,01/03/2026 09:00,01/03/2026 09:30,02/03/2026 10:00,05/03/2026 10:00,"
    "Reza,Billing,Email,High,c1,5,vip;late\n"
    "2,01/03/2026 10:00,,,,,Billing,Portal,Medium,c2,,\n"
    "3,2026-03-02T08:00:00Z,02/03/2026 12:00,,,Sara,,Chat,Low,c3,2,\n"
)


def _files(tmp_path: Path, data: str, mapping: str = MAPPING) -> tuple[Path, Path]:
    csv_path, toml_path = tmp_path / "export.csv", tmp_path / "mapping.toml"
    csv_path.write_text(data, encoding="utf-8")
    toml_path.write_text(mapping, encoding="utf-8")
    return csv_path, toml_path


def _import(store: Store, csv_path: Path, toml_path: Path) -> Any:
    return import_file(store, csv_path, format="summary", mapping=toml_path)


def _ev(
    suffix: str,
    at: str,
    kind: str,
    actor: str,
    actor_id: str | None,
    *,
    status: str | None = None,
    agent: str | None = None,
    team: str | None = None,
    channel: str | None = None,
) -> tuple[Any, ...]:
    """An expected event: ``at`` is month-day and UTC hour:minute in 2026."""
    public = kind != "assign"
    return (
        f"shop:{suffix}",
        f"2026-{at}:00Z",
        kind,
        actor,
        actor_id,
        status,
        agent,
        team,
        channel,
        public,
    )


def _event(e: dict[str, Any]) -> tuple[Any, ...]:
    return (
        e["event_id"],
        e["at"].isoformat().replace("+00:00", "Z"),
        e["kind"],
        e["actor_type"],
        e["actor_id"],
        e["status"],
        e["agent_id"],
        e["team_id"],
        e["channel"],
        e["public"],
    )


def test_three_rows_become_the_timeline_computed_by_hand(store: Store, tmp_path: Path) -> None:
    summary = _import(store, *_files(tmp_path, THREE_ROWS))
    assert summary.rejected == 0
    # Tehran is UTC+03:30 (no summer time since 2022): 09:00 there is 05:30 UTC
    c1, c2, c3, reza, sara, billing = (
        "shop:c1",
        "shop:c2",
        "shop:c3",
        "shop:Reza",
        "shop:Sara",
        "shop:Billing",
    )
    expected = {
        # ticket 1: every timestamp present
        _ev("1-created", "03-01T05:30", "created", "customer", c1, status="new", channel="email"),
        _ev("1-request", "03-01T05:30", "message", "customer", c1, channel="email"),
        _ev("1-assign", "03-01T05:30", "assign", "system", None, agent=reza, team=billing),
        _ev("1-first-reply", "03-01T06:00", "message", "agent", reza, channel="email"),
        _ev("1-solved", "03-02T06:30", "status", "agent", reza, status="solved"),
        _ev("1-closed", "03-05T06:30", "status", "agent", reza, status="closed"),
        # ticket 2: only created, queued to a team with no agent, channel Portal → web
        _ev("2-created", "03-01T06:30", "created", "customer", c2, status="new", channel="web"),
        _ev("2-request", "03-01T06:30", "message", "customer", c2, channel="web"),
        _ev("2-assign", "03-01T06:30", "assign", "system", None, team=billing),
        # ticket 3: an ISO time with its own offset next to a local one
        _ev("3-created", "03-02T08:00", "created", "customer", c3, status="new", channel="chat"),
        _ev("3-request", "03-02T08:00", "message", "customer", c3, channel="chat"),
        _ev("3-assign", "03-02T08:00", "assign", "system", None, agent=sara),
        _ev("3-first-reply", "03-02T08:30", "message", "agent", sara, channel="chat"),
    }
    assert {_event(e) for e in rows(store, "events")} == expected

    tickets = {t["ticket_id"]: t for t in rows(store, "tickets")}
    assert {k: (t["status"], t["priority"], t["tags"]) for k, t in tickets.items()} == {
        "shop:1": ("closed", "high", ["vip", "late"]),
        "shop:2": ("open", "normal", None),  # Medium → normal is built in
        "shop:3": ("open", "low", None),
    }
    assert tickets["shop:1"]["updated_at"].isoformat() == "2026-03-05T06:30:00+00:00"
    assert tickets["shop:3"]["source"] == "shop" and tickets["shop:3"]["external_id"] == "3"

    surveys = {s["response_id"]: s for s in rows(store, "survey_responses")}
    assert {k: (s["score"], s["submitted_at"].isoformat()) for k, s in surveys.items()} == {
        # answered when solved, or when created if the ticket is still open
        "shop:1-csat": (5.0, "2026-03-02T06:30:00+00:00"),
        "shop:3-csat": (2.0, "2026-03-02T08:00:00+00:00"),
    }
    assert surveys["shop:1-csat"]["agent_id"] == "shop:Reza"
    assert sorted(c["customer_id"] for c in rows(store, "customers")) == [
        "shop:c1",
        "shop:c2",
        "shop:c3",
    ]
    assert sorted(a["agent_id"] for a in rows(store, "agents")) == ["shop:Reza", "shop:Sara"]
    assert [t["team_id"] for t in rows(store, "teams")] == ["shop:Billing"]

    again = _import(store, *_files(tmp_path, THREE_ROWS))
    assert again.inserted == 0 and again.replaced == 0


def test_bad_rows_name_the_users_column(duckdb_store: Store, tmp_path: Path) -> None:
    data = f"""\
{HEADER}
1,01/03/2026 09:00,,,,Reza,Billing,Fax,High,c1,,
2,31/02/2026 09:00,,,,Reza,Billing,Email,High,c2,,
3,01/03/2026 09:00,01/03/2026 08:00,,,Reza,Billing,Email,High,c3,,
4,01/03/2026 09:00,,,,Reza,Billing,Email,High,c4,9,
,01/03/2026 09:00,,,,Reza,Billing,Email,High,c5,,
6,01/03/2026 09:00,,,,Reza,Billing,Email,Critical,c6,4,
7,01/03/2026 09:00,,,,Reza,Billing,Email,Whenever,c7,great,
"""
    summary = _import(duckdb_store, *_files(tmp_path, data))
    by_row = rejects_by_row(duckdb_store)
    assert {r: (x["field"], x["value"]) for r, x in by_row.items()} == {
        2: ("Via", "Fax"),
        3: ("Created", "31/02/2026 09:00"),
        4: ("First reply", "01/03/2026 08:00"),
        5: ("CSAT", "9"),
        6: ("ID", None),
        8: ("Priority", "Whenever"),
    }
    assert "[values.channel] in mapping.toml" in by_row[2]["reason"]
    assert "is before Created" in by_row[4]["reason"]
    assert "outside the scale 1-5" in by_row[5]["reason"]
    assert summary.rejected == 6
    # a rejected row leaves nothing behind: no ticket, no event, no survey answer
    assert [t["ticket_id"] for t in rows(duckdb_store, "tickets")] == ["shop:6"]
    assert {e["ticket_id"] for e in rows(duckdb_store, "events")} == {"shop:6"}
    assert [s["score"] for s in rows(duckdb_store, "survey_responses")] == [4.0]


@pytest.mark.parametrize(
    ("name", "csv_rows", "tickets", "events", "surveys"),
    [("freshdesk", 5, 5, 24, 2), ("zendesk", 4, 4, 17, 2)],
)
def test_examples_import_cleanly(
    store: Store, name: str, csv_rows: int, tickets: int, events: int, surveys: int
) -> None:
    summary = import_file(
        store, EXAMPLES / f"{name}.csv", format="summary", mapping=EXAMPLES / f"{name}.toml"
    )
    assert summary.rows_read == csv_rows and summary.rejected == 0
    counts = store.counts(["tickets", "events", "survey_responses"])
    assert counts == {"tickets": tickets, "events": events, "survey_responses": surveys}
    assert all(t["source"] == name for t in rows(store, "tickets"))


def test_zendesk_minutes_and_unanswered_surveys(duckdb_store: Store) -> None:
    import_file(
        duckdb_store,
        EXAMPLES / "zendesk.csv",
        format="summary",
        mapping=EXAMPLES / "zendesk.toml",
    )
    replies = {
        e["ticket_id"]: e["at"].isoformat()
        for e in rows(duckdb_store, "events")
        if e["event_id"].endswith("-first-reply")
    }
    # created 08:15 +03:00 plus 47 minutes
    assert replies["zendesk:5001"] == "2026-03-01T06:02:00+00:00"
    scores = {s["ticket_id"]: s["score"] for s in rows(duckdb_store, "survey_responses")}
    assert scores == {"zendesk:5001": 1.0, "zendesk:5003": 0.0}  # "Offered" is no answer
    tags = {t["ticket_id"]: t["tags"] for t in rows(duckdb_store, "tickets")}
    assert tags["zendesk:5001"] == ["refund", "vip"]  # space-separated in Zendesk


def test_mapping_without_format_picks_summary(duckdb_store: Store) -> None:
    summary = import_file(
        duckdb_store, EXAMPLES / "freshdesk.csv", mapping=EXAMPLES / "freshdesk.toml"
    )
    assert summary.format == "summary"


# -- the mapping file itself ---------------------------------------------------------------

GOOD_COLUMNS = '[columns]\nticket_id = "ID"\ncreated_at = "Created"\n'


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ('[columns\nticket_id = "ID"', ["not valid TOML", "fix the file"]),
        ('sorce = "shop"\n' + GOOD_COLUMNS, ["sorce: unknown key", "source"]),
        (GOOD_COLUMNS + 'agnet = "Agent"\n', ["[columns] agnet: unknown key", "agent"]),
        (GOOD_COLUMNS + 'agent = "Agnet"\n', ["agent = 'Agnet'", "export.csv has no such column"]),
        ('[columns]\nticket_id = "ID"\n', ["[columns] needs created_at"]),
        (GOOD_COLUMNS + "agent = 5\n", ["[columns] agent must be a non-empty text"]),
        (
            GOOD_COLUMNS + '[values.priority]\nMedium = "medium"\n',
            ["[values.priority] 'Medium'", "low, normal, high, urgent"],
        ),
        (GOOD_COLUMNS + '[values.mood]\nok = "ok"\n', ["mood: unknown key"]),
        (GOOD_COLUMNS + '[values.satisfaction]\nGreat = "yes"\n', ["write the score as a number"]),
        (GOOD_COLUMNS + '[satisfaction]\nsurvey = "joy"\n', ["survey = 'joy'", "csat"]),
        (
            GOOD_COLUMNS + "[satisfaction]\nscale_min = 5\nscale_max = 1\n",
            ["scale_min (5) must be below scale_max (1)"],
        ),
        ('timezone = "Tehran"\n' + GOOD_COLUMNS, ["timezone = 'Tehran'", "Asia/Tehran"]),
        ('timestamp_format = "dd/mm/yyyy"\n' + GOOD_COLUMNS, ["strptime format"]),
        ('columns = "ID"\n', ["columns must be a table"]),
    ],
)
def test_mapping_mistakes(
    duckdb_store: Store, tmp_path: Path, mapping: str, words: list[str]
) -> None:
    csv_path, toml_path = _files(tmp_path, THREE_ROWS, mapping)
    with pytest.raises(MappingError) as caught:
        _import(duckdb_store, csv_path, toml_path)
    message = str(caught.value)
    assert message.startswith(f"{toml_path}: "), message
    for word in words:
        assert word in message, message
    assert duckdb_store.counts(["tickets", "events"]) == {"tickets": 0, "events": 0}


def test_mapping_file_missing(duckdb_store: Store, tmp_path: Path) -> None:
    csv_path, _ = _files(tmp_path, THREE_ROWS)
    with pytest.raises(MappingError, match="no such mapping file"):
        _import(duckdb_store, csv_path, tmp_path / "nope.toml")


def test_column_names_match_loosely_when_unambiguous(duckdb_store: Store, tmp_path: Path) -> None:
    mapping = MAPPING.replace('"Via"', '"via "').replace('"Priority"', '"PRIORITY"')
    summary = _import(duckdb_store, *_files(tmp_path, THREE_ROWS, mapping))
    assert summary.rejected == 0
    assert sorted(t["channel"] for t in rows(duckdb_store, "tickets")) == ["chat", "email", "web"]


def test_dates_the_other_way_round_stop_the_import(duckdb_store: Store, tmp_path: Path) -> None:
    # the mapping says day first, the export writes month first ("04/13/2026" is a date
    # only month first), so "01/03/2026" would be read as 1 March instead of 3 January
    data = (
        f"{HEADER}\n"
        "1,01/03/2026 09:00,,,,,,Email,High,c1,,\n"
        "2,04/13/2026 10:00,,,,,,Email,High,c2,,\n"
    )
    csv_path, toml_path = _files(tmp_path, data)
    from sanjeh.errors import IngestError

    with pytest.raises(IngestError) as raised:
        _import(duckdb_store, csv_path, toml_path)
    assert "'04/13/2026 10:00' is not a date in the format '%d/%m/%Y %H:%M'" in str(raised.value)
    assert 'timestamp_format = "%m/%d/%Y %H:%M" in mapping.toml' in str(raised.value)
    assert duckdb_store.counts(["tickets"])["tickets"] == 0  # nothing written


def test_a_date_that_is_not_iso_needs_a_declared_format(
    duckdb_store: Store, tmp_path: Path
) -> None:
    mapping = MAPPING.replace('timestamp_format = "%d/%m/%Y %H:%M"\n', "")
    data = (
        f"{HEADER}\n1,01/03/2026 09:00,,,,,,Email,High,c1,,\n2,2026-03-01 10:00,,,,,,Email,,c2,,\n"
    )
    csv_path, toml_path = _files(tmp_path, data, mapping)
    result = _import(duckdb_store, csv_path, toml_path)
    assert (result.rows_read, result.rejected) == (2, 1)
    reason = rejects_by_row(duckdb_store)[2]["reason"]  # line 2: the first data row
    assert "the order of day and month in other dates must be declared" in reason
    assert 'timestamp_format = "%d/%m/%Y %H:%M" in mapping.toml' in reason
