"""Turn a store URL into an Ibis connection.

sanjeh.duckdb                 a DuckDB file (the default)
duckdb:///abs/path.duckdb     the same, explicit
duckdb://                     an in-memory DuckDB (tests, throw-away work)
postgresql://user@host/db     a PostgreSQL server (``postgres://`` too)
lake:///abs/folder            a Parquet lake, read-only, through an in-memory DuckDB
                              (``lake://relative/folder`` too; see ``_lake.py``)
pyspark:///abs/lake           Apache Spark over a Parquet lake (``?master=local[2]``;
spark://host:7077/abs/lake    a standalone cluster's master; ``_spark.py``)
<scheme>://…                  any other Ibis backend URL (clickhouse, trino, …)
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import BackendUnavailable, ConfigError, SchemaMismatch
from ..settings import Settings


def describe(url: str) -> str:
    """The URL without its password, safe to print."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def backend_name(url: str) -> str:
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme in ("", "duckdb", "lake"):  # a lake is read through DuckDB
        return "duckdb"
    if scheme in ("postgres", "postgresql"):
        return "postgres"
    if scheme in ("pyspark", "spark"):
        return "pyspark"
    return scheme


def duckdb_file(url: str) -> Path | None:
    """The file of a DuckDB store URL; None for an in-memory DuckDB or another backend."""
    if backend_name(url) != "duckdb" or lake_folder(url) is not None:
        return None  # (a lake store's DuckDB is in memory)
    path = url.split("://", 1)[1] if "://" in url else url
    if path.startswith("/") and url.startswith("duckdb:///"):
        path = "/" + path.lstrip("/")
    if not path or path == ":memory:":
        return None
    return Path(path).expanduser()


def lake_folder(url: str) -> Path | None:
    """The folder of a ``lake:///abs`` / ``lake://relative`` URL; None for other URLs."""
    if not url.startswith("lake://"):
        return None
    path = url[len("lake://") :]
    if not path:
        raise ConfigError("a lake URL needs a folder: lake:///abs/path or lake://relative/path")
    return Path(path).expanduser()


#: what a DuckDB file's engine may hold in memory before it spills to disk, unless the
#: caller says: the ``memory`` setting's default, one value for both. DuckDB's own
#: default, 80 % of the machine, made the fact build at 1 M tickets peak at 5.3 GB; with
#: 2 GB it peaks at 2.4 GB and runs faster (docs/architecture.md, "Memory").
DEFAULT_MEMORY = Settings.memory


def connect(
    url: str,
    *,
    read_only: bool = False,
    memory: str | None = None,
    spark: dict[str, Any] | None = None,
) -> Any:
    """An Ibis connection; ``read_only`` opens a DuckDB file for reading only; ``memory``
    bounds a DuckDB file's engine (in-memory DuckDB keeps DuckDB's default: it has no
    folder of its own to spill into); ``spark`` is sanjeh.toml's ``[spark]`` section."""
    import ibis

    name = backend_name(url)
    try:
        lake = lake_folder(url)
        if lake is not None:
            from ._lake import connect_lake

            return connect_lake(lake, memory=memory)
        if name == "duckdb":
            file = duckdb_file(url)
            if file is None:
                return ibis.duckdb.connect()
            parent = file.resolve().parent
            if not parent.is_dir():
                raise ConfigError(f"cannot create {file}: folder {parent} does not exist")
            limit = memory or DEFAULT_MEMORY
            return ibis.duckdb.connect(str(file), read_only=read_only, memory_limit=limit)
        if name == "postgres":
            return ibis.connect("postgres://" + url.split("://", 1)[1])
        if name == "pyspark":
            from . import _spark

            return _spark.connect(url, spark)
        return ibis.connect(url)
    except (ConfigError, SchemaMismatch):
        raise
    except ModuleNotFoundError as exc:
        if name == "pyspark":
            raise BackendUnavailable(
                f"a Spark store needs pyspark ({exc.name} is not installed): "
                "pip install 'sanjeh[spark]' (and Java 17 for Spark itself)"
            ) from exc
        raise BackendUnavailable(
            f"the {name} backend needs a driver that is not installed ({exc.name}); "
            f"install it, e.g. pip install 'ibis-framework[{name}]'"
        ) from exc
    except Exception as exc:  # drivers raise their own types; say which URL failed
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        busy = _in_use(url, first_line) if name == "duckdb" else None
        if busy:
            raise BackendUnavailable(busy) from exc
        hint = {
            "duckdb": "check the path",
            "pyspark": "check the URL, and that Java 17 is installed (`java -version`)",
        }.get(name, "check the URL and that the server runs")
        message = f"cannot open store {describe(url)}: {first_line}; {hint}"
        raise BackendUnavailable(message) from exc


#: DuckDB's words when another process holds the file (DuckDB 1.x)
_LOCKED = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


def _in_use(url: str, error: str) -> str | None:
    """What to do when another process holds the DuckDB file, or None for other errors.

    DuckDB lets no other process open a file -- not even to read it -- while one
    process has it open for writing (as ``sanjeh serve`` does for as long as it runs).
    """
    found = _LOCKED.search(error)
    if found is None:
        return None
    pid = found["pid"]
    args = _command_line(pid)
    if len(args) > 1 and Path(args[0]).name.startswith("python"):
        args = args[1:]  # the script it runs says more (…/bin/sanjeh serve …)
    program = shlex.join(args) if args else found["program"]
    served = _dashboard(args)
    also = (
        f" The dashboard it serves shows the same data: {served} (JSON under {served}api/)."
        if served
        else ""
    )
    return (
        f"{url} is in use by another program (PID {pid}: {program}); DuckDB lets no other "
        f"program open the file, not even to read it, while that one has it open.{also} "
        f"To run this command, stop that program (Ctrl+C where it runs, or kill {pid}) and "
        "run it again, then start the server again; a PostgreSQL store has no such limit"
    )


def _command_line(pid: str) -> list[str]:
    """The command line of a process (Linux /proc), or [] where it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [a.decode(errors="replace") for a in raw.split(b"\0") if a]


def _dashboard(args: list[str]) -> str | None:
    """The address of a ``sanjeh serve`` command line (its --host / --port, or defaults)."""
    if "serve" not in args or not any(Path(a).name == "sanjeh" for a in args[:2]):
        return None
    given: dict[str, str] = {}
    for i, arg in enumerate(args):
        for option in ("--host", "--port"):
            if arg == option and i + 1 < len(args):
                given[option] = args[i + 1]
            elif arg.startswith(option + "="):
                given[option] = arg.split("=", 1)[1]
    host = given.get("--host", "127.0.0.1")
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{given.get('--port', '8000')}/"
