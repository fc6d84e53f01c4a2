"""The intake API: ``POST /api/tickets``, ``/api/events``, ``/api/calls``,
``/api/survey_responses`` and ``/api/customers`` send records into the running server.

The body is one JSON object, a JSON array of objects, or JSON Lines
(``application/x-ndjson``: one object per line) of the table's canonical columns
(docs/data-model.md); the records are validated with the rules of an import and queued
(``app.state.intake``, ``_intake``): the answer, 202, comes once the accepted rows are on
disk, and says which records were rejected and why (``row``: the record's place in the
body, from 1). A body that is not JSON (or holds something other than objects) is refused
whole: 400, nothing kept. Sending the same records again changes nothing.

Who may: a login or an API token with ``write_data`` (managers and admins), and a token
only if issued with ``--write`` (:func:`require_write`). Bearer-token requests need no
CSRF token (``_auth``); a browser session sends its ``X-CSRF-Token`` as for any POST.

The app built by ``create_app`` answers these POSTs before its router
(``_intake_fast.IntakeFastPath``: the same checks, the same :func:`take_in`); the routes
document them in /openapi.json and serve apps without that middleware.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from ..accounts import Actor, check
from ..errors import PermissionDenied, SanjehError
from ..model import TABLES
from ..settings import Settings, web_settings
from ._auth import current_actor
from ._errors import InvalidParameter
from ._schema import ErrorResponse

MB = 1 << 20
#: the tables records may be sent to, one route each
INTAKE_TABLES = ("tickets", "events", "calls", "survey_responses", "customers")
NDJSON = ("application/x-ndjson", "application/jsonl", "application/json-lines")
SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class TooLarge(SanjehError):
    code = "too_large"
    status = 413


class Unsupported(SanjehError):
    code = "unsupported_media_type"
    status = 415


class Rejected(BaseModel):
    row: int = Field(description="The record's place in the body (from 1).")
    table: str
    field: str | None = Field(description="The column at fault; null: the whole record.")
    reason: str


class IntakeReceipt(BaseModel):
    batch_id: str = Field(description="The batch the accepted rows went into.")
    accepted: int = Field(
        description="Records accepted: on disk now, in the store within a second."
    )
    rejected: list[Rejected] = Field(
        description="Records the model's rules refuse (kept in import_rejects too); "
        "records read = accepted + rejected."
    )


def require_write(request: Request) -> Actor:
    """The actor, if they may send data (``write_data``) with this credential: a login,
    or an API token issued with ``--write`` (else 403)."""
    actor = current_actor(request)
    check(actor, "write_data", action="send data to the store")
    if "write" not in actor.scopes:
        raise PermissionDenied(
            "this API token may only read: issue a token with --write "
            "(`sanjeh user token USERNAME --name NAME --write`)"
        )
    return actor


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "The body is not JSON, not an object or an array of objects, or a "
        "parameter is invalid. Nothing was kept.",
    },
    401: {"model": ErrorResponse, "description": "Not logged in (the store has users)."},
    403: {
        "model": ErrorResponse,
        "description": "Not a manager or admin, or an API token issued without --write.",
    },
    413: {
        "model": ErrorResponse,
        "description": "The body is over [web] max_intake_mb, or holds more records than "
        "[web] intake_queue_rows.",
    },
    415: {"model": ErrorResponse, "description": "Neither JSON nor JSON Lines."},
    503: {
        "model": ErrorResponse,
        "description": "server_busy: too many rows wait to be written; retry after "
        "Retry-After seconds.",
    },
}


def _body_schema(table: str) -> dict[str, Any]:
    """The request body in /openapi.json: the table's columns (any JSON value: the
    import's rules decide, record by record, and say why in the answer)."""
    spec = TABLES[table]
    record = {
        "type": "object",
        "description": f"One {table} row: canonical column names (docs/data-model.md); "
        f"required: {', '.join(c for c in spec.required if c != 'source')}.",
        "properties": {c.name: {"description": c.description} for c in spec.columns},
        "additionalProperties": True,
    }
    lines = {
        "type": "string",
        "description": "JSON Lines: one JSON object per line.",
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"anyOf": [record, {"type": "array", "items": record}]}
                },
                "application/x-ndjson": {"schema": lines},
            },
        }
    }


