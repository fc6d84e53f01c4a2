"""Agents and teams: the leaderboard, and one agent's digital scorecard."""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any

import ibis
import pandas as pd

from ...qa import kudos_of
from .. import _charts as charts
from .._errors import NotFound
from .._params import Filters
from .._query import filtered
from ._common import Model, View, card, column, link, num, periods, series, table

BOARD = (
    "tickets_solved",
    "first_reply_time",
    "resolution_time",
    "fcr_rate",
    "csat",
    "sla_achievement",
)
UNITS = {
    "tickets_solved": "count",
    "first_reply_time": "seconds",
    "resolution_time": "seconds",
    "fcr_rate": "ratio",
    "csat": "ratio",
    "sla_achievement": "ratio",
}
#: the scorecard adds the quality KPIs: manual reviews (IQS) and the automatic score
SCORECARD = (*BOARD, "iqs", "qa_pass_rate", "auto_quality_score")
RECENT = 20


def build(view: View) -> Model:
    agents = _board(view, "agent")
    teams = _board(view, "team")
    top = sorted(agents["rows"], key=lambda r: -(r["tickets_solved"] or 0))[:15]
    figure = charts.bars(
        view.locale,
        [r["name"] for r in top],
        [int(r["tickets_solved"] or 0) for r in top],
        view.kpi_title("tickets_solved"),
    )
    return view.page(
        "agents",
        charts={"solved": {"title": view.t("chart.solved_by_agent"), "figure": figure}},
        tables={"agents": agents, "teams": teams},
    )


def _board(view: View, by: str) -> Model:
    frame = view.kpis(BOARD, by=by, stats=False, compare=False)
    frame = frame[frame[by].notna()]
    # one dict per agent / team (a groupby loop over hundreds of agents costs ~100 ms)
    values_of: dict[Any, dict[str, Any]] = collections.defaultdict(dict)
    counts_of: dict[Any, dict[str, Any]] = collections.defaultdict(dict)
    for ident, kpi, value, n in zip(
        frame[by].tolist(), frame.kpi.tolist(), frame.value.tolist(), frame.n.tolist(), strict=True
    ):
        values_of[ident][kpi] = value
        counts_of[ident][kpi] = n
    rows = []
    for ident, values in values_of.items():
        counts = counts_of[ident]
        if not any(counts.values()):
            continue
        if by == "agent":
            agent = view.source.dims.agents.get(str(ident))
            if agent is not None and agent.is_bot:
                continue
            row: Model = {
                "id": str(ident),
                "name": view.agent_name(ident),
                "href": link("agents", ident),
                "team": view.team_name(agent.team_id if agent else None),
            }
        else:
            row = {"id": str(ident), "name": view.team_name(ident)}
        row.update({k: num(values.get(k)) for k in BOARD})
        row["surveys"] = int(counts.get("csat", 0))
        rows.append(row)
    rows.sort(key=lambda r: (-(r["tickets_solved"] or 0), r["name"]))
    cols = [column("name", view.t(f"filter.{by}"), href="href" if by == "agent" else None)]
    if by == "agent":
        cols.append(column("team", view.t("filter.team")))
    cols += [column(k, view.kpi_title(k), UNITS[k]) for k in BOARD]
    return table(view, view.t(f"table.{by}s"), cols, rows)


def scorecard(view: View, agent_id: str) -> Model:
    """One agent's KPIs against their team and the target, with the trend of each."""
    agent = view.source.dims.agents.get(agent_id)
    if agent is None:
        raise NotFound(f"there is no agent {agent_id!r}; pick one from the leaderboard")
    own = view.filters.without("agent", "team").with_dim("agent", (agent_id,))
    team = (
        view.filters.without("agent", "team").with_dim("team", (agent.team_id,))
        if agent.team_id in view.source.dims.teams
        else None
    )
    mine = view.kpis(SCORECARD, filters=own, stats=False)
    trend = view.trend(SCORECARD, filters=own)
    theirs = team_trend = None
    if team is not None:
        theirs = view.kpis(SCORECARD, filters=team, stats=False, compare=False)
        team_trend = view.trend(SCORECARD, filters=team)
    keys, labels = periods(view, trend)
    out = []
    for kpi in SCORECARD:
        rows = mine[mine.kpi == kpi]
        if rows.empty:
            continue
        c = card(view, rows.iloc[0], series(trend, kpi, keys))
        team_value = None
        if theirs is not None and not theirs[theirs.kpi == kpi].empty:
            team_value = num(theirs[theirs.kpi == kpi].iloc[0]["value"])
        c["team"] = team_value
        c["team_display"] = view.locale.value(c["unit"], team_value)
        out.append(c)
    figures = {}
    for kpi in ("first_reply_time", "csat"):
        lines = [(agent.name, UNITS[kpi], series(trend, kpi, keys))]
        if team_trend is not None:
            team_keys = keys  # the same periods: the same range and granularity
            lines.append(
                (view.team_name(agent.team_id), UNITS[kpi], series(team_trend, kpi, team_keys))
            )
        figures[kpi] = {
            "title": view.kpi_title(kpi),
            "figure": charts.trend(view.locale, labels, lines),
        }
    return view.page(
        "scorecard",
        title=agent.name,
        agent={
            "id": agent.id,
            "name": agent.name,
            "team_id": agent.team_id,
            "team": view.team_name(agent.team_id),
        },
        cards=out,
        charts=figures,
        tables={
            "kpis": _comparison(view, out),
            "tickets": _recent(view, own),
            "kudos": _kudos(view, agent_id),  # #22: praise beside the measures
        },
    )


