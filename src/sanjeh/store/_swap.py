"""Derived tables built beside their readers, then put in place at once.

The facts (``sanjeh.metrics``) are rebuilt while a dashboard keeps reading the old ones.
:func:`side_transaction` gives the builder a second connection to the same database,
inside one transaction: readers (the store's own connection, its cursors, other
processes) see the old tables until it commits, then the new ones, never half of a
build. Whole tables are written under another name and renamed into place
(:func:`replace_tables`) just before the commit: on PostgreSQL a DROP or RENAME locks its
table against readers until the transaction ends, so it must come last. Rows replaced
in place (DELETE + INSERT) lock no reader out.

The transaction is one snapshot of the data (DuckDB's transactions are; on PostgreSQL
it is REPEATABLE READ): what an import commits meanwhile is not in it, and the change
log rows it writes are not in it either, so :func:`clear_seen_changes` leaves them for
the next build. Builders take turns, one per database: in this process a lock (on
DuckDB the only one needed: no other process can write the file); across processes on
PostgreSQL an advisory lock, which the server releases if the process dies. The locks
are taken before the transaction starts, so a build that waited sees what the one
before it committed. A thread that finds another thread of its process building does
not wait (``wait=False``): that build's swap may need a lock the caller holds (the web
app's connection lock, held by a QA action that samples from the facts).

Other backends build on the store's own connection without a transaction (``shared``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import ibis
import sqlglot.expressions as sge

from . import _changes, _ibis_compat, _url
from ._store import Store

#: the PostgreSQL advisory lock of builds of derived tables (any number; one per use)
_PG_BUILD_LOCK = 0x53616E6A6568  # "Sanjeh"
_LOCKS: dict[object, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


class Side:
    """The builder's connection (``store``) and its open transaction."""

    def __init__(self, store: Store, *, shared: bool) -> None:
        self.store = store
        #: True when ``store`` is the caller's own connection (no transaction)
        self.shared = shared
        self.open = not shared

    def commit(self) -> None:
        """Make everything done on ``store`` visible to readers, at once."""
        if self.open:
            self.open = False  # (a failed COMMIT rolls back by itself)
            _run(self.store, "COMMIT")


@contextlib.contextmanager
def side_transaction(store: Store, *, wait: bool = True) -> Iterator[Side | None]:
    """A second connection to ``store``'s database, alone among builders, in one
    transaction: :meth:`Side.commit` publishes the work; leaving without it rolls back.

    None when ``wait`` is False and another thread of this process is building.
    """
    if store.backend not in ("duckdb", "postgres"):
        yield Side(store, shared=True)
        return
    file = _url.duckdb_file(store.url) if store.backend == "duckdb" else None
    with store.lock:
        raw = _ibis_compat.duckdb_connection(store.con) if store.backend == "duckdb" else None
    # in-memory DuckDB: one database per store (and its cursors)
    key = file.resolve() if file is not None else (id(raw) if raw is not None else store.url)
    with _LOCKS_LOCK:
        lock = _LOCKS.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=wait):
        yield None
        return
    try:
        with _connection(store, raw) as side_store:
            side = Side(side_store, shared=False)
            isolation = " ISOLATION LEVEL REPEATABLE READ" if raw is None else ""
            _run(side_store, f"BEGIN TRANSACTION{isolation}")
            if raw is None:  # the commit, in the swap, need not wait for the disk: a
                # crash loses the whole transaction, changes log included (redone later)
                _run(side_store, "SET LOCAL synchronous_commit TO OFF")
            try:
                yield side
            finally:
                if side.open:
                    side.open = False
                    _run(side_store, "ROLLBACK")
    finally:
        lock.release()


@contextlib.contextmanager
def _connection(store: Store, raw: Any) -> Iterator[Store]:
    """The second connection; on PostgreSQL holding the database's build lock."""
    if raw is not None:  # DuckDB: a cursor is a connection of its own to the same database
        with store.lock:
            side = Store(store.url, ibis.duckdb.from_connection(raw.cursor()))
        try:
            yield side
        finally:
            side.close()
        return
    side = Store.open(store.url, init=False)
    try:
        _run(side, f"SELECT pg_advisory_lock({_PG_BUILD_LOCK})")
        yield side  # (closing the connection releases the lock)
    finally:
        side.close()


def replace_tables(store: Store, renames: dict[str, str]) -> None:
    """Put each table ``renames[name]`` (built aside) in the place of ``name``.

    Inside the side transaction: readers see the swap when it commits. Views that
    read the replaced tables must be dropped first (PostgreSQL binds a view to the
    table, not to its name) and created again after.
    """
    dialect = _ibis_compat.sql_dialect(store.con)
    for name, aside in renames.items():
        store.con.drop_table(name, force=True)
        old = sge.to_identifier(aside, quoted=True).sql(dialect)
        new = sge.to_identifier(name, quoted=True).sql(dialect)
        _run(store, f"ALTER TABLE {old} RENAME TO {new}")


def clear_seen_changes(store: Store) -> None:
    """Forget the recorded changes this transaction sees (not those committed since:
    unlike ``Store.clear_changes``, whose TRUNCATE empties the table for everyone)."""
    dialect = _ibis_compat.sql_dialect(store.con)
    table = sge.to_identifier(_changes.CHANGES_TABLE, quoted=True).sql(dialect)
    _run(store, f"DELETE FROM {table}")


def _run(store: Store, sql: str) -> None:
    cursor: Any = store.con.raw_sql(sql)
    if store.backend != "duckdb":  # DuckDB hands back the connection itself
        cursor.close()
