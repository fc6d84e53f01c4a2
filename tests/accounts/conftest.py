"""Accounts over a store on each backend, with a fake clock and a fast argon2id hasher."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from sanjeh.accounts import Accounts
from sanjeh.store import Store

#: argon2id with small costs: the same algorithm, fast enough for many tests
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse battery"


class FakeClock:
    """UTC time that moves only when told to."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def accounts(store: Store, clock: FakeClock) -> Accounts:
    return Accounts(store, clock, hasher=FAST)
