"""Login throttling: failures per username and per address in a sliding window, kept in
the store (shared by processes, kept across restarts), usernames compared folded."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts, Throttle
from sanjeh.errors import NotAuthenticated, TooManyAttempts
from sanjeh.store import Store

from .conftest import FAST, PASSWORD, FakeClock


class Seconds:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_then_wait_for_the_window(store: Store) -> None:
    clock = Seconds()
    throttle = Throttle(store, clock)
    for i in range(5):
        throttle.check("sara", "10.0.0.1")
        throttle.failed("sara", "10.0.0.1")
        clock.now += 60 if i == 0 else 1
    with pytest.raises(TooManyAttempts) as caught:
        throttle.check("SARA", "10.0.0.2")  # case and address do not matter
    assert caught.value.retry_after == 15 * 60 - 64  # until the first failure leaves
    assert "try again in 14 minutes" in caught.value.message
    clock.now += caught.value.retry_after
    throttle.check("sara", "10.0.0.2")  # one failure left the window: one more try
    throttle.failed("sara", "10.0.0.2")
    with pytest.raises(TooManyAttempts):
        throttle.check("sara", "10.0.0.3")


def test_a_success_clears_the_username_but_not_the_address(duckdb_store: Store) -> None:
    clock = Seconds()
    throttle = Throttle(duckdb_store, clock, per_user=3, per_address=5)
    for _ in range(3):
        throttle.failed("sara", "10.0.0.1")
    throttle.succeeded("sara")
    throttle.check("sara", "10.0.0.1")
    for name in ("a1", "a2"):
        throttle.failed(name, "10.0.0.1")
    with pytest.raises(TooManyAttempts, match="for this address"):
        throttle.check("someone_else", "10.0.0.1")
    throttle.check("someone_else", "10.0.0.9")


@pytest.mark.parametrize(
    "look_alike",
    [
        "ｒｅｖ２",  # fullwidth (NFKC)
        "REV2",  # case
        "Rev２",
        "rev۲",  # Persian digit
        "rev٢",  # Arabic digit
        " rev2 ",
    ],
)
def test_look_alike_names_share_the_limit(duckdb_store: Store, look_alike: str) -> None:
    """Issue #23 item 10: after 5 failures for `rev2`, `ｒｅｖ２` must not log in."""
    accounts = Accounts(duckdb_store, FakeClock(), hasher=FAST)
    accounts.add_user(LOCAL_ADMIN, "rev2", PASSWORD, "reviewer")
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate("rev2", "wrong password!", remote="10.0.0.1")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(look_alike, PASSWORD, remote="10.0.0.2")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("rev2", PASSWORD, remote="10.0.0.3")


def test_arabic_and_persian_letters_count_as_one_name(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, FakeClock(), hasher=FAST)
    accounts.add_user(LOCAL_ADMIN, "علی", PASSWORD, "reviewer")  # Persian yeh
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate("علي", "wrong password!", remote="10.0.0.1")  # Arabic yeh
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("علـی", PASSWORD, remote="10.0.0.2")  # with a kashida


def test_authenticate_is_throttled_even_with_the_right_password(store: Store) -> None:
    clock = FakeClock()
    accounts = Accounts(store, clock, hasher=FAST)
    accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate("sara", "wrong password!", remote="10.0.0.1")
    with pytest.raises(TooManyAttempts) as caught:
        accounts.authenticate("sara", PASSWORD, remote="10.0.0.1")
    assert caught.value.retry_after == 15 * 60
    clock.advance(minutes=15)
    assert accounts.authenticate("sara", PASSWORD, remote="10.0.0.1").name == "sara"
    # the success reset the username: five more tries before the next wait
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate("sara", "wrong password!", remote="10.0.0.1")
    accounts.authenticate("sara", PASSWORD, remote="10.0.0.1")


def test_spraying_many_usernames_from_one_address_is_throttled(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, FakeClock(), hasher=FAST)
    accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    for i in range(20):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(f"user{i}", PASSWORD, remote="10.0.0.66")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("sara", PASSWORD, remote="10.0.0.66")
    assert accounts.authenticate("sara", PASSWORD, remote="10.0.0.7").name == "sara"


def test_failures_survive_a_restart(tmp_path: Path) -> None:
    """Issue #23 item 15: the counts live in the store, not in one process's memory."""
    url = str(tmp_path / "restart.duckdb")
    clock = FakeClock()
    with Store.open(url) as store:
        accounts = Accounts(store, clock, hasher=FAST)
        accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
        for _ in range(5):
            with pytest.raises(NotAuthenticated):
                accounts.authenticate("sara", "wrong password!", remote="10.0.0.1")
    clock.advance(minutes=1)
    with Store.open(url) as store:  # a new server process on the same file
        accounts = Accounts(store, clock, hasher=FAST)
        with pytest.raises(TooManyAttempts) as caught:
            accounts.authenticate("sara", PASSWORD, remote="10.0.0.9")
        assert caught.value.retry_after == 14 * 60


def test_workers_share_the_counts(store: Store) -> None:
    """Two server processes over one database (PostgreSQL) see each other's failures."""
    clock = FakeClock()
    first, second = (Accounts(store, clock, hasher=FAST) for _ in range(2))
    first.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    for worker in (first, second, first, second, first):
        with pytest.raises(NotAuthenticated):
            worker.authenticate("sara", "wrong password!", remote="10.0.0.1")
    for worker in (first, second):
        with pytest.raises(TooManyAttempts):
            worker.authenticate("sara", PASSWORD, remote="10.0.0.2")


def test_the_store_keeps_no_typed_name_and_drops_old_rows(duckdb_store: Store) -> None:
    clock = Seconds()
    throttle = Throttle(duckdb_store, clock)
    throttle.failed("my secret password", "10.0.0.1")
    rows = duckdb_store.table("login_failures").to_pyarrow().to_pylist()
    assert {r["scope"] for r in rows} == {"user", "address"}
    text = repr(rows)
    assert "secret" not in text and "10.0.0.1" not in text
    assert all(len(r["subject"]) == 64 for r in rows)  # SHA-256 digests
    clock.now += 15 * 60 + 1  # the window has passed
    throttle.failed("someone", None)
    left = duckdb_store.table("login_failures").to_pyarrow().to_pylist()
    assert [r["scope"] for r in left] == ["user"]  # only the new failure is kept
    throttle.reset()
    assert duckdb_store.table("login_failures").count().execute() == 0
