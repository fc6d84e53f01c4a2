"""Options shared by several commands, and how commands open the store."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import ConfigError
from ..settings import load_settings
from ..store import Store
from ..store._url import duckdb_file, lake_folder

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        # help is Rich markup: an unescaped [default: …] would vanish as a style tag
        help="Store URL: a DuckDB file, postgresql://…, lake:///DIR (a Parquet lake, "
        "read-only) or pyspark:///DIR (Spark over a lake) \\[default: $SANJEH_DB, "
        "sanjeh.toml, ./sanjeh.duckdb]",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def store_url(db: str | None) -> str:
    """``--db``, else the configured store."""
    return db or load_settings().db


def require_store(url: str, given: bool) -> None:
    """Refuse a DuckDB file that does not exist: opening it would create an empty store,
    and a mistyped path would quietly show nothing; and a lake that is not one."""
    lake = lake_folder(url)
    if lake is not None:
        from ..store._lake import check_lake

        check_lake(lake)
        return
    file = duckdb_file(url)
    if file is None or file.exists():
        return
    where = (
        f"--db {url}"
        if given
        else f"the configured store {url} (--db, SANJEH_DB, db in sanjeh.toml, ./sanjeh.duckdb)"
    )
    raise ConfigError(
        f"no store at {where}: the file {file} does not exist. Check the path, or create the "
        f"store: `sanjeh import FILE --db {url}`, `sanjeh demo --db {url}` or, empty, "
        f"`sanjeh init --db {url}`"
    )


def open_store(db: str | None, *, create: bool = False, read_only: bool = False) -> Store:
    """The store of ``--db`` for a command.

    Only commands that make a store (``create``: init, import, demo) may open a DuckDB
    file that does not exist yet. ``read_only`` commands open the file for reading
    only, so several of them can run at once (see :meth:`Store.open`).
    """
    url = store_url(db)
    if not create:
        require_store(url, given=db is not None)
    settings = load_settings()
    return Store.open(
        url, read_only=read_only, memory=settings.memory, spark=settings.section("spark")
    )