def _kudos(view: View, agent_id: str) -> Model:
    """The agent's kudos in the page's period: wow moments and top-quartile category
    scores (``sanjeh.qa``; whoever may see this scorecard may see its kudos)."""
    start, end = view.filters.start, view.filters.end + dt.timedelta(days=1)
    # the store's connection serves one thread at a time (views are built in several)
    with view.source.db_lock:
        found = kudos_of(view.source.store, agent_id, start, end)
    rows = [
        {
            "kind": view.t(f"qa.kudos.kind.{k.kind}"),
            "what": (
                view.t("qa.kudos.wow", ticket=k.ticket_id or "")
                if k.kind == "wow"
                else view.t(
                    "qa.kudos.top_quartile",
                    category=k.category,
                    rank=view.locale.integer(k.rank or 0),
                    of=view.locale.integer(k.of or 0),
                )
            ),
            "score": None if k.score is None or k.score.mean is None else k.score.mean / 100,
            "note": k.note,
            "when": k.at.date().isoformat() if k.at else None,
        }
        for k in found
    ]
    return table(
        view,
        view.t("qa.kudos.title"),
        [
            column("kind", view.t("qa.kudos.kind")),
            column("what", view.t("qa.kudos.what")),
            column("score", view.t("qa.kudos.score"), "ratio"),
            column("note", view.t("qa.kudos.note")),
            column("when", view.t("qa.kudos.when")),
        ],
        rows,
    )


def _comparison(view: View, cards_: list[Model]) -> Model:
    rows = [
        {
            "kpi": c["kpi"],
            "title": c["title"],
            "unit": c["unit"],
            "n": c["n"],
            "value": c["value"],
            "team": c["team"],
            "target": c["target"],
            "status": c["status"],
            "change": c["change"],
        }
        for c in cards_
    ]
    return table(
        view,
        view.t("table.scorecard"),
        [
            column("title", view.t("col.kpi")),
            column("n", view.t("col.n"), "count"),
            column("value", view.t("col.agent_value"), "kpi"),
            column("team", view.t("col.team_value"), "kpi"),
            column("target", view.t("col.target"), "kpi"),
            column("status", view.t("col.status"), "status"),
            column("change", view.t("col.change"), "kpi_change"),
        ],
        rows,
    )


def _recent(view: View, own: Filters) -> Model:
    t = filtered(view.source, own, "facts_tickets")
    suffix = "bs" if own.hours == "business" else "s"
    frame: pd.DataFrame = view.source.memo(
        ("recent", own.data_key),
        lambda: view.source.run(
            t.order_by(ibis.desc(t.created_at), t.ticket_id)
            .limit(RECENT)
            .select(
                "ticket_id",
                "created_at",
                "customer_id",
                "channel",
                "status",
                "csat_score",
                first_reply=t[f"first_reply_{suffix}"],
            )
        ),
    )
    rows = [
        {
            "ticket_id": r["ticket_id"],
            "created_at": r["created_at"].isoformat(),
            "channel": view.locale.label("channel", r["channel"]),
            "status": view.locale.label("ticket_status", r["status"]),
            "first_reply": num(r["first_reply"]),
            "csat_score": num(r["csat_score"]),
            "customer_href": link("customers", r["customer_id"]),
        }
        for r in frame.to_dict(orient="records")
    ]
    return table(
        view,
        view.t("table.recent_tickets"),
        [
            column("ticket_id", view.t("col.ticket"), href="customer_href"),
            column("created_at", view.t("col.created"), "datetime"),
            column("channel", view.t("filter.channel")),
            column("status", view.t("col.status")),
            column("first_reply", view.kpi_title("first_reply_time"), "seconds"),
            column("csat_score", view.t("col.csat_score"), "number"),
        ],
        rows,
    )
