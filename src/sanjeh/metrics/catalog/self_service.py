"""Self-service KPIs: help-centre article views against tickets, and deflection.

Both read ``facts_article_views`` (one row per view of a knowledge-base article,
``article_views``: see ``_view_facts``). The IVR and bot containment rates are the
contact centre's (``contact_centre.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._engine import Query
from .._registry import KPI, register, titles

ZENDESK_SCORE = (
    "Zendesk, 'Getting started with self-service, Part 6: Tracking essential self-service "
    "metrics' (support.zendesk.com/hc/en-us/articles/4408894139930): self-service score "
    "(self-service ratio, ticket deflection ratio) = help-centre user sessions / users in "
    "tickets over the same period, read as 'N:1'. Sanjeh's article_views holds views, not "
    "sessions, and an anonymous view names no user, so it divides article views by tickets "
    "created (the help-centre analytics convention of comparing article visits with new "
    "tickets in the period)."
)


def _score(q: Query) -> pd.DataFrame:
    """Article views over tickets created, per breakdown and period."""
    views = q.counts(q.fact("views"), "views", "viewed_at", key="self_service.views", name="v")
    if views.empty:  # no views at all (none imported, or none in range): not a score of 0
        return pd.DataFrame({**{k: [] for k in q.keys}, "n": np.array([], "int64"), "value": []})
    t = q.fact("tickets")
    merged = q.ctx.options.include_merged
    t = t if merged else t.filter(~t.is_merged)
    tickets = q.counts(
        t, "tickets", "created_at", key=f"self_service.tickets.{merged}", name="tickets"
    )
    both = views.merge(tickets, on=q.keys, how="outer")
    v = both.v.fillna(0).to_numpy(dtype="float64")
    made = both.tickets.fillna(0).to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(made > 0, v / made, np.nan)
    out = both[q.keys].reset_index(drop=True)
    out["n"] = v.astype("int64")
    out["value"] = value
    # views with no ticket created beside them: the ratio has no denominator
    out["_note"] = pd.Series(
        [
            "no tickets created: the ratio has no denominator" if m == 0 and k > 0 else None
            for k, m in zip(v, made, strict=True)
        ],
        dtype=object,
    )
    return out


register(
    KPI(
        name="self_service_score",
        titles=titles("Self-service score", "امتیاز خودیاری", "مؤشر الخدمة الذاتية"),
        unit="number",
        kind="custom",
        source="views",
        time="viewed_at",
        higher_is_better=True,
        definition="Knowledge-base article views in the period for every ticket created in "
        "it (4.0: four views per ticket). n is the number of views. Merged tickets are left "
        "out of the tickets unless include_merged. Broken down by the customers' segment or "
        "plan only: a view's channel (help centre, app) and a ticket's (email, chat) are "
        "not the same thing.",
        formula="article views / tickets created, same period",
        custom=_score,
        dimensions=("segment", "plan"),
        options=("include_merged",),
        convention=ZENDESK_SCORE,
        needs=("article_views", "tickets"),
    ),
    KPI(
        name="deflection_rate",
        titles=titles(
            "Self-service deflection rate",
            "نرخ انحراف به خودیاری",
            "معدل التحويل إلى الخدمة الذاتية",
        ),
        unit="ratio",
        kind="rate",
        source="views",
        time="viewed_at",
        higher_is_better=True,
        definition="Share of knowledge-base article views by known customers not followed by "
        "a ticket from the same customer within deflection_days (a ticket at the view's "
        "instant or exactly at the window's end counts as following it; one before the view "
        "does not). A view whose window has not closed by the data's last instant, with no "
        "ticket yet, is pending: left out until it closes. Anonymous views are left out "
        "(the note counts them): with no customer, whether the viewer opened a ticket "
        "cannot be known.",
        formula="views with no ticket in [viewed, viewed + deflection_days] / views by known "
        "customers whose outcome is known",
        value=lambda ctx, t: t.deflected,
        where=lambda ctx, t: t.customer_id.notnull(),
        pending=lambda ctx, t: t.deflection_pending,
        pending_reason="views whose {deflection_days}-day window has not closed",
        left_out=lambda ctx, t: t.customer_id.isnull(),
        left_out_reason="anonymous views left out: with no customer, whether a ticket "
        "followed cannot be known",
        dimensions=("segment", "plan"),
        options=("deflection_days",),
        convention="Kustomer's glossary (Ticket deflection): knowledge-base article views "
        "not followed by a ticket within a defined window (e.g. 24 hours); Zendesk calls "
        "the views-to-tickets ratio the ticket deflection ratio (self_service_score).",
        needs=("article_views", "tickets"),
    ),
)
