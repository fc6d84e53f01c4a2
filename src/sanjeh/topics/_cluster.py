"""Clustering one language's messages (the recipe and its dev figures: docs/topics.md).

TF-IDF of character 2-4-grams within words (``char_wb``) of the message's terms,
sub-linear term frequency; a seeded sample of at most ``FIT_SAMPLE`` messages is reduced
to ``SVD_COMPONENTS`` dimensions (TruncatedSVD, rows L2-normalised) and clustered with
MiniBatchKMeans. Each topic's *centre* is the mean TF-IDF vector of its sampled
members, kept to its ``CENTRE_TERMS`` heaviest n-grams; every message (sample or not,
and later ones: ``assign``) goes to the centre of highest cosine similarity, which is its
score. The centres, the vocabulary and its IDF weights are the whole model.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

NGRAMS = (2, 4)
SVD_COMPONENTS = 100
FIT_SAMPLE = 30_000
CENTRE_TERMS = 300
MAX_AUTO_K = 60
CHUNK = 50_000


def auto_k(documents: int) -> int:
    """The number of topics when none is given: sqrt(documents / 2), from 2 to 60."""
    return max(2, min(MAX_AUTO_K, round(math.sqrt(documents / 2))))


@functools.lru_cache(maxsize=500_000)
def _word_ngrams(word: str) -> tuple[str, ...]:
    """scikit-learn's ``char_wb`` n-grams of one word (padded with a space each side; a
    padded word shorter than n is one n-gram), cached: messages repeat their words."""
    w = f" {word} "
    out: list[str] = []
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        if len(w) <= n:
            out.append(w)
        else:
            out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return tuple(out)


def char_wb(doc: str) -> list[str]:
    """The ``char_wb`` n-grams of a message's joined terms, word by word."""
    return [g for word in doc.split() for g in _word_ngrams(word)]


def _vectorizer(**kw: Any) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=char_wb, sublinear_tf=True, dtype=np.float32, **kw)


@dataclasses.dataclass
class Centres:
    """The fitted model of one language: what assignment needs."""

    vocabulary: list[str]
    idf: list[float]
    #: per topic (in topic order) the sparse centre: {n-gram index: weight}
    centres: list[dict[int, float]]

    def to_json(self) -> dict[str, Any]:
        return {
            "features": "char_wb",
            "ngrams": list(NGRAMS),
            "vocabulary": self.vocabulary,
            "idf": [round(x, 5) for x in self.idf],
            "centres": [
                [[int(i) for i in c], [round(float(w), 5) for w in c.values()]]
                for c in self.centres
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Centres:
        return cls(
            vocabulary=list(data["vocabulary"]),
            idf=[float(x) for x in data["idf"]],
            centres=[dict(zip(ix, ws, strict=True)) for ix, ws in data["centres"]],
        )

    def matrix(self) -> sp.csr_matrix:
        """The centres as a topics x vocabulary matrix (rows L2-normalised)."""
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, c in enumerate(self.centres):
            rows.extend([r] * len(c))
            cols.extend(c)
            vals.extend(c.values())
        m = sp.csr_matrix(
            (np.asarray(vals, np.float32), (rows, cols)),
            shape=(len(self.centres), len(self.vocabulary)),
        )
        return normalize(m)

    def vectorizer(self) -> TfidfVectorizer:
        v = _vectorizer(vocabulary={t: i for i, t in enumerate(self.vocabulary)})
        v.idf_ = np.asarray(self.idf, np.float64)
        return v


def _docs(term_lists: Sequence[Sequence[str]]) -> list[str]:
    return [" ".join(t) for t in term_lists]


def nearest(model: Centres, term_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Per message, the index of the nearest centre and its cosine similarity (0 … 1).
    Identical messages (same terms) are vectorised once."""
    if not term_lists:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    codes, uniques = pd.factorize(pd.Series(_docs(term_lists), dtype=object))
    vec, cent = model.vectorizer(), model.matrix().T.tocsc()
    labels, scores = [], []
    for lo in range(0, len(uniques), CHUNK):
        x = vec.transform(list(uniques[lo : lo + CHUNK]))
        sim = (x @ cent).toarray()
        best = sim.argmax(axis=1)
        labels.append(best)
        scores.append(np.clip(sim[np.arange(len(best)), best], 0.0, 1.0))
    return np.concatenate(labels)[codes], np.concatenate(scores).astype(np.float64)[codes]


def fit(term_lists: Sequence[Sequence[str]], k: int, seed: int) -> Centres:
    """Cluster (a seeded sample of) the messages into at most ``k`` topics."""
    n = len(term_lists)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, FIT_SAMPLE, replace=False)) if n > FIT_SAMPLE else np.arange(n)
    docs = _docs([term_lists[i] for i in idx])
    vec = _vectorizer(min_df=2 if len(docs) >= 50 else 1, max_df=0.5 if len(docs) >= 50 else 1.0)
    x = vec.fit_transform(docs)
    k = max(1, min(k, len(docs)))
    comps = min(SVD_COMPONENTS, x.shape[1] - 1, len(docs) - 1)
    z = (
        normalize(TruncatedSVD(comps, random_state=seed).fit_transform(x))
        if comps >= 2
        else x.toarray()
    )
    labels = MiniBatchKMeans(
        k, random_state=seed, n_init=1 if len(docs) > 5000 else 3, batch_size=4096
    ).fit_predict(z)
    onehot = sp.csr_matrix(
        (np.ones(len(labels), np.float32), (labels, np.arange(len(labels)))),
        shape=(k, len(labels)),
    )
    dense = (onehot @ normalize(x)).toarray()
    centres: list[dict[int, float]] = []
    for row in dense:
        keep = np.flatnonzero(row)
        if len(keep) == 0:
            continue
        keep = keep[np.argsort(-row[keep], kind="stable")[:CENTRE_TERMS]]
        keep.sort()
        w = row[keep] / np.linalg.norm(row[keep])
        centres.append({int(i): float(v) for i, v in zip(keep, w, strict=True)})
    vocabulary = [""] * len(vec.vocabulary_)
    for term, i in vec.vocabulary_.items():
        vocabulary[i] = term
    return Centres(vocabulary, [float(v) for v in vec.idf_], centres)
