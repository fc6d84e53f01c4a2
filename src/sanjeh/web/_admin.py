"""User administration in the dashboard (admins only), and the password reset page.

On DuckDB the server holds its file for as long as it runs, so ``sanjeh user …`` cannot
reach the users then; these pages can. The dashboard's pattern: each page's view model
is built by one function for the page and its JSON twin, and each action is a JSON
endpoint and an HTML form (CSRF-protected by the middleware like every post, answered
with a 303 back to the page) doing the same library call:

- ``/admin/users`` (``/api/admin/users``): users with their state, role, last change
  and API tokens; disable / enable a user, revoke a token, issue a password reset link
  (shown once, in the form's answer).
- ``/admin/audit`` (``/api/admin/audit``): who changed which account, when.
- ``/reset?token=…``: the page a reset link opens (no login): the user chooses a new
  password. The link's secret is its own protection against cross-site posts.

Who may is the permission matrix's ``manage_users`` (403 for everyone else); the
library keeps the last active admin and writes the audit log.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from ..accounts import MIN_PASSWORD, Accounts, Actor, AuditEntry, Token, User
from ..accounts._resets import LIFETIME
from ..errors import ConfigError, NotAuthenticated
from ._auth import html_response, require_permission
from ._i18n import LANGS, Locale
from ._render import _ENV, render_page, to_json
from ._schema import ErrorResponse

Model = dict[str, Any]
Admin = Annotated[Actor, Depends(require_permission("manage_users"))]
UserId = Annotated[str, PathParam(max_length=100, pattern=r"^user:[\w.-]+$")]
TokenId = Annotated[str, PathParam(max_length=100, pattern=r"^tok-[0-9a-f]+$")]
NO_STORE = {"Cache-Control": "no-store", "Vary": "Cookie, Authorization"}
#: query parameters that say how to show a page (kept on redirects after a form)
DISPLAY = ("lang", "cal", "digits")
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "A parameter is invalid."},
    401: {"model": ErrorResponse, "description": "Not logged in."},
    403: {"model": ErrorResponse, "description": "Not an admin."},
    404: {"model": ErrorResponse, "description": "No such user or token."},
    409: {"model": ErrorResponse, "description": "Not now: the last admin, a disabled user."},
}


def _accounts(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.accounts
    return accounts


def _locale(request: Request) -> Locale:
    q = request.query_params
    return Locale.of(q.get("lang") or request.app.state.language, q.get("cal"), q.get("digits"))


def _when(request: Request, locale: Locale, value: dt.datetime | None) -> str:
    return locale.datetime(value, request.app.state.source.timezone) if value else "—"


def _names(users: list[User], locale: Locale) -> dict[str, str]:
    """user id → the name shown (the CLI acts as ``local``)."""
    names = {u.user_id: u.display_name or u.username for u in users}
    names["local"] = locale.t("admin.local")
    return names


# -- view models ------------------------------------------------------------------------------


def users_model(request: Request, reset: Model | None = None) -> Model:
    """Every user with their tokens; ``reset``: a link just issued (shown once)."""
    accounts, locale = _accounts(request), _locale(request)
    users = accounts.users()
    names = _names(users, locale)
    tokens: dict[str, list[Token]] = {}
    for token in accounts.tokens():
        tokens.setdefault(token.user_id, []).append(token)
    collisions = accounts.collisions()
    twins = {u.user_id for group in collisions for u in group}
    return {
        "page": "admin",
        "admin_page": "users",
        "title": locale.t("admin.users"),
        "users": [
            _user(request, locale, u, tokens.get(u.user_id, []), names, twins) for u in users
        ],
        "collisions": [[u.username for u in group] for group in collisions],
        "active_admins": sum(1 for u in users if u.active and u.role == "admin"),
        "reset": reset,
    }


def _user(
    request: Request,
    locale: Locale,
    u: User,
    tokens: list[Token],
    names: dict[str, str],
    twins: set[str],
) -> Model:
    return {
        "user_id": u.user_id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "role_label": locale.t(f"role.{u.role}"),
        "agent_id": u.agent_id,
        "active": u.active,
        "collides": u.user_id in twins,
        "revision": u.revision,
        "changed_at": u.changed_at.isoformat(),
        "changed_display": _when(request, locale, u.changed_at),
        "changed_by": names.get(u.changed_by, u.changed_by),
        "tokens": [
            {
                "token_id": t.token_id,
                "name": t.name,
                "scopes": sorted(t.scope_set),
                "created_at": t.created_at.isoformat(),
                "created_display": _when(request, locale, t.created_at),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                "revoked_display": _when(request, locale, t.revoked_at) if t.revoked_at else "",
            }
            for t in tokens
        ],
    }


def audit_model(request: Request, user: str | None, limit: int) -> Model:
    accounts, locale = _accounts(request), _locale(request)
    users = accounts.users()
    names = _names(users, locale)
    entries = accounts.audit(user, limit=limit)
    return {
        "page": "admin",
        "admin_page": "audit",
        "title": locale.t("admin.audit"),
        "user": user,
        "limit": limit,
        "users": [{"user_id": u.user_id, "username": u.username} for u in users],
        "entries": [_entry(request, locale, e, names) for e in entries],
    }


def _entry(request: Request, locale: Locale, e: AuditEntry, names: dict[str, str]) -> Model:
    return {
        "audit_id": e.audit_id,
        "at": e.at.isoformat(),
        "at_display": _when(request, locale, e.at),
        "actor_id": e.actor_id,
        "actor": names.get(e.actor_id, e.actor_id),
        "action": e.action,
        "action_label": locale.t(f"audit.{e.action}"),
        "user_id": e.user_id,
        "user": names.get(e.user_id, e.user_id) if e.user_id else None,
        "token_id": e.token_id,
        "detail": e.detail,
    }


# -- actions ------------------------------------------------------------------------------------


def _reset_link(request: Request, actor: Actor, user_id: str) -> Model:
    accounts = _accounts(request)
    secret = accounts.issue_reset_link(actor, user_id)
    user = accounts.user(user_id)
    expires = accounts.clock() + LIFETIME
    return {
        "user_id": user.user_id,
        "username": user.username,
        "url": f"{str(request.base_url).rstrip('/')}/reset?token={quote(secret)}",
        "expires_at": expires.isoformat(),
        "expires_display": _when(request, _locale(request), expires),
    }


def _json(model: Model, status: int = 200) -> Response:
    return Response(to_json(model), status, media_type="application/json", headers=NO_STORE)


def _page(request: Request, template: str, model: Model, path: str) -> Response:
    locale = _locale(request)
    link = functools.partial(_link, request)
    body = render_page(request, template, model, locale, path=path, link=link)
    response = html_response(request, body)
    response.headers.update(NO_STORE)
    return response


def _link(request: Request, target: str) -> str:
    """``target`` with the page's language, calendar and digits."""
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k in DISPLAY])
    return target + (("&" if "?" in target else "?") + kept if kept else "")


