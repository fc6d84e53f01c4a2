"""Logins for the dashboard: sessions, API tokens, CSRF, and who may see what.

**Zero setup.** A store without users is a local single-user setup: every request acts
as :data:`~sanjeh.accounts.LOCAL_ADMIN` and nothing asks for a login. Once a user
exists (``sanjeh user add``) every path needs a login except ``/login``, ``/reset`` (a
password reset link, see ``_admin``), ``/static/*``, ``/vendor/plotly.min.js`` and
``/favicon*`` (and ``/webhooks/*``, which check the helpdesk's signature instead,
``_webhooks``; and reading a case's status at ``/cases/status/*`` and its twin, which
check the link's signature instead, ``_cases``): pages redirect to ``/login?next=…``,
``/api/*``, ``/download/*`` and ``/openapi.json`` answer 401 in the one error shape.

**How a request is authenticated** (:class:`AuthMiddleware`, plain ASGI, in front of
every route): ``Authorization: Bearer sjh_…`` (an API token; no CSRF needed), else the
``sanjeh_session`` cookie (a server-side session; HttpOnly, SameSite=Lax, Secure over
https). Lookups are cached in memory, so a cached page pays microseconds for them.
On ``/api/imports`` and ``/api/health`` only, ``X-Sanjeh-Server-Token`` with the
server's own token (``sanjeh import`` on this machine, ``_server_lock``) acts as the
local admin, without CSRF; a wrong one is a 401.

**CSRF.** Every POST / PUT / PATCH / DELETE authenticated by the cookie (or in local
mode) must carry the session's token in the form field ``csrf_token`` or the header
``X-CSRF-Token``; otherwise 403 ``csrf_failed``. The login form is protected by a
double-submit cookie, the reset form by its link's secret. Cross-site requests cannot
read the token.

**Forwarding headers** (``X-Forwarded-For`` / ``-Proto``: the address the login
throttle counts, https for ``Secure`` cookies) are believed only from the proxies
``sanjeh serve --forwarded-allow-ips`` names (``_server.proxy_options``); otherwise
``request.client`` and ``request.url.scheme`` are the connection's own.

**For new routes and templates** (e.g. the QA pages)::

    from fastapi import Depends
    from ._auth import Authenticated, check, current_actor, html_response, require

    @router.get("/reviews")
    def reviews(request: Request, actor: Authenticated) -> Response:
        ...                                  # actor: sanjeh.accounts.Actor

    @router.post("/users", dependencies=[Depends(require("admin"))])
    def add_user(...): ...

    @router.get("/agents/{agent_id}/reviews")
    def agent_reviews(request: Request, agent_id: str,
                      actor: Annotated[Actor, Depends(require_permission("view_dashboard"))]):
        check(actor, "view_agent", agent_id=agent_id)   # per-record rule → 403

- ``current_actor(request)`` / ``Authenticated``: the :class:`Actor` of the request
  (also ``request.state.actor``; ``request.state.auth`` says how: local, session, token).
- ``require(*roles)``, ``require_permission(name)``: dependencies that return the actor
  or raise ``PermissionDenied`` (403); the matrix is ``sanjeh.accounts.PERMISSIONS``.
- Templates rendered with ``_render``'s environment have ``csrf_field()`` (the hidden
  input to put in every ``<form method="post">``), ``csrf_token()`` and
  ``current_user()`` (the Actor, or None in local mode). Pages with forms must not be
  cached across users (``source.memo``): the token is per session. Pages built on
  ``base.html`` show the user and a logout button once passed through
  ``html_response(request, body)`` (the header's ``<!--sanjeh:user-->`` slot).
"""

from __future__ import annotations

import contextvars
import dataclasses
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import parse_qs, quote, urlsplit

import anyio.to_thread
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..accounts import LOCAL_ADMIN, Accounts, Actor, can, check
from ..accounts._records import Miss
from ..errors import NotAuthenticated, PermissionDenied, TooManyAttempts
from ._i18n import LANGS, Locale
from ._render import _ENV
from ._server_lock import TOKEN_HEADER, TOKEN_PATHS

