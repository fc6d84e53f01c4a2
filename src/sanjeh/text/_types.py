"""The plug-in interface: what an analyzer gets (``Doc``) and returns (``Signal``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ._lexicon import Hit, matcher_for
from ._normalize import fold
from ._tokenize import MATCH_TOKEN_RE

ROLES = ("customer", "agent", "bot")
AGENT_ROLES = frozenset({"agent", "bot"})
CUSTOMER_ROLES = frozenset({"customer"})
ALL_ROLES = frozenset(ROLES)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The span of the original text that triggered a signal (``text[start:end]``)."""

    start: int
    end: int
    text: str
    tag: str = ""  # sub-kind, e.g. "thanks" / "offer_help" for a closing
    message: int | None = None  # in conversation-level signals: index of the message

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if self.tag:
            out["tag"] = self.tag
        if self.message is not None:
            out["message"] = self.message
        return out


@dataclass(frozen=True, slots=True)
class Signal:
    """One analyzer's verdict on one message (or conversation).

    ``label`` is the analyzer's category (``present`` / ``absent`` for the phrase
    analyzers, ``positive`` / ``negative`` / ``neutral`` for sentiment …); ``score`` is its
    strength (0..1, or -1..1 for polarities, 0..100 for the quality score).
    ``confidence`` (0..1), where an analyzer gives one, is how sure it is of ``label``.
    """

    analyzer: str
    label: str
    score: float
    evidence: tuple[Evidence, ...] = ()
    version: str = ""
    confidence: float | None = None

    @property
    def present(self) -> bool:
        return self.label not in ("absent", "none", "neutral")

    def as_dict(self) -> dict[str, Any]:
        return {
            "analyzer": self.analyzer,
            "label": self.label,
            "score": self.score,
            "evidence": [e.as_dict() for e in self.evidence],
            "version": self.version,
        } | ({} if self.confidence is None else {"confidence": self.confidence})


_QUESTION_RE = re.compile("[?؟]")


@dataclass(slots=True)
class Doc:
    """A message prepared once and shared by every analyzer that looks at it."""

    text: str
    language: str
    role: str | None = None
    key: str = ""
    offsets: list[int] | None = None
    tokens: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # token spans in ``key``
    hits: list[Hit] = field(default_factory=list)
    by_category: dict[str, list[Hit]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, text: str, language: str, role: str | None, extra_languages: Sequence[str]
    ) -> Doc:
        key, offsets = fold(text)
        tokens: list[str] = []
        spans: list[tuple[int, int]] = []
        for m in MATCH_TOKEN_RE.finditer(key):
            tokens.append(m.group())
            spans.append(m.span())
        hits: list[Hit] = []
        for lang in dict.fromkeys((language, *extra_languages)):
            if lang in ("fa", "ar", "en"):
                hits.extend(matcher_for(lang).match(tokens))
        if len(extra_languages) and hits:
            # the same emoji or loanword in two lexicons is one phrase, not two
            unique = {(h.entry.category, h.first, h.last): h for h in reversed(hits)}
            hits = sorted(unique.values(), key=lambda h: h.first)
        by_category: dict[str, list[Hit]] = {}
        for hit in hits:
            by_category.setdefault(hit.entry.category, []).append(hit)
        return cls(text, language, role, key, offsets, tokens, spans, hits, by_category)

    def original_span(self, first: int, last: int) -> tuple[int, int]:
        """Offsets in ``text`` of tokens ``first..last`` (inclusive)."""
        start = self.spans[first][0]
        end = self.spans[last][1]
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1

    def evidence(self, hit: Hit) -> Evidence:
        start, end = self.original_span(hit.first, hit.last)
        return Evidence(start, end, self.text[start:end], hit.entry.tag)

    def hits_of(self, category: str) -> list[Hit]:
        return self.by_category.get(category, [])

    @property
    def is_question(self) -> bool:
        return _QUESTION_RE.search(self.text) is not None


@runtime_checkable
class Analyzer(Protocol):
    """What every analyzer -- rules, a trained model, a local transformer or an LLM
    endpoint -- provides. ``roles`` says whose messages it reads (``agent`` / ``bot`` /
    ``customer``); ``analyze`` returns one ``Signal`` per doc, in order."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def roles(self) -> frozenset[str]: ...

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]: ...
