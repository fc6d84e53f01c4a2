"""Tables of users, sessions and API tokens (see ``sanjeh.accounts``)."""

from __future__ import annotations

from ._spec import TableSpec

ACCOUNT_TABLES: dict[str, TableSpec] = {}
