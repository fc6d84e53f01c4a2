"""The model card: what a prediction model was trained on and how well it did on its
time-based hold-out, against a stated baseline (docs/insights.md).

The predictions page reads exactly the keys of :meth:`ModelCard.as_dict` from
``prediction_models.card``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score


@dataclasses.dataclass(frozen=True)
class Split:
    """One side of the hold-out: rows, positive labels, first and last instant."""

    rows: int
    positives: int
    start: dt.datetime
    until: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "positives": self.positives,
            "from": self.start.isoformat(),
            "until": self.until.isoformat(),
        }


@dataclasses.dataclass(frozen=True)
class ModelCard:
    """A trained model's card: hold-out figures, the baseline, calibration, importance."""

    model: str  # csat | churn
    model_version: str
    algorithm: str
    horizon_days: int | None
    train: Split
    test: Split
    auc: float
    brier: float
    baseline_name: str
    baseline_auc: float
    baseline_brier: float
    #: 10 equal-width bins of the predicted probability that hold test rows
    calibration: tuple[dict[str, float], ...]
    #: features by how much AUC drops when they are shuffled on the hold-out
    importance: tuple[dict[str, float | str], ...]
    features: tuple[str, ...]

    @property
    def beats_baseline(self) -> bool:
        """Higher AUC and lower Brier score than the baseline on the same hold-out."""
        return self.auc > self.baseline_auc and self.brier < self.baseline_brier

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_version": self.model_version,
            "algorithm": self.algorithm,
            "horizon_days": self.horizon_days,
            "train": self.train.as_dict(),
            "test": self.test.as_dict(),
            "metrics": {"auc": self.auc, "brier": self.brier},
            "baseline": {
                "name": self.baseline_name,
                "auc": self.baseline_auc,
                "brier": self.baseline_brier,
            },
            "calibration": [dict(b) for b in self.calibration],
            "importance": [dict(i) for i in self.importance],
            "features": list(self.features),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


def scores(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """(AUC, Brier score) of probabilities ``p`` for labels ``y``. The Brier score keeps
    six decimals: a rare outcome's (churn: under 1 %) differ in the fourth."""
    return round(float(roc_auc_score(y, p)), 4), round(float(brier_score_loss(y, p)), 6)


def calibration_bins(
    y: np.ndarray, p: np.ndarray, bins: int = 10, *, equal_count: bool = False
) -> tuple[dict[str, float], ...]:
    """Mean predicted probability, observed rate and rows per bin (empty bins left out):
    equal-width bins of the probability, or with ``equal_count`` bins of about equal
    rows (deciles of the prediction: a rare outcome's predictions all fall in the first
    equal-width bin, which says nothing)."""
    if equal_count:
        edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)[1:-1]))
        which = np.searchsorted(edges, p, side="right")
    else:
        which = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(int(which.max(initial=0)) + 1):
        inside = which == b
        n = int(inside.sum())
        if n:
            out.append(
                {
                    "predicted": round(float(p[inside].mean()), 6 if equal_count else 4),
                    "observed": round(float(y[inside].mean()), 6 if equal_count else 4),
                    "n": n,
                }
            )
    return tuple(out)
