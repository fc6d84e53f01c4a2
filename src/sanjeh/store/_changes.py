"""What changed since derived tables were last refreshed.

Every merge records the ids its inserted and replaced rows belong to (the ticket of an
event, the customer of an outcome: ``TableSpec.belongs_to``), so the ticket facts can
be refreshed for those tickets only. A load that fills an empty table, and a change to
a table without ``belongs_to``, record ``(table, NULL)``: "anything may have changed";
a changed row that belongs to nobody (a survey without a ticket) records ``""``.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

CHANGES_TABLE = "sanjeh_changes"
SCHEMA = ibis.schema({"table_name": "!string", "entity_id": "string"})


def create(con: Any) -> None:
    con.create_table(CHANGES_TABLE, schema=SCHEMA)


def record(con: Any, table: str, ids: ir.Table | None) -> None:
    """Note that rows of ``table`` belonging to ``ids`` (a one-column table) changed;
    None: any rows may have."""
    if ids is None:
        con.insert(
            CHANGES_TABLE,
            ibis.memtable({"table_name": [table], "entity_id": [None]}, schema=SCHEMA),
        )
        return
    column = ids[ids.columns[0]].cast("string")
    rows = ids.select(table_name=ibis.literal(table), entity_id=column)
    con.insert(CHANGES_TABLE, rows.distinct())


def changed(con: Any) -> dict[str, bool]:
    """Table → True when anything in it may have changed, False when only known ids did."""
    t = con.table(CHANGES_TABLE)
    summary = t.group_by("table_name").agg(anything=t.entity_id.isnull().any())
    return {r["table_name"]: bool(r["anything"]) for r in summary.to_pyarrow().to_pylist()}


def ids(con: Any, tables: set[str]) -> ir.Column:
    """The ids recorded for ``tables`` (a column expression, for ``isin``)."""
    t = con.table(CHANGES_TABLE)
    known = t.table_name.isin(sorted(tables)) & t.entity_id.notnull() & (t.entity_id != "")
    return t.filter(known).entity_id


def clear(con: Any) -> None:
    con.truncate_table(CHANGES_TABLE)


def unowned(con: Any, tables: set[str]) -> bool:
    """Whether a changed row of ``tables`` belonged to nobody (recorded as ``""``)."""
    t = con.table(CHANGES_TABLE)
    found = t.filter(t.table_name.isin(sorted(tables)) & (t.entity_id == "")).count()
    return bool(con.execute(found))
