"""A refresh's SQL, compiled once per process and replayed.

A refresh of a few tickets runs the same fact definitions (Ibis expressions) as a full
build, over small temporary tables with fixed names. Building and compiling those
expressions costs seconds of Python; running their SQL over a few tickets costs
milliseconds. So the first refresh of a given shape records the statements it sends
to the database (what Ibis compiled: CREATE, INSERT, DELETE, DROP), and later
refreshes of the same shape send those statements again, with their own "now" (the
facts' as-of, the one value in them that changes from refresh to refresh) put in.

The definitions stay in Ibis; this is a cache of their compiled text, like
``_compiled`` for KPI queries. A recording that reads a table registered from Python
(a memtable: its name changes every time) or that does not contain the as-of literal
where expected is not kept: that step is then built every time. Only on DuckDB, where
Ibis sends every statement through ``raw_sql`` (PostgreSQL's sends some past it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Any

import ibis

_WRITES = ("CREATE", "INSERT", "DELETE", "DROP")
_MARK = "\x00sanjeh_as_of\x00"


@dataclasses.dataclass(frozen=True)
class _Recording:
    statements: tuple[str, ...]
    #: fact tables the step wrote aside (final name → aside name), see ``_build._Run``
    aside: tuple[tuple[str, str], ...]


_RECORDINGS: dict[Hashable, _Recording | None] = {}
_LOCK = threading.Lock()


def as_of_sql(con: Any, as_of: dt.datetime) -> str:
    """How the backend's compiler writes the as-of instant (a UTC timestamp literal)."""
    sql = str(con.compile(ibis.literal(as_of, type="timestamp('UTC')").name("sjh_as_of")))
    _, _, tail = sql.partition("SELECT")
    expression, _, _ = tail.rpartition("AS")
    return expression.strip()


def step(
    con: Any,
    key: Hashable,
    as_of: dt.datetime | None,
    aside: dict[str, str],
    run: Callable[[], None],
) -> None:
    """Run ``run()`` (a step of a refresh issuing SQL on ``con``), or replay its
    recorded statements when a step of the same ``key`` was recorded before.

    ``key`` names everything the statements' text depends on besides ``as_of`` (None:
    the step does not use it): the store, the configuration, which tables the step
    reads and writes.
    """
    if con.name != "duckdb":  # (other backends' Ibis send some SQL past ``raw_sql``)
        run()
        return
    with _LOCK:
        found = _RECORDINGS.get(key, False)
    uses_as_of = as_of is not None
    literal = as_of_sql(con, as_of) if as_of is not None else ""
    if isinstance(found, _Recording):
        for statement in found.statements:
            _execute(con, statement.replace(_MARK, literal))
        aside.update(found.aside)
        return
    before = dict(aside)
    with _recording(con) as statements:
        run()
    if found is None:  # (tried before: this step cannot be replayed)
        return
    made = tuple((k, v) for k, v in aside.items() if before.get(k) != v)
    recording = _recorded(statements, literal if uses_as_of else None, made)
    with _LOCK:
        _RECORDINGS[key] = recording


def _recorded(
    statements: list[str], literal: str | None, aside: tuple[tuple[str, str], ...]
) -> _Recording | None:
    if any("memtable" in s for s in statements):
        return None  # reads data registered from Python under a new name each time
    if literal is None:
        return _Recording(tuple(statements), aside)
    if not any(literal in s for s in statements):
        return None  # the as-of must be there to be replaced
    return _Recording(tuple(s.replace(literal, _MARK) for s in statements), aside)


@contextlib.contextmanager
def _recording(con: Any) -> Iterator[list[str]]:
    """The write statements sent through ``con.raw_sql`` meanwhile."""
    statements: list[str] = []
    raw_sql = con.raw_sql

    def recorded(query: Any, **kwargs: Any) -> Any:
        text = query.sql(dialect=con.name) if hasattr(query, "sql") else str(query)
        if text.lstrip().upper().startswith(_WRITES):
            statements.append(text)
        return raw_sql(text, **kwargs)

    con.raw_sql = recorded
    try:
        yield statements
    finally:
        del con.raw_sql  # the class's method again


def _execute(con: Any, statement: str) -> None:
    cursor = con.raw_sql(statement)
    if con.name != "duckdb":  # DuckDB hands back the connection itself
        cursor.close()


def forget() -> None:
    """Drop every recording (tests; a new model version in the same process)."""
    with _LOCK:
        _RECORDINGS.clear()
