"""Mapping files declare the texts that mean "no value" (``null_values``) and the date
format; here a ticket-summary export of ServiceNow incidents, which writes ``?``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sanjeh.errors import MappingError
from sanjeh.ingest import ImportSummary, import_file
from sanjeh.store import Store

from ._support import rejects_by_row, rows

EXPORT = """\
number,opened_at,resolved_at,closed_at,assignment_group,assigned_to
INC1,29/2/2016 01:16,29/2/2016 11:29,5/3/2016 12:00,Group 56,?
INC2,2/3/2016 10:00,?,?,Group 25,Resolver 57
INC3,29/2/2016 08:50,?,5/3/2016 10:00,NULL,-
"""
MAPPING = """\
source = "sn"
timezone = "UTC"
timestamp_format = "%d/%m/%Y %H:%M"
{nulls}
[columns]
ticket_id = "number"
created_at = "opened_at"
resolved_at = "resolved_at"
closed_at = "closed_at"
team = "assignment_group"
agent = "assigned_to"
"""


def _import(store: Store, tmp_path: Path, nulls: str) -> ImportSummary:
    data, mapping = tmp_path / "incidents.csv", tmp_path / "incidents.toml"
    data.write_text(EXPORT)
    mapping.write_text(MAPPING.format(nulls=nulls))
    return import_file(store, data, mapping=mapping)


def test_declared_null_values(store: Store, tmp_path: Path) -> None:
    summary = _import(store, tmp_path, 'null_values = ["?", "NULL", "-"]')
    assert summary.rows_read == 3 and summary.rejected == 0
    tickets = {t["external_id"]: t for t in rows(store, "tickets")}
    assert {k: t["status"] for k, t in tickets.items()} == {
        "INC1": "closed",
        "INC2": "open",
        "INC3": "closed",
    }
    assert tickets["INC1"]["agent_id"] is None and tickets["INC1"]["team_id"] == "sn:Group 56"
    assert tickets["INC3"]["agent_id"] is None and tickets["INC3"]["team_id"] is None
    # day first, as declared: 2/3/2016 is 2 March
    assert tickets["INC2"]["created_at"] == dt.datetime(2016, 3, 2, 10, 0, tzinfo=dt.UTC)
    kinds = sorted((e["ticket_id"], e["kind"], e["status"]) for e in rows(store, "events"))
    # INC1: created, request, assign, solved, closed; INC2: created, request, assign;
    # INC3: created, request, closed (no team or agent: no assignment)
    assert len(kinds) == 5 + 3 + 3
    assert ("sn:INC3", "status", "closed") in kinds
    assert not any(a["agent_id"] == "sn:?" for a in rows(store, "agents"))


def test_without_them_a_question_mark_is_a_value(duckdb_store: Store, tmp_path: Path) -> None:
    """What the issue saw: every '?' date is a rejected row, and '?' becomes an agent."""
    summary = _import(duckdb_store, tmp_path, "")
    assert summary.rejected == 2
    assert set(rejects_by_row(duckdb_store)) == {3, 4}
    assert {a["agent_id"] for a in rows(duckdb_store, "agents")} == {"sn:?"}


@pytest.mark.parametrize("nulls", ['null_values = "?"', 'null_values = ["?", ""]'])
def test_bad_null_values(duckdb_store: Store, tmp_path: Path, nulls: str) -> None:
    with pytest.raises(MappingError, match="null_values"):
        _import(duckdb_store, tmp_path, nulls)
