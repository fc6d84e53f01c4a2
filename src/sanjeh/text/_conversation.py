"""Per-conversation signals and the automatic quality score (0-100).

The quality score is a sum of points, each tied to one observable behaviour, so a
reviewer can see why a conversation scored what it did (``components``):

==========================  ======  ===================================================
component                   points  rule
==========================  ======  ===================================================
greeting                    10      greeting in the first agent message
closing                     10      closing (offer of help / thanks / wish) in the last
politeness                  10      10 x min(1, 2 x share of agent messages with one)
empathy                     10      customer never negative: 10; else 10 if an agent
                                    message after the first negative one shows empathy
                                    or apology, 0 if none does
positive_language           15      15 x positive / (positive + negative) framing
                                    phrases; 10 when there are none
ownership                   10      ownership or a follow-up promise: 10; none: 5;
                                    a promise with no later agent message: 0
active_listening            10      clarifying question, restatement or paraphrase of
                                    the customer: 10; none: 5
customer_outcome            20      10 x (last customer polarity + 1) / 2, plus 10 if
                                    the customer's sentiment improved, 5 if stable or
                                    unknown, 0 if it worsened
wow                         +5      bonus for a "wow" moment (the total is capped at 100)
rude                        -25     per agent message with rude / blaming language
escalation_request          -5      the customer asked for a manager / complained
==========================  ======  ===================================================

With no agent message at all the score is not computed (``None``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import ValidationError
from ._api import MessageAnalysis, prepare, run
from ._rules import rules_version
from ._types import AGENT_ROLES, ROLES, Analyzer, Doc, Evidence, Signal

TREND_THRESHOLD = 0.2  # change in polarity that counts as improving / worsening
PARAPHRASE_OVERLAP = 0.4  # share of the customer's content words the agent repeats
_STOPWORD_TEXT = (
    "the and for you your this that with have has was are not but can our from what "
    "است این آن که را با از به برای های ها شما من ما هم یا تا اگر یک بود شده هست "
    "في من على الى إلى عن هذا هذه التي الذي ما لا مع كان انا أنا انت أنت"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class ConversationAnalysis:
    """Per-message results and the conversation-level signals."""

    messages: tuple[MessageAnalysis, ...]
    signals: tuple[Signal, ...]
    counts: dict[str, int]
    components: dict[str, float] = field(default_factory=dict)
    quality_score: float | None = None
    customer_sentiment_start: float | None = None
    customer_sentiment_end: float | None = None
    customer_sentiment_trend: str = "unknown"  # improving / worsening / stable / unknown

    def get(self, analyzer: str) -> Signal | None:
        for s in self.signals:
            if s.analyzer == analyzer:
                return s
        return None


def _field(message: Any, *names: str) -> Any:
    for name in names:
        if isinstance(message, Mapping):
            if name in message:
                return message[name]
        elif hasattr(message, name):
            return getattr(message, name)
    return None


def _messages(messages: Iterable[Any]) -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for i, m in enumerate(messages):
        role = _field(m, "role", "actor_type")
        text = _field(m, "text", "body")
        if role not in ROLES:
            raise ValidationError(
                f"messages[{i}].role", f"{role!r} is not one of {', '.join(ROLES)}"
            )
        out.append((role, "" if text is None else str(text), _field(m, "timestamp", "at")))
    stamps = [t for _, _, t in out]
    if out and all(isinstance(t, datetime | str) for t in stamps):
        try:
            order = sorted(range(len(out)), key=lambda k: _as_datetime(stamps[k]))
        except (TypeError, ValueError):
            order = list(range(len(out)))  # unparseable or mixed-zone stamps: keep given order
        out = [out[k] for k in order]
    return out


def _as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _sig(analysis: MessageAnalysis, name: str) -> Signal | None:
    return analysis.get(name)


def _present(analysis: MessageAnalysis, name: str) -> bool:
    s = analysis.get(name)
    return s is not None and s.label == "present"


def _content_words(doc: Doc) -> set[str]:
    return {t for t in doc.tokens if len(t) > 2 and t not in _STOPWORDS and not t.isdigit()}


def _with_message(evidence: Iterable[Evidence], index: int) -> tuple[Evidence, ...]:
    return tuple(Evidence(e.start, e.end, e.text, e.tag, index) for e in evidence)


def analyze_conversation(
    messages: Iterable[Mapping[str, Any] | Any],
    *,
    language: str | None = None,
    analyzers: Sequence[Analyzer] | None = None,
    customer_name: str | None = None,
) -> ConversationAnalysis:
    """Analyse one conversation: each message has ``role`` (customer / agent / bot),
    ``text`` and an optional ``timestamp`` (messages are ordered by it when all have one).
    Also accepts event-shaped dicts (``actor_type``, ``body``, ``at``). ``customer_name``
    lets ``personalisation`` look for it in the agents' replies."""
    items = _messages(messages)
    docs = prepare([t for _, t, _ in items], language=language, role=[r for r, _, _ in items])
    results = run(docs, analyzers, None if customer_name is None else [customer_name] * len(docs))
    analyses = tuple(
        MessageAnalysis(d.text, d.language, d.role, tuple(s))
        for d, s in zip(docs, results, strict=True)
    )
    return _summarise(analyses, docs)


