"""PostgreSQL for tests: is a server reachable, and fresh databases to test in."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

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


class PgDatabases:
    """Creates fresh, empty PostgreSQL databases and drops them again."""

    admin = PG_ADMIN_URL.replace("postgresql", "postgres", 1)

    def create(self) -> str:
        if not PG_AVAILABLE:
            pytest.skip(f"no PostgreSQL server reachable at {PG_HOST}:{PG_PORT}")
        import psycopg

        name = f"sanjeh_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def drop(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
