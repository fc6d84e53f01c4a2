"""Logins on the dashboard: who may see what (403), CSRF, throttling, tokens, logout,
and the local single-user setup that needs none of it.

A store of its own (the shared demo store stays user-less for the other web tests).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import Depends, Request
from fastapi.responses import PlainTextResponse

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.cli import main
from sanjeh.demo import generate
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._auth import AuthMiddleware, current_actor, require, safe_next
from sanjeh.web._render import _ENV
from sanjeh.web._server import Server, free_port, proxy_options

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
OWN, OTHER = "demo:a-001", "demo:a-002"
ROLES = ("admin", "manager", "reviewer", "agent")


def _add_test_routes(app: Any) -> None:
    """POST routes like the QA pages will have, to test CSRF and the helpers."""

    @app.post("/test/echo")
    def echo(request: Request) -> PlainTextResponse:
        actor = current_actor(request)
        shown = _ENV.from_string(
            "{{ csrf_field() }}|{{ current_user().name if current_user() else '-' }}"
        ).render()
        return PlainTextResponse(f"{actor.name}|{actor.role}|{shown}")

    @app.post("/test/admin-only", dependencies=[Depends(require("admin"))])
    def admin_only() -> PlainTextResponse:
        return PlainTextResponse("ok")


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("auth")
    path, local = folder / "auth.duckdb", folder / "local.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=300, seed=3)
    shutil.copy(path, local)  # the same data without users
    with Store.open(str(path)) as store:
        accounts = Accounts(store, hasher=FAST)
        for role in ROLES:
            agent_id = OWN if role == "agent" else None
            accounts.add_user(LOCAL_ADMIN, role, PASSWORD, role, f"{role} name", agent_id)
        accounts.add_user(LOCAL_ADMIN, "other_agent", PASSWORD, "agent", agent_id=OTHER)
    return path, local


@pytest.fixture(scope="module")
def app(paths: tuple[Path, Path]) -> Iterator[Any]:
    application = create_app(str(paths[0]), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    _add_test_routes(application)
    yield application
    application.state.source.store.close()


@pytest.fixture(scope="module")
def local_app(paths: tuple[Path, Path]) -> Iterator[Any]:
    application = create_app(str(paths[1]), refresh_seconds=3600, warm=False)
    _add_test_routes(application)
    yield application
    application.state.source.store.close()


@pytest.fixture(autouse=True)
def _fresh_throttle(app: Any) -> None:
    app.state.accounts.throttle.reset()


class Browser:
    """Requests through httpx's ASGI transport, keeping cookies between them."""

    def __init__(self, app: Any, base_url: str = "http://test") -> None:
        self.app, self.base_url = app, base_url
        self.cookies = httpx.Cookies()
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url=self.base_url,
                cookies=self.cookies,
                headers=self.headers,
            ) as client:
                response = await client.request(method, path, **kwargs)
                self.cookies = httpx.Cookies(client.cookies)
                return response

        return asyncio.run(go())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def login(
        self, username: str, password: str = PASSWORD, next_path: str = "/"
    ) -> httpx.Response:
        form = self.get("/login")
        assert form.status_code == 200, form.text[:300]
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        data = {"username": username, "password": password, "csrf_token": token.group(1)}
        return self.post("/login", data={**data, "next": next_path})

    def csrf(self) -> str:
        """The session's CSRF token, from the logout form in a page's header."""
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/volume").text)
        assert found is not None
        return found.group(1)


def _logged_in(app: Any, role: str) -> Browser:
    browser = Browser(app)
    r = browser.login(role)
    assert r.status_code == 303, r.text[:300]
    return browser


@pytest.fixture(scope="module")
def browsers(app: Any) -> dict[str, Browser]:
    return {role: _logged_in(app, role) for role in ROLES}


@pytest.fixture(scope="module")
def tokens(app: Any) -> dict[str, str]:
    accounts: Accounts = app.state.accounts
    return {role: accounts.issue_token(LOCAL_ADMIN, role, "tests") for role in ROLES}


# -- anonymous ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/agents", "/agents/demo:a-001?lang=fa", "/customers"])
def test_anonymous_pages_redirect_to_the_login(app: Any, path: str) -> None:
    r = Browser(app).get(path)
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/login?next=")
    assert httpx.URL(location).params["next"] == path


