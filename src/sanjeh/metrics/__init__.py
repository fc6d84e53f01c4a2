"""Metrics: ticket facts and the KPI registry, as Ibis expressions over the store.

import sanjeh
sanjeh.kpis(store, ["first_reply_time", "csat"], by="team", period="week")
"""

from ._build import FactsInfo, build_facts, ensure_facts, facts_current
from ._config import MetricsConfig, SlaPolicy, parse_duration
from ._engine import ALL_DIMENSIONS, DIMENSIONS, RESULT_COLUMNS, kpis
from ._names import breakdown_labels
from ._options import OPTIONS, MetricOptions
from ._periods import PERIODS
from ._registry import KPI, all_kpis, get_kpi

__all__ = [
    "ALL_DIMENSIONS",
    "DIMENSIONS",
    "KPI",
    "OPTIONS",
    "PERIODS",
    "RESULT_COLUMNS",
    "FactsInfo",
    "MetricOptions",
    "MetricsConfig",
    "SlaPolicy",
    "all_kpis",
    "breakdown_labels",
    "build_facts",
    "ensure_facts",
    "facts_current",
    "get_kpi",
    "kpis",
    "parse_duration",
]
