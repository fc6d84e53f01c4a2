"""Signed links: a page anyone holding the link may open, without a login.

``sign(purpose, value, expires=…, key=…)`` gives the ``sig`` a link carries beside the
value it names (a case's status page: ``/cases/status/<ticket id>?sig=…``, a survey's
answer page: ``/s/<invitation id>?sig=…``);
``verify(purpose, value, sig, key=…)`` raises :class:`InvalidLink` (403) for a sig that
was not made for that purpose and value — altered, cut short, made up — and
:class:`ExpiredLink` (403) for one past its expiry. Nothing else is said, so a wrong
link never tells whether the thing it names exists.

The sig is ``<expiry>.<HMAC-SHA256>``: the expiry in Unix seconds as hex (``0``: never),
the MAC over purpose, value and expiry (JSON-encoded, so no two inputs read alike), in
URL-safe base64; compared in constant time. The key is the server's secret: 32 random
bytes made once per store and kept in its meta table (``store_key``), so links survive
restarts and every server of the same store agrees. Whoever can read the store can make
links (as they can read the cases).

The key is passed explicitly, not taken from a global: one process may serve several
stores (the tests do): ``key=store_key(store)`` (in a web route
``web._signing.signing_key(request)``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import weakref

import pyarrow as pa

from ..errors import PermissionDenied
from ..store import META_TABLE, Store, insert_arrow

#: the meta table row holding the secret (hex)
SECRET_ROW = "link_signing_key"
_KEY_BYTES = 32
_KEYS: weakref.WeakKeyDictionary[Store, bytes] = weakref.WeakKeyDictionary()


class InvalidLink(PermissionDenied):
    """The link's signature does not match: changed, cut short or made up."""

    code = "invalid_link"


class ExpiredLink(InvalidLink):
    """A genuine link whose time is up."""

    code = "link_expired"


def _expiry(expires: dt.datetime | None) -> int:
    if expires is None:
        return 0
    if expires.tzinfo is None:
        raise ValueError("expires must be timezone-aware (UTC)")
    return max(1, int(expires.timestamp()))


def _mac(key: bytes, purpose: str, value: str, expiry: int) -> str:
    message = json.dumps([purpose, value, expiry], ensure_ascii=False).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(purpose: str, value: str, *, expires: dt.datetime | None = None, key: bytes) -> str:
    """The sig of ``value`` for ``purpose`` (e.g. ``"case-status"``), valid until
    ``expires`` (None: for ever)."""
    expiry = _expiry(expires)
    return f"{expiry:x}.{_mac(key, purpose, value, expiry)}"


def verify(
    purpose: str, value: str, sig: str, *, key: bytes, now: dt.datetime | None = None
) -> None:
    """Return if ``sig`` was made by :func:`sign` for ``purpose`` and ``value`` and has
    not expired; else raise :class:`InvalidLink` / :class:`ExpiredLink`."""
    head, _, mac = sig.partition(".")
    try:
        expiry = int(head, 16) if 0 < len(head) <= 12 else -1
    except ValueError:
        expiry = -1
    if expiry >= 0 and head != f"{expiry:x}":  # one spelling per sig ("06c0…" is not "6c0…")
        expiry = -1
    expected = _mac(key, purpose, value, max(expiry, 0))
    if expiry < 0 or not hmac.compare_digest(mac.encode(), expected.encode()):
        raise InvalidLink(
            "this link is not valid: it was changed or is incomplete; open the link exactly "
            "as you received it, or ask for a new one"
        )
    moment = now or dt.datetime.now(dt.UTC)
    if expiry and moment.timestamp() > expiry:
        ended = dt.datetime.fromtimestamp(expiry, dt.UTC).date().isoformat()
        raise ExpiredLink(f"this link expired on {ended}; ask for a new one")


def store_key(store: Store) -> bytes:
    """The store's signing key: read from its meta table, made there the first time
    (in one transaction, so two servers starting at once agree on one key)."""
    found = _KEYS.get(store)
    if found is not None:
        return found
    with store.lock:
        key = _read(store)
        if key is None:
            with store.writes.transaction(META_TABLE):
                key = _read(store)
                if key is None:
                    key = secrets.token_bytes(_KEY_BYTES)
                    row = pa.table({"key": [SECRET_ROW], "value": [key.hex()]})
                    insert_arrow(store.con, META_TABLE, row)
    _KEYS[store] = key
    return key


def _read(store: Store) -> bytes | None:
    meta = store.con.table(META_TABLE)
    rows = meta.filter(meta.key == SECRET_ROW).value.to_pyarrow().to_pylist()
    return bytes.fromhex(rows[0]) if rows and rows[0] else None


__all__ = [
    "ExpiredLink",
    "InvalidLink",
    "sign",
    "store_key",
    "verify",
]