SESSION_COOKIE = "sanjeh_session"
LOGIN_CSRF_COOKIE = "sanjeh_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = b"x-csrf-token"
USER_SLOT = b"<!--sanjeh:user-->"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: reachable without logging in (/reset: a password reset link, its secret in the query)
PUBLIC_PATHS = frozenset({"/login", "/reset", "/vendor/plotly.min.js"})
#: posts that carry a protection of their own instead of the session's CSRF token: the
#: login form's double-submit cookie, the reset form's one-time secret
OWN_CSRF = frozenset({"/login", "/reset"})
PUBLIC_PREFIXES = ("/static/", "/favicon")
#: authenticated by the sender's signature instead of a login, and without CSRF (a
#: helpdesk's webhook; ``_webhooks`` checks it), or by a signed link in the request (a
#: survey's answer page ``/s/…``, GET and POST: ``_survey_answer`` checks it)
SIGNED_PREFIXES = ("/webhooks/", "/s/")
#: read (GET) without logging in: a case's status page and its twin, opened with a signed
#: link (``_cases`` checks the signature)
SIGNED_LINKS = re.compile(r"/(?:api/)?cases/status/[^/]+")
HOW_TO_AUTHENTICATE = (
    "log in at /login (a session cookie), or send 'Authorization: Bearer <API token>' "
    "(`sanjeh user token USERNAME --name NAME` issues one)"
)
#: forms larger than this must send the CSRF token in the X-CSRF-Token header
_MAX_FORM = 1 << 20
log = logging.getLogger("sanjeh.web")


@dataclasses.dataclass(frozen=True)
class Auth:
    """How the current request is authenticated."""

    actor: Actor
    method: Literal["local", "session", "token", "server"]
    #: the token unsafe requests must carry ("" for API tokens: they need none)
    csrf: str
    #: the session secret (to log out); "" otherwise
    session: str = ""


_CURRENT: contextvars.ContextVar[Auth | None] = contextvars.ContextVar("sanjeh_auth", default=None)


# -- dependencies and checks for routes ---------------------------------------------------


def current_actor(request: Request) -> Actor:
    """The actor of this request (a FastAPI dependency)."""
    actor: Actor | None = getattr(request.state, "actor", None)
    if actor is None:
        raise NotAuthenticated(f"not logged in: {HOW_TO_AUTHENTICATE}")
    return actor


Authenticated = Annotated[Actor, Depends(current_actor)]


def require(*roles: str) -> Callable[[Request], Actor]:
    """A dependency: the actor, if their role is one of ``roles`` (else 403)."""

    def dependency(request: Request) -> Actor:
        actor = current_actor(request)
        if actor.role not in roles:
            raise PermissionDenied(
                f"this needs the {' or '.join(roles)} role; you are logged in as {actor.role}"
            )
        return actor

    return dependency


def require_permission(name: str) -> Callable[[Request], Actor]:
    """A dependency: the actor, if :func:`sanjeh.accounts.can` allows ``name`` (else 403).
    Per-record rules (``agent_id=…``) are checked in the route with ``check``."""

    def dependency(request: Request) -> Actor:
        actor = current_actor(request)
        check(actor, name)
        return actor

    return dependency


def authorize_view(request: Request, key: tuple[object, ...], agents: list[str]) -> None:
    """May this request's actor see the dashboard view ``key`` filtered to ``agents``?

    ``key`` is the view's cache key: ``(page, …)`` or ``("scorecard", agent_id)``.
    An agent sees the team-level pages, customers and their own scorecard; filtering
    any page to another agent counts as seeing that agent.
    """
    actor = current_actor(request)
    if actor.role == "admin":
        return
    page = key[0]
    if page == "scorecard":
        check(actor, "view_agent", agent_id=str(key[1]))
    elif page == "agents":
        check(actor, "view_leaderboard")
    elif page in ("customers", "timeline"):
        check(actor, "view_customers")
    else:
        check(actor, "view_dashboard")
    for agent_id in agents:
        check(actor, "view_agent", agent_id=agent_id)


