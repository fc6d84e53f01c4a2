"""Signed links in the web app: the core (``sign``, ``verify``, the store's key) lives in
``sanjeh.accounts._links`` so the library (survey invitations) signs links too; a route
takes the key of the store it serves with ``signing_key(request)``.
"""

from __future__ import annotations

from fastapi import Request

from ..accounts._links import SECRET_ROW, ExpiredLink, InvalidLink, sign, store_key, verify


def signing_key(request: Request) -> bytes:
    """The signing key of the store this app serves."""
    return store_key(request.app.state.source.store)


__all__ = [
    "SECRET_ROW",
    "ExpiredLink",
    "InvalidLink",
    "sign",
    "signing_key",
    "store_key",
    "verify",
]
