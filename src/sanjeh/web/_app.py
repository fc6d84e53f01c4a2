"""The FastAPI application: one store, the routes, one error shape, strict headers."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import fastapi.routing
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._version import __version__
from ..accounts import Accounts
from ..errors import SanjehError
from ..metrics import MetricsConfig
from ..settings import load_settings
from ..store import Store
from ._auth import AuthMiddleware, local_csrf_token, register_auth
from ._errors import InvalidParameter, status_of
from ._i18n import LANGS, Locale
from ._limits import Requester
from ._params import TEXT_PATTERN, check_query, check_text
from ._render import error_page
from ._source import Source
from ._survey_answer import AnswerFastPath

log = logging.getLogger("sanjeh.web")
#: everything from this server, nothing from anywhere else (the page works offline);
#: Plotly sets inline styles, and draws heatmaps as data: images
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Adds the headers above to every response (plain ASGI: no per-request overhead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class ParameterGuard:
    """400 ``invalid_parameter`` for a control character in any query, path or form
    parameter of any route (``_params.check_text``), before the route reads it: a NUL
    in a search once reached the SQL compiler as a 500. Path parameters are checked by
    the app's dependency ``_check_path`` (they are known once the path is routed); JSON
    bodies are the routes' own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                _check_url(scope)
                receive = await _check_form(scope, receive)
            except InvalidParameter as exc:
                response = _error(Request(scope), 400, exc.code, exc.message)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _check_url(scope: Scope) -> None:
    # (UTF-8, not Latin-1 as Starlette reads it: raw Persian bytes are no C1 controls)
    query = scope.get("query_string", b"").decode("utf-8", "replace")
    check_query(parse_qsl(query, keep_blank_values=True))


async def _check_path(request: Request) -> None:
    """The path parameters of every route (a dependency: they are known once routed)."""
    for name, value in request.path_params.items():
        check_text(name, str(value))


#: forms larger than this are left to the route's own limits
_MAX_FORM = 1 << 20
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _check_form(scope: Scope, receive: Receive) -> Receive:
    """Check a posted form's fields; return a receive that hands the app the body."""
    if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
        return receive
    headers = dict(scope["headers"])
    kind = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    if kind not in _FORMS:
        return receive
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size <= _MAX_FORM:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
    body = b"".join(chunks)
    if more:  # too large, or the client left: pass it on as it came
        return _replay(body, receive, more=True)
    if kind == _FORMS[0]:
        for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            check_text("a form field's name", name)
            check_text(name, value, form=True)
        return _replay(body, receive)
    try:
        form = await Request(scope, _replay(body, receive)).form()
    except StarletteHTTPException:  # not a form after all: the route says what is wrong
        return _replay(body, receive)
    try:
        for name, field in form.multi_items():
            check_text("a form field's name", name)
            if isinstance(field, str):  # (a file's bytes are the file's business)
                check_text(name, field, form=True)
    finally:
        await form.close()
    return _replay(body, receive)


