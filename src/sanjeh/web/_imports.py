"""Imports through the running server: ``POST /api/imports`` and ``GET /api/health``.

``sanjeh import`` sends a file here when ``sanjeh serve`` runs on the same DuckDB file
(``_server_lock``): the server owns the file, so it runs the import itself. The body is
the file (``application/octet-stream``, streamed into a temporary file that keeps the
original name: formats read it); the query parameters are the import's options. A
mapping file travels ahead of the data in the same body: its name in ``mapping``, its
length in ``mapping_size``. The import runs in a worker thread holding the store's
connection lock (writers take turns; pages already computed keep answering from the
cache meanwhile), then the facts are refreshed at once (``source.wake()``).

The answer is what a direct import returns (``ImportSummary.as_dict()``), and an error
carries the message a direct import would raise: the temporary file's path in it is
replaced by the name the client gave. The server's own settings apply (time zone,
chunk size, ``[import]``), as they would to a direct import run where it runs.

(No ``from __future__ import annotations``: FastAPI reads the handlers' types.)
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.requests import ClientDisconnect

from .._version import __version__
from ..accounts import Actor
from ..errors import IngestError, SanjehError
from ..ingest import ImportSummary, import_file
from ..settings import (
    Settings,
    check_timezone,
    import_settings,
    web_settings,
)
from ._auth import current_actor
from ._errors import InvalidParameter, status_of
from ._intake_routes import require_write
from ._params import NoQuery
from ._schema import ErrorResponse
from ._server_lock import HEALTH_PATH, IMPORTS_PATH, MAX_MAPPING, MB, too_large
from ._source import Source

#: ``key=value`` (no control characters: see ``_params.TEXT_PATTERN``)
Option = Annotated[
    str,
    StringConstraints(pattern=r"^[^=\u0000-\u001f\u007f-\u009f]+=[^\u0000-\u001f\u007f-\u009f]*$"),
]


class ImportQuery(BaseModel):
    """The options of ``sanjeh import``, one query parameter each."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(
        min_length=1,
        max_length=1000,
        description="The file as the user named it (e.g. exports/tickets.csv): shown and "
        "recorded as the import's path; its last part names the temporary copy (formats "
        "recognise files by name).",
    )
    format: str | None = Field(None, max_length=100, description="See `sanjeh formats`.")
    source: str | None = Field(None, max_length=200, description="Source ids are prefixed with.")
    timezone: str | None = Field(
        None, max_length=100, description="Time zone of timestamps without an offset."
    )
    encoding: str = Field("utf-8", min_length=1, max_length=40, description="Text encoding.")
    strict: bool = Field(False, description="Abort on the first bad row.")
    redact: bool = Field(False, description="Replace personal data before storing.")
    option: list[Option] = Field(
        default_factory=list, max_length=50, description="Format settings, key=value each."
    )
    mapping: str | None = Field(
        None,
        min_length=1,
        max_length=1000,
        description="The mapping file's name; its bytes come first in the body.",
    )
    mapping_size: int | None = Field(
        None, ge=1, le=MAX_MAPPING, description="How many bytes of the body are the mapping."
    )


class TableResult(BaseModel):
    table: str
    inserted: int
    replaced: int
    unchanged: int
    kept_newer: int
    superseded: int


class ImportAnswer(BaseModel):
    path: str = Field(description="The file as the client named it.")
    format: str
    source: str
    import_id: str = Field(description="The same for the same file and settings.")
    rows_read: int
    tables: dict[str, TableResult]
    rejected: int = Field(description="Rows quarantined (see `sanjeh rejects`).")
    reasons: dict[str, int]
    examples: list[str]
    ignored_columns: list[str]
    seconds: float


class Health(BaseModel):
    status: str
    pid: int = Field(description="The server's process id.")
    version: str
    max_import_bytes: int = Field(description="The largest file one import may send.")


class TooLarge(SanjehError):
    code = "too_large"
    status = 413