@pytest.mark.parametrize(
    "path", ["/api/overview", "/api/meta", "/download/overview/kpis.csv", "/openapi.json"]
)
def test_anonymous_api_calls_get_401_saying_how_to_log_in(app: Any, path: str) -> None:
    r = Browser(app).get(path)
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["type"] == "not_authenticated"
    assert "/login" in error["message"] and "Bearer" in error["message"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert "default-src 'self'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/static/app.css", "/vendor/plotly.min.js", "/login"])
def test_the_login_page_and_static_files_need_no_login(app: Any, path: str) -> None:
    assert Browser(app).get(path).status_code == 200


@pytest.mark.parametrize("lang", ["fa", "ar", "en"])
def test_the_login_page_speaks_each_language_without_the_filter_bar(app: Any, lang: str) -> None:
    text = Browser(app).get("/login", params={"lang": lang}).text
    assert f'lang="{lang}"' in text and "data-filters" not in text
    words = {"fa": "گذرواژه", "ar": "كلمة المرور", "en": "Password"}
    assert words[lang] in text


# -- logging in -----------------------------------------------------------------------------


def test_login_sets_a_strict_session_cookie_and_goes_to_next(app: Any) -> None:
    browser = Browser(app)
    r = browser.login("manager", next_path="/volume?lang=fa")
    assert r.status_code == 303 and r.headers["location"] == "/volume?lang=fa"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("sanjeh_session="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax"} <= flags
    assert "secure" not in flags  # plain http (a local server)
    page = browser.get("/volume?lang=fa")
    assert page.status_code == 200
    assert "manager name" in page.text and "مدیر" in page.text  # the user and role, in fa


def test_over_https_the_cookie_is_secure(app: Any) -> None:
    r = Browser(app, "https://test").login("manager")
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("sanjeh_session="))
    assert "secure" in cookie.lower()


def test_a_wrong_password_shows_the_form_again_and_the_sixth_try_waits(app: Any) -> None:
    browser = Browser(app)
    for _ in range(5):
        r = browser.login("reviewer", "wrong password!")
        assert r.status_code == 401
        assert "Wrong username or password" in r.text and "sanjeh_session" not in r.cookies
    r = browser.login("reviewer")  # even the right password must wait now
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 800
    assert "Try again in 15 minutes" in r.text
    assert browser.get("/").status_code == 303


def test_unknown_users_get_the_same_answer(app: Any) -> None:
    r = Browser(app).login("nobody")
    assert r.status_code == 401 and "Wrong username or password" in r.text


def test_login_without_its_csrf_cookie_is_refused(app: Any) -> None:
    """Login CSRF: another site cannot log the victim in as the attacker."""
    data = {"username": "admin", "password": PASSWORD, "csrf_token": "forged-token-123456789"}
    r = Browser(app).post("/login", data=data)
    assert r.status_code == 403 and "sanjeh_session" not in r.cookies
    browser = Browser(app)
    browser.get("/login")
    r = browser.post("/login", data=data)  # a cookie, but not the one the form carries
    assert r.status_code == 403 and "sanjeh_session" not in browser.cookies


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/agents?lang=fa", "/agents?lang=fa"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
    ],
)
def test_next_is_only_ever_a_local_path(app: Any, target: str, expected: str) -> None:
    assert safe_next(target) == expected
    r = Browser(app).login("manager", next_path=target)
    assert r.status_code == 303 and r.headers["location"] == expected


def test_login_gives_a_new_session_id(app: Any) -> None:
    browser = _logged_in(app, "reviewer")
    first = browser.cookies["sanjeh_session"]
    browser.login("manager")  # logging in again from the same browser
    second = browser.cookies["sanjeh_session"]
    assert second != first
    assert app.state.accounts.session(first) is None


def test_logout_ends_the_session(app: Any) -> None:
    browser = _logged_in(app, "reviewer")
    secret = browser.cookies["sanjeh_session"]
    r = browser.post("/logout", data={"csrf_token": browser.csrf()})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert "sanjeh_session" not in browser.cookies
    stolen = Browser(app)  # the old cookie, replayed
    stolen.cookies.set("sanjeh_session", secret, domain="test")
    assert stolen.get("/").status_code == 303
    assert stolen.get("/api/overview").status_code == 401


