"""Write predictions: inferred CSAT for every solved ticket, churn risk for every
current customer, each with its reasons, and the model cards (docs/insights.md).

Re-running replaces the rows (keys ``csat/<ticket>``, ``churn/<customer>``) and drops
the predictions of subjects no longer predicted (a customer who has left since), so
the counts stay equal to what is predicted now.

Reasons are a plain per-feature comparison: for each feature, how much the predicted
probability moves when that feature alone is set to its typical value (the training
rows' median, or most common category) and the others are kept. The three largest
moves (at least half a point) are kept, with the row's value and the typical one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

import ibis
import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..store import Store
from . import _features as feats
from ._card import ModelCard
from ._models import CHURN_HORIZON_DAYS, TrainedModel, train_churn, train_csat

MODELS = ("csat", "churn")
#: reasons kept per prediction, and the smallest move worth naming (probability)
TOP_REASONS = 3
MIN_EFFECT = 0.005
Progress = Callable[[int, int], None]


@dataclasses.dataclass(frozen=True)
class PredictionRun:
    """What :func:`predict` did: the cards, and rows written per model."""

    cards: tuple[ModelCard, ...]
    written: dict[str, int]
    removed: dict[str, int]


def reasons(model: TrainedModel, rows: pd.DataFrame) -> list[str]:
    """Per row, JSON list of {feature, value, typical, effect}: ``effect`` is the
    predicted probability minus the one with that feature at its typical value."""
    x = model.frame(rows)
    p = model.estimator.predict_proba(x)[:, 1]
    effects = np.zeros((len(x), len(model.features)))
    for j, feature in enumerate(model.features):
        typical = model.reference[feature]
        changed = x.copy()
        changed[feature] = np.nan if typical is None else typical
        effects[:, j] = p - model.estimator.predict_proba(changed)[:, 1]
    out = []
    values = x.to_numpy(dtype=object)
    for i in range(len(x)):
        order = np.argsort(-np.abs(effects[i]))[:TOP_REASONS]
        out.append(
            json.dumps(
                [
                    {
                        "feature": model.features[j],
                        "value": _plain(values[i, j]),
                        "typical": model.reference[model.features[j]],
                        "effect": round(float(effects[i, j]), 4),
                    }
                    for j in order
                    if abs(effects[i, j]) >= MIN_EFFECT
                ],
                ensure_ascii=False,
            )
        )
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 4)
    return value


def _store_card(store: Store, card: ModelCard, trained_at: dt.datetime) -> None:
    store.write(
        "prediction_models",
        [
            {
                "model_version": card.model_version,
                "model": card.model,
                "trained_at": trained_at,
                "card": card.to_json(),
            }
        ],
    )


def _replace(store: Store, table: str, model: str, rows: list[dict[str, Any]]) -> int:
    """Write ``rows`` and delete the model's other rows in ``table``; the rows removed."""
    if rows:
        for lo in range(0, len(rows), 50_000):
            store.write(table, rows[lo : lo + 50_000])
    t = store.table(table)
    stored = set(t.filter(t.model == model).prediction_id.execute())
    stale = sorted(stored - {r["prediction_id"] for r in rows})
    if stale:
        store.delete_where_in(table, "prediction_id", ibis.memtable({"prediction_id": stale}))
    return len(stale)


def _csat(store: Store, model: TrainedModel, at: dt.datetime) -> list[dict[str, Any]]:
    rows = feats.ticket_features(store, cutoff="solved").order_by("ticket_id").execute()
    if rows.empty:
        return []
    p = model.predict(rows)
    why = reasons(model, rows)
    return [
        {
            "prediction_id": f"csat/{tid}",
            "ticket_id": tid,
            "model": "csat",
            "probability": float(np.clip(prob, 0, 1)),
            "cutoff_at": feats.as_utc(cut),
            "model_version": model.card.model_version,
            "predicted_at": at,
            "reasons": r,
        }
        for tid, cut, prob, r in zip(rows.ticket_id, rows.cutoff_at, p, why, strict=True)
    ]


def _churn(store: Store, model: TrainedModel, at: dt.datetime) -> list[dict[str, Any]]:
    end = feats.data_end(store)
    rows = feats.customer_features(store, end).order_by("customer_id").execute()
    if rows.empty:
        return []
    p = model.predict(rows)
    why = reasons(model, rows)
    horizon = model.card.horizon_days
    return [
        {
            "prediction_id": f"churn/{cid}",
            "customer_id": cid,
            "model": "churn",
            "probability": float(np.clip(prob, 0, 1)),
            "horizon_days": horizon,
            "cutoff_at": end,
            "model_version": model.card.model_version,
            "predicted_at": at,
            "reasons": r,
        }
        for cid, prob, r in zip(rows.customer_id, p, why, strict=True)
    ]


def write_predictions(
    store: Store, model: TrainedModel, *, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Store ``model``'s card and write its predictions (csat: every solved ticket at
    its solve; churn: every current customer at the data's last instant), replacing
    the model's earlier ones. Returns (rows written, stale rows removed)."""
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    name = model.card.model
    with store.lock:
        _store_card(store, model.card, now)
        if name == "csat":
            rows = _csat(store, model, now)
            removed = _replace(store, "ticket_predictions", name, rows)
        else:
            rows = _churn(store, model, now)
            removed = _replace(store, "customer_predictions", name, rows)
    return len(rows), removed


def predict(
    store: Store,
    models: Iterable[str] = MODELS,
    *,
    horizon_days: int = CHURN_HORIZON_DAYS,
    seed: int = 0,
    progress: Progress | None = None,
) -> PredictionRun:
    """Train each model (its card from the time-based hold-out, then refitted on every
    labelled row) and write it with :func:`write_predictions`. ``progress(done,
    total)`` is called after each step (train, write) of each model."""
    wanted = tuple(dict.fromkeys(models))
    for name in wanted:
        if name not in MODELS:
            raise ConfigError(f"no model {name!r}; models are: {', '.join(MODELS)}")
    cards, written, removed = [], {}, {}
    total, done = 2 * len(wanted), 0
    for name in wanted:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        if name == "csat":
            model = train_csat(store, seed=seed, now=now)
        else:
            model = train_churn(store, horizon_days, seed=seed, now=now)
        done += 1
        if progress is not None:
            progress(done, total)
        written[name], removed[name] = write_predictions(store, model, now=now)
        cards.append(model.card)
        done += 1
        if progress is not None:
            progress(done, total)
    return PredictionRun(tuple(cards), written, removed)