def _summarise(analyses: tuple[MessageAnalysis, ...], docs: Sequence[Doc]) -> ConversationAnalysis:
    version = rules_version()
    agent_idx = [i for i, a in enumerate(analyses) if a.role in AGENT_ROLES]
    customer_idx = [i for i, a in enumerate(analyses) if a.role == "customer"]
    signals: list[Signal] = []

    counts: Counter[str] = Counter()
    for a in analyses:
        for s in a.signals:
            if s.present:
                counts[s.analyzer] += 1

    def flag(name: str, index: int | None, analyzer: str) -> bool:
        found = index is not None and _present(analyses[index], analyzer)
        evidence: tuple[Evidence, ...] = ()
        if found and index is not None:
            sig = analyses[index].get(analyzer)
            evidence = _with_message(sig.evidence if sig else (), index)
        signals.append(
            Signal(name, "present" if found else "absent", 1.0 if found else 0.0, evidence, version)
        )
        return found

    greeting = flag("conversation.greeting", agent_idx[0] if agent_idx else None, "greeting")
    closing = flag("conversation.closing", agent_idx[-1] if agent_idx else None, "closing")
    series = [
        (i, polarity.score)
        for i in customer_idx
        if (polarity := analyses[i].get("sentiment")) is not None
    ]
    start, end, trend = _sentiment(series, signals, version)
    empathy_ok = _empathy_when_needed(analyses, agent_idx, series, signals, version)
    paraphrase = _paraphrase(analyses, docs, agent_idx, signals, version)
    kept = _follow_up_kept(analyses, agent_idx, signals, version)
    escalation = _escalation_request(analyses, customer_idx, signals, version)

    components: dict[str, float] = {}
    score: float | None = None
    if agent_idx:
        components = quality_components(
            analyses,
            agent_idx,
            greeting=greeting,
            closing=closing,
            empathy_ok=empathy_ok,
            paraphrase=paraphrase,
            promise_kept=kept,
            end=end,
            trend=trend,
            escalation=escalation,
        )
        score = quality_score(components)
        grade = "good" if score >= 80 else "fair" if score >= 60 else "poor"
        signals.append(Signal("conversation.quality", grade, score, (), version))

    return ConversationAnalysis(
        messages=analyses,
        signals=tuple(signals),
        counts=dict(counts),
        components=components,
        quality_score=score,
        customer_sentiment_start=start,
        customer_sentiment_end=end,
        customer_sentiment_trend=trend,
    )


def _sentiment(
    series: list[tuple[int, float]], signals: list[Signal], version: str
) -> tuple[float | None, float | None, str]:
    """The customer's sentiment at the start and the end, and its trend (signals added)."""
    start = series[0][1] if series else None
    end = series[-1][1] if series else None
    trend = "unknown"
    if len(series) >= 2 and start is not None and end is not None:
        delta = end - start
        trend = (
            "improving"
            if delta >= TREND_THRESHOLD
            else ("worsening" if delta <= -TREND_THRESHOLD else "stable")
        )
    if series:
        for name, label, value in (
            ("start", _polarity_label(start), start or 0.0),
            ("end", _polarity_label(end), end or 0.0),
            ("trend", trend, (end or 0.0) - (start or 0.0)),
        ):
            signals.append(
                Signal(
                    f"conversation.customer_sentiment_{name}", label, round(value, 4), (), version
                )
            )
    return start, end, trend


def _empathy_when_needed(
    analyses: Sequence[MessageAnalysis],
    agent_idx: list[int],
    series: list[tuple[int, float]],
    signals: list[Signal],
    version: str,
) -> bool | None:
    """Whether an agent showed empathy (or apologised) after the customer was first upset
    (None: the customer never was)."""
    first_negative = next((i for i, score in series if score <= -0.05), None)
    if first_negative is None:
        return None
    later = [i for i in agent_idx if i > first_negative]
    shown = [
        i for i in later if _present(analyses[i], "empathy") or _present(analyses[i], "apology")
    ]
    evidence: tuple[Evidence, ...] = ()
    if shown:
        sig = analyses[shown[0]].get("empathy") or analyses[shown[0]].get("apology")
        if sig is not None and sig.label != "present":
            sig = analyses[shown[0]].get("apology")
        evidence = _with_message(sig.evidence if sig else (), shown[0])
    signals.append(
        Signal(
            "conversation.empathy_when_needed",
            "present" if shown else "absent",
            1.0 if shown else 0.0,
            evidence,
            version,
        )
    )
    return bool(shown)


