"""Sentiment polarity in -1..1 from the sentiment lexicons, with negation, intensifiers and
contrast ("but"), optionally blended with a shipped linear model for a language."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ._lexicon import Hit
from ._linear import LinearTextModel, load_linear
from ._rules import intensity, negated, rules_version
from ._types import CUSTOMER_ROLES, Doc, Evidence, Signal

#: |polarity| below this is "neutral"
NEUTRAL_BAND = 0.05
# polarity = x / sqrt(x^2 + ALPHA): one plain word of weight 1 gives ±0.45, 2 gives ±0.71
ALPHA = 4.0
# A negated negative is only mildly positive ("not bad"), a negated positive is clearly
# negative ("not good"): the asymmetry found in the sentiment literature (VADER uses -0.74).
NEGATED_NEGATIVE = -0.5
NEGATED_POSITIVE = -0.75
# After "but" / «ولی» / «لكن» the speaker's real opinion follows.
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5


def _weight(doc: Doc, hit: Hit, contrast_at: list[int]) -> float:
    w = hit.entry.weight * intensity(doc, hit)
    if negated(doc, hit):
        w *= NEGATED_NEGATIVE if w < 0 else NEGATED_POSITIVE
    if contrast_at:
        if any(c > hit.last for c in contrast_at):
            w *= BEFORE_CONTRAST
        elif any(c < hit.first for c in contrast_at):
            w *= AFTER_CONTRAST
    return w


def lexicon_polarity(doc: Doc) -> tuple[float, list[Evidence], int]:
    """(polarity, evidence, number of sentiment phrases) from the lexicons alone."""
    contrast_at = [h.first for h in doc.hits_of("contrast")]
    total = 0.0
    evidence: list[Evidence] = []
    count = 0
    for hit in doc.hits_of("sentiment"):
        w = _weight(doc, hit, contrast_at)
        total += w
        count += 1
        ev = doc.evidence(hit)
        evidence.append(Evidence(ev.start, ev.end, ev.text, "positive" if w > 0 else "negative"))
    if total == 0.0:
        return 0.0, evidence, count
    return total / math.sqrt(total * total + ALPHA), evidence, count


def _models_root() -> Path:
    return Path(str(resources.files("sanjeh.text") / "models"))


@lru_cache(maxsize=4)
def shipped_model(language: str) -> LinearTextModel | None:
    """The sentiment model shipped for ``language``, if any (see docs/text.md)."""
    path = _models_root() / f"sentiment-{language}.json"
    return load_linear(path) if path.is_file() else None


@dataclass(frozen=True)
class SentimentAnalyzer:
    """Customer sentiment per message: label positive / negative / neutral, score -1..1.

    The lexicons decide whenever they find sentiment; where they find none (or their
    phrases cancel out) and a model is shipped for the message's language (see
    docs/text.md), the model decides with ``2 p(positive) - 1``. The lexicon goes first
    because it handles negation («لا مشكلة», «مشکلی نیست») and support phrasing that a
    model trained on tweets or reviews gets wrong.
    """

    name: str = "sentiment"
    roles: frozenset[str] = CUSTOMER_ROLES
    version: str = ""
    use_models: bool = True
    models: dict[str, LinearTextModel | None] = field(default_factory=dict)

    def _model(self, language: str) -> LinearTextModel | None:
        if not self.use_models:
            return None
        if language in self.models:
            return self.models[language]
        return shipped_model(language) if language in ("fa", "ar", "en") else None

    def polarity(self, doc: Doc) -> tuple[float, list[Evidence]]:
        score, evidence, _ = lexicon_polarity(doc)
        if score == 0.0:
            model = self._model(doc.language)
            if model is not None and "positive" in model.labels and doc.tokens:
                score = 2.0 * model.probabilities(doc.text)["positive"] - 1.0
        return max(-1.0, min(1.0, score)), evidence

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        version = self.version or rules_version() + ("+model" if self.use_models else "")
        out: list[Signal] = []
        for doc in docs:
            score, evidence = self.polarity(doc)
            if score >= NEUTRAL_BAND:
                label = "positive"
            elif score <= -NEUTRAL_BAND:
                label = "negative"
            else:
                label = "neutral"
            out.append(Signal(self.name, label, round(score, 4), tuple(evidence), version))
        return out
