"""Normalisation of Arabic-script text (Persian and Arabic) and of Latin text.

Two forms exist:

* ``normalize(text, language)`` -- a readable form for people and storage: the letters of
  the message's language (ی/ک in Persian, ي/ك in Arabic), one digit set, no tatweel,
  no diacritics, clean ZWNJ (``می توانم`` -> ``می‌توانم``), runs of a letter collapsed.
* ``fold(text)`` -- an aggressive *matching key* used by the analyzers: every variant of a
  letter collapsed to one (ي/ی/ى, ك/ک, ة/ه, أ/إ/آ/ا), ZWNJ removed, lower case. It keeps a
  map back to the original offsets, so evidence spans always point into the text the
  caller gave us.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from .._digits import AR_DIGITS, ASCII_DIGITS, DIGITS_TO_ASCII, FA_DIGITS

ZWNJ = "\u200c"

# -- character classes ---------------------------------------------------------------
_DIACRITICS = "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
_TATWEEL = "\u0640"
# invisible marks that only disturb matching: ZWJ, ZW space, BOM, bidi controls, soft hyphen
_INVISIBLE = "\u200b\u200d\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff\u00ad"
_SPACES = "\u00a0\u2000-\u200a\u202f\u205f\u3000"
_AR_LETTERS = "\u0621-\u063a\u0641-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff"

# 1:1 replacements for the matching key (length preserving)
_FOLD_MAP = {
    "\u064a": "\u06cc",  # ي -> ی
    "\u0649": "\u06cc",  # ى -> ی
    "\u0643": "\u06a9",  # ك -> ک
    "\u0629": "\u0647",  # ة -> ه
    "\u06c0": "\u0647",  # ۀ -> ه
    "\u06c1": "\u0647",  # ہ -> ه
    "\u0622": "\u0627",  # آ -> ا
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0671": "\u0627",  # ٱ -> ا
    "\u0624": "\u0648",  # ؤ -> و
    "\u061f": "?",  # ؟
    "\u060c": ",",  # ،
    "\u061b": ";",  # ؛
    "\u066b": ".",  # ٫ decimal separator
    "\u066c": ",",  # ٬ thousands separator
}
_FOLD_TABLE = str.maketrans(
    {
        **_FOLD_MAP,
        **{c: " " for c in "\u00a0\u202f\u205f\u3000"},
        **{chr(c): " " for c in range(0x2000, 0x200B)},
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
        **{d: str(i % 10) for i, d in enumerate(FA_DIGITS + AR_DIGITS)},
    }
)

_DELETE_RE = re.compile(f"[{_DIACRITICS}{_TATWEEL}{_INVISIBLE}{ZWNJ}]+")
_PRESENTATION_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
# A letter repeated three or more times is emphasis ("خیییلی", "sooo"): Arabic-script
# words never double a letter that way, Latin words may (good), so keep two there.
_REPEAT_AR_RE = re.compile(f"([{_AR_LETTERS}])\\1{{2,}}")
_REPEAT_LATIN_RE = re.compile("([a-z])\\1{2,}")
# Persian and Arabic never write two alefs in a row: «عاالی» is «عالی» stretched
_DOUBLE_ALEF_RE = re.compile("ا{2,}")
# Persian writes the verbal prefix می/نمی and the plural ها both joined (ZWNJ) and apart
# (space); the key joins them so «می توانم», «میتوانم» and «می‌توانم» are one word.
_FA_JOIN_PREFIX_RE = re.compile(f"(?:^|(?<=\\s))ن?می(\\s+)(?=[{_AR_LETTERS}])")
_FA_JOIN_SUFFIX_RE = re.compile(f"(?<=[{_AR_LETTERS}])(\\s+)(?=(?:ها|های|هایی)(?![{_AR_LETTERS}]))")


def _delete_spans(
    s: str, offsets: list[int], spans: list[tuple[int, int]]
) -> tuple[str, list[int]]:
    """Remove the spans (sorted by start; overlaps allowed) from s and its offset map."""
    parts: list[str] = []
    new_offsets: list[int] = []
    pos = 0
    for start, end in spans:
        if start > pos:
            parts.append(s[pos:start])
            new_offsets.extend(offsets[pos:start])
        pos = max(pos, end)
    parts.append(s[pos:])
    new_offsets.extend(offsets[pos:])
    return "".join(parts), new_offsets


def _expand_presentation_forms(text: str) -> tuple[str, list[int]]:
    """NFKC only on presentation-form letters (ﻻ -> لا), tracking where each char came from."""
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if "\ufb50" <= ch <= "\ufefc":
            rep = unicodedata.normalize("NFKC", ch)
            out.append(rep)
            offsets.extend([i] * len(rep))
        else:
            out.append(ch)
            offsets.append(i)
    return "".join(out), offsets


def fold(text: str) -> tuple[str, list[int] | None]:
    """The matching key of ``text`` and a map from key index to original index.

    The map is ``None`` when the key has the same length as the text (index i of the key
    is index i of the text), which is the common case and costs nothing.
    """
    offsets: list[int] | None = None
    if _PRESENTATION_RE.search(text):
        text, offsets = _expand_presentation_forms(text)
    s = text.translate(_FOLD_TABLE)
    if not s.isascii():
        low = s.lower()
        if len(low) == len(s):  # a few letters (İ) grow when lowered: keep them as they are
            s = low
    elif not s.islower():
        s = s.lower()

    spans = [m.span() for m in _DELETE_RE.finditer(s)]
    if spans:
        if offsets is None:
            offsets = list(range(len(s)))
        s, offsets = _delete_spans(s, offsets, spans)

    later: list[tuple[int, int]] = []
    if "\u0645\u06cc" in s:  # می
        later.extend(m.span(1) for m in _FA_JOIN_PREFIX_RE.finditer(s))
    if "\u0647\u0627" in s:  # ها
        later.extend(m.span(1) for m in _FA_JOIN_SUFFIX_RE.finditer(s))
    later.extend((m.start() + 1, m.end()) for m in _REPEAT_AR_RE.finditer(s))
    if "اا" in s:
        later.extend((m.start() + 1, m.end()) for m in _DOUBLE_ALEF_RE.finditer(s))
    later.extend((m.start() + 2, m.end()) for m in _REPEAT_LATIN_RE.finditer(s))
    if later:
        later.sort()
        if offsets is None:
            offsets = list(range(len(s)))
        s, offsets = _delete_spans(s, offsets, later)
    return s, offsets


# -- readable normalisation -----------------------------------------------------------

_FA_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
# Persian spells Arabic loanwords ending in ة with ه (علاقة -> علاقه); ۀ stays.
_FA_TEH = str.maketrans({"\u0629": "\u0647"})
_AR_LETTERS_MAP = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u0647"})
_SPACE_TABLE = str.maketrans(
    {
        **{c: " " for c in "\u00a0\u202f\u205f\u3000\t"},
        **{chr(c): " " for c in range(0x2000, 0x200B)},
    }
)
_ZWNJ_RUN_RE = re.compile(f"{ZWNJ}{{2,}}")
# ZWNJ only belongs between two letters of a word
_ZWNJ_EDGE_RE = re.compile(f"{ZWNJ}(?![{_AR_LETTERS}])|(?<![{_AR_LETTERS}]){ZWNJ}")
_FA_PREFIX_SPACE_RE = re.compile(f"(?:^|(?<=\\s))(ن?می)\\s+(?=[{_AR_LETTERS}])")
_FA_SUFFIX_SPACE_RE = re.compile(
    f"(?<=[{_AR_LETTERS}])\\s+(?=(?:ها|های|هایی|تر|ترین)(?![{_AR_LETTERS}]))"
)
_MULTISPACE_RE = re.compile(" {2,}")
_REPEAT_LATIN_ANY_RE = re.compile("([A-Za-z])\\1{2,}")

Digits = Literal["ascii", "native", "keep"]


def normalize(
    text: str,
    language: str | None = None,
    *,
    digits: Digits = "ascii",
    remove_diacritics: bool = True,
    collapse_repeats: bool = True,
) -> str:
    """A clean, readable form of ``text`` for ``language`` (fa, ar, en; None: detect).

    ``digits``: ``ascii`` turns Persian (۰-۹) and Arabic-Indic (٠-٩) digits into 0-9,
    ``native`` writes the language's own digits (fa: ۰-۹, ar: ٠-٩), ``keep`` leaves them.
    """
    if language is None:
        from ._langid import detect_language

        language = detect_language(text)
    if _PRESENTATION_RE.search(text):
        text = "".join(
            unicodedata.normalize("NFKC", c) if "\ufb50" <= c <= "\ufefc" else c for c in text
        )
    s = text.translate(_SPACE_TABLE)
    s = re.sub(f"[{_TATWEEL}{_INVISIBLE}]+", "", s)
    if remove_diacritics:
        s = re.sub(f"[{_DIACRITICS}]+", "", s)
    if language == "fa":
        s = s.translate(_FA_LETTERS).translate(_FA_TEH)
    elif language == "ar":
        s = s.translate(_AR_LETTERS_MAP)
    if digits == "ascii":
        s = s.translate(DIGITS_TO_ASCII)
    elif digits == "native" and language in ("fa", "ar"):
        native = FA_DIGITS if language == "fa" else AR_DIGITS
        s = s.translate(DIGITS_TO_ASCII).translate(str.maketrans(ASCII_DIGITS, native))
    if collapse_repeats:
        s = _REPEAT_AR_RE.sub(r"\1", s)
        s = _REPEAT_LATIN_ANY_RE.sub(r"\1\1", s)
    if language == "fa":
        s = _FA_PREFIX_SPACE_RE.sub(lambda m: m.group(1) + ZWNJ, s)
        s = _FA_SUFFIX_SPACE_RE.sub(ZWNJ, s)
        s = _ZWNJ_RUN_RE.sub(ZWNJ, s)
        s = _ZWNJ_EDGE_RE.sub("", s)
    else:
        s = s.replace(ZWNJ, "") if language == "ar" else _ZWNJ_EDGE_RE.sub("", s)
    return _MULTISPACE_RE.sub(" ", s).strip()
