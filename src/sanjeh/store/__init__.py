"""The store: canonical tables in a database reached through Ibis.

``Store.open("sanjeh.duckdb")`` (the default), ``Store.open("postgresql://…")``
or any Ibis URL. All reads are Ibis expressions (``store.table("tickets")``);
all writes are idempotent merges by key (see ``_merge.py``).

The implementation lives in ``_store.py``; every use of an Ibis internal is in
``_ibis_compat.py``.
"""

from __future__ import annotations

from ._merge import WriteResult
from ._store import META_TABLE, DuplicateKeysInInput, Stage, Store

__all__ = ["META_TABLE", "DuplicateKeysInInput", "Stage", "Store", "WriteResult"]
