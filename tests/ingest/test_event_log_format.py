"""Process-mining logs described by a mapping file (``format = "event_log"``): columns,
declared date formats, null markers, activities; ISO 8601 never reinterpreted; and the
Helpdesk importer no longer swaps or rejects logs that are not its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sanjeh.errors import IngestError, MappingError, UnknownFormat
from sanjeh.ingest import import_file
from sanjeh.metrics import MetricOptions, MetricsConfig, kpis
from sanjeh.store import Store

from ._support import data_counts, rejects_by_row, rows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "event_log"
SERVICEDESK = EXAMPLES / "servicedesk.csv", EXAMPLES / "servicedesk.toml"
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
HEADER = "Case ID,Activity,Complete Timestamp,Resource"
MAPPING = """\
format = "event_log"
source = "log"
timezone = "UTC"
{extra}
[columns]
case_id = "Case ID"
activity = "Activity"
timestamp = "Complete Timestamp"
resource = "Resource"

[activities]
"Register request" = "created"
"Decide" = "solved"
"""


def _files(
    tmp_path: Path, lines: list[str], extra: str = "", header: str = HEADER
) -> tuple[Path, Path]:
    data, mapping = tmp_path / "log.csv", tmp_path / "log.toml"
    data.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    mapping.write_text(MAPPING.format(extra=extra), encoding="utf-8")
    return data, mapping


def _times(store: Store) -> dict[str, dt.datetime]:
    return {e["event_id"]: e["at"] for e in rows(store, "events")}


def test_servicedesk_example_by_hand(store: Store) -> None:
    data, mapping = SERVICEDESK
    summary = import_file(store, data, mapping=mapping)  # the mapping names its format
    assert summary.format == "event_log" and summary.source == "servicedesk"
    assert summary.rows_read == 16 and summary.rejected == 0
    # 16 activities + 3 status events of "Assigned" (assign and open) + 1 "created" for none
    counts = data_counts(store)
    assert counts == {"tickets": 3, "events": 19, "agents": 3, "teams": 2, "customers": 3}
    events = sorted(
        (e for e in rows(store, "events") if e["ticket_id"] == "servicedesk:SD-1002"),
        key=lambda e: (e["at"], e["event_id"]),
    )
    local = [
        (e["at"].astimezone(TEHRAN).strftime("%m-%d %H:%M"), e["kind"], e["status"]) for e in events
    ]
    # ISO dates as written: 2024-03-05 is 5 March (Tehran, UTC+03:30)
    assert local == [
        ("03-05 14:00", "created", "new"),
        ("03-05 14:10", "assign", "open"),
        ("03-05 14:10", "status", "open"),
        ("03-05 16:00", "escalate", None),
        ("03-06 09:30", "status", "solved"),
        ("03-07 08:00", "status", "open"),
        ("03-07 12:00", "status", "solved"),
        ("03-14 12:00", "status", "closed"),
    ]
    escalation = next(e for e in events if e["kind"] == "escalate")
    assert escalation["team_id"] == "servicedesk:Network"
    assert escalation["agent_id"] == "servicedesk:Omid"
    other = next(e for e in rows(store, "events") if e["kind"] == "other")
    assert other["body"] == "Knowledge article sent"  # not in [activities]: kept
    tickets = {t["external_id"]: t for t in rows(store, "tickets")}
    assert {k: t["status"] for k, t in tickets.items()} == {
        "SD-1001": "closed",
        "SD-1002": "closed",
        "SD-1003": "open",
    }
    assert tickets["SD-1002"]["agent_id"] == "servicedesk:Omid"
    assert tickets["SD-1001"]["channel"] == "email"  # E-mail, built in
    assert tickets["SD-1001"]["priority"] == "normal"  # Medium
    assert tickets["SD-1001"]["team_id"] == "servicedesk:Service Desk"  # NULL is no value
    assert tickets["SD-1001"]["created_at"] == dt.datetime(2024, 3, 4, 9, 12, tzinfo=TEHRAN)

    options = MetricOptions(as_of=dt.datetime(2024, 6, 1, tzinfo=dt.UTC), reopen_window_days=0)
    names = ["tickets_created", "reopen_rate", "escalation_rate", "resolution_time"]
    names += ["first_resolution_time"]
    got = {
        r.kpi: r.value
        for r in kpis(
            store, names, config=MetricsConfig(options=options), hours="calendar"
        ).itertuples()
    }
    # resolution: SD-1001 05/03 10:00 − 04/03 09:12 = 89 280 s; SD-1002 07/03 12:00 −
    # 05/03 14:00 = 165 600 s (first: 06/03 09:30, 70 200 s)
    by_hand = {
        "tickets_created": 3,
        "reopen_rate": 1 / 2,
        "escalation_rate": 1 / 3,
        "resolution_time": (89280 + 165600) / 2,
        "first_resolution_time": (89280 + 70200) / 2,
    }
    assert got == pytest.approx(by_hand)
    assert got == pytest.approx(_independent(data))


def _independent(path: Path) -> dict[str, float]:
    """The same KPIs with pandas from the log's columns and the activities' meaning
    (opened, solution proposed = resolved, reopened, escalated)."""
    df = pd.read_csv(path, na_values=["?", "NULL"], keep_default_na=False)
    df["at"] = pd.to_datetime(df["Complete Timestamp"], format="ISO8601")
    cases = df.groupby("Case ID")
    opened = df[df.Activity == "Ticket opened"].groupby("Case ID").at.min()
    solved = df[df.Activity == "Solution proposed"].groupby("Case ID").at
    full = (solved.max() - opened).dropna().dt.total_seconds()
    first = (solved.min() - opened).dropna().dt.total_seconds()
    reopened = df[df.Activity == "Reopened"]["Case ID"].unique()
    escalated = df[df.Activity == "Escalated to 2nd level"]["Case ID"].unique()
    return {
        "tickets_created": cases.ngroups,
        "reopen_rate": len(set(reopened) & set(full.index)) / len(full),
        "escalation_rate": len(escalated) / cases.ngroups,
        "resolution_time": full.median(),
        "first_resolution_time": first.median(),
    }


def test_declared_day_first_format(duckdb_store: Store) -> None:
    summary = import_file(
        duckdb_store, EXAMPLES / "dayfirst.csv", mapping=EXAMPLES / "dayfirst.toml"
    )
    assert summary.rejected == 0 and summary.source == "hd"
    tickets = {t["external_id"]: t for t in rows(duckdb_store, "tickets")}
    # 03.04.2024 08:15 in Berlin (summer time, UTC+2) is 3 April, 06:15 UTC
    assert tickets["4711"]["created_at"] == dt.datetime(2024, 4, 3, 6, 15, tzinfo=dt.UTC)
    assert tickets["4711"]["status"] == "closed" and tickets["4712"]["status"] == "open"
    assert tickets["4712"]["team_id"] == "hd:2nd Level"
    assert tickets["4711"]["agent_id"] == "hd:Anna"  # "-" is no value, not an agent


def test_iso_dates_are_never_reinterpreted(duckdb_store: Store, tmp_path: Path) -> None:
    """A day-first format is declared; the ISO values are still year-month-day."""
    data, mapping = _files(
        tmp_path,
        [
            "c1,Register request,2024-03-04 09:12:00,?",
            "c1,Decide,05/03/2024 14:00,Ann",
            "c2,Register request,2024-01-02T08:00:00+03:30,Bob",
            "c3,Register request,۲۰۲۴-۰۳-۰۶ ۰۹:۰۰:۰۰,Sara",  # Persian digits: ISO too
        ],
        extra='timestamp_format = "%d/%m/%Y %H:%M"\nnull_values = ["?"]',
    )
    summary = import_file(duckdb_store, data, mapping=mapping)
    assert summary.rejected == 0
    times = _times(duckdb_store)
    assert times["log:c1-000000002"] == dt.datetime(2024, 3, 4, 9, 12, tzinfo=dt.UTC)
    assert times["log:c1-000000003"] == dt.datetime(2024, 3, 5, 14, 0, tzinfo=dt.UTC)
    assert times["log:c2-000000004"] == dt.datetime(2024, 1, 2, 4, 30, tzinfo=dt.UTC)
    assert times["log:c3-000000005"] == dt.datetime(2024, 3, 6, 9, 0, tzinfo=dt.UTC)


def test_other_dates_need_a_declared_format(duckdb_store: Store, tmp_path: Path) -> None:
    data, mapping = _files(
        tmp_path,
        ["c1,Register request,2024-03-04 09:12:00,Ann", "c1,Decide,05/03/2024 14:00,Ann"],
    )
    summary = import_file(duckdb_store, data, mapping=mapping)
    assert summary.rows_read == 2 and summary.rejected == 1
    assert len(rows(duckdb_store, "events")) == 1  # the good row, itself the creation
    reject = rejects_by_row(duckdb_store)[3]
    assert reject["field"] == "Complete Timestamp" and reject["value"] == "05/03/2024 14:00"
    assert 'timestamp_format = "%d/%m/%Y %H:%M" in log.toml' in reject["reason"]


def test_month_first_file_stops_a_day_first_format(duckdb_store: Store, tmp_path: Path) -> None:
    data, mapping = _files(
        tmp_path,
        ["c1,Register request,03/04/2024 09:00,Ann", "c1,Decide,03/13/2024 10:00,Ann"],
        extra='timestamp_format = "%d/%m/%Y %H:%M"',
    )
    with pytest.raises(IngestError) as err:
        import_file(duckdb_store, data, mapping=mapping)
    message = str(err.value)
    assert "'03/13/2024 10:00'" in message and "month first" in message
    assert 'timestamp_format = "%m/%d/%Y %H:%M" in log.toml' in message
    assert all(n == 0 for n in duckdb_store.counts().values())


def test_values_not_mapped_are_rejected(duckdb_store: Store, tmp_path: Path) -> None:
    data, mapping = _files(
        tmp_path,
        [
            "c1,Register request,2024-03-04 09:12:00,Ann,P1",
            "c2,Decide,2024-03-04 09:13:00,Ann,High",
        ],
        header=f"{HEADER},Priority",
    )
    text = mapping.read_text().replace("[activities]", 'priority = "Priority"\n\n[activities]')
    mapping.write_text(text)
    summary = import_file(duckdb_store, data, mapping=mapping)
    assert summary.rows_read == 2 and summary.rejected == 1
    reject = rejects_by_row(duckdb_store)[2]
    assert reject["field"] == "Priority" and "[values.priority] in log.toml" in reject["reason"]
    (ticket,) = rows(duckdb_store, "tickets")
    assert ticket["priority"] == "high" and ticket["status"] == "solved"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (('"Decide" = "solved"', '"Decide" = "done"'), ["[activities] 'Decide' = 'done'"]),
        (('"Decide" = "solved"', '"Decide" = { kind = "merge" }'), ["kind = 'merge'"]),
        (
            ('"Decide" = "solved"', '"Decide" = { status = "solved", actor = "robot" }'),
            ["actor = 'robot'", "agent"],
        ),
        (('timezone = "UTC"', 'timezone = "UTC"\nnull_values = "?"'), ["null_values", '"?"']),
        (('case_id = "Case ID"\n', ""), ["[columns] needs case_id"]),
        (('format = "event_log"', 'format = "eventlog"'), ["format = 'eventlog'", "summary"]),
        (('source = "log"', 'source = "log"\nnulls = ["?"]'), ["nulls: unknown key"]),
    ],
)
def test_mapping_mistakes(
    duckdb_store: Store, tmp_path: Path, change: tuple[str, str], words: list[str]
) -> None:
    data, mapping = _files(tmp_path, ["c1,Register request,2024-03-04 09:12:00,Ann"])
    text = mapping.read_text()
    assert change[0] in text
    mapping.write_text(text.replace(change[0], change[1]))
    with pytest.raises(MappingError) as err:
        import_file(duckdb_store, data, mapping=mapping)
    for word in words:
        assert word in str(err.value), str(err.value)


def test_a_mapping_read_as_another_format(duckdb_store: Store, tmp_path: Path) -> None:
    data, mapping = _files(tmp_path, ["c1,Register request,2024-03-04 09:12:00,Ann"])
    with pytest.raises(MappingError) as err:
        import_file(duckdb_store, data, format="summary", mapping=mapping)
    assert "--format event_log" in str(err.value)
    with pytest.raises(MappingError, match="needs a mapping file"):
        import_file(duckdb_store, data, format="event_log")


# -- the Helpdesk importer keeps to its own log ----------------------------------------


def test_helpdesk_layout_with_codes_reads_iso_dates_as_written(
    duckdb_store: Store, tmp_path: Path
) -> None:
    """Only the fau-is copy (case_id;activity;timestamp) has day and month swapped;
    the 4TU layout with codes and ISO dates was swapped too (1 April read as 4 January)."""
    path = tmp_path / "helpdesk.csv"
    path.write_text(
        "Case ID,Activity,Complete Timestamp\n0,4,2010-04-01 08:57:16\n0,3,2010-04-25 09:00:00\n"
    )
    summary = import_file(duckdb_store, path, params={"timezone": "UTC"})
    assert summary.format == "helpdesk_log"
    (ticket,) = rows(duckdb_store, "tickets")
    assert ticket["created_at"].date() == dt.date(2010, 4, 1)


def test_another_process_log_is_not_taken_for_the_helpdesk_log(
    duckdb_store: Store, tmp_path: Path
) -> None:
    data, mapping = _files(
        tmp_path,
        ["c1,Register request,2011-01-02 09:00:00,Pete", "c1,Decide,2011-01-03 10:00:00,Sara"],
    )
    with pytest.raises(UnknownFormat) as err:
        import_file(duckdb_store, data)
    message = str(err.value)
    assert "'Register request'" in message and 'format = "event_log"' in message
    assert "--mapping" in message
    summary = import_file(duckdb_store, data, mapping=mapping)
    assert summary.format == "event_log" and summary.rejected == 0
    # 2011-01-02 is 2 January, as written
    assert _times(duckdb_store)["log:c1-000000002"].date() == dt.date(2011, 1, 2)
