"""The batch API: ``analyze`` and ``sentiment`` over any number of texts, and the registry of
analyzers that lets a model or an LLM endpoint replace a default without touching callers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import ConfigError, ValidationError
from ._finglish import finglish_doc
from ._langid import _arabic_script, detect_language, latin_dominant, scripts
from ._personal import PersonalisationAnalyzer
from ._rules import default_rule_analyzers
from ._sentiment import SentimentAnalyzer
from ._types import ROLES, Analyzer, Doc, Signal


class Registry:
    """The analyzers ``analyze`` runs, by name. ``register`` replaces one of the same name
    (e.g. ``sentiment`` by a trained model or an LLM endpoint)."""

    def __init__(self) -> None:
        self._analyzers: dict[str, Analyzer] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the offline defaults."""
        defaults = (*default_rule_analyzers(), PersonalisationAnalyzer(), SentimentAnalyzer())
        self._analyzers = {a.name: a for a in defaults}

    def register(self, analyzer: Analyzer) -> None:
        if not isinstance(analyzer, Analyzer):
            raise ConfigError(
                f"{analyzer!r} is not an analyzer: it needs name, version, roles and "
                "analyze(docs) -> list[Signal]"
            )
        self._analyzers[analyzer.name] = analyzer

    def unregister(self, name: str) -> None:
        if name not in self._analyzers:
            raise ConfigError(f"no analyzer named {name!r}; known: {', '.join(self.names())}")
        del self._analyzers[name]

    def get(self, name: str) -> Analyzer:
        try:
            return self._analyzers[name]
        except KeyError:
            raise ConfigError(
                f"no analyzer named {name!r}; known: {', '.join(self.names())}"
            ) from None

    def names(self) -> list[str]:
        return list(self._analyzers)

    def all(self) -> list[Analyzer]:
        return list(self._analyzers.values())


registry = Registry()


@dataclass(frozen=True, slots=True)
class MessageAnalysis:
    """Everything the analyzers found in one text."""

    text: str
    language: str
    role: str | None
    signals: tuple[Signal, ...]

    def get(self, analyzer: str) -> Signal | None:
        for s in self.signals:
            if s.analyzer == analyzer:
                return s
        return None


def _texts(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise ValidationError("texts", "expected a list of texts, got one string; wrap it: [text]")
    out = []
    for i, t in enumerate(texts):
        if t is None:
            out.append("")
        elif not isinstance(t, str):
            raise ValidationError(f"texts[{i}]", f"expected a string, got {type(t).__name__}")
        else:
            out.append(t)
    return out


def _per_item(value: str | Sequence[str | None] | None, n: int, what: str) -> list[str | None]:
    if value is None or isinstance(value, str):
        return [value] * n
    items = list(value)
    if len(items) != n:
        raise ValidationError(what, f"got {len(items)} values for {n} texts; give one or one each")
    return items


def prepare(
    texts: Iterable[str],
    *,
    language: str | Sequence[str | None] | None = None,
    role: str | Sequence[str | None] | None = None,
) -> list[Doc]:
    """Detect languages (unless given) and fold, tokenise and match each text once."""
    items = _texts(texts)
    languages = _per_item(language, len(items), "language")
    roles = _per_item(role, len(items), "role")
    docs: list[Doc] = []
    for text, lang, who in zip(items, languages, roles, strict=True):
        if who is not None and who not in ROLES:
            raise ValidationError("role", f"{who!r} is not one of {', '.join(ROLES)}")
        if lang is not None and lang not in ("fa", "ar", "en", "other"):
            raise ValidationError("language", f"{lang!r} is not one of fa, ar, en, other")
        detected = lang or detect_language(text)
        # Finglish is matched in Persian script (an English reply in a ticket marked fa is not)
        if (
            detected == "fa"
            and latin_dominant(text)
            and (not lang or detect_language(text) == "fa")
        ):
            docs.append(finglish_doc(text, who))
            continue
        arabic, latin = scripts(text)
        # Mixed messages ("سلام، your refund is on its way"): match the lexicons of both
        # scripts; negation and intensifiers stay within each phrase's own language.
        extra: list[str] = []
        if latin and detected != "en":
            extra.append("en")
        if arabic and detected not in ("fa", "ar"):
            extra.append(_arabic_script(text))
        docs.append(Doc.build(text, detected, who, extra))
    return docs


def run(
    docs: Sequence[Doc],
    analyzers: Sequence[Analyzer] | None = None,
    names: Sequence[str | None] | None = None,
) -> list[list[Signal]]:
    """Each analyzer over the docs whose role it reads (every doc when the role is unknown).
    ``names`` (the customer's name per doc) go to analyzers that have ``analyze_named``."""
    chosen = registry.all() if analyzers is None else list(analyzers)
    results: list[list[Signal]] = [[] for _ in docs]
    for analyzer in chosen:
        index = [i for i, d in enumerate(docs) if d.role is None or d.role in analyzer.roles]
        if not index:
            continue
        named = getattr(analyzer, "analyze_named", None)
        if names is not None and named is not None:
            signals = named([docs[i] for i in index], [names[i] for i in index])
        else:
            signals = analyzer.analyze([docs[i] for i in index])
        if len(signals) != len(index):
            raise ConfigError(
                f"analyzer {analyzer.name!r} returned {len(signals)} signals for "
                f"{len(index)} messages; it must return one per message"
            )
        for i, signal in zip(index, signals, strict=True):
            results[i].append(signal)
    return results


def analyze(
    texts: Iterable[str],
    *,
    language: str | Sequence[str | None] | None = None,
    role: str | Sequence[str | None] | None = None,
    analyzers: Sequence[Analyzer] | None = None,
    names: Sequence[str | None] | None = None,
) -> list[MessageAnalysis]:
    """Every signal, with its evidence, for each text.

    ``language`` (fa / ar / en / other) and ``role`` (customer / agent / bot) are one value
    for all texts or one per text; None detects the language and runs every analyzer.
    ``names`` is the customer's name for each text (None where unknown), read by
    ``personalisation``.
    """
    docs = prepare(texts, language=language, role=role)
    if names is not None:
        if isinstance(names, str):
            raise ValidationError("names", "expected one name per text, got one string")
        names = list(names)
        if len(names) != len(docs):
            raise ValidationError("names", f"got {len(names)} names for {len(docs)} texts")
    results = run(docs, analyzers, names)
    return [
        MessageAnalysis(d.text, d.language, d.role, tuple(s))
        for d, s in zip(docs, results, strict=True)
    ]


def sentiment(
    texts: Iterable[str], *, language: str | Sequence[str | None] | None = None
) -> list[float]:
    """Polarity in -1..1 for each text (0 only when nothing decides either way)."""
    docs = prepare(texts, language=language)
    analyzer = registry._analyzers.get("sentiment") or SentimentAnalyzer()
    return [s.score for s in analyzer.analyze(docs)]
