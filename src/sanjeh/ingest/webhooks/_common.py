"""What every webhook receiver shares: signature checks, the replay window, times, ids.

A receiver turns one helpdesk event into canonical records (``{table: [row, …]}``),
the JSON objects the intake validates like an import. Ids are written namespaced
(``zendesk:123``) so a webhook and an import of the same helpdesk (``--source zendesk``)
name a ticket alike; times are written as ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from ...errors import NotAuthenticated, SanjehError

#: a signed timestamp further than this from the server's clock (either way) is refused:
#: a captured request cannot be replayed later, and a clock a little off still works
REPLAY_WINDOW = dt.timedelta(minutes=5)
UTC = dt.UTC

Row = dict[str, Any]
Records = dict[str, list[Row]]


class UnsupportedEvent(SanjehError):
    """A payload that is not one of the helpdesk events Sanjeh reads."""

    code = "unsupported_event"
    #: (for the web API: the request is the sender's mistake)
    status = 400


# -- signatures ----------------------------------------------------------------------------


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A request header, its name compared ignoring case; None when absent or blank."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value.strip() or None
    return None


def same(given: str, expected: str) -> bool:
    """Constant-time comparison (a timing difference must not leak the secret)."""
    return hmac.compare_digest(given.encode(), expected.encode())


def digest(secret: str, message: bytes, algorithm: str) -> bytes:
    return hmac.new(secret.encode(), message, algorithm).digest()


def refuse(helpdesk: str, what: str) -> NotAuthenticated:
    return NotAuthenticated(f"{helpdesk} webhook refused: {what}")


def check_fresh(helpdesk: str, signed: dt.datetime | None, now: dt.datetime | None) -> None:
    """Refuse a signed timestamp outside the replay window around the server's clock."""
    if signed is None:
        raise refuse(helpdesk, "its signature timestamp is not a time")
    now = now or dt.datetime.now(UTC)
    if abs(now - signed) > REPLAY_WINDOW:
        minutes = int(REPLAY_WINDOW.total_seconds() // 60)
        raise refuse(
            helpdesk,
            f"it was signed at {iso(signed)}, more than {minutes} minutes from this "
            f"server's clock ({iso(now)}): a replayed request, or a clock that is off",
        )


# -- values --------------------------------------------------------------------------------

_FRACTION = re.compile(r"(\.\d{6})\d+")
_UTC_WORD = re.compile(r"\s*(UTC|Z|z)$")


def parse_time(value: Any) -> dt.datetime | None:
    """A UTC time from what helpdesks send: Unix seconds (a number or digits), ISO 8601
    with an offset or ``Z`` (nanoseconds cut to microseconds), ``2020-03-03 13:05:57
    UTC``. A time without an offset, or anything else, is None (never guessed)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        try:
            return dt.datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    stamp = _UTC_WORD.sub("+00:00", _FRACTION.sub(r"\1", value.strip()))
    try:
        parsed = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def iso(at: dt.datetime) -> str:
    """``2026-03-01T08:15:00Z`` (microseconds when there are any)."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def text(value: Any) -> str | None:
    """A value as trimmed text; None for missing, blank, lists and objects."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    found = str(value).strip()
    return found or None


def ident(value: Any) -> str | None:
    """A helpdesk's own id as text; None for missing, blank and the ``0`` / ``-1`` some
    helpdesks send for "nobody"."""
    found = text(value)
    return None if found in (None, "0", "-1") else found


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def fingerprint(payload: Mapping[str, Any]) -> str:
    """A short stable digest of a payload: the id of an event whose helpdesk sends no id
    of its own (the same payload again is the same event)."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def compact(row: Row) -> Row:
    """The row without its empty values (the intake fills defaults)."""
    return {k: v for k, v in row.items() if v is not None and v != []}


def records(**tables: list[Row | None]) -> Records:
    """``{table: rows}`` without empty rows or tables."""
    found = {name: [compact(r) for r in rows if r] for name, rows in tables.items()}
    return {name: rows for name, rows in found.items() if rows}


def need(value: Any, what: str, helpdesk: str) -> Any:
    """A value the payload must have, else a 400 naming it."""
    if value is None or value in ("", {}):
        raise UnsupportedEvent(f"{helpdesk} payload without {what}; see docs/live.md")
    return value
