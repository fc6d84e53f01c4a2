"""Resolution: resolution time, FCR, one-touch, reopens, escalations, SLA and breaches."""

from __future__ import annotations

import ibis

from .. import _charts as charts
from .._query import filtered
from ._common import Model, View, cards, column, link, num, periods, series, table
from ._distributions import histogram_parts

CARDS = (
    "resolution_time",
    "first_resolution_time",
    "fcr_rate",
    "one_touch_rate",
    "reopen_rate",
    "escalation_rate",
    "sla_achievement",
)
RATES = ("fcr_rate", "one_touch_rate", "reopen_rate", "escalation_rate")
BREACH_ROWS = 50


def build(view: View) -> Model:
    src, f = view.source, view.filters
    suffix = "bs" if f.hours == "business" else "s"
    headline = cards(view, CARDS)

    solved = filtered(src, f, "facts_tickets", time="solved_local")
    solved = solved.filter(solved.solved_at.notnull())
    hist, hist_table, _ = histogram_parts(
        view,
        "resolution",
        solved,
        solved[f"full_resolution_{suffix}"],
        "seconds",
        view.kpi_title("resolution_time"),
    )
    frame = view.trend(RATES)
    keys, labels = periods(view, frame)
    rates = charts.trend(
        view.locale, labels, [(view.kpi_title(k), "ratio", series(frame, k, keys)) for k in RATES]
    )
    breaches, breach_table = _breaches(view)
    return view.page(
        "resolution",
        cards=headline,
        charts={
            "resolution": hist,
            "rates": {"title": view.t("chart.resolution_rates"), "figure": rates},
        },
        tables={
            "resolution_histogram": hist_table,
            "sla_by_priority": _sla_by_priority(view),
            "breaches": breach_table,
        },
        sla=breaches,
    )


def _sla_by_priority(view: View) -> Model:
    frame = view.kpis(
        ("sla_achievement", "sla_first_reply"), by="priority", stats=False, compare=False
    )
    rows = []
    for priority in sorted(frame.priority.dropna().unique()):
        mine = frame[frame.priority == priority].set_index("kpi")
        rows.append(
            {
                "priority": view.locale.label("priority", priority),
                "n": int(mine.loc["sla_achievement", "n"])
                if "sla_achievement" in mine.index
                else 0,
                "sla_achievement": num(mine["value"].get("sla_achievement")),
                "sla_first_reply": num(mine["value"].get("sla_first_reply")),
            }
        )
    return table(
        view,
        view.t("table.sla_by_priority"),
        [
            column("priority", view.t("filter.priority")),
            column("n", view.t("col.n"), "count"),
            column("sla_achievement", view.kpi_title("sla_achievement"), "ratio"),
            column("sla_first_reply", view.kpi_title("sla_first_reply"), "ratio"),
        ],
        rows,
    )


def _breaches(view: View) -> tuple[Model, Model]:
    """Tickets created in the range that missed an SLA target: counts and the latest ones."""
    src, f = view.source, view.filters
    t = filtered(src, f, "facts_tickets")
    fr_missed = (t.sla_first_reply_met == ibis.literal(False)).fill_null(False)
    res_missed = (t.sla_resolution_met == ibis.literal(False)).fill_null(False)

    def compute() -> tuple[Model, list[Model]]:
        counts = src.run(
            t.agg(
                breaches=(fr_missed | res_missed).sum(),
                first_reply=fr_missed.sum(),
                resolution=res_missed.sum(),
            )
        ).iloc[0]
        missed = t.filter(fr_missed | res_missed)
        latest = src.run(
            missed.order_by(ibis.desc(missed.created_at), missed.ticket_id)
            .limit(BREACH_ROWS)
            .select(
                "ticket_id",
                "created_at",
                "customer_id",
                "channel",
                "priority",
                "team_id",
                "agent_id",
                "sla_policy",
                "sla_first_reply_met",
                "sla_resolution_met",
                first_reply=missed[f"first_reply_{'bs' if f.hours == 'business' else 's'}"],
            )
        )
        return (
            {k: int(counts[k] or 0) for k in ("breaches", "first_reply", "resolution")},
            [{str(k): v for k, v in r.items()} for r in latest.to_dict(orient="records")],
        )

    summary, rows = src.memo(("breaches", f.data_key), compute)
    out = []
    for r in rows:
        missed_targets = [
            view.t(label)
            for label, met in (
                ("sla.first_reply", r["sla_first_reply_met"]),
                ("sla.resolution", r["sla_resolution_met"]),
            )
            if met is False
        ]
        out.append(
            {
                "ticket_id": r["ticket_id"],
                "created_at": r["created_at"].isoformat() if r["created_at"] is not None else None,
                "channel": view.locale.label("channel", r["channel"]),
                "priority": view.locale.label("priority", r["priority"]),
                "team": view.team_name(r["team_id"]),
                "agent": view.agent_name(r["agent_id"]),
                "policy": r["sla_policy"],
                "missed": "، ".join(missed_targets)
                if view.locale.rtl
                else ", ".join(missed_targets),
                "first_reply": num(r["first_reply"]),
                "customer_href": link("customers", r["customer_id"]),
            }
        )
    tab = table(
        view,
        view.t("table.breaches"),
        [
            column("ticket_id", view.t("col.ticket"), href="customer_href"),
            column("created_at", view.t("col.created"), "datetime"),
            column("channel", view.t("filter.channel")),
            column("priority", view.t("filter.priority")),
            column("team", view.t("filter.team")),
            column("agent", view.t("filter.agent")),
            column("missed", view.t("col.missed")),
            column("first_reply", view.kpi_title("first_reply_time"), "seconds"),
        ],
        out,
    )
    return summary, tab
