"""The offline default analyzers: phrase lexicons plus a few rules per language."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ._lexicon import Hit, lexicon_digest
from ._types import AGENT_ROLES, CUSTOMER_ROLES, Doc, Evidence, Signal

# 2: a phrase inside a longer one of the other polarity is dropped
# 3: a negator reaches only within its clause ("Oh no! I'm so sorry" is an apology)
RULES_VERSION = "3"

# How far a negator reaches: "we can not really help" / «مشکلی هم نیست».
PRE_NEGATION_WINDOW = 3
POST_NEGATION_WINDOW = 3
# What ends a negator's clause: sentence ends, semicolons, commas and line breaks
# (fold turns ، ؛ ؟ into , ; ?; the originals are listed for an unfolded key).
_CLAUSE_BREAK_RE = re.compile("[.!?;,\n\r\u2026\u060c\u061b\u061f]")


def rules_version() -> str:
    return f"rules-{RULES_VERSION}+lex.{lexicon_digest()}"


def negated(doc: Doc, hit: Hit) -> bool:
    """Whether a negator of the hit's language governs it.

    English and Arabic negate before the phrase ("not sorry", «مش آسف»); Persian also
    negates after it with a negative verb («مشکلی نیست», «راضی نیستم»). A negator that
    is part of the phrase itself («مشکلی نیست» as a lexicon entry) does not count, nor
    one in another clause: punctuation between them (. ! ? ; , ، ؛ ؟ or a line break)
    stops it ("Not a problem. Have a great day!", "No, I'm sorry").
    """
    language = hit.entry.language
    if language == "fa":
        # a verb written negated («نمی‌ارزه») that matched an affirmative entry («می‌ارزه»)
        for k in range(hit.first, hit.last + 1):
            if doc.tokens[k].startswith("نمی") and not hit.entry.tokens[k - hit.first].startswith(
                "نمی"
            ):
                return True
    for neg in doc.hits_of("negator"):
        entry = neg.entry
        if entry.language != language:
            continue
        if hit.first <= neg.first and neg.last <= hit.last:
            continue
        if entry.tag == "post":
            if 0 < neg.first - hit.last <= POST_NEGATION_WINDOW and _same_clause(
                doc, hit.last, neg.first
            ):
                return True
        elif 0 < hit.first - neg.last <= PRE_NEGATION_WINDOW and _same_clause(
            doc, neg.last, hit.first
        ):
            return True
    return False


def _same_clause(doc: Doc, left: int, right: int) -> bool:
    """No clause break in the text between token ``left`` and the later token ``right``."""
    return _CLAUSE_BREAK_RE.search(doc.key, doc.spans[left][1], doc.spans[right][0]) is None


def intensity(doc: Doc, hit: Hit) -> float:
    """Product of the intensifiers / downtoners right before (or, in Persian and for Arabic
    entries tagged post / both, after) a hit:
    «خیلی ممنونم» is stronger than «ممنون»; "a bit late" is weaker than "late"."""
    factor = 1.0
    for mod in doc.hits_of("intensifier"):
        entry = mod.entry
        if entry.language != hit.entry.language:
            continue
        # Arabic «جدا» follows its word («سيئة جدا»): tag post only after, both either side
        placed_before = entry.tag != "post" and 0 < hit.first - mod.last <= 2
        placed_after = (entry.language == "fa" or entry.tag in ("post", "both")) and (
            0 < mod.first - hit.last <= 1
        )
        if placed_before or placed_after:
            factor *= entry.weight
    return factor


def saturate(total: float) -> float:
    """Map a sum of positive weights to 0..1 (1 - e^-x): one plain phrase of weight 1
    scores 0.63, an intensified or repeated one more, never above 1."""
    return round(1.0 - math.exp(-max(total, 0.0)), 4)


@dataclass(frozen=True)
class PhraseAnalyzer:
    """Present / absent by the phrases of one lexicon category, with their spans."""

    name: str
    category: str
    roles: frozenset[str]
    negatable: bool = True
    version: str = ""

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        version = self.version or rules_version()
        out: list[Signal] = []
        for doc in docs:
            total = 0.0
            evidence: list[Evidence] = []
            for hit in doc.hits_of(self.category):
                if self.negatable and negated(doc, hit):
                    continue
                total += hit.entry.weight * intensity(doc, hit)
                evidence.append(doc.evidence(hit))
            label = "present" if evidence else "absent"
            out.append(Signal(self.name, label, saturate(total), tuple(evidence), version))
        return out


@dataclass(frozen=True)
class FramingAnalyzer:
    """Negative vs positive language: "we can't" / «نمی‌توانیم» / «لا يمكننا» against
    "here is what I can do" / «با کمال میل» / «يسعدني». Score in -1..1.

    ``mixed`` when both sides reach ``mixed_floor`` ("We can't refund it, but we can
    exchange it"), otherwise the balance decides, so a stray weak phrase ("no", 0.2) does
    not turn a positive reply mixed. A lexicon phrase of weight 0 is a guard: it only keeps
    a shorter phrase of its own lexicon from matching ("i can imagine" hides "i can").
    """

    name: str = "language_framing"
    roles: frozenset[str] = AGENT_ROLES
    version: str = ""
    mixed_floor: float = 0.5
    # what ends the sentence of a phrase; fold turns ؟ into ? (the original is listed too)
    _SENTENCE_END: ClassVar[re.Pattern[str]] = re.compile("[.!?\n\r\u2026\u061f]")

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        version = self.version or rules_version()
        out: list[Signal] = []
        for doc in docs:
            pos = neg = 0.0
            evidence: list[Evidence] = []
            framing = doc.hits_of("positive_language") + doc.hits_of("negative_language")
            spans = {id(hit): doc.evidence(hit) for hit in framing}
            for hit in framing:
                category = hit.entry.category
                if hit.entry.weight == 0:
                    continue
                # the longer phrase wins: "we can" inside "we can't" is not positive
                if _inside_other_polarity(hit, framing, spans):
                    continue
                if category == "positive_language" and (
                    # "not a problem" is reassurance, so a negated positive phrase is
                    # dropped rather than turned negative; negative phrases carry their
                    # own negation.
                    negated(doc, hit)
                    # "Can you DM us?" / «می‌تونید شماره رو بفرستید؟» ask, not offer
                    or (hit.entry.tag == "can" and self._in_question(doc, hit))
                ):
                    continue
                ev = doc.evidence(hit)
                if category == "positive_language":
                    pos += hit.entry.weight
                    evidence.append(Evidence(ev.start, ev.end, ev.text, "positive"))
                else:
                    neg += hit.entry.weight
                    evidence.append(Evidence(ev.start, ev.end, ev.text, "negative"))
            if pos == neg == 0:
                out.append(Signal(self.name, "none", 0.0, (), version))
                continue
            score = round((pos - neg) / (pos + neg), 4)
            if min(pos, neg) >= self.mixed_floor:
                label = "mixed"
            else:
                label = "positive" if score > 0.2 else "negative" if score < -0.2 else "mixed"
            out.append(Signal(self.name, label, score, tuple(evidence), version))
        return out

    def _in_question(self, doc: Doc, hit: Hit) -> bool:
        """Whether the sentence holding ``hit`` ends with a question mark."""
        end = self._SENTENCE_END.search(doc.key, doc.spans[hit.last][1])
        return end is not None and end.group() in "?\u061f"


def _inside_other_polarity(hit: Hit, hits: Sequence[Hit], spans: dict[int, Evidence]) -> bool:
    mine = spans[id(hit)]
    for other in hits:
        theirs = spans[id(other)]
        if (
            other.entry.category != hit.entry.category
            and other.entry.weight != 0  # a guard speaks for its own lexicon only
            and theirs.start <= mine.start
            and mine.end <= theirs.end
            and (theirs.end - theirs.start) > (mine.end - mine.start)
        ):
            return True
    return False


@dataclass(frozen=True)
class ActiveListeningAnalyzer:
    """Clarifying questions and restating the customer's problem.

    A clarifying phrase only counts in a question (ends with ? / ؟) unless it is tagged
    ``restate`` ("if I understand correctly"). Paraphrase of the previous customer
    message is measured per conversation (see ``analyze_conversation``).
    """

    name: str = "active_listening"
    roles: frozenset[str] = AGENT_ROLES
    version: str = ""

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        version = self.version or rules_version()
        out: list[Signal] = []
        for doc in docs:
            total = 0.0
            evidence: list[Evidence] = []
            for hit in doc.hits_of("active_listening"):
                if hit.entry.tag == "clarify" and not doc.is_question:
                    continue
                total += hit.entry.weight
                evidence.append(doc.evidence(hit))
            label = "present" if evidence else "absent"
            out.append(Signal(self.name, label, saturate(total), tuple(evidence), version))
        return out


def default_rule_analyzers() -> list[PhraseAnalyzer | FramingAnalyzer | ActiveListeningAnalyzer]:
    from ._commitments import CommitmentAnalyzer  # here: it builds on this module
    from ._rude import RudeAnalyzer

    agent = AGENT_ROLES
    return [
        PhraseAnalyzer("greeting", "greeting", agent),
        PhraseAnalyzer("closing", "closing", agent),
        PhraseAnalyzer("politeness", "politeness", agent),
        PhraseAnalyzer("empathy", "empathy", agent),
        PhraseAnalyzer("apology", "apology", agent),
        FramingAnalyzer(),
        RudeAnalyzer("rude", "rude", agent, negatable=False),
        CommitmentAnalyzer("ownership", "ownership", agent),
        ActiveListeningAnalyzer(),
        CommitmentAnalyzer("follow_up", "follow_up", agent),
        PhraseAnalyzer("wow", "wow", agent),
        PhraseAnalyzer("escalation_request", "escalation", CUSTOMER_ROLES),
    ]
