"""Sentiment polarity in -1..1 from the sentiment lexicons, with negation, intensifiers and
contrast ("but"), optionally blended with a shipped linear model for a language."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ._lexicon import Hit
from ._linear import LinearTextModel, load_linear
from ._normalize import fold
from ._rules import _same_clause, intensity, negated, rules_version
from ._sarcasm import sarcasm_cues
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
# A sarcastic "thanks" is a complaint: at least as negative as one plain negative word.
SARCASM_POLARITY = 0.45
SARCASM_CONFIDENCE = 0.7
# Where the lexicon's reading rests on single words, none negated, a shipped model's
# p(positive) - p(negative) is added with this weight (chosen on the dev splits,
# docs/evaluation.md): a lone word is often read out of its sense in a tweet, while
# phrases and negations («لا مشكلة», "not bad") are what the lexicon knows better.
MODEL_BLEND = {"ar": 1.0}
# An Arabic negator (لا، ما، لم، مش، غير، ولا …) governs the word right after it, or the one
# after a copula («ما كان حلو», «لم يكن جيدا»). Further away it is usually something else:
# a relative «ما» («كل ما ادفع يطلع خطأ», «بعد ما خلص الشغل الممل»), «ولا» in a comparison
# («الزحمة ولا يوم القيامة بقالي ساعتين») or a negated verb whose object carries the
# sentiment («لم يرد الموظف الغبي»). Chosen on the dev splits (docs/evaluation.md);
# other languages keep the shared three-word reach of ``_rules.negated``.
_AR_COPULAS = frozenset(
    fold(word)[0]
    for word in (
        *("كان", "كانت", "كانوا", "كنت", "يكن", "تكن", "يكون", "تكون", "يكونوا"),
        *("يبدو", "تبدو", "بقى", "بقت", "بقا", "صار", "صارت", "عاد"),
        *("هو", "هي", "ده", "دي", "دا", "هذا", "هذه"),
    )
)
# Text emoticons: the tokenizer keeps pictographic emoji (they are lexicon entries) but
# drops punctuation, so ":)" / ":(" are read here, each as much as one plain word.
# (also glued to a word, «حلو:)»; ":D" not inside a word such as ":Dr")
_EMOTICON_RE = re.compile(r"(?<![:;=])(?:([:;=]-?(?:[)\]]+|D+(?!\w))|\(+-?[:;=])|([:=]'?-?[(\[]+))")
EMOTICON_WEIGHT = 1.0
EMOTICON_LANGUAGES = frozenset({"ar"})  # measured on Arabic only so far


def _negated(doc: Doc, hit: Hit) -> bool:
    """``_rules.negated``, with the Arabic negator's reach narrowed to the next word."""
    if hit.entry.language != "ar":
        return negated(doc, hit)
    for neg in doc.hits_of("negator"):
        if neg.entry.language != "ar" or (hit.first <= neg.first and neg.last <= hit.last):
            continue
        gap = hit.first - neg.last
        if (gap == 1 or (gap == 2 and doc.tokens[neg.last + 1] in _AR_COPULAS)) and (
            _same_clause(doc, neg.last, hit.first)
        ):
            return True
    return False


def _weight(doc: Doc, hit: Hit, contrast_at: list[int]) -> float:
    w = hit.entry.weight * intensity(doc, hit)
    if _negated(doc, hit):
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
    if doc.language in EMOTICON_LANGUAGES:
        for m in _EMOTICON_RE.finditer(doc.text):
            happy = m.group(1) is not None
            total += EMOTICON_WEIGHT if happy else -EMOTICON_WEIGHT
            count += 1
            label = "positive" if happy else "negative"
            evidence.append(Evidence(m.start(), m.end(), m.group(), label))
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
class Decision:
    """A sentiment decision: label, polarity, confidence and what decided it."""

    label: str  # positive / negative / neutral
    score: float  # polarity -1..1; 0 for neutral
    confidence: float  # 0..1, how sure the deciding source is of the label
    evidence: tuple[Evidence, ...]
    source: str  # lexicon / lexicon+model / model / sarcasm / none


def _label(score: float) -> str:
    if score >= NEUTRAL_BAND:
        return "positive"
    return "negative" if score <= -NEUTRAL_BAND else "neutral"