def test_disabling_a_user_ends_their_session_at_once(app: Any) -> None:
    accounts: Accounts = app.state.accounts
    accounts.add_user(LOCAL_ADMIN, "temp_user", PASSWORD, "reviewer")
    browser = _logged_in(app, "temp_user")
    assert browser.get("/").status_code == 200
    accounts.deactivate(LOCAL_ADMIN, "temp_user")
    assert browser.get("/").status_code == 303


# -- CSRF -----------------------------------------------------------------------------------


def test_posts_need_the_session_csrf_token(app: Any, browsers: dict[str, Browser]) -> None:
    browser = browsers["manager"]
    token = browser.csrf()
    for data, headers in [({}, {}), ({"csrf_token": "wrong"}, {}), ({}, {"X-CSRF-Token": ""})]:
        r = browser.post("/test/echo", data=data, headers={**headers, "Accept": "application/json"})
        assert r.status_code == 403
        assert r.json()["error"]["type"] == "csrf_failed"
    r = browser.post("/test/echo", data={"csrf_token": "wrong"})
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    # a token from another session does not fit this one
    theirs = browsers["reviewer"].csrf()
    assert browser.post("/test/echo", data={"csrf_token": theirs}).status_code == 403

    r = browser.post("/test/echo", data={"csrf_token": token, "x": "1"})
    assert r.status_code == 200, r.text
    name, role, field, user = r.text.split("|")
    assert (name, role, user) == ("manager name", "manager", "manager name")
    assert f'name="csrf_token" value="{token}"' in field  # {{ csrf_field() }} in templates
    r = browser.post("/test/echo", headers={"X-CSRF-Token": token}, json={"a": 1})
    assert r.status_code == 200
    r = browser.post("/test/echo", files={"f": b"x"}, data={"csrf_token": token})
    assert r.status_code == 200  # multipart forms too


def test_roles_are_enforced_by_dependencies(browsers: dict[str, Browser]) -> None:
    admin, manager = browsers["admin"], browsers["manager"]
    assert admin.post("/test/admin-only", data={"csrf_token": admin.csrf()}).status_code == 200
    r = manager.post(
        "/test/admin-only",
        data={"csrf_token": manager.csrf()},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 403 and r.json()["error"]["type"] == "permission_denied"


# -- API tokens -----------------------------------------------------------------------------


def test_bearer_tokens_work_without_cookies_or_csrf(app: Any, tokens: dict[str, str]) -> None:
    client = Browser(app)
    client.headers = {"Authorization": f"Bearer {tokens['reviewer']}"}
    assert client.get("/api/overview").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    r = client.post("/test/echo")
    assert r.status_code == 200 and r.text.startswith("reviewer name|reviewer|")


def test_bad_and_revoked_tokens_get_401(app: Any) -> None:
    accounts: Accounts = app.state.accounts
    secret = accounts.issue_token(LOCAL_ADMIN, "manager", "short-lived")
    client = Browser(app)
    client.headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/meta").status_code == 200
    accounts.revoke_token(LOCAL_ADMIN, Accounts.token_id(secret))
    for headers in [
        {"Authorization": f"Bearer {secret}"},
        {"Authorization": "Bearer sjh_made_up"},
        {"Authorization": "Basic YWRtaW46eA=="},
    ]:
        client.headers = headers
        r = client.get("/api/meta")
        assert r.status_code == 401 and r.json()["error"]["type"] == "not_authenticated"
        assert client.get("/").status_code == 401  # a wrong token is an error, not a login page


# -- who sees what --------------------------------------------------------------------------

STAFF = {"admin", "manager", "reviewer"}
ACCESS = [
    # path, roles that may see it
    ("/", set(ROLES)),
    ("/api/overview", set(ROLES)),
    ("/download/overview/kpis.csv", set(ROLES)),
    ("/api/meta", set(ROLES)),
    ("/customers", set(ROLES)),
    ("/agents", STAFF),
    ("/api/agents", STAFF),
    ("/download/agents/agents.csv", STAFF),
    (f"/agents/{OWN}", set(ROLES)),
    (f"/api/agents/{OWN}", set(ROLES)),
    (f"/download/scorecard/kpis.csv?id={OWN}", set(ROLES)),
    (f"/agents/{OTHER}", STAFF),
    (f"/api/agents/{OTHER}", STAFF),
    (f"/download/scorecard/kpis.csv?id={OTHER}", STAFF),
    (f"/api/overview?agent={OWN}", set(ROLES)),
    (f"/api/overview?agent={OTHER}", STAFF),
    (f"/volume?agent={OTHER}", STAFF),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), ACCESS, ids=[p for p, _ in ACCESS])
