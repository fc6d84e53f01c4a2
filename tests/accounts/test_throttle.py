"""Login throttling: failures per username and per address in a sliding window."""

from __future__ import annotations

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts, Throttle
from sanjeh.errors import NotAuthenticated, TooManyAttempts
from sanjeh.store import Store

from .conftest import FAST, PASSWORD, FakeClock


class Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_then_wait_for_the_window() -> None:
    clock = Seconds()
    throttle = Throttle(clock)
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


def test_a_success_clears_the_username_but_not_the_address() -> None:
    clock = Seconds()
    throttle = Throttle(clock, per_user=3, per_address=5)
    for _ in range(3):
        throttle.failed("sara", "10.0.0.1")
    throttle.succeeded("sara")
    throttle.check("sara", "10.0.0.1")
    for name in ("a1", "a2"):
        throttle.failed(name, "10.0.0.1")
    with pytest.raises(TooManyAttempts, match="for this address"):
        throttle.check("someone_else", "10.0.0.1")
    throttle.check("someone_else", "10.0.0.9")


def test_authenticate_is_throttled_even_with_the_right_password(
    duckdb_store: Store,
) -> None:
    clock = FakeClock()
    accounts = Accounts(duckdb_store, clock, hasher=FAST)
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
