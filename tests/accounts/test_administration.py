"""What user administration may do: never lose the last admin, audit every change,
one-time password reset links."""

from __future__ import annotations

import datetime as dt

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.errors import ConfigError, NotAuthenticated, PermissionDenied, WorkflowError
from sanjeh.store import Store

from .conftest import FAST, PASSWORD, FakeClock


@pytest.fixture
def local(duckdb_store: Store, clock: FakeClock) -> Accounts:
    return Accounts(duckdb_store, clock, hasher=FAST)


# -- the last admin -----------------------------------------------------------------------


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(local: Accounts) -> None:
    root = local.add_user(LOCAL_ADMIN, "root", PASSWORD, "admin")
    local.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    for change in (
        lambda: local.deactivate(root.actor, "root"),
        lambda: local.set_role(root.actor, "root", "manager"),
        lambda: local.deactivate(LOCAL_ADMIN, "root"),  # not from the CLI either
    ):
        with pytest.raises(WorkflowError, match="'root' is the last active admin"):
            change()
    assert local.user("root").active and local.user("root").role == "admin"
    # a second admin: now either may go
    local.set_role(root.actor, "sara", "admin")
    local.deactivate(root.actor, "root")
    with pytest.raises(WorkflowError, match="last active admin"):
        local.set_role(LOCAL_ADMIN, "sara", "reviewer")
    # a disabled admin does not count; enabling them again makes two
    local.activate(LOCAL_ADMIN, "root")
    assert local.set_role(LOCAL_ADMIN, "sara", "reviewer").role == "reviewer"


# -- the audit log ------------------------------------------------------------------------


def test_every_change_is_audited_with_who_what_and_when(local: Accounts, clock: FakeClock) -> None:
    root = local.add_user(LOCAL_ADMIN, "root", PASSWORD, "admin")
    clock.advance(minutes=1)
    sara = local.add_user(root.actor, "sara", PASSWORD, "reviewer")
    clock.advance(minutes=1)
    local.set_role(root.actor, "sara", "manager")
    clock.advance(minutes=1)
    token = local.issue_token(sara.actor, "sara", "ci")
    clock.advance(minutes=1)
    local.revoke_token(root.actor, Accounts.token_id(token))
    clock.advance(minutes=1)
    local.set_password(sara.actor, "sara", "a brand new passphrase")
    clock.advance(minutes=1)
    local.set_password(root.actor, "sara", "another new passphrase")
    clock.advance(minutes=1)
    local.issue_reset_link(root.actor, "sara")
    clock.advance(minutes=1)
    local.deactivate(root.actor, "sara")
    clock.advance(minutes=1)
    local.deactivate(root.actor, "sara")  # already disabled: nothing changes, no entry
    local.activate(root.actor, "sara")
    entries = [(e.action, e.actor_id, e.user_id, e.detail) for e in local.audit("sara")]
    tid = Accounts.token_id(token)
    assert entries == [
        ("user_enabled", root.user_id, sara.user_id, None),
        ("user_disabled", root.user_id, sara.user_id, None),
        ("reset_link_issued", root.user_id, sara.user_id, None),
        ("password_set", root.user_id, sara.user_id, None),
        ("password_changed", sara.user_id, sara.user_id, None),
        ("token_revoked", root.user_id, sara.user_id, "ci"),
        ("token_issued", sara.user_id, sara.user_id, "ci"),
        ("role_changed", root.user_id, sara.user_id, "reviewer → manager"),
        ("user_added", root.user_id, sara.user_id, "reviewer"),
    ]
    assert [e.token_id for e in local.audit("sara") if e.token_id] == [tid, tid]
    times = [e.at for e in local.audit("sara")]
    assert times[0] == dt.datetime(2026, 11, 1, 8, 9, tzinfo=dt.UTC)
    assert times[-1] == dt.datetime(2026, 11, 1, 8, 1, tzinfo=dt.UTC)
    first = local.audit(limit=100)[-1]
    assert (first.action, first.actor_id, first.detail) == ("user_added", "local", "admin")
    assert len(local.audit(limit=3)) == 3
    # the audit log is stored: another process reads the same entries
    again = Accounts(local.store, clock, hasher=FAST)
    assert [e.audit_id for e in again.audit()] == [e.audit_id for e in local.audit()]


# -- password reset links -----------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once(local: Accounts, clock: FakeClock) -> None:
    root = local.add_user(LOCAL_ADMIN, "root", PASSWORD, "admin")
    sara = local.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    session, _ = local.start_session(sara.actor)
    link = local.issue_reset_link(root.actor, "sara")
    stored = repr(local.store.table("password_resets").to_pyarrow().to_pylist())
    assert link not in stored  # only its SHA-256
    assert local.authenticate("sara", PASSWORD)  # the old password works until it is used
    user = local.reset_link_user(link)
    assert user is not None and user.username == "sara"
    with pytest.raises(ConfigError, match="too short"):
        local.reset_password(link, "short")
    assert local.reset_link_user(link) is not None  # a refused password keeps the link
    local.reset_password(link, "chosen by sara herself")
    assert local.authenticate("sara", "chosen by sara herself").user_id == sara.user_id
    with pytest.raises(NotAuthenticated):
        local.authenticate("sara", PASSWORD)
    assert local.session(session) is None  # her sessions ended
    with pytest.raises(NotAuthenticated, match="not valid"):
        local.reset_password(link, "and once more please")  # used up
    entry = local.audit("sara")[0]
    assert (entry.action, entry.actor_id) == ("password_reset", sara.user_id)


def test_reset_links_end_when_replaced_expired_or_the_user_disabled(
    local: Accounts, clock: FakeClock
) -> None:
    local.add_user(LOCAL_ADMIN, "root", PASSWORD, "admin")
    local.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    first = local.issue_reset_link(LOCAL_ADMIN, "sara")
    second = local.issue_reset_link(LOCAL_ADMIN, "sara")
    assert local.reset_link_user(first) is None  # replaced by the newer one
    clock.advance(hours=23, minutes=59)
    assert local.reset_link_user(second) is not None
    clock.advance(minutes=1)
    assert local.reset_link_user(second) is None  # a day old
    third = local.issue_reset_link(LOCAL_ADMIN, "sara")
    local.deactivate(LOCAL_ADMIN, "sara")
    local.activate(LOCAL_ADMIN, "sara")
    assert local.reset_link_user(third) is None  # disabling ended it for good
    local.deactivate(LOCAL_ADMIN, "sara")
    with pytest.raises(WorkflowError, match="disabled; enable them first"):
        local.issue_reset_link(LOCAL_ADMIN, "sara")
    for bad in ("", "x" * 300, "made-up-secret"):
        assert local.reset_link_user(bad) is None


def test_only_admins_issue_reset_links(local: Accounts) -> None:
    local.add_user(LOCAL_ADMIN, "root", PASSWORD, "admin")
    sara = local.add_user(LOCAL_ADMIN, "sara", PASSWORD, "manager")
    with pytest.raises(PermissionDenied):
        local.issue_reset_link(sara.actor, "sara")
