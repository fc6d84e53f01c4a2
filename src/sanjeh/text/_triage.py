"""Category and priority of a customer's message at intake, with the cues that decided.

    triage("سایت از صبح بالا نمیاد، فوری رسیدگی کنید")
    # Triage(category="technical", priority="urgent", reasons=(Reason("outage", "بالا نمیاد"),
    #        Reason("urgent", "فوری"), …))

Rules, not a model: cue phrases per language in ``triage/<language>.tsv`` (the lexicon
format of ``_lexicon``: ``phrase<TAB>weight<TAB>kind``), matched on the project's
matching key (``fold``: ي/ك typed in Persian, ZWNJ, «می کنم» all match), so every
decision can be shown as the words that made it.

- **Category**: the topic cues (``billing``, ``technical``, ``account``, ``delivery``,
  ``complaint``) add their weights; an outage also counts for ``technical``, money at risk
  for ``billing``, a security cue for ``account``. The highest total wins (ties in the
  order of ``CATEGORIES``); no cue: ``other``.
- **Priority**: each priority kind found adds its strongest cue's points once (``urgent``
  2, ``outage`` 2, ``money`` 2-4, ``security`` 3-4, ``impact`` 2, ``churn`` 2, ``legal`` 2,
  ``deadline`` 1, ``repeat`` 1, ``low`` −1): ≥ 4 ``urgent``, ≥ 2 ``high``, < 0 ``low``,
  else ``normal``. A priority cue is not counted when a negator of its language governs
  it in the same clause ("not urgent", «فوری نیست», «غير عاجل»).
- A cue inside a longer cue of the same sort (topic or priority) does not count ("urgent"
  inside "not urgent"); nor does any cue inside an ``ignore`` phrase («قطع کرد»: hung up,
  not an outage, is listed as a complaint cue and an ``ignore``).

These are the cues the project wrote for fa / ar / en support messages; their accuracy on
a labelled set is in docs/text.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import ConfigError, ValidationError
from ._langid import detect_language, scripts
from ._lexicon import Entry, Hit, PhraseMatcher, load_language, parse_lexicon
from ._normalize import fold
from ._tokenize import MATCH_TOKEN_RE

#: in the order ties are broken; "other" when no topic cue is found
CATEGORIES = ("billing", "account", "technical", "delivery", "complaint", "other")
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_KINDS = (
    "urgent", "outage", "money", "security", "impact", "deadline", "churn", "legal",
    "repeat", "low",
)  # fmt: skip
IGNORE = "ignore"
#: a priority cue that also says what the message is about
IMPLIED_CATEGORY = {"outage": "technical", "money": "billing", "security": "account"}
IMPLIED_WEIGHT = 2.0
URGENT_AT = 4.0
HIGH_AT = 2.0
#: how far a negator reaches (tokens), as the sentiment rules
NEGATION_WINDOW = 3
_LANGUAGES = ("fa", "ar", "en")
_CLAUSE_BREAK = re.compile(r"[.!?;:,\n]")  # (fold turns ، ؛ ؟ into , ; ?)


@dataclasses.dataclass(frozen=True, slots=True)
class Reason:
    """One cue found in the message: its kind, the words as written and where."""

    kind: str
    text: str
    start: int
    end: int
    weight: float

    @property
    def about_priority(self) -> bool:
        return self.kind in PRIORITY_KINDS

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "weight": self.weight,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Triage:
    """What ``triage`` decided: ``category``, ``priority`` and the ``reasons`` (every cue
    that counted, in the order of the text)."""

    category: str
    priority: str
    reasons: tuple[Reason, ...] = ()
    language: str = ""
    #: the sum of the priority points (see the module doc)
    points: float = 0.0

    @property
    def priority_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.about_priority)

    @property
    def category_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.about_priority)

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "priority": self.priority,
            "language": self.language,
            "points": self.points,
            "reasons": [r.as_dict() for r in self.reasons],
        }


# -- the cue lexicons ---------------------------------------------------------------------


def _is_priority(kind: str) -> bool:
    return kind in PRIORITY_KINDS


def parse_cues(lines: Iterable[str], language: str, source: str) -> list[Entry]:
    """Triage cue lines (``phrase<TAB>weight<TAB>kind``) as lexicon entries whose
    category is their kind."""
    kinds = {*CATEGORIES[:-1], *PRIORITY_KINDS, IGNORE}
    entries = []
    for entry in parse_lexicon(lines, "triage", language, source):
        if entry.tag not in kinds:
            raise ConfigError(
                f"{source}: phrase {entry.phrase!r} has kind {entry.tag!r}; "
                f"use one of {', '.join(sorted(kinds))}"
            )
        entries.append(dataclasses.replace(entry, category=entry.tag))
    return entries


@lru_cache(maxsize=4)
def cue_entries(language: str) -> tuple[Entry, ...]:
    """The triage cues shipped for ``language`` (``triage/<language>.tsv``: outside
    ``lexicons/``, so changing them does not change the analyzers' version)."""
    if language not in _LANGUAGES:
        raise ConfigError(f"no triage cues for language {language!r}; use one of fa, ar, en")
    path = resources.files("sanjeh.text") / "triage" / f"{language}.tsv"
    return tuple(parse_cues(path.read_text("utf-8").splitlines(), language, str(path)))


@lru_cache(maxsize=4)
def _cue_matcher(language: str) -> PhraseMatcher:
    return PhraseMatcher(cue_entries(language), language)


@lru_cache(maxsize=4)
def _negator_matcher(language: str) -> PhraseMatcher:
    negators = [e for e in load_language(language) if e.category == "negator"]
    return PhraseMatcher(negators, language)


# -- matching -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Text:
    """A message's matching key, its tokens and the map back to the original."""

    text: str
    key: str
    offsets: list[int] | None
    tokens: list[str]
    spans: list[tuple[int, int]]

    @classmethod
    def of(cls, text: str) -> _Text:
        key, offsets = fold(text)
        found = list(MATCH_TOKEN_RE.finditer(key))
        return cls(text, key, offsets, [m.group() for m in found], [m.span() for m in found])

    def original(self, first: int, last: int) -> tuple[int, int]:
        start, end = self.spans[first][0], self.spans[last][1]
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1

    def clause_break(self, left: int, right: int) -> bool:
        """Whether punctuation separates token ``left`` from the later token ``right``."""
        return bool(_CLAUSE_BREAK.search(self.key, self.spans[left][1], self.spans[right][0]))


def _inside(inner: Hit, outer: Hit) -> bool:
    return (
        outer.first <= inner.first
        and inner.last <= outer.last
        and (outer.last - outer.first) > (inner.last - inner.first)
    )


def _kept(hits: list[Hit]) -> list[Hit]:
    """Drop a cue inside a longer one of the same sort, or inside an ``ignore`` phrase;
    and the same cue found through two languages' lists."""
    unique = {(h.entry.category, h.first, h.last): h for h in hits}
    hits = list(unique.values())
    kept = []
    for hit in hits:
        sort = _is_priority(hit.entry.category)
        if not any(
            _inside(hit, other)
            and (other.entry.category == IGNORE or _is_priority(other.entry.category) == sort)
            for other in hits
        ):
            kept.append(hit)
    return [h for h in kept if h.entry.category != IGNORE]


def _negator_of(msg: _Text, hit: Hit, negators: list[Hit], cues: list[Hit]) -> Hit | None:
    """The negator that governs the priority cue ``hit``, if one does: before it; in
    Persian also a negative verb after it, or the cue's own verb written negated
    («نمی‌…»: the cue itself is returned)."""
    language = hit.entry.language
    if language == "fa":
        for k in range(hit.first, hit.last + 1):
            own = hit.entry.tokens[k - hit.first]
            if msg.tokens[k].startswith("نمی") and not own.startswith("نمی"):
                return hit
    for neg in negators:
        if neg.entry.language != language:
            continue
        # a negator that is part of a cue («لا يعمل», "not working", «ما زال») is that cue's
        if any(c.first <= neg.first and neg.last <= c.last for c in cues):
            continue
        if neg.entry.tag == "post":
            distance = neg.first - hit.last
            if 0 < distance <= NEGATION_WINDOW and not msg.clause_break(hit.last, neg.first):
                return neg
        else:
            distance = hit.first - neg.last
            if 0 < distance <= NEGATION_WINDOW and not msg.clause_break(neg.last, hit.first):
                return neg
    return None


def _languages(msg: _Text, language: str | None) -> tuple[str, tuple[str, ...]]:
    """The message's language and the cue lists to match: its own, English as well for
    Latin words inside Persian or Arabic ("VPN", "login"), all three when unknown."""
    found = language if language is not None else _detect(msg)
    if found not in _LANGUAGES:
        return found, _LANGUAGES
    if found != "en" and scripts(msg.text)[1]:
        return found, (found, "en")
    return found, (found,)


def _detect(msg: _Text) -> str:
    """``detect_language``, except that Arabic-script text goes to the language whose
    cues cover more of its words: Persian typed with Arabic ي / ك and no letter only
    Persian has («حسابم هك شده، فوري») is often taken for Arabic by its letters."""
    found = detect_language(msg.text)
    if found not in ("fa", "ar"):
        return found
    other = "ar" if found == "fa" else "fa"

    def covered(language: str) -> int:
        hits = _cue_matcher(language).match(msg.tokens)
        return len({k for h in hits for k in range(h.first, h.last + 1)})

    return other if covered(other) > covered(found) else found


# -- deciding -------------------------------------------------------------------------------


def _category(cues: list[Hit]) -> str:
    scores = dict.fromkeys(CATEGORIES[:-1], 0.0)
    counted: set[tuple[str, tuple[str, ...]]] = set()
    for hit in cues:
        kind = hit.entry.category
        target = kind if kind in scores else IMPLIED_CATEGORY.get(kind)
        if target is None or (target, hit.entry.tokens) in counted:
            continue  # the same phrase twice says nothing new
        counted.add((target, hit.entry.tokens))
        scores[target] += hit.entry.weight if kind == target else IMPLIED_WEIGHT
    best = max(scores.values())
    if best <= 0:
        return "other"
    return next(c for c in CATEGORIES if scores.get(c) == best)


def _points(cues: list[Hit]) -> float:
    strongest: dict[str, float] = {}
    for hit in cues:
        kind, weight = hit.entry.category, hit.entry.weight
        if _is_priority(kind) and abs(weight) > abs(strongest.get(kind, 0.0)):
            strongest[kind] = weight
    return sum(strongest.values())


def priority_of(points: float) -> str:
    if points >= URGENT_AT:
        return "urgent"
    if points >= HIGH_AT:
        return "high"
    return "low" if points < 0 else "normal"


def triage(text: str, language: str | None = None) -> Triage:
    """The category and priority of one customer message, and the cues behind them.

    ``language``: fa, ar or en (None: detected; any other: every list is tried).
    """
    if not isinstance(text, str):
        raise ValidationError("text", f"expected a string, got {type(text).__name__}")
    msg = _Text.of(text)
    found, languages = _languages(msg, language)
    hits: list[Hit] = []
    negators: list[Hit] = []
    for lang in languages:
        hits.extend(_cue_matcher(lang).match(msg.tokens))
        negators.extend(_negator_matcher(lang).match(msg.tokens))
    cues = _kept(hits)
    counted = []
    for hit in cues:
        kind = hit.entry.category
        negator = None
        if _is_priority(kind) and hit.entry.weight > 0:
            negator = _negator_of(msg, hit, negators, cues)
        if negator is None:
            counted.append(hit)
        elif kind == "urgent":  # "not urgent", «فوری نیست», «غير عاجل»: it can wait
            entry = dataclasses.replace(hit.entry, category="low", tag="low", weight=-1.0)
            first, last = min(hit.first, negator.first), max(hit.last, negator.last)
            counted.append(Hit(entry, first, last))
    counted.sort(key=lambda h: (h.first, h.last))
    reasons = []
    for hit in counted:
        start, end = msg.original(hit.first, hit.last)
        reasons.append(Reason(hit.entry.category, text[start:end], start, end, hit.entry.weight))
    points = _points(counted)
    return Triage(_category(counted), priority_of(points), tuple(reasons), found, points)


__all__ = [
    "CATEGORIES",
    "PRIORITIES",
    "Reason",
    "Triage",
    "cue_entries",
    "parse_cues",
    "priority_of",
    "triage",
]
