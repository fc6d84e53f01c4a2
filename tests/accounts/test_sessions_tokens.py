"""Sessions and API tokens: only hashes stored, expiry, logout, revocation, disabling."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts
from sanjeh.errors import NotAuthenticated, PermissionDenied
from sanjeh.store import Store

from .conftest import FAST, PASSWORD, FakeClock


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_session_stores_only_the_hash_of_its_secret(accounts: Accounts, store: Store) -> None:
    actor = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    secret, csrf = accounts.start_session(actor, remote="10.0.0.1")
    assert len(secret) >= 40 and csrf and csrf != secret
    rows = store.table("user_sessions").to_pyarrow().to_pylist()
    assert [r["session_hash"] for r in rows] == [_sha(secret)]
    assert secret not in str(rows) and csrf not in str(rows)
    assert accounts.session(secret) == (actor, csrf)
    assert accounts.session("not-a-session") is None
    other, other_csrf = accounts.start_session(actor)
    assert other != secret and other_csrf != csrf


def test_sessions_expire_when_idle_and_slide_when_used(
    accounts: Accounts, store: Store, clock: FakeClock
) -> None:
    actor = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    idle, used = accounts.start_session(actor)[0], accounts.start_session(actor)[0]
    for _ in range(4):  # used every 4 hours: stays alive past the 12 h idle timeout
        clock.advance(hours=4)
        assert accounts.session(used) is not None
    assert accounts.session(idle) is None
    # a fresh Accounts (another process, an empty cache) agrees
    fresh = Accounts(store, clock, hasher=FAST)
    assert fresh.session(idle) is None and fresh.session(used) is not None
    clock.advance(hours=12, seconds=1)
    assert accounts.session(used) is None


def test_sessions_end_after_the_maximum_age_however_used(store: Store, clock: FakeClock) -> None:
    accounts = Accounts(
        store,
        clock,
        hasher=FAST,
        idle_timeout=dt.timedelta(minutes=30),
        max_age=dt.timedelta(hours=1),
    )
    actor = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    secret, _ = accounts.start_session(actor)
    for _ in range(2):
        clock.advance(minutes=25)
        assert accounts.session(secret) is not None
    clock.advance(minutes=11)
    assert accounts.session(secret) is None


def test_logout_ends_the_session_here_and_elsewhere(
    accounts: Accounts, store: Store, clock: FakeClock
) -> None:
    actor = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    secret, _ = accounts.start_session(actor)
    elsewhere = Accounts(store, clock, hasher=FAST)
    assert elsewhere.session(secret) is not None  # now cached there
    accounts.end_session(secret)
    assert accounts.session(secret) is None
    clock.advance(seconds=31)  # the other process's cache lasts 30 s
    assert elsewhere.session(secret) is None


def test_disabling_a_user_or_changing_the_password_ends_their_sessions(
    accounts: Accounts, store: Store
) -> None:
    sara = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    omid = accounts.add_user(LOCAL_ADMIN, "omid", PASSWORD, "reviewer").actor
    s1, s2, o1 = accounts.start_session(sara)[0], accounts.start_session(sara)[0], None
    o1 = accounts.start_session(omid)[0]
    assert accounts.session(s1) and accounts.session(o1)
    accounts.deactivate(LOCAL_ADMIN, "sara")
    assert accounts.session(s1) is None and accounts.session(s2) is None
    assert accounts.session(o1) is not None
    ended = store.table("user_sessions").to_pyarrow().to_pylist()
    assert sum(r["ended_at"] is not None for r in ended) == 2
    accounts.set_password(LOCAL_ADMIN, "omid", "another long password")
    assert accounts.session(o1) is None
    assert accounts.session(accounts.start_session(omid)[0]) is not None


def test_a_role_change_applies_to_open_sessions(accounts: Accounts) -> None:
    sara = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    secret, _ = accounts.start_session(sara)
    accounts.set_role(LOCAL_ADMIN, "sara", "manager")
    found = accounts.session(secret)
    assert found is not None and found[0].role == "manager"


def test_api_tokens_keep_only_a_hash_and_can_be_revoked(
    accounts: Accounts, store: Store, clock: FakeClock
) -> None:
    sara = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    secret = accounts.issue_token(LOCAL_ADMIN, "sara", "ci")
    assert secret.startswith("sjh_") and len(secret) > 40
    rows = store.table("api_tokens").to_pyarrow().to_pylist()
    assert [r["token_hash"] for r in rows] == [_sha(secret)]
    assert secret not in str(rows)
    # a token reads only, unless issued with write=True (a login may do both)
    reads = dataclasses.replace(sara, scopes=frozenset({"read"}))
    assert sara.scopes == frozenset({"read", "write"})
    assert accounts.verify_token(secret) == reads
    token_id = Accounts.token_id(secret)
    assert [t.token_id for t in accounts.tokens("sara")] == [token_id]

    elsewhere = Accounts(store, clock, hasher=FAST)
    assert elsewhere.verify_token(secret) == reads
    revoked = accounts.revoke_token(LOCAL_ADMIN, token_id)
    assert revoked.revision == 2 and revoked.revoked_at == clock.now
    with pytest.raises(NotAuthenticated, match="not valid"):
        accounts.verify_token(secret)
    clock.advance(seconds=31)
    with pytest.raises(NotAuthenticated):
        elsewhere.verify_token(secret)
    assert len(store.table("api_tokens").to_pyarrow()) == 2  # append-only


@pytest.mark.parametrize("secret", ["", "sjh_", "sjh_wrong", "Bearer x", "x" * 500])
def test_unknown_tokens_are_rejected(accounts: Accounts, secret: str) -> None:
    with pytest.raises(NotAuthenticated):
        accounts.verify_token(secret)


def test_tokens_of_a_disabled_user_stop_working(accounts: Accounts) -> None:
    accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    secret = accounts.issue_token(LOCAL_ADMIN, "sara", "ci")
    accounts.verify_token(secret)
    accounts.deactivate(LOCAL_ADMIN, "sara")
    with pytest.raises(NotAuthenticated):
        accounts.verify_token(secret)


def test_users_manage_their_own_tokens_only(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    sara = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    accounts.add_user(LOCAL_ADMIN, "omid", PASSWORD, "reviewer")
    own = accounts.issue_token(sara, "sara", "laptop")
    with pytest.raises(PermissionDenied):
        accounts.issue_token(sara, "omid", "sneaky")
    theirs = accounts.issue_token(LOCAL_ADMIN, "omid", "ci")
    with pytest.raises(PermissionDenied):
        accounts.revoke_token(sara, Accounts.token_id(theirs))
    accounts.revoke_token(sara, Accounts.token_id(own))


def test_old_session_rows_are_purged_and_live_ones_kept(
    accounts: Accounts, store: Store, clock: FakeClock
) -> None:
    actor = accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer").actor
    out, idle, used = (accounts.start_session(actor)[0] for _ in range(3))
    accounts.end_session(out)
    for _ in range(3):  # used at 4, 8 and 12 hours: alive until 24 h; idle expired at 12 h
        clock.advance(hours=4)
        assert accounts.session(used) is not None
    clock.advance(hours=2)
    assert accounts.session(idle) is None
    assert accounts.purge_sessions(keep=dt.timedelta(hours=1)) == 2  # logged out, expired
    left = store.table("user_sessions").to_pyarrow().column("session_hash").to_pylist()
    assert left == [_sha(used)]
    assert accounts.session(used) is not None
    assert accounts.purge_sessions(keep=dt.timedelta(hours=1)) == 0  # twice: nothing more
    # by default ended rows stay 30 days (who logged in from where)
    accounts.end_session(used)
    clock.advance(days=29)
    assert accounts.purge_sessions() == 0
    clock.advance(days=2)
    assert accounts.purge_sessions() == 1
    assert store.table("user_sessions").count().execute() == 0
