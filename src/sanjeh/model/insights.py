"""Tables of Sanjeh's predictions: inferred CSAT per ticket, churn risk per customer.

Written by ``sanjeh.insights`` (docs/insights.md), never imported from files. A new
prediction for the same subject and model replaces the old one.
"""

from __future__ import annotations

from ._spec import Column, TableSpec

PREDICTION_MODELS = ("csat", "churn")

TICKET_PREDICTIONS = TableSpec(
    name="ticket_predictions",
    description=(
        "One row per ticket and model: the predicted probability (inferred CSAT: that the "
        "customer is satisfied), made from what was known when the ticket was solved."
    ),
    key="prediction_id",
    columns=(
        Column("prediction_id", "string", "`<model>/<ticket_id>`.", required=True),
        Column("ticket_id", "id", "The ticket.", required=True, ref="tickets"),
        Column("model", "string", "What is predicted.", required=True, choices=("csat",)),
        Column("probability", "float", "Predicted probability, 0 … 1.", True, minimum=0, maximum=1),
        Column("cutoff_at", "timestamp", "The instant the features were taken at (UTC).", True),
        Column("model_version", "string", "Model id: trained when, on what.", required=True),
        Column("predicted_at", "timestamp", "When the prediction was made (UTC).", True),
        Column("reasons", "string", "JSON list of the features that moved it most."),
    ),
    belongs_to="ticket_id",
)

CUSTOMER_PREDICTIONS = TableSpec(
    name="customer_predictions",
    description=(
        "One row per customer and model: churn risk, the predicted probability that the "
        "customer leaves within the horizon after `cutoff_at`."
    ),
    key="prediction_id",
    columns=(
        Column("prediction_id", "string", "`<model>/<customer_id>`.", required=True),
        Column("customer_id", "id", "The customer.", required=True, ref="customers"),
        Column("model", "string", "What is predicted.", required=True, choices=("churn",)),
        Column("probability", "float", "Predicted probability, 0 … 1.", True, minimum=0, maximum=1),
        Column("horizon_days", "int", "Days after the cutoff the prediction is about.", True),
        Column("cutoff_at", "timestamp", "The instant the features were taken at (UTC).", True),
        Column("model_version", "string", "Model id: trained when, on what.", required=True),
        Column("predicted_at", "timestamp", "When the prediction was made (UTC).", True),
        Column("reasons", "string", "JSON list of the features that moved it most."),
    ),
)

PREDICTION_MODELS_TABLE = TableSpec(
    name="prediction_models",
    description=(
        "One row per trained model: what it predicts and its model card (hold-out AUC, "
        "Brier score, calibration, the baseline it is compared with, permutation "
        "importance), as JSON. Predictions name the model they came from."
    ),
    key="model_version",
    columns=(
        Column("model_version", "string", "Model id: `<model>-<trained at, UTC>`.", True),
        Column("model", "string", "What it predicts.", required=True, choices=PREDICTION_MODELS),
        Column("trained_at", "timestamp", "When it was trained (UTC).", required=True),
        Column("card", "string", "The model card as JSON (docs/insights.md).", required=True),
    ),
)

INSIGHT_TABLES: dict[str, TableSpec] = {
    t.name: t for t in (TICKET_PREDICTIONS, CUSTOMER_PREDICTIONS, PREDICTION_MODELS_TABLE)
}
