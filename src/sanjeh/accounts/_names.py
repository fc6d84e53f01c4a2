"""Usernames as people read them: one folded form for lookup, throttling and uniqueness.

``normal`` is the form a name is stored in (NFKC: fullwidth ``ｒｅｖ２`` is ``rev2``,
ligatures are split). ``fold`` is what two names are compared by: the normal form,
case-folded, with the Arabic-script letters that look alike but differ between Arabic
and Persian keyboards made one (``ي`` / ``ى`` → ``ی``, ``ك`` → ``ک``), Persian and
Arabic digits as ASCII, and the kashida (``ـ``, a stretch of the line) dropped. Two names
with the same fold are the same name: a new user may not take one, and failed logins
of either count against both.
"""

from __future__ import annotations

import unicodedata

from .._digits import AR_DIGITS, ASCII_DIGITS, FA_DIGITS

_LOOK_ALIKE = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh → Persian yeh
        "\u0649": "\u06cc",  # alef maksura → Persian yeh
        "\u0643": "\u06a9",  # Arabic kaf → Persian keheh
        "\u0640": None,  # kashida (tatweel)
        **{a: d for a, d in zip(FA_DIGITS + AR_DIGITS, ASCII_DIGITS * 2, strict=True)},
    }
)


def normal(username: str) -> str:
    """The stored form of a username: NFKC, without surrounding space."""
    return unicodedata.normalize("NFKC", username.strip())


def fold(username: str) -> str:
    """The form two usernames are compared by (see the module doc)."""
    # NFKC again: case folding may leave a sequence NFKC would compose (ǰ → j + caron)
    return unicodedata.normalize("NFKC", normal(username).casefold()).translate(_LOOK_ALIKE)
