"""Each table's key as a unique index in the database (PostgreSQL).

The merge keeps keys unique, and on PostgreSQL writers take turns (``_write.py``);
the index makes the database itself refuse a second row for a key, whoever writes it.
:func:`ensure_unique_keys` runs in ``Store.init`` and creates the indexes that are
missing. A store written before them (by a Sanjeh without writer locks, where two
imports at once could store a row twice) may hold duplicates: rows that are equal in
every column are kept once (nothing is lost; the change is recorded, so the facts that
counted them twice are rebuilt); rows that share a key but differ stop the opening
with a :class:`StoreError` that names them and says how to keep one of each: which
version is right is the user's call, not a guess.

DuckDB has none: a DuckDB file has one writing process at a time, and an index
would slow down the first import of a big file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlglot.expressions as sge

from ..errors import StoreError
from ..model import ALL_TABLES, TableSpec
from . import _changes, _ibis_compat, _url

if TYPE_CHECKING:
    from ._store import Store

#: how many of a table's duplicated keys an error names
_EXAMPLES = 3


def index_name(table: str) -> str:
    return f"sanjeh_key_{table}"


def ensure_unique_keys(store: Store) -> None:
    """Create the missing unique key indexes (PostgreSQL; inside ``Store.init``'s
    transaction, each under its table's writer lock)."""
    if store.backend != "postgres":
        return
    con = store.con
    indexes = con.table("pg_indexes", database="pg_catalog")
    here = indexes.filter(indexes.schemaname == con.current_database)
    have = set(here.indexname.to_pyarrow().to_pylist())
    quoted = _ibis_compat.quotes_identifiers(con)
    dialect = _ibis_compat.sql_dialect(con)
    for name, spec in ALL_TABLES.items():
        if index_name(name) in have:
            continue
        store.writes.lock(name)  # no writer may add a duplicate meanwhile
        _deduplicate(store, spec)
        statement = sge.Create(
            kind="INDEX",
            unique=True,
            exists=True,
            this=sge.Index(
                this=sge.to_identifier(index_name(name), quoted=quoted),
                table=sge.table_(name, quoted=quoted),
                params=sge.IndexParameters(
                    columns=[sge.Ordered(this=sge.column(spec.key, quoted=quoted))]
                ),
            ),
        )
        con.raw_sql(statement.sql(dialect)).close()


def _deduplicate(store: Store, spec: TableSpec) -> None:
    """Keep once the rows stored twice; refuse keys stored with different contents."""
    con, name, key = store.con, spec.name, spec.key
    t = con.table(name)
    counted = t.group_by(key).aggregate(n=t.count())
    twice = counted.filter(counted.n > 1).select(key)
    if int(con.execute(twice.count())) == 0:
        return
    copies = f"sanjeh_stage_{name}_dedupe"
    kept = con.create_table(copies, t.filter(t[key].isin(twice[key])).distinct(), temp=True)
    try:
        versions = kept.group_by(key).aggregate(n=kept.count())
        differ = versions.filter(versions.n > 1)
        n_differ = int(con.execute(differ.count()))
        if n_differ:
            examples = differ.order_by(key).limit(_EXAMPLES)[key].to_pyarrow().to_pylist()
            raise StoreError(_differing(store, spec, n_differ, examples))
        store.delete_where_in(name, key, twice)
        con.insert(name, kept)
        _changes.record(con, name, None)  # the facts counted these rows twice
    finally:
        con.drop_table(copies, force=True)


def _differing(store: Store, spec: TableSpec, n: int, examples: list[str]) -> str:
    dialect = _ibis_compat.sql_dialect(store.con)
    table = sge.to_identifier(spec.name, quoted=True).sql(dialect)
    key = sge.to_identifier(spec.key, quoted=True).sql(dialect)
    shown = ", ".join(repr(e) for e in examples) + (", …" if n > len(examples) else "")
    # the change record has the facts, which counted these rows twice, rebuilt
    noted = sge.insert(
        sge.Values(expressions=[sge.Tuple(expressions=[sge.convert(spec.name)])]),
        sge.table_(_changes.CHANGES_TABLE, quoted=True),
        columns=[sge.to_identifier("table_name", quoted=True)],
    ).sql(dialect)
    return (
        f"table {spec.name} of {_url.describe(store.url)} holds {n:,} {spec.key}s stored "
        f"more than once with different contents ({shown}), written when two imports ran "
        "at the same time before Sanjeh kept writers apart; Sanjeh cannot choose which "
        "row to keep. Keep one row of each, e.g. the last one stored, in psql: "
        f"`DELETE FROM {table} a USING {table} b WHERE a.{key} = b.{key} AND "
        f"a.ctid < b.ctid; {noted};` then open the store again (and import again the "
        "file whose version is right)"
    )