async def read_body(
    request: Request, limit: int, too_large: str, left: SanjehError | None = None
) -> bytes:
    """The body, refused with ``too_large`` past ``limit`` bytes before it is all read;
    ``left``: the error when the client goes before the end (webhooks say it their way)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(too_large)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(too_large)
            chunks.append(chunk)
    except ClientDisconnect:
        raise left or InvalidParameter(
            "body", "the client left before the whole body arrived"
        ) from None
    return b"".join(chunks)


def records_of(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """The records of a body: a JSON object, an array of objects, or JSON Lines."""
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if kind not in ("", "application/json", *NDJSON) and not kind.endswith("+json"):
        raise Unsupported(
            f"the body is {kind}: send application/json (an object or an array of objects) "
            "or application/x-ndjson (one object per line)"
        )
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise InvalidParameter("body", "not UTF-8 text") from None
    if kind in NDJSON:
        found = [_parsed(line, f"line {n}") for n, line in enumerate(_lines(text), start=1)]
    else:
        parsed = _parsed(text, "the body")
        found = parsed if isinstance(parsed, list) else [parsed]
    for n, item in enumerate(found, start=1):
        if not isinstance(item, dict):
            raise InvalidParameter(
                "body",
                f"record {n} is {type(item).__name__}, not a JSON object {{...}}; send an "
                "object, an array of objects, or one object per line",
            )
    return found


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _parsed(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise InvalidParameter("body", f"{where} is nested too deeply to read") from None
    except ValueError as exc:
        raise InvalidParameter("body", f"{where} is not valid JSON ({exc})") from None


async def take_in(request: Request, table: str, source: str, limit: int) -> Response:
    """Read, parse and submit one POST's records (the route's and ``IntakeFastPath``'s
    work once the request is authorised and its ``source`` checked): 202 and the
    receipt. No thread waits for the round (``Intake.submit_async``)."""
    too_large = f"the body is over {limit // MB} MB ([web] max_intake_mb); send fewer records"
    body = await read_body(request, limit, too_large)
    records = records_of(body, request.headers.get("content-type", ""))
    intake = request.app.state.intake
    receipt = await intake.submit_async({table: records}, source=source, origin="api")
    return JSONResponse(receipt.as_dict(), status_code=202)


def _route(table: str, limit: int) -> Any:
    async def post(
        request: Request,
        source: Annotated[
            str,
            Query(
                pattern=SOURCE_PATTERN,
                description="Source name bare ids are prefixed with (42 → api:42); "
                "a record's own `source` wins.",
            ),
        ] = "api",
    ) -> Response:
        return await take_in(request, table, source, limit)

    post.__doc__ = (
        f"Send {table} records: one JSON object, an array, or JSON Lines. Each is "
        "validated with the rules of an import; the accepted ones are on disk when this "
        "answers (202) and in the store within a second; the answer lists each rejected "
        "record with its field and reason (202 also when all are rejected: accepted 0). "
        "The same records twice change nothing. Needs write_data and, for an API token, "
        "one issued with --write."
    )
    return post


def register_intake(app: FastAPI, settings: Settings) -> None:
    """One POST route per table of :data:`INTAKE_TABLES`."""
    limit = web_settings(settings).max_intake_mb * MB
    app.state.intake_max_bytes = limit  # (``IntakeFastPath`` takes the same limit)
    for table in INTAKE_TABLES:
        app.add_api_route(
            f"/api/{table}",
            _route(table, limit),
            methods=["POST"],
            name=f"intake_{table}",
            tags=["intake"],
            summary=f"Send {table} records",
            status_code=202,
            response_model=IntakeReceipt,
            responses=_ERRORS,
            openapi_extra=_body_schema(table),
            dependencies=[Depends(require_write)],
        )