def _back(request: Request, target: str = "/admin/users") -> Response:
    return RedirectResponse(_link(request, target), status_code=303)


def register_admin(app: FastAPI) -> None:
    """The user administration pages, their JSON twins and actions, and /reset."""
    router = APIRouter()
    api: dict[str, Any] = {"tags": ["admin"], "responses": ERRORS}

    @router.get("/admin", include_in_schema=False)
    def admin_home(request: Request, actor: Admin) -> Response:
        return _back(request)

    @router.get("/admin/users", include_in_schema=False)
    def users_page(request: Request, actor: Admin) -> Response:
        return _page(request, "admin_users.html", users_model(request), "/admin/users")

    @router.get("/api/admin/users", **api, summary="Users and their API tokens")
    def users_api(request: Request, actor: Admin) -> Response:
        """Every user (state, role, last change, API tokens; never a secret) and the
        groups of users whose names read the same (each must be renamed but one)."""
        return _json(users_model(request))

    @router.get("/admin/audit", include_in_schema=False)
    def audit_page(
        request: Request,
        actor: Admin,
        user: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> Response:
        model = audit_model(request, user or None, limit)
        return _page(request, "admin_audit.html", model, "/admin/audit")

    @router.get("/api/admin/audit", **api, summary="The account audit log")
    def audit_api(
        request: Request,
        actor: Admin,
        user: Annotated[str | None, Query(max_length=100, description="A user id.")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> Response:
        """Who changed which user, password or API token, when; newest first. ``user``:
        only changes to that user or made by them."""
        return _json(audit_model(request, user or None, limit))

    # the same four actions as JSON endpoints and as the page's forms
    @router.post("/api/admin/users/{user_id}/disable", **api, summary="Disable a user")
    def disable_api(request: Request, actor: Admin, user_id: UserId) -> Response:
        """Their sessions end and their tokens stop working; 409 for the last admin."""
        _accounts(request).deactivate(actor, user_id)
        return _json(_one(request, user_id))

    @router.post("/admin/users/{user_id}/disable", include_in_schema=False)
    def disable_form(request: Request, actor: Admin, user_id: UserId) -> Response:
        _accounts(request).deactivate(actor, user_id)
        return _back(request)

    @router.post("/api/admin/users/{user_id}/enable", **api, summary="Enable a user")
    def enable_api(request: Request, actor: Admin, user_id: UserId) -> Response:
        _accounts(request).activate(actor, user_id)
        return _json(_one(request, user_id))

    @router.post("/admin/users/{user_id}/enable", include_in_schema=False)
    def enable_form(request: Request, actor: Admin, user_id: UserId) -> Response:
        _accounts(request).activate(actor, user_id)
        return _back(request)

    @router.post(
        "/api/admin/users/{user_id}/reset-link",
        **api,
        status_code=201,
        summary="A one-time password reset link",
    )
    def reset_api(request: Request, actor: Admin, user_id: UserId) -> Response:
        """A link (valid for a day, once) at which the user chooses a new password; shown
        only in this answer. Their current password works until the link is used."""
        return _json(_reset_link(request, actor, user_id), 201)

    @router.post("/admin/users/{user_id}/reset-link", include_in_schema=False)
    def reset_form(request: Request, actor: Admin, user_id: UserId) -> Response:
        link = _reset_link(request, actor, user_id)  # shown once: in this page, not a URL
        return _page(request, "admin_users.html", users_model(request, link), "/admin/users")

    @router.post("/api/admin/tokens/{token_id}/revoke", **api, summary="Revoke a token")
    def revoke_api(request: Request, actor: Admin, token_id: TokenId) -> Response:
        token = _accounts(request).revoke_token(actor, token_id)
        return _json({"token_id": token.token_id, "revoked_at": _iso(token.revoked_at)})

    @router.post("/admin/tokens/{token_id}/revoke", include_in_schema=False)
    def revoke_form(request: Request, actor: Admin, token_id: TokenId) -> Response:
        _accounts(request).revoke_token(actor, token_id)
        return _back(request)

    _reset_routes(router)
    app.include_router(router)


def _one(request: Request, user_id: str) -> Model:
    locale = _locale(request)
    accounts = _accounts(request)
    users = accounts.users()
    user = accounts.user(user_id)
    tokens = accounts.tokens(user_id)
    return _user(request, locale, user, tokens, _names(users, locale), set())


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# -- the password reset page (no login) --------------------------------------------------------


def _reset_page(
    request: Request,
    locale: Locale,
    token: str,
    *,
    user: User | None,
    error: str = "",
    done: bool = False,
    status: int = 200,
) -> Response:
    html = _ENV.get_template("admin_reset.html").render(
        L=locale,
        t=locale.t,
        langs=LANGS,
        token=token,
        user=user,
        error=error,
        done=done,
        min_password=MIN_PASSWORD,
        reset_url=lambda lang: "/reset?" + urlencode({"token": token, "lang": lang}),
    )
    return Response(html, status, media_type="text/html; charset=utf-8", headers=NO_STORE)


def _reset_routes(router: APIRouter) -> None:
    @router.get("/reset", include_in_schema=False)
    def reset_form(
        request: Request,
        token: Annotated[str, Query(max_length=200)] = "",
        lang: Annotated[str, Query(max_length=10)] = "",
    ) -> Response:
        locale = Locale.of(lang or request.app.state.language)
        user = _accounts(request).reset_link_user(token)
        if user is None:
            error = locale.t("reset.invalid")
            return _reset_page(request, locale, "", user=None, error=error, status=404)
        return _reset_page(request, locale, token, user=user)

    @router.post("/reset", include_in_schema=False)
    def reset(
        request: Request,
        token: Annotated[str, Form(max_length=200)] = "",
        password: Annotated[str, Form(max_length=1024)] = "",
        confirm: Annotated[str, Form(max_length=1024)] = "",
        lang: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        locale = Locale.of(lang or request.app.state.language)
        accounts = _accounts(request)
        user = accounts.reset_link_user(token)
        if user is None:
            error = locale.t("reset.invalid")
            return _reset_page(request, locale, "", user=None, error=error, status=404)
        if password != confirm:
            error = locale.t("reset.mismatch")
            return _reset_page(request, locale, token, user=user, error=error, status=400)
        try:
            accounts.reset_password(token, password)
        except ConfigError:
            error = locale.t("reset.weak", n=MIN_PASSWORD)
            return _reset_page(request, locale, token, user=user, error=error, status=400)
        except NotAuthenticated:
            error = locale.t("reset.invalid")
            return _reset_page(request, locale, "", user=None, error=error, status=404)
        return _reset_page(request, locale, "", user=user, done=True)


__all__ = ["audit_model", "register_admin", "users_model"]