def _paraphrase(
    analyses: Sequence[MessageAnalysis],
    docs: Sequence[Doc],
    agent_idx: list[int],
    signals: list[Signal],
    version: str,
) -> bool:
    """An agent message repeats much of the customer message just before it."""
    found: list[Evidence] = []
    for i in agent_idx:
        if i == 0 or analyses[i - 1].role != "customer":
            continue
        said = _content_words(docs[i - 1])
        if len(said) < 2:
            continue
        repeated = said & _content_words(docs[i])
        if len(repeated) >= 2 and len(repeated) / len(said) >= PARAPHRASE_OVERLAP:
            found.append(Evidence(0, len(docs[i].text), docs[i].text, "paraphrase", i))
    signals.append(
        Signal(
            "conversation.paraphrase",
            "present" if found else "absent",
            1.0 if found else 0.0,
            tuple(found),
            version,
        )
    )
    return bool(found)


def _follow_up_kept(
    analyses: Sequence[MessageAnalysis], agent_idx: list[int], signals: list[Signal], version: str
) -> bool | None:
    """Whether an agent came back after the first follow-up promise (None: no promise)."""
    promises = [i for i in agent_idx if _present(analyses[i], "follow_up")]
    if not promises:
        return None
    kept = any(i > promises[0] for i in agent_idx)
    signals.append(
        Signal("conversation.follow_up_kept", "kept" if kept else "open", float(kept), (), version)
    )
    return kept


def _escalation_request(
    analyses: Sequence[MessageAnalysis],
    customer_idx: list[int],
    signals: list[Signal],
    version: str,
) -> bool:
    """Whether the customer asked for a manager / escalation (with the first request)."""
    asked = [i for i in customer_idx if _present(analyses[i], "escalation_request")]
    if asked:
        sig = analyses[asked[0]].get("escalation_request")
        evidence = _with_message(sig.evidence if sig else (), asked[0])
        signals.append(Signal("conversation.escalation_request", "present", 1.0, evidence, version))
    return bool(asked)


def _polarity_label(score: float | None) -> str:
    if score is None:
        return "unknown"
    return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"


def quality_components(
    analyses: Sequence[MessageAnalysis],
    agent_idx: Sequence[int],
    *,
    greeting: bool,
    closing: bool,
    empathy_ok: bool | None,
    paraphrase: bool,
    promise_kept: bool | None,
    end: float | None,
    trend: str,
    escalation: bool,
) -> dict[str, float]:
    """The points of each component of the quality score (see the module docstring)."""
    agents = [analyses[i] for i in agent_idx]
    polite = sum(1 for a in agents if _present(a, "politeness")) / len(agents)
    pos = neg = 0
    for a in agents:
        framing = a.get("language_framing")
        if framing is not None:
            pos += sum(1 for e in framing.evidence if e.tag == "positive")
            neg += sum(1 for e in framing.evidence if e.tag == "negative")
    owns = any(_present(a, "ownership") or _present(a, "follow_up") for a in agents)
    listens = paraphrase or any(_present(a, "active_listening") for a in agents)
    rude = sum(1 for a in agents if _present(a, "rude"))
    wow = any(_present(a, "wow") for a in agents)

    outcome = 10.0 * ((end if end is not None else 0.0) + 1.0) / 2.0
    outcome += {"improving": 10.0, "worsening": 0.0}.get(trend, 5.0)
    return {
        "greeting": 10.0 if greeting else 0.0,
        "closing": 10.0 if closing else 0.0,
        "politeness": round(10.0 * min(1.0, 2.0 * polite), 2),
        "empathy": 10.0 if empathy_ok in (None, True) else 0.0,
        "positive_language": round(15.0 * pos / (pos + neg), 2) if pos + neg else 10.0,
        "ownership": 0.0 if promise_kept is False else (10.0 if owns else 5.0),
        "active_listening": 10.0 if listens else 5.0,
        "customer_outcome": round(outcome, 2),
        "wow": 5.0 if wow else 0.0,
        "rude": -25.0 * rude,
        "escalation_request": -5.0 if escalation else 0.0,
    }


def quality_score(components: Mapping[str, float]) -> float:
    """Sum of the components, clamped to 0..100."""
    return round(max(0.0, min(100.0, sum(components.values()))), 1)
