"""``POST /api/<intake table>`` without FastAPI's routing (#18, live operation).

At 500 records a second, walking every route, solving the route's dependencies and
hopping to a worker thread cost the event loop more than the records themselves, and the
event loop is what every request (the dashboard's too) waits for. :class:`IntakeFastPath`
sends these POSTs straight to the intake's work (``_intake_routes.take_in``) through the
same checks as the route, made by the same code:

- the login or API token and the CSRF token: the app's own :class:`AuthMiddleware`
  (its accounts and local token), then ``ParameterGuard`` (control characters in the
  query, a posted form's fields), in the order the app applies them;
- ``require_write`` (403), then ``source`` against ``SOURCE_PATTERN`` (400, the message
  FastAPI's validation gives), then the body's size, type and records (413, 415, 400);
- every refusal through the app's own exception handlers (the one error shape).

The routes stay: /openapi.json documents them, and an app without this middleware (or
without the intake, or without logins) uses them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import pydantic
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import SanjehError
from ._auth import AuthMiddleware
from ._intake_routes import INTAKE_TABLES, SOURCE_PATTERN, require_write, take_in

_PATH = re.compile("/api/(" + "|".join(map(re.escape, INTAKE_TABLES)) + ")")
#: the route's ``source`` query parameter, validated as FastAPI validates it
_SOURCE: pydantic.TypeAdapter[str] = pydantic.TypeAdapter(
    Annotated[str, pydantic.Field(pattern=SOURCE_PATTERN)]
)
Handler = Callable[[Request, Exception], Awaitable[Response]]


class IntakeFastPath:
    """``POST /api/{tickets,events,calls,survey_responses,customers}`` straight to the
    intake, before FastAPI's routing (see the module docstring); everything else, and
    everything when the app has no ``AuthMiddleware`` or no intake, goes on as before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._fast: ASGIApp | None = None
        self._looked = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and _PATH.fullmatch(scope["path"]) is not None
        ):
            fast = self._fast if self._looked else self._build()
            if fast is not None and hasattr(scope["app"].state, "intake_max_bytes"):
                await fast(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _build(self) -> ASGIApp | None:
        """The app's login layer and parameter guard around :func:`_handle` (the same
        classes, with the same accounts and local CSRF token as the app's own)."""
        from ._app import ParameterGuard  # (``_app`` imports this module)

        layer: Any = self.app
        while layer is not None and not isinstance(layer, AuthMiddleware):
            layer = getattr(layer, "app", None)
        if layer is not None:
            self._fast = AuthMiddleware(
                ParameterGuard(_handle), accounts=layer.accounts, local_csrf=layer.local_csrf
            )
        self._looked = True
        return self._fast


async def _handle(scope: Scope, receive: Receive, send: Send) -> None:
    """What the route does, once the login layers have let the request through."""
    request = Request(scope, receive)
    found = _PATH.fullmatch(scope["path"])
    assert found is not None
    try:
        require_write(request)
        source = _source(request)
        response = await take_in(
            request, found.group(1), source, scope["app"].state.intake_max_bytes
        )
    except (SanjehError, RequestValidationError) as exc:
        response = await _handler(scope["app"].exception_handlers, exc)(request, exc)
    await response(scope, receive, send)


def _source(request: Request) -> str:
    """``?source=`` (default ``api``), or the 400 FastAPI's validation of the route's
    ``Query(pattern=SOURCE_PATTERN)`` gives."""
    value = request.query_params.get("source")
    if value is None:
        return "api"
    try:
        return _SOURCE.validate_python(value)
    except pydantic.ValidationError as exc:
        errors = [{**e, "loc": ("query", "source", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None


def _handler(handlers: dict[Any, Handler], exc: Exception) -> Handler:
    """The app's handler for ``exc``, looked up as Starlette does (its class first)."""
    for kind in type(exc).__mro__:
        if kind in handlers:
            return handlers[kind]
    raise exc


__all__ = ["IntakeFastPath"]
