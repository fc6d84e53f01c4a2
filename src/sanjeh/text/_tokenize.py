"""Tokenisation that keeps Persian words written with ZWNJ whole (می‌توانم is one token)."""

from __future__ import annotations

import re
from typing import NamedTuple

_MARKS = "\u064b-\u065f\u0670\u0640"  # diacritics and tatweel live inside words
_LETTER = f"(?:[^\\W_]|[{_MARKS}])"
_EMOJI = "\U0001f300-\U0001faff\u2600-\u27bf"

_TOKEN_RE = re.compile(
    "|".join(
        (
            r"https?://\S+",
            r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
            # numbers in any digit set, with decimal / thousands separators
            r"\d+(?:[.,/\u066b\u066c]\d+)*",
            # a word: letters and marks, joined by ZWNJ / ZWJ; apostrophes inside (don't)
            f"{_LETTER}+(?:(?:[\u200c\u200d]+|['\u2019]){_LETTER}+)*",
            f"[{_EMOJI}]",
            r"[^\s\w\u200c\u200d]",
        )
    )
)

#: the tokens analyzers match on: words and emoji of the folded text (see ``fold``)
MATCH_TOKEN_RE = re.compile(f"[^\\W_]+|[{_EMOJI}]")


class Token(NamedTuple):
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into words, numbers, e-mails, URLs, emoji and punctuation marks.

    A word joined by ZWNJ stays one token (``می‌توانم``, ``کتاب‌ها``); a word written
    with a space (``می توانم``) is two tokens unless normalised first (``normalize``
    joins the Persian prefix می / نمی and the plural ها with ZWNJ). Offsets are into
    ``text``.
    """
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
