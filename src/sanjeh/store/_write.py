"""Write safety: a write is one transaction, and on PostgreSQL one writer at a time.

Every :class:`~sanjeh.store.Stage` runs inside the store's write transaction, opened
by the first stage and committed when the last open stage has committed (an import
fills several tables at once through several stages: they commit together). A stage
that ends without committing rolls it all back. So a process killed half-way -- or
an import that fails -- leaves the tables, and the change log that tells the facts
what to rebuild, as they were: the rows and the record of their change are committed
together or not at all (so a snapshot of the store, such as the facts build's, sees
both or neither). DuckDB and PostgreSQL are transactional; other backends write as
they go (``transactional`` is False).

Ibis's own writes join the transaction: on DuckDB it runs each statement on the
connection as it comes; on PostgreSQL each call is a psycopg ``transaction()`` block,
which inside an open transaction is a savepoint. (Its ``raw_sql`` rolls the whole
transaction back on an error: after any error a stage ends, never writes on.) The
tests in ``tests/store/`` fail if an Ibis release starts committing on its own.

PostgreSQL lets several processes write at once. A writer holds an advisory lock on
the table it writes (``pg_advisory_lock``; the ten data tables share one, so two
imports never wait for each other in a cycle) from the moment a stage decides to
write straight into an empty table, or from the start of its merge, until its
transaction ends: two merges into one table never overlap, and a second import of
a file waits for the first, then finds its rows stored. Session-level locks go away
with the connection, so a killed process releases them. Each table's key also has a
unique index (``Store.init``), so even a writer that bypasses the lock cannot store a
key twice. A DuckDB file has one writing process at a time anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

import sqlglot.expressions as sge

from ..model import TABLES
from . import _ibis_compat

#: the lock every data table shares (imports write several of them at once)
DATA_LOCK = "data"


def lock_name(table: str) -> str:
    """The advisory lock ``table``'s writers hold: one for the data tables, one each
    for the others (logins, QA records and the import log never wait for an import)."""
    return DATA_LOCK if table in TABLES else table


def lock_key(name: str) -> int:
    """A lock's 64-bit key (advisory locks are per database, so per store)."""
    digest = hashlib.blake2b(f"sanjeh:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Writes:
    """The store's write transaction, shared by the stages open at the same time."""

    def __init__(self, con: Any, backend: str) -> None:
        self.con = con
        self.backend = backend
        self.transactional = backend in ("duckdb", "postgres")
        self.depth = 0
        self.failed = False
        #: advisory locks this connection holds, released when the transaction ends
        self.held: list[str] = []

    def begin(self) -> None:
        if self.depth == 0 and self.transactional:
            self._run(sge.Transaction())
        self.depth += 1

    def end(self, ok: bool) -> None:
        """Leave the transaction; the last one out commits, or rolls back when any
        writer in it failed."""
        self.failed = self.failed or not ok
        self.depth -= 1
        if self.depth:
            return
        failed, self.failed = self.failed, False
        try:
            if self.transactional:
                self._run(sge.Rollback() if failed else sge.Commit())
        finally:
            while self.held:
                self._release(self.held[-1])

    @contextlib.contextmanager
    def transaction(self, *tables: str) -> Iterator[None]:
        """One transaction holding the locks of ``tables`` (committed on success)."""
        self.begin()
        ok = False
        try:
            for table in tables:
                self.lock(table)
            yield
            ok = True
        finally:
            self.end(ok)

    def lock(self, table: str) -> None:
        """Wait for, and take, the advisory lock of ``table``'s writers (PostgreSQL).

        Reentrant: a connection may take the same lock again (a second stage of the
        same import); each :meth:`unlock` gives one back.
        """
        if self.backend != "postgres":
            return
        name = lock_name(table)
        self._advisory("pg_advisory_lock", name)
        self.held.append(name)

    def unlock(self, table: str) -> None:
        if self.backend == "postgres":
            self._release(lock_name(table))

    def _release(self, name: str) -> None:
        self.held.remove(name)
        self._advisory("pg_advisory_unlock", name)

    def _advisory(self, function: str, name: str) -> None:
        call = sge.Anonymous(this=function, expressions=[sge.convert(lock_key(name))])
        self._run(sge.select(call))

    def _run(self, statement: sge.Expression) -> None:
        cursor = self.con.raw_sql(statement.sql(_ibis_compat.sql_dialect(self.con)))
        if self.backend != "duckdb":  # DuckDB hands back the connection itself
            cursor.close()
