"""Usernames compared folded (NFKC, case, Arabic / Persian look-alikes) for lookup and
creation alike, and what happens to names an older store already holds twice."""

from __future__ import annotations

import dataclasses

import pytest

from sanjeh.accounts import LOCAL_ADMIN, Accounts, User
from sanjeh.accounts._names import fold, normal
from sanjeh.errors import NotAuthenticated, WorkflowError
from sanjeh.store import Store

from .conftest import FAST, PASSWORD, FakeClock


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("ｒｅｖ２", "rev2"),  # fullwidth letters and digit (NFKC)
        ("REV2", "rev2"),
        (" Rev2 ", "rev2"),
        ("Straße", "strasse"),  # full case folding, not lower()
        ("rev۲", "rev2"),  # Persian digit
        ("rev٢", "rev2"),  # Arabic digit
        ("علي", "علی"),  # Arabic yeh → Persian yeh
        ("على", "علی"),  # alef maksura → Persian yeh
        ("كريم", "کریم"),  # Arabic kaf → Persian keheh (and yeh)
        ("علـــی", "علی"),  # kashida dropped
        ("ﻋﻠﻲ", "علی"),  # presentation forms (NFKC), then the yeh
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_names_are_stored_in_nfkc(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    assert normal(" ｓａｒａ ") == "sara"
    assert accounts.add_user(LOCAL_ADMIN, "ｓａｒａ", PASSWORD, "reviewer").username == "sara"


@pytest.mark.parametrize("look_alike", ["ｒｅｖ２", "REV2", "Rev٢", "rev۲"])
def test_a_look_alike_of_a_taken_name_is_refused(duckdb_store: Store, look_alike: str) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    accounts.add_user(LOCAL_ADMIN, "rev2", PASSWORD, "reviewer")
    with pytest.raises(WorkflowError, match=r"'rev2' already exists.*reads the same"):
        accounts.add_user(LOCAL_ADMIN, look_alike, PASSWORD, "reviewer")
    assert [u.username for u in accounts.users()] == ["rev2"]


def test_arabic_and_persian_spellings_are_one_name(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    ali = accounts.add_user(LOCAL_ADMIN, "علی", PASSWORD, "reviewer")  # Persian keyboard
    with pytest.raises(WorkflowError, match="already exists"):
        accounts.add_user(LOCAL_ADMIN, "علي", PASSWORD, "reviewer")  # Arabic keyboard
    # typed on either keyboard, it is the same user
    assert accounts.authenticate("علي", PASSWORD).user_id == ali.user_id
    assert accounts.user("علـي").user_id == ali.user_id


def test_a_look_alike_finds_the_user(accounts: Accounts) -> None:
    rev2 = accounts.add_user(LOCAL_ADMIN, "rev2", PASSWORD, "reviewer")
    assert accounts.authenticate("ｒｅｖ２", PASSWORD).user_id == rev2.user_id
    assert accounts.user("REV２").user_id == rev2.user_id
    assert accounts.user(rev2.user_id).user_id == rev2.user_id  # by id too


def test_renaming_to_a_look_alike_of_another_user_is_refused(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, hasher=FAST)
    accounts.add_user(LOCAL_ADMIN, "rev2", PASSWORD, "reviewer")
    accounts.add_user(LOCAL_ADMIN, "sara", PASSWORD, "reviewer")
    with pytest.raises(WorkflowError, match="already exists"):
        accounts.rename(LOCAL_ADMIN, "sara", "ＲＥＶ2")
    assert accounts.rename(LOCAL_ADMIN, "rev2", "REV2").username == "REV2"  # its own name


# -- a store that already holds names that now read the same ------------------------------


def _older_store(accounts: Accounts, store: Store, names: tuple[str, str]) -> tuple[User, User]:
    """Two users whose names fold alike, as an older version could have written them."""
    first = accounts.add_user(LOCAL_ADMIN, names[0], PASSWORD, "admin")
    twin = dataclasses.replace(
        first,
        user_id="user:older000001",
        username=names[1],
        role="reviewer",
        password_hash=FAST.hash("the twin's own password"),
    )
    with store.lock:
        store.write("users", [twin.row()])
    return first, twin


@pytest.mark.parametrize("names", [("Ali", "ali"), ("علی", "علي")])
def test_colliding_names_each_still_log_in_with_the_exact_name(
    duckdb_store: Store, names: tuple[str, str]
) -> None:
    """Nobody is locked out: each user logs in with their name exactly as stored."""
    accounts = Accounts(duckdb_store, FakeClock(), hasher=FAST)
    first, twin = _older_store(accounts, duckdb_store, names)
    assert accounts.authenticate(names[0], PASSWORD).user_id == first.user_id
    assert accounts.authenticate(names[1], "the twin's own password").user_id == twin.user_id
    groups = accounts.collisions()
    assert [{u.user_id for u in g} for g in groups] == [{first.user_id, twin.user_id}]


def test_an_inexact_colliding_name_is_ambiguous_and_says_so(duckdb_store: Store) -> None:
    accounts = Accounts(duckdb_store, FakeClock(), hasher=FAST)
    first, twin = _older_store(accounts, duckdb_store, ("Ali", "ali"))
    with pytest.raises(NotAuthenticated, match="wrong username or password"):
        accounts.authenticate("ALI", PASSWORD)  # no hint at the login
    with pytest.raises(WorkflowError, match="could be any of the users 'Ali', 'ali'"):
        accounts.user("ALI")  # the admin is told why and what to do
    # renaming one resolves it; the other name then finds its user however typed
    accounts.rename(LOCAL_ADMIN, twin.user_id, "ali.old")
    assert accounts.collisions() == []
    assert accounts.authenticate("ALI", PASSWORD).user_id == first.user_id
    assert accounts.authenticate("ali.old", "the twin's own password").user_id == twin.user_id
    entry = accounts.audit(twin.user_id)[0]
    assert (entry.action, entry.actor_id, entry.detail) == (
        "user_renamed",
        "local",
        "ali → ali.old",
    )
