"""User administration in the dashboard (#23 item 14): admins list users, disable and
enable them, revoke tokens and issue reset links, from pages and their JSON twins; every
change audited; everyone else gets 403; the last admin stays. Plus the reset page, and
the same page in a real browser.

A copy of the shared demo store with users of its own.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.model.accounts import AUDIT_ACTIONS
from sanjeh.store import Store
from sanjeh.web import create_app
from sanjeh.web._i18n import LANGS, catalogue
from sanjeh.web._server import Server

from .test_auth import Browser

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"
ROLES = ("admin", "manager", "reviewer", "agent")
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def store_path(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("admin") / "admin.duckdb"
    shutil.copy(demo_path, path)
    with Store.open(str(path)) as store:
        accounts = Accounts(store, hasher=FAST)
        for role in ROLES:
            agent = "demo:a-001" if role == "agent" else None
            accounts.add_user(LOCAL_ADMIN, role, PASSWORD, role, f"{role} name", agent)
    return path


@pytest.fixture(scope="module")
def app(store_path: Path) -> Iterator[Any]:
    application = create_app(str(store_path), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    yield application
    application.state.source.store.close()


@pytest.fixture(autouse=True)
def _fresh_throttle(app: Any) -> None:
    app.state.accounts.throttle.reset()


def _login(app: Any, username: str, password: str = PASSWORD) -> Browser:
    browser = Browser(app)
    r = browser.login(username, password)
    assert r.status_code == 303, r.text[:300]
    return browser


def _csrf(browser: Browser, path: str = "/volume") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(path).text)
    assert found is not None
    return found.group(1)


@pytest.fixture(scope="module")
def admin(app: Any) -> Browser:
    return _login(app, "admin")


def _add(app: Any, name: str, role: str = "reviewer") -> str:
    accounts: Accounts = app.state.accounts
    return accounts.add_user(LOCAL_ADMIN, name, PASSWORD, role).user_id


# -- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "reviewer", "agent"])
def test_everyone_but_admins_gets_403(app: Any, role: str) -> None:
    target = _add(app, f"target_{role}")
    accounts: Accounts = app.state.accounts
    token = accounts.issue_token(LOCAL_ADMIN, target, "t")
    tok = Accounts.token_id(token)
    browser = _login(app, role)
    csrf = _csrf(browser)
    for path in ("/admin/users", "/admin/audit", "/api/admin/users", "/api/admin/audit"):
        r = browser.get(path)
        assert r.status_code == 403, path
        assert "permission_denied" in r.text
    for path in (
        f"/admin/users/{target}/disable",
        f"/api/admin/users/{target}/disable",
        f"/admin/users/{target}/reset-link",
        f"/api/admin/users/{target}/reset-link",
        f"/admin/tokens/{tok}/revoke",
        f"/api/admin/tokens/{tok}/revoke",
    ):
        r = browser.post(path, data={"csrf_token": csrf}, headers=JSON)
        assert r.status_code == 403, path
        assert r.json()["error"]["type"] == "permission_denied"
    assert accounts.user(target).active
    assert accounts.verify_token(token).user_id == target  # nothing happened
    assert [e.action for e in accounts.audit(target)] == ["token_issued", "user_added"]
    # and no link to the page in their header
    assert 'data-nav="admin"' not in browser.get("/").text


def test_anonymous_visitors_are_sent_to_log_in(app: Any) -> None:
    r = Browser(app).get("/admin/users")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert Browser(app).get("/api/admin/users").status_code == 401
    r = Browser(app).post("/api/admin/users/user:x/disable")
    assert r.status_code == 401


def test_an_admin_sees_every_user_and_the_twin_says_the_same(admin: Browser) -> None:
    assert 'data-nav="admin"' in admin.get("/").text  # the header links to the page
    page = admin.get("/admin/users")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    twin = admin.get("/api/admin/users").json()
    shown = re.findall(r'<tr data-user="([^"]+)" data-username="([^"]+)"', page.text)
    assert shown == [(u["user_id"], u["username"]) for u in twin["users"]]
    assert {"admin", "manager", "reviewer", "agent"} <= {u["username"] for u in twin["users"]}
    assert all(not u["collides"] for u in twin["users"]) and twin["collisions"] == []
    assert '<a href="/api/admin/users" data-json-twin>' in page.text


@pytest.mark.parametrize(
    ("lang", "word"), [("fa", "کاربران"), ("ar", "المستخدمون"), ("en", "Users")]
)
def test_the_pages_speak_each_language(admin: Browser, lang: str, word: str) -> None:
    for path in ("/admin/users", "/admin/audit"):
        text = admin.get(f"{path}?lang={lang}").text
        assert f'lang="{lang}" dir="{"ltr" if lang == "en" else "rtl"}"' in text
        assert word in text


def test_every_audit_action_and_role_has_a_text_in_each_language() -> None:
    for lang in LANGS:
        texts = catalogue(lang)
        assert all(f"audit.{a}" in texts for a in AUDIT_ACTIONS), lang
    assert set(catalogue("fa")) == set(catalogue("en")) == set(catalogue("ar"))


# -- the actions --------------------------------------------------------------------------------


def test_disabling_needs_the_csrf_token_then_ends_the_users_session(
    app: Any, admin: Browser
) -> None:
    user_id = _add(app, "to_disable")
    victim = _login(app, "to_disable")
    assert victim.get("/").status_code == 200
    r = admin.post(f"/admin/users/{user_id}/disable", data={}, headers=JSON)
    assert r.status_code == 403 and r.json()["error"]["type"] == "csrf_failed"
    r = admin.post(f"/admin/users/{user_id}/disable?lang=fa", data={"csrf_token": _csrf(admin)})
    assert r.status_code == 303 and r.headers["location"] == "/admin/users?lang=fa"
    accounts: Accounts = app.state.accounts
    assert not accounts.user(user_id).active
    assert victim.get("/").status_code == 303  # logged out at once
    page = admin.get("/admin/users").text
    assert re.search(rf'data-user="{user_id}"[^>]*data-state="disabled"', page)
    # enabling through the JSON twin (session: the header carries the token)
    r = admin.post(f"/api/admin/users/{user_id}/enable", headers={"X-CSRF-Token": _csrf(admin)})
    assert r.status_code == 200 and r.json()["active"] is True
    entries = accounts.audit(user_id)
    admin_id = accounts.user("admin").user_id
    assert [(e.action, e.actor_id) for e in entries[:2]] == [
        ("user_enabled", admin_id),
        ("user_disabled", admin_id),
    ]


def test_an_admin_token_works_without_csrf(app: Any) -> None:
    accounts: Accounts = app.state.accounts
    user_id = _add(app, "by_token")
    client = Browser(app)
    client.headers = {
        "Authorization": f"Bearer {accounts.issue_token(LOCAL_ADMIN, 'admin', 'ops')}"
    }
    r = client.post(f"/api/admin/users/{user_id}/disable")
    assert r.status_code == 200 and r.json()["active"] is False
    assert (
        client.get("/api/admin/audit", params={"user": user_id}).json()["entries"][0]["action"]
        == "user_disabled"
    )


def test_revoking_a_token_stops_it(app: Any, admin: Browser) -> None:
    accounts: Accounts = app.state.accounts
    secret = accounts.issue_token(LOCAL_ADMIN, "reviewer", "laptop")
    token_id = Accounts.token_id(secret)
    client = Browser(app)
    client.headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/meta").status_code == 200
    assert f'data-token="{token_id}" data-state="valid"' in admin.get("/admin/users").text
    r = admin.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": _csrf(admin)})
    assert r.status_code == 303
    assert client.get("/api/meta").status_code == 401
    assert f'data-token="{token_id}" data-state="revoked"' in admin.get("/admin/users").text
    audit = admin.get("/api/admin/audit").json()["entries"][0]
    assert (audit["action"], audit["actor"], audit["token_id"], audit["detail"]) == (
        "token_revoked",
        "admin name",
        token_id,
        "laptop",
    )
    r = admin.post(
        f"/api/admin/tokens/tok-{'0' * 12}/revoke", headers={"X-CSRF-Token": _csrf(admin)}
    )
    assert r.status_code == 404


def test_the_last_active_admin_cannot_be_disabled(app: Any, admin: Browser) -> None:
    accounts: Accounts = app.state.accounts
    admin_id = accounts.user("admin").user_id
    page = admin.get("/admin/users").text
    row = re.search(rf'<tr data-user="{admin_id}".*?</tr>', page, re.S)
    assert row is not None and 'data-action="disable" disabled' in row.group(0)
    r = admin.post(f"/api/admin/users/{admin_id}/disable", headers={"X-CSRF-Token": _csrf(admin)})
    assert r.status_code == 409 and "last active admin" in r.json()["error"]["message"]
    r = admin.post(f"/admin/users/{admin_id}/disable", data={"csrf_token": _csrf(admin)})
    assert r.status_code == 409 and "text/html" in r.headers["content-type"]
    assert accounts.user(admin_id).active
    assert admin.get("/admin/users").status_code == 200  # still logged in


# -- password reset links -----------------------------------------------------------------


def test_a_reset_link_is_shown_once_and_sets_a_new_password(app: Any, admin: Browser) -> None:
    user_id = _add(app, "forgetful")
    old_session = _login(app, "forgetful")
    r = admin.post(f"/admin/users/{user_id}/reset-link?lang=fa", data={"csrf_token": _csrf(admin)})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert 'dir="rtl"' in r.text and "پیوند بازنشانی" in r.text
    found = re.search(r'value="(http://test/reset\?token=([^"]+))"', r.text)
    assert found is not None
    link, secret = found.groups()
    assert secret not in admin.get("/admin/users").text  # shown once
    assert secret not in admin.get("/api/admin/audit").text
    assert Browser(app).login("forgetful").status_code == 303  # the old password still works

    visitor = Browser(app)  # nobody logged in
    form = visitor.get(link.removeprefix("http://test"))
    assert form.status_code == 200 and "forgetful" in form.text
    data = {"token": secret, "password": "a fresh passphrase", "confirm": "different"}
    r = visitor.post("/reset", data=data)
    assert r.status_code == 400 and "differ" in r.text
    r = visitor.post("/reset", data={**data, "password": "short", "confirm": "short"})
    assert r.status_code == 400 and "at least 10 characters" in r.text
    r = visitor.post("/reset", data={**data, "confirm": "a fresh passphrase"})
    assert r.status_code == 200 and 'data-reset="done"' in r.text
    assert old_session.get("/").status_code == 303  # sessions ended
    assert Browser(app).login("forgetful").status_code == 401
    assert Browser(app).login("forgetful", "a fresh passphrase").status_code == 303
    again = visitor.post("/reset", data={**data, "confirm": "a fresh passphrase"})
    assert again.status_code == 404 and 'data-reset="invalid"' in again.text
    assert visitor.get(f"/reset?token={secret}&lang=ar").status_code == 404
    entries = app.state.accounts.audit(user_id)
    assert [e.action for e in entries[:2]] == ["password_reset", "reset_link_issued"]
    assert entries[0].actor_id == user_id


def test_the_reset_link_twin_answers_the_link(app: Any, admin: Browser) -> None:
    user_id = _add(app, "twin_reset")
    r = admin.post(f"/api/admin/users/{user_id}/reset-link", headers={"X-CSRF-Token": _csrf(admin)})
    assert r.status_code == 201
    body = r.json()
    assert body["user_id"] == user_id and body["username"] == "twin_reset"
    assert body["url"].startswith("http://test/reset?token=")
    r = Browser(app).get(body["url"].removeprefix("http://test"))
    assert r.status_code == 200


# -- the audit log -------------------------------------------------------------------------


def test_the_audit_page_and_its_twin_show_who_did_what(app: Any, admin: Browser) -> None:
    user_id = _add(app, "audited")
    accounts: Accounts = app.state.accounts
    accounts.set_role(LOCAL_ADMIN, user_id, "manager")
    twin = admin.get("/api/admin/audit", params={"user": user_id}).json()
    assert [(e["action"], e["actor"], e["user"], e["detail"]) for e in twin["entries"]] == [
        ("role_changed", "command line", "audited", "reviewer → manager"),
        ("user_added", "command line", "audited", "reviewer"),
    ]
    page = admin.get(f"/admin/audit?user={user_id}&lang=en").text
    shown = re.findall(r'<tr data-audit="([^"]+)" data-action="([^"]+)"', page)
    assert shown == [(e["audit_id"], e["action"]) for e in twin["entries"]]
    assert "changed the role" in page
    assert admin.get("/api/admin/audit", params={"limit": 0}).status_code == 400
    assert len(admin.get("/api/admin/audit", params={"limit": 2}).json()["entries"]) == 2


# -- in a real browser ----------------------------------------------------------------------


@pytest.mark.browser
def test_the_admin_page_in_a_real_browser(store_path: Path, screenshots: Path) -> None:
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip(f"{chromium} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: pip install playwright")
    application = create_app(str(store_path), refresh_seconds=3600, warm=False)
    application.state.accounts.hasher = FAST
    accounts: Accounts = application.state.accounts
    accounts.throttle.reset()
    user_id = accounts.add_user(LOCAL_ADMIN, "in_browser", PASSWORD, "reviewer").user_id
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with Server(application) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fa-IR")
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/login?lang=fa&next=/admin/users%3Flang%3Dfa")
        page.fill("#login-username", "admin")
        page.fill("#login-password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/users?lang=fa")
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.locator("h1").inner_text() == "کاربران"
        row = page.locator(f'tr[data-user="{user_id}"]')
        row.locator("[data-action=disable]").click()
        page.wait_for_load_state("networkidle")
        assert row.get_attribute("data-state") == "disabled"
        assert "غیرفعال" in row.locator(".state").inner_text()
        row.locator("[data-action=enable]").click()
        page.wait_for_load_state("networkidle")
        assert row.get_attribute("data-state") == "active"
        row.locator("[data-action=reset]").click()
        page.wait_for_selector(".admin-reset")
        link = page.input_value(".admin-link")
        assert link.startswith(f"{url}/reset?token=")
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / "admin-users-fa.png"), full_page=True)
        page.click("[data-admin-nav=audit]")
        page.wait_for_url("**/admin/audit?lang=fa")
        actions = page.eval_on_selector_all(
            "tr[data-action]", "rs => rs.map(r => r.dataset.action)"
        )
        assert actions[:3] == ["reset_link_issued", "user_enabled", "user_disabled"]
        # the user opens the link in a browser of their own and chooses a password
        other = browser.new_page(locale="en-US")
        other.on("pageerror", lambda e: errors.append(str(e)))
        other.goto(link + "&lang=en")
        other.fill("#reset-password", "picked in the browser")
        other.fill("#reset-confirm", "picked in the browser")
        other.click("button[type=submit]")
        other.wait_for_selector("[data-reset=done]")
        browser.close()
        assert accounts.authenticate("in_browser", "picked in the browser").user_id == user_id
    assert not errors, errors
    host = httpx.URL(url).host
    assert all(httpx.URL(u).host == host for u in requests if not u.startswith("data:"))
