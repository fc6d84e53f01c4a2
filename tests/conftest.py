"""Shared fixtures: stores on DuckDB (always) and PostgreSQL (when a server answers).

The suite never reads the user's configuration: the ``SANJEH_*`` variables the library
reads are removed when this file is imported, and every test runs in an empty folder of
its own session (so a ``sanjeh.toml`` or ``sanjeh.duckdb`` written by ``sanjeh demo`` in
the checkout is never seen). Tests that need a configuration write their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgsupport import PgDatabases
from sanjeh.store import Store

ROOT = Path(__file__).resolve().parents[1]
#: the tracked screenshots in the docs, refreshed by `pytest -m browser --screenshots`
SCREENSHOTS = ROOT / "docs" / "screenshots"
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

#: variables meant for the test suite itself, kept; every other SANJEH_* one is dropped
TEST_VARIABLES = {"SANJEH_TEST_PG", "SANJEH_SHARED_DATA"}
for _name in [n for n in os.environ if n.startswith("SANJEH_") and n not in TEST_VARIABLES]:
    del os.environ[_name]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="browser tests write their screenshots to docs/screenshots/ (default: a temp dir)",
    )


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests save screenshots: docs/screenshots/ only with --screenshots
    (they are tracked files), else a temporary folder."""
    if request.config.getoption("--screenshots"):
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session", autouse=True)
def _outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Run every test in an empty folder: no ./sanjeh.toml or ./sanjeh.duckdb is read."""
    here = tmp_path_factory.mktemp("cwd")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(here)
        yield here


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