class ImportFailed(SanjehError):
    """A direct import's error with the client's names in its message."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "An option is invalid (time zone, key=value)."},
    401: {"model": ErrorResponse, "description": "No login, API token or server token."},
    403: {"model": ErrorResponse, "description": "May not write data (write_data, --write)."},
    413: {"model": ErrorResponse, "description": "The file is over [web] max_import_mb."},
    422: {"model": ErrorResponse, "description": "The file cannot be imported (as the CLI says)."},
}
_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file's bytes (with a mapping: the mapping's bytes first).",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def may_import(request: Request) -> Actor:
    """The server's own token (``sanjeh import`` on this machine), else a login or an API
    token that may write data (``require_write``: the intake API's rule)."""
    auth = getattr(request.state, "auth", None)
    if auth is not None and auth.method == "server":
        return current_actor(request)
    return require_write(request)


def register_imports(app: FastAPI, settings: Settings) -> None:
    router = APIRouter(tags=["data"])
    limit = web_settings(settings).max_import_mb * MB

    @router.get(HEALTH_PATH, summary="The server answers", response_model=Health)
    async def health(_: Annotated[NoQuery, Query()]) -> dict[str, Any]:
        """That this server runs, its process id, and the largest file an import may
        send (``sanjeh import`` asks before sending a file through it)."""
        return {
            "status": "ok",
            "pid": os.getpid(),
            "version": __version__,
            "max_import_bytes": limit,
        }

    @router.post(
        IMPORTS_PATH,
        summary="Import a file through the running server",
        response_model=ImportAnswer,
        responses=_ERRORS,
        openapi_extra=_BODY,
    )
    async def imports(
        request: Request,
        query: Annotated[ImportQuery, Query()],
        _: Annotated[Actor, Depends(may_import)],
    ) -> Response:
        """What `sanjeh import FILE` does, run by the server: the body is the file. The
        answer is the import's summary; importing the same file again changes nothing."""
        if (query.mapping is None) != (query.mapping_size is None):
            raise InvalidParameter("mapping", "give mapping and mapping_size together")
        folder = Path(tempfile.mkdtemp(prefix="sanjeh-import-"))
        try:
            data = folder / _basename(query.filename, "upload")
            mapping = None
            if query.mapping is not None:
                (folder / "mapping").mkdir()
                mapping = folder / "mapping" / _basename(query.mapping, "mapping.toml")
            try:
                await _receive(request, data, mapping, query, limit)
            except ClientDisconnect:  # the client left (Ctrl+C): nothing to import
                return Response(status_code=400)
            source: Source = request.app.state.source
            summary = await anyio.to_thread.run_sync(
                _import, source, settings, data, mapping, query
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        source.wake()
        return JSONResponse(summary.as_dict())

    app.include_router(router)


def _basename(name: str, fallback: str) -> str:
    """The last part of a client's path (never a folder: the copy stays in its own)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if base in ("", ".", "..") or len(base.encode()) > 200:
        return fallback + (Path(base).suffix[:20] if base not in (".", "..") else "")
    return base


async def _receive(
    request: Request, data: Path, mapping: Path | None, query: ImportQuery, limit: int
) -> None:
    """The body into the temporary files: ``mapping_size`` bytes of mapping, the rest data."""
    head = query.mapping_size or 0
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) - head > limit:  # refused before it is sent
        raise TooLarge(too_large(query.filename, int(declared) - head, limit))
    written = 0
    with data.open("wb") as out, (mapping or Path(os.devnull)).open("wb") as ahead:
        async for chunk in request.stream():
            if head:
                part, chunk = chunk[:head], chunk[head:]
                ahead.write(part)
                head -= len(part)
            written += len(chunk)
            if written > limit:
                raise TooLarge(too_large(query.filename, written, limit))
            out.write(chunk)
    if head:
        raise InvalidParameter(
            "mapping_size", "the body is shorter than the mapping; send the mapping's bytes first"
        )


def _import(
    source: Source, settings: Settings, data: Path, mapping: Path | None, query: ImportQuery
) -> ImportSummary:
    """``import_file`` as ``sanjeh import`` calls it (with the server's settings), holding
    the store's connection lock."""
    params = {}
    for item in query.option:
        key, _, value = item.partition("=")
        params[key.strip()] = value.strip()
    names = {str(data): query.filename}
    if mapping is not None and query.mapping is not None:
        names[str(mapping)] = query.mapping
    try:
        if query.timezone is not None:
            check_timezone(query.timezone, "--timezone")
        if "timezone" in params:
            check_timezone(params["timezone"], "--option timezone")
        with source.db_lock:
            return import_file(
                source.store,
                data,
                name=query.filename,
                format=query.format,
                source=query.source,
                mapping=mapping,
                timezone=query.timezone,
                default_timezone=settings.timezone,
                encoding=query.encoding,
                strict=query.strict,
                chunk_rows=settings.chunk_rows,
                params=params,
                redact=query.redact,
                future_tolerance=import_settings(settings).future_tolerance,
            )
    except SanjehError as exc:
        message = exc.message
        for copy, name in names.items():
            message = message.replace(copy, name)
        status = 422 if isinstance(exc, IngestError) else status_of(exc)
        raise ImportFailed(exc.code, message, status) from exc
