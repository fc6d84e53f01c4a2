"""A store loaded with the hand-checked scenario, once per module and backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from conftest import PG_ADMIN_URL, PG_AVAILABLE
from sanjeh.store import Store

from .scenario import load


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def scenario(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    if request.param == "duckdb":
        url = str(tmp_path_factory.mktemp("scenario") / "s.duckdb")
        with Store.open(url) as store:
            load(store)
            yield store
        return
    if not PG_AVAILABLE:
        pytest.skip("no PostgreSQL server reachable")
    import psycopg

    name = f"sanjeh_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN_URL.replace("postgresql", "postgres", 1)
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        with Store.open(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name) as store:
            load(store)
            yield store
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
