"""The server file: how ``sanjeh import`` finds the ``sanjeh serve`` that owns a DuckDB file.

DuckDB lets one process open a file for writing, and the server keeps its store open
for as long as it runs. So a server over a DuckDB file writes ``<db>.server.json``
beside it once it listens -- ``{"url", "token", "pid", "started_at"}``, readable by its
owner only (0600) -- and removes it when it stops (Ctrl+C, ``kill``). ``sanjeh import``
reads it, checks that the process lives and that ``GET /api/health`` at that address
accepts the token (so a file left by a killed server, or another program now on its
port, is ignored), and then sends the file to ``POST /api/imports`` with the token in
the ``X-Sanjeh-Server-Token`` header instead of opening the store.

The token opens only those two paths (``_auth``), and only to someone who can read the
file: the store's owner, who could open the store directly anyway were it not in use.
A file found when the server starts is stale by construction (the server holds the
DuckDB file's write lock, so no other server of it runs) and is replaced. A PostgreSQL
store has no server file: several processes may write to it at once.

This module is the client too (``find_server``, ``send_import``), on the standard
library alone: the CLI sends the file streamed, in blocks, without an HTTP package.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..errors import IngestError, MappingError, SanjehError
from ..store._url import duckdb_file

log = logging.getLogger("sanjeh.web")

TOKEN_HEADER = "X-Sanjeh-Server-Token"
HEALTH_PATH = "/api/health"
IMPORTS_PATH = "/api/imports"
#: the paths the server token opens (``_auth``); every other path ignores it
TOKEN_PATHS = frozenset({HEALTH_PATH, IMPORTS_PATH})
SUFFIX = ".server.json"
#: the largest mapping file sent ahead of the data (a mapping is a few kB of TOML)
MAX_MAPPING = 1 << 20
#: bytes read and sent at a time
_BLOCK = 1 << 20
MB = 1 << 20


def server_file(db_url: str) -> Path | None:
    """``<db>.server.json`` beside a DuckDB file (resolved: the same file however the
    store is named); None for other stores."""
    file = duckdb_file(db_url)
    if file is None:
        return None
    file = file.resolve()
    return file.with_name(file.name + SUFFIX)


def local_url(host: str, port: int) -> str:
    """The address a client on this machine reaches a server listening on ``host`` at."""
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def too_large(name: str, size: int, limit: int) -> str:
    """The message for a file over the server's limit (the server's 413 and the CLI's
    check before sending say the same)."""
    return (
        f"{name}: {size / MB:,.1f} MB is more than the {limit // MB:,} MB the running server "
        "takes in one import ([web] max_import_mb in its sanjeh.toml); raise the limit and "
        "restart the server, or split the file"
    )


@dataclasses.dataclass(frozen=True)
class Record:
    """What the server file holds."""

    url: str
    token: str
    pid: int
    started_at: str


def read_record(path: Path) -> Record:
    """The server file's record; ``ValueError`` when it is not one (a broken file)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not an object")
    url, token, pid = data.get("url"), data.get("token"), data.get("pid")
    if not isinstance(url, str) or not url.startswith("http://"):
        raise ValueError("no http:// url")
    if not isinstance(token, str) or not token or not isinstance(pid, int):
        raise ValueError("no token or pid")
    return Record(url, token, pid, str(data.get("started_at", "")))


class Announcement:
    """This server's server file: :meth:`write` once it listens, :meth:`remove` when it
    stops (only if the file is still this server's)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.token = secrets.token_urlsafe(32)
        self.written = False

    @classmethod
    def for_store(cls, db_url: str) -> Announcement | None:
        path = server_file(db_url)
        return None if path is None else cls(path)

    def write(self, url: str) -> None:
        record = {
            "url": url,
            "token": self.token,
            "pid": os.getpid(),
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if self.path.exists():  # left by a server that was killed: stale (see the doc)
            log.info("replacing the stale server file %s", self.path)
        part = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            # created 0600: the token is the key to the store; replaced whole, at once
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f)
            os.chmod(part, 0o600)  # (a leftover part file may have had other bits)
            os.replace(part, self.path)
        except OSError as exc:
            part.unlink(missing_ok=True)
            log.warning(
                "could not write %s (%s): `sanjeh import` will not find this server and "
                "is refused while it runs",
                self.path,
                exc,
            )
            return
        self.written = True

    def remove(self) -> None:
        if not self.written:
            return
        self.written = False
        try:
            if read_record(self.path).token == self.token:
                self.path.unlink()
        except (OSError, ValueError):  # gone, or replaced by another server's
            pass


# -- the client -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RunningServer:
    """A live server of the store, found through its server file."""

    url: str
    token: str
    pid: int
    #: the largest file it takes in one import
    max_import_bytes: int


class ServerAnswer(SanjehError):
    """An error the running server answered with: its code and message, as a direct
    import would have raised them."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def find_server(db_url: str, *, timeout: float = 5.0) -> RunningServer | None:
    """The live server of a DuckDB file store, or None: no server file, or a stale one
    (its process is gone, or what answers at its address does not take its token)."""
    path = server_file(db_url)
    if path is None or not path.is_file():
        return None
    try:
        record = read_record(path)
    except (OSError, ValueError):  # unreadable (another user's) or broken: not ours
        return None
    if not _alive(record.pid):
        return None
    try:
        status, answer = _call("GET", record.url + HEALTH_PATH, record.token, timeout=timeout)
    except (OSError, http.client.HTTPException, ValueError):
        return None
    if status != 200 or answer.get("pid") != record.pid:
        return None
    limit = answer.get("max_import_bytes")
    return RunningServer(
        record.url, record.token, record.pid, limit if isinstance(limit, int) else 1 << 62
    )


