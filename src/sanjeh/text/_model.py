"""Train a small model on a user's own labelled messages and use it as an analyzer."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ValidationError
from ._linear import LinearTextModel, fit_linear, load_linear
from ._types import ALL_ROLES, Doc, Evidence, Signal

Rows = Iterable[Mapping[str, Any]] | Iterable[tuple[str, str]]


def _read_rows(
    data: str | Path | Rows, text_column: str, label_column: str
) -> tuple[list[str], list[str]]:
    rows: Iterable[Any]
    if isinstance(data, str | Path):
        path = Path(data)
        if not path.is_file():
            raise ConfigError(
                f"{path} does not exist; give a CSV with {text_column},{label_column}"
            )
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {text_column, label_column} - set(reader.fieldnames or ())
            if missing:
                raise ConfigError(
                    f"{path}: missing column(s) {', '.join(sorted(missing))}; the CSV needs "
                    f"{text_column} and {label_column} (or pass text_column= / label_column=)"
                )
            rows = list(reader)
    else:
        rows = list(data)
    texts: list[str] = []
    labels: list[str] = []
    for i, row in enumerate(rows):
        if isinstance(row, Mapping):
            text, label = row.get(text_column), row.get(label_column)
        else:
            text, label = row
        if text is None or label is None or str(label).strip() == "":
            raise ValidationError(f"row {i + 1}", "needs both a text and a label")
        texts.append(str(text))
        labels.append(str(label).strip())
    return texts, labels


def train(
    data: str | Path | Rows,
    output: str | Path,
    *,
    name: str = "custom",
    text_column: str = "text",
    label_column: str = "label",
    c: float = 4.0,
    min_df: int = 2,
) -> ModelAnalyzer:
    """Fit a character n-gram TF-IDF + logistic regression model on labelled messages.

    ``data`` is a CSV path (columns ``text``, ``label``) or rows (dicts or (text, label)
    pairs). The model is written to ``output`` (a directory, or a ``.json`` file) as plain
    JSON and returned as an analyzer named ``name``; ``load_model(output)`` reads it back.
    Name it ``sentiment`` with labels ``positive`` / ``negative`` (/ ``neutral``) to
    replace the default sentiment analyzer.
    """
    texts, labels = _read_rows(data, text_column, label_column)
    counts = Counter(labels)
    if len(counts) < 2:
        raise ValidationError("label", f"needs at least two different labels, got {sorted(counts)}")
    if len(texts) < 4:
        raise ValidationError("data", f"needs at least 4 labelled messages, got {len(texts)}")
    model = fit_linear(
        texts,
        labels,
        c=c,
        min_df=min_df if len(texts) >= 50 else 1,
        meta={"name": name, "labels": dict(counts)},
    )
    model.save(output)
    return ModelAnalyzer(model, name=name)


def load_model(path: str | Path, *, name: str | None = None) -> ModelAnalyzer:
    """An analyzer from a model saved by ``train``."""
    model = load_linear(path)
    return ModelAnalyzer(model, name=name or str(model.meta.get("name", "custom")))


@dataclass
class ModelAnalyzer:
    """A trained linear model behind the analyzer interface.

    The label is the most probable class and the score its probability -- except for a
    sentiment model (labels include ``positive`` and ``negative``), whose score is a
    polarity ``p(positive) - p(negative)`` in -1..1. Evidence: the words that pushed
    hardest towards the chosen label.
    """

    model: LinearTextModel
    name: str = "custom"
    roles: frozenset[str] = ALL_ROLES
    evidence_words: int = 3

    @property
    def version(self) -> str:
        n = self.model.meta.get("n_train", "?")
        return f"linear-{n}-{len(self.model.weights)}"

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        labels = self.model.labels
        polar = "positive" in labels and "negative" in labels
        out: list[Signal] = []
        for doc in docs:
            probs = self.model.probabilities(doc.text)
            label = max(probs, key=probs.__getitem__)
            _, per_word = self.model.contributions(doc.text, label)
            top = sorted((w for w, v in per_word.items() if v > 0), key=per_word.__getitem__)
            evidence = _word_evidence(doc, top[-self.evidence_words :])
            score = probs["positive"] - probs["negative"] if polar else probs[label]
            out.append(Signal(self.name, label, round(score, 4), evidence, self.version))
        return out


def _word_evidence(doc: Doc, words: Sequence[str]) -> tuple[Evidence, ...]:
    wanted = set(words)
    found = []
    for i, token in enumerate(doc.tokens):
        if token in wanted:
            start, end = doc.original_span(i, i)
            found.append(Evidence(start, end, doc.text[start:end]))
            wanted.discard(token)
    return tuple(found)
