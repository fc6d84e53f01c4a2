"""Insights that act: predictions (inferred CSAT, churn risk), priority ranking of open
tickets, routing recommendations and alerts (docs/insights.md).

Layer: beside ``qa``, ``report``, ``surveys`` and ``speech`` — it reads the store, the
facts and the text analyzers, and never imports the web or the CLI.
"""

from __future__ import annotations

# -- features, models, predictions (csat, churn) ------------------------------------

# -- priority ranking ---------------------------------------------------------------

# -- routing ------------------------------------------------------------------------

# -- alerts -------------------------------------------------------------------------