def _replay(body: bytes, receive: Receive, *, more: bool = False) -> Receive:
    """A receive that hands the app ``body`` first, then listens on."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


def create_app(
    db: str | Store | None = None,
    *,
    language: str | None = None,
    config: MetricsConfig | None = None,
    refresh_seconds: float = 10.0,
    warm: bool = True,
) -> FastAPI:
    """The dashboard app over one store (a URL, an open :class:`Store`, or the default).

    Facts are brought up to date here, before the first request. ``warm`` computes every
    page with its default filters in the background when the server starts and after
    each data change. Once the store has users every path but ``/login`` and the static
    files needs a login (see ``_auth``); without users nobody logs in.
    """
    settings = load_settings()
    owned = not isinstance(db, Store)
    store = db if isinstance(db, Store) else Store.open(db or settings.db, memory=settings.memory)
    source = Source(store, config, refresh_seconds=refresh_seconds)
    default_lang = language or settings.language
    if default_lang not in LANGS:
        default_lang = "en"

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warming = threading.Thread(target=_warm, args=(app,), daemon=True)
        if warm:
            source.after_change = lambda: _warm(app)
            warming.start()
        source.start()
        app.state.intake.start()  # (what the journal holds from before goes in first)
        app.state.survey_answers.writer.start()
        try:
            yield
        finally:
            app.state.intake.stop()  # (what is queued goes into the store first)
            app.state.survey_answers.writer.stop()  # (the answers queued first)
            app.state.stopping.set()  # the warm-up ends after the page it computes
            source.stop()
            app.state.scheduler.stop()  # (a report being written finishes first)
            # closing the store under a running query crashes the process
            for thread in [warming, *app.state.warming]:
                if thread.is_alive():
                    thread.join(timeout=60)
            if owned:
                with source.db_lock:
                    store.close()

    app = FastAPI(
        title="Sanjeh dashboard API",
        version=__version__,
        description="Support-quality KPIs as JSON: every dashboard page has a twin under "
        "/api/ built by the same function. Errors: "
        '{"error": {"type": code, "message": text}}. Once the store has users, send '
        "`Authorization: Bearer <API token>` (`sanjeh user token USERNAME --name NAME`).",
        docs_url=None,  # the Swagger UI loads from a CDN; the schema is at /openapi.json
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(_check_path)],
    )
    accounts = Accounts(store, lock=source.db_lock)
    app.state.source = source
    app.state.stopping = threading.Event()
    app.state.warming = []  # the warm-up threads, joined before the store closes
    app.state.accounts = accounts
    app.state.language = default_lang
    from ._intake import Intake

    app.state.intake = Intake.for_store(store, settings, wake=source.wake)  # POST /api/tickets …
    _error_handlers(app)
    from ._routes import register

    register(app)
    from .qa import register as register_qa

    register_qa(app)
    from ._imports import register_imports

    register_imports(app, settings)  # sanjeh import through the running server
    from ._webhooks import register_webhooks

    register_webhooks(app, settings)  # POST /webhooks/{helpdesk}
    from ._intake_routes import register_intake

    register_intake(app, settings)  # POST /api/tickets, /api/events …
    from ._cases import register_cases

    register_cases(app)  # /cases: the case form, open cases, the customer's status page
    from ._surveys import register_surveys

    register_surveys(app, settings)  # /surveys (define, send, results) and /s/… (the answer page)
    from .insights import register as register_insights

    register_insights(app, settings)  # /insights: predictions, priority, routing, alerts
    register_auth(app, accounts)
    from ._scheduler import register_scheduler

    register_scheduler(app, settings)
    _document_guards(app)
    app.add_middleware(ParameterGuard)  # (inside AuthMiddleware: 401 before 400)
    app.add_middleware(Requester)  # (inside AuthMiddleware: it names who computes)
    app.add_middleware(AuthMiddleware, accounts=accounts, local_csrf=local_csrf_token())
    from ._intake_fast import IntakeFastPath

    app.add_middleware(IntakeFastPath)  # POST /api/tickets …: its own login layers (#18)
    app.add_middleware(AnswerFastPath)  # (outside the login's layers, inside the headers)
    app.add_middleware(SecurityHeaders)
    return app


#: what every operation may answer, whatever it declares: a parameter ``ParameterGuard``
#: rejects, no login (``AuthMiddleware``)
_EVERYWHERE = {
    "400": "A parameter is invalid (e.g. it holds a control character).",
    "401": "Not logged in (the store has users).",
}


def _document_guards(app: FastAPI) -> None:
    """Say in /openapi.json what the middleware enforces on every operation: no control
    characters in any text parameter (a ``pattern`` on each that has none), and the
    400 and 401 it may answer."""
    default = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = default()
        if fresh:
            error = {"$ref": "#/components/schemas/ErrorResponse"}
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    for parameter in operation.get("parameters", []):
                        _no_controls(parameter.get("schema", {}))
                    responses = operation.setdefault("responses", {})
                    for code, description in _EVERYWHERE.items():
                        responses.setdefault(
                            code,
                            {
                                "description": description,
                                "content": {"application/json": {"schema": error}},
                            },
                        )
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _no_controls(schema: dict[str, Any]) -> None:
    for branch in schema.get("anyOf", []):
        _no_controls(branch)
    if schema.get("type") == "array":
        _no_controls(schema.get("items", {}))
    plain = not {"pattern", "format", "enum", "const"} & set(schema)
    if schema.get("type") == "string" and plain and schema.get("maxLength") != 0:
        schema["pattern"] = TEXT_PATTERN


def _warm(app: FastAPI) -> None:
    """After a data change (the refresh thread): first the pages open in browsers
    (``_watch``), then every page with its default filters, so the first visits are
    fast, in a thread of its own that stops at the next change: the warm-up takes tens
    of seconds on a busy machine, and new data must not wait for it."""
    try:
        app.state.watched.after_refresh()
    except Exception:
        log.exception("could not compute the pages open in browsers")
    stamp = app.state.source.stamp
    if app.state.stopping.is_set():
        return
    thread = threading.Thread(target=_warm_pages, args=(app, stamp), daemon=True)
    app.state.warming[:] = [t for t in app.state.warming if t.is_alive()] + [thread]
    thread.start()


def _warm_pages(app: FastAPI, stamp: str) -> None:
    from ._routes import warm
    from .views import PAGES, staffing

    source = app.state.source

    def stale() -> bool:  # newer data: its own warm-up follows (or the server stops)
        return bool(source.stamp != stamp) or app.state.stopping.is_set()

    try:
        warm(source, app.state.language, tuple(PAGES), stop=stale)
        if not stale():
            staffing.warm(source)
    except Exception:  # a cold cache is slower, not wrong: say why in the log
        log.exception("could not warm the page cache")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith(("/api", "/download", "/openapi", "/webhooks/"))
        or "json" in request.headers.get("accept", "").split(",")[0]
    )


def _error(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"type": code, "message": message}}, status_code=status)
    locale = Locale.of(request.query_params.get("lang") or request.app.state.language)
    return Response(
        error_page(locale, status, code, message),
        status_code=status,
        media_type="text/html; charset=utf-8",
    )


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path"))
        got = err.get("input")
        shown = f" (got {got!r})" if isinstance(got, str | int | float) else ""
        if err.get("type") == "extra_forbidden":
            parts.append(f"{where}: unknown parameter; see /openapi.json for the parameters")
        else:
            message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
            parts.append(f"{where}: {message}{shown}")
    return "; ".join(parts) or "invalid request"


def _allowed(request: Request) -> str:
    """Every method the path answers to: Starlette's 405 names its first route's only,
    and a QA path has its page and its action on two routes."""
    routes: list[Any] = list(request.app.routes)
    # (FastAPI 0.16x keeps included routers nested; older ones list every route)
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    if flatten is not None:
        routes = list(flatten(routes))
    methods: set[str] = set()
    for route in routes:
        regex, found = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and found and regex.match(request.url.path):
            methods |= set(found)
    return ", ".join(sorted(methods))


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SanjehError)
    async def sanjeh_error(request: Request, exc: SanjehError) -> Response:
        status = status_of(exc)
        if status >= 500 and status != 503:  # (503: a busy moment, not a failure)
            log.error("%s: %s", exc.code, exc.message)
        response = _error(request, status, exc.code, exc.message)
        retry_after = getattr(exc, "retry_after", None)  # ServerBusy, TooManyAttempts
        if isinstance(retry_after, int):
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 400, "invalid_parameter", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            message = f"no page at {request.url.path}; start at /"
        if exc.status_code == 405:
            headers["Allow"] = _allowed(request)
            message = f"{request.method} is not allowed here; use {headers['Allow']}"
        response = _error(request, exc.status_code, code, message)
        response.headers.update(headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(
            request,
            500,
            "internal_error",
            "the server failed unexpectedly; the server log has the details",
        )
