"""Conversation analysis in Persian, Arabic and English, offline by default.

    from sanjeh import text
    text.analyze(["سلام، وقت بخیر. خودم پیگیری می‌کنم."], role="agent")
    text.sentiment(["خیلی ممنونم، مشکلم حل شد", "لا يمكننا"])
    text.analyze_conversation([{"role": "customer", "text": "..."}, ...])
    text.redact(["شماره من ۰۹۱۲۳۴۵۶۷۸۹ است"])  # -> ["شماره من [PHONE] است"]
    text.triage("سایت بالا نمیاد، فوری")  # -> Triage(category="technical", priority="urgent", …)
    text.score_store(store)  # score new conversations into the auto_scores table

Analyzers are plug-ins (``Analyzer``): the lexicon / rule defaults, a model trained on your
own labels (``train`` / ``load_model``), a local transformers model
(``TransformersAnalyzer``) or an OpenAI-compatible endpoint (``HttpAnalyzer``). Register
one under a default's name to replace it everywhere: ``registry.register(...)``.
See docs/text.md.
"""

from .._redaction import (
    PII_KINDS,
    PiiMatch,
    find_pii,
    redact,
    redact_table,
    redacted_columns,
)
from ._adapters import HttpAnalyzer, TransformersAnalyzer
from ._api import MessageAnalysis, Registry, analyze, prepare, registry, run, sentiment
from ._conversation import ConversationAnalysis, analyze_conversation, quality_score
from ._langid import LANGUAGES, detect_language, detect_languages
from ._model import ModelAnalyzer, load_model, train
from ._normalize import fold, normalize
from ._rows import AUTO_SCORES_SCHEMA, auto_score_rows
from ._rules import ActiveListeningAnalyzer, FramingAnalyzer, PhraseAnalyzer, rules_version
from ._scoring import RETIRED, ScoreSummary, score_store
from ._sentiment import SentimentAnalyzer
from ._tokenize import Token, tokenize
from ._triage import Reason, Triage, triage
from ._types import Analyzer, Doc, Evidence, Signal

__all__ = [
    "AUTO_SCORES_SCHEMA",
    "LANGUAGES",
    "PII_KINDS",
    "RETIRED",
    "ActiveListeningAnalyzer",
    "Analyzer",
    "ConversationAnalysis",
    "Doc",
    "Evidence",
    "FramingAnalyzer",
    "HttpAnalyzer",
    "MessageAnalysis",
    "ModelAnalyzer",
    "PhraseAnalyzer",
    "PiiMatch",
    "Reason",
    "Registry",
    "ScoreSummary",
    "SentimentAnalyzer",
    "Signal",
    "Token",
    "TransformersAnalyzer",
    "Triage",
    "analyze",
    "analyze_conversation",
    "auto_score_rows",
    "detect_language",
    "detect_languages",
    "find_pii",
    "fold",
    "load_model",
    "normalize",
    "prepare",
    "quality_score",
    "redact",
    "redact_table",
    "redacted_columns",
    "registry",
    "rules_version",
    "run",
    "score_store",
    "sentiment",
    "tokenize",
    "train",
    "triage",
]
