"""Reading the latest revision of QA records, and appending new revisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ibis

from ..errors import ValidationError
from ._limits import has_nul

if TYPE_CHECKING:
    from ..store import Store


def latest(
    store: Store, table: str, id_column: str, where: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The latest revision of every record of ``table``.

    ``where`` filters *before* the latest revision is taken, so only use it on columns
    that never change between revisions (ids, the ticket, the agent, the reviewer); a
    list value means "any of these". A text with a NUL matches nothing (nothing stored
    has one, and no database takes one in a query).
    """
    t = store.table(table)
    for column, value in (where or {}).items():
        if isinstance(value, list | tuple | set):
            value = [v for v in value if not has_nul(v)]
            if not value:
                return []
            t = t.filter(t[column].isin(sorted(value)))
        elif value is None:
            t = t.filter(t[column].isnull())
        elif has_nul(value):
            return []
        else:
            t = t.filter(t[column] == value)
    w = ibis.window(group_by=t[id_column], order_by=ibis.desc(t.revision))
    t = t.mutate(_rank=ibis.row_number().over(w))
    t = t.filter(t._rank == 0).drop("_rank")
    return _rows(t)


def revisions(store: Store, table: str, id_column: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every revision of the records ``ids``, oldest first."""
    ids = [i for i in ids if not has_nul(i)]
    if not ids:
        return []
    t = store.table(table)
    t = t.filter(t[id_column].isin(list(ids))).order_by([t.changed_at, t[id_column], t.revision])
    return _rows(t)


def _rows(t: ibis.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = t.to_pyarrow().to_pylist()
    for row in rows:  # every backend hands back aware UTC datetimes
        for key, value in row.items():
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                row[key] = value.replace(tzinfo=dt.UTC)
    return rows


def append(store: Store, table: str, rows: list[dict[str, Any]]) -> None:
    """Write new revisions (each ``row_id`` is new, so nothing stored is replaced). Texts
    were checked by the action (``limits``); a NUL that slipped through stops here."""
    for row in rows:
        for key, value in row.items():
            if has_nul(value):
                raise ValidationError(key, "contains a NUL character (\\x00); remove it")
    if rows:
        store.write(table, rows)