def test_each_role_sees_what_it_may(
    browsers: dict[str, Browser],
    tokens: dict[str, str],
    app: Any,
    role: str,
    path: str,
    allowed: set[str],
) -> None:
    expected = 200 if role in allowed else 403
    r = browsers[role].get(path)  # the session cookie
    assert r.status_code == expected, (role, path, r.text[:300])
    if expected == 403:
        assert "permission_denied" in r.text
    client = Browser(app)  # the same with an API token
    client.headers = {"Authorization": f"Bearer {tokens[role]}"}
    assert client.get(path).status_code == expected


def test_cached_pages_never_show_another_users_name(browsers: dict[str, Browser]) -> None:
    for role in ROLES:
        text = browsers[role].get("/satisfaction").text
        assert f"{role} name" in text
        assert not any(f"{other} name" in text for other in ROLES if other != role)
        assert "<!--sanjeh:user-->" not in text


def test_a_cached_page_pays_little_for_the_login(app: Any, browsers: dict[str, Browser]) -> None:
    """The session lookup of every request is answered from memory."""
    middleware = AuthMiddleware(app, app.state.accounts, "x")
    cookie = f"sanjeh_session={browsers['manager'].cookies['sanjeh_session']}".encode()
    scope = {"type": "http", "path": "/", "headers": [(b"cookie", cookie)]}

    async def many() -> float:
        await middleware._identify(scope)
        start = time.perf_counter()
        for _ in range(1000):
            auth = await middleware._identify(scope)
        assert auth is not None and auth.actor.role == "manager"
        return (time.perf_counter() - start) / 1000

    assert asyncio.run(many()) < 0.0005


# -- the local single-user setup ------------------------------------------------------------


def test_a_store_without_users_needs_no_login(local_app: Any) -> None:
    browser = Browser(local_app)
    for path in ("/", "/agents", f"/agents/{OTHER}", "/api/agents", "/openapi.json"):
        assert browser.get(path).status_code == 200, path
    assert browser.get("/login").status_code == 303  # nothing to log in to
    assert "<!--sanjeh:user-->" in browser.get("/").text  # no user bit, no logout button


def test_local_posts_still_need_the_csrf_token(local_app: Any) -> None:
    """No login, but another site still cannot post to the local server."""
    browser = Browser(local_app)
    assert browser.post("/test/echo", data={}).status_code == 403
    token = re.search(r'value="([^"]+)"', browser.post("/test/echo", data={}).text)
    assert token is None  # the error page does not hand the token out
    shown = _ENV.from_string("{{ csrf_token() }}").render()
    assert shown == ""  # (outside a request)
    good = next(m for m in local_app.user_middleware if m.cls is AuthMiddleware).kwargs[
        "local_csrf"
    ]
    r = browser.post("/test/echo", data={"csrf_token": good})
    assert r.status_code == 200 and r.text.startswith("local|admin|")


def test_an_agent_is_pointed_to_their_own_scorecard(browsers: dict[str, Browser]) -> None:
    agent = browsers["agent"].get("/").text
    assert 'class="user-scorecard" href="/agents/' in agent
    assert 'data-role="agent"' in agent  # app.css hides the leaderboard link for it
    manager = browsers["manager"].get("/").text
    assert "user-scorecard" not in manager


def test_the_background_loop_purges_old_session_rows(app: Any) -> None:
    store = app.state.source.store
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    row = {
        "session_hash": "0" * 64,
        "user_id": "nobody",
        "created_at": long_ago,
        "last_seen_at": long_ago,
        "expires_at": long_ago + dt.timedelta(hours=12),
        "ended_at": long_ago,
        "remote": None,
    }
    with store.lock:
        store.write("user_sessions", [row])

    def hashes() -> list[str]:
        with store.lock:
            t = store.table("user_sessions")
            return t.session_hash.to_pyarrow().to_pylist()

    assert row["session_hash"] in hashes()
    tasks = [t for t in app.state.source.periodic if t.__name__ == "purge_old_sessions"]
    assert len(tasks) == 1
    tasks[0]()
    assert row["session_hash"] not in hashes()


# -- forwarding headers (#23 item 11) -------------------------------------------------------


