"""Phrase lexicons (TSV data files shipped in the package) and the matcher that finds them.

A lexicon file is ``lexicons/<language>/<category>.tsv``::

    # comment lines start with '#'
    phrase<TAB>weight<TAB>tag

``weight`` (default 1) and ``tag`` (a sub-kind, e.g. ``thanks`` / ``offer_help``) are
optional. Phrases are folded exactly as messages are (see ``fold``), so spelling variants
need not be listed. A word ending in ``*`` matches any word starting with it
(``ممنون*`` matches ممنونم, ممنونیم). Matching is on whole words, longest phrase first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from ._normalize import fold
from ._tokenize import MATCH_TOKEN_RE

_PHRASE_TOKEN_RE = re.compile(f"({MATCH_TOKEN_RE.pattern})(\\*?)")


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon phrase, as tokens of the matching key."""

    phrase: str
    tokens: tuple[str, ...]
    prefix: tuple[bool, ...]  # token i matches any word starting with it
    category: str
    language: str
    weight: float = 1.0
    tag: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    first: int  # index of the first token
    last: int  # index of the last token (inclusive)
    exact: int = 0  # how many of its words matched as written (not via a clitic form)


def phrase_tokens(phrase: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """The folded tokens of a lexicon phrase and which of them are prefixes (``word*``)."""
    key, _ = fold(phrase)  # '*' survives folding, so «نمی توان*» joins like the text does
    found = _PHRASE_TOKEN_RE.findall(key)
    return tuple(t for t, _ in found), tuple(bool(star) for _, star in found)


def parse_lexicon(lines: Iterable[str], category: str, language: str, source: str) -> list[Entry]:
    entries: list[Entry] = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\n\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        phrase = cells[0].strip()
        try:
            weight = float(cells[1]) if len(cells) > 1 and cells[1].strip() else 1.0
        except ValueError as exc:
            raise ConfigError(
                f"{source}:{number}: weight {cells[1]!r} is not a number; fix the lexicon line"
            ) from exc
        tag = cells[2].strip() if len(cells) > 2 else ""
        tokens, prefix = phrase_tokens(phrase)
        if not tokens:
            raise ConfigError(f"{source}:{number}: phrase {phrase!r} has no word; remove it")
        entries.append(Entry(phrase, tokens, prefix, category, language, weight, tag))
    return entries


def _lexicon_root() -> Path:
    return Path(str(resources.files("sanjeh.text") / "lexicons"))


#: categories whose phrases are cues read together (sarcasm: "wrong" beside a "thanks"), not
#: a sense of the word: they do not hide a derived lexicon's entry for the same phrase
CUE_CATEGORIES = frozenset({"sarcasm"})


@lru_cache(maxsize=8)
def load_language(language: str) -> tuple[Entry, ...]:
    """Every entry of every lexicon file shipped for ``language``.

    ``<category>.tsv`` is written by the project; ``<category>.<source>.tsv`` is derived
    from a public lexicon and loaded after it, so a project entry for the same phrase wins.
    """
    folder = _lexicon_root() / language
    if not folder.is_dir():
        raise ConfigError(f"no lexicons for language {language!r}; use one of fa, ar, en")
    entries: list[Entry] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    project_phrases: set[tuple[str, ...]] = set()
    for path in sorted(folder.glob("*.tsv"), key=lambda p: (p.name.count("."), p.name)):
        category = path.name.split(".")[0]
        derived = path.name.count(".") > 1
        with path.open(encoding="utf-8") as handle:
            for entry in parse_lexicon(handle, category, language, str(path)):
                # a phrase the project lists anywhere (e.g. «یکم» as a downtoner) is
                # not also taken from a derived lexicon (where «یکم» is "first")
                if (category, entry.tokens) in seen or (
                    derived and entry.tokens in project_phrases
                ):
                    continue
                seen.add((category, entry.tokens))
                if not derived and category not in CUE_CATEGORIES:
                    project_phrases.add(entry.tokens)
                entries.append(entry)
    return tuple(entries)


@lru_cache(maxsize=1)
def lexicon_digest() -> str:
    """Short hash of all shipped lexicon files: part of every analyzer's version."""
    digest = hashlib.sha256()
    root = _lexicon_root()
    for path in sorted(root.rglob("*.tsv")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


# -- affixes: tried when a word is not in the lexicon as written ---------------------
# Only forms of the matching key (ي->ی, ك->ک, ة->ه) appear here.
_FA_SUFFIXES = (
    "هایی", "های", "ها", "ترین", "تر", "شون", "تون", "مون", "است", "ست", "اش", "یم",
    "ید", "ند", "یه", "شم", "ه", "ی", "م", "ش", "س",
)  # fmt: skip
_AR_PREFIXES = ("وبال", "وال", "بال", "فال", "لل", "ال", "و", "ف", "ب", "ل")
_AR_SUFFIXES = ("کم", "ها", "هم", "نا", "ین", "ون", "ات", "ه", "ی", "ک")
_EN_SUFFIXES = ("s",)


def word_forms(token: str, language: str) -> tuple[str, ...]:
    """The word and the forms left by removing a common clitic or suffix."""
    forms = [token]
    if language == "fa":
        bases = [token]
        # «نمی‌ارزه» is looked up as «می‌ارزه»; the sentiment rules see the نمی and negate
        if token.startswith("نمی") and len(token) > 5:
            bases.append(token[1:])
        for base in bases:
            for suffix in _FA_SUFFIXES:
                if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                    stem = base[: -len(suffix)]
                    forms.append(stem)
                    # a second clitic: «کیفیتیه» -> «کیفیتی» -> «کیفیت»
                    if stem.endswith(("ی", "ه")) and len(stem) > 3:
                        forms.append(stem[:-1])
        forms.extend(bases[1:])
        forms = list(dict.fromkeys(forms))
    elif language == "ar":
        # a proclitic or an enclitic, not both: stripping both turns too many words into
        # other words («لعيبه» "players" is not «عيب» "shame")
        for prefix in _AR_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 3:
                forms.append(token[len(prefix) :])
                break
        for suffix in _AR_SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                forms.append(token[: -len(suffix)])
                break
    elif language == "en":
        for suffix in _EN_SUFFIXES:
            if token.endswith(suffix) and len(token) > 3:
                forms.append(token[: -len(suffix)])
    return tuple(forms)


class PhraseMatcher:
    """Finds lexicon phrases in token sequences in one pass.

    Entries are indexed by their first word, and multi-word entries by their first two
    words, so a message costs a few dict lookups per token whatever the lexicon size.
    """

    def __init__(self, entries: Iterable[Entry], language: str) -> None:
        self.language = language
        self._single: dict[str, list[Entry]] = {}
        self._pair: dict[tuple[str, str], list[Entry]] = {}
        self._pair_open: dict[str, list[Entry]] = {}  # second word is a prefix (word*)
        self._prefix: dict[str, list[Entry]] = {}  # first word is a prefix
        for entry in entries:
            head = entry.tokens[0]
            if entry.prefix[0]:
                self._prefix.setdefault(head, []).append(entry)
            elif len(entry.tokens) == 1:
                self._single.setdefault(head, []).append(entry)
            elif entry.prefix[1]:
                self._pair_open.setdefault(head, []).append(entry)
            else:
                self._pair.setdefault((head, entry.tokens[1]), []).append(entry)
        self._prefix_lengths = sorted({len(k) for k in self._prefix})
        self._forms: dict[str, tuple[str, ...]] = {}

    def forms(self, token: str) -> tuple[str, ...]:
        found = self._forms.get(token)
        if found is None:
            found = word_forms(token, self.language)
            if len(self._forms) < 200_000:  # bounded cache of the vocabulary seen
                self._forms[token] = found
        return found

    @staticmethod
    def _rest_matches(
        entry: Entry, all_forms: Sequence[tuple[str, ...]], i: int, start: int
    ) -> bool:
        if i + len(entry.tokens) > len(all_forms):
            return False
        for k in range(start, len(entry.tokens)):
            want = entry.tokens[k]
            forms = all_forms[i + k]
            if entry.prefix[k]:
                if not forms[0].startswith(want):
                    return False
            elif want not in forms:
                return False
        return True

    def match(self, tokens: Sequence[str]) -> list[Hit]:
        """Every phrase occurrence; overlaps within one category resolved longest-first."""
        all_forms = [self.forms(t) for t in tokens]
        n = len(tokens)
        found: list[tuple[Entry, int]] = []
        single, pair, pair_open = self._single, self._pair, self._pair_open
        for i, forms in enumerate(all_forms):
            following = all_forms[i + 1] if i + 1 < n else ()
            for form in forms:
                entries = single.get(form)
                if entries:
                    found.extend((e, i) for e in entries)
                for nxt in following:
                    entries = pair.get((form, nxt))
                    if entries:
                        found.extend(
                            (e, i) for e in entries if self._rest_matches(e, all_forms, i, 2)
                        )
                if following:
                    entries = pair_open.get(form)
                    if entries:
                        found.extend(
                            (e, i) for e in entries if self._rest_matches(e, all_forms, i, 1)
                        )
            if self._prefix_lengths:
                word = forms[0]
                for length in self._prefix_lengths:
                    if length > len(word):
                        break
                    entries = self._prefix.get(word[:length])
                    if entries:
                        found.extend(
                            (e, i) for e in entries if self._rest_matches(e, all_forms, i, 1)
                        )
        hits = []
        for entry, i in found:
            size = len(entry.tokens)
            exact = sum(1 for k in range(size) if entry.tokens[k] == tokens[i + k])
            hits.append(Hit(entry, i, i + size - 1, exact))
        return _resolve(hits)


def _resolve(hits: list[Hit]) -> list[Hit]:
    if len(hits) < 2:
        return hits
    # longest first; of two phrases on the same words, the one written like the text wins
    # («کار نمیکنه» over «کار میکنه» matched through its negated verb)
    hits.sort(key=lambda h: (h.entry.category, -(h.last - h.first), -h.exact, h.first))
    kept: list[Hit] = []
    taken: dict[str, set[int]] = {}
    for hit in hits:
        used = taken.setdefault(hit.entry.category, set())
        span = range(hit.first, hit.last + 1)
        if used.isdisjoint(span):
            used.update(span)
            kept.append(hit)
    kept.sort(key=lambda h: h.first)
    return kept


@lru_cache(maxsize=8)
def matcher_for(language: str) -> PhraseMatcher:
    return PhraseMatcher(load_language(language), language)
