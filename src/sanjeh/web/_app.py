"""The FastAPI application: one store, the routes, one error shape, strict headers."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
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
from ._errors import status_of
from ._i18n import LANGS, Locale
from ._render import error_page
from ._source import Source

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
    store = db if isinstance(db, Store) else Store.open(db or settings.db)
    source = Source(store, config, refresh_seconds=refresh_seconds)
    default_lang = language or settings.language
    if default_lang not in LANGS:
        default_lang = "en"

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            source.after_change = lambda: _warm(app)
            threading.Thread(target=_warm, args=(app,), daemon=True).start()
        source.start()
        try:
            yield
        finally:
            source.stop()
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
    )
    accounts = Accounts(store, lock=source.db_lock)
    app.state.source = source
    app.state.accounts = accounts
    app.state.language = default_lang
    _error_handlers(app)
    from ._routes import register

    register(app)
    from .qa import register as register_qa

    register_qa(app)
    register_auth(app, accounts)
    app.add_middleware(AuthMiddleware, accounts=accounts, local_csrf=local_csrf_token())
    app.add_middleware(SecurityHeaders)
    return app


def _warm(app: FastAPI) -> None:
    """Compute every page with its default filters, so the first visits are fast."""
    from ._routes import warm
    from .views import PAGES

    try:
        warm(app.state.source, app.state.language, tuple(PAGES))
    except Exception:  # a cold cache is slower, not wrong: say why in the log
        log.exception("could not warm the page cache")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith(("/api", "/download", "/openapi"))
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
            parts.append(f"{where}: {err.get('msg', 'invalid')}{shown}")
    return "; ".join(parts) or "invalid request"


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SanjehError)
    async def sanjeh_error(request: Request, exc: SanjehError) -> Response:
        status = status_of(exc)
        if status >= 500:
            log.error("%s: %s", exc.code, exc.message)
        return _error(request, status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, 400, "invalid_parameter", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = str(exc.detail)
        if exc.status_code == 404:
            message = f"no page at {request.url.path}; start at /"
        return _error(request, exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(
            request,
            500,
            "internal_error",
            "the server failed unexpectedly; the server log has the details",
        )
