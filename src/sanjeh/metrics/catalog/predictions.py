"""Predicted KPIs: a model's estimate where customers said nothing (#17).

Inferred CSAT reads the ticket facts' ``inferred_csat``, the latest CSAT prediction of
each ticket that ``sanjeh insights train`` wrote into ``ticket_predictions``. It is
``predicted``: every row's note says it is a model's estimate, not survey answers.
"""

from __future__ import annotations

import ibis

from .._registry import KPI, Context, register, titles
from .tickets import live

#: how a solved ticket without a prediction is counted apart (``pending``) and why
NO_PREDICTION = "solved tickets without a CSAT prediction (run `sanjeh insights train`)"


def _solved(ctx: Context, t: ibis.Table) -> ibis.ir.BooleanValue:
    return live(ctx, t) & t.solved_at.notnull()


register(
    KPI(
        name="inferred_csat",
        titles=titles("Inferred CSAT (predicted)", "رضایت پیش‌بینی‌شده", "الرضا المتوقع"),
        unit="ratio",
        kind="number",
        source="tickets",
        time="solved_at",
        stat="mean",
        higher_is_better=True,
        definition="PREDICTED, not measured: the mean probability that the customer was "
        "satisfied, as Sanjeh's CSAT model predicts it from what was known when the ticket "
        "was solved (sanjeh insights train; its model card in docs/insights.md), over the "
        "tickets solved in the period that have a prediction. It covers the tickets whose "
        "customers never answered a survey; it is an estimate, not survey answers, and "
        "no better than the model's hold-out calibration.",
        formula="mean(P(satisfied)), over solved tickets with a CSAT prediction",
        value=lambda ctx, t: t.inferred_csat,
        where=_solved,
        pending=lambda ctx, t: t.inferred_csat.isnull(),
        pending_reason=NO_PREDICTION,
        unmeasured="no solved ticket here has a CSAT prediction: run `sanjeh insights train`",
        predicted="a prediction by Sanjeh's CSAT model, not survey answers",
        options=("include_merged",),
        convention="Sanjeh's own: predicted CSAT (issue #17), calibrated probabilities.",
        needs=("tickets", "events", "ticket_predictions"),
    ),
)
