"""A small linear text classifier stored as plain JSON.

Features are character n-grams inside words (2..5) and whole words of the folded text,
weighted TF-IDF (sublinear tf, L2-normalised) -- the representation scikit-learn builds
at training time. Prediction is re-implemented here in a few lines, so a saved model:

* never goes through pickle (loading a model file cannot run code), and
* keeps working when scikit-learn is upgraded or absent at run time.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ._normalize import fold
from ._tokenize import MATCH_TOKEN_RE

FORMAT = "sanjeh-linear-text/1"
MIN_N, MAX_N = 2, 5


def features(text: str) -> list[str]:
    """Char n-grams of each word (with boundary marks) and the words themselves."""
    key, _ = fold(text)
    out: list[str] = []
    for word in MATCH_TOKEN_RE.findall(key):
        out.append("w:" + word)
        padded = f" {word} "
        size = len(padded)
        for n in range(MIN_N, MAX_N + 1):
            if n > size:
                break
            out.extend(padded[i : i + n] for i in range(size - n + 1))
    return out


@dataclass
class LinearTextModel:
    """Multinomial (or binary) logistic regression over TF-IDF features."""

    labels: list[str]
    weights: dict[str, tuple[float, list[float]]]  # feature -> (idf, coef per class row)
    intercept: list[float]
    meta: dict[str, Any]

    def decision(self, text: str) -> tuple[list[float], dict[str, float]]:
        """Raw class scores and each known feature's tf-idf value."""
        counts = Counter(features(text))
        values: dict[str, float] = {}
        for feature, count in counts.items():
            known = self.weights.get(feature)
            if known is not None:
                values[feature] = (1.0 + math.log(count)) * known[0]
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        scores = list(self.intercept)
        for feature, value in values.items():
            value /= norm
            values[feature] = value
            for k, w in enumerate(self.weights[feature][1]):
                scores[k] += value * w
        return scores, values

    def probabilities(self, text: str) -> dict[str, float]:
        scores, _ = self.decision(text)
        return self._probabilities(scores)

    def _probabilities(self, scores: list[float]) -> dict[str, float]:
        if len(self.labels) == 2 and len(scores) == 1:
            p = 1.0 / (1.0 + math.exp(-scores[0]))
            return {self.labels[0]: 1.0 - p, self.labels[1]: p}
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.labels, exps, strict=True)}

    def contributions(self, text: str, label: str) -> tuple[dict[str, float], dict[str, float]]:
        """Class probabilities and each word's contribution to ``label``'s score."""
        scores, values = self.decision(text)
        probs = self._probabilities(scores)
        index = self.labels.index(label)
        binary = len(self.labels) == 2 and len(self.intercept) == 1
        row, sign = (0, 1.0 if index == 1 else -1.0) if binary else (index, 1.0)
        per_word: dict[str, float] = {}
        key, _ = fold(text)
        for word in set(MATCH_TOKEN_RE.findall(key)):
            padded = f" {word} "
            total = 0.0
            grams = ["w:" + word]
            for n in range(MIN_N, MAX_N + 1):
                grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
            for g in grams:
                if g in values:
                    total += values[g] * self.weights[g][1][row] * sign
            per_word[word] = total
        return probs, per_word

    # -- storage ----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "labels": self.labels,
            "intercept": self.intercept,
            "meta": self.meta,
            "features": {
                f: [round(i, 6), [round(w, 6) for w in c]] for f, (i, c) in self.weights.items()
            },
        }

    def save(self, path: str | Path) -> Path:
        target = Path(path)
        if target.suffix != ".json":
            target.mkdir(parents=True, exist_ok=True)
            target = target / "model.json"
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")
        return target


def load_linear(path: str | Path) -> LinearTextModel:
    """Read a model written by ``LinearTextModel.save`` (a .json file or its directory)."""
    source = Path(path)
    if source.is_dir():
        source = source / "model.json"
    if not source.is_file():
        raise ConfigError(f"no model at {source}; train one with sanjeh.text.train(...)")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source} is not a Sanjeh model file ({exc}); retrain it") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(f"{source} is not a {FORMAT} model; retrain it with sanjeh.text.train")
    weights = {f: (float(v[0]), [float(w) for w in v[1]]) for f, v in data["features"].items()}
    return LinearTextModel(
        list(data["labels"]), weights, [float(b) for b in data["intercept"]], data["meta"]
    )


def fit_linear(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    c: float = 4.0,
    max_features: int = 200_000,
    min_df: int = 2,
    meta: dict[str, Any] | None = None,
) -> LinearTextModel:
    """Fit TF-IDF + logistic regression with scikit-learn and export it as plain weights."""
    import numpy as np
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer=features, sublinear_tf=True, min_df=min_df, max_features=max_features
    )
    matrix = vectorizer.fit_transform(list(texts))
    classifier = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    classifier.fit(matrix, list(labels))
    coef = np.asarray(classifier.coef_)
    idf = vectorizer.idf_
    weights = {
        feature: (float(idf[j]), [float(x) for x in coef[:, j]])
        for feature, j in vectorizer.vocabulary_.items()
    }
    info = {"sklearn": sklearn.__version__, "n_train": len(texts), "c": c, **(meta or {})}
    return LinearTextModel(
        [str(x) for x in classifier.classes_],
        weights,
        [float(b) for b in classifier.intercept_],
        info,
    )
