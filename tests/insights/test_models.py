"""The inferred-CSAT and churn-risk models on a demo store: the hold-out is time-based,
the cards are complete, CSAT beats its stated baseline, and predictions are written for
every solved ticket / current customer, idempotently.

The demo: ``generate(tickets=DEMO_TICKETS, seed=11, days=365, transcripts=False)``,
text-scored (``sanjeh.text.score_store``) as before ``sanjeh insights train``: the store
of the model card's figures in docs/insights.md. A year, so churn has month starts with
a whole horizon.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanjeh.demo import generate
from sanjeh.errors import ConfigError
from sanjeh.insights import (
    TrainedModel,
    customer_features,
    ticket_features,
    train_churn,
    train_csat,
    write_predictions,
)
from sanjeh.insights._features import data_end
from sanjeh.store import Store
from sanjeh.text import score_store

DEMO_TICKETS = 4000
CARD_KEYS = {
    "model", "model_version", "algorithm", "horizon_days", "train", "test", "metrics",
    "baseline", "calibration", "importance", "features",
}  # fmt: skip


@pytest.fixture(scope="module")
def a1_year(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("a1") / "year.duckdb"
    with Store.open(str(path)) as store:
        generate(store, tickets=DEMO_TICKETS, seed=11, days=365, transcripts=False)
        score_store(store)
        yield store


@pytest.fixture(scope="module")
def a1_csat(a1_year: Store) -> TrainedModel:
    return train_csat(a1_year)


@pytest.fixture(scope="module")
def a1_churn(a1_year: Store) -> TrainedModel:
    return train_churn(a1_year, horizon_days=30)


def _check_card(card: dict, model: str) -> None:
    assert set(card) == CARD_KEYS
    assert card["model"] == model
    assert card["train"]["until"] < card["test"]["from"]  # train on the past only
    assert 0 < card["test"]["positives"] < card["test"]["rows"]
    assert sum(b["n"] for b in card["calibration"]) == card["test"]["rows"]
    assert all(0 <= b["predicted"] <= 1 and 0 <= b["observed"] <= 1 for b in card["calibration"])
    assert {i["feature"] for i in card["importance"]} <= set(card["features"])


def test_csat_beats_the_agents_historical_share(a1_csat: TrainedModel) -> None:
    card = a1_csat.card
    out = card.as_dict()
    _check_card(out, "csat")
    assert out["horizon_days"] is None
    # the stated baseline, on the same hold-out
    assert card.auc > card.baseline_auc + 0.05, out
    assert card.brier < card.baseline_brier, out
    assert card.beats_baseline
    # the demo's satisfaction falls with the first reply's wait: the model finds it
    assert "first_reply_wait_s" in [i["feature"] for i in out["importance"][:3]]
    # calibrated: the hold-out's mean prediction is near its observed rate
    n = sum(b["n"] for b in out["calibration"])
    predicted = sum(b["predicted"] * b["n"] for b in out["calibration"]) / n
    assert abs(predicted - card.test.positives / card.test.rows) < 0.08


def test_churn_card_and_honest_hold_out(a1_churn: TrainedModel) -> None:
    out = a1_churn.card.as_dict()
    _check_card(out, "churn")
    assert out["horizon_days"] == 30
    # every training snapshot's horizon ends before the first test snapshot
    train_until = dt.datetime.fromisoformat(out["train"]["until"])
    assert train_until + dt.timedelta(days=30) <= dt.datetime.fromisoformat(out["test"]["from"])
    # the stated baseline (recency-frequency), on the same later months
    card = a1_churn.card
    assert card.auc > card.baseline_auc, out
    assert card.brier < card.baseline_brier, out
    assert card.beats_baseline


def test_churn_needs_a_long_enough_history(a1_year: Store) -> None:
    with pytest.raises(ConfigError, match="horizon"):
        train_churn(a1_year, horizon_days=300)


def test_predictions_for_every_solved_ticket_and_customer_idempotent(
    a1_year: Store, a1_csat: TrainedModel, a1_churn: TrainedModel
) -> None:
    solved = int(a1_year.con.execute(ticket_features(a1_year).count()))
    current = customer_features(a1_year, data_end(a1_year)).count()
    customers = int(a1_year.con.execute(current))
    assert write_predictions(a1_year, a1_csat) == (solved, 0)
    assert write_predictions(a1_year, a1_churn) == (customers, 0)
    counts = a1_year.counts(["ticket_predictions", "customer_predictions", "prediction_models"])
    assert counts == {
        "ticket_predictions": solved,
        "customer_predictions": customers,
        "prediction_models": 2,
    }
    p = a1_year.table("ticket_predictions").execute()
    assert p.probability.between(0, 1).all()
    assert set(p.prediction_id) == {f"csat/{t}" for t in p.ticket_id}
    assert (p.model_version == a1_csat.card.model_version).all()
    reasons = [json.loads(r) for r in p.reasons]
    assert any(reasons) and {"feature", "value", "typical", "effect"} <= set(reasons[0][0])
    stored = a1_year.table("prediction_models").execute()
    assert set(CARD_KEYS) == set(json.loads(stored.card.iloc[0]))
    c = a1_year.table("customer_predictions").execute()
    assert (c.horizon_days == 30).all() and c.probability.between(0, 1).all()

    # again: the same rows replaced, nothing added
    assert write_predictions(a1_year, a1_csat) == (solved, 0)
    assert write_predictions(a1_year, a1_churn) == (customers, 0)
    assert a1_year.counts(["ticket_predictions", "customer_predictions"]) == {
        "ticket_predictions": solved,
        "customer_predictions": customers,
    }
    again = a1_year.table("ticket_predictions").execute()
    merged = p.merge(again, on="prediction_id")
    assert (merged.probability_x == merged.probability_y).all()


def test_too_few_answers_say_what_to_do(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "small.duckdb")) as store:
        generate(store, tickets=40, seed=3, days=14, transcripts=False)
        with pytest.raises(ConfigError, match="CSAT"):
            train_csat(store)


# -- public data: real customers' words and their satisfaction --------------------------

#: "satisfied": a Digikala satisfaction score of at least 80 of 100 (4 of 5 stars)
SATISFIED_FROM = 80


def digikala_figures(path: Path) -> dict[str, dict[str, float]]:
    """AUC and Brier score on the hash test split (``sanjeh.text._evaldata.in_dev``: the
    70 % the text analyzers were never tuned on) of the customer-text feature (sentiment
    of the comment, ``sanjeh.text.sentiment``) and of the baseline (text length), each
    mapped to a probability by a logistic fit on the 30 % dev split."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import brier_score_loss, roc_auc_score

    from sanjeh.text import sentiment
    from sanjeh.text._evaldata import in_dev

    d = pd.read_csv(path).dropna(subset=["Text", "Score"])
    d["Text"] = d.Text.astype(str)
    d["sentiment"] = sentiment(d.Text.tolist(), language="fa")
    d["length"] = d.Text.str.len().astype(float)
    d["y"] = (d.Score >= SATISFIED_FROM).astype(int)
    dev = d[[in_dev(t) for t in d.Text]]
    test = d.drop(dev.index)
    out = {"rows": {"dev": float(len(dev)), "test": float(len(test))}}
    for feature in ("sentiment", "length"):
        fit = LogisticRegression().fit(dev[[feature]], dev.y)
        p = fit.predict_proba(test[[feature]])[:, 1]
        out[feature] = {
            "auc": round(float(roc_auc_score(test.y, p)), 3),
            "brier": round(float(brier_score_loss(test.y, p)), 4),
        }
    out["test"] = {"satisfied": round(float(test.y.mean()), 3)}
    return out


def test_customer_text_predicts_satisfaction_on_public_data(shared_data: Path) -> None:
    path = shared_data / "sentiment" / "fa" / "digikala_comments.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    found = digikala_figures(path)
    print(found)
    assert found["sentiment"]["auc"] > found["length"]["auc"] + 0.1
    assert found["sentiment"]["brier"] < found["length"]["brier"]


def test_calibration_bins_by_equal_count_hand_computed() -> None:
    import numpy as np

    from sanjeh.insights._card import calibration_bins

    y = np.array([0, 0, 1, 0, 1, 0, 0, 0, 0, 1])
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    got = calibration_bins(y, p, 5, equal_count=True)
    assert [b["n"] for b in got] == [2, 2, 2, 2, 2]
    assert [b["predicted"] for b in got] == pytest.approx([0.15, 0.35, 0.55, 0.75, 0.925])
    assert [b["observed"] for b in got] == [0.0, 0.5, 0.5, 0.0, 0.5]
    # one prediction for every row: one bin, not five empty ones
    assert calibration_bins(y, np.full(10, 0.01), 5, equal_count=True) == (
        {"predicted": 0.01, "observed": 0.3, "n": 10},
    )
