"""Turn a store URL into an Ibis connection.

sanjeh.duckdb                 a DuckDB file (the default)
duckdb:///abs/path.duckdb     the same, explicit
duckdb://                     an in-memory DuckDB (tests, throw-away work)
postgresql://user@host/db     a PostgreSQL server (``postgres://`` too)
<scheme>://…                  any other Ibis backend URL (clickhouse, trino, …)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import BackendUnavailable, ConfigError


def describe(url: str) -> str:
    """The URL without its password, safe to print."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def backend_name(url: str) -> str:
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme in ("", "duckdb"):
        return "duckdb"
    if scheme in ("postgres", "postgresql"):
        return "postgres"
    return scheme


def connect(url: str) -> Any:
    import ibis

    name = backend_name(url)
    try:
        if name == "duckdb":
            path = url.split("://", 1)[1] if "://" in url else url
            if path.startswith("/") and url.startswith("duckdb:///"):
                path = "/" + path.lstrip("/")
            if not path or path == ":memory:":
                return ibis.duckdb.connect()
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise ConfigError(f"cannot create {path}: folder {parent} does not exist")
            return ibis.duckdb.connect(str(Path(path).expanduser()))
        if name == "postgres":
            return ibis.connect("postgres://" + url.split("://", 1)[1])
        return ibis.connect(url)
    except ConfigError:
        raise
    except ModuleNotFoundError as exc:
        raise BackendUnavailable(
            f"the {name} backend needs a driver that is not installed ({exc.name}); "
            f"install it, e.g. pip install 'ibis-framework[{name}]'"
        ) from exc
    except Exception as exc:  # drivers raise their own types; say which URL failed
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BackendUnavailable(
            f"cannot open store {describe(url)}: {first_line}; check the URL and that the "
            "server is running"
        ) from exc
