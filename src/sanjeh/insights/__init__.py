"""Insights that act: predictions (inferred CSAT, churn risk), priority ranking of open
tickets, routing recommendations and alerts (docs/insights.md).

Layer: beside ``qa``, ``report``, ``surveys`` and ``speech`` — it reads the store, the
facts and the text analyzers, and never imports the web or the CLI.
"""

from __future__ import annotations

# -- features, models, predictions (csat, churn) ------------------------------------
from ._card import ModelCard as ModelCard
from ._features import churn_labels as churn_labels
from ._features import customer_features as customer_features
from ._features import ticket_features as ticket_features
from ._models import TrainedModel as TrainedModel
from ._models import train_churn as train_churn
from ._models import train_csat as train_csat
from ._predict import PredictionRun as PredictionRun
from ._predict import predict as predict
from ._predict import write_predictions as write_predictions

# -- priority ranking ---------------------------------------------------------------
from ._priority import PRIORITY_FACTORS as PRIORITY_FACTORS
from ._priority import PriorityQueue as PriorityQueue
from ._priority import PriorityReason as PriorityReason
from ._priority import RankedTicket as RankedTicket
from ._priority import rank_open_tickets as rank_open_tickets

# -- routing ------------------------------------------------------------------------
from ._routing import Recommendation as Recommendation
from ._routing import Routing as Routing
from ._routing import SkillTable as SkillTable
from ._routing import build_skills as build_skills
from ._routing import recommend as recommend
from ._routing_hard import HardCases as HardCases
from ._routing_hard import hard_cases as hard_cases

# -- alerts -------------------------------------------------------------------------
# isort: split
from ._alert_eval import AlertResult as AlertResult
from ._alert_eval import alert_events as alert_events
from ._alert_eval import evaluate_alerts as evaluate_alerts
from ._alert_events import AlertEvent as AlertEvent
from ._alerts import AlertRule as AlertRule
from ._alerts import load_alerts as load_alerts
