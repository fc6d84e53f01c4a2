"""Intermediate fact tables keep every row, also past DuckDB's row-group size.

Regression: with Ibis' ``create_table(temp=True, overwrite=True)`` a later INSERT of
300,000 rows inside the build's transaction left the table empty on DuckDB 1.5, so a
store of 1 M tickets got empty ticket facts (100,000 was fine).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh.metrics._temp import create as _create
from sanjeh.store import Store
from sanjeh.store._swap import side_transaction


@pytest.mark.parametrize("rows", [1_000, 300_000])
def test_a_temporary_table_keeps_every_row_in_the_build_transaction(
    tmp_path: Path, rows: int
) -> None:
    store = Store.open(str(tmp_path / "s.duckdb"))
    store.con.raw_sql(f"CREATE TABLE src AS SELECT range::VARCHAR AS id FROM range({rows})")
    with side_transaction(store) as side:
        assert side is not None
        con = side.store.con
        source = con.table("src")
        for _ in range(2):  # made twice: the second replaces the first
            made = _create(con, "sanjeh_tmp_rows", source, temp=True)
            assert int(con.execute(made.count())) == rows