# -- templates ------------------------------------------------------------------------------


def _csrf_token() -> str:
    auth = _CURRENT.get()
    return auth.csrf if auth else ""


def _csrf_field() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, _csrf_token())


def _current_user() -> Actor | None:
    auth = _CURRENT.get()
    return auth.actor if auth and auth.method != "local" else None


_ENV.globals.update(csrf_field=_csrf_field, csrf_token=_csrf_token, current_user=_current_user)
_USER_BITS: dict[tuple[Actor, str, str], bytes] = {}


def _locale(request: Request) -> Locale:
    return Locale.of(request.query_params.get("lang") or request.app.state.language)


def html_response(request: Request, body: bytes) -> Response:
    """A page built on ``base.html``, with this request's user and logout button in
    the header (pages are cached without them, shared by every user)."""
    auth: Auth | None = getattr(request.state, "auth", None)
    if auth is not None and auth.method == "session" and USER_SLOT in body:
        locale = _locale(request)
        key = (auth.actor, auth.csrf, locale.lang)
        bit = _USER_BITS.get(key)
        if bit is None:
            html = _ENV.get_template("_user.html").render(
                user=auth.actor,
                t=locale.t,
                csrf=auth.csrf,
                lang=locale.lang,
                may_admin=can(auth.actor, "manage_users"),
            )
            if len(_USER_BITS) > 4096:
                _USER_BITS.clear()
            bit = _USER_BITS[key] = html.strip().encode()
        body = body.replace(USER_SLOT, bit, 1)
    return Response(body, media_type="text/html; charset=utf-8")


# -- the middleware -------------------------------------------------------------------------


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _is_signed_link(path: str, method: str) -> bool:
    return method in ("GET", "HEAD") and SIGNED_LINKS.fullmatch(path) is not None


def _wants_json(scope: Scope) -> bool:
    path = scope["path"]
    accept = _header(scope, b"accept") or ""
    return path.startswith(("/api", "/download", "/openapi")) or "json" in accept.split(",")[0]


