"""Language identification restricted to what Sanjeh analyses: fa, ar, en, and "other".

Full-accuracy lingua over many languages runs at a few hundred messages a second, far
too slow for a whole helpdesk. Support messages are decided cheaply instead:

1. Arabic script: letters only Persian uses (پ چ ژ گ ی ک) and Persian vocabulary (است،
   را، برای، می‌/نمی‌ verbs, ممنون …) against letters and vocabulary only Arabic uses
   (ة إ, في، الذي، لقد، سوف، ال- words …), both compared after folding ي→ی and ك→ک.
   Persian typed on an Arabic keyboard has ي / ك and no Persian-only letter, so the
   letters ي / ك themselves decide nothing; lingua (fa / ar / ur) only on a tie.
2. Latin script: Finglish vocabulary (``_finglish``) against common English function
   words; otherwise lingua in its low-accuracy mode (tens of thousands of messages a
   second) over a few European and Turkic languages, mapped to ``en`` or ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ._finglish import finglish_votes


def _word_set(words: str) -> frozenset[str]:
    """A set of the whitespace-separated words (long vocabularies read better as text)."""
    return frozenset(words.split())


LANGUAGES = ("fa", "ar", "en", "other")

_AR_SCRIPT_RE = re.compile("[\u0621-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff]")
_LATIN_RE = re.compile("[A-Za-z]")
_WORD_RE = re.compile(r"[^\W\d_]+")
# Persian vocabulary, spelled after folding (ي→ی, ك→ک, أ/إ/آ→ا, ة→ه, ZWNJ and the space
# after می / نمی removed): function words, copulas, common verbs, support words. Words
# Arabic shares (من، ما، هم، این "where", سلام، بخیر، ممکن، جواب) are left out.
_FA_WORDS = _word_set(
    """است هست هستم هستید هستین هستیم نیست نیستم نیستید را رو برای برام براتون بهتون
    ازتون شما شماست کنید کنین کنم کنه کنیم بکنید کردم کردید کردین کردیم کرده کرد نکردم
    نکردید نکردین شود شده شد نشد نشده بشه بود نبود باشه باشید باشین ممنون ممنونم ممنونیم
    لطفا خیلی چی چیه چرا چطور چطوری کجا کجاست هنوز دیگه دیگر اگه اگر که از با اون
    اینو اونو یه یک دارم داری داره دارید دارین داریم ندارم نداره ندارید ندارین
    ببخشید ببخشین متاسفم متاسفیم متاسفانه شرمنده خسته نباشید نباشین بفرمایید بله اره نه
    خوب خوبه خوبی خوبید بابت امروز فردا دیروز روز هفته سفارش سفارشم مشکلم مشکلی مشکلتون
    بررسی ولی لطف خواهش خواهشمندم عزیزم تشکر همکاری دستتون دستت نکنه وقتتون درود
    خداحافظ منتظرم رسیده نرسیده تحویل میشه نمیشه میره میام میاد میدم میدن
    میگم میگه میخوام نمیخوام میدونم نمیدونم میتونم خوبیه"""
)
# sharing a root with Arabic, a weaker sign
_FA_WEAK = _word_set("مشکل منتظر جواب تاخیر مرسی")
# Arabic vocabulary, folded the same way: function words, pronouns and dialect words
# Persian does not use.
_AR_WORDS = _word_set(
    """فی علی هذا هذه هذی ذلک تلک التی الذی الذین لقد سوف لم لن لیس لیست کان کانت
    یکون تکون هل کیف لماذا لیش متی ماذا شکرا عفوا مرحبا اهلا انا انت انتی نحن هو هی
    لک لکم بک بکم علیک علیکم معک معکم منک عندک عندی عندنا عن مع اللی مش مو شو ایش
    وین عشان حضرتک یعطیک ابی ابغی بدی تم یتم سیتم نعتذر اعتذر للاسف اذا
    لو بعض انه انها انتم انتو احنا الیوم ذا کده زی ازای فین امتی یمکن یمکنک یمکننی
    نستطیع اود"""
)
_AR_WEAK = _word_set("ان لا جدا شی شیء قد یا")
# Persian words that begin with ال (not the Arabic article) and Arabic words that begin
# with می (not the Persian verb prefix)
_FA_AL = _word_set("الان البته الکی الو الهام الزام الزامی الویت الماس البوم")
_AR_MI = _word_set("میزان میلاد میت مین میه میدان مینا میزه میعاد میل میاه")
EN_WORDS = frozenset(
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


# Persian typed on an Arabic keyboard uses ي and ك: words are compared with those
# letters (and hamza / teh marbuta variants) folded, so «مي كنم» counts as Persian.
_LETTER_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",
        "\u0649": "\u06cc",
        "\u0643": "\u06a9",
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0629": "\u0647",
        "\u200c": "",
    }
)
_MI_SPACE_RE = re.compile("(?:^|(?<=\\s))(ن?می)\\s+(?=[\u0621-\u06ff])")
_FA_ONLY_RE = re.compile("[پچژگیک]")  # ی U+06CC and ک U+06A9 are the Persian forms
_AR_LETTER_WEIGHTS = {"\u0629": 1.0, "\u0625": 1.0, "\u0649": 1.0, "\u0623": 0.5}
_AR_STRONG_RE = re.compile("[ةىأإ]")
_AR_WEAK_RE = re.compile("[يك]")
_URDU_RE = re.compile("[ٹڈڑںےھ]")
_AR_PREFIXES = ("ال", "وال", "بال", "فال", "کال", "لل")


def _word_votes(word: str) -> tuple[float, float]:
    """(Persian, Arabic) votes of one folded word."""
    if word in _FA_WORDS:
        return 2.0, 0.0
    if word in _AR_WORDS:
        return 0.0, 2.0
    if word in _FA_WEAK:
        return 1.0, 0.0
    if word in _AR_WEAK:
        return 0.0, 1.0
    if len(word) > 4 and word.startswith(("می", "نمی")) and word not in _AR_MI:
        return 1.5, 0.0  # the Persian verbal prefix: میخوام، نمیدونم، میرسه
    if len(word) > 3 and word.startswith(_AR_PREFIXES) and word not in _FA_AL:
        return 0.0, 1.0
    return 0.0, 0.0


def arabic_script_votes(text: str) -> tuple[float, float]:
    """(Persian, Arabic) evidence in an Arabic-script text: letters only one of them uses
    and vocabulary, compared with ي / ك folded to ی / ک (so they decide nothing)."""
    fa = 2.0 * len(_FA_ONLY_RE.findall(text))
    ar = sum(_AR_LETTER_WEIGHTS[c] for c in _AR_STRONG_RE.findall(text))
    folded = _MI_SPACE_RE.sub(r"\1", text.translate(_LETTER_FOLD))
    for w in _WORD_RE.findall(folded):
        f, a = _word_votes(w)
        fa += f
        ar += a
    return fa, ar


def _arabic_script(text: str) -> str:
    if _URDU_RE.search(text):
        return "other"
    fa, ar = arabic_script_votes(text)
    if fa > ar:
        return "fa"
    if ar > fa:
        return "ar"
    if _AR_WEAK_RE.search(text):
        # a tie with ي / ك: mostly Arabic, Persian only when lingua is clearly sure (the
        # margin keeps 226 of 227 such Arabic tweets Arabic, see docs/text.md)
        margin = _lingua_margin(text)
        return "fa" if margin > _FA_MARGIN else "ar"
    found = _arabic_script_detector().detect_language_of(text)
    return "other" if found is None else _iso(found)


_FA_MARGIN = 0.3


def _lingua_margin(text: str) -> float:
    """lingua's confidence in Persian minus its confidence in Arabic."""
    values = {
        _iso(c.language): c.value
        for c in _arabic_script_detector().compute_language_confidence_values(text)
    }
    return values.get("fa", 0.0) - values.get("ar", 0.0)


def _latin(text: str) -> str:
    words = [w.lower() for w in _WORD_RE.findall(text)]
    hits = sum(1 for w in words if w in EN_WORDS)
    # Finglish must outnumber the English words: impossible once they are half the text
    finglish = finglish_votes(text) if hits * 2 < len(words) else 0.0
    # a quarter of the words distinctively Finglish, and more of them than English ones
    if finglish >= 1 and finglish > hits and finglish * 4 >= len(words):
        return "fa"
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


def latin_dominant(text: str) -> bool:
    """Whether ``text`` has more Latin letters than Arabic-script ones (Finglish when fa)."""
    latin = len(_LATIN_RE.findall(text))
    return latin > 0 and latin > len(_AR_SCRIPT_RE.findall(text))


def detect_languages(texts: Iterable[str]) -> list[str]:
    """``detect_language`` for a batch."""
    return [detect_language(t) for t in texts]


def scripts(text: str) -> tuple[bool, bool]:
    """Whether ``text`` has (Arabic-script letters, Latin letters)."""
    return _AR_SCRIPT_RE.search(text) is not None, _LATIN_RE.search(text) is not None
