"""Personalisation: does an agent's reply use the customer's name?

The name comes from the caller (``analyze(..., names=[...])``, one per text), so this
analyzer has a second entry point, ``analyze_named(docs, names)``, which ``run`` calls
when names are given. Without a name there is nothing to look for: the label is ``none``
(no signal), never ``absent``.

A reply is personalised when it contains, as whole words of the matching key (``fold``:
case, diacritics and Persian / Arabic letter variants folded), the customer's given name,
the full name, or a title followed by the surname ("Mr Patel", «آقای رضایی», «السيد
الشمري»). A handle (``@sara``) is not a name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ._normalize import fold
from ._tokenize import MATCH_TOKEN_RE
from ._types import AGENT_ROLES, Doc, Evidence, Signal

PERSONAL_VERSION = "personal-1"

# Titles before a surname (folded when loaded): en, fa, ar.
_TITLE_WORDS = (
    "mr mrs ms miss mx dr sir madam dear prof "
    "آقای آقا خانم جناب سرکار دکتر مهندس استاد "
    "السيد السيدة سيد سيدة الأستاذ الأستاذة أستاذ أستاذة الدكتور الدكتورة دكتور دكتورة "
    "الأخ الأخت أخ أخت الشيخ شيخ"
)
_TITLES = frozenset(fold(t)[0] for t in _TITLE_WORDS.split())
# First words of compound Arabic / Persian given names: «عبد الله», «أبو بكر»
_COMPOUND = frozenset(fold(t)[0] for t in ("عبد", "عبدال", "ابو", "أبو", "ام", "أم", "ابن"))


def _latin_base(ch: str) -> str:
    """é -> e, length preserving (Arabic-script marks are already handled by ``fold``)."""
    if "\u00c0" <= ch <= "\u024f":
        return unicodedata.normalize("NFKD", ch)[0]
    return ch


def _key(text: str) -> tuple[str, list[int] | None]:
    key, offsets = fold(text)
    if not key.isascii():
        key = "".join(_latin_base(c) for c in key)
    return key, offsets


@dataclass(frozen=True)
class NameForms:
    """The token sequences that count as using one customer's name."""

    given: tuple[str, ...]  # the given name (may be two words: «عبد الله»)
    full: tuple[str, ...]
    surname: tuple[str, ...]  # only counts after a title


@lru_cache(maxsize=4096)
def name_forms(name: str) -> NameForms | None:
    """Given name, full name and surname of ``name`` ("Mr Patel" -> surname Patel)."""
    words = [w for w in MATCH_TOKEN_RE.findall(_key(name)[0]) if not w.isdigit()]
    titled = bool(words) and words[0] in _TITLES
    while words and words[0] in _TITLES:
        words.pop(0)
    words = [w for w in words if len(w) > 1]  # initials ("J.") are not a name
    if not words:
        return None
    if titled and len(words) == 1:  # "Mr Patel": Patel is a surname, alone it still names
        return NameForms(tuple(words), tuple(words), tuple(words))
    size = 2 if len(words) > 2 and words[0] in _COMPOUND else 1
    return NameForms(tuple(words[:size]), tuple(words), tuple(words[size:]))


def _find(tokens: Sequence[str], phrase: tuple[str, ...]) -> int:
    """Index of the first occurrence of ``phrase`` in ``tokens`` (-1: none)."""
    n = len(phrase)
    if not n:
        return -1
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n]) == phrase:
            return i
    return -1


def _match(tokens: Sequence[str], forms: NameForms) -> tuple[int, int, str] | None:
    """(first, last, tag) of the best use of the name in ``tokens``: the full name, a
    title + surname, or the given name, in that order."""
    i = _find(tokens, forms.full)
    if i >= 0 and len(forms.full) > len(forms.given):
        return i, i + len(forms.full) - 1, "full"
    n = len(forms.surname)
    if n:
        for i in range(1, len(tokens) - n + 1):
            if tokens[i - 1] in _TITLES and tuple(tokens[i : i + n]) == forms.surname:
                return i - 1, i + n - 1, "title"
    i = _find(tokens, forms.given)
    if i >= 0:
        return i, i + len(forms.given) - 1, "given"
    return None


def find_name(text: str, name: str) -> Evidence | None:
    """The first span of ``text`` that uses ``name``, or None."""
    forms = name_forms(name)
    if forms is None:
        return None
    key, offsets = _key(text)
    matches = list(MATCH_TOKEN_RE.finditer(key))
    # a handle (@sara_k) is an address, not a use of the name
    tokens = ["" if m.start() and key[m.start() - 1] == "@" else m.group() for m in matches]
    found = _match(tokens, forms)
    if found is None:
        return None
    first, last, tag = found
    start, end = matches[first].start(), matches[last].end()
    if offsets is not None:
        start, end = offsets[start], offsets[end - 1] + 1
    return Evidence(start, end, text[start:end], tag)


def _find_in_doc(doc: Doc, name: str) -> Evidence | None:
    """The name in the text as written, else in the doc's matching key (a Finglish reply
    is matched in its Persian transliteration: «سینا» in "Sina jan")."""
    hit = find_name(doc.text, name)
    if hit is not None or doc.key == _key(doc.text)[0]:
        return hit
    forms = name_forms(name)
    found = None if forms is None else _match(doc.tokens, forms)
    if found is None:
        return None
    start, end = doc.original_span(found[0], found[1])
    return Evidence(start, end, doc.text[start:end], found[2])


@dataclass(frozen=True)
class PersonalisationAnalyzer:
    """present / absent when the customer's name is known, ``none`` when it is not."""

    name: str = "personalisation"
    roles: frozenset[str] = AGENT_ROLES
    version: str = PERSONAL_VERSION

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        return self.analyze_named(docs, [None] * len(docs))

    def analyze_named(self, docs: Sequence[Doc], names: Sequence[str | None]) -> list[Signal]:
        out: list[Signal] = []
        for doc, name in zip(docs, names, strict=True):
            if not name or not name.strip():
                out.append(Signal(self.name, "none", 0.0, (), self.version))
                continue
            hit = _find_in_doc(doc, name)
            if hit is None:
                out.append(Signal(self.name, "absent", 0.0, (), self.version))
            else:
                out.append(Signal(self.name, "present", 1.0, (hit,), self.version))
        return out