@dataclass(frozen=True)
class SentimentAnalyzer:
    """Customer sentiment per message: positive / negative / neutral, a polarity in -1..1
    and a confidence -- a decision for every message, never an abstention.

    The lexicons decide whenever they find sentiment (confidence ``(1 + |polarity|) / 2``);
    in a language listed in ``MODEL_BLEND``, a reading that rests on single un-negated
    words gets the model's ``p(positive) - p(negative)`` added.
    Where they find none (or their phrases cancel out) and a model is shipped for the
    message's language (see docs/text.md), the model decides: its most probable class,
    "neutral" included where the model has that class, with that class's probability as
    the confidence. With neither, the message is neutral with confidence 0.5 ("no opinion
    found"). The lexicon goes first because it handles negation («لا مشكلة», «مشکلی نیست»)
    and support phrasing that a model trained on reviews or tweets gets wrong. A positive
    or neutral reading with sarcasm cues -- praise or thanks beside an unresolved complaint
    ("thanks for making me wait 3 days") -- is turned negative, the cues shown as evidence.
    """

    name: str = "sentiment"
    roles: frozenset[str] = CUSTOMER_ROLES
    version: str = ""
    use_models: bool = True
    models: dict[str, LinearTextModel | None] = field(default_factory=dict)
    detect_sarcasm: bool = True

    def _model(self, language: str) -> LinearTextModel | None:
        if not self.use_models:
            return None
        if language in self.models:
            return self.models[language]
        return shipped_model(language) if language in ("fa", "ar", "en") else None

    def decide(self, doc: Doc) -> Decision:
        score, evidence, _ = lexicon_polarity(doc)
        model = self._model(doc.language) if doc.tokens else None
        source = "lexicon"
        weight = MODEL_BLEND.get(doc.language, 0.0)
        if model is not None and weight and _label(score) != "neutral" and _plain_words(doc):
            probs = model.probabilities(doc.text)
            blended = score + weight * (probs.get("positive", 0.0) - probs.get("negative", 0.0))
            if _label(blended) != "neutral":
                score, source = blended, "lexicon+model"
        label = _label(score)
        decision = Decision("neutral", 0.0, 0.5, tuple(evidence), "none")
        if label != "neutral":
            strength = min(1.0, abs(score))
            decision = Decision(label, score, (1.0 + strength) / 2.0, tuple(evidence), source)
        elif model is not None:
            decision = _model_decision(model, doc.text, tuple(evidence))
        if self.detect_sarcasm and decision.label != "negative":
            cues = sarcasm_cues(doc)
            if cues:
                decision = Decision(
                    "negative",
                    -max(abs(decision.score), SARCASM_POLARITY),
                    SARCASM_CONFIDENCE,
                    decision.evidence + tuple(cues),
                    "sarcasm",
                )
        return replace(decision, score=max(-1.0, min(1.0, decision.score)))

    def polarity(self, doc: Doc) -> tuple[float, list[Evidence]]:
        decision = self.decide(doc)
        return decision.score, list(decision.evidence)

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        version = self.version or rules_version() + ("+model" if self.use_models else "")
        out: list[Signal] = []
        for doc in docs:
            d = self.decide(doc)
            out.append(
                Signal(
                    self.name,
                    d.label,
                    round(d.score, 4),
                    d.evidence,
                    version,
                    round(d.confidence, 4),
                )
            )
        return out


def _plain_words(doc: Doc) -> bool:
    """Every sentiment phrase found is one word and none is negated."""
    return all(h.first == h.last and not _negated(doc, h) for h in doc.hits_of("sentiment"))


def _model_decision(model: LinearTextModel, text: str, evidence: tuple[Evidence, ...]) -> Decision:
    probs = model.probabilities(text)
    label = max(probs, key=lambda k: probs[k])
    if label not in ("positive", "negative"):
        return Decision("neutral", 0.0, probs[label], evidence, "model")
    score = probs.get("positive", 0.0) - probs.get("negative", 0.0)
    # keep the polarity on the label's side of the neutral band
    score = math.copysign(max(abs(score), NEUTRAL_BAND), 1.0 if label == "positive" else -1.0)
    return Decision(label, score, probs[label], evidence, "model")
