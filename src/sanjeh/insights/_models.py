"""Train the inferred-CSAT and churn-risk models, evaluated on a time-based hold-out
against a stated baseline (docs/insights.md).

Both are scikit-learn pipelines (one-hot categories; numbers signed-log scaled, gaps
imputed with an indicator) under Platt calibration (``CalibratedClassifierCV``,
sigmoid, 5 folds) fitted on the training period only, seeded. The card's figures come
from the hold-out; the model kept for predictions is then refitted on every labelled row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from ..errors import ConfigError
from ..store import Store
from . import _features as feats
from ._card import ModelCard, Split, calibration_bins, scores

Algorithm = Literal["gradient_boosting", "logistic"]
_ALGORITHMS = ("gradient_boosting", "logistic")
#: a small agent's satisfied share is shrunk toward the overall one as if it had this
#: many more answers at the overall share (the CSAT baseline)
AGENT_PRIOR = 20
#: the share of the labelled time range held out as the test period (CSAT)
TEST_SHARE = 0.25
#: the churn model's regularisation (C), chosen on a validation split carved from the
#: training period (docs/insights.md): churn is rare (well under 1 % of customer-months),
#: so a few dozen positives carry twenty-odd features
CHURN_STRENGTH = 0.01
#: the churn horizon the demo data supports (docs/insights.md: at 60 days no model beat
#: recency-frequency on validation)
CHURN_HORIZON_DAYS = 30
_MIN_CLASS = 10  # labels of each class a split needs
_NONE = "(none)"


@dataclasses.dataclass
class TrainedModel:
    """A calibrated model refitted on every labelled row, with its card."""

    card: ModelCard
    estimator: Any
    categorical: tuple[str, ...]
    numeric: tuple[str, ...]
    #: the typical value of each feature in the training rows (median / most common):
    #: a prediction's reasons compare the row with it
    reference: dict[str, Any]

    @property
    def features(self) -> tuple[str, ...]:
        return self.categorical + self.numeric

    def frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        return model_frame(rows, self.categorical, self.numeric)

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.estimator.predict_proba(self.frame(rows))[:, 1])


def model_frame(
    rows: pd.DataFrame, categorical: Sequence[str], numeric: Sequence[str]
) -> pd.DataFrame:
    """The feature columns as the pipeline takes them: categories as text (missing:
    ``(none)``), numbers as float (missing: NaN)."""
    out = pd.DataFrame(index=rows.index)
    for c in categorical:
        out[c] = rows[c].astype(object).where(rows[c].notna(), _NONE).astype(str)
    for c in numeric:
        out[c] = pd.to_numeric(rows[c], errors="coerce").astype("float64")
    return out


def _signed_log(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def _numbers() -> Pipeline:
    return Pipeline(
        [
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("log", FunctionTransformer(_signed_log)),
            ("scale", StandardScaler()),
        ]
    )


def make_estimator(
    categorical: Sequence[str],
    numeric: Sequence[str],
    algorithm: Algorithm,
    seed: int,
    *,
    strength: float = 0.3,
) -> CalibratedClassifierCV:
    """The calibrated pipeline; ``strength`` is the logistic regression's inverse
    regularisation (C): smaller for fewer positive labels."""
    if algorithm not in _ALGORITHMS:
        raise ConfigError(f"algorithm must be one of {', '.join(_ALGORITHMS)}, not {algorithm!r}")
    encode = ColumnTransformer(
        [
            (
                "categories",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist", min_frequency=10, sparse_output=False
                ),
                list(categorical),
            ),
            ("numbers", _numbers(), list(numeric)),
        ]
    )
    classifier: Any
    if algorithm == "logistic":
        classifier = LogisticRegression(C=strength, max_iter=2000)
    else:
        classifier = HistGradientBoostingClassifier(
            max_iter=100,
            learning_rate=0.08,
            max_leaf_nodes=8,
            min_samples_leaf=30,
            l2_regularization=1.0,
            random_state=seed,
        )
    pipeline = Pipeline([("encode", encode), ("classify", classifier)])
    return CalibratedClassifierCV(pipeline, method="sigmoid", cv=5)


def _reference(
    x: pd.DataFrame, categorical: Sequence[str], numeric: Sequence[str]
) -> dict[str, Any]:
    ref: dict[str, Any] = {c: str(x[c].mode().iloc[0]) for c in categorical}
    for c in numeric:
        median = x[c].median()
        ref[c] = None if pd.isna(median) else float(median)
    return ref


def _check_classes(y: np.ndarray, what: str, hint: str) -> None:
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives < _MIN_CLASS or negatives < _MIN_CLASS:
        raise ConfigError(
            f"{what} has {positives} positive and {negatives} negative labels; at least "
            f"{_MIN_CLASS} of each are needed. {hint}"
        )


def _split(times: pd.Series, y: np.ndarray) -> Split:
    return Split(len(y), int(y.sum()), feats.as_utc(times.min()), feats.as_utc(times.max()))


def _importance(
    estimator: Any, x: pd.DataFrame, y: np.ndarray, seed: int, top: int = 10
) -> tuple[dict[str, float | str], ...]:
    found = permutation_importance(
        estimator, x, y, scoring="roc_auc", n_repeats=3, random_state=seed
    )
    ranked = sorted(
        zip(x.columns, found.importances_mean, strict=True), key=lambda kv: -float(kv[1])
    )
    return tuple({"feature": f, "drop_auc": round(float(d), 4)} for f, d in ranked[:top])


def _version(model: str, trained_at: dt.datetime) -> str:
    return f"{model}-{trained_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


# -- inferred CSAT ----------------------------------------------------------------------


def csat_training_rows(store: Store) -> pd.DataFrame:
    """Solved tickets' features at their solve, with ``satisfied``: the top-two-box
    label of the ticket's first answered CSAT survey (tickets without one left out)."""
    answers = feats.csat_answers(store)
    answers = answers.filter(answers.ticket_id.notnull())
    w = answers.mutate(
        _rank=__import__("ibis")
        .row_number()
        .over(group_by=answers.ticket_id, order_by=[answers.submitted_at, answers.response_id])
    )
    first = w.filter(w._rank == 0).select(l_ticket_id="ticket_id", satisfied="satisfied")
    features = feats.ticket_features(store, cutoff="solved")
    rows = features.join(first, features.ticket_id == first.l_ticket_id).drop("l_ticket_id")
    return rows.order_by(["cutoff_at", "ticket_id"]).execute()


