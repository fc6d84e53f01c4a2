"""The clustering recipe on a hand-made corpus: clear topics are found, the model's JSON
round-trips, scores equal a TF-IDF cosine written from the definition."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_mutual_info_score

from sanjeh.topics import terms
from sanjeh.topics._cluster import Centres, auto_k, fit, nearest
from topicsupport import cosine_to_centre

TOPICS = {
    "refund": ["where is my refund", "refund not received yet", "I want a refund now"],
    "password": ["reset my password", "forgot password cannot login", "password reset link"],
    "delivery": ["parcel delivery late", "delivery has not arrived", "track my delivery"],
}


def _corpus() -> tuple[list[list[str]], list[str]]:
    docs, gold = [], []
    for topic, texts in TOPICS.items():
        for i in range(8):
            docs.append(terms(f"{texts[i % 3]} please {i}", "en"))
            gold.append(topic)
    return docs, gold


def test_auto_k_rule() -> None:
    # sqrt(n / 2), at least 2, at most 60
    assert [auto_k(n) for n in (1, 10, 200, 2464, 3080, 10003, 10**6)] == [2, 2, 10, 35, 39, 60, 60]


def test_clear_topics_are_found_and_stable() -> None:
    docs, gold = _corpus()
    model = fit(docs, 3, seed=0)
    labels, scores = nearest(model, docs)
    assert adjusted_mutual_info_score(gold, labels) == pytest.approx(1.0)
    assert ((scores > 0) & (scores <= 1)).all()
    again, _ = nearest(fit(docs, 3, seed=0), docs)
    assert (again == labels).all()


def test_model_json_round_trip_and_scores_from_the_definition() -> None:
    docs, _ = _corpus()
    model = fit(docs, 3, seed=0)
    back = Centres.from_json(json.loads(json.dumps(model.to_json())))
    new = [terms("my refund has not come", "en"), terms("zzzz qqqq", "en")]
    a, sa = nearest(model, new)
    b, sb = nearest(back, new)
    assert (a == b).all() and np.allclose(sa, sb, atol=1e-4)
    for doc, label, score in zip(new, a, sa, strict=True):
        sims = [cosine_to_centre(" ".join(doc), back.vocabulary, back.idf, c) for c in back.centres]
        assert score == pytest.approx(max(sims), abs=1e-4)
        if max(sims) > 0:
            assert label == int(np.argmax(sims))
    assert sa[1] == 0.0  # nothing in common with any topic


def test_fewer_messages_than_k() -> None:
    docs = [terms("refund please", "en"), terms("password reset", "en")]
    model = fit(docs, 5, seed=0)
    assert 1 <= len(model.centres) <= 2
