"""Plain parameterised SQL on the store's own connection (DuckDB or PostgreSQL).

Answers arrive one by one at a few hundred a second; an Ibis expression compiled per
answer would cost more than the answer. Statements are written with ``?`` placeholders
and run on the DB-API connection under the Ibis backend, so they join the store's
write transaction (``store.writes``). Only the tables declared in ``sanjeh.model``
are named, always quoted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import ConfigError
from ..model import TableSpec
from ..store import Store
from ..store._ibis_compat import dbapi_connection

#: rows per multi-row INSERT (PostgreSQL takes at most 65,535 parameters a statement)
_CHUNK = 400


def _check(store: Store) -> None:
    if store.backend not in ("duckdb", "postgres"):
        raise ConfigError(
            f"surveys are answered on DuckDB or PostgreSQL stores, not {store.backend}"
        )


def _sql(store: Store, sql: str) -> str:
    return sql.replace("?", "%s") if store.backend == "postgres" else sql


def execute(store: Store, sql: str, params: Sequence[Any] = ()) -> None:
    _check(store)
    con = dbapi_connection(store.con)
    if store.backend == "duckdb":
        con.execute(sql, list(params))
    else:
        with con.cursor() as cursor:
            cursor.execute(_sql(store, sql), list(params))


def query(
    store: Store, sql: str, params: Sequence[Any] = (), *, own: bool = False
) -> list[dict[str, Any]]:
    """Rows as dicts; timestamps as aware UTC datetimes. ``own``: on this thread's own
    DuckDB connection (``Store.cursor``: committed data, without the store's lock)."""
    _check(store)
    if store.backend == "duckdb":
        con = store.cursor() if own else dbapi_connection(store.con)
        cursor = con.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    else:
        with dbapi_connection(store.con).cursor() as cursor:
            cursor.execute(_sql(store, sql), list(params))
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
    return [{n: _utc(v) for n, v in zip(names, row, strict=True)} for row in rows]


def insert(store: Store, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT ``rows`` (tuples in ``columns``' order), a few hundred per statement."""
    rows = list(rows)
    head = f'INSERT INTO "{table}" ({", ".join(map(_quote, columns))}) VALUES '
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        params = [value for row in chunk for value in row]
        execute(store, head + ", ".join([one] * len(chunk)), params)
    return len(rows)


def columns(spec: TableSpec) -> str:
    """A SELECT list of ``spec``'s columns, timestamps as UTC wall time (the same SQL on
    DuckDB and PostgreSQL, and DuckDB needs no pytz to hand them back)."""
    return ", ".join(
        f"{_quote(c.name)} AT TIME ZONE 'UTC' AS {_quote(c.name)}"
        if c.type == "timestamp"
        else _quote(c.name)
        for c in spec.columns
    )


def marks(values: Sequence[Any]) -> str:
    """``?, ?, ?`` for an ``IN (…)`` of ``values``."""
    return ", ".join(["?"] * len(values))


def _quote(name: str) -> str:
    return f'"{name}"'


def _utc(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value
