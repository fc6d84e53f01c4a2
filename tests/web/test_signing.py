"""Signed links (web/_signing.py): what verifies, what does not, and a key that lives in
the store (so links survive a restart)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sanjeh.errors import PermissionDenied
from sanjeh.store import META_TABLE, Store
from sanjeh.web._errors import status_of
from sanjeh.web._signing import SECRET_ROW, ExpiredLink, InvalidLink, sign, store_key, verify

KEY = bytes(range(32))
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=30)


def test_a_signed_value_verifies_until_it_expires() -> None:
    sig = sign("case-status", "cases:AB12", expires=LATER, key=KEY)
    head, mac = sig.split(".")
    assert int(head, 16) == int(LATER.timestamp())
    assert len(mac) == 43  # all 256 bits of the MAC, URL-safe base64 without padding
    verify("case-status", "cases:AB12", sig, key=KEY, now=NOW)
    verify("case-status", "cases:AB12", sig, key=KEY, now=LATER)  # the last second counts
    with pytest.raises(ExpiredLink, match="expired on 2026-03-31; ask for a new one"):
        verify("case-status", "cases:AB12", sig, key=KEY, now=LATER + dt.timedelta(seconds=1))
    # the same inputs sign alike (a case's link can be shown again)
    assert sign("case-status", "cases:AB12", expires=LATER, key=KEY) == sig


def test_no_expiry_means_for_ever() -> None:
    sig = sign("survey", "t:1", key=KEY)
    assert sig.startswith("0.")
    verify("survey", "t:1", sig, key=KEY, now=NOW + dt.timedelta(days=36500))


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s[:-1],  # cut short
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # one letter changed
        lambda s: "1" + s,  # a later expiry
        lambda s: "0" + s,  # the same expiry spelled another way
        lambda s: s.upper(),
        lambda s: "0." + s.split(".")[1],  # no expiry
        lambda s: s.split(".")[1],  # no expiry part at all
        lambda s: "zz." + s.split(".")[1],  # not hex
        lambda s: "1" * 20 + "." + s.split(".")[1],  # an absurd expiry
        lambda s: "",
        lambda s: ".",
    ],
)
def test_any_change_is_refused(change: object) -> None:
    sig = sign("case-status", "cases:AB12", expires=LATER, key=KEY)
    with pytest.raises(InvalidLink, match="not valid") as refused:
        verify("case-status", "cases:AB12", change(sig), key=KEY, now=NOW)  # type: ignore[operator]
    assert not isinstance(refused.value, ExpiredLink)


def test_a_sig_is_for_one_purpose_value_and_key() -> None:
    sig = sign("case-status", "cases:AB12", expires=LATER, key=KEY)
    for purpose, value, key in [
        ("survey", "cases:AB12", KEY),
        ("case-status", "cases:AB13", KEY),
        ("case-status", "cases:AB12 ", KEY),
        ("case-status", "cases:AB12", bytes(32)),
    ]:
        with pytest.raises(InvalidLink):
            verify(purpose, value, sig, key=key, now=NOW)
    # purpose and value cannot be shifted into each other
    assert sign("a", "b|c", key=KEY) != sign("a|b", "c", key=KEY)


def test_errors_are_403_and_times_must_have_a_zone() -> None:
    assert status_of(InvalidLink("x")) == status_of(ExpiredLink("x")) == 403
    assert issubclass(InvalidLink, PermissionDenied)
    assert (InvalidLink.code, ExpiredLink.code) == ("invalid_link", "link_expired")
    with pytest.raises(ValueError, match="timezone-aware"):
        sign("p", "v", expires=dt.datetime(2026, 1, 1), key=KEY)


def test_the_key_is_made_once_and_kept_in_the_store(tmp_path: Path) -> None:
    path = str(tmp_path / "one.duckdb")
    with Store.open(path) as store:
        key = store_key(store)
        assert len(key) == 32 and store_key(store) is key
        meta = store.con.table(META_TABLE)
        rows = meta.filter(meta.key == SECRET_ROW).value.to_pyarrow().to_pylist()
        assert rows == [key.hex()]
        sig = sign("case-status", "cases:AB12", expires=LATER, key=key)
    with Store.open(path) as store:  # a restart: the same key, the same links
        assert store_key(store) == key
        verify("case-status", "cases:AB12", sig, key=store_key(store), now=NOW)
    with Store.open(str(tmp_path / "two.duckdb")) as other:  # another store: another key
        other_key = store_key(other)
        assert other_key != key
        with pytest.raises(InvalidLink):
            verify("case-status", "cases:AB12", sig, key=other_key, now=NOW)
