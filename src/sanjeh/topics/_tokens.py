"""The terms of a message: what topics are clustered on and articles matched with.

``terms(text, language)`` folds the text with ``sanjeh.text.fold`` (one spelling per
letter, no ZWNJ, lower case, Persian می / ها joined), keeps its words, and drops numbers,
one-letter words and the language's stop words (``stopwords/<language>.txt``, written
for Sanjeh). Light affix stripping (docs/topics.md): the Arabic article ``ال`` (after و / ف
and ب / ك, or ``لل``), which helped on the Arabic dev split; the Persian
plural ``ها`` / ``های``. (Stripping an English plural ``s`` did not help on dev.)
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache
from importlib import resources

import pandas as pd

from ..text import fold

__all__ = ["STOPWORD_LANGUAGES", "stopwords", "surfaces", "terms", "terms_of"]

STOPWORD_LANGUAGES = ("fa", "ar", "en")

_WORD_RE = re.compile(r"[^\W\d_]+")
# Arabic: the article with an optional conjunction / preposition before it
_AR_ARTICLE_RE = re.compile("^(?:[وف]?[بک]?ال|[وف]?لل)(?=.{3,})")


# Persian: the plural ها / های joined to a stem of three letters or more
_FA_PLURAL_RE = re.compile("(?<=.{3})(?:های|ها)$")


@cache
def stopwords(language: str) -> frozenset[str]:
    """The stop words of ``language`` (fa, ar, en), folded; empty for other languages."""
    if language not in STOPWORD_LANGUAGES:
        return frozenset()
    path = resources.files("sanjeh.topics") / "stopwords" / f"{language}.txt"
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.update(fold(line)[0].split())
    return frozenset(words)


def _strip(word: str, language: str) -> str:
    if language == "ar":
        return _AR_ARTICLE_RE.sub("", word)
    if language == "fa":
        return _FA_PLURAL_RE.sub("", word)
    return word


def terms(text: str, language: str) -> list[str]:
    """The topic terms of ``text`` in ``language`` (fa, ar, en; others: no stop words).

    >>> terms("How do I top up my cards?", "en")
    ['top', 'up', 'cards']
    """
    if not text:
        return []
    folded = fold(text)[0]
    stop = stopwords(language)
    out: list[str] = []
    words = _WORD_RE.findall(folded)
    if not all(w.isalpha() for w in words):  # letter-like marks (²) that are not letters
        words = "".join(c if c.isalpha() else " " for c in folded).split()
    for word in words:
        if len(word) < 2 or word in stop:
            continue
        word = _strip(word, language)
        if len(word) >= 2 and word not in stop:
            out.append(word)
    return out


def terms_of(texts: Sequence[str], language: str) -> list[list[str]]:
    """:func:`terms` of many texts; a text repeated is cut once."""
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    cut = [terms(t, language) for t in uniques]
    return [cut[c] for c in codes]


def surfaces(texts: Sequence[str], language: str) -> dict[str, str]:
    """Each term's most frequent spelling in ``texts`` as customers wrote it (with its
    ZWNJ, hamza and article), so labels read as words, not as matching keys."""
    seen: defaultdict[str, Counter[str]] = defaultdict(Counter)
    stop = stopwords(language)
    for text in dict.fromkeys(texts):
        folded, where = fold(text)
        for m in _WORD_RE.finditer(folded):
            word = m.group()
            term = _strip(word, language) if len(word) >= 2 and word not in stop else ""
            if len(term) < 2 or term in stop:
                continue
            start, end = m.span()
            if where is not None:
                start, end = where[start], where[end - 1] + 1
            seen[term][text[start:end]] += 1
    return {term: spellings.most_common(1)[0][0] for term, spellings in seen.items()}