def _served(app: Any) -> Any:
    """An app over the module's open store, to run in a real uvicorn server (the store
    is not closed when that server stops)."""
    served = create_app(app.state.source.store, refresh_seconds=3600, warm=False)
    served.state.accounts.hasher = FAST
    return served


def _post_login(
    client: httpx.Client, username: str, password: str, headers: dict[str, str]
) -> httpx.Response:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    data = {"username": username, "password": password, "csrf_token": found.group(1)}
    return client.post("/login", data=data, headers=headers)


def _session_cookie(r: httpx.Response) -> str:
    return next(c for c in r.headers.get_list("set-cookie") if c.startswith("sanjeh_session="))


def _remote_of(app: Any, r: httpx.Response) -> str | None:
    secret = _session_cookie(r).split(";")[0].split("=", 1)[1]
    store = app.state.source.store
    with store.lock:
        t = store.table("user_sessions")
        digest = hashlib.sha256(secret.encode()).hexdigest()
        (row,) = t.filter(t.session_hash == digest).to_pyarrow().to_pylist()
    return row["remote"]


def test_forwarding_headers_from_an_unconfigured_client_are_ignored(app: Any) -> None:
    """A local client cannot pick its address (the throttle) or https (Secure cookies)."""
    spoof = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    with Server(_served(app)) as url, httpx.Client(base_url=url) as client:
        r = _post_login(client, "manager", PASSWORD, spoof)
        assert r.status_code == 303
        assert "secure" not in _session_cookie(r).lower()
        assert _remote_of(app, r) == "127.0.0.1"
        for i in range(20):  # a new address in every try: all of them count as 127.0.0.1
            headers = {"X-Forwarded-For": f"198.51.100.{i}"}
            assert _post_login(client, f"nobody{i}", "wrong password!", headers).status_code == 401
        r = _post_login(client, "manager", PASSWORD, {"X-Forwarded-For": "192.0.2.1"})
        assert r.status_code == 429 and "Retry-After" in r.headers


def test_forwarding_headers_from_a_configured_proxy_are_believed(app: Any) -> None:
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    served = _served(app)
    with Server(served, forwarded_allow_ips="127.0.0.1") as url, httpx.Client(base_url=url) as c:
        r = _post_login(c, "manager", PASSWORD, headers)
        assert r.status_code == 303
        assert "secure" in _session_cookie(r).lower()
        assert _remote_of(app, r) == "203.0.113.7"
        for i in range(20):  # the proxy's clients are throttled one by one
            spray = {"X-Forwarded-For": "198.51.100.66"}
            assert _post_login(c, f"nobody{i}", "wrong password!", spray).status_code == 401
        spray = {"X-Forwarded-For": "198.51.100.66"}
        assert _post_login(c, "manager", PASSWORD, spray).status_code == 429
        assert _post_login(c, "manager", PASSWORD, headers).status_code == 303


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, {"proxy_headers": False}),
        ("", {"proxy_headers": False}),
        ("127.0.0.1", {"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1"}),
        (
            " 10.0.0.0/8 , ::1 ",
            {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.0/8,::1"},
        ),
        ("*", {"proxy_headers": True, "forwarded_allow_ips": "*"}),
    ],
)
def test_proxy_options(value: str | None, expected: dict[str, Any]) -> None:
    assert proxy_options(value) == expected


def test_sanjeh_serve_refuses_a_proxy_that_is_no_address(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["serve", "--forwarded-allow-ips", "127.0.0.1,proxy.local", "--db", "x.duckdb"])
    assert code == 1
    assert "'proxy.local' is not an address or network" in capsys.readouterr().err


def test_sanjeh_serve_passes_the_proxies_to_uvicorn(tmp_path: Path) -> None:
    """The real command: with --forwarded-allow-ips the proxy's headers are believed."""
    db = str(tmp_path / "proxied.duckdb")
    with Store.open(db) as store:
        Accounts(store, hasher=FAST).add_user(LOCAL_ADMIN, "root", PASSWORD, "admin")
    port = free_port()
    sanjeh = str(Path(sys.executable).parent / "sanjeh")
    command = [
        sanjeh,
        "serve",
        "--db",
        db,
        "--port",
        str(port),
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{url}/login", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        with httpx.Client(base_url=url) as client:
            headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
            r = _post_login(client, "root", PASSWORD, headers)
            assert r.status_code == 303
            assert "secure" in _session_cookie(r).lower()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
