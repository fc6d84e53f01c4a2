"""Tables the fact build writes: CREATE … then INSERT, every column nullable."""

from __future__ import annotations

from typing import Any

import ibis
import sqlglot.expressions as sge

from ..store._ibis_compat import sql_dialect


def create(con: Any, name: str, expr: ibis.Table, temp: bool = False) -> ibis.Table:
    """CREATE TABLE … AS, with every column nullable.

    (Ibis marks e.g. a filtered MIN of a required column as required, which a NULL
    from an empty group would then violate.)
    """
    schema = ibis.schema({n: t.copy(nullable=True) for n, t in expr.schema().items()})
    # not overwrite=True: Ibis then makes the table from a scratch one under a random
    # name, renamed into place (a rename ``_replay`` does not record, so a replayed build
    # lost its tables), and on DuckDB 1.5 an INSERT of more than ~120,000 rows into such
    # a temp table in a transaction is lost (1 M tickets built empty facts;
    # tests/metrics/test_temp_tables.py)
    con.drop_table(name, force=True)
    table = con.create_table(name, schema=schema, temp=temp)
    con.insert(name, expr)
    return table


def rows_of(con: Any, name: str) -> list[tuple[Any, ...]]:
    """Every row of a small table, without asking Ibis for its schema first."""
    return _fetch(con, name, "*")


def count_of(con: Any, name: str) -> int:
    """The rows in a table (one query, nothing compiled)."""
    return int(_fetch(con, name, "COUNT(*)")[0][0])


def _fetch(con: Any, name: str, what: str) -> list[tuple[Any, ...]]:
    quoted = sge.to_identifier(name, quoted=True)
    sql = sge.select(what).from_(sge.Table(this=quoted)).sql(sql_dialect(con))
    cursor = con.raw_sql(sql)
    try:
        if con.name == "duckdb":  # (its fetchall needs pytz for time zones)
            columns = cursor.to_arrow_table().to_pydict().values()
            return list(zip(*columns, strict=True))
        return list(cursor.fetchall())
    finally:
        if con.name != "duckdb":  # DuckDB hands back the connection itself
            cursor.close()