def _agent_baseline(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """The agent's satisfied share in the training period, shrunk toward the overall
    share: (satisfied + k·overall) / (answers + k), k = AGENT_PRIOR."""
    overall = float(train.satisfied.mean())
    by_agent = train.groupby(train.agent_id.fillna(_NONE)).satisfied.agg(["sum", "count"])
    shrunk = (by_agent["sum"] + AGENT_PRIOR * overall) / (by_agent["count"] + AGENT_PRIOR)
    return test.agent_id.fillna(_NONE).map(shrunk).fillna(overall).to_numpy(dtype=float)


def train_csat(
    store: Store,
    *,
    algorithm: Algorithm = "logistic",
    seed: int = 0,
    now: dt.datetime | None = None,
) -> TrainedModel:
    """Train the inferred-CSAT model: P(satisfied) of a solved ticket from what was
    known when it was first solved.

    Hold-out: tickets solved in the last quarter of the labelled time range (by
    ``cutoff_at``) are the test set; the earlier ones train. Baseline: the agent's
    satisfied share in the training period, shrunk toward the overall share.
    """
    rows = csat_training_rows(store)
    hint = "Import (or collect) more answered CSAT surveys about solved tickets."
    y_all = rows.satisfied.astype(int).to_numpy() if len(rows) else np.zeros(0, int)
    _check_classes(y_all, "the answered CSAT surveys", hint)
    times = pd.to_datetime(rows.cutoff_at, utc=True)
    lo, hi = times.min(), times.max()
    split = lo + (hi - lo) * (1 - TEST_SHARE)
    is_test = (times >= split).to_numpy()
    train, test = rows[~is_test], rows[is_test]
    y_train, y_test = y_all[~is_test], y_all[is_test]
    _check_classes(y_train, "the training period", hint)
    _check_classes(y_test, "the test period (the last quarter)", hint)

    cats, nums = feats.TICKET_CATEGORICAL, feats.TICKET_NUMERIC
    x_train, x_test = model_frame(train, cats, nums), model_frame(test, cats, nums)
    held = make_estimator(cats, nums, algorithm, seed).fit(x_train, y_train)
    p = held.predict_proba(x_test)[:, 1]
    auc, brier = scores(y_test, p)
    base_auc, base_brier = scores(y_test, _agent_baseline(train, test))

    final = make_estimator(cats, nums, algorithm, seed).fit(model_frame(rows, cats, nums), y_all)
    trained_at = now or dt.datetime.now(dt.UTC)
    card = ModelCard(
        model="csat",
        model_version=_version("csat", trained_at),
        algorithm=f"{algorithm}, calibrated (sigmoid, 5 folds)",
        horizon_days=None,
        train=_split(times[~is_test], y_train),
        test=_split(times[is_test], y_test),
        auc=auc,
        brier=brier,
        baseline_name=f"agent's satisfied share in the training period (shrunk, k={AGENT_PRIOR})",
        baseline_auc=base_auc,
        baseline_brier=base_brier,
        calibration=calibration_bins(y_test, p),
        importance=_importance(held, x_test, y_test, seed),
        features=cats + nums,
    )
    return TrainedModel(card, final, cats, nums, _reference(x_train, cats, nums))


# -- churn risk ------------------------------------------------------------------------


def month_starts(first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """The first instants of the UTC months in (first, last]."""
    at = dt.datetime(first.year, first.month, 1, tzinfo=dt.UTC)
    out = []
    while at <= last:
        if at > first:
            out.append(at)
        at = dt.datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=dt.UTC)
    return out


def churn_snapshots(store: Store, horizon_days: int) -> list[dt.datetime]:
    """Month starts with at least 30 days of data before them and their whole horizon
    inside the data."""
    t = store.table("tickets")
    first = feats.as_utc(store.con.execute(t.created_at.min()))
    end = feats.data_end(store)
    horizon = dt.timedelta(days=horizon_days)
    return [s for s in month_starts(first + dt.timedelta(days=30), end) if s + horizon <= end]


def churn_rows(store: Store, at: dt.datetime, horizon_days: int) -> pd.DataFrame:
    """Customer features at ``at`` with ``churned`` within the horizon."""
    features = feats.customer_features(store, at)
    labels = feats.churn_labels(store, at, horizon_days).rename(l_customer_id="customer_id")
    rows = features.join(labels, features.customer_id == labels.l_customer_id)
    return rows.drop("l_customer_id").order_by("customer_id").execute()


_RF = ("recency_days", "tickets_90d", "tickets_365d")


def _recency_frequency(seed: int) -> Pipeline:
    """The churn baseline: logistic regression on recency and frequency alone."""
    return Pipeline(
        [
            ("numbers", _numbers()),
            ("classify", LogisticRegression(max_iter=2000, random_state=seed)),
        ]
    )


def train_churn(
    store: Store,
    horizon_days: int = CHURN_HORIZON_DAYS,
    *,
    algorithm: Algorithm = "logistic",
    seed: int = 0,
    now: dt.datetime | None = None,
) -> TrainedModel:
    """Train the churn-risk model: P(a customer leaves within ``horizon_days``).

    Rows are snapshots of every current customer at month starts (features at the
    snapshot, label over the horizon after it). Hold-out: the last quarter of the
    snapshots (at least one) are the test set; the training snapshots are those whose
    horizon ends before the first test snapshot, so no training label looks into the
    test period. Baseline: a recency-frequency logistic regression on the same split.
    """
    snapshots = churn_snapshots(store, horizon_days)
    horizon = dt.timedelta(days=horizon_days)
    n_test = max(1, round(len(snapshots) * TEST_SHARE))
    test_at = snapshots[-n_test:]
    train_at = [s for s in snapshots if test_at and s + horizon <= test_at[0]]
    if not train_at:
        raise ConfigError(
            f"churn risk over {horizon_days} days needs month starts with their whole "
            f"horizon in the data, for training and a later test: about 30 + 2 × "
            f"{horizon_days} days of data and more (found {len(snapshots)} usable month "
            "starts). Import a longer history, or give a shorter --horizon-days."
        )
    frames = {s: churn_rows(store, s, horizon_days) for s in snapshots}
    train = pd.concat([frames[s].assign(snapshot=s) for s in train_at], ignore_index=True)
    test = pd.concat([frames[s].assign(snapshot=s) for s in test_at], ignore_index=True)
    every = pd.concat([frames[s].assign(snapshot=s) for s in snapshots], ignore_index=True)
    y_train, y_test = train.churned.astype(int).to_numpy(), test.churned.astype(int).to_numpy()
    hint = "Import customer_outcomes (churn) or customers.churned_at over a longer period."
    _check_classes(y_train, "the churn training snapshots", hint)
    _check_classes(y_test, "the churn test snapshots", hint)

    cats, nums = feats.CUSTOMER_CATEGORICAL, feats.CUSTOMER_NUMERIC
    x_train, x_test = model_frame(train, cats, nums), model_frame(test, cats, nums)
    held = make_estimator(cats, nums, algorithm, seed, strength=CHURN_STRENGTH).fit(
        x_train, y_train
    )
    p = held.predict_proba(x_test)[:, 1]
    auc, brier = scores(y_test, p)
    base = _recency_frequency(seed).fit(model_frame(train, (), _RF), y_train)
    base_auc, base_brier = scores(y_test, base.predict_proba(model_frame(test, (), _RF))[:, 1])

    y_all = every.churned.astype(int).to_numpy()
    final = make_estimator(cats, nums, algorithm, seed, strength=CHURN_STRENGTH).fit(
        model_frame(every, cats, nums), y_all
    )
    trained_at = now or dt.datetime.now(dt.UTC)
    card = ModelCard(
        model="churn",
        model_version=_version("churn", trained_at),
        algorithm=f"{algorithm}, calibrated (sigmoid, 5 folds)",
        horizon_days=horizon_days,
        train=_split(pd.Series(train_at), y_train),
        test=_split(pd.Series(test_at), y_test),
        auc=auc,
        brier=brier,
        baseline_name="recency-frequency logistic regression (" + ", ".join(_RF) + ")",
        baseline_auc=base_auc,
        baseline_brier=base_brier,
        calibration=calibration_bins(y_test, p, equal_count=True),
        importance=_importance(held, x_test, y_test, seed),
        features=cats + nums,
    )
    return TrainedModel(card, final, cats, nums, _reference(x_train, cats, nums))