def safe_next(target: str | None) -> str:
    """A local path to go to after logging in ("/" for anything else: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 0x20 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


class AuthMiddleware:
    """Authenticates every request and enforces login and CSRF (see the module doc)."""

    def __init__(self, app: ASGIApp, accounts: Accounts, local_csrf: str) -> None:
        self.app = app
        self.accounts = accounts
        self.local_csrf = local_csrf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(PUBLIC_PREFIXES + SIGNED_PREFIXES):
            await self.app(scope, receive, send)
            return
        try:
            auth = await self._identify(scope)
        except NotAuthenticated as exc:  # a bad API token: say so, whatever the path
            await self._reject(scope, receive, send, 401, exc.code, exc.message)
            return
        path, method = scope["path"], scope["method"]
        if auth is None and not _is_public(path) and not _is_signed_link(path, method):
            if method in ("GET", "HEAD") and not _wants_json(scope):
                query = scope.get("query_string", b"").decode("latin-1")
                target = path + (f"?{query}" if query else "")
                location = "/login?next=" + quote(target, safe="")
                await RedirectResponse(location, status_code=303)(scope, receive, send)
                return
            message = f"not logged in: {HOW_TO_AUTHENTICATE}"
            await self._reject(scope, receive, send, 401, "not_authenticated", message)
            return
        if auth is not None and method in UNSAFE and auth.csrf and path not in OWN_CSRF:
            sent, receive = await self._csrf_token(scope, receive)
            if not sent or not hmac.compare_digest(sent.encode(), auth.csrf.encode()):
                message = (
                    f"the form is missing its CSRF token or it is stale: reload the page and "
                    f"try again (API clients: send the {CSRF_FIELD} field or the X-CSRF-Token "
                    "header, or use an API token)"
                )
                await self._reject(scope, receive, send, 403, "csrf_failed", message)
                return
        state = scope.setdefault("state", {})
        state["auth"] = auth
        state["actor"] = auth.actor if auth else None
        reset = _CURRENT.set(auth)
        try:
            await self.app(scope, receive, send)
        finally:
            _CURRENT.reset(reset)

    async def _identify(self, scope: Scope) -> Auth | None:
        server_token = _header(scope, _SERVER_TOKEN)
        if server_token is not None:
            return _server_auth(scope, server_token)
        accounts = self.accounts
        users = accounts.has_users(cached_only=True)
        if users is None:
            users = await anyio.to_thread.run_sync(accounts.has_users)
        if not users:
            return Auth(LOCAL_ADMIN, "local", self.local_csrf)
        authorization = _header(scope, b"authorization")
        if authorization:
            kind, _, secret = authorization.partition(" ")
            if kind.lower() != "bearer" or not secret.strip():
                raise NotAuthenticated(f"unsupported Authorization header: {HOW_TO_AUTHENTICATE}")
            secret = secret.strip()
            actor = accounts.verify_token(secret, cached_only=True)
            if isinstance(actor, Miss):
                actor = await anyio.to_thread.run_sync(accounts.verify_token, secret)
            return Auth(actor, "token", "")
        cookies = _header(scope, b"cookie")
        secret = cookie_parser(cookies).get(SESSION_COOKIE, "") if cookies else ""
        if not secret:
            return None
        found = accounts.session(secret, cached_only=True)
        if isinstance(found, Miss):
            found = await anyio.to_thread.run_sync(accounts.session, secret)
        if found is None:
            return None
        return Auth(found[0], "session", found[1], secret)

    async def _csrf_token(self, scope: Scope, receive: Receive) -> tuple[str, Receive]:
        """The CSRF token the request carries (header, else form field), and a receive
        that replays the body the form was read from."""
        header = _header(scope, CSRF_HEADER)
        if header:
            return header, receive
        kind = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return "", receive
        chunks, more = [], True
        size = 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return "", receive
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > _MAX_FORM:
                return "", receive
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replay = _replay(body, receive)

        if kind == "application/x-www-form-urlencoded":
            values = parse_qs(body.decode("latin-1"), max_num_fields=1000).get(CSRF_FIELD, [""])
            return values[0], replay
        form = await Request(scope, replay).form()
        value = form.get(CSRF_FIELD)
        await form.close()
        return (value if isinstance(value, str) else ""), _replay(body, receive)

    async def _reject(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str, message: str
    ) -> None:
        from ._app import _error

        response = _error(Request(scope, receive), status, code, message)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="sanjeh"'
        await response(scope, receive, send)


_SERVER_TOKEN = TOKEN_HEADER.lower().encode()


def _server_auth(scope: Scope, sent: str) -> Auth:
    """The server's own token (``app.state.server_token``, set by ``serve``), on the
    paths it opens: the local admin, no CSRF. Anything else that sends it: 401."""
    expected = getattr(scope["app"].state, "server_token", None)
    if (
        not isinstance(expected, str)
        or scope["path"] not in TOKEN_PATHS
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise NotAuthenticated(
            f"{TOKEN_HEADER} is not this server's token (it opens {', '.join(sorted(TOKEN_PATHS))} "
            "for `sanjeh import` on this machine): leave the header out and "
            f"{HOW_TO_AUTHENTICATE}"
        )
    return Auth(LOCAL_ADMIN, "server", "")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then listens on."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# -- login and logout -----------------------------------------------------------------------


def _login_page(
    request: Request,
    locale: Locale,
    *,
    csrf: str,
    next_path: str,
    username: str = "",
    error: str = "",
    status: int = 200,
    retry_after: int | None = None,
) -> Response:
    html = _ENV.get_template("login.html").render(
        L=locale,
        t=locale.t,
        langs=LANGS,
        csrf=csrf,
        next_path=next_path,
        username=username,
        error=error,
        login_url=lambda lang: "/login?" + _query({"lang": lang, "next": next_path}),
    )
    response = Response(html, status_code=status, media_type="text/html; charset=utf-8")
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, csrf, path="/login")
    response.headers["Cache-Control"] = "no-store"
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _query(values: dict[str, str]) -> str:
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in values.items() if v)


def _set_cookie(request: Request, response: Response, name: str, value: str, path: str) -> None:
    response.set_cookie(
        name,
        value,
        path=path,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def _login_csrf(request: Request) -> str:
    found = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return found if 20 <= len(found) <= 100 and found.isascii() else secrets.token_urlsafe(32)


def register_auth(app: FastAPI, accounts: Accounts) -> None:
    """The login and logout routes, the user administration (``_admin``), and an hourly
    purge of old session rows."""
    from ._admin import register_admin

    for group in accounts.collisions():  # left by an older version: nobody is locked out,
        names = ", ".join(repr(u.username) for u in group)  # but the admin must know
        log.warning(
            "the users %s have names that read the same: each logs in only with the name "
            "exactly as stored; rename all but one (`sanjeh user rename OLD NEW`)",
            names,
        )
    register_admin(app)
    purged: list[float] = []

    def purge_old_sessions() -> None:  # (the background loop calls it every few seconds)
        if purged and time.monotonic() - purged[-1] < 3600:
            return
        purged[:] = [time.monotonic()]
        accounts.purge_sessions()

    app.state.source.periodic.append(purge_old_sessions)

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, next: str = "/", lang: str = "") -> Response:
        auth: Auth | None = getattr(request.state, "auth", None)
        target = safe_next(next)
        if auth is not None and auth.method == "local":  # nobody needs to log in
            return RedirectResponse(target, status_code=303)
        locale = Locale.of(lang or request.app.state.language)
        return _login_page(request, locale, csrf=_login_csrf(request), next_path=target)

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=200)] = "",
        password: Annotated[str, Form(max_length=1024)] = "",
        csrf_token: Annotated[str, Form(max_length=200)] = "",
        next: Annotated[str, Form(max_length=2000)] = "/",
        lang: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        target = safe_next(next)
        locale = Locale.of(lang or request.app.state.language)
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        fresh = secrets.token_urlsafe(32)
        if not accounts.has_users():
            return RedirectResponse(target, status_code=303)
        if not cookie or not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
            return _login_page(
                request,
                locale,
                csrf=fresh,
                next_path=target,
                username=username,
                error=locale.t("login.csrf_failed"),
                status=403,
            )
        remote = request.client.host if request.client else None
        try:
            actor = accounts.authenticate(username, password, remote=remote)
        except TooManyAttempts as exc:
            minutes = max(1, -(-exc.retry_after // 60))
            error = locale.t("login.too_many", minutes=minutes)
            return _login_page(
                request,
                locale,
                csrf=cookie,
                next_path=target,
                username=username,
                error=error,
                status=429,
                retry_after=exc.retry_after,
            )
        except NotAuthenticated:
            return _login_page(
                request,
                locale,
                csrf=cookie,
                next_path=target,
                username=username,
                error=locale.t("login.failed"),
                status=401,
            )
        old = request.cookies.get(SESSION_COOKIE)
        if old:  # never keep a session id from before the login (session fixation)
            accounts.end_session(old)
        secret, _ = accounts.start_session(actor, remote=remote)
        response = RedirectResponse(target, status_code=303)
        _set_cookie(request, response, SESSION_COOKIE, secret, path="/")
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        auth: Auth | None = getattr(request.state, "auth", None)
        if auth is None or auth.method != "session":
            return RedirectResponse("/", status_code=303)
        accounts.end_session(auth.session)
        lang = request.query_params.get("lang", "")
        response = RedirectResponse("/login" + (f"?lang={quote(lang)}" if lang else ""), 303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


def local_csrf_token() -> str:
    """The CSRF token of the local single-user setup (one per server start)."""
    return secrets.token_urlsafe(32)


__all__ = [
    "Auth",
    "AuthMiddleware",
    "Authenticated",
    "authorize_view",
    "current_actor",
    "html_response",
    "register_auth",
    "require",
    "require_permission",
    "safe_next",
]
