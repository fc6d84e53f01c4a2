"""Language identification restricted to what Sanjeh analyses: fa, ar, en, and "other".

Full-accuracy lingua over many languages runs at a few hundred messages a second, far
too slow for a whole helpdesk. Support messages are decided cheaply instead:

1. Arabic script: letters only Persian uses (پ چ ژ گ ی ک) against letters and function
   words only Arabic uses (ة ى ي ك, ال…); lingua (fa / ar / ur) only when that is a tie.
2. Latin script: common English function words decide; otherwise lingua in its
   low-accuracy mode (tens of thousands of messages a second) over a few European and
   Turkic languages, mapped to ``en`` or ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

LANGUAGES = ("fa", "ar", "en", "other")

_AR_SCRIPT_RE = re.compile("[\u0621-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff]")
_LATIN_RE = re.compile("[A-Za-z]")
_WORD_RE = re.compile(r"[^\W\d_]+")
_FA_WORDS = frozenset(
    [
        "است",
        "هست",
        "این",
        "آن",
        "که",
        "را",
        "با",
        "از",
        "به",
        "برای",
        "می",
        "نمی",
        "شما",
        "ها",
        "های",
        "یک",
        "چه",
        "چرا",
        "کنید",
        "کنم",
        "شود",
        "بود",
        "شده",
        "خیلی",
        "ممنون",
        "سلام",
        "لطفا",
        "لطفاً",
        "دارم",
        "دارید",
        "نیست",
        "هستم",
        "باشه",
        "چطور",
        "اگر",
        "تا",
    ]
)
_AR_WORDS = frozenset(
    [
        "في",
        "على",
        "هذا",
        "هذه",
        "التي",
        "الذي",
        "ذلك",
        "هل",
        "كيف",
        "لماذا",
        "شكرا",
        "شكراً",
        "مع",
        "عن",
        "إلى",
        "الى",
        "لا",
        "لم",
        "لن",
        "انا",
        "أنا",
        "انت",
        "أنت",
        "نحن",
        "هو",
        "هي",
        "كان",
        "يمكن",
        "ممكن",
        "اللي",
        "مش",
        "ليش",
        "وين",
        "ايش",
        "شو",
        "عشان",
        "حضرتك",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "you",
        "your",
        "i",
        "me",
        "my",
        "we",
        "our",
        "us",
        "he",
        "she",
        "they",
        "them",
        "not",
        "no",
        "yes",
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "hey",
        "can",
        "could",
        "would",
        "will",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "what",
        "when",
        "where",
        "why",
        "how",
        "order",
        "help",
        "sorry",
        "issue",
        "problem",
        "account",
        "refund",
        "today",
    ]
)


@lru_cache(maxsize=1)
def _latin_detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(
            Language.ENGLISH,
            Language.FRENCH,
            Language.GERMAN,
            Language.SPANISH,
            Language.ITALIAN,
            Language.PORTUGUESE,
            Language.DUTCH,
            Language.TURKISH,
            Language.INDONESIAN,
        )
        .with_low_accuracy_mode()
        .build()
    )


@lru_cache(maxsize=1)
def _arabic_script_detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.PERSIAN, Language.ARABIC, Language.URDU
    ).build()


def _iso(language: Any) -> str:
    code = str(language.iso_code_639_1.name).lower()
    return code if code in ("fa", "ar", "en") else "other"


# Persian typed on an Arabic keyboard uses ي and ك: weak evidence, and words are compared
# with those letters folded so «مي كنم» still counts as Persian.
_LETTER_FOLD = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
_FA_KEYS = frozenset(w.translate(_LETTER_FOLD) for w in _FA_WORDS)
_AR_KEYS = frozenset(w.translate(_LETTER_FOLD) for w in _AR_WORDS)
_FA_ONLY_RE = re.compile("[پچژگیک]")  # ی U+06CC and ک U+06A9 are the Persian forms
_AR_STRONG_RE = re.compile("[ةىأإ]")
_AR_WEAK_RE = re.compile("[يك]")
_URDU_RE = re.compile("[ٹڈڑںےھ]")


def _arabic_script(text: str) -> str:
    if _URDU_RE.search(text):
        return "other"
    fa = 2.0 * len(_FA_ONLY_RE.findall(text))
    ar = len(_AR_STRONG_RE.findall(text)) + 0.5 * len(_AR_WEAK_RE.findall(text))
    for w in _WORD_RE.findall(text.translate(_LETTER_FOLD)):
        if w in _FA_KEYS:
            fa += 2
        elif w in _AR_KEYS:
            ar += 2
        elif len(w) > 3 and w.startswith(("ال", "وال", "بال")):
            ar += 1
    if fa > ar:
        return "fa"
    if ar > fa:
        return "ar"
    found = _arabic_script_detector().detect_language_of(text)
    return "other" if found is None else _iso(found)


def _latin(text: str) -> str:
    words = [w.lower() for w in _WORD_RE.findall(text)]
    hits = sum(1 for w in words if w in _EN_WORDS)
    if hits and hits * 4 >= len(words):
        return "en"
    found = _latin_detector().detect_language_of(text)
    return "other" if found is None else _iso(found)


def detect_language(text: str) -> str:
    """``fa``, ``ar``, ``en`` or ``other`` for one text (``other`` also when no letters)."""
    arabic = len(_AR_SCRIPT_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    if arabic == 0 and latin == 0:
        return "other" if not _WORD_RE.search(text) else _latin(text)
    # A mixed message belongs to its dominant script; Latin product names and order ids
    # inside Persian or Arabic text must not make it "English".
    if arabic >= latin:
        return _arabic_script(text)
    return _latin(text)


def detect_languages(texts: Iterable[str]) -> list[str]:
    """``detect_language`` for a batch."""
    return [detect_language(t) for t in texts]


def scripts(text: str) -> tuple[bool, bool]:
    """Whether ``text`` has (Arabic-script letters, Latin letters)."""
    return _AR_SCRIPT_RE.search(text) is not None, _LATIN_RE.search(text) is not None
