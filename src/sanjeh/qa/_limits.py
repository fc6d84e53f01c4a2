"""What the QA workflow accepts, defined once: the dates it stores, the integers its
int64 columns hold, the size of a scorecard and of the texts of every record.

Every action of the workspace checks its input here before anything is written and
raises ``sanjeh.errors.ValidationError`` (field, reason) for a value out of range; the
web routes declare the same bounds in their schema (``web/qa/_forms.py``) and answer a
value that breaks one with a 400.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..errors import ValidationError

#: the days a QA record may be about (a cycle's period, a coaching session, an action's
#: due date, a filter): from the Unix epoch to the last day every display calendar can
#: show (the Umm al-Qura table ends in 2077; the dashboard's filters end on the same day)
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(2075, 12, 31)
#: the same range as instants: an exclusive end may be the midnight after LAST_DAY
EARLIEST = dt.datetime.combine(FIRST_DAY, dt.time(), tzinfo=dt.UTC)
LATEST = dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
#: the range of an ``int`` column (int64 in every backend): a cycle's seed
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: a cycle samples at most this many conversations per agent
MAX_PER_AGENT = 1000
#: a cycle or a calibration has at most this many reviewers (and conversations)
MAX_PARTICIPANTS = 100
#: a coaching session has at most this many action items
MAX_ACTION_ITEMS = 50
#: a recurring cycle catches up at most this many missed periods (the latest ones): a
#: server that was down for a year does not sample 365 daily cycles in one go
MAX_CATCH_UP = 7
#: a scorecard: sections, categories in all, root causes of a category, values of each
#: condition (channels, tags, teams). A review of a card of MAX_CATEGORIES is accepted
#: by the API (its ratings, comments and root causes are bounded by the same number).
MAX_SECTIONS = 20
MAX_CATEGORIES = 100
MAX_ROOT_CAUSES = 10
MAX_CONDITIONS = 100
#: automatic signals (analyzer names) linked to one category
MAX_SIGNALS = 20
#: ids (scorecards, sections, categories), names (and root causes), change notes, free
#: texts (comments, descriptions, coaching notes, action items)
MAX_ID = 100
MAX_NAME = 200
MAX_NOTE = 500
MAX_TEXT = 5000


def check_text(field: str, value: object, limit: int = MAX_TEXT, *, required: bool = False) -> str:
    """``value`` as a text of at most ``limit`` characters without NUL (which no
    database stores in a text column); ``required``: not blank."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected text, not {type(value).__name__}")
    if "\x00" in value:
        raise ValidationError(field, "contains a NUL character (\\x00); remove it")
    if len(value) > limit:
        raise ValidationError(field, f"is {len(value):,} characters long; the limit is {limit:,}")
    if required and not value.strip():
        raise ValidationError(field, "is empty; give a value")
    return value


def check_id(field: str, value: object, limit: int = MAX_NAME) -> str:
    """An id or a name: required, without surrounding spaces, at most ``limit``."""
    text = check_text(field, value, limit, required=True)
    if text != text.strip():
        raise ValidationError(field, f"{text!r} has surrounding spaces; remove them")
    return text


def check_texts(field: str, values: Iterable[object], limit: int = MAX_NAME) -> list[str]:
    """Several ids or names (see :func:`check_id`), each at most once."""
    out: list[str] = []
    for i, value in enumerate(values):
        text = check_id(f"{field}[{i}]", value, limit)
        if text in out:
            raise ValidationError(field, f"{text!r} is listed twice; list each once")
        out.append(text)
    return out


def check_int(field: str, value: object, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int:
    """A whole number (not a bool) in [lo, hi] (by default what an int64 column holds)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"expected a whole number, not {value!r}")
    if not lo <= value <= hi:
        raise ValidationError(field, f"{value} is outside {lo}–{hi}")
    return value


def check_day(field: str, value: dt.date) -> dt.date:
    """A date (a datetime: its UTC date) from FIRST_DAY to LAST_DAY."""
    day = value.astimezone(dt.UTC).date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(field, _outside(value))
    return value


def check_instant(field: str, value: dt.datetime) -> dt.datetime:
    """An aware instant from EARLIEST to LATEST (the end of LAST_DAY)."""
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(field, _outside(value))
    return value


def _outside(value: dt.date) -> str:
    return f"{value.isoformat()} is outside {FIRST_DAY} … {LAST_DAY}; choose a date in range"


def in_range(value: dt.datetime) -> bool:
    """Can this stored instant be used for arithmetic and shown in every calendar?"""
    return EARLIEST <= value <= LATEST


def has_nul(*values: object) -> bool:
    """Does any of these texts hold a NUL (nothing stored does: nothing can match it)?"""
    return any(isinstance(v, str) and "\x00" in v for v in values)
