"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

from ..settings import load_settings
from ..store import Store

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL: a DuckDB file or postgresql://… [default: $SANJEH_DB, sanjeh.toml, "
        "./sanjeh.duckdb]",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def open_store(db: str | None) -> Store:
    return Store.open(db or load_settings().db)
