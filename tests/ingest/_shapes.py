"""Each import format's file shape, for tests that write files of every format.

A shape says which columns a file has, what a valid row holds (row ``i`` gets unique
ids), which values must be rejected (with the field named), which column is free text
(where a bare carriage return or a stray quote goes), and how to count, from the
store, the rows of the file that were accepted — independently of the import summary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sanjeh.model import TABLES, TableSpec
from sanjeh.store import Store

Row = dict[str, str]


@dataclasses.dataclass
class Shape:
    columns: list[str]
    valid: Callable[[int, str], Row]  # (row index, free text) → values
    invalid: dict[str, str]  # column → a value that must be rejected
    text_column: str
    accepted: Callable[[Store], int] | None  # None: the format has no 1:1 output table
    delimiter: str = ","
    file_name: str = "data.csv"
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    #: a mapping file's text (the summary / event-log formats), written beside the data
    mapping: str | None = None
    #: key of the ticket / case / SR of a row (formats whose accepted rows are not 1:1)
    group_of: Callable[[Row], str] | None = None


def _count(table: str, where: Callable[[dict[str, Any]], bool] | None = None) -> Callable:
    def count(store: Store) -> int:
        rows = store.table(table).to_pyarrow().to_pylist()
        return sum(1 for r in rows if where is None or where(r))

    return count


def _native(spec: TableSpec) -> Shape:
    assert spec.example is not None, f"{spec.name}: the model declares no example row"
    example = {k: str(v) for k, v in spec.example.items()}
    types = {c.name: c for c in spec.columns}
    invalid: dict[str, str] = {}
    for name in example:
        col = types[name]
        if col.type == "timestamp":
            invalid[name] = "yesterday"
        elif col.type in ("int", "float"):
            invalid[name] = "nan" if col.type == "float" else "abc"
        elif col.choices:
            invalid[name] = "zzz"
        elif col.required and name not in ("source", spec.key):
            invalid[name] = ""
    texts = [
        n
        for n in example
        if types[n].type == "string" and not types[n].choices and not types[n].required
    ]
    ids = [n for n in example if types[n].type == "id" and n != spec.key]
    # a table of figures only (call_speech) varies a required text column instead
    required_texts = [
        n for n in example if types[n].type == "string" and not types[n].choices and n != "source"
    ]
    text_column = (texts or ids or required_texts)[0]

    def valid(i: int, text: str) -> Row:
        row = dict(example)
        row[spec.key] = f"{example[spec.key]}-{i}"
        row[text_column] = text
        return row

    return Shape(
        columns=list(example),
        valid=valid,
        invalid=invalid,
        text_column=text_column,
        accepted=_count(spec.name),
        file_name=f"{spec.name}.csv",
    )


ANONBANK_COLUMNS = [
    *("vru+line", "call_id", "type", "vru_entry", "vru_exit", "vru_time", "q_start"),
    *("q_exit", "q_time", "outcome", "ser_start", "ser_exit", "ser_time", "server"),
]


def _anonbank_row(i: int, text: str) -> Row:
    minute = f"{7 + i // 60}:{i % 60:02d}"
    return dict(
        zip(
            ANONBANK_COLUMNS,
            [
                *("AA0101", str(40000 + i), "PS", f"{minute}:01", f"{minute}:05", "4"),
                *(f"{minute}:05", f"{minute}:30", "25", "AGENT", f"{minute}:30"),
                *(f"{minute}:50", "20", text),
            ],
            strict=True,
        )
    )


HELPDESK_COLUMNS = ["case_id", "activity", "timestamp", "resource"]


def _helpdesk_row(i: int, text: str) -> Row:
    return {
        "case_id": str(i // 3),
        "activity": str(i % 14),
        "timestamp": f"2010-01-{1 + i % 28:02d} 08:{i % 60:02d}:16",
        "resource": text,
    }


VOLVO_COLUMNS = [
    *("SR Number", "Change Date+Time", "Status", "Sub Status", "Involved ST", "ST Level"),
    *("SR Latest Impact", "Product", "Resource", "Owner First Name"),
]


def _volvo_row(i: int, text: str) -> Row:
    return dict(
        zip(
            VOLVO_COLUMNS,
            [
                f"1-{364285768 + i // 2}",
                f"2010-03-31T{10 + i % 12:02d}:{i % 60:02d}:42+01:00",
                *("Accepted", "In Progress", "V30", f"L{1 + i % 3}", "Medium", text),
                *("fr-Frederic", "Frederic"),
            ],
            strict=True,
        )
    )


TWCS_COLUMNS = [
    *("tweet_id", "author_id", "inbound", "created_at", "text"),
    *("response_tweet_id", "in_response_to_tweet_id"),
]


def _twcs_row(i: int, text: str) -> Row:
    inbound = i % 2 == 0
    return {
        "tweet_id": str(1000 + i),
        "author_id": str(500 + i) if inbound else "AppleSupport",
        "inbound": "True" if inbound else "False",
        "created_at": f"Wed Oct 11 {6 + i % 12:02d}:{i % 60:02d}:44 +0000 2017",
        "text": text,
        "response_tweet_id": "",
        "in_response_to_tweet_id": "" if inbound else str(1000 + i - 1),
    }


SUMMARY_MAPPING = """
source = "desk"
[columns]
ticket_id = "Ticket ID"
created_at = "Created"
subject = "Subject"
status = "Status"
first_response_minutes = "First reply time in minutes"
satisfaction = "CSAT"
"""


def _summary_row(i: int, text: str) -> Row:
    return {
        "Ticket ID": str(100 + i),
        "Created": f"2024-03-{1 + i % 28:02d} 09:{i % 60:02d}:00",
        "Subject": text,
        "Status": ("open", "solved", "closed")[i % 3],
        "First reply time in minutes": str(i % 90),
        "CSAT": str(1 + i % 5),
    }


SERVICENOW_COLUMNS = [
    *("number", "incident_state", "reassignment_count", "reopen_count", "sys_mod_count"),
    *("opened_at", "sys_updated_at", "assignment_group", "category"),
]


def _servicenow_row(i: int, text: str) -> Row:
    return {
        "number": f"INC{i // 3:07d}",
        "incident_state": ("New", "Active", "Resolved")[i % 3],
        "reassignment_count": str(i % 3 // 2),
        "reopen_count": "0",
        "sys_mod_count": str(i % 3),
        "opened_at": "29/2/2016 01:16",
        "sys_updated_at": f"{1 + i % 28}/3/2016 {8 + i % 12}:{i % 60:02d}",
        "assignment_group": "?",
        "category": text,
    }


EVENT_LOG_MAPPING = """
format = "event_log"
source = "log"
null_values = ["?"]
[columns]
case_id = "Case ID"
activity = "Activity"
timestamp = "Complete Timestamp"
resource = "Resource"
[activities]
"Register request" = "created"
"Decide" = "solved"
"""


def _event_log_row(i: int, text: str) -> Row:
    return {
        "Case ID": f"c{i // 3}",
        "Activity": ("Register request", "Check", "Decide")[i % 3],
        "Complete Timestamp": f"2024-03-{1 + i % 28:02d} 09:{i % 60:02d}:00",
        "Resource": text,
    }


def shapes() -> dict[str, Shape]:
    found = {name: _native(spec) for name, spec in TABLES.items()}
    found["anonbank"] = Shape(
        columns=ANONBANK_COLUMNS,
        valid=_anonbank_row,
        invalid={"vru_entry": "25:61:00", "ser_time": "abc", "outcome": "MAYBE", "call_id": "x1"},
        text_column="server",
        accepted=_count("calls"),
        file_name="calls_1999-08-01.csv",
    )
    found["helpdesk_log"] = Shape(
        columns=HELPDESK_COLUMNS,
        valid=_helpdesk_row,
        invalid={"activity": "abc", "timestamp": "2010-13-45 99:00:00", "case_id": ""},
        text_column="resource",
        accepted=_count("events", lambda r: not r["event_id"].endswith("-created")),
        delimiter=";",
    )
    found["volvo"] = Shape(
        columns=VOLVO_COLUMNS,
        valid=_volvo_row,
        invalid={"ST Level": "X9", "SR Latest Impact": "Huge", "Change Date+Time": "yesterday"},
        text_column="Product",
        accepted=None,
        group_of=lambda row: f"volvo:{row['SR Number']}",
    )
    found["twcs"] = Shape(
        columns=TWCS_COLUMNS,
        valid=_twcs_row,
        invalid={"inbound": "maybe", "tweet_id": "abc", "created_at": "yesterday"},
        text_column="text",
        accepted=_count("events", lambda r: r["kind"] == "message"),
    )
    found["summary"] = Shape(
        columns=list(_summary_row(0, "")),
        valid=_summary_row,
        invalid={
            "First reply time in minutes": "abc",
            "Created": "yesterday",
            "CSAT": "9",
            "Status": "weird",
        },
        text_column="Subject",
        accepted=_count("tickets"),
        mapping=SUMMARY_MAPPING,
    )
    found["servicenow"] = Shape(
        columns=SERVICENOW_COLUMNS,
        valid=_servicenow_row,
        invalid={
            "reopen_count": "x",
            "sys_updated_at": "31/2/2016 10:00",
            "incident_state": "Pending",
        },
        text_column="category",
        # each accepted update is one status (or "other") event
        accepted=_count("events", lambda r: r["event_id"].endswith(("-s", "-other"))),
        group_of=lambda row: f"servicenow:{row['number']}",
    )
    found["event_log"] = Shape(
        columns=list(_event_log_row(0, "")),
        valid=_event_log_row,
        invalid={"Complete Timestamp": "05/03/2024 14:00", "Case ID": ""},
        text_column="Resource",
        # one event per accepted row (ids end in the row number), besides added ones
        accepted=_count("events", lambda r: r["event_id"][-9:].isdigit()),
        mapping=EVENT_LOG_MAPPING,
    )
    return found


def write_mapping(shape: Shape, folder: Path) -> Path | None:
    if shape.mapping is None:
        return None
    path = folder / "mapping.toml"
    path.write_text(shape.mapping, encoding="utf-8")
    return path
