"""Stores loaded with a hand-checked scenario, once per module and backend."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from pgsupport import PgDatabases
from sanjeh.store import Store

from .scenario import load

BACKENDS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextlib.contextmanager
def loaded_store(
    backend: str, tmp_path_factory: pytest.TempPathFactory, load: Callable[[Store], None]
) -> Iterator[Store]:
    """A fresh store on ``backend`` filled by ``load``; the database is dropped after."""
    pg = PgDatabases()
    url = str(tmp_path_factory.mktemp("store") / "s.duckdb") if backend == "duckdb" else pg.create()
    try:
        with Store.open(url) as store:
            load(store)
            yield store
    finally:
        if backend == "postgres":
            pg.drop(url)


@pytest.fixture(scope="module", params=BACKENDS)
def scenario(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with loaded_store(request.param, tmp_path_factory, load) as store:
        yield store
