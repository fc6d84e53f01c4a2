"""Shared fixtures: stores on DuckDB (always) and PostgreSQL (when a server answers)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanjeh.store import Store

ROOT = Path(__file__).resolve().parents[1]
#: public real-world data beside the project (see ../shared/data/README.md)
SHARED_DATA = Path(os.environ.get("SANJEH_SHARED_DATA", ROOT.parent / "shared" / "data"))
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = os.environ.get("SANJEH_TEST_PG", f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test")


def _pg_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            pass
        import psycopg

        psycopg.connect(
            PG_ADMIN_URL.replace("postgresql", "postgres", 1), connect_timeout=2
        ).close()
        return True
    except Exception:
        return False


PG_AVAILABLE = _pg_reachable()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not PG_AVAILABLE:
        pytest.skip(f"no PostgreSQL server reachable at {PG_HOST}:{PG_PORT}")
    import psycopg

    name = f"sanjeh_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN_URL.replace("postgresql", "postgres", 1)
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
