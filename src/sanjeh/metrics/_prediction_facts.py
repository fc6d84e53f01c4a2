"""Predictions on the ticket facts: the inferred CSAT of each ticket.

``sanjeh.insights`` writes its predictions as rows of ``ticket_predictions`` (a table of
``model``); the facts read them as data, never through ``insights`` (a higher layer).
The table ``belongs_to`` its ticket, so a new prediction marks only that ticket's facts
stale (``_refresh``): a refresh redoes those tickets, not the store.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

#: the app tables the facts read (besides the canonical ``TABLES``)
PREDICTION_TABLES = ("ticket_predictions",)


def latest_csat(predictions: ir.Table) -> ir.Table:
    """Per ticket, the probability of its latest CSAT prediction: ``inferred_csat``."""
    p = predictions.filter((predictions.model == "csat") & predictions.probability.notnull())
    w = ibis.window(
        group_by=p.ticket_id,
        order_by=[ibis.desc(p.predicted_at), ibis.desc(p.prediction_id)],
    )
    latest = p.mutate(_n=ibis.row_number().over(w)).filter(lambda t: t._n == 0)
    return latest.select(
        _p_ticket=latest.ticket_id, inferred_csat=latest.probability.cast("float64")
    )