def _alive(pid: int) -> bool:
    if os.name == "nt":  # (signal 0 there would end the process): the health check decides
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    except OSError:
        return False
    return True


def _connection(url: str, timeout: float | None) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"not an http:// address: {url}")
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)


def _call(method: str, url: str, token: str, *, timeout: float) -> tuple[int, dict[str, Any]]:
    conn = _connection(url, timeout)
    try:
        conn.request(method, urlsplit(url).path, headers={TOKEN_HEADER: token})
        response = conn.getresponse()
        return response.status, _json(response.read())
    finally:
        conn.close()


def _json(body: bytes) -> dict[str, Any]:
    try:
        found = json.loads(body)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def send_import(
    server: RunningServer,
    path: Path,
    options: list[tuple[str, str]],
    *,
    mapping: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Import ``path`` through ``server``: the file streamed in blocks, the import's
    options as query parameters, a mapping file ahead of the data (``mapping_size``
    bytes). Returns the import's summary (``ImportSummary.as_dict()``); raises what a
    direct import would raise, with its message."""
    name = str(path)
    if not path.is_file():  # (as ``import_file`` says it)
        raise IngestError(path, "no such file; check the path")
    size = path.stat().st_size
    # (an empty file is refused before its mapping is read)
    head = _mapping_bytes(mapping) if mapping is not None and size else b""
    if size > server.max_import_bytes:
        raise ServerAnswer("too_large", too_large(name, size, server.max_import_bytes))
    query = [("filename", name), *options]
    if head:
        query += [("mapping", str(mapping)), ("mapping_size", str(len(head)))]

    def body() -> Iterator[bytes]:
        if head:
            yield head
        done = 0
        with path.open("rb") as f:
            while done < size and (block := f.read(min(_BLOCK, size - done))):
                done += len(block)
                yield block
                if progress is not None:
                    progress(done, size)
        if done < size:  # the file shrank while it was read: the request cannot end well
            raise IngestError(path, "the file changed while it was sent; import it again")

    headers = {
        TOKEN_HEADER: server.token,
        "Content-Type": "application/octet-stream",
        "Content-Length": str(len(head) + size),
    }
    conn = _connection(server.url, timeout=60)
    try:
        conn.request("POST", f"{IMPORTS_PATH}?{urlencode(query)}", body=body(), headers=headers)
        if conn.sock is not None:  # sent: the import itself may take minutes
            conn.sock.settimeout(None)
        response = conn.getresponse()
        status, raw = response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise ServerAnswer(
            "server_gone",
            f"{name}: the running server at {server.url} stopped answering while the file "
            f"was sent ({exc}); run the command again (an import is safe to repeat)",
        ) from exc
    finally:
        conn.close()
    return _summary(status, raw, f"{name}: the running server at {server.url}")


def _mapping_bytes(mapping: Path) -> bytes:
    if not mapping.is_file():  # (as the import would say it)
        raise MappingError(mapping, "no such mapping file; check the path given to --mapping")
    head = mapping.read_bytes()
    if len(head) > MAX_MAPPING:
        raise MappingError(mapping, f"larger than {MAX_MAPPING // MB} MB: not a mapping file")
    return head


def _summary(status: int, raw: bytes, who: str) -> dict[str, Any]:
    """The import's summary, or the server's error raised with its code and message."""
    answer = _json(raw)
    if status == 200 and "import_id" in answer:
        return answer
    error = answer.get("error") if isinstance(answer.get("error"), dict) else None
    if error is not None and isinstance(error.get("message"), str):
        raise ServerAnswer(str(error.get("type", "server_error")), error["message"])
    shown = raw[:200].decode("utf-8", "replace")
    raise ServerAnswer("server_error", f"{who} answered {status}: {shown}")
