"""The store: canonical tables in a database reached through Ibis.

``Store.open("sanjeh.duckdb")`` (the default), ``Store.open("postgresql://…")``,
``Store.open("lake:///folder")`` (a Parquet lake, read-only: ``_lake.py``) or any
Ibis URL. All reads are Ibis expressions (``store.table("tickets")``); all writes
are idempotent merges by key (see ``_merge.py``).

The implementation lives in ``_store.py``; every use of an Ibis internal is in
``_ibis_compat.py``; derived tables built on a second connection and put in place at
once, in ``_swap.py``.
"""

from __future__ import annotations

from ._lake import LakeReadOnly, connect_lake, export_lake
from ._merge import WriteResult
from ._store import META_TABLE, DuplicateKeysInInput, Stage, Store, insert_arrow
from ._swap import Side, clear_seen_changes, replace_tables, side_transaction

__all__ = [
    "META_TABLE",
    "DuplicateKeysInInput",
    "LakeReadOnly",
    "Side",
    "Stage",
    "Store",
    "WriteResult",
    "clear_seen_changes",
    "connect_lake",
    "export_lake",
    "insert_arrow",
    "replace_tables",
    "side_transaction",
]
