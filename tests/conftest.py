"""Shared fixtures: stores on DuckDB (always) and PostgreSQL (when a server answers)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgsupport import PgDatabases
from sanjeh.store import Store

ROOT = Path(__file__).resolve().parents[1]
#: public real-world data beside the project (see ../shared/data/README.md)


def _shared_data() -> Path:
    """The real data folder: $SANJEH_SHARED_DATA, else beside the checkout, else the
    workspace's copy (a CI clone may live elsewhere)."""
    candidates = [
        os.environ.get("SANJEH_SHARED_DATA"),
        ROOT.parent / "shared" / "data",
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return ROOT.parent / "shared" / "data"


SHARED_DATA = _shared_data()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pg_databases() -> PgDatabases:
    return PgDatabases()


@pytest.fixture
def pg_url(pg_databases: PgDatabases) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    url = pg_databases.create()
    try:
        yield url
    finally:
        pg_databases.drop(url)


@pytest.fixture
def duckdb_store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(str(tmp_path / "test.duckdb")) as store:
        yield store


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same test on every backend we support."""
    if request.param == "duckdb":
        url = str(tmp_path / "test.duckdb")
    else:
        url = request.getfixturevalue("pg_url")
    with Store.open(url) as s:
        yield s
